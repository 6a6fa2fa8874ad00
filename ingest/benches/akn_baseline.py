#!/usr/bin/env python3
"""Benchmark baseline: Akoma Ntoso provision extraction with lxml (DOM-based).

This is the Python reference point for the Rust AKN reader's benchmark. It does
what a DOM-based tool (e.g. Laws.Africa's cobalt) would do: build the full lxml
tree for each file, then walk it and produce one row per provision (eid,
element, name, num, heading, depth, parent, position, in_quoted, own text,
refs, terms). Rows are kept in a list, as a real extractor would.

Usage: python3 ingest/benches/akn_baseline.py FILE_OR_DIR... [--repeat N]
Prints e.g.: files=47 refused=0 MB=15.2 provisions=20072 best_s=3.21 MB_per_s=4.7
MB counts all input bytes (refused files included). Single-threaded.
"""
import argparse
import os
import sys
import time

from lxml import etree

PROVISIONS = frozenset(
    "alinea article book chapter clause division hcontainer indent level paragraph "
    "part point proviso rule section subchapter subclause subdivision subparagraph "
    "subpart subrule subsection subtitle title tome transitional".split())
NOTES = frozenset(("authorialNote", "note"))
QUOTED = frozenset(("quotedStructure", "embeddedStructure"))
NL_AFTER = frozenset(("p", "content", "intro", "wrapUp", "tr"))
NL_AT = frozenset(("eol", "br"))
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def split_tag(tag):
    if tag[0] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def collapse(s):
    return " ".join(s.split())


def own_text(el, ns, parts, refs, terms, top):
    """Append el's own text to parts, skipping nested provisions, notes and
    (at the top level only) the direct num/heading children."""
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):  # skip comments / PIs, but keep their tail
            cns, local = split_tag(tag)
            in_akn = cns == ns
            if in_akn and (local in PROVISIONS or local in NOTES
                           or (top and local in ("num", "heading"))):
                pass
            else:
                if in_akn and local == "ref":
                    href = child.get("href")
                    if href is not None:
                        refs.append(href)
                elif in_akn and local == "term":
                    r = child.get("refersTo")
                    if r is not None:
                        terms.append(r)
                if in_akn and local in NL_AT:
                    parts.append("\n")
                own_text(child, ns, parts, refs, terms, False)
                if in_akn and local in NL_AFTER:
                    parts.append("\n")
        if child.tail:
            parts.append(child.tail)


def make_row(el, local, ns, depth, parent, position, in_quoted):
    eid = el.get("eId") or el.get("id") or el.get(XML_ID) or f"{local}_{position}"
    num = heading = None
    for child in el:
        if isinstance(child.tag, str):
            cns, clocal = split_tag(child.tag)
            if cns == ns and clocal == "num" and num is None:
                num = collapse("".join(child.itertext()))
            elif cns == ns and clocal == "heading" and heading is None:
                heading = collapse("".join(child.itertext()))
    parts, refs, terms = [], [], []
    own_text(el, ns, parts, refs, terms, True)
    lines = (collapse(l) for l in "".join(parts).split("\n"))
    text = "\n".join(l for l in lines if l)
    return {"eid": eid, "element": local, "name": el.get("name"), "num": num,
            "heading": heading, "depth": depth, "parent": parent,
            "position": position, "in_quoted": in_quoted, "text": text,
            "refs": refs, "terms": terms}


def walk(el, ns, depth, parent, in_quoted, rows):
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        cns, local = split_tag(tag)
        akn = cns == ns
        if akn and local == "meta":
            continue
        if akn and local in PROVISIONS:
            row = make_row(child, local, ns, depth, parent, len(rows), in_quoted)
            rows.append(row)
            walk(child, ns, depth + 1, row["eid"], in_quoted, rows)
        else:
            walk(child, ns, depth, parent, in_quoted or (akn and local in QUOTED), rows)


def extract(path):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.parse(path, parser=parser).getroot()
    if split_tag(root.tag)[1] != "akomaNtoso":
        found = next(root.iter("{*}akomaNtoso"), None)
        root = found if found is not None else root
    ns = split_tag(root.tag)[0]
    rows = []
    walk(root, ns, 0, None, False, rows)
    return rows


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                files += [os.path.join(d, n) for n in names if n.endswith(".xml")]
        else:
            files.append(p)
    return sorted(set(files))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.setrecursionlimit(100000)
    files = collect(args.paths)
    total_bytes = sum(os.path.getsize(f) for f in files)
    best = None
    for _ in range(max(1, args.repeat)):
        all_rows, refused = [], 0
        t0 = time.perf_counter()
        for f in files:
            try:
                all_rows.extend(extract(f))
            except (etree.XMLSyntaxError, OSError, ValueError):
                refused += 1
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    mb = total_bytes / 1e6
    print(f"files={len(files)} refused={refused} MB={mb:.1f} provisions={len(all_rows)} "
          f"best_s={best:.2f} MB_per_s={mb / best:.1f}")


if __name__ == "__main__":
    main()
