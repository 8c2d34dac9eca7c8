"""The ``nervesim`` command: one module per subcommand, each with its parser beside its handler.

:mod:`simulation.cli.common` holds what they share (the parser class, the illustrative label,
table helpers, argument types, the one-line error). This module builds the parser and runs it.
"""

from __future__ import annotations

import argparse
import sys

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.cli import (
    calibrate,
    compare,
    convergence,
    demo,
    evidence,
    listing,
    odd,
    run,
    sensitivity,
    show_params,
    sweep,
    validate,
)
from simulation.cli.common import (
    COMPARE_METRICS,
    TABLE_DAYS,
    TABLE_METRICS,
    Parser,
    error_line,
    exit_code,
    trend_table,
)

__all__ = ["COMPARE_METRICS", "TABLE_DAYS", "TABLE_METRICS", "build_parser", "main", "trend_table"]

#: The subcommands, in the order ``nervesim --help`` lists them.
COMMANDS = (
    run,
    show_params,
    odd,
    demo,
    listing,
    compare,
    validate,
    evidence,
    convergence,
    sweep,
    sensitivity,
    calibrate,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nervesim`` command."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = Parser(
        prog="nervesim",
        description=f"NerveSim {__version__}: agent-based nerve repair.\n{ILLUSTRATIVE_LABEL}",
        epilog="examples:\n  nervesim run scenarios/spinal_cord_untreated.toml --seed 3\n"
        "  nervesim compare scenarios/spinal_cord_untreated.toml scenarios/spinal_cord_ev.toml\n"
        "  nervesim validate --only neutrophils_first\n"
        "  nervesim evidence --seeds 6 --plot figures/\n"
        "  nervesim calibrate scenarios/calibrations/ci_tiny.toml --workers 2\n"
        "  nervesim sweep scenarios/sweeps/toy_sobol.toml --workers 2\n"
        "  nervesim sensitivity results/toy_sobol --metric macrophages_m1_count --plot s.png\n"
        "  nervesim show-params --filter macrophage\n"
        "  nervesim odd --out docs/odd.md",
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"nervesim {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    for command in COMMANDS:
        command.add_parser(sub, fmt)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``nervesim`` command; return its exit code (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and bad arguments: return, do not raise
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except (ValueError, OSError) as err:  # ScenarioError, range and file errors: no traceback
        print(error_line(err), file=sys.stderr)
        return exit_code(err)
