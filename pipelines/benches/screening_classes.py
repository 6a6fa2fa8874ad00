#!/usr/bin/env python3
"""Per-class screening figures of one or more `mez` binaries on the same labelled queries.

`mez screen eval` reports its own matcher; to compare two builds (before and after a matcher
change) on exactly the same queries, this script screens, through each binary's plain
`mez screen`:

- the generated labelled queries (`mez screen eval --dump-queries`), against the lists;
- the labelled pair set (pipelines/src/jobs/screening/pairs.csv or another of the same
  shape), against the lists plus the pairs' listed names as a custom list;

and prints, per category and per pair class, recall of `same` / found positives and false
reports of negatives at the review and hit lines, with precision and F1 for the pair classes.

    python3 screening_classes.py --queries Q.csv --pairs pairs.csv --lists L... \\
        --mez before=/path/mez-old --mez after=/path/mez
"""
import argparse
import collections
import csv
import json
import os
import subprocess
import tempfile


def screen(mez, work, names_csv, lists):
    store = os.path.join(work, "store")
    subprocess.run(["rm", "-rf", store], check=True)
    key = os.path.join(work, "k")
    if not os.path.exists(key + ".key"):
        subprocess.run([mez, "keygen", "--out", key], check=True, capture_output=True)
    out = subprocess.run(
        [mez, "--quiet", "--json", "--store", store, "--key", key + ".key", "screen",
         "--names", names_csv, "--lists", *lists],
        check=True, capture_output=True, text=True)
    summary = json.JSONDecoder().raw_decode(out.stdout[out.stdout.index("{"):])[0]
    digest = summary["tables"]["matches"]["digest"]
    rows = subprocess.run(
        [mez, "--quiet", "--store", store, "--key", key + ".key", "export", digest, "--format", "jsonl"],
        check=True, capture_output=True, text=True).stdout
    hits = collections.defaultdict(dict)
    for line in rows.splitlines():
        r = json.loads(line)
        key = f"{r['list']}:{r['entry_id']}"
        hits[r["query_id"]][key] = max(hits[r["query_id"]].get(key, 0), r["score_bp"])
    return hits


def prf(tp, fn, fp):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--lists", nargs="+", required=True)
    ap.add_argument("--mez", action="append", required=True, help="label=path")
    ap.add_argument("--review", type=int, default=8500)
    ap.add_argument("--hit", type=int, default=9300)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mez-classes-")
    queries = list(csv.DictReader(open(a.queries)))
    pairs = [r for r in csv.DictReader(l for l in open(a.pairs) if not l.startswith("#"))]
    # The pairs' listed names as a custom list, one entry per distinct (name, kind).
    listed = {}
    types = {"person": "individual", "company": "entity", "vessel": "vessel"}
    for p in pairs:
        listed.setdefault((p["listed"], p["kind"]), f"pair-{len(listed)}")
    pair_list = os.path.join(work, "pairs-list.csv")
    with open(pair_list, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "type"])
        for (name, kind), uid in listed.items():
            w.writerow([uid, name, types[kind]])
    pair_queries = os.path.join(work, "pair-queries.csv")
    with open(pair_queries, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        for i, p in enumerate(pairs):
            w.writerow([f"pair{i}", p["query"]])
    gen_queries = os.path.join(work, "queries.csv")
    with open(gen_queries, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        for q in queries:
            w.writerow([q["id"], q["name"]])
    for label_path in a.mez:
        label, mez = label_path.split("=", 1)
        hits = screen(mez, work, gen_queries, a.lists)
        print(f"== {label}: generated queries (correct at review / at hit)")
        cats = collections.defaultdict(lambda: [0, 0, 0])
        for q in queries:
            got = hits.get(q["id"], {})
            c = cats[q["category"]]
            c[0] += 1
            for k, line in ((1, a.review), (2, a.hit)):
                if q["target"]:
                    c[k] += got.get(q["target"], 0) >= line
                else:
                    c[k] += not any(s >= line for s in got.values())
        for cat, (n, rev, hit) in sorted(cats.items()):
            print(f"  {cat:22} {n:5}  {rev / n:7.2%}  {hit / n:7.2%}")
        hits = screen(mez, work, pair_queries, a.lists + [pair_list])
        print(f"== {label}: labelled pairs (precision recall F1 at review | F1 at hit)")
        classes = collections.defaultdict(lambda: [[0, 0, 0], [0, 0, 0]])
        for i, p in enumerate(pairs):
            got = hits.get(f"pair{i}", {})
            score = max((s for k, s in got.items()
                         if k.endswith(":" + listed[(p["listed"], p["kind"])])), default=0)
            for k, line in ((0, a.review), (1, a.hit)):
                c = classes[p["class"]][k]
                t = classes["(all)"][k]
                reported = score >= line
                idx = 0 if p["label"] == "same" and reported else (
                    1 if p["label"] == "same" else (2 if reported else None))
                if idx is not None:
                    c[idx] += 1
                    t[idx] += 1
        for cls, (rev, hit) in sorted(classes.items()):
            p, r, f = prf(*rev)
            print(f"  {cls:15} {p:7.2%} {r:7.2%} {f:7.2%} | {prf(*hit)[2]:7.2%}")


if __name__ == "__main__":
    main()
