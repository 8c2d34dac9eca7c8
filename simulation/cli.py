"""The ``nervesim`` command: argument parsing and printing only."""

from __future__ import annotations

import argparse
import sys

from simulation._version import ILLUSTRATIVE_LABEL, __version__


def _demo(args: argparse.Namespace) -> int:
    """Spread a trophic factor from a stump and a cytokine from a lesion; print a table."""
    from simulation.fields.demo import run_field_demo

    print(ILLUSTRATIVE_LABEL)
    table = run_field_demo(hours=args.hours)
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"({table.attrs['wall_s'] * 1e3:.0f} ms of field time)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nervesim`` command."""
    parser = argparse.ArgumentParser(
        prog="nervesim",
        description=f"NerveSim {__version__}: {ILLUSTRATIVE_LABEL}",
    )
    parser.add_argument("--version", action="version", version=f"nervesim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="show the field engine: NGF from a stump, cytokine from a lesion",
        description="Diffuse NGF supplied at a nerve stump and TNF-like cytokine secreted at a "
        "lesion on a 200x60 grid of 20 µm voxels; print the fields every 12 h.\n\n"
        "example: nervesim demo --hours 48",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--hours", type=int, default=48, help="hours to simulate (default 48)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``nervesim`` command; return its exit code (2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as err:
        print(f"nervesim: error: {err}", file=sys.stderr)
        return 2
