"""The statistics anchors compare: shapes and timing of a run's time series, never raw counts.

Each function takes the time series of an anchor's arms for one seed (``runs``, in the anchor's
arm order; columns ``day`` and the metrics) and the statistic's parameters, and returns one
number. A ``metric`` is a list of metric columns that are summed (M1 + M2 macrophages).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd


def series(ts: pd.DataFrame, metric: Sequence[str]) -> pd.Series:
    """The sum of the ``metric`` columns of ``ts``."""
    return ts[list(metric)].sum(axis=1)


def value_at(ts: pd.DataFrame, metric: Sequence[str], day: float) -> float:
    """``metric`` at the recorded day nearest ``day``."""
    return float(series(ts, metric).iloc[int((ts["day"] - day).abs().to_numpy().argmin())])


def _in_window(ts: pd.DataFrame, window: Sequence[float]) -> np.ndarray:
    return ((ts["day"] >= window[0]) & (ts["day"] <= window[1])).to_numpy()


def window_mean(ts: pd.DataFrame, metric: Sequence[str], window: Sequence[float]) -> float:
    """Mean of ``metric`` over the recorded days in ``window`` (the nearest day for a point)."""
    if window[0] == window[1]:
        return value_at(ts, metric, window[0])
    return float(series(ts, metric)[_in_window(ts, window)].mean())


def peak_day(runs: Sequence[pd.DataFrame], metric: Sequence[str], window: Sequence[float]) -> float:
    """The day ``metric`` is highest within ``window`` (an absolute window, in days)."""
    ts = runs[0]
    inside = _in_window(ts, window)
    values = series(ts, metric).to_numpy()[inside]
    return float(ts["day"].to_numpy()[inside][int(values.argmax())])


def fraction_of_peak(
    runs: Sequence[pd.DataFrame], metric: Sequence[str], day: float, window: Sequence[float]
) -> float:
    """``metric`` at ``day`` as a fraction of its highest value within ``window``."""
    ts = runs[0]
    peak = float(series(ts, metric)[_in_window(ts, window)].max())
    return value_at(ts, metric, day) / peak if peak > 0 else math.nan


def ratio_of_days(
    runs: Sequence[pd.DataFrame], metric: Sequence[str], day: float, reference_day: float
) -> float:
    """``metric`` at ``day`` / ``metric`` at ``reference_day``."""
    ts = runs[0]
    reference = value_at(ts, metric, reference_day)
    return value_at(ts, metric, day) / reference if reference > 0 else math.nan


def ratio_change(
    runs: Sequence[pd.DataFrame],
    numerator: Sequence[str],
    denominator: Sequence[str],
    day: float,
    reference_day: float,
) -> float:
    """(numerator / denominator at ``day``) / (numerator / denominator at ``reference_day``)."""
    ts = runs[0]

    def ratio(d: float) -> float:
        den = value_at(ts, denominator, d)
        return value_at(ts, numerator, d) / den if den > 0 else math.inf

    before = ratio(reference_day)
    return ratio(day) / before if before > 0 else math.nan


def arm_ratio(
    runs: Sequence[pd.DataFrame],
    metric: Sequence[str],
    window: Sequence[float],
    shift_days: float = 0.0,
) -> float:
    """Mean ``metric`` over ``window`` in the second arm / the same in the first (treated /
    control, the same seed in both). ``shift_days`` moves the second arm's window later: the
    same time after an event that comes that much later in it (a delayed repair)."""
    control = window_mean(runs[0], metric, window)
    later = [day + shift_days for day in window]
    return window_mean(runs[1], metric, later) / control if control > 0 else math.nan


def arm_difference(
    runs: Sequence[pd.DataFrame], metric: Sequence[str], window: Sequence[float]
) -> float:
    """Mean ``metric`` over ``window`` in the second arm minus the same in the first (treated -
    control, the same seed in both: a matched twin)."""
    return window_mean(runs[1], metric, window) - window_mean(runs[0], metric, window)


def rate_mm_per_day(
    runs: Sequence[pd.DataFrame], metric: Sequence[str], from_day: float, to_day: float
) -> float:
    """Mean rate of change of ``metric`` (in µm) between two days, in mm per day."""
    ts = runs[0]
    gained_um = value_at(ts, metric, to_day) - value_at(ts, metric, from_day)
    return gained_um / 1000.0 / (to_day - from_day)


def value_at_day(runs: Sequence[pd.DataFrame], metric: Sequence[str], day: float) -> float:
    """``metric`` at ``day``."""
    return value_at(runs[0], metric, day)


def half_life_days(runs: Sequence[pd.DataFrame], metric: Sequence[str], after_day: float) -> float:
    """Days from the peak of ``metric`` after ``after_day`` until it first falls to half of that
    peak (nan when it never does within the run)."""
    ts = runs[0]
    later = (ts["day"] >= after_day).to_numpy()
    days = ts["day"].to_numpy()[later]
    values = series(ts, metric).to_numpy()[later]
    k = int(values.argmax())
    below = np.flatnonzero(values[k:] <= 0.5 * values[k])
    return float(days[k + below[0]] - days[k]) if below.size and values[k] > 0 else math.nan


def converted(
    runs: Sequence[pd.DataFrame],
    metric: Sequence[str],
    from_day: float,
    day: float,
    below: float,
    at_least: float,
) -> float:
    """1 when ``metric`` was below ``below`` at ``from_day`` and is at least ``at_least`` at
    ``day``, else 0; nan when it was not below ``below`` at ``from_day`` (the seed is not in the
    population the anchor speaks of). The mean over seeds is the share that converted (an AIS A
    patient who is B or better later)."""
    ts = runs[0]
    if not value_at(ts, metric, from_day) < below:
        return math.nan
    return 1.0 if value_at(ts, metric, day) >= at_least else 0.0


#: Statistic kinds by name, as anchor files name them.
KINDS: dict[str, Callable[..., float]] = {
    "peak_day": peak_day,
    "fraction_of_peak": fraction_of_peak,
    "ratio_of_days": ratio_of_days,
    "ratio_change": ratio_change,
    "arm_ratio": arm_ratio,
    "arm_difference": arm_difference,
    "rate_mm_per_day": rate_mm_per_day,
    "value_at_day": value_at_day,
    "half_life_days": half_life_days,
    "converted": converted,
}

#: Kinds whose nan means "this seed is not in the population the anchor speaks of" (left out
#: of the mean), not "no value" (which fails the anchor).
POPULATION_KINDS = frozenset({"converted"})

#: How many arms each kind compares.
ARMS: dict[str, int] = {kind: 2 if kind.startswith("arm_") else 1 for kind in KINDS}


def compute(kind: str, runs: Sequence[pd.DataFrame], params: dict[str, Any]) -> float:
    """Statistic ``kind`` of one seed's ``runs`` with ``params``."""
    return KINDS[kind](runs, **params)
