"""``nervesim show-params``: every scenario parameter with units, range, source and meaning."""

from __future__ import annotations

import argparse

from simulation.cli.common import print_label

#: Widest source shown in the table; longer ones end in an ellipsis (``--sources`` shows all).
SOURCE_WIDTH = 32


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``show-params`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "show-params",
        help="list every parameter with units, default, range, source and description",
        description="Every tunable number of a scenario: dotted key, default, units, allowed "
        "range, where its default comes from (a citation, 'assumed' for a modelling choice, or "
        "'calibrated'), and what it means.",
        epilog="example:\n  nervesim show-params --filter growth_cone\n"
        "  nervesim show-params --filter fields --sources",
        formatter_class=fmt,
    )
    p.add_argument("--filter", default="", help="only keys containing this text")
    p.add_argument(
        "--sources",
        action="store_true",
        help=f"show each source in full, after the description (the table cuts sources at "
        f"{SOURCE_WIDTH} characters)",
    )
    p.set_defaults(func=handle)


def shorten(text: str, width: int = SOURCE_WIDTH) -> str:
    """``text`` cut to ``width`` characters, ending in an ellipsis when it was cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim show-params`` with the parsed ``args``; return its exit code."""
    from simulation.scenario.schema import parameter_rows

    print_label()
    rows = []
    for key, value, units, rng, source, description in parameter_rows():
        if args.sources:  # the full source last, so the table stays readable
            rows.append((key, value, units, rng, description, source))
        else:
            rows.append((key, value, units, rng, shorten(source), description))
    shown = [r for r in rows if not args.filter or args.filter in r[0]]
    widths = [max((len(r[i]) for r in shown), default=0) for i in range(5)]
    for r in shown:
        print("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)), r[5])
    return 0
