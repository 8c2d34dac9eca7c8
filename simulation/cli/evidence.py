"""``nervesim evidence``: the model against the published anchors, with citations."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import (
    check_out_dir,
    default_workers,
    int_at_least,
    only,
    print_label,
)


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``evidence`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "evidence",
        help="hold the model to the published anchors (REFERENCE.md), with citations",
        description="Run what the anchors need once per seed and print, for each anchor, the\n"
        "model's statistic (mean and 95% t-interval over seeds), the published band, PASS or\n"
        "MISS and the citation; anchors the model cannot speak to yet are listed with why.\n"
        "Shapes and timing are compared (peak days, fractions of a peak, ratios, rates), never\n"
        "absolute cell counts. Exit code 0 when every encodable anchor is met, 1 when any is\n"
        "missed, 2 for bad input.",
        epilog="examples:\n  nervesim evidence --seeds 6\n"
        "  nervesim evidence --only sci.scar_timing,pni.regrowth_rate --plot figures/",
        formatter_class=fmt,
    )
    p.add_argument("--seeds", type=int_at_least(2), default=20, help="seeds per arm (default 20)")
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument(
        "--only", metavar="ID,...", default=None, help="only these anchor ids (comma-separated)"
    )
    p.add_argument(
        "--plot",
        metavar="DIR",
        type=Path,
        default=None,
        help="write one figure per anchor and a summary sheet (PNG) into DIR",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim evidence`` with the parsed ``args``; return its exit code."""
    from tqdm import tqdm

    from simulation.evidence.anchors import all_anchors
    from simulation.evidence.check import arms_needed, evaluate, plot, runs_needed, table
    from simulation.runs.runner import spawn_seeds

    anchors = list(all_anchors())
    ids = only(args.only, [a.id for a in anchors], "anchor id")
    anchors = [a for a in anchors if a.id in ids]
    check_out_dir(args.plot, "--plot")
    encodable = [a for a in anchors if a.encodable]
    skipped = [a for a in anchors if not a.encodable]
    seeds = spawn_seeds(0, args.seeds)
    arms = arms_needed(encodable)
    print_label()
    print(
        f"holding the model to {len(encodable)} published anchors over {len(seeds)} seeds "
        f"({len(arms)} arms); {len(skipped)} more cannot be encoded yet"
    )
    with tqdm(
        total=runs_needed(encodable, seeds), desc="evidence", unit="run", disable=args.quiet
    ) as bar:
        results = evaluate(encodable, seeds, args.workers or default_workers(), progress=bar.update)
    frame = table(results, skipped)
    print()
    columns = ["anchor", "result", "model", "band", "units", "fitted by"]
    widths = {c: max(len(c), *(len(str(v)) for v in frame[c])) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for _, row in frame.iterrows():
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns).rstrip())
        print(f"    {row['citation']}")
    met = sum(r.passed for r in results)
    print(
        f"\nmodel: mean [95% t-interval over {len(seeds)} seeds]; an anchor is met when the mean "
        "lies in the band\n(the whole interval, for anchors that state only a direction)"
    )
    for r in results:
        if r.anchor.patients > len(seeds):
            print(
                f"{r.anchor.id}: a share of patients, over a cohort of {r.anchor.patients} "
                f"virtual patients ({len(r.values)} of them in the population it speaks of)"
            )
    print(f"{met} of {len(results)} encodable anchors met; {len(results) - met} missed")
    fitted = sum(bool(v) for v in frame["fitted by"])
    if fitted:
        print(
            f"{fitted} of them were fitted ('fitted by': the library's calibration, or "
            "parameters placed by hand): meeting them is a fit, not an independent test"
        )
    if args.plot is not None:
        written = plot(results, args.plot)
        print(f"figures: {len(written)} PNG files in {args.plot}")
    return 0 if met == len(results) else 1
