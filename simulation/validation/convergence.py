"""Resolution convergence: the same tissue on a finer grid, or with more neuron agents, must
tell the same story as the default scenario (like the convergence tests of PDE solvers).

:func:`refine` gives a scenario's tissue at ``dx_um / voxel_factor`` with ``voxel_factor``
times the voxels along and across the nerve (the same physical size) and
``neuron_factor`` times the neuron agents. :func:`run_variants` runs the base scenario and
each variant over many seeds (through :func:`simulation.runs.runner.run`, in a process pool),
:func:`criterion` compares the recorded metrics at a few days and :func:`plot_convergence`
draws the time series. Only the public API is used: scenario overrides, ``run`` and the
recorded metric columns, so the check keeps working while the model's internals change.

The criterion (the product's definition of "agree")
---------------------------------------------------
For every metric ``m`` and checkpoint day ``d``, with ``n`` seeds of the base scenario and ``n``
(independent) seeds of the variant::

    diff      = mean_variant(m, d) - mean_base(m, d)
    pooled_sd = sqrt((sd_base² + sd_variant²) / 2)          (sample sds over seeds)
    ok        <=>  |diff| <= K * pooled_sd + floor(m)        with K = 1

that is, the variant's mean lies within one seed-to-seed standard deviation of the base mean:
a grid or agent-count effect smaller than the model's own run-to-run spread cannot be seen in
any single run. ``floor`` is a small absolute allowance for metrics that are (nearly) zero in
every run (their sd is 0): 0.005 for fractions and indices, 1 cell/mm² for densities, 1e-4 au
for concentrations, 5 µm for lengths (:data:`FLOORS`).

Why K = 1. If the variant converges exactly, ``diff / pooled_sd`` is ~ t / sqrt(n / 2)
(sd ``sqrt(2 / n)``: 0.26 for n = 30), so K = 1 is 3.9 standard errors at n = 30: a false
"disagree" at one metric and day has probability 3e-4, and even if the ~140 comparisons of
a scenario's two variants were independent (they are correlated across days) at least one
false alarm would have probability < 4 % (at n = 20 it would be 36 %: hence
:data:`MIN_SEEDS` = 30; ``nervesim convergence`` warns below it). A smaller K (0.5, say) would
need about 120 seeds per arm for the same false-alarm rate. The check can fail: a true shift
of 1.5 sd is caught with probability ~0.97 at n = 30 and one of 2 sd with ~0.9999. The
per-voxel model fails it (its untreated spinal crossing at day 84 falls from 0.14 to 0.02 at
half the voxel size, -2.1 sd over 30 seeds, and its cell densities rise 4x), and so does a
deliberately grid-dependent change of the default grid, doubling the astrocyte density
(``docs/convergence.md``). The Welch t statistic of each difference is reported beside it
(not used for the verdict: with many seeds it flags differences far below the spread).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulation.scenario.schema import Scenario, parameter_info

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Pooled seed-to-seed standard deviations the variant's mean may differ from the base mean by.
K = 1.0
#: Seeds per arm below which the criterion's false-alarm rate is not controlled (see above).
MIN_SEEDS = 30
#: Checkpoint days (those within the run's length are used, plus its last day).
DAYS = (3.0, 7.0, 14.0, 28.0, 56.0, 84.0)

#: The compared metrics. Cell numbers are compared as densities (per mm² of tissue): a
#: ``*_per_mm2`` column when the run records one, else its ``*_count`` over the tissue area.
METRICS = (
    "neuron_survival_fraction",
    "axons_bridged_fraction",
    "axon_length_mean_um",
    "myelinated_fraction",
    "scar_area_fraction",
    "debris_remaining_fraction",
    "neutrophils_per_mm2",
    "macrophages_m1_per_mm2",
    "macrophages_m2_per_mm2",
    "inflammation_mean_au",
    "muscle_mass_index",
    "function_index",
)

#: Absolute allowance by the metric name's unit suffix (for metrics that are ~0 in every run).
FLOORS = {"_fraction": 0.005, "_index": 0.005, "_per_mm2": 1.0, "_au": 1e-4, "_um": 5.0}

#: The variants of :func:`refine` that ``nervesim convergence`` checks.
VARIANTS: dict[str, dict[str, int]] = {
    "voxels": {"voxel_factor": 2, "neuron_factor": 1},
    "neurons": {"voxel_factor": 1, "neuron_factor": 4},
}


# ------------------------------------------------------------------------------ refine
def _in_range(key: str, value: float) -> None:
    units, lo, hi = parameter_info(key)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(
            f"refine: {key} would be {value:g}, outside its range [{lo:g}, {hi:g}] {units}"
        )


def _factor(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"refine: {name} must be a whole number >= 1, not {value!r}")
    if value < 1:
        raise ValueError(f"refine: {name} must be a whole number >= 1, not {value!r}")
    return int(value)


def refine(scenario: Scenario, voxel_factor: int = 2, neuron_factor: int = 1) -> Scenario:
    """The same tissue at ``dx_um / voxel_factor`` (``voxel_factor`` times the voxels along
    and across, so the same physical size) with ``neuron_factor`` times the neuron agents.

    Raises:
        ValueError: a factor that is not a whole number >= 1, or a refined value outside the
            schema's range (one line, naming the key and its range).
    """
    fv = _factor("voxel_factor", voxel_factor)
    fn = _factor("neuron_factor", neuron_factor)
    g = scenario.grid
    new = {
        "grid.dx_um": g.dx_um / fv,
        "grid.width_voxels": g.width_voxels * fv,
        "grid.height_voxels": g.height_voxels * fv,
        "neuron.count": scenario.neuron.count * fn,
    }
    for key, value in new.items():
        _in_range(key, value)
    return scenario.with_overrides(new)


def tissue_area_mm2(scenario: Scenario) -> float:
    """The simulated tissue slice's area (mm²)."""
    g = scenario.grid
    return g.width_voxels * g.height_voxels * (g.dx_um / 1000.0) ** 2


# ------------------------------------------------------------------------------ running
def _run_one(job: tuple[Scenario, int, float | None]) -> pd.DataFrame:
    """One run's time series (in a pool worker)."""
    from simulation.runs.pool import settle_worker
    from simulation.runs.runner import run

    settle_worker()
    scenario, seed, days = job
    return run(scenario, seed=seed, days=days, snapshots=False).timeseries


def derived_metrics(ts: pd.DataFrame, area_mm2: float) -> pd.DataFrame:
    """``day`` and every metric of :data:`METRICS` the run recorded (densities from counts
    over ``area_mm2`` when the run records no ``*_per_mm2`` column)."""
    out = {"day": ts["day"].to_numpy(dtype=float)}
    for name in METRICS:
        if name in ts.columns:
            out[name] = ts[name].to_numpy(dtype=float)
        elif name.endswith("_per_mm2"):
            count = name.removesuffix("_per_mm2") + "_count"
            if count in ts.columns:
                out[name] = ts[count].to_numpy(dtype=float) / area_mm2
    return pd.DataFrame(out)


def run_variants(
    scenarios: Mapping[str, Scenario],
    variants: Mapping[str, Callable[[Scenario], Scenario]],
    seeds: int,
    workers: int = 1,
    days: float | None = None,
    progress: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Time series of every scenario ("base") and of each of its variants over ``seeds`` seeds.

    The base runs use seeds ``spawn_seeds(0, seeds)``, every variant ``spawn_seeds(1, seeds)``
    (independent samples). ``days`` overrides each scenario's length. Returns a tidy frame:
    ``scenario, variant, seed, day`` and the metric columns (:func:`derived_metrics`).
    """
    from simulation.runs.runner import spawn_seeds

    arms: list[tuple[str, str, Scenario]] = []
    for label, scenario in scenarios.items():
        arms.append((label, "base", scenario))
        arms.extend((label, name, make(scenario)) for name, make in variants.items())
    jobs: list[tuple[tuple[str, str, int], tuple[Scenario, int, float | None]]] = []
    for label, variant, scenario in arms:
        root = 0 if variant == "base" else 1
        jobs.extend(((label, variant, s), (scenario, s, days)) for s in spawn_seeds(root, seeds))
    # the finest grids first, so no worker is left with a long run at the end
    order = sorted(range(len(jobs)), key=lambda i: -_cost(jobs[i][1][0]))
    results: dict[int, pd.DataFrame] = {}
    if workers > 1:
        from simulation.runs.pool import local_pool

        pool = local_pool(workers)
        try:
            futures = {pool.submit(_run_one, jobs[i][1]): i for i in order}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if progress:
                    progress()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        for i in order:
            results[i] = _run_one(jobs[i][1])
            if progress:
                progress()
    frames = []
    for i, ((label, variant, seed), (scenario, _, _)) in enumerate(jobs):
        frame = derived_metrics(results[i], tissue_area_mm2(scenario))
        frames.append(frame.assign(scenario=label, variant=variant, seed=seed))
    out = pd.concat(frames, ignore_index=True)
    lead = ["scenario", "variant", "seed", "day"]
    return out[lead + [c for c in out.columns if c not in lead]]


def _cost(scenario: Scenario) -> float:
    g = scenario.grid
    return g.width_voxels * g.height_voxels * scenario.time.duration_days


# ------------------------------------------------------------------------------ criterion
#: Where the model is measured not to converge yet, by (scenario stem, variant, metric): the
#: checkpoint days and why. ``tests/test_convergence.py`` holds every other metric-day to the
#: criterion and reports these; each reason is what the 30-seed run showed (docs/convergence.md).
KNOWN_MISSES: dict[tuple[str, str, str], tuple[tuple[float, ...], str]] = {}


def known_miss(scenario: str, variant: str, metric: str, day: float) -> str:
    """Why ``metric`` at ``day`` is a known miss of ``variant`` of ``scenario`` ("" if not)."""
    days, reason = KNOWN_MISSES.get((scenario, variant, metric), ((), ""))
    return reason if day in days else ""


def floor(metric: str) -> float:
    """The absolute allowance of ``metric`` (by its unit suffix, :data:`FLOORS`)."""
    for suffix, value in FLOORS.items():
        if metric.endswith(suffix):
            return value
    return 0.0


def agree(
    base: np.ndarray | Sequence[float],
    refined: np.ndarray | Sequence[float],
    floor_value: float = 0.0,
    k: float = K,
) -> dict[str, float | bool]:
    """The criterion for one metric and day: samples over seeds of the base and the variant.

    Returns base_mean, refined_mean, diff, pooled_sd, ratio (diff / pooled_sd), tolerance,
    welch_t, welch_df and ok (``|diff| <= k * pooled_sd + floor_value``).
    """
    b = np.asarray(base, dtype=float)
    r = np.asarray(refined, dtype=float)
    if b.size < 2 or r.size < 2:
        raise ValueError("criterion: need at least 2 seeds per arm")
    vb, vr = float(b.var(ddof=1)), float(r.var(ddof=1))
    diff = float(r.mean() - b.mean())
    sd = math.sqrt((vb + vr) / 2.0)
    se2 = vb / b.size + vr / r.size
    tol = k * sd + floor_value
    if se2 > 0:
        t = diff / math.sqrt(se2)
        dof = se2**2 / ((vb / b.size) ** 2 / (b.size - 1) + (vr / r.size) ** 2 / (r.size - 1))
    else:
        t, dof = (0.0 if diff == 0 else math.copysign(math.inf, diff)), math.nan
    if sd > 0:
        ratio = diff / sd
    else:
        ratio = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return {
        "base_mean": float(b.mean()),
        "refined_mean": float(r.mean()),
        "diff": diff,
        "pooled_sd": sd,
        "ratio": ratio,
        "tolerance": tol,
        "welch_t": t,
        "welch_df": dof,
        "ok": bool(abs(diff) <= tol),
    }


def checkpoint_days(last_day: float, days: Iterable[float] = DAYS) -> list[float]:
    """``days`` within a run of ``last_day`` days, and the last day."""
    picked = [float(d) for d in days if 0 < d < last_day - 1e-9]
    return [*picked, float(last_day)]


def criterion(runs: pd.DataFrame, days: Iterable[float] = DAYS, k: float = K) -> pd.DataFrame:
    """The verdict for every scenario, variant, metric and checkpoint day of ``runs`` (from
    :func:`run_variants`): one row each, with the columns of :func:`agree`."""
    days = tuple(days)
    metrics = [m for m in METRICS if m in runs.columns]
    rows = []
    for label, frame in runs.groupby("scenario", sort=False):
        base = frame[frame["variant"] == "base"]
        last = float(base["day"].max())
        for variant in [v for v in pd.unique(frame["variant"]) if v != "base"]:
            other = frame[frame["variant"] == variant]
            for day in checkpoint_days(min(last, float(other["day"].max())), days):
                b, r = _at_day(base, day), _at_day(other, day)
                for metric in metrics:
                    verdict = agree(b[metric], r[metric], floor(metric), k)
                    rows.append(
                        {"scenario": label, "variant": variant, "metric": metric, "day": day}
                        | verdict
                        | {"n_base": len(b), "n_refined": len(r)}
                    )
    return pd.DataFrame(rows)


def _at_day(frame: pd.DataFrame, day: float) -> pd.DataFrame:
    """Each seed's row at the recorded day nearest ``day``."""
    idx = (frame["day"] - day).abs().groupby(frame["seed"]).idxmin()
    return frame.loc[idx.to_numpy()]


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and variant: comparisons, how many agree, the worst |ratio| and where."""
    rows = []
    for (label, variant), t in table.groupby(["scenario", "variant"], sort=False):
        worst = t.loc[t["ratio"].abs().idxmax()]
        bad = t[~t["ok"]]
        rows.append(
            {
                "scenario": label,
                "variant": variant,
                "checks": len(t),
                "agree": int(t["ok"].sum()),
                "worst_ratio": float(worst["ratio"]),
                "worst": f"{worst['metric']} day {worst['day']:g}",
                "failing_metrics": ", ".join(dict.fromkeys(bad["metric"])) or "-",
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ figures
def convergence_figure(runs: pd.DataFrame, scenario: str, table: pd.DataFrame | None = None):
    """One scenario's sheet: a panel per metric, the mean over seeds of the base and of each
    variant over time with a ±1 sd band; checkpoints that fail the criterion are marked."""
    from matplotlib.figure import Figure

    from simulation._version import ILLUSTRATIVE_LABEL

    frame = runs[runs["scenario"] == scenario]
    metrics = [m for m in METRICS if m in frame.columns]
    cols = 4
    rows = -(-len(metrics) // cols)
    fig: Figure = Figure(figsize=(3.3 * cols, 2.4 * rows + 0.9), dpi=110, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True).ravel()
    variants = list(pd.unique(frame["variant"]))
    n = frame.groupby("variant")["seed"].nunique()
    for ax, metric in zip(axes, metrics, strict=False):
        for i, variant in enumerate(variants):
            g = frame[frame["variant"] == variant].groupby("day")[metric]
            mean, sd = g.mean(), g.std(ddof=1).fillna(0.0)
            days = mean.index.to_numpy(dtype=float)
            label = f"{variant} ({int(n[variant])} seeds)"
            ax.plot(days, mean.to_numpy(), color=f"C{i}", lw=1.4, label=label)
            ax.fill_between(days, mean - sd, mean + sd, color=f"C{i}", alpha=0.18, lw=0)
        if table is not None:
            bad = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
            for i, variant in enumerate(variants):
                days = bad.loc[~bad["ok"] & (bad["variant"] == variant), "day"]
                for day in sorted(set(days)):
                    ax.axvline(day, color=f"C{i}", lw=0.9, alpha=0.7, ls=":")
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    for ax in axes[-cols:]:
        ax.set_xlabel("day after injury", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right upper", fontsize=8)
    fig.suptitle(
        f"{scenario}: base vs refined, mean ± 1 sd over seeds"
        + (" (dotted: checkpoints outside the tolerance)" if table is not None else ""),
        fontsize=10,
    )
    fig.supxlabel(ILLUSTRATIVE_LABEL, fontsize=7.5, color="0.3")
    return fig


def plot_convergence(
    runs: pd.DataFrame, out_dir: str | Path, table: pd.DataFrame | None = None
) -> list[Path]:
    """One PNG per scenario of ``runs`` (:func:`convergence_figure`) in ``out_dir``."""
    from simulation.cli.common import file_stem

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario in pd.unique(runs["scenario"]):
        path = out / f"convergence_{file_stem(str(scenario))}.png"
        convergence_figure(runs, str(scenario), table).savefig(path, format="png")
        written.append(path)
    return written


def variant_makers(names: Iterable[str]) -> dict[str, Callable[[Scenario], Scenario]]:
    """:func:`refine` with the factors of each named variant of :data:`VARIANTS`."""

    def maker(factors: dict[str, Any]) -> Callable[[Scenario], Scenario]:
        return lambda s: refine(s, **factors)

    return {name: maker(VARIANTS[name]) for name in names}
