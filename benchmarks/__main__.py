"""``python -m benchmarks <name> [options]``: run one benchmark by name."""

from __future__ import annotations

import argparse
import importlib
import sys

#: name -> (module, one-line description). Each module provides ``add_arguments(parser)`` and
#: ``run(args) -> int`` and uses its docstring as its ``--help`` description.
BENCHMARKS: dict[str, tuple[str, str]] = {
    "fields": (
        "benchmarks.fields",
        "field engine: Numba implicit/explicit ticks vs numpy/scipy and a stream copy",
    ),
    "model": (
        "benchmarks.model",
        "whole model: 12-week SCI wall time, stage split, agent-step cost",
    ),
    "scenarios": (
        "benchmarks.scenarios",
        "wall time of every scenario in the library, full duration, one core",
    ),
    "dashboard": (
        "benchmarks.dashboard",
        "the default Compare in Chromium: cold (fresh server) and cached, to the finished page",
    ),
    "sweep": (
        "benchmarks.sweep",
        "sweeps: runs/min on 1-2 workers and Dask, sweep overhead, parent memory vs runs",
    ),
    "calibrate": (
        "benchmarks.calibrate",
        "calibration: simulations/s on 1-2 workers and Dask, acceptance, sampler overhead",
    ),
    "fuzz": (
        "benchmarks.fuzz",
        "hostile scenario files: clean one-line errors vs tracebacks and hangs, in process and CLI",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser, one sub-command per benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "NerveSim benchmarks. Each one measures all it compares in one run, prints a table "
            "and writes benchmarks/results/<name>.json. Timings are reported, never asserted."
        ),
        epilog="Run 'python -m benchmarks <name> --help' for a benchmark's own options.",
    )
    sub = parser.add_subparsers(dest="name", metavar="BENCHMARK", required=True)
    for name, (module_name, summary) in BENCHMARKS.items():
        module = importlib.import_module(module_name)
        child = sub.add_parser(
            name,
            help=summary,
            description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(child)
        child.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen benchmark; return its exit status."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
