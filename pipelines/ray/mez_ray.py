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

ENV_PREFIXES = ("AWS_", "GOOGLE_", "AZURE_", "MEZ_")


def start_mez(binary, common, args, env):
    """Starts mez with `--json`; `finish_mez` waits for it."""
    return subprocess.Popen(
        [binary, "--json", "--quiet", *common, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def finish_mez(process):
    """Waits for a mez started by `start_mez`; returns (exit code, parsed stdout or None, stderr)."""
    stdout, stderr = process.communicate()
    try:
        report = json.loads(stdout) if stdout.strip() else None
    except json.JSONDecodeError:
        report = None
    return process.returncode, report, stderr


def run_mez(binary, common, args, env):
    """Runs mez with `--json`; returns (exit code, parsed stdout or None, stderr)."""
    return finish_mez(start_mez(binary, common, args, env))


JOBS = ("netting", "screen", "nightly")


def map_unit(binary, common, job, plan, shard, env):
    """One map unit; raises (and Ray retries it) when mez fails. The unit uses as many
    threads as CPUs Ray gave it: units share a node's cores, not each all of them."""
    import ray

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
    env = {**env, "RAYON_NUM_THREADS": str(max(1, int(cpus)))}
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
    parser.add_argument(
        "--cpus-per-unit", type=int, default=1, help="CPUs Ray reserves for each map unit, and the threads it uses"
    )
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("plan_args", nargs=argparse.REMAINDER, help="the arguments of `mez JOB plan`")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIXES)}
    common = ["--store", args.store, "--key", args.key]
    trusted = [x for k in args.trusted_key for x in ("--trusted-key", k)]

    started = time.monotonic()
    # The plan is made while Ray is loaded and the driver connects to the cluster.
    planning = start_mez(args.mez, common + trusted, [args.job, "plan", *args.plan_args], env)
    try:
        import ray

        ray.init(address=args.address, log_to_driver=False, logging_level="ERROR")
    except BaseException:
        planning.kill()
        planning.communicate()
        raise
    print(f"connected to the cluster ({time.monotonic() - started:.2f} s)", file=sys.stderr)
    remote_unit = ray.remote(num_cpus=args.cpus_per_unit, max_retries=3, retry_exceptions=True)(
        map_unit
    )
    code, plan, stderr = finish_mez(planning)
    if code != 0 or plan is None:
        sys.stderr.write(stderr)
        return code or 2
    digest, units = plan["plan"], plan["units"]
    print(f"plan {digest}: {units} units ({time.monotonic() - started:.2f} s)", file=sys.stderr)
    pending = [
        remote_unit.remote(args.mez, common + trusted, args.job, digest, shard, env)
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
            f"map units: {done}/{units} done ({time.monotonic() - started:.2f} s)",
            file=sys.stderr,
        )

    merge = [args.job, "merge", "--plan", digest, *trusted]
    if args.strict and args.job == "netting":
        merge.append("--strict")
    # The merge runs here, while the driver leaves the cluster.
    merging = start_mez(args.mez, common, merge, env)
    ray.shutdown()
    code, summary, stderr = finish_mez(merging)
    sys.stderr.write(stderr)
    if summary is not None:
        print(json.dumps(summary, indent=2))
        if args.summary:
            with open(args.summary, "w", encoding="utf-8") as out:
                json.dump(summary, out, indent=2)
    print(f"merged in {time.monotonic() - started:.2f} s in all", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
