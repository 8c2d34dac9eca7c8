"""``nervesim compare``: 2-4 scenarios over the same seeds, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.cli.common import (
    COMPARE_METRICS,
    add_posterior_arg,
    arm_labels,
    check_figure_path,
    check_out_dir,
    day_list,
    days_arg,
    default_workers,
    int_at_least,
    positive_int,
    posterior_arg,
    print_columns,
    print_label,
    stop_over_budget,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``compare`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "compare",
        help="run 2-4 scenarios over the same seeds and compare them side by side",
        description="Run 2 to 4 scenarios with the same seeds (derived from --root-seed) and print "
        "the main\nmetrics side by side as mean [95% interval over seeds] at a few days. All "
        "scenarios run\nfor the same number of days: --days, or else the longest duration among "
        "them. Every\nreplicate is written to one tidy Parquet file, OUT/compare.parquet.",
        epilog="example:\n  nervesim compare scenarios/spinal_cord_untreated.toml "
        "scenarios/spinal_cord_ev.toml --seeds 4 --at-days 14,56 --plot spinal_ev.png",
        formatter_class=fmt,
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="2 to 4 scenario TOML files")
    p.add_argument(
        "--seeds", type=int_at_least(2), default=4, help="runs per scenario (default 4, min 2)"
    )
    p.add_argument(
        "--root-seed", type=positive_int, default=0, help="root of the run seeds (default 0)"
    )
    p.add_argument(
        "--days",
        type=days_arg,
        default=None,
        help="simulate this many days (default: the longest duration)",
    )
    p.add_argument(
        "--at-days",
        type=day_list,
        default=None,
        metavar="D,D,...",
        help="days to show (default: 7, 28 and the last day)",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument("--out", default="results", help="folder for compare.parquet (default results/)")
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        default=None,
        help="also draw the main metrics over time, one line and 95%% band per arm",
    )
    add_posterior_arg(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim compare`` with the parsed ``args``; return its exit code."""
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.runs.storage import write_parquet
    from simulation.scenario.schema import load_scenario
    from simulation.validation.checks import Arm, run_arms

    if not 2 <= len(args.scenarios) <= 4:
        raise ValueError(f"compare needs 2 to 4 scenario files, got {len(args.scenarios)}")
    check_figure_path(args.plot)
    check_out_dir(args.out)
    paths = [Path(p) for p in args.scenarios]
    scenarios = [load_scenario(p) for p in paths]
    days = args.days or max(s.time.duration_days for s in scenarios)
    # A chronic neuropathy is followed up at 3 and 6 months (then the last day).
    chronic = all(s.injury.type == "neuropathy" for s in scenarios)
    early = (0.0, 91.0, 182.0) if chronic else (7.0, 28.0)
    shown = args.at_days or (*(d for d in early if d < days - 1e-9), days)
    late = [d for d in shown if d > days + 1e-9]
    if late:
        raise ValueError(f"--at-days: day {late[0]:g} is after the runs end (day {days:g})")
    shown = tuple(dict.fromkeys(shown))
    posterior = posterior_arg(args)
    labels = arm_labels(paths)
    seeds = spawn_seeds(args.root_seed, args.seeds)
    workers = args.workers or default_workers()
    arms = [Arm(str(p.resolve()), days) for p in paths]  # absolute: run_arms joins it as is
    stopped: dict[Arm, str] = {}  # arms with a run over its budget

    print_label()
    print(
        f"comparing {len(paths)} scenarios over {days:g} days, {len(seeds)} seeds each "
        f"(root seed {args.root_seed}):"
    )
    print_columns([[lab, s.description] for lab, s in zip(labels, scenarios, strict=True)], "  ")
    if posterior is not None:
        print(f"parameter uncertainty: each seed also draws from the {posterior.describe()}")
    shorter = [
        f"{lab} {s.time.duration_days:g} days"
        for lab, s in zip(labels, scenarios, strict=True)
        if args.days is None and s.time.duration_days != days
    ]
    if shorter:
        print(f"note: all scenarios run {days:g} days; the files give {', '.join(shorter)}")
    with tqdm(
        total=len(dict.fromkeys(arms)) * len(seeds),
        desc="compare",
        unit="run",
        disable=args.quiet,
    ) as bar:
        runs = run_arms(
            arms, seeds, workers=workers, progress=bar.update, stopped=stopped, posterior=posterior
        )
    if stopped:  # compare the arms that finished, keep their runs, then report the stop
        over = [lab for lab, a in zip(labels, arms, strict=True) if a in stopped]
        print(f"stopped over budget: {', '.join(over)}; the other arms follow")
        keep = [k for k, a in enumerate(arms) if a not in stopped]
        if not keep:
            stop_over_budget(stopped)
        labels, arms = [labels[k] for k in keep], [arms[k] for k in keep]
        paths, scenarios = [paths[k] for k in keep], [scenarios[k] for k in keep]
    frame = compare.tidy({lab: runs[a] for lab, a in zip(labels, arms, strict=True)}, seeds)
    metrics = [m for m in COMPARE_METRICS if m in frame.columns]
    summary = compare.summarize(frame, shown, metrics)
    for d in shown:
        table = compare.wide(summary, d)
        print()
        print_columns([[f"day {d:g}", *labels], *([m, *table.loc[m]] for m in table.index)])
    causes = ["chance"]
    if any(s.injury.severity_sd > 0.0 for s in scenarios):
        causes.append("the patient's lesion (injury.severity_sd)")
    if posterior is not None:
        causes.append("parameter uncertainty")
    spread = " and ".join(causes) if len(causes) > 1 else "chance alone"
    print(
        f"\ncells: mean [95% t-interval of the mean over {len(seeds)} seeds (Student t, "
        f"{len(seeds) - 1} df), not clipped\nto a metric's range]; a lone number where the "
        "interval rounds to it; each run's recorded\ntime nearest the day. The seeds differ "
        f"by {spread}."
    )
    meta = {
        "label": ILLUSTRATIVE_LABEL,
        "command": "compare",
        "scenarios": [
            {"arm": lab, "file": str(p), "name": s.name, "digest": s.digest()}
            for lab, p, s in zip(labels, paths, scenarios, strict=True)
        ],
        "seeds": seeds,
        "root_seed": args.root_seed,
        "days": days,
        "nervesim_version": __version__,
    }
    if posterior is not None:
        meta["posterior"] = {
            **posterior.metadata(),
            "draws": {str(s): posterior.draw(s) for s in seeds},
        }
    out = write_parquet(frame, Path(args.out) / "compare.parquet", meta)
    print(f"replicates written to {out}")
    if args.plot is not None:
        from simulation.sweeps.plots import plot_arms

        figure = plot_arms(frame, args.plot, title=" vs ".join(labels))
        print(f"figure written to {figure}")
    stop_over_budget(stopped)
    return 0
