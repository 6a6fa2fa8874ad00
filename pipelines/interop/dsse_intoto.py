#!/usr/bin/env python3
"""Checks every manifest of a mez store with the reference Python implementations.

    python pipelines/interop/dsse_intoto.py STORE_DIR KEY.pub

For each `manifests/sha256/<hex>.dsse.json`: the DSSE envelope and its Ed25519 signature
are verified by securesystemslib (its `Envelope.verify`, with the key from the `.pub` file),
the payload is parsed and validated as an in-toto Statement v1 by in-toto-attestation, and
every subject's sha256 is checked against the blob the store holds under it. Then the same
envelope with one byte of its payload changed, and with its signature changed, must be
rejected by securesystemslib. Prints a JSON report; exits 1 when anything did not hold.

None of mez's code is used here: this is what an auditor with only these libraries sees.
"""
import base64
import copy
import hashlib
import json
import sys
from pathlib import Path

from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey


def key_from_pub(path):
    """The Ed25519 key of a C2SP verifier-key line `<name>+<hash>+<base64(0x01 || key)>`."""
    _name, _hash, b64 = Path(path).read_text().strip().split("+", 2)
    raw = base64.b64decode(b64)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError(f"{path}: not an Ed25519 verifier key")
    public = raw[1:]
    keyid = hashlib.sha256(public).hexdigest()
    return SSlibKey(keyid, "ed25519", "ed25519", {"public": public.hex()})


def rejected(envelope_dict, key):
    try:
        # from_dict takes its argument apart: it gets a copy.
        Envelope.from_dict(copy.deepcopy(envelope_dict)).verify([key], 1)
    except VerificationError:
        return True
    return False


def main(store, pub):
    store = Path(store)
    key = key_from_pub(pub)
    report = {"manifests": 0, "verified": 0, "tampered_rejected": 0, "jobs": {}, "failures": []}
    for path in sorted((store / "manifests").rglob("*.dsse.json")):
        report["manifests"] += 1
        try:
            data = json.loads(path.read_bytes())
            envelope = Envelope.from_dict(copy.deepcopy(data))
            envelope.verify([key], 1)  # raises VerificationError unless the signature holds
            if envelope.payload_type != "application/vnd.in-toto+json":
                raise ValueError(f"payloadType {envelope.payload_type}")
            statement_pb = json_format.Parse(envelope.payload, statement_pb2.Statement())
            Statement.copy_from_pb(statement_pb).validate()
            statement = json.loads(envelope.payload)
            for subject in statement["subject"]:
                blob = store / "blobs" / "sha256" / subject["digest"]["sha256"]
                found = hashlib.sha256(blob.read_bytes()).hexdigest()
                if found != subject["digest"]["sha256"]:
                    raise ValueError(f"subject {subject['name']}: blob hashes to {found}")
            job = statement["predicate"]["job"]
            report["jobs"][job] = report["jobs"].get(job, 0) + 1
            report["verified"] += 1
        except Exception as error:  # noqa: BLE001 - every failure is reported, by file
            report["failures"].append(f"{path.name}: {type(error).__name__}: {error}")
            continue
        payload = bytearray(base64.b64decode(data["payload"]))
        payload[len(payload) // 2] ^= 1
        tampered_payload = dict(data, payload=base64.b64encode(bytes(payload)).decode())
        tampered_sig = copy.deepcopy(data)
        sig = bytearray(base64.b64decode(tampered_sig["signatures"][0]["sig"]))
        sig[0] ^= 1
        tampered_sig["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
        if rejected(tampered_payload, key) and rejected(tampered_sig, key):
            report["tampered_rejected"] += 1
        else:
            report["failures"].append(f"{path.name}: a tampered copy verified")
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0 if not report["failures"] and report["manifests"] else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
