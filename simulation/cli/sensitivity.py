"""``nervesim sensitivity``: which varied parameters drive a metric."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import (
    check_figure_path,
    day_list_one,
    default_sweep_out,
    print_columns,
    print_label,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``sensitivity`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "sensitivity",
        help="which varied parameters drive a metric (Sobol, Morris, RBD-FAST indices)",
        description="Sensitivity indices of one metric of a finished sweep, by the method its "
        "design calls for:\nSobol S1/ST (sobol), Morris mu*/sigma (morris), RBD-FAST S1 and "
        "Spearman rho (lhs),\nmain-effect variance shares (grid). Replicates are averaged per "
        "point. Prints a table,\nmost influential first; --plot draws the indices and the "
        "metric against each parameter.",
        epilog="example:\n  nervesim sensitivity results/toy_sobol --metric "
        "macrophages_m1_count --day 7 --plot toy_sobol.png",
        formatter_class=fmt,
    )
    p.add_argument(
        "sweep", metavar="SWEEP_DIR_OR_FILE", help="a sweep's results folder, or its sweep file"
    )
    p.add_argument("--metric", required=True, help="a metric the sweep kept")
    p.add_argument(
        "--day", type=day_list_one, default=None, help="a kept day (default the last one)"
    )
    p.add_argument("--plot", metavar="FILE.png", default=None, help="also draw a figure")
    p.add_argument(
        "--out",
        default=None,
        help="with a sweep file: its results folder (default results/<sweep file name>)",
    )
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim sensitivity`` with the parsed ``args``; return its exit code."""
    from simulation.sweeps.sensitivity import analyze, format_table

    check_figure_path(args.plot)
    folder = _sweep_folder(args.sweep, args.out)
    result = analyze(folder, args.metric, args.day)
    print_label()
    total = len(result.points) + result.missing_points
    missing = f" ({result.missing_points} without results)" if result.missing_points else ""
    print(
        f"sweep {result.sweep}: {result.design} design, {total} points{missing}; "
        f"{result.method} sensitivity of {result.metric} on day {result.day:g} "
        f"(mean over replicates):"
    )
    print_columns(format_table(result), "  ")
    notes = {
        "Sobol": "S1: share of the variance due to the parameter alone; ST: with all its "
        "interactions\n(*_conf: half-width of the 95% bootstrap interval); ST near 0: no effect",
        "Morris": "mu_star: mean absolute elementary effect over the unit-scaled range "
        "(*_conf: 95% half-width);\nsigma: its spread (non-linearity or interactions)",
        "RBD-FAST": "S1: first-order share of the variance (*_conf: 95% half-width); "
        "spearman_rho: rank correlation",
        "main effect": "main_effect: share of the variance explained by the parameter's level "
        "means",
    }
    print(notes[result.method])
    shares = [c for c in ("S1", "ST") if c in result.table.columns]
    if shares and (
        (result.table[shares] > 1).any().any() or (result.table[shares] < 0).any().any()
    ):
        print(
            "note: shares above 1 or below 0 are estimation noise of a small design; read the "
            "ranking and the intervals\n(more samples narrow them)"
        )
    if args.plot is not None:
        from simulation.sweeps.plots import plot_sensitivity

        print(f"figure written to {plot_sensitivity(result, args.plot)}")
    return 0


def _sweep_folder(target: str, out: str | None) -> Path:
    """The results folder of a sweep folder, or of a sweep file (checked against it)."""
    from simulation.sweeps.spec import load_sweep
    from simulation.sweeps.sweep import load_manifest

    path = Path(target)
    if path.is_dir():
        if out is not None:
            raise ValueError("--out: only with a sweep file (the folder is given)")
        return path
    if not path.is_file():
        raise ValueError(f"{path}: no such sweep folder or file")
    sweep = load_sweep(path)
    folder = Path(out) if out else default_sweep_out(sweep.path)
    manifest = load_manifest(folder)
    if manifest.get("digest") != sweep.digest():
        raise ValueError(f"{folder}: holds a different sweep than {path} (give its folder)")
    return folder
