"""``nervesim show-params``: every scenario parameter with units, range, meaning."""

from __future__ import annotations

import argparse

from simulation.cli.common import print_label


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``show-params`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "show-params",
        help="list every parameter with units, default, range and description",
        description="Every tunable number of a scenario: dotted key, default, units, allowed "
        "range, and what it means.",
        epilog="example:\n  nervesim show-params --filter growth_cone",
        formatter_class=fmt,
    )
    p.add_argument("--filter", default="", help="only keys containing this text")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim show-params`` with the parsed ``args``; return its exit code."""
    from simulation.scenario.schema import Scenario, iter_parameters, parameter_info

    print_label()
    defaults = Scenario().to_dict()
    rows = []
    for key, info in iter_parameters():
        if key.startswith("interventions."):
            value = info.default  # an intervention's own default
        else:
            value = defaults
            for part in key.split("."):
                value = value[part]
        units, lo, hi = parameter_info(key)
        rng = f"[{lo:g}, {hi:g}]" if lo is not None and hi is not None else ""
        rows.append((key, str(value), units, rng, info.description or ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        if args.filter and args.filter not in r[0]:
            continue
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)), r[4])
    return 0
