"""Comparing scenario arms over seeds: tidy replicates, means and 95 % intervals.

Pure functions on DataFrames (no running, no printing), shared by ``nervesim compare`` and the
dashboard. A *tidy* frame has one row per recorded tick of one run: ``day``, one column per
metric, ``seed`` and ``scenario`` (the arm's label).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

#: Two-sided 95 % Student t quantiles t(0.975, df) for df = 1..30.
_T975 = (
    12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.30600, 2.26216, 2.22814,
    2.20099, 2.17881, 2.16037, 2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596,
    2.07961, 2.07387, 2.06866, 2.06390, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227,
)  # fmt: skip
_Z975 = 1.959963984540054

#: Columns of :func:`summarize`'s result.
SUMMARY_COLUMNS = ("arm", "day", "metric", "mean", "lo", "hi", "n")


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (95 % two-sided).

    Tabulated up to 30 degrees of freedom, beyond that the Cornish-Fisher expansion around the
    normal quantile (error below 1e-5), so no SciPy is needed at run time.
    """
    if df < 1:
        raise ValueError(f"degrees of freedom: {df} must be >= 1")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


def t_interval(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean and 95 % t-interval of the mean, ``(mean, lo, hi)``; NaN bounds for one value."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if x.size < 2:
        return mean, math.nan, math.nan
    half = t975(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size)
    return mean, mean - half, mean + half


def tidy(runs: Mapping[str, Sequence[pd.DataFrame]], seeds: Sequence[int]) -> pd.DataFrame:
    """One frame of every run: ``runs[arm][i]`` is the time series of ``seeds[i]``."""
    frames = []
    for arm, series in runs.items():
        if len(series) != len(seeds):
            raise ValueError(f"{arm}: {len(series)} runs for {len(seeds)} seeds")
        for seed, ts in zip(seeds, series, strict=True):
            frames.append(ts.assign(seed=int(seed), scenario=arm))
    if not frames:
        raise ValueError("no runs to compare")
    return pd.concat(frames, ignore_index=True)


def at_days(frame: pd.DataFrame, days: Iterable[float], arm: str = "scenario") -> pd.DataFrame:
    """For each arm and seed, the recorded row nearest each of ``days``.

    The ``day`` column holds the requested day. Days after a run's last recorded day are left
    out for that run (it did not get there).
    """
    days = list(days)
    frame = frame.reset_index(drop=True)
    picked: list[int] = []
    wanted: list[float] = []
    for _, run in frame.groupby([arm, "seed"], sort=False):
        recorded = run["day"].to_numpy(dtype=float)
        for d in days:
            if d <= recorded.max() + 1e-6:
                picked.append(int(run.index[np.abs(recorded - d).argmin()]))
                wanted.append(float(d))
    return frame.loc[picked].assign(day=wanted).reset_index(drop=True)


def summarize(
    frame: pd.DataFrame,
    days: Iterable[float],
    metrics: Sequence[str],
    arm: str = "scenario",
) -> pd.DataFrame:
    """Mean and 95 % t-interval over seeds of each metric, per arm and day.

    Args:
        frame: a tidy frame (see :func:`tidy`).
        days: the days to report (each run's nearest recorded row; days after its end skipped).
        metrics: metric columns, in the order wanted.
        arm: the column naming the arm.

    Returns:
        One row per arm, day and metric (arms in order of appearance, then ``days`` and
        ``metrics`` in the order given), columns arm, day, metric, mean, lo, hi, n.
    """
    missing = [m for m in metrics if m not in frame.columns]
    if missing:
        raise ValueError(f"unknown metric(s): {', '.join(missing)}")
    days = list(days)
    picked = at_days(frame, days, arm)
    rows = []
    for name in pd.unique(frame[arm]):
        mine = picked[picked[arm] == name]
        for d in days:
            at = mine[mine["day"] == d]
            if at.empty:
                continue
            for metric in metrics:
                mean, lo, hi = t_interval(at[metric].to_numpy())
                rows.append((name, float(d), metric, mean, lo, hi, len(at)))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def compact(value: float) -> str:
    """A number in three significant figures, without padding (``0.725``, ``291``, ``1.2e5``)."""
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else str(value)
    if value == 0:
        return "0"  # also turns -0 into 0
    text = f"{value:.3g}"
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else text


def format_estimate(mean: float, lo: float, hi: float) -> str:
    """``"mean [lo, hi]"`` compactly; just the mean when there is no interval or it rounds away."""
    text = [compact(v) for v in (mean, lo, hi)]
    if math.isnan(lo) or math.isnan(hi) or text[0] == text[1] == text[2]:
        return text[0]
    return f"{text[0]} [{text[1]}, {text[2]}]"


def wide(summary: pd.DataFrame, day: float) -> pd.DataFrame:
    """A summary's cells at ``day`` as text: metrics (rows) by arms (columns)."""
    at = summary[summary["day"] == day]
    rows = at[["mean", "lo", "hi"]].itertuples(index=False)
    cells = at.assign(cell=[format_estimate(*row) for row in rows])
    table = cells.pivot(index="metric", columns="arm", values="cell")
    metrics = list(pd.unique(at["metric"]))
    arms = list(pd.unique(summary["arm"]))
    return table.reindex(index=metrics, columns=arms).fillna("-")


def by_day(summary: pd.DataFrame, arm: str) -> pd.DataFrame:
    """One arm's summary cells as text: metrics (rows) by days (columns ``day D``)."""
    at = summary[summary["arm"] == arm]
    rows = at[["mean", "lo", "hi"]].itertuples(index=False)
    cells = at.assign(cell=[format_estimate(*row) for row in rows])
    table = cells.pivot(index="metric", columns="day", values="cell")
    table = table.reindex(index=list(pd.unique(at["metric"])), columns=list(pd.unique(at["day"])))
    table.columns = [f"day {d:g}" for d in table.columns]
    return table.fillna("-")
