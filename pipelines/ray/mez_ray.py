#!/usr/bin/env python3
"""Runs a mez netting job on a Ray cluster, with the same result as one machine.

    python pipelines/ray/mez_ray.py --address HOST:PORT --mez /path/to/mez \\
        --store s3://bucket/prefix --key ops.key [--trusted-key K.pub ...] \\
        netting --input DIR_OR_URL ... --shards N [netting settings ...]

The driver runs `mez netting plan` (which hashes the inputs and signs the plan), submits one
Ray task per shard, each running `mez netting map --plan P --shard I` on whichever node
Ray picks, and once every unit has finished runs `mez netting merge --plan P`, whose
summary it prints. mez itself knows nothing of Ray: the units are the plain commands of the
shard contract (see `pipelines/src/jobs/netting/shard.rs`), so a failed or killed task is
simply run again (a unit run twice writes the same bytes), and the artifacts do not depend
on how the units were scheduled.

Every node needs the mez binary at `--mez`, the key files, read access to the inputs
where the plan names them (a shared filesystem, or object URLs) and the store; the
`AWS_*`, `GOOGLE_*`, `AZURE_*` and `MEZ_*` variables of the driver are passed to the units.
Settings after `--shards` (e.g. `--value-date`, `--conflicts keep-all`) go to the plan.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import ray

ENV_PREFIXES = ("AWS_", "GOOGLE_", "AZURE_", "MEZ_")


def run_mez(binary, common, args, env):
    """Runs mez with `--json`; returns (exit code, parsed stdout or None, stderr)."""
    done = subprocess.run(
        [binary, "--json", "--quiet", *common, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    try:
        report = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return done.returncode, report, done.stderr


@ray.remote(num_cpus=1, max_retries=3, retry_exceptions=True)
def map_unit(binary, common, plan, shard, env):
    """One map unit; raises (and Ray retries it) when mez fails."""
    code, report, stderr = run_mez(
        binary, common, ["netting", "map", "--plan", plan, "--shard", str(shard)], env
    )
    if code != 0:
        raise RuntimeError(f"shard {shard}: mez exited {code}: {stderr.strip()}")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default=os.environ.get("RAY_ADDRESS", "auto"))
    parser.add_argument("--mez", default="mez", help="the mez binary, at the same path on every node")
    parser.add_argument("--store", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--trusted-key", action="append", default=[])
    parser.add_argument(
        "--summary", help="also write the merge's summary (JSON) to this file: Ray itself may print to stdout"
    )
    sub = parser.add_subparsers(dest="job", required=True)
    netting = sub.add_parser("netting", help="settlement netting over pacs.008 files")
    netting.add_argument("--input", nargs="+", required=True)
    netting.add_argument("--shards", type=int, required=True)
    netting.add_argument("--strict", action="store_true")
    args, settings = parser.parse_known_args(argv)

    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}
    common = ["--store", args.store, "--key", args.key]
    trusted = [x for k in args.trusted_key for x in ("--trusted-key", k)]

    started = time.monotonic()
    code, plan, stderr = run_mez(
        args.mez,
        common,
        ["netting", "plan", "--input", *args.input, "--shards", str(args.shards), *settings],
        env,
    )
    if code != 0 or plan is None:
        sys.stderr.write(stderr)
        return code or 2
    digest = plan["plan"]
    print(
        f"plan {digest}: {plan['inputs']} files, {plan['bytes']} bytes, {args.shards} shards",
        file=sys.stderr,
    )

    ray.init(address=args.address, log_to_driver=False, logging_level="ERROR")
    pending = [
        map_unit.remote(args.mez, common + trusted, digest, shard, env)
        for shard in range(args.shards)
    ]
    done = 0
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        try:
            ray.get(ready[0])
        except Exception as error:  # the unit failed even after its retries
            print(f"a map unit failed: {error}", file=sys.stderr)
            return 1
        done += 1
        print(
            f"map units: {done}/{args.shards} done ({time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )

    merge = ["netting", "merge", "--plan", digest, *trusted]
    if args.strict:
        merge.append("--strict")
    code, summary, stderr = run_mez(args.mez, common, merge, env)
    sys.stderr.write(stderr)
    if summary is not None:
        print(json.dumps(summary, indent=2))
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as out:
                json.dump(summary, out, indent=2)
    print(f"merged in {time.monotonic() - started:.1f} s in all", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
