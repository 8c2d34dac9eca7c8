"""The ``nervesim`` command: argument parsing and printing only."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import NoReturn

from simulation._version import ILLUSTRATIVE_LABEL, __version__

#: Days shown in trend tables (those within the run's duration).
TABLE_DAYS = (0, 7, 14, 28, 56, 84)
#: Metrics shown in trend tables, in this order.
TABLE_METRICS = (
    "neuron_survival_fraction",
    "neutrophils_count",
    "macrophages_m1_count",
    "macrophages_m2_count",
    "inflammation_mean_au",
    "scar_area_fraction",
    "debris_remaining_fraction",
    "axons_bridged_fraction",
    "axon_length_mean_um",
    "myelinated_fraction",
    "schwann_repair_count",
    "muscle_mass_index",
    "function_index",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _label() -> None:
    print(ILLUSTRATIVE_LABEL)


def trend_table(timeseries, days=TABLE_DAYS):
    """Metrics (rows) at the recorded days nearest to ``days`` and at the last day (columns)."""
    import pandas as pd

    last = float(timeseries["day"].max())
    cols = {}
    for d in (*(d for d in days if d < last - 1e-9), last):
        idx = (timeseries["day"] - d).abs().idxmin()
        cols[f"day {d:g}"] = timeseries.loc[idx, list(TABLE_METRICS)]
    return pd.DataFrame(cols)


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from simulation.runner import run
    from simulation.scenario import load_scenario
    from simulation.storage import write_parquet

    scenario = load_scenario(args.scenario)
    _label()
    print(f"scenario: {scenario.name} ({scenario.description})")
    with tqdm(
        total=100,
        desc=f"seed {args.seed}",
        unit="%",
        disable=args.quiet,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
    ) as bar:
        result = run(
            scenario,
            seed=args.seed,
            days=args.days,
            progress=lambda f: bar.update(round(100 * f) - bar.n),
            snapshots=False,
        )
    print(trend_table(result.timeseries).to_string(float_format=lambda v: f"{v:.3g}"))
    stem = re.sub(r"[^\w.-]+", "_", scenario.name) or "scenario"  # the name is free text
    out = Path(args.out) / f"{stem}_seed{args.seed}.parquet"
    write_parquet(result.timeseries, out, result.metadata)
    print(f"time series written to {out}")
    return 0


def _cmd_show_params(args: argparse.Namespace) -> int:
    from simulation.scenario import Scenario, iter_parameters, parameter_info

    _label()
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


def _cmd_demo(args: argparse.Namespace) -> int:
    from simulation.fields.demo import run_field_demo

    _label()
    table = run_field_demo(hours=args.hours)
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"({table.attrs['wall_s'] * 1e3:.0f} ms of field time)")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be >= 0")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < value <= 365:
        raise argparse.ArgumentTypeError(f"{value} days is outside (0, 365]")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nervesim`` command."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="nervesim",
        description=f"NerveSim {__version__}: agent-based nerve repair.\n{ILLUSTRATIVE_LABEL}",
        epilog="examples:\n  nervesim run scenarios/spinal_cord_untreated.toml --seed 3\n"
        "  nervesim show-params --filter macrophage",
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"nervesim {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser(
        "run",
        help="run one scenario and print its trend table",
        description="Run a scenario file with one seed, print the main metrics at days "
        f"{', '.join(map(str, TABLE_DAYS))} and write the time series as Parquet.",
        epilog="example:\n  nervesim run scenarios/peripheral_crush_untreated.toml --seed 7 "
        "--out results/",
        formatter_class=fmt,
    )
    p.add_argument("scenario", help="scenario TOML file (see scenarios/)")
    p.add_argument("--seed", type=_positive_int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--days",
        type=_days,
        default=None,
        help="simulate this many days instead of the scenario's duration",
    )
    p.add_argument(
        "--out", default="results", help="folder for the Parquet file (default results/)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "show-params",
        help="list every parameter with units, default, range and description",
        description="Every tunable number of a scenario: dotted key, default, units, allowed "
        "range, and what it means.",
        epilog="example:\n  nervesim show-params --filter growth_cone",
        formatter_class=fmt,
    )
    p.add_argument("--filter", default="", help="only keys containing this text")
    p.set_defaults(func=_cmd_show_params)

    p = sub.add_parser(
        "demo",
        help="show the field engine: NGF from a stump, cytokine from a lesion",
        description="Diffuse NGF supplied at a nerve stump and cytokine secreted at a lesion on "
        "a 200x60 grid of 20 µm voxels; print the fields every 12 h.",
        epilog="example:\n  nervesim demo --hours 48",
        formatter_class=fmt,
    )
    p.add_argument("--hours", type=int, default=48, help="hours to simulate (default 48)")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``nervesim`` command; return its exit code (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and bad arguments: return, do not raise
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except ValueError as err:  # ScenarioError and range errors: one line, no traceback
        print(f"nervesim: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"nervesim: error: {where}{err.strerror or err}", file=sys.stderr)
        return 2
