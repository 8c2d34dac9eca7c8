"""Numbers the pages show: bands over seeds, paired differences, binomial chances.

Pure functions on the tidy frames of :mod:`simulation.runs.compare` (``day``, metric columns,
``seed``, ``scenario``); no Streamlit, no biology.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.runs.compare import at_days, compact, t975, t_interval
from simulation.runs.metrics import METRICS

#: How a band over seeds is drawn.
BAND_CI = "95 % interval of the mean"
BAND_RANGE = "range over seeds (min to max)"


_UNIT_SUFFIXES = ("fraction", "count", "au", "um", "percent", "mm")
_NAMES = {
    "m1": "M1",
    "m2": "M2",
    "ev": "EV",
    "bbb": "BBB",
    "ais": "AIS",
    "cmap": "CMAP",
    "sfi": "SFI",
    "snap": "SNAP",
    "hba1c": "HbA1c",
}


def metric_title(metric: str) -> str:
    """A metric's name for people, its units left to the label: ``Neuron survival``."""
    words = metric.removesuffix("_m_per_s").split("_")
    if len(words) > 1 and words[-1] in _UNIT_SUFFIXES:
        words = words[:-1]
    text = " ".join(_NAMES.get(w, w) for w in words)
    return text[:1].upper() + text[1:]


def metric_units(metric: str) -> str:
    """The metric's units from :data:`simulation.runs.metrics.METRICS` (blank if unknown)."""
    info = METRICS.get(metric)
    return info.units if info else ""


def bands(frame: pd.DataFrame, metrics: Sequence[str], band: str = BAND_CI) -> pd.DataFrame:
    """Mean and band per arm, day and metric: columns scenario, day, metric, mean, lo, hi, n.

    The band is the 95 % t-interval of the mean over seeds (as :func:`t_interval`), or the
    min-max range of the seeds. Vectorized, because charts need every recorded day.
    """
    long = frame.melt(
        id_vars=["scenario", "day", "seed"], value_vars=list(metrics), var_name="metric"
    )
    g = long.groupby(["scenario", "metric", "day"], sort=False)["value"]
    out = g.agg(mean="mean", sd="std", n="count", vmin="min", vmax="max").reset_index()
    if band == BAND_RANGE:
        out["lo"], out["hi"] = out["vmin"], out["vmax"]
    else:
        tq = out["n"].map(lambda n: t975(int(n) - 1) if n > 1 else math.nan)
        half = tq * out["sd"] / np.sqrt(out["n"])
        out["lo"], out["hi"] = out["mean"] - half, out["mean"] + half
    return out[["scenario", "day", "metric", "mean", "lo", "hi", "n"]]


@dataclass(frozen=True)
class Lead:
    """The arm with the highest mean of a metric on a day, against the runner-up."""

    metric: str
    day: float
    top: str
    runner_up: str
    diff: float
    lo: float
    hi: float
    n: int
    tie: bool

    def sentence(self) -> str:
        """One plain-language sentence with the paired 95 % interval."""
        what = f"**{metric_title(self.metric)}** at day {self.day:g}"
        if self.tie:
            return f"{what}: the same in every arm ({compact(self.diff)})."
        units = metric_units(self.metric)
        units = "" if units in ("fraction", "index", "") else f" {units}"
        text = (
            f"{what}: **{self.top}** is highest, {compact(self.diff)}{units} above "
            f"**{self.runner_up}**"
        )
        if math.isnan(self.lo):
            return text + " (one seed: no interval)."
        text += f" (95 % CI {compact(self.lo)} to {compact(self.hi)}, {self.n} seeds)"
        if self.lo <= 0.0:
            return text + f"; the interval includes 0, so {self.n} seeds cannot separate them."
        return text + "."


def lead(frame: pd.DataFrame, metric: str, day: float) -> Lead | None:
    """Which arm leads ``metric`` at ``day`` and by how much, paired by seed.

    Every arm runs the same seeds, so the difference is taken seed by seed (the same random
    injury in both arms) and its mean gets a t-interval. None if fewer than two arms got there.
    """
    at = at_days(frame, [day])
    table = at.pivot_table(index="seed", columns="scenario", values=metric, aggfunc="first")
    arms = [a for a in pd.unique(frame["scenario"]) if a in table.columns]
    table = table[arms].dropna()
    if len(arms) < 2 or table.empty:
        return None
    means = table.mean().sort_values(ascending=False, kind="stable")
    top, runner_up = str(means.index[0]), str(means.index[1])
    if np.allclose(table.to_numpy(), table.to_numpy()[0, 0]):
        return Lead(metric, day, top, runner_up, float(table.iat[0, 0]), 0, 0, len(table), True)
    diff, lo, hi = t_interval((table[top] - table[runner_up]).to_numpy())
    return Lead(metric, day, top, runner_up, diff, lo, hi, len(table), False)


def binomial_pmf(n: int, p: float) -> list[float]:
    """P(k of n) for k = 0..n at success probability ``p``."""
    return [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``k / n`` (sensible even at 0 or n)."""
    if n == 0:
        return math.nan, math.nan
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


#: AIS grades by the number :func:`simulation.runs.metrics.ais_grade` records.
AIS_LETTERS = "ABCDE"


def ais_letter(grade: float) -> str:
    """The AIS letter of a recorded grade (0 -> A ... 4 -> E); a mean over seeds rounds down."""
    if not math.isfinite(grade):
        return "?"
    return AIS_LETTERS[min(4, max(0, math.floor(grade + 1e-9)))]


def chance_by_natural_rate(
    k: int, n: int, trial: int = 4, at_least: int = 2
) -> tuple[float, float, float, float]:
    """From ``k`` of ``n`` untreated patients who improved anyway: their rate, and how often a
    ``trial`` of untreated patients would include at least ``at_least`` such 'responders' at
    that rate and at the ends of its 95 % Wilson interval (nan when ``n`` is 0)."""
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    lo, hi = wilson_interval(k, n)
    p = k / n
    chances = [sum(binomial_pmf(trial, q)[at_least:]) for q in (p, lo, hi)]
    return p, chances[0], chances[1], chances[2]
