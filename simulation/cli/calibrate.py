"""``nervesim calibrate``: fit free parameters to the anchors by ABC-SMC (pyabc), resumably."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import (
    check_out_dir,
    default_workers,
    format_duration,
    int_at_least,
    print_label,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``calibrate`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "calibrate",
        help="fit free parameters to the published anchors (ABC-SMC, pyabc), resumable",
        description="Fit the free parameters a calibration file names (priors: the schema's "
        "ranges unless the\nfile narrows them) to the anchors it targets, by approximate "
        "Bayesian computation\n(ABC-SMC with pyabc, an adaptive distance over the anchors' "
        "statistics). Each particle runs\nthe anchors' scenarios for seeds_per_particle "
        "seeds. OUT/history.db is pyabc's history:\nrun the same command again and a "
        "killed calibration resumes where it stopped, to the\nsame posterior (one root seed "
        "gives the same posterior on any executor and worker count).\nRaise generations in "
        "the file and run it again to continue a finished calibration there."
        "\nWrites "
        "OUT/posterior.parquet, OUT/posterior_median.toml (a scenario base file), "
        "OUT/figures/\nand OUT/report.md (which parameters the anchors constrain, which they "
        "leave wide).\nIllustrative: a posterior describes this model, not biology. Exit "
        "code 0 when done, 2 for bad input.",
        epilog="examples:\n  nervesim calibrate scenarios/calibrations/ci_tiny.toml --workers 2\n"
        "  nervesim calibrate scenarios/calibrations/untreated_default.toml --dask-local "
        "--out results/cal\n"
        "  nervesim calibrate my_cal.toml --scheduler tcp://127.0.0.1:8786 --out /shared/cal",
        formatter_class=fmt,
    )
    p.add_argument("calibration", metavar="CALIBRATION.toml", help="calibration file")
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes of the local pool or LocalCluster (default min(2, CPUs); 1 "
        "runs in this process)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        default=None,
        help="run the simulations on the Dask cluster of this scheduler",
    )
    where.add_argument(
        "--dask-local",
        action="store_true",
        help="run the simulations on a new Dask LocalCluster of --workers processes",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder (default results/calibrations/<file name>); the same folder resumes",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=handle)


def _executor(args: argparse.Namespace):
    from simulation.runs.pool import dask_client, local_pool

    if args.scheduler is not None:
        if args.workers is not None:
            raise ValueError("--workers: not used with --scheduler (the cluster has its workers)")
        return dask_client(scheduler=args.scheduler)
    workers = args.workers or default_workers()
    if args.dask_local:
        return dask_client(workers=workers)
    return local_pool(workers) if workers > 1 else None


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim calibrate`` with the parsed ``args``; return its exit code."""
    from tqdm import tqdm

    from simulation.calibration.abc import calibrate, check_out
    from simulation.calibration.outputs import summary, write_outputs
    from simulation.calibration.spec import load_calibration
    from simulation.runs.pool import close_executor, describe

    calibration = load_calibration(args.calibration)
    out = Path(args.out) if args.out else Path("results/calibrations") / calibration.path.stem
    check_out_dir(out)
    done = check_out(calibration, out)
    spec = calibration.spec
    print_label()
    print(
        f"calibration {spec.name}: {len(calibration.parameters)} free parameter(s), "
        f"{len(calibration.targets)} target anchor(s), {spec.population_size} particles x "
        f"up to {spec.generations} generations, {spec.seeds_per_particle} seed(s) per particle, "
        f"root seed {spec.root_seed}"
    )
    for p in calibration.parameters:
        print(f"  {p.key}: {p.prior_name} [{p.lo:g}, {p.hi:g}] {p.units}")
    for t in calibration.targets:
        what = f"= {t.value:g}" if t.value is not None else t.anchor.band_text()
        print(f"  target {t.id}: {what} {t.anchor.units}")
    executor = _executor(args)
    where = describe(executor) if executor is not None else "this process"
    print(f"{done} generation(s) already in {out}; simulations on {where}")
    bars: dict[int, tqdm] = {}

    def on_progress(t: int, accepted: int, simulated: int) -> None:
        if t not in bars:
            for old in bars.values():
                old.close()
            desc = "prior sample" if t < 0 else f"generation {t + 1}/{spec.generations}"
            bars[t] = tqdm(total=spec.population_size, desc=desc, unit="particle",
                           disable=args.quiet)  # fmt: skip
        bar = bars[t]
        bar.set_postfix(simulations=simulated, refresh=False)
        bar.update(accepted - bar.n)

    try:
        try:
            run = calibrate(calibration, out, executor, on_progress=on_progress)
        except KeyboardInterrupt:
            print("\ninterrupted: re-run the same command to resume (finished generations kept)")
            return 130
        finally:
            for bar in bars.values():
                bar.close()
        with tqdm(total=spec.predictive_draws, desc="predictive", unit="draw",
                  disable=args.quiet or not spec.predictive_draws) as pbar:  # fmt: skip
            paths = write_outputs(calibration, run, executor, on_predictive=pbar.update)
    finally:
        if executor is not None:
            close_executor(executor)
    print(run.generations.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    table = summary(calibration, run.posterior)
    for r in table.itertuples():
        print(
            f"  {r.parameter}: median {r.median:.4g} [90 % {r.q05:.4g}, {r.q95:.4g}] {r.units}; "
            f"shrinkage {r.shrinkage:.2f} [{r.shrinkage_lo:.2f}, {r.shrinkage_hi:.2f}]: {r.verdict}"
        )
    print(f"done in {format_duration(run.seconds)}; report {paths['report']}")
    print(f"posterior {paths['posterior']}; posterior-median scenario {paths['median']}")
    return 0
