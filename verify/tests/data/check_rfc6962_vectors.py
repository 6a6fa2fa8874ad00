#!/usr/bin/env python3
"""Independent cross-check of rfc6962_vectors.json.

Recomputes every vector from the leaf data with a from-scratch implementation
of RFC 6962 section 2.1 and compares against the JSON (which was copied from
published sources, not generated). Also runs the RFC 9162 section 2.1.3.2 /
2.1.4.2 verification algorithms on every proof. Exits non-zero on any
mismatch.

Usage: python3 check_rfc6962_vectors.py [path/to/rfc6962_vectors.json]
"""
import hashlib
import json
import os
import sys


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split_point(n):
    """Largest power of two strictly smaller than n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d):
    """RFC 6962 2.1: Merkle Tree Hash."""
    n = len(d)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaf_hash(d[0])
    k = split_point(n)
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m, d):
    """RFC 6962 2.1.1: PATH(m, D[n]), m 0-based."""
    n = len(d)
    if n == 1:
        return []
    k = split_point(n)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    """RFC 6962 2.1.2: SUBPROOF(m, D[n], b)."""
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = split_point(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def proof(m, d):
    """RFC 6962 2.1.2: PROOF(m, D[n]) = SUBPROOF(m, D[n], true)."""
    return subproof(m, d, True)


# --- RFC 9162 verification algorithms (second, independent check) ---

def verify_inclusion(index, size, lh, path_, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = lh
    for p in path_:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof_, root1, root2):
    """RFC 9162 2.1.4.2 (with the trivial size1 == size2 / size1 == 0 cases)."""
    if size1 > size2:
        return False
    if size1 == size2:
        return len(proof_) == 0 and root1 == root2
    if size1 == 0:
        return len(proof_) == 0
    if len(proof_) == 0:
        return False
    p = list(proof_)
    if size1 & (size1 - 1) == 0:  # size1 is an exact power of 2
        p = [root1] + p
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = p[0]
    for c in p[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    fname = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "rfc6962_vectors.json")
    with open(fname, "r", encoding="utf-8") as f:
        v = json.load(f)

    leaves = [bytes.fromhex(x) for x in v["leaves_hex"]]
    roots = {r["size"]: bytes.fromhex(r["root_hex"]) for r in v["roots"]}
    failures = []
    checked = 0

    for size, want in sorted(roots.items()):
        got = mth(leaves[:size])
        checked += 1
        if got != want:
            failures.append("root size=%d: json %s, computed %s" % (size, want.hex(), got.hex()))

    for t in v["inclusion"]:
        m, n = t["index"], t["size"]
        want = [bytes.fromhex(x) for x in t["path_hex"]]
        got = path(m, leaves[:n])
        checked += 1
        if got != want:
            failures.append("inclusion index=%d size=%d: json %s, computed %s"
                            % (m, n, [x.hex() for x in want], [x.hex() for x in got]))
        root = roots.get(n, mth(leaves[:n]))
        if not verify_inclusion(m, n, leaf_hash(leaves[m]), want, root):
            failures.append("inclusion index=%d size=%d: RFC 9162 verification failed" % (m, n))

    for t in v["consistency"]:
        m, n = t["size1"], t["size2"]
        want = [bytes.fromhex(x) for x in t["proof_hex"]]
        got = proof(m, leaves[:n])
        checked += 1
        if got != want:
            failures.append("consistency %d->%d: json %s, computed %s"
                            % (m, n, [x.hex() for x in want], [x.hex() for x in got]))
        r1 = roots.get(m, mth(leaves[:m]))
        r2 = roots.get(n, mth(leaves[:n]))
        if not verify_consistency(m, n, want, r1, r2):
            failures.append("consistency %d->%d: RFC 9162 verification failed" % (m, n))

    for msg in failures:
        print("MISMATCH:", msg)
    print("checked %d vectors (%d roots, %d inclusion, %d consistency): %s"
          % (checked, len(roots), len(v["inclusion"]), len(v["consistency"]),
             "FAIL" if failures else "OK"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
