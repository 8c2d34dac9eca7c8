"""``nervesim demo``: the field engine alone (NGF from a stump, cytokine from a lesion)."""

from __future__ import annotations

import argparse

from simulation.cli.common import print_label


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``demo`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "demo",
        help="show the field engine: NGF from a stump, cytokine from a lesion",
        description="Diffuse NGF supplied at a nerve stump and cytokine secreted at a lesion on "
        "a 200x60 grid of 20 µm voxels; print the fields every 12 h.",
        epilog="example:\n  nervesim demo --hours 48",
        formatter_class=fmt,
    )
    p.add_argument("--hours", type=int, default=48, help="hours to simulate (default 48)")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim demo`` with the parsed ``args``; return its exit code."""
    from simulation.fields.demo import run_field_demo

    print_label()
    table = run_field_demo(hours=args.hours)
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"({table.attrs['wall_s'] * 1e3:.0f} ms of field time)")
    return 0
