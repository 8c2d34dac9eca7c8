"""``nervesim validate``: the qualitative trends the model must show."""

from __future__ import annotations

import argparse

from simulation.cli.common import default_workers, int_at_least, only, print_label


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``validate`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "validate",
        help="check the qualitative trends the model must show, over many seeds",
        description="Run every arm the trends need once per seed, measure each trend's effect per "
        "seed\nand print whether its mean exceeds the margin with the 95% interval above zero.\n"
        "A trend the current model is known to miss prints FAIL (known miss: why).\n"
        "Exit code 0 when every trend holds or fails only as a known miss, 1 when any other\n"
        "fails, 2 for bad input.",
        epilog="example:\n  nervesim validate --only neutrophil_peak_day,m1_m2_rises --seeds 10",
        formatter_class=fmt,
    )
    p.add_argument(
        "--seeds",
        type=int_at_least(3),
        default=20,
        help="seeds per arm (default 20, as the tests: about 6 min on 2 cores)",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument(
        "--only", metavar="KEY,...", default=None, help="only these trend keys (comma-separated)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim validate`` with the parsed ``args``; return its exit code."""
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.validation.checks import measure, run_arms
    from simulation.validation.trends import ALL_TRENDS

    trends = list(ALL_TRENDS)
    keys = only(args.only, [t.key for t in trends], "trend key")
    trends = [t for t in trends if t.key in keys]
    seeds = spawn_seeds(0, args.seeds)
    arms = list(dict.fromkeys(a for t in trends for a in t.arms))

    print_label()
    print(
        f"checking {len(trends)} trend{'s' * (len(trends) != 1)} over {len(seeds)} seeds "
        f"({len(arms)} arm{'s' * (len(arms) != 1)}):"
    )
    with tqdm(total=len(arms) * len(seeds), desc="validate", unit="run", disable=args.quiet) as bar:
        runs = run_arms(arms, seeds, args.workers or default_workers(), progress=bar.update)
    results = measure(trends, runs)
    rows = [["trend", "result", "mean effect [95% CI]", "needs >", "units"]]
    notes = []
    for r in results:
        lo, hi = r.ci95
        arms_text = ", ".join(f"{a.label} {a.days:g} d" for a in r.trend.arms)
        verdict = "PASS" if r.passed else "FAIL"
        if r.trend.known_miss and not r.passed:
            verdict = "FAIL (known miss)"
        rows.append(
            [
                r.trend.key,
                verdict,
                compare.format_estimate(r.mean, lo, hi),
                compare.compact(r.trend.margin),
                r.trend.units,
            ]
        )
        note = f"{r.trend.statement} [arms: {arms_text}]"
        if r.trend.source:
            note += f"\n    source: {r.trend.source}"
        if r.trend.known_miss:
            note += f"\n    known miss: {r.trend.known_miss}"
            if r.passed:
                note += " (it now holds: drop known_miss)"
        notes.append(note)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i:
            print(f"    {notes[i - 1]}")
    print(
        f"\n95% CI of the mean effect over {len(seeds)} seeds (normal approximation);\n"
        "a trend holds when its mean exceeds the margin and the interval's low end is above 0"
    )
    held = sum(r.passed for r in results)
    known = [r.trend.key for r in results if not r.passed and r.trend.known_miss]
    unexpected = len(results) - held - len(known)
    if known:
        print(f"known misses (reported, not failing): {', '.join(known)}")
    if unexpected:
        print(f"{unexpected} trend{'s' * (unexpected != 1)} failed that must hold")
    print(f"{held} of {len(results)} trends hold")
    return 0 if unexpected == 0 else 1
