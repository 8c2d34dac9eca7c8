"""``nervesim convergence``: the default scenarios at half the voxel size and with 4x the
neuron agents must tell the same story (:mod:`simulation.validation.convergence`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import (
    check_out_dir,
    days_arg,
    default_workers,
    format_duration,
    int_at_least,
    only,
    print_columns,
    print_label,
)

#: ``--only`` keys and the scenario files they name.
SCENARIOS = {
    "spinal": "spinal_cord_untreated.toml",
    "crush": "peripheral_crush_untreated.toml",
}


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``convergence`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "convergence",
        help="check the metrics do not depend on the voxel size or the number of neuron agents",
        description="Run the default spinal and crush scenarios over many seeds, and the same\n"
        "tissue at half the voxel size (variant 'voxels': dx_um / 2, 2x the voxels along and\n"
        "across) and with 4x the neuron agents (variant 'neurons'); print, for every recorded\n"
        "metric at days 3, 7, 14, 28, 56, 84 (those within the run), the difference of the\n"
        "means in pooled seed-to-seed sds. A metric agrees when |variant - base| <= 1 pooled\n"
        "sd + a small floor. Exit code 0 when every metric agrees, 1 when any does not, 2 for\n"
        "bad input.",
        epilog="example:\n"
        "  nervesim convergence --only spinal --variant voxels --seeds 20 --plot figs/",
        formatter_class=fmt,
    )
    p.add_argument(
        "--seeds",
        type=int_at_least(3),
        default=30,
        help="seeds per arm (default 30: about 3 min on 2 cores; with fewer the criterion's "
        "false-alarm rate is not controlled)",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument(
        "--days",
        type=days_arg,
        default=None,
        help="simulate this many days instead of each scenario's length",
    )
    p.add_argument(
        "--only",
        metavar="NAME,...",
        default=None,
        help=f"only these scenarios ({', '.join(SCENARIOS)}; default both)",
    )
    p.add_argument(
        "--variant",
        choices=["voxels", "neurons", "both"],
        default="both",
        help="which refinement to check (default both)",
    )
    p.add_argument(
        "--plot",
        metavar="DIR",
        type=Path,
        default=None,
        help="write one sheet per scenario (PNG) and the full table (CSV) into DIR",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def _signed(x: float) -> str:
    return f"{x:+.2f}" if abs(x) < 1e3 else f"{x:+.1e}"


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim convergence`` with the parsed ``args``; return its exit code."""
    import time

    from tqdm import tqdm

    from simulation.scenario.schema import load_scenario
    from simulation.validation import convergence as conv
    from simulation.validation.checks import SCENARIO_DIR

    keys = only(args.only, list(SCENARIOS), "scenario")
    check_out_dir(args.plot, "--plot")
    names = ["voxels", "neurons"] if args.variant == "both" else [args.variant]
    scenarios = {}
    for key in keys:
        scenario = load_scenario(SCENARIO_DIR / SCENARIOS[key])
        scenarios[scenario.name] = scenario
    makers = conv.variant_makers(names)
    for scenario in scenarios.values():  # refuse an impossible refinement before any run
        for make in makers.values():
            make(scenario)
    n_runs = len(scenarios) * (1 + len(names)) * args.seeds

    print_label()
    print(
        f"convergence of {len(scenarios)} scenario{'s' * (len(scenarios) != 1)} x "
        f"{len(names)} variant{'s' * (len(names) != 1)} over {args.seeds} seeds per arm "
        f"({n_runs} runs)"
    )
    for name in names:
        f = conv.VARIANTS[name]
        text = (
            f"dx_um / {f['voxel_factor']}, {f['voxel_factor']}x the voxels along and across"
            if f["voxel_factor"] > 1
            else f"{f['neuron_factor']}x the neuron agents"
        )
        print(f"  {name}: {text} (the same tissue)")
    if args.seeds < conv.MIN_SEEDS:
        print(f"  note: fewer than {conv.MIN_SEEDS} seeds, false alarms are likely")
    start = time.perf_counter()
    with tqdm(total=n_runs, desc="convergence", unit="run", disable=args.quiet) as bar:
        runs = conv.run_variants(
            scenarios,
            makers,
            args.seeds,
            args.workers or default_workers(),
            days=args.days,
            progress=bar.update,
        )
    elapsed = time.perf_counter() - start
    table = conv.criterion(runs)

    for (label, variant), t in table.groupby(["scenario", "variant"], sort=False):
        days = sorted(set(t["day"]))
        worst = t.loc[t["ratio"].abs().idxmax()]
        print(
            f"\n{label}, {variant}: {int(t['ok'].sum())} of {len(t)} agree; worst "
            f"{_signed(worst['ratio'])} sd ({worst['metric']} day {worst['day']:g})"
        )
        rows = [["(variant - base) / sd", *(f"day {d:g}" for d in days), "verdict"]]
        for metric, m in t.groupby("metric", sort=False):
            m = m.set_index("day")
            cells = [_signed(m.loc[d, "ratio"]) + ("" if m.loc[d, "ok"] else "*") for d in days]
            rows.append([metric, *cells, "agree" if m["ok"].all() else "DIFFERS"])
        print_columns(rows, indent="  ")
        known: dict[str, list[str]] = {}
        for r in t[~t["ok"]].itertuples():
            if reason := conv.known_miss(str(label), str(variant), str(r.metric), float(r.day)):
                known.setdefault(f"{r.metric}|{reason}", []).append(f"{r.day:g}")
        for key, missed_days in known.items():
            metric, reason = key.split("|", 1)
            print(f"  known miss, {metric} day {', '.join(missed_days)}: {reason}")
    print(
        f"\n(variant - base) / pooled seed-to-seed sd; * outside the tolerance "
        f"|diff| <= {conv.K:g} sd + floor\n(floors: 0.005 for fractions and indices, 1 /mm² "
        "for densities, 1e-4 au, 5 µm); cell numbers compared per mm² of tissue"
    )
    if args.plot is not None:
        written = conv.plot_convergence(runs, args.plot, table)
        table.to_csv(args.plot / "convergence.csv", index=False)
        print(f"figures: {len(written)} PNG files and convergence.csv in {args.plot}")
    summary = conv.summary(table)
    agreeing = int((summary["agree"] == summary["checks"]).sum())
    print(f"runs took {format_duration(elapsed)}")
    print(
        f"{agreeing} of {len(summary)} scenario variants agree "
        f"({int(table['ok'].sum())} of {len(table)} metric-days)"
    )
    return 0 if bool(table["ok"].all()) else 1
