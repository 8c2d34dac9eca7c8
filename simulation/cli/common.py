"""What the ``nervesim`` subcommands share: the parser class, the illustrative label, table
helpers, argument types and the one-line error text."""

from __future__ import annotations

import argparse
import errno
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from simulation._version import ILLUSTRATIVE_LABEL

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
#: What a chronic neuropathy's trend table shows instead (simulation/tissue/neuropathy.py),
#: at the follow-up days of the seed article's case (3, 6 and 12 months).
NEUROPATHY_TABLE_DAYS = (0, 91, 182)
NEUROPATHY_TABLE_METRICS = (
    "sensory_velocity_m_per_s",
    "snap_amplitude_percent",
    "distal_fibre_density_percent",
    "dieback_mean_mm",
    "hba1c_percent",
    "nerve_support_index",
)
#: Metrics compared side by side by ``nervesim compare``: the trend table's, the outcomes people
#: measure (locomotor score and AIS grade; conduction, CMAP, gait and NGF's pain side effect,
#: nan in a spinal run), the graft's and a chronic neuropathy's (those a run recorded).
COMPARE_METRICS = (
    *TABLE_METRICS,
    "bbb_score",
    "ais_grade",
    "conduction_velocity_m_per_s",
    "cmap_amplitude_percent",
    "sfi_score",
    "pain_sensitization_index",
    "grafted_cells_alive_count",
    "tumor_events_count",
    *NEUROPATHY_TABLE_METRICS,
)


def table_metrics(columns) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """The trend table's days and metrics for a run with these ``columns`` (a chronic
    neuropathy's own, or the injury's)."""
    if NEUROPATHY_TABLE_METRICS[0] in columns:
        return NEUROPATHY_TABLE_DAYS, NEUROPATHY_TABLE_METRICS
    return TABLE_DAYS, TABLE_METRICS


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def print_label() -> None:
    """Print the illustrative label (every command's output starts with it)."""
    print(ILLUSTRATIVE_LABEL)


def trend_table(timeseries, days=TABLE_DAYS):
    """Metrics (rows) at the recorded days nearest to ``days`` and at the last day (columns)."""
    import pandas as pd

    last = float(timeseries["day"].max())
    own_days, metrics = table_metrics(timeseries.columns)
    if days is TABLE_DAYS:
        days = own_days
    cols = {}
    for d in (*(d for d in days if d < last - 1e-9), last):
        idx = (timeseries["day"] - d).abs().idxmin()
        cols[f"day {d:g}"] = timeseries.loc[idx, list(metrics)]
    return pd.DataFrame(cols)


#: OS errors that mean a path the user gave cannot be used (exit code 2, bad input); any other
#: (a full disk, an I/O error) is a failure of the machine (exit code 1).
BAD_PATH_ERRNOS = frozenset(
    (
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ELOOP,
    )
)


def error_line(err: ValueError | OSError) -> str:
    """A user error (bad file, value or flag) as the one line ``nervesim`` prints for it."""
    if isinstance(err, OSError):
        where = f"{err.filename}: " if err.filename else ""
        text = f"{where}{err.strerror or err}"
    else:
        text = str(err)
    return "nervesim: error: " + (" ".join(text.split()) or type(err).__name__)


def exit_code(err: ValueError | OSError) -> int:
    """2 for bad input (a value, a flag, a path that cannot be used), 1 for a machine failure."""
    if isinstance(err, OSError) and err.errno not in BAD_PATH_ERRNOS:
        return 1
    return 2


def check_out_dir(path: str | Path | None, flag: str = "--out") -> None:
    """Refuse an output folder we cannot create or write, before any run starts.

    It may exist (a folder we can write into) or not (then its nearest existing parent must be
    a folder we can write into); it cannot be a file or hold a null byte. ``ValueError`` (one
    line naming ``flag`` and the path) otherwise.
    """
    if path is None:
        return
    if "\0" in str(path):
        raise ValueError(f"{flag}: {str(path)!r:.80}: a folder name cannot contain a null byte")
    folder = Path(path)
    try:
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{flag}: {folder}: exists and is not a folder")
        parent = folder
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise ValueError(f"{flag}: {parent}: not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ValueError(f"{flag}: {parent}: cannot write there (permission denied)")
    except OSError as exc:  # a name too long, a symlink loop
        raise ValueError(f"{flag}: {folder}: {exc.strerror or exc}") from None


#: Longest file-name stem made from a scenario name, characters: with a suffix such as
#: ``_seeds1000.parquet``, a temporary-file prefix and up to 4 UTF-8 bytes per character it
#: stays under the 255 bytes file systems allow per name.
MAX_STEM_CHARS = 50


def stop_over_budget(stopped: dict) -> None:
    """After the runs that finished are shown and written: raise the first run's budget error
    (``nervesim`` prints its one line and exits 2), if any run was stopped over its budget."""
    if stopped:
        from simulation.runs.budget import RunBudgetError

        first = next(iter(stopped.values()))
        more = len(stopped) - 1
        raise RunBudgetError(first + (f" (and {more} other scenario(s) stopped)" if more else ""))


def file_stem(name: str) -> str:
    """A scenario name as a safe file-name stem (the name is free text)."""
    return re.sub(r"[^\w.-]+", "_", name)[:MAX_STEM_CHARS] or "scenario"


def one_line(err: Exception, path: Path) -> str:
    """An error as one line, without the file's own path in front."""
    text = " ".join(str(err).split()) or type(err).__name__
    for prefix in (f"{path}: ", f"{path.resolve()}: "):
        text = text.removeprefix(prefix)
    return text if isinstance(err, ValueError | OSError) else f"{type(err).__name__}: {text}"


def arm_labels(paths: list[Path]) -> list[str]:
    """File stems, with ``#2``, ``#3`` added to repeats so every arm has its own column."""
    labels: list[str] = []
    for path in paths:
        label, k = path.stem, 1
        while label in labels:
            k += 1
            label = f"{path.stem}#{k}"
        labels.append(label)
    return labels


def print_columns(rows: list[list[str]], indent: str = "") -> None:
    """Rows of text cells, each column padded to its widest cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print(indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


#: Image formats --plot writes.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_figure_path(path: str | None) -> None:
    """Refuse a --plot file we cannot write, before any run starts."""
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_SUFFIXES:
        raise ValueError(f"--plot: {path}: use a {', '.join(FIGURE_SUFFIXES)} file name")
    parent = Path(path).parent
    check_out_dir(parent, "--plot")


def only(text: str | None, known: list[str], what: str) -> list[str]:
    """The keys ``--only`` names (comma-separated), all of ``known`` when it is not given;
    ``ValueError`` (one line, listing the known keys) for an unknown key or an empty list."""
    if text is None:
        return list(known)
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in known]
    if unknown or not keys:
        problem = f"unknown {what} {unknown[0]!r}" if unknown else f"no {what} given"
        raise ValueError(f"--only: {problem} (known: {', '.join(known)})")
    return keys


def default_workers() -> int:
    import os

    return min(2, os.cpu_count() or 1)


def format_duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def default_sweep_out(path: Path) -> Path:
    return Path("results") / path.stem


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be >= 0")
    return value


def days_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < value <= 365:
        raise argparse.ArgumentTypeError(f"{value} days is outside (0, 365]")
    return value


def int_at_least(lo: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``lo``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} must be >= {lo}")
        return value

    return parse


def day_list(text: str) -> tuple[float, ...]:
    days = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not a number of days") from None
        if not 0 <= value <= 365:
            raise argparse.ArgumentTypeError(f"{value:g} days is outside [0, 365]")
        days.append(value)
    return tuple(days)


def day_list_one(text: str) -> float:
    """An argparse type: one day in [0, 365]."""
    days = day_list(text)
    if len(days) != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give one day")
    return days[0]


def add_posterior_arg(parser: argparse.ArgumentParser) -> None:
    """``--posterior DIR``: each virtual animal also draws its parameters from a posterior."""
    parser.add_argument(
        "--posterior",
        metavar="DIR",
        default=None,
        help="a calibration's --out folder (posterior.parquet), e.g. "
        "benchmarks/results/calibration-default: each seed's virtual animal also draws a "
        "parameter set from that posterior (the same in every arm), so the intervals show "
        "parameter uncertainty plus chance; parameters a scenario sets itself are kept",
    )


def posterior_arg(args: argparse.Namespace):
    """The posterior ``--posterior`` names (read and checked now, before any run), or None."""
    if getattr(args, "posterior", None) is None:
        return None
    from simulation.calibration.posterior import load_posterior

    return load_posterior(args.posterior)
