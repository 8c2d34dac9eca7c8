"""``nervesim odd``: write the model's ODD protocol description, generated from the code."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import print_label


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``odd`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "odd",
        help="write the model description (ODD protocol) generated from the code",
        description="Write the model's description as an ODD protocol (Overview, Design\n"
        "concepts, Details; Grimm et al. 2020, JASSS 23(2):7). The purpose and design concepts\n"
        "are prose; every list and table (cell types and their state, the schedule, the fields,\n"
        "every parameter with units, range and source, the mechanism switches, the recorded\n"
        "metrics, the published anchors, the scenario library) is read from the code, so the\n"
        "document stays true: run this after changing the model. --check only compares.",
        epilog="examples:\n  nervesim odd                      # writes docs/odd.md\n"
        "  nervesim odd --out /tmp/odd.md\n"
        "  nervesim odd --check              # exit 1 if docs/odd.md is out of date",
        formatter_class=fmt,
    )
    p.add_argument(
        "--out", type=Path, default=Path("docs/odd.md"), help="where to write (default docs/odd.md)"
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the file differs from what the code gives",
    )
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim odd`` with the parsed ``args``; return its exit code."""
    from simulation import odd

    print_label()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != odd.render():
            print(f"{args.out} is out of date: run `nervesim odd --out {args.out}`")
            return 1
        print(f"{args.out} is up to date")
        return 0
    path = odd.write(args.out)
    print(f"wrote {path} (the ODD protocol, generated from the code)")
    return 0
