#!/usr/bin/env python3
"""Benchmark baseline: name screening with nomenklatura's ``logic-v2`` matcher.

The Python reference that mez's Rust screening matcher is timed against (the issue asks
for the throughput ratio on a 1k sample, measured in the same session). It is not
production code and is not part of the build.

Install (once, in a venv outside the repo; needs PyPI only):

    python3 -m venv ~/.cache/mez/nk-venv
    ~/.cache/mez/nk-venv/bin/pip install nomenklatura   # pulls followthemoney, rigour, duckdb

Run:

    D=/work/shared/data/sanctions
    PY=~/.cache/mez/nk-venv/bin/python
    $PY pipelines/benches/screening_baseline.py --sdn $D/ofac/csv-2021-07-07/sdn.csv.gz \\
        --alt $D/ofac/csv-2021-07-07/alt.csv.gz --un $D/un/un-consolidated-2026-02-27.xml.gz \\
        --make-queries /tmp/nk_queries_1k.csv --limit 1000      # deterministic sample, then exit
    $PY pipelines/benches/screening_baseline.py --sdn ... --alt ... --un ... \\
        --queries /tmp/nk_queries_1k.csv [--threshold 0.7] [--limit N] [--out matches.csv]

What it does and measures:

* Lists -> followthemoney ``StatementEntity``s: OFAC SDN individuals -> Person, entities
  ("-0-" type) -> Organization, vessel -> Vessel, aircraft -> Airplane; UN INDIVIDUAL ->
  Person, ENTITY -> Organization. Names only (no DOB, country, IDs), because the queries
  are bare names. OFAC "LAST, First" becomes name "First LAST" plus firstName=First and
  lastName=LAST (so the name tagger knows the family name); aliases written with a comma
  are reordered the same way. OFAC alt.csv aka/nka -> alias, fka -> previousName. UN
  FIRST..FOURTH_NAME are joined in that order -> name; NAME_ORIGINAL_SCRIPT -> alias;
  aliases with QUALITY "Low" -> weakAlias, "f.k.a." -> previousName, others -> alias.
  Parsing time is reported as ``load_seconds``.
* ``index_seconds``: building nomenklatura's own blocking index (``nomenklatura.blocker.Index``,
  a DuckDB token index with IDF weights) over all list entities.
* ``screen_seconds``: everything a screen of the query file costs: making one query entity
  per name and per ``--schemas`` entry (default LegalEntity, which reaches Person and
  Organization, and Vehicle, which reaches Vessel and Airplane), blocking them with
  ``Index.match_entities`` (top 75 candidates per query entity, nomenklatura's default),
  and scoring every candidate with ``LogicV2.compare``; matches with score >= --threshold
  are kept (best score per query and list entity). ``names_per_second`` = queries /
  screen_seconds. Split into ``block_seconds`` and ``score_seconds`` too.
* Single core: the scoring is plain single-threaded Python, and DuckDB is set to one thread
  (``--threads``) so the figure is per core.
"""
import argparse
import csv
import gzip
import json
import random
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from followthemoney import Dataset, StatementEntity
from nomenklatura.blocker import Index
from nomenklatura.matching import get_algorithm
from nomenklatura.resolver import Linker
from nomenklatura.store import MemoryStore

DATASET = Dataset.make({"name": "screening_baseline", "title": "OFAC SDN + UN"})
OFAC_SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}


def gz_text(path):
    return gzip.open(path, "rt", encoding="utf-8", newline="") if str(path).endswith(".gz") \
        else open(path, encoding="utf-8", newline="")


def ofac_value(v):
    v = v.strip().strip("\x1a").strip()
    return None if v in ("", "-0-") else v


def reorder(name):
    """OFAC "LAST, First" -> ("First LAST", first, last); other names unchanged."""
    if "," not in name:
        return name, None, None
    last, first = (p.strip() for p in name.split(",", 1))
    return (f"{first} {last}" if first else last), first or None, last


def make(schema, id_, **props):
    ent = StatementEntity(DATASET, {"schema": schema, "id": id_})
    for prop, values in props.items():
        for v in values if isinstance(values, list) else [values]:
            if v:
                ent.add(prop, v, quiet=True)
    return ent


def load_ofac(sdn_path, alt_path):
    rows = {}
    with gz_text(sdn_path) as fh:
        for row in csv.reader(fh):
            if len(row) < 3 or ofac_value(row[0]) is None:
                continue
            kind = ofac_value(row[2]) or "entity"
            rows[row[0].strip()] = (kind, ofac_value(row[1]), {"alias": [], "previousName": []})
    with gz_text(alt_path) as fh:
        for row in csv.reader(fh):
            if len(row) < 4 or row[0].strip() not in rows or ofac_value(row[3]) is None:
                continue
            kind, _, alts = rows[row[0].strip()]
            name = ofac_value(row[3])
            if kind == "individual":
                name = reorder(name)[0]
            prop = "previousName" if (ofac_value(row[2]) or "").lower() == "fka" else "alias"
            alts[prop].append(name)
    for num, (kind, name, alts) in rows.items():
        schema = OFAC_SCHEMA.get(kind, "Organization")
        first = last = None
        if schema == "Person" and name:
            name, first, last = reorder(name)
        yield make(schema, f"ofac-{num}", name=name, firstName=first, lastName=last, **alts)


def load_un(path):
    with gz_text(path) as fh:
        root = ET.parse(fh).getroot()
    for tag, schema, alias_tag in (("INDIVIDUAL", "Person", "INDIVIDUAL_ALIAS"),
                                   ("ENTITY", "Organization", "ENTITY_ALIAS")):
        for el in root.iter(tag):
            parts = [(el.findtext(f) or "").strip() for f in
                     ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
            props = {"name": " ".join(p for p in parts if p), "alias": [], "weakAlias": [],
                     "previousName": []}
            props["alias"].append((el.findtext("NAME_ORIGINAL_SCRIPT") or "").strip())
            for al in el.findall(alias_tag):
                alias = (al.findtext("ALIAS_NAME") or "").strip()
                quality = (al.findtext("QUALITY") or "").strip().lower()
                prop = {"low": "weakAlias", "f.k.a.": "previousName"}.get(quality, "alias")
                props[prop].append(alias)
            yield make(schema, f"un-{el.findtext('DATAID').strip()}", **props)


def read_queries(path, limit):
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [(r["id"], r["name"]) for r in csv.DictReader(fh) if (r.get("name") or "").strip()]
    return rows[:limit] if limit else rows


def make_queries(entities, out, n, seed=20260227):
    """Deterministic sample: half list names (some with 1-2 typos, some reordered), half
    ordinary names that should mostly not match."""
    rnd = random.Random(seed)
    names = sorted({v for e in entities for p in ("name", "alias") for v in e.get(p, quiet=True)
                    if v.isascii() and len(v) > 3})
    given = "James Maria John Ana Wei Fatima Olga Pedro Lena Ahmed Sofia Ivan Chen Amir Nina " \
            "Paul Yuki Omar Elena Samuel Grace Hassan Laura Dmitri Aisha Carlos Mei".split()
    family = "Smith Garcia Müller Rossi Novak Kim Tanaka Silva Jensen Kowalski Dubois Haddad " \
             "Ivanova Okafor Larsen Moreau Schmidt Costa Petrov Nguyen Brown Fischer".split()
    orgs = "Northwind Trading;Blue River Logistics Ltd;Alpine Dairy GmbH;Sunrise Textiles;" \
           "Harbor Freight Partners;Greenfield Seeds SA;Atlas Metals Inc".split(";")
    letters = "abcdefghijklmnopqrstuvwxyz"

    def typo(s):
        i = rnd.randrange(len(s))
        op = rnd.randrange(4)
        if op == 0:
            return s[:i] + s[i + 1:]
        if op == 1:
            return s[:i] + rnd.choice(letters) + s[i:]
        if op == 2:
            return s[:i] + rnd.choice(letters) + s[i + 1:]
        return s[:i] + s[i + 1:i + 2] + s[i:i + 1] + s[i + 2:] if i + 1 < len(s) else s

    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name"])
        for i in range(n):
            r = rnd.random()
            if r < 0.5:
                name = rnd.choice(names)
                if r < 0.3:
                    for _ in range(rnd.randint(1, 2)):
                        name = typo(name)
                elif r < 0.35:
                    name = " ".join(reversed(name.split()))
            elif r < 0.9:
                name = f"{rnd.choice(given)} {rnd.choice(family)}"
            else:
                name = rnd.choice(orgs)
            w.writerow([f"q{i:07d}", name])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sdn", required=True)
    ap.add_argument("--alt", required=True)
    ap.add_argument("--un", required=True)
    ap.add_argument("--queries", help="CSV with header id,name (other columns ignored)")
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N queries")
    ap.add_argument("--out", help="write matches as CSV query_id,entity_id,name,score")
    ap.add_argument("--schemas", default="LegalEntity,Vehicle",
                    help="query entity schemata, one query entity per name and schema")
    ap.add_argument("--threads", type=int, default=1, help="DuckDB threads for blocking")
    ap.add_argument("--make-queries", metavar="OUT",
                    help="write a deterministic sample of --limit (default 1000) queries and exit")
    args = ap.parse_args()

    t0 = time.perf_counter()
    entities = list(load_ofac(args.sdn, args.alt)) + list(load_un(args.un))
    load_seconds = time.perf_counter() - t0
    if args.make_queries:
        make_queries(entities, args.make_queries, args.limit or 1000)
        return
    if not args.queries:
        ap.error("--queries is required (or --make-queries)")
    queries = read_queries(args.queries, args.limit)
    algorithm = get_algorithm("logic-v2")
    config = algorithm.default_config()
    schemas = [s.strip() for s in args.schemas.split(",") if s.strip()]

    with tempfile.TemporaryDirectory(prefix="nk-index-") as tmp:
        t0 = time.perf_counter()
        store = MemoryStore(DATASET, Linker({}))
        with store.writer() as writer:
            for ent in entities:
                writer.add_entity(ent)
        view = store.default_view()
        index = Index(view, Path(tmp))
        index.con.execute(f"SET threads TO {args.threads}")
        index.build()
        index_seconds = time.perf_counter() - t0

        by_id = {e.id: e for e in entities}
        t0 = time.perf_counter()
        qents = {}
        for qid, name in queries:
            for schema in schemas:
                qents[f"query:{schema}:{qid}"] = (qid, make(schema, f"query:{schema}:{qid}", name=name))
        blocks = [(str(q), [str(c) for c, _ in cands]) for q, cands in
                  index.match_entities(e for _, e in qents.values())]
        t1 = time.perf_counter()
        best = {}
        for q, cands in blocks:
            qid, qent = qents[q]
            for cid in cands:
                score = algorithm.compare(qent, by_id[cid], config).score
                if score >= args.threshold and score > best.get((qid, cid), -1.0):
                    best[(qid, cid)] = score
        t2 = time.perf_counter()
        index.close()

    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["query_id", "entity_id", "name", "score"])
            for (qid, cid), score in sorted(best.items()):
                w.writerow([qid, cid, by_id[cid].caption, f"{score:.4f}"])
    screen_seconds = t2 - t0
    json.dump({
        "queries": len(queries), "entities": len(entities),
        "index_seconds": round(index_seconds, 3), "screen_seconds": round(screen_seconds, 3),
        "names_per_second": round(len(queries) / screen_seconds, 2) if screen_seconds else None,
        "matches": len(best), "threshold": args.threshold, "load_seconds": round(load_seconds, 3),
        "block_seconds": round(t1 - t0, 3), "score_seconds": round(t2 - t1, 3),
        "candidates": sum(len(c) for _, c in blocks), "schemas": schemas,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
