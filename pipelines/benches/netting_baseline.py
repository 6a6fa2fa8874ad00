#!/usr/bin/env python3
"""Benchmark baseline: pacs.008 settlement netting in Python with lxml ``iterparse``.

    python3 pipelines/benches/netting_baseline.py FILE_OR_DIR... [--json] [--value-date YYYY-MM-DD]

The reference the Rust tool is timed against, not production code. It mirrors the Rust
pacs.008 reader (``ingest/src/pacs008/reader.rs``, ``fields.rs``,
``currency::to_minor_units``) and the settlement netting stage:

* messages are ``FIToFICstmrCdtTrf`` elements; inside them elements are matched by local
  name only (any namespace, never by prefix); text is trimmed; the first occurrence in
  document order wins;
* one payment per ``CdtTrfTxInf``; payer/payee = (instructing, instructed) agent, each from
  the transaction else the group header, else (debtor agent, creditor agent); agent id =
  BICFI/BIC upper-cased (8 characters get ``XXX``) else ``<clr>:<MmbId>``;
* amounts become integer minor units via ISO 4217 exponents, integer arithmetic only;
  any unknown currency, malformed amount or date, missing date (unless ``--value-date``)
  or missing participants quarantines the transaction;
* duplicates (same lowercased UETR, else same MsgId/EndToEndId/TxId) are netted once;
  identity conflicts (the same identity with other content, which mez holds) are not
  modelled: the benchmark day has none, so both net the same payments;
* per (settlement date, currency): gross G, bilateral B = sum over pairs of |b_pq|,
  multilateral M = sum |n_p| / 2 with n_p = received - paid;
* a file lxml cannot parse is refused as a whole (its payments are discarded) and counted
  in ``quarantined_files``.

Memory stays flat on multi-GB files (each transaction, group header and message is cleared,
previous siblings deleted, once read); only the run's set of duplicate keys grows.
"""
import json
import os
import re
import sys
from collections import defaultdict
from functools import lru_cache

from lxml import etree

EXPONENTS = {c: 0 for c in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()}
EXPONENTS.update({c: 3 for c in "BHD IQD JOD KWD LYD OMR TND".split()})
EXPONENTS.update({c: 4 for c in "CLF UYW".split()})
EXPONENTS.update({c: 2 for c in """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB
    BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW
    KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN
    NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD
    SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER
    ZAR ZMW ZWG""".split()})
AMOUNT_RE = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
I64_MAX = 2**63 - 1
MESSAGE, TX, GRP_HDR = "FIToFICstmrCdtTrf", "CdtTrfTxInf", "GrpHdr"


def xpath(*paths):
    """First element (document order) at any of the local-name paths, as a compiled XPath."""
    steps = lambda p: "/".join(f"*[local-name()='{n}']" for n in p.split("/"))
    return etree.XPath(" | ".join(steps(p) for p in paths))


def first_text(finder, el):
    """Trimmed text of the first match, "" if it is empty, None if there is none."""
    found = finder(el)
    return (found[0].text or "").strip() if found else None


def agent_finder(name):
    base = f"{name}/FinInstnId/"
    return (xpath(base + "BICFI", base + "BIC"), xpath(base + "ClrSysMmbId/MmbId"),
            xpath(base + "ClrSysMmbId/ClrSysId/Cd", base + "ClrSysMmbId/ClrSysId/Prtry"))


def participant(el, finders, default_clr):
    bic = first_text(finders[0], el)
    if bic:
        bic = bic.upper()
        return bic + "XXX" if len(bic) == 8 else bic
    member = first_text(finders[1], el)
    if not member:
        return None
    clr = first_text(finders[2], el) or default_clr
    return f"{'MMB' if clr is None else clr}:{member}"


F_MSG_ID, F_DATE = xpath("MsgId"), xpath("IntrBkSttlmDt")
F_CLR = xpath("SttlmInf/ClrSys/Cd", "SttlmInf/ClrSys/Prtry")
F_AMOUNT = xpath("IntrBkSttlmAmt")
F_UETR, F_E2E, F_TXID = xpath("PmtId/UETR"), xpath("PmtId/EndToEndId"), xpath("PmtId/TxId")
A_INSTG, A_INSTD, A_DBTR, A_CDTR = (agent_finder(n) for n in ("InstgAgt", "InstdAgt", "DbtrAgt", "CdtrAgt"))


@lru_cache(maxsize=4096)
def valid_date(text):
    m = DATE_RE.fullmatch(text)
    if not m:
        return False
    y, mo, d = (int(g) for g in m.groups())
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return 1 <= mo <= 12 and 1 <= d <= days[mo - 1]


def to_minor(text, ccy):
    exp = EXPONENTS.get(ccy)
    m = AMOUNT_RE.fullmatch(text)
    if exp is None or m is None:
        return None
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac) > exp:
        return None
    value = int(whole + frac + "0" * (exp - len(frac)))
    return value if value <= I64_MAX else None


class FileResult:  # what one file adds; merged into the run only if the whole file parses
    def __init__(self):
        self.flows = defaultdict(int)  # (date, ccy, payer, payee) -> sum of minor units
        self.keys = set()
        self.transactions = self.quarantined = self.duplicates = 0


def read_tx(tx, group, value_date, seen, out):
    found = F_AMOUNT(tx)
    ccy = (found[0].get("Ccy") if found else None) or ""
    ccy = ccy.strip()
    minor = to_minor((found[0].text or "").strip(), ccy) if found else None
    date = next((d for d in (first_text(F_DATE, tx), group["date"], value_date) if d is not None), None)
    if minor is None or date is None or not valid_date(date):
        out.quarantined += 1
        return
    clr = group["clr"]
    payer = participant(tx, A_INSTG, clr) or group["instg"]
    payee = participant(tx, A_INSTD, clr) or group["instd"]
    if payer is None or payee is None:
        payer, payee = participant(tx, A_DBTR, clr), participant(tx, A_CDTR, clr)
        if payer is None or payee is None:
            out.quarantined += 1
            return
    uetr = first_text(F_UETR, tx)
    if uetr is not None:
        key = ("uetr", uetr.lower())
    else:
        key = ("ids", group["msg_id"], first_text(F_E2E, tx), first_text(F_TXID, tx))
    if key in seen or key in out.keys:
        out.duplicates += 1
        return
    out.keys.add(key)
    out.transactions += 1
    out.flows[(date, ccy, payer, payee)] += minor


def release(el):
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def read_file(path, value_date, seen):
    out = FileResult()
    no_group = {"msg_id": None, "date": None, "clr": None, "instg": None, "instd": None}
    group = no_group
    for _, el in etree.iterparse(path, events=("end",), huge_tree=True,
                                 resolve_entities=False, no_network=True):
        tag = el.tag
        name = tag[tag.rfind("}") + 1:]  # local name: "{ns}" stripped, prefix never looked at
        if name == TX or name == GRP_HDR:
            parent = el.getparent()
            if parent is None or parent.tag[parent.tag.rfind("}") + 1:] != MESSAGE:
                continue
            if name == TX:
                read_tx(el, group, value_date, seen, out)
            else:
                clr = first_text(F_CLR, el)
                group = {"msg_id": first_text(F_MSG_ID, el), "date": first_text(F_DATE, el), "clr": clr,
                         "instg": participant(el, A_INSTG, clr), "instd": participant(el, A_INSTD, clr)}
            release(el)
        elif name == MESSAGE:
            group = no_group
            release(el)
        elif name == "AppHdr" or name == "Document":
            release(el)
    return out


def expand(args):
    for arg in args:
        if os.path.isdir(arg):
            found = [os.path.join(d, f) for d, _, fs in os.walk(arg) for f in fs if f.endswith(".xml")]
            yield from sorted(found)
        else:
            yield arg


def net(flows):
    """(date, ccy) -> (gross, bilateral, multilateral, positions) from summed directed flows."""
    groups = defaultdict(dict)
    for (date, ccy, p, q), amount in flows.items():
        groups[(date, ccy)][(p, q)] = amount
    result = {}
    for key, pairs in sorted(groups.items()):
        gross, bilateral, positions = 0, 0, defaultdict(int)
        for (p, q), amount in pairs.items():
            gross += amount
            positions[p] -= amount
            positions[q] += amount
            if p < q:
                bilateral += abs(amount - pairs.get((q, p), 0))
            elif q < p and (q, p) not in pairs:
                bilateral += amount  # the reverse direction has no flows
        total = sum(abs(v) for v in positions.values())
        assert total % 2 == 0, "multilateral positions must sum to zero"
        result[key] = (gross, bilateral, total // 2, dict(sorted(positions.items())))
    return result


def main(argv):
    as_json, value_date, inputs = False, None, []
    it = iter(argv)
    for arg in it:
        if arg == "--json":
            as_json = True
        elif arg == "--value-date" or arg.startswith("--value-date="):
            value_date = arg.split("=", 1)[1] if "=" in arg else next(it, None)
            if value_date is None or not valid_date(value_date):
                sys.exit(f"--value-date needs a YYYY-MM-DD date, got {value_date!r}")
        else:
            inputs.append(arg)
    if not inputs:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    flows, seen = defaultdict(int), set()
    counts = dict.fromkeys(("transactions", "quarantined", "duplicates", "files", "quarantined_files"), 0)
    for path in expand(inputs):
        counts["files"] += 1
        try:
            out = read_file(path, value_date, seen)
        except (etree.LxmlError, OSError) as e:  # the whole file is refused; its payments are dropped
            print(f"quarantined file {path}: {e}", file=sys.stderr)
            counts["quarantined_files"] += 1
            continue
        for k, v in out.flows.items():
            flows[k] += v
        seen |= out.keys
        for k in ("transactions", "quarantined", "duplicates"):
            counts[k] += getattr(out, k)
    netted = net(flows)
    if as_json:
        groups = [{"date": d, "currency": c, "gross": g, "bilateral": b, "multilateral": m, "positions": pos}
                  for (d, c), (g, b, m, pos) in netted.items()]
        print(json.dumps({"groups": groups, **counts}))
    else:
        for (d, c), (g, b, m, pos) in netted.items():
            print(d, c, g, b, m, len(pos))
        print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
