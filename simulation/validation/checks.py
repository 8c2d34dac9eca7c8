"""The qualitative trends NerveSim must show, measured over many seeds.

Each :class:`Trend` names the scenario arms it needs, computes one *effect* per seed (positive
when the trend holds) and passes when the mean effect exceeds its stated margin and the lower
end of the 95 % confidence interval over seeds is above zero. Tests and ``nervesim validate``
use the same definitions.

The checks are honest (``DESIGN.md``, "Honest checks"): a trend is measured over the whole
window where the literature says it holds; a peak is judged in the absolute window of its anchor
(``REFERENCE.md``), never relative to another peak; a margin is the literature's effect size where
one is published (the trend's ``source`` cites it) and otherwise the stated least effect, never
lowered to make a trend pass; an ablation that switches off the only path of an effect is a
unit test (``tests/test_ablations.py``), not a trend. A trend the current model is measured to
miss says so in ``known_miss`` and stays failing until the model is fixed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.runs.branching import families, run_shared
from simulation.runs.budget import RunBudgetError
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
    #: Where the claim and its margin come from (an anchor id of REFERENCE.md, a citation), or
    #: that no effect size is published.
    source: str = ""
    #: Why the current model is measured to miss this trend (an issue that will fix it), or ""
    #: when it must hold. ``nervesim validate`` reports a known miss as FAIL but does not fail
    #: on it.
    known_miss: str = ""


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


def _macrophages(ts: pd.DataFrame) -> pd.Series:
    return ts["macrophages_m1_count"] + ts["macrophages_m2_count"]


def in_window(day: float, lo: float, hi: float) -> float:
    """Signed distance of ``day`` from the nearer edge of ``[lo, hi]`` (days): positive inside
    the window, negative outside."""
    return min(day - lo, hi - day)


def peak_in_window(column: str, lo: float, hi: float):
    """Effect: how far inside days ``[lo, hi]`` the peak of ``column`` falls (days, negative
    when outside)."""

    def effect(runs: Sequence[pd.DataFrame]) -> float:
        (ts,) = runs
        values = _macrophages(ts) if column == "macrophages" else ts[column]
        return in_window(_peak_day(ts, values), lo, hi)

    effect.__doc__ = f"Days inside [{lo:g}, {hi:g}] of the {column} peak (negative: outside)."
    return effect


def share_of_peak_at(column: str, day: float, bound: float, at_most: bool):
    """Effect: ``column`` at ``day`` as a share of its peak, measured against ``bound``
    (``bound - share`` when the share must be at most ``bound``, else ``share - bound``)."""

    def effect(runs: Sequence[pd.DataFrame]) -> float:
        (ts,) = runs
        values = _macrophages(ts) if column == "macrophages" else ts[column]
        peak = float(values.max())
        share = float(values.loc[(ts["day"] - day).abs().idxmin()]) / peak if peak > 0 else 0.0
        return bound - share if at_most else share - bound

    word = "at most" if at_most else "at least"
    effect.__doc__ = f"{column} at day {day:g} as a share of its peak, {word} {bound:g}."
    return effect


def m1_m2_ratio_doubles(runs: Sequence[pd.DataFrame]) -> float:
    """log2 of (M1:M2 at day 21) / (M1:M2 at day 5), minus 1: positive when the ratio more than
    doubles. Each ratio is of the counts summed over the records within a day of that day, with
    0.5 added to each (Haldane's correction, so a window without M2 cells gives a finite
    ratio)."""
    (ts,) = runs

    def ratio(day: float) -> float:
        m1 = _window(ts, "macrophages_m1_count", day - 1, day + 1) + 0.5
        m2 = _window(ts, "macrophages_m2_count", day - 1, day + 1) + 0.5
        return m1 / m2

    return math.log2(ratio(21) / ratio(5)) - 1.0


def scar_mature_by_day_14(runs: Sequence[pd.DataFrame]) -> float:
    """Scar area at day 14 as a share of that at day 56, minus 0.8."""
    (ts,) = runs
    late = at_day(ts, "scar_area_fraction", 56)
    early = at_day(ts, "scar_area_fraction", 14)
    return (early / late if late > 0 else 0.0) - 0.8


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


#: The untreated spinal cord over 8 weeks: long enough to judge the scar at day 56 and the
#: macrophages at day 28.
SPINAL = Arm("spinal_cord_untreated.toml", 56)
CRUSH_56 = Arm("peripheral_crush_untreated.toml", 56)
CUT_56 = Arm("peripheral_transection_untreated.toml", 56)

_HELLENBRAND = "sci.neutrophil_peak: Hellenbrand et al. 2021; Stirling & Yong 2008"
_POPOVICH = "sci.macrophage_peak: Popovich et al. 1997; Beck et al. 2010"
_NO_SIZE = "no published effect size; the margin is the model's least effect worth reporting"

UNTREATED_TRENDS: tuple[Trend, ...] = (
    Trend(
        "neutrophil_peak_day",
        "spinal neutrophils peak between day 0.5 and day 2",
        (SPINAL,),
        peak_in_window("neutrophils_count", 0.5, 2.0),
        0.0,
        "days inside",
        source=_HELLENBRAND + " (peak day 0.5-2)",
    ),
    Trend(
        "neutrophils_gone_day_10",
        "spinal neutrophils are at most 20 % of their peak by day 10",
        (SPINAL,),
        share_of_peak_at("neutrophils_count", 10, 0.2, at_most=True),
        0.0,
        "share of peak",
        source=_HELLENBRAND + " (<= 20 % of peak by day 10)",
    ),
    Trend(
        "macrophage_peak_day",
        "spinal macrophages (M1 + M2) peak between day 5 and day 10",
        (SPINAL,),
        peak_in_window("macrophages", 5.0, 10.0),
        0.0,
        "days inside",
        source=_POPOVICH + " (peak day 5-10)",
    ),
    Trend(
        "macrophages_stay_day_28",
        "spinal macrophages at day 28 are at least 40 % of their peak",
        (SPINAL,),
        share_of_peak_at("macrophages", 28, 0.4, at_most=False),
        0.0,
        "share of peak",
        source=_POPOVICH + " (>= 40 % of peak at day 28)",
    ),
    Trend(
        "m1_m2_rises",
        "spinal M1:M2 ratio at day 21 is more than twice that at day 5",
        (SPINAL,),
        m1_m2_ratio_doubles,
        0.0,
        "log2 beyond 2x",
        source="sci.m1_m2: Kigerl et al. 2009 (M1:M2 at day 21 > 2x that at day 5)",
    ),
    Trend(
        "scar_mature_day_14",
        "spinal scar is mature by day 14: area at day 14 >= 0.8 of that at day 56",
        (SPINAL,),
        scar_mature_by_day_14,
        0.0,
        "share of day 56",
        source="sci.scar_timing: Wanner et al. 2013 (scar at day 14 >= 0.8 of day 56)",
    ),
    Trend(
        "crush_bridges_more",
        "crush bridges >= 5x the axons of spinal cord by day 28",
        (SPINAL, CRUSH_56),
        crush_bridges_5x_spinal,
        0.3,
        "bridged fraction",
        source="sci.scar_not_sole_barrier, pni.regrowth (qualitative); " + _NO_SIZE,
    ),
    Trend(
        "crush_clears_sooner",
        "crush clears half its debris >= 7 days before spinal cord",
        (SPINAL, CRUSH_56),
        crush_clears_debris_sooner,
        7.0,
        "days",
        source="pni.wallerian (qualitative); " + _NO_SIZE,
    ),
    Trend(
        "cut_reinnervates_later",
        "a 1 mm transection gap reinnervates later than a crush",
        (CRUSH_56, CUT_56),
        transection_reinnervates_later,
        3.0,
        "days",
        source="pni.regrowth (delay ~2-4 days crush, ~1 week repaired transection); " + _NO_SIZE,
    ),
    Trend(
        "cut_less_muscle",
        "a 1 mm transection ends day 56 with less muscle than a crush",
        (CRUSH_56, CUT_56),
        transection_ends_with_less_muscle,
        0.03,
        "muscle index",
        source="pni.muscle_atrophy, pni.delayed_repair (qualitative); " + _NO_SIZE,
    ),
)


# ------------------------------------------------------------------------------ running
def _scenario(arm: Arm, draw: Mapping[str, Any] | None = None):
    """The arm's scenario; with ``draw`` (a posterior's parameter set) in place of the library
    defaults it leaves (:func:`simulation.calibration.posterior.apply_draw`)."""
    scenario = load_scenario(SCENARIO_DIR / arm.scenario)
    if draw:
        from simulation.calibration.posterior import apply_draw

        scenario = apply_draw(scenario, draw)
    return scenario.with_overrides(dict(arm.overrides)) if arm.overrides else scenario


def _run_family(job: tuple[tuple[Arm, ...], int, Mapping[str, Any] | None]) -> list[pd.DataFrame]:
    """One seed of a family of arms (with the seed's posterior draw, if any), their common
    start simulated once (``run_shared``)."""
    settle_worker()  # once per process
    arms, seed, draw = job
    results = run_shared(
        [_scenario(arm, draw) for arm in arms],
        seed=seed,
        days=[a.days for a in arms],
        snapshots=False,
    )
    return [r.timeseries for r in results]


def run_arms(
    arms: Iterable[Arm],
    seeds: Sequence[int],
    workers: int = 1,
    progress=None,
    stopped: dict[Arm, str] | None = None,
    posterior: Any = None,
) -> dict[Arm, list[pd.DataFrame]]:
    """Time series of every arm for every seed (same seed list for all arms).

    With ``posterior`` (a :class:`~simulation.calibration.posterior.Posterior`), the virtual
    animal of each seed also draws a parameter set from it, the same in every arm.

    Arms that differ only in their therapies run as one task per seed that simulates their
    common start once (``simulation.runs.branching``; every series is what the arm gives alone),
    when there are at least two seeds per worker (else the few large tasks would leave a
    worker idle at the end, and each run is its own task).
    ``progress`` is called once per finished run.

    A run over its budget raises :class:`~simulation.runs.budget.RunBudgetError`, unless
    ``stopped`` is given: then the other runs go on, each arm with a run stopped gets its
    one-line message in ``stopped`` (the first, by seed) and is left out of the result (the
    arms of its family that ran in the same task too).
    """
    arms = list(dict.fromkeys(arms))
    if len(seeds) >= 2 * workers:
        groups = families([_scenario(arm) for arm in arms])
        groups.sort(key=lambda g: -sum(arms[i].days for i in g))  # longest tasks first
        kin = [tuple(arms[i] for i in g) for g in groups]
    else:
        kin = [(arm,) for arm in arms]
    draws = {s: posterior.draw(s) if posterior is not None else None for s in seeds}
    jobs = [(family, s, draws[s]) for family in kin for s in seeds]
    results: dict[int, list[pd.DataFrame]] = {}
    errors: dict[int, RunBudgetError] = {}

    def done(k: int, get: Callable[[], list[pd.DataFrame]]) -> None:
        try:
            results[k] = get()
        except RunBudgetError as err:
            if stopped is None:
                raise
            errors[k] = err
        for _ in range(len(jobs[k][0]) if progress else 0):
            progress()

    if workers > 1:
        pool = local_pool(workers)
        try:
            futures = {pool.submit(_run_family, job): k for k, job in enumerate(jobs)}
            for fut in as_completed(futures):
                done(futures[fut], fut.result)
        finally:  # on Ctrl-C or an error: drop the queued runs, let the running ones end
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        for k, job in enumerate(jobs):
            done(k, partial(_run_family, job))
    out: dict[Arm, list[pd.DataFrame]] = {arm: [] for arm in arms}
    for k, (family, *_) in enumerate(jobs):  # seeds in order within every arm
        if k in errors:
            for arm in family:
                stopped.setdefault(arm, str(errors[k]))  # type: ignore[union-attr]
            continue
        for arm, ts in zip(family, results[k], strict=True):
            out[arm].append(ts)
    return {arm: series for arm, series in out.items() if arm not in (stopped or {})}


def measure(trends: Iterable[Trend], runs: dict[Arm, list[pd.DataFrame]]) -> list[TrendResult]:
    """The per-seed effects of each trend from already-run arms."""
    results = []
    for trend in trends:
        per_arm = [runs[a] for a in trend.arms]
        n = min(len(r) for r in per_arm)
        effects = np.array([trend.effect([r[i] for r in per_arm]) for i in range(n)])
        results.append(TrendResult(trend, effects))
    return results
