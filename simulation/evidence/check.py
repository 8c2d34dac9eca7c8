"""Holding the model to the anchors: run what they need over seeds, judge each, draw each.

An anchor holds when the mean of its statistic over seeds lies in its band (and, for
``interval_inside`` anchors, the whole 95 % t-interval does). A statistic that cannot be
computed for a seed (nan: a peak of zero, a level that never halves) counts against it,
except where nan means the seed is outside the population the anchor speaks of (an AIS
conversion counts only patients graded A at first). An anchor about a share of patients runs
its own cohort of seeds (``patients``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.evidence.anchors import Anchor
from simulation.evidence.statistics import POPULATION_KINDS, compute
from simulation.runs.compare import t_interval
from simulation.runs.runner import spawn_seeds
from simulation.validation.checks import Arm, run_arms


@dataclass(frozen=True)
class AnchorResult:
    """One anchor's statistic over seeds, and whether the model meets it."""

    anchor: Anchor
    values: np.ndarray

    @property
    def interval(self) -> tuple[float, float, float]:
        """Mean and 95 % t-interval over seeds (nan when a seed had no value)."""
        if not np.all(np.isfinite(self.values)):
            return math.nan, math.nan, math.nan
        return t_interval(self.values)

    @property
    def passed(self) -> bool:
        """The mean in the band (and the interval, for ``interval_inside``)."""
        mean, lo, hi = self.interval
        a = self.anchor
        if not math.isfinite(mean):
            return False
        if a.interval_inside:
            return a.low < lo and hi < a.high
        return a.low <= mean <= a.high


def extend_seeds(seeds: Sequence[int], n: int) -> list[int]:
    """``seeds``, extended to ``n`` by more seeds of the same scheme (``spawn_seeds(0, k)``
    starts with the first ``j`` of ``spawn_seeds(0, m)`` for ``j <= m``, so a cohort holds the
    seeds every anchor used); ``seeds`` itself when it has ``n`` already."""
    if n <= len(seeds):
        return list(seeds)
    have = set(seeds)
    more = [s for s in spawn_seeds(0, n + len(seeds)) if s not in have]
    return [*seeds, *more[: n - len(seeds)]]


def seeds_for(anchor: Anchor, seeds: Sequence[int]) -> list[int]:
    """The seeds ``anchor`` is judged over: ``seeds``, or its larger cohort (``patients``)."""
    return extend_seeds(seeds, anchor.patients)


def arms_needed(anchors: Iterable[Anchor]) -> list[Arm]:
    """Every arm the encodable ``anchors`` need, once each (longest days per scenario)."""
    longest: dict[str, float] = {}
    for anchor in anchors:
        for arm in anchor.model_arms:
            longest[arm.scenario] = max(longest.get(arm.scenario, 0.0), arm.days)
    return [Arm(scenario, days) for scenario, days in longest.items()]


def cohort_sizes(anchors: Iterable[Anchor], seeds: Sequence[int]) -> dict[Arm, int]:
    """How many seeds each arm of :func:`arms_needed` runs: ``len(seeds)``, or the larger
    cohort an anchor on it asks for (:func:`seeds_for`)."""
    anchors = list(anchors)
    sizes: dict[str, int] = {}
    for anchor in anchors:
        n = max(len(seeds), anchor.patients)
        for arm in anchor.arms:
            sizes[arm.scenario] = max(sizes.get(arm.scenario, 0), n)
    return {arm: sizes[arm.scenario] for arm in arms_needed(anchors)}


def runs_needed(anchors: Iterable[Anchor], seeds: Sequence[int]) -> int:
    """How many runs :func:`evaluate` makes (for a progress bar)."""
    return sum(cohort_sizes(anchors, seeds).values())


def judge(
    anchors: Sequence[Anchor], runs: dict[Arm, list[pd.DataFrame]], seeds: int | None = None
) -> list[AnchorResult]:
    """Each encodable anchor's statistic per seed from already-run arms (``runs``: one time
    series per seed for each arm of :func:`arms_needed`, the seeds in the same order; the first
    ``seeds`` of them are every anchor's, the rest an anchor's larger cohort; None: every
    anchor takes every seed there is). A seed outside
    the population a statistic speaks of (:data:`POPULATION_KINDS`) is left out."""
    by_scenario = {arm.scenario: series for arm, series in runs.items()}
    results = []
    for anchor in anchors:
        if not anchor.encodable:
            continue
        per_arm = [by_scenario[a.scenario] for a in anchor.arms]
        n = min(len(r) for r in per_arm)
        if seeds is not None:
            n = min(n, max(seeds, anchor.patients))
        kind = anchor.statistic["kind"]
        values = np.array([compute(kind, [r[i] for r in per_arm], anchor.params) for i in range(n)])
        if kind in POPULATION_KINDS:
            values = values[~np.isnan(values)]
        results.append(AnchorResult(anchor, values))
    return results


def evaluate(
    anchors: Sequence[Anchor],
    seeds: Sequence[int],
    workers: int = 1,
    progress: Callable[[], None] | None = None,
) -> list[AnchorResult]:
    """Run every arm the encodable ``anchors`` need for every seed (an anchor's larger cohort
    where it asks for one), then judge each anchor.

    Each scenario runs once per seed for the longest days any anchor asks of it; arms that
    differ only in their therapies share their start (:func:`run_arms`).
    """
    encodable = [a for a in anchors if a.encodable]
    runs: dict[Arm, list[pd.DataFrame]] = {}
    sizes = cohort_sizes(encodable, seeds)
    for n in sorted(set(sizes.values())):
        group = [arm for arm, m in sizes.items() if m == n]
        cohort = extend_seeds(seeds, n)
        runs.update(run_arms(group, cohort, workers, progress=progress))
    return judge(encodable, runs, len(seeds))


def _draw(ax: Any, result: AnchorResult) -> None:
    """The published band, the model's value per seed, its mean and 95 % interval."""
    a = result.anchor
    mean, lo, hi = result.interval
    finite = result.values[np.isfinite(result.values)]
    span = [v for v in (a.low, a.high, *finite) if math.isfinite(v)]
    pad = 0.15 * (max(span) - min(span) or 1.0)
    band_lo = a.low if math.isfinite(a.low) else min(span) - pad
    band_hi = a.high if math.isfinite(a.high) else max(span) + pad
    ax.axvspan(band_lo, band_hi, color="tab:green", alpha=0.2, label="published band")
    ax.plot(finite, np.zeros_like(finite), "o", color="0.4", alpha=0.6, label="model, per seed")
    if math.isfinite(mean):
        ax.errorbar([mean], [0.0], xerr=[[mean - lo], [hi - mean]], fmt="D", color="black",
                    capsize=4, label="model mean, 95 % interval")  # fmt: skip
    ax.set_yticks([])
    label = f"{a.measure} ({a.units})" if a.units else a.measure
    ax.set_xlabel(textwrap.fill(label, 110), fontsize=7)  # long measures wrap, not cut off
    verdict = "meets" if result.passed else "MISSES"
    ax.set_title(f"{a.id}: model {verdict} the anchor", fontsize=9)
    ax.set_xlim(min(span) - pad, max(span) + pad)


def figure(result: AnchorResult) -> Any:
    """One anchor's matplotlib figure, with its citation and the illustrative label."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulation._version import ILLUSTRATIVE_LABEL

    fig, ax = plt.subplots(figsize=(6.4, 2.4))
    _draw(ax, result)
    ax.legend(fontsize=7, loc="upper right")
    fig.text(0.01, 0.01, f"{result.anchor.citation}\n{ILLUSTRATIVE_LABEL}", fontsize=6)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def plot(results: Sequence[AnchorResult], out: Path) -> list[Path]:
    """One figure per anchor (see :func:`figure`) and a summary sheet of all of them, as PNG
    files in ``out``; returns the files written."""
    import matplotlib.pyplot as plt

    from simulation._version import ILLUSTRATIVE_LABEL

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        fig = figure(result)
        path = out / f"{result.anchor.id}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    if results:
        height = 1.6 * len(results) + 0.8
        fig, axes = plt.subplots(len(results), 1, figsize=(7.0, height))
        for ax, result in zip(np.atleast_1d(axes), results, strict=True):
            _draw(ax, result)
        title = f"NerveSim against published anchors\n{ILLUSTRATIVE_LABEL}"
        fig.suptitle(title, fontsize=8, y=1 - 0.1 / height, va="top")
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / height))  # room for the two-line title
        path = out / "summary.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        written.append(path)
    return written


#: The library's calibration files (docs/calibration.md): the anchors they target were used to
#: fit the parameters (by hand in issue 13, then by these files, whose 90 % intervals hold the
#: library's values), so meeting them is a fit, not a test.
LIBRARY_CALIBRATIONS = ("untreated_default.toml",)


def fitted_by() -> dict[str, str]:
    """Anchor id -> the library calibration(s) that target it (comma-separated names)."""
    import tomllib

    from simulation.validation.checks import SCENARIO_DIR

    out: dict[str, list[str]] = {}
    for name in LIBRARY_CALIBRATIONS:
        path = SCENARIO_DIR / "calibrations" / name
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for anchor in data.get("targets", []):
            out.setdefault(str(anchor), []).append(path.stem)
    return {k: ", ".join(v) for k, v in out.items()}


def _fitted(anchor: Anchor, calibrations: dict[str, str]) -> str:
    """What fitted the library to ``anchor``: its calibration files and parameters set by hand."""
    parts = [calibrations.get(anchor.id, "")]
    if anchor.fitted_by_hand:
        parts.append("by hand: " + ", ".join(anchor.fitted_by_hand))
    return "; ".join(p for p in parts if p)


def table(
    results: Sequence[AnchorResult],
    skipped: Sequence[Anchor],
    elsewhere: Sequence[Anchor] = (),
) -> pd.DataFrame:
    """One row per anchor: id, result, model mean [95 % interval], band, units, what fitted it
    (empty for an independent check), citation. ``elsewhere``: encodable anchors not judged
    here (a cohort anchor on the dashboard), named for ``nervesim evidence``."""
    fitted = fitted_by()
    rows = []
    for r in results:
        mean, lo, hi = r.interval
        rows.append(
            {
                "anchor": r.anchor.id,
                "result": "PASS" if r.passed else "MISS",
                "model": (
                    f"{mean:.3g} [{lo:.3g}, {hi:.3g}]" if math.isfinite(mean) else "no value"
                ),
                "band": r.anchor.band_text(),
                "units": r.anchor.units,
                "fitted by": _fitted(r.anchor, fitted),
                "citation": r.anchor.citation,
            }
        )
    for a in skipped:
        rows.append(
            {
                "anchor": a.id,
                "result": "not encodable",
                "model": "",
                "band": "",
                "units": "",
                "fitted by": _fitted(a, fitted),
                "citation": f"{a.citation} ({a.reason})",
            }
        )
    for a in elsewhere:
        rows.append(
            {
                "anchor": a.id,
                "result": "command line",
                "model": "",
                "band": a.band_text(),
                "units": a.units,
                "fitted by": _fitted(a, fitted),
                "citation": f"{a.citation} (a share of patients: judged over a cohort of "
                f"{a.patients} virtual patients by `nervesim evidence --only {a.id}`, too long "
                "to run here)",
            }
        )
    return pd.DataFrame(rows)
