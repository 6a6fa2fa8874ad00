#!/usr/bin/env python3
"""Runs a mez job on a Ray cluster, with the same result as one machine.

    python pipelines/ray/mez_ray.py --address HOST:PORT --mez /path/to/mez \\
        --store s3://bucket/prefix --key ops.key [--trusted-key K.pub ...] \\
        JOB PLAN-ARGUMENTS...

    JOB netting: --input DIR_OR_URL ... --shards N [--value-date D --conflicts keep-all ...]
    JOB screen:  --names FILE (or --payments RUN) --regpack RUN --shards N [--threshold BP ...]
    JOB nightly: --jurisdictions DIR --sources DIR --as-of YYYY-MM-DD

The driver runs `mez JOB plan PLAN-ARGUMENTS` (which signs and stores the plan), submits
one Ray task per unit, each running `mez JOB map --plan P --shard I` on whichever node Ray
picks, and once every unit has finished runs `mez JOB merge --plan P`, whose summary it
prints. mez itself knows nothing of Ray: the units are the plain commands of the shard
contract (see `pipelines/src/jobs/shards.rs`), so a failed or killed task is simply run
again (a unit run twice writes the same bytes), and the artifacts do not depend on how the
units were scheduled.

Every node needs the mez binary at `--mez`, the key files, read access to the inputs
where the plan names them (a shared filesystem, or object URLs) and the store; the
`AWS_*`, `GOOGLE_*`, `AZURE_*` and `MEZ_*` variables of the driver are passed to the units.
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


JOBS = ("netting", "screen", "nightly")


@ray.remote(num_cpus=1, max_retries=3, retry_exceptions=True)
def map_unit(binary, common, job, plan, shard, env):
    """One map unit; raises (and Ray retries it) when mez fails."""
    code, report, stderr = run_mez(
        binary, common, [job, "map", "--plan", plan, "--shard", str(shard)], env
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
    parser.add_argument("--strict", action="store_true", help="netting: exit 1 when records were quarantined")
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("plan_args", nargs=argparse.REMAINDER, help="the arguments of `mez JOB plan`")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}
    common = ["--store", args.store, "--key", args.key]
    trusted = [x for k in args.trusted_key for x in ("--trusted-key", k)]

    started = time.monotonic()
    code, plan, stderr = run_mez(
        args.mez, common + trusted, [args.job, "plan", *args.plan_args], env
    )
    if code != 0 or plan is None:
        sys.stderr.write(stderr)
        return code or 2
    digest, units = plan["plan"], plan["units"]
    print(f"plan {digest}: {units} units", file=sys.stderr)

    ray.init(address=args.address, log_to_driver=False, logging_level="ERROR")
    pending = [
        map_unit.remote(args.mez, common + trusted, args.job, digest, shard, env)
        for shard in range(units)
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
            f"map units: {done}/{units} done ({time.monotonic() - started:.1f} s)",
            file=sys.stderr,
        )

    merge = [args.job, "merge", "--plan", digest, *trusted]
    if args.strict and args.job == "netting":
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
