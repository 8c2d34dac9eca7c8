"""``nervesim sweep``: a sweep file's design on a process pool or a Dask cluster."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import (
    add_posterior_arg,
    check_out_dir,
    default_sweep_out,
    default_workers,
    format_duration,
    int_at_least,
    posterior_arg,
    print_label,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``sweep`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "sweep",
        help="run a sweep file's design (grid, LHS, Sobol, Morris) on a pool or a Dask cluster",
        description="Run every point of a sweep file's design (see scenarios/sweeps/), each "
        "replicate with its own seed.\nEach run writes its own Parquet part to OUT/parts/; "
        "OUT/manifest.json lists the design.\nRunning the same command again resumes: finished "
        "runs are skipped, failed ones retried.\nRuns go to a local process pool (default), a "
        "new Dask LocalCluster (--dask-local) or\na running Dask scheduler (--scheduler). "
        "Exit code 0 when every run finished, 1 when\nsome failed (OUT/failed/), 2 for bad input.",
        epilog="example:\n  nervesim sweep scenarios/sweeps/toy_sobol.toml --workers 2 "
        "--out results/toy_sobol\n"
        "  nervesim sweep scenarios/sweeps/toy_sobol.toml --scheduler tcp://127.0.0.1:8786",
        formatter_class=fmt,
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="sweep file (see scenarios/sweeps/)")
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes of the local pool or LocalCluster (default min(2, CPUs))",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        default=None,
        help="run on the Dask cluster of this scheduler (started with `dask scheduler`)",
    )
    where.add_argument(
        "--dask-local",
        action="store_true",
        help="run on a new Dask LocalCluster of --workers single-threaded processes",
    )
    p.add_argument(
        "--out",
        default=None,
        help="results folder (default results/<sweep file name>); Dask workers must see it",
    )
    add_posterior_arg(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim sweep`` with the parsed ``args``; return its exit code."""
    from tqdm import tqdm

    from simulation.runs.pool import close_executor, describe
    from simulation.sweeps.spec import load_sweep
    from simulation.sweeps.sweep import execute, pending_runs, prepare

    sweep = load_sweep(args.sweep)
    out = Path(args.out) if args.out else default_sweep_out(sweep.path)
    check_out_dir(out)
    posterior = posterior_arg(args)
    manifest = prepare(sweep, out, posterior)
    todo = len(pending_runs(manifest, out))
    total = len(manifest["runs"])
    executor = _sweep_executor(args) if todo else None
    try:
        print_label()
        spec = sweep.spec
        print(
            f"sweep {spec.name}: {spec.design} design, {len(manifest['points'])} points x "
            f"{spec.replicates} replicate{'s' * (spec.replicates != 1)} = {total} runs of "
            f"{sweep.run_days:g} day{'s' * (sweep.run_days != 1)} of {sweep.base.name}"
        )
        for prm in sweep.parameters:
            if prm.spec.values is not None:
                what = ", ".join(map(str, prm.spec.values))
            else:
                what = f"[{prm.spec.lo:g}, {prm.spec.hi:g}] {prm.spec.distribution}"
            units = {"1": "", "choice": "", "on/off": ""}.get(prm.units, prm.units)
            print(f"  {prm.key}: {what} {units}".rstrip())
        if posterior is not None:
            print(
                f"parameter uncertainty: each run also draws, by its seed, from the "
                f"{posterior.describe()} (the swept parameters and those the base sets keep "
                "their values)"
            )
        if executor is not None:
            where = describe(executor)
            print(
                f"{total - todo} of {total} runs already done; {todo} to run on {where}; out {out}"
            )
        else:
            print(f"all {total} runs already done; out {out}")
        failed = 0
        with tqdm(
            total=total, initial=total - todo, desc="sweep", unit="run", disable=args.quiet
        ) as bar:

            def tick(result: dict) -> None:
                nonlocal failed
                failed += not result.get("ok")
                if failed:
                    bar.set_postfix(failed=failed, refresh=False)
                bar.update()

            try:
                summary = execute(sweep, out, executor=executor, progress=tick)
            except KeyboardInterrupt:
                bar.close()
                print("interrupted: re-run the same command to resume (finished runs are kept)")
                return 130
    finally:
        if executor is not None:
            close_executor(executor)
    done = summary.skipped + summary.done
    print(
        f"{done} of {total} runs done ({summary.done} now, {summary.skipped} before), "
        f"{len(summary.failed)} failed, in {format_duration(summary.seconds)}"
    )
    if summary.failed:
        for run_id, error in summary.errors.items():
            print(f"  failed {run_id}: {error}")
        print(f"failed runs are in {out / 'failed'}; re-run the same command to try them again")
    print(
        f"results: {out / 'parts'} (simulation.sweeps.sweep.load_results('{out}') or "
        f"pandas.read_parquet('{out / 'parts'}'))"
    )
    return 1 if summary.failed else 0


def _sweep_executor(args: argparse.Namespace):
    """The executor the sweep flags ask for, and whether the command must close it."""
    from simulation.runs.pool import dask_client, local_pool

    if args.scheduler is not None:
        if args.workers is not None:
            raise ValueError("--workers: not used with --scheduler (the cluster has its workers)")
        return dask_client(scheduler=args.scheduler)
    workers = args.workers or default_workers()
    if args.dask_local:
        return dask_client(workers=workers)
    return local_pool(workers)
