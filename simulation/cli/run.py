"""``nervesim run``: one scenario and seed, or replicates of several, as trend tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation._version import __version__
from simulation.cli.common import (
    TABLE_DAYS,
    add_posterior_arg,
    arm_labels,
    check_out_dir,
    days_arg,
    default_workers,
    file_stem,
    int_at_least,
    positive_int,
    posterior_arg,
    print_columns,
    print_label,
    stop_over_budget,
    table_metrics,
    trend_table,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``run`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "run",
        help="run scenarios (one seed, or replicates) and print their trend tables",
        description="Run scenario files and print the main metrics at days "
        f"{', '.join(map(str, TABLE_DAYS))} and the last day.\n"
        "With one file and --seed S (default 0): one run, its time series written as "
        "OUT/<name>_seed<S>.parquet.\n"
        "With --seeds N: N replicates of each file (seeds from SeedSequence(0).spawn(N), the "
        "same for every file),\nrun in a process pool; each cell is mean [95% interval over "
        "seeds]; every replicate written\nto OUT/<name>_seeds<N>.parquet (a seed column). "
        "Several files without --seeds: one run each.",
        epilog="example:\n  nervesim run scenarios/peripheral_crush_untreated.toml --seed 7 "
        "--out results/\n  nervesim run scenarios/spinal_cord_untreated.toml "
        "scenarios/spinal_cord_ev.toml --seeds 4 --days 28",
        formatter_class=fmt,
    )
    p.add_argument("scenario", nargs="+", help="scenario TOML file(s) (see scenarios/)")
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=positive_int, default=None, help="random seed (default 0)")
    seeds.add_argument(
        "--seeds",
        type=int_at_least(1),
        default=None,
        help="replicates per scenario, with mean and 95%% interval over them",
    )
    p.add_argument(
        "--days",
        type=days_arg,
        default=None,
        help="simulate this many days instead of the scenario's duration",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes for several runs (default min(2, CPUs))",
    )
    p.add_argument(
        "--out", default="results", help="folder for the Parquet files (default results/)"
    )
    add_posterior_arg(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim run`` with the parsed ``args``; return its exit code."""
    from simulation.scenario.schema import load_scenario

    check_out_dir(args.out)
    paths = [Path(p) for p in args.scenario]
    scenarios = [load_scenario(p) for p in paths]
    posterior = posterior_arg(args)
    if args.seeds is None and len(paths) == 1:
        return _run_one(args, scenarios[0], posterior)
    return _run_many(args, paths, scenarios, posterior)


def _run_one(args: argparse.Namespace, scenario, posterior) -> int:
    """One scenario, one seed: a progress bar in percent, the trend table, one Parquet file."""
    from tqdm import tqdm

    from simulation.runs.runner import run
    from simulation.runs.storage import write_parquet

    seed = args.seed or 0
    print_label()
    print(f"scenario: {scenario.name} ({scenario.description})")
    if posterior is not None:
        from simulation.calibration.posterior import apply_draw

        draw = posterior.draw(seed)
        scenario = apply_draw(scenario, draw)
        shown = ", ".join(f"{k} = {v:.4g}" for k, v in draw.items())
        print(f"parameters drawn for seed {seed} from the {posterior.describe()}:\n  {shown}")
    with tqdm(
        total=100,
        desc=f"seed {seed}",
        unit="%",
        disable=args.quiet,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
    ) as bar:
        result = run(
            scenario,
            seed=seed,
            days=args.days,
            progress=lambda f: bar.update(round(100 * f) - bar.n),
            snapshots=False,
        )
    print(trend_table(result.timeseries).to_string(float_format=lambda v: f"{v:.3g}"))
    out = Path(args.out) / f"{file_stem(scenario.name)}_seed{seed}.parquet"
    meta = dict(result.metadata)
    if posterior is not None:
        meta["posterior"] = {**posterior.metadata(), "draws": {str(seed): draw}}
    write_parquet(result.timeseries, out, meta)
    print(f"time series written to {out}")
    return 0


def _run_many(args: argparse.Namespace, paths: list[Path], scenarios: list, posterior) -> int:
    """Several scenarios, or replicates: runs in a process pool, mean [95 % interval] tables."""
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.runs.storage import write_parquet
    from simulation.validation.checks import Arm, run_arms

    replicates = args.seeds is not None
    seeds = spawn_seeds(0, args.seeds) if replicates else [args.seed or 0]
    arms = [
        Arm(str(p.resolve()), args.days or s.time.duration_days)
        for p, s in zip(paths, scenarios, strict=True)
    ]
    labels = arm_labels(paths)
    print_label()
    what = (
        f"{len(seeds)} seeds each (SeedSequence(0).spawn({len(seeds)}))"
        if replicates
        else (f"seed {seeds[0]}")
    )
    print(f"running {len(paths)} scenario{'s' * (len(paths) != 1)}, {what}:")
    if posterior is not None:
        print(f"parameter uncertainty: each seed also draws from the {posterior.describe()}")
    stopped: dict = {}  # arms with a run over its budget: left out, the others kept
    with tqdm(
        total=len(dict.fromkeys(arms)) * len(seeds), desc="run", unit="run", disable=args.quiet
    ) as bar:
        runs = run_arms(
            arms,
            seeds,
            args.workers or default_workers(),
            progress=bar.update,
            stopped=stopped,
            posterior=posterior,
        )
    stems: list[str] = []
    for label, path, scenario, arm in zip(labels, paths, scenarios, arms, strict=True):
        if arm in stopped:
            print(f"\nscenario: {scenario.name}: stopped (over its budget, see below)")
            continue
        frame = compare.tidy({label: runs[arm]}, seeds)
        table_days, metrics = table_metrics(frame.columns)
        days = (*(d for d in table_days if d < arm.days - 1e-9), arm.days)
        summary = compare.summarize(frame, days, metrics)
        print(f"\nscenario: {scenario.name} ({scenario.description}), {arm.days:g} days")
        table = compare.by_day(summary, label)
        print_columns([["", *table.columns], *([m, *table.loc[m]] for m in table.index)], "  ")
        stem = file_stem(scenario.name)
        while stem in stems:
            stem += "_2"
        stems.append(stem)
        meta = {
            "scenario": scenario.name,
            "scenario_file": str(path),
            "scenario_digest": scenario.digest(),
            "scenario_toml": scenario.to_toml(),
            "seeds": seeds,
            "days": arm.days,
            "nervesim_version": __version__,
        }
        if posterior is not None:
            meta["posterior"] = {
                **posterior.metadata(),
                "draws": {str(s): posterior.draw(s) for s in seeds},
            }
        if replicates:
            out = Path(args.out) / f"{stem}_seeds{len(seeds)}.parquet"
            write_parquet(frame.drop(columns="scenario"), out, {**meta, "root_seed": 0})
        else:
            out = Path(args.out) / f"{stem}_seed{seeds[0]}.parquet"
            series = frame.drop(columns=["scenario", "seed"])
            write_parquet(series, out, {**meta, "seed": seeds[0]})
        print(f"  written to {out}")
    if replicates:
        print(
            f"\ncells: mean [95% t-interval of the mean over {len(seeds)} seeds]; a lone number "
            "where the interval rounds to it"
        )
    stop_over_budget(stopped)
    return 0
