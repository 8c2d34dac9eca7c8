"""The qualitative trends NerveSim must show, measured over many seeds.

Each :class:`Trend` names the scenario arms it needs, computes one *effect* per seed (positive
when the trend holds) and passes when the mean effect exceeds its stated margin and the lower
end of the 95 % confidence interval over seeds is above zero. Tests and ``nervesim validate``
use the same definitions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.runs.branching import families, run_shared
from simulation.runs.pool import local_pool, settle_worker
from simulation.scenario.schema import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


@dataclass(frozen=True)
class Arm:
    """A scenario file run for a number of days, optionally with dotted-key overrides."""

    scenario: str
    days: float
    overrides: tuple[tuple[str, object], ...] = ()

    @property
    def label(self) -> str:
        """The scenario stem, plus any overrides."""
        stem = self.scenario.removesuffix(".toml")
        extra = ", ".join(f"{k}={v}" for k, v in self.overrides)
        return f"{stem} ({extra})" if extra else stem


@dataclass(frozen=True)
class Trend:
    """A trend: which arms, how to measure it per seed, and how much it must show."""

    key: str
    statement: str
    arms: tuple[Arm, ...]
    effect: Callable[[Sequence[pd.DataFrame]], float]
    margin: float
    units: str


@dataclass(frozen=True)
class TrendResult:
    """The measured effect of one trend over seeds."""

    trend: Trend
    effects: np.ndarray

    @property
    def mean(self) -> float:
        """Mean effect over seeds."""
        return float(np.mean(self.effects))

    @property
    def ci95(self) -> tuple[float, float]:
        """95 % confidence interval of the mean (normal approximation over seeds)."""
        n = len(self.effects)
        half = 1.96 * float(np.std(self.effects, ddof=1)) / math.sqrt(n) if n > 1 else math.inf
        return self.mean - half, self.mean + half

    @property
    def passed(self) -> bool:
        """Mean beyond the margin and the interval clear of zero."""
        return self.mean > self.trend.margin and self.ci95[0] > 0.0


# ------------------------------------------------------------------------------ measurements
def at_day(ts: pd.DataFrame, column: str, day: float) -> float:
    """``column`` at the recorded day nearest ``day``."""
    return float(ts.loc[(ts["day"] - day).abs().idxmin(), column])


def _window(ts: pd.DataFrame, column: str, lo: float, hi: float) -> float:
    rows = ts[(ts["day"] >= lo) & (ts["day"] <= hi)]
    return float(rows[column].sum())


def window_mean(ts: pd.DataFrame, column: str, lo: float, hi: float) -> float:
    """Mean of ``column`` over the recorded days in ``[lo, hi]``."""
    rows = ts[(ts["day"] >= lo) & (ts["day"] <= hi)]
    return float(rows[column].mean())


def _peak_day(ts: pd.DataFrame, values: pd.Series) -> float:
    return float(ts.loc[values.idxmax(), "day"])


def _first_day(ts: pd.DataFrame, mask: pd.Series, default: float) -> float:
    days = ts.loc[mask, "day"]
    return float(days.iloc[0]) if len(days) else default


def neutrophils_peak_before_macrophages(runs: Sequence[pd.DataFrame]) -> float:
    """Days from the neutrophil peak to the macrophage (M1 + M2) peak."""
    (ts,) = runs
    macrophages = ts["macrophages_m1_count"] + ts["macrophages_m2_count"]
    return _peak_day(ts, macrophages) - _peak_day(ts, ts["neutrophils_count"])


def m1_share_rises_after_first_week(runs: Sequence[pd.DataFrame]) -> float:
    """M2 share of macrophages in days 3-7 minus that in days 14-28 (M1:M2 ratio rises)."""
    (ts,) = runs

    def m2_share(lo: float, hi: float) -> float:
        m1 = _window(ts, "macrophages_m1_count", lo, hi)
        m2 = _window(ts, "macrophages_m2_count", lo, hi)
        return m2 / (m1 + m2) if m1 + m2 > 0 else 0.0

    return m2_share(3, 7) - m2_share(14, 28)


def scar_rises_then_plateaus(runs: Sequence[pd.DataFrame]) -> float:
    """Scar growth rate over days 5-14 minus twice the rate of change over days 14-28 (/day)."""
    (ts,) = runs
    s5, s14, s28 = (at_day(ts, "scar_area_fraction", d) for d in (5, 14, 28))
    return (s14 - s5) / 9.0 - 2.0 * abs(s28 - s14) / 14.0


def crush_bridges_5x_spinal(runs: Sequence[pd.DataFrame]) -> float:
    """Crush bridged fraction at day 28 minus 5 x the spinal cord's."""
    spinal, crush = runs
    return at_day(crush, "axons_bridged_fraction", 28) - 5.0 * at_day(
        spinal, "axons_bridged_fraction", 28
    )


def crush_clears_debris_sooner(runs: Sequence[pd.DataFrame]) -> float:
    """Days by which the crush reaches half its peak debris before the spinal cord does."""
    spinal, crush = runs
    half = [
        _first_day(ts, ts["debris_remaining_fraction"] <= 0.5, float(ts["day"].max()) + 1)
        for ts in (spinal, crush)
    ]
    return half[0] - half[1]


def transection_reinnervates_later(runs: Sequence[pd.DataFrame]) -> float:
    """Days by which half the transected axons reach the muscle after half the crushed ones."""
    crush, cut = runs
    reached = [
        _first_day(ts, ts["reinnervated_fraction"] >= 0.5, float(ts["day"].max()) + 1)
        for ts in (crush, cut)
    ]
    return reached[1] - reached[0]


def transection_ends_with_less_muscle(runs: Sequence[pd.DataFrame]) -> float:
    """Muscle mass index at day 56: crush minus transection."""
    crush, cut = runs
    return at_day(crush, "muscle_mass_index", 56) - at_day(cut, "muscle_mass_index", 56)


SPINAL = Arm("spinal_cord_untreated.toml", 42)
CRUSH_56 = Arm("peripheral_crush_untreated.toml", 56)
CUT_56 = Arm("peripheral_transection_untreated.toml", 56)

UNTREATED_TRENDS: tuple[Trend, ...] = (
    Trend(
        "neutrophils_first",
        "neutrophils peak before macrophages (spinal cord)",
        (SPINAL,),
        neutrophils_peak_before_macrophages,
        2.0,
        "days",
    ),
    Trend(
        "m1_m2_rises",
        "M1:M2 ratio higher in days 14-28 than 3-7 (M2 share falls)",
        (SPINAL,),
        m1_share_rises_after_first_week,
        0.01,
        "M2 share",
    ),
    Trend(
        "scar_plateaus",
        "scar area rises over days 5-14, then changes < half as fast",
        (SPINAL,),
        scar_rises_then_plateaus,
        0.0,
        "area fraction/day",
    ),
    Trend(
        "crush_bridges_more",
        "crush bridges >= 5x the axons of spinal cord by day 28",
        (SPINAL, CRUSH_56),
        crush_bridges_5x_spinal,
        0.3,
        "bridged fraction",
    ),
    Trend(
        "crush_clears_sooner",
        "crush clears half its debris >= 7 days before spinal cord",
        (SPINAL, CRUSH_56),
        crush_clears_debris_sooner,
        7.0,
        "days",
    ),
    Trend(
        "cut_reinnervates_later",
        "a 1 mm transection gap reinnervates later than a crush",
        (CRUSH_56, CUT_56),
        transection_reinnervates_later,
        3.0,
        "days",
    ),
    Trend(
        "cut_less_muscle",
        "a 1 mm transection ends day 56 with less muscle than a crush",
        (CRUSH_56, CUT_56),
        transection_ends_with_less_muscle,
        0.03,
        "muscle index",
    ),
)


# ------------------------------------------------------------------------------ running
def _scenario(arm: Arm):
    scenario = load_scenario(SCENARIO_DIR / arm.scenario)
    return scenario.with_overrides(dict(arm.overrides)) if arm.overrides else scenario


def _run_family(job: tuple[tuple[Arm, ...], int]) -> list[pd.DataFrame]:
    """One seed of a family of arms, their common start simulated once (``run_shared``)."""
    settle_worker()  # once per process
    arms, seed = job
    results = run_shared(
        [_scenario(arm) for arm in arms], seed=seed, days=[a.days for a in arms], snapshots=False
    )
    return [r.timeseries for r in results]


def run_arms(
    arms: Iterable[Arm], seeds: Sequence[int], workers: int = 1, progress=None
) -> dict[Arm, list[pd.DataFrame]]:
    """Time series of every arm for every seed (same seed list for all arms).

    Arms that differ only in their therapies run as one task per seed that simulates their
    common start once (``simulation.runs.branching``; every series is what the arm gives alone),
    when there are at least two seeds per worker (else the few large tasks would leave a
    worker idle at the end, and each run is its own task).
    ``progress`` is called once per finished run.
    """
    arms = list(dict.fromkeys(arms))
    if len(seeds) >= 2 * workers:
        groups = families([_scenario(arm) for arm in arms])
        groups.sort(key=lambda g: -sum(arms[i].days for i in g))  # longest tasks first
        kin = [tuple(arms[i] for i in g) for g in groups]
    else:
        kin = [(arm,) for arm in arms]
    jobs = [(family, s) for family in kin for s in seeds]
    results: dict[int, list[pd.DataFrame]] = {}
    if workers > 1:
        pool = local_pool(workers)
        try:
            futures = {pool.submit(_run_family, job): k for k, job in enumerate(jobs)}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                for _ in range(len(jobs[futures[fut]][0]) if progress else 0):
                    progress()
        finally:  # on Ctrl-C or an error: drop the queued runs, let the running ones end
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        for k, job in enumerate(jobs):
            results[k] = _run_family(job)
            for _ in range(len(job[0]) if progress else 0):
                progress()
    out: dict[Arm, list[pd.DataFrame]] = {arm: [] for arm in arms}
    for k, (family, _) in enumerate(jobs):  # seeds in order within every arm
        for arm, ts in zip(family, results[k], strict=True):
            out[arm].append(ts)
    return out


def measure(trends: Iterable[Trend], runs: dict[Arm, list[pd.DataFrame]]) -> list[TrendResult]:
    """The per-seed effects of each trend from already-run arms."""
    results = []
    for trend in trends:
        per_arm = [runs[a] for a in trend.arms]
        n = min(len(r) for r in per_arm)
        effects = np.array([trend.effect([r[i] for r in per_arm]) for i in range(n)])
        results.append(TrendResult(trend, effects))
    return results
