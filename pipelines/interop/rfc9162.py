#!/usr/bin/env python3
"""Checks mez's Merkle proofs with a second, independent implementation of RFC 9162.

    python pipelines/interop/rfc9162.py MEZ STORE_DIR CHECKPOINTS.jsonl

CHECKPOINTS.jsonl: the checkpoints as Go's sumdb/note package verified them
(`note_verify.go`: origin `mez/<chain>`, size, root). For every chain, against the root of
its largest verified checkpoint: the inclusion proof of every receipt (`mez log
prove-inclusion`), whose leaf hash is computed here from the receipt file itself — the
leaf data is the receipt's digest, SHA-256 of the RFC 8785 canonical JSON of the receipt
without `proof` and `digest` (DOMAIN.md), so the leaf hash is SHA-256(0x00 || that); and the consistency proof from every smaller
verified checkpoint (`mez log prove-consistency`). Each proof with one bit changed must
fail. The verification algorithms are transcribed from RFC 9162, sections 2.1.3.2 and
2.1.4.2, and share nothing with mez's. Prints a JSON report; exits 1 when anything failed.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf_hash, proof, root):
    """RFC 9162, 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, proof):
    """RFC 9162, 2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if first == 0:
        return False  # nothing to prove for an empty tree
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: first_hash starts the path
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def canonical(value):
    """RFC 8785 (JCS) for what receipts hold: objects, arrays, strings and integers (keys
    are ASCII, so code-unit order is Python's order)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_leaf(path):
    """The leaf hash of a stored receipt, and whether its recorded digest is the one
    computed here."""
    receipt = json.loads(path.read_bytes())
    recorded = receipt.pop("digest", None)
    receipt.pop("proof", None)
    digest = hashlib.sha256(canonical(receipt)).digest()
    return hashlib.sha256(b"\x00" + digest).digest(), recorded == "sha256:" + digest.hex()


def flipped(proof):
    """The proof with one bit of its first hash changed."""
    if not proof:
        return None
    first = bytearray(proof[0])
    first[0] ^= 1
    return [bytes(first)] + proof[1:]


def mez_json(binary, store, args):
    out = subprocess.run(
        [binary, "--store", store, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main(binary, store, checkpoints):
    verified = {}
    for line in Path(checkpoints).read_text().splitlines():
        c = json.loads(line)
        if c["ok"] and c["origin"].startswith("mez/"):
            chain = c["origin"][len("mez/"):]
            verified.setdefault(chain, {})[c["size"]] = bytes.fromhex(c["root"])
    report = {"chains": 0, "inclusion": 0, "consistency": 0, "tampered_rejected": 0, "failures": []}
    for chain, roots in sorted(verified.items()):
        report["chains"] += 1
        size = max(roots)
        root = roots[size]
        receipts = sorted((Path(store) / "log" / chain / "receipts").glob("*.json"))
        for index, receipt in enumerate(receipts[:size]):
            leaf, recorded = receipt_leaf(receipt)
            if not recorded:
                report["failures"].append(f"{chain}: receipt {index} records another digest")
            p = mez_json(binary, store, ["log", "prove-inclusion", "--chain", chain, "--index", str(index), "--size", str(size)])
            proof = [bytes.fromhex(h) for h in p["proof"]]
            if verify_inclusion(index, size, leaf, proof, root):
                report["inclusion"] += 1
            else:
                report["failures"].append(f"{chain}: inclusion of receipt {index} in {size}")
            bad = flipped(proof)
            if bad is not None:
                if verify_inclusion(index, size, leaf, bad, root):
                    report["failures"].append(f"{chain}: a changed inclusion proof of {index} verified")
                else:
                    report["tampered_rejected"] += 1
        for old in sorted(s for s in roots if s < size):
            p = mez_json(binary, store, ["log", "prove-consistency", "--chain", chain, "--old-size", str(old), "--new-size", str(size)])
            proof = [bytes.fromhex(h) for h in p["proof"]]
            if verify_consistency(old, size, roots[old], root, proof):
                report["consistency"] += 1
            else:
                report["failures"].append(f"{chain}: consistency {old} -> {size}")
            bad = flipped(proof)
            if bad is not None:
                if verify_consistency(old, size, roots[old], root, bad):
                    report["failures"].append(f"{chain}: a changed consistency proof {old} -> {size} verified")
                else:
                    report["tampered_rejected"] += 1
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0 if not report["failures"] and report["chains"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
