"""What a calibration leaves behind: the posterior, a scenario at its median, figures, a report.

* ``posterior.parquet``: the last generation's particles, one column per free parameter
  (natural units) and ``weight``; its metadata carries the calibration, its digest and the
  illustrative label.
* ``posterior_median.toml``: a scenario base file with every free parameter at its weighted
  posterior median; each value is preceded by ``# source = "calibrated: <file>, <date>"`` (the
  schema keeps sources in code, so a scenario file states them as comments; moving a value
  into the library's defaults copies that source into the schema).
* ``predictive.parquet``: statistics of each target anchor for posterior draws run again.
* ``figures/``: marginals, pairwise densities, posterior-predictive bands per anchor.
* ``report.md``: per parameter the prior range, the posterior median and 90 % interval and the
  shrinkage (1 - posterior 90 % width / prior 90 % width, in the sampling space) with its
  interval over resampled particles; with an effective sample size of at least
  :data:`MIN_ESS_SHARE` of the particles, "constrained" when that interval is at least
  :data:`CONSTRAINED_SHRINKAGE`, "left wide" when it is below, else undetermined.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.calibration.abc import CalibrationRun
from simulation.calibration.bridge import simulator
from simulation.calibration.spec import Calibration, FreeParameter
from simulation.runs.storage import write_parquet

#: Shrinkage from which a parameter counts as constrained by the anchors: its 90 % interval
#: is at most half as wide as the prior's. Assumed (a reading aid, not a test).
CONSTRAINED_SHRINKAGE = 0.5
#: Below this share of the particles, the final weights' effective sample size is too small for
#: the interval to say anything (the weights are too uneven): no verdict is read from it.
#: Assumed (a reading aid; half the particles is the usual resampling threshold of sequential
#: Monte Carlo): Kish's effective sample size, (sum w)^2 / sum w^2.
MIN_ESS_SHARE = 0.5
#: Resamples of the particles behind each shrinkage's uncertainty (:func:`shrinkage_interval`).
BOOTSTRAP_RESAMPLES = 2000


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of importance ``weights``: N for equal weights, 1 when one
    particle carries them all."""
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return total * total / float((w * w).sum()) if total > 0 else 0.0


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (inverse of the weighted CDF, midpoint
    rule)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / np.sum(w)
    return float(np.interp(q, cdf, v))


def shrinkage(q05: float, q95: float, span: float) -> float:
    """1 - the 90 % width ``q95 - q05`` over the prior's 90 % width (``0.9 span``)."""
    return 1.0 - (q95 - q05) / (0.9 * span)


def shrinkage_of(xs: np.ndarray, w: np.ndarray, span: float) -> float:
    """:func:`shrinkage` of the weighted 90 % interval of ``xs``."""
    return shrinkage(weighted_quantile(xs, w, 0.05), weighted_quantile(xs, w, 0.95), span)


def shrinkage_interval(
    xs: np.ndarray, w: np.ndarray, span: float, seed: int = 0
) -> tuple[float, float]:
    """The 90 % bootstrap interval of the shrinkage: the particles resampled with replacement
    (each keeps its weight) :data:`BOOTSTRAP_RESAMPLES` times, a fixed seed. Uneven weights
    widen it: a resample without the few heavy particles gives another interval. This says
    how far the 90 % width can be read, which Kish's effective sample size alone does not."""
    rng = np.random.default_rng(seed)
    n = len(xs)
    values = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        i = rng.integers(0, n, n)
        if w[i].sum() > 0:
            values.append(shrinkage_of(xs[i], w[i], span))
    lo, hi = np.quantile(values, [0.05, 0.95])
    return float(lo), float(hi)


def verdict(lo: float, hi: float, degenerate: bool = False) -> str:
    """What the anchors say of a parameter, from its shrinkage's bootstrap interval; none when
    the weights are ``degenerate`` (effective sample size under :data:`MIN_ESS_SHARE`)."""
    if degenerate:
        return "undetermined (weights uneven)"
    if lo >= CONSTRAINED_SHRINKAGE:
        return "constrained"
    if hi < CONSTRAINED_SHRINKAGE:
        return "left wide"
    return f"undetermined (shrinkage {lo:.2f} to {hi:.2f} over resamples)"


def summary(calibration: Calibration, posterior: pd.DataFrame) -> pd.DataFrame:
    """Per free parameter: prior, posterior median and 90 % interval, shrinkage with its
    bootstrap interval, verdict: none when the effective sample size is under
    :data:`MIN_ESS_SHARE` of the particles; else "constrained" when the whole interval is at
    least :data:`CONSTRAINED_SHRINKAGE`, "left wide" when it is all below, else undetermined."""
    w = posterior["weight"].to_numpy(dtype=float)
    degenerate = effective_sample_size(w) < MIN_ESS_SHARE * len(w)
    rows = []
    for p in calibration.parameters:
        x = posterior[p.key].to_numpy(dtype=float)
        xs = np.log10(x) if p.log else x
        q05, q50, q95 = (weighted_quantile(xs, w, q) for q in (0.05, 0.5, 0.95))
        a, b = p.bounds()
        lo, hi = shrinkage_interval(xs, w, b - a)
        back = (lambda v: 10.0**v) if p.log else (lambda v: v)
        rows.append(
            {
                "parameter": p.key,
                "units": p.units,
                "prior": p.prior_name,
                "prior_lo": p.lo,
                "prior_hi": p.hi,
                "default": p.default,
                "median": back(q50),
                "q05": back(q05),
                "q95": back(q95),
                "shrinkage": shrinkage(q05, q95, b - a),
                "shrinkage_lo": lo,
                "shrinkage_hi": hi,
                "verdict": verdict(lo, hi, degenerate),
            }
        )
    return pd.DataFrame(rows)


def _metadata(calibration: Calibration, run: CalibrationRun) -> dict[str, Any]:
    last = run.generations.iloc[-1] if len(run.generations) else None
    return {
        "calibration": calibration.spec.name,
        "calibration_file": str(calibration.path),
        "calibration_digest": calibration.digest(),
        "generation": int(last["t"]) if last is not None else -1,
        "predictive_draws": calibration.spec.predictive_draws,
        "epsilon": float(last["epsilon"]) if last is not None else math.nan,
        "parameters": {
            p.key: {"units": p.units, "prior": p.prior_name, "lo": p.lo, "hi": p.hi}
            for p in calibration.parameters
        },
        "nervesim_version": __version__,
        "label": ILLUSTRATIVE_LABEL,
    }


def _same_posterior(path: Path, meta: dict[str, Any], calibration: Calibration) -> bool:
    """Whether the predictive draws in ``path`` are of this posterior (digest and generation)
    and as many as the file asks for."""
    if not path.is_file():
        return False
    from simulation.runs.storage import read_metadata

    try:
        old = read_metadata(path)
    except (OSError, ValueError):
        return False
    return (
        old.get("calibration_digest") == meta["calibration_digest"]
        and old.get("generation") == meta["generation"]
        and old.get("predictive_draws") == calibration.spec.predictive_draws
    )


def source_text(calibration: Calibration, day: str | None = None) -> str:
    """``calibrated: <calibration file>, <date>``: the source a calibrated value carries."""
    day = day or datetime.now(UTC).date().isoformat()
    return f"calibrated: {calibration.path.name}, {day}"


def median_scenario_toml(calibration: Calibration, table: pd.DataFrame, day: str) -> str:
    """The posterior-median scenario base file's text (see the module)."""
    source = source_text(calibration, day)
    groups: dict[str, list[tuple[str, FreeParameter, float]]] = {}
    by_key = {p.key: p for p in calibration.parameters}
    for row in table.itertuples():
        p = by_key[str(row.parameter)]
        group, _, leaf = p.key.rpartition(".")
        groups.setdefault(group, []).append((leaf, p, float(row.median)))  # type: ignore[arg-type]
    lines = [
        f"# Posterior median of calibration {calibration.spec.name} ({calibration.path.name}).",
        f"# {ILLUSTRATIVE_LABEL}",
        '# Use as a base: base = "posterior_median.toml" in a scenario file (the other keys',
        "# keep the library's defaults). Each value's source is the comment above it.",
        f'name = "calibrated_{calibration.spec.name}"',
        f'description = "posterior median of calibration {calibration.spec.name}"',
    ]
    for group, items in groups.items():
        lines += ["", f"[{group}]"]
        for leaf, p, value in items:
            shown = str(round(value)) if p.kind == "int" else repr(float(f"{value:.6g}"))
            lines += [f'# source = "{source}"', f"{leaf} = {shown}"]
    return "\n".join(lines) + "\n"


def predictive(
    calibration: Calibration,
    posterior: pd.DataFrame,
    executor: Any = None,
    on_done: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Each target anchor's statistic for ``predictive_draws`` posterior draws (drawn by
    weight from the root seed), each run for ``seeds_per_particle`` seeds: one row per draw."""
    spec = calibration.spec
    n = spec.predictive_draws
    if n == 0 or posterior.empty:
        return pd.DataFrame()
    rng = np.random.default_rng([spec.root_seed, 11])
    picks = rng.choice(len(posterior), size=n, p=posterior["weight"].to_numpy())
    seeds = rng.integers(0, 2**31 - 1, size=(n, spec.seeds_per_particle))
    sim = simulator(calibration)
    jobs = [
        ({k: posterior[k].iloc[int(i)].item() for k in calibration.keys}, [int(s) for s in row])
        for i, row in zip(picks, seeds, strict=True)
    ]
    if executor is None:
        results = []
        for values, s in jobs:
            results.append(sim.statistics(values, s))
            if on_done is not None:
                on_done()
    else:
        futures = [executor.submit(sim.statistics, values, s) for values, s in jobs]
        results = []
        for f in futures:
            results.append(f.result())
            if on_done is not None:
                on_done()
    rows = [
        {"draw": k, **values, **stats}
        for k, ((values, _), stats) in enumerate(zip(jobs, results, strict=True))
    ]
    return pd.DataFrame(rows)


def figures(
    calibration: Calibration,
    posterior: pd.DataFrame,
    pred: pd.DataFrame,
    out: Path,
) -> list[Path]:
    """Marginals, pairwise densities and posterior-predictive bands, as PNG files in ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    params = calibration.parameters
    w = posterior["weight"].to_numpy()
    written = []

    def space(p: FreeParameter) -> np.ndarray:
        x = posterior[p.key].to_numpy(dtype=float)
        return np.log10(x) if p.log else x

    def label(p: FreeParameter) -> str:
        return f"log10 {p.key} ({p.units})" if p.log else f"{p.key} ({p.units})"

    fig, axes = plt.subplots(1, len(params), figsize=(3.2 * len(params), 2.8), squeeze=False)
    for ax, p in zip(axes[0], params, strict=True):
        a, b = p.bounds()
        ax.hist(space(p), bins=20, range=(a, b), weights=w, density=True, color="tab:blue",
                alpha=0.7, label="posterior")  # fmt: skip
        ax.axhline(1.0 / (b - a), color="0.5", ls="--", label="prior")
        default = math.log10(p.default) if p.log and p.default > 0 else p.default
        if a <= default <= b:
            ax.axvline(default, color="tab:red", label="library default")
        ax.set_xlabel(label(p), fontsize=7)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=6)
    fig.suptitle(f"{calibration.spec.name}: marginal posteriors\n{ILLUSTRATIVE_LABEL}", fontsize=7)
    fig.tight_layout()
    written.append(_save(fig, out / "marginals.png"))

    d = len(params)
    if d >= 2:
        fig, axes = plt.subplots(d, d, figsize=(2.2 * d, 2.2 * d), squeeze=False)
        for i, pi in enumerate(params):
            for j, pj in enumerate(params):
                ax = axes[i][j]
                if j > i:
                    ax.axis("off")
                    continue
                if i == j:
                    ax.hist(space(pi), bins=15, range=pi.bounds(), weights=w, color="tab:blue")
                else:
                    ax.hist2d(space(pj), space(pi), bins=12, range=[pj.bounds(), pi.bounds()],
                              weights=w, cmap="Blues")  # fmt: skip
                if i == d - 1:
                    ax.set_xlabel(label(pj), fontsize=6)
                if j == 0 and i > 0:
                    ax.set_ylabel(label(pi), fontsize=6)
                ax.tick_params(labelsize=6)
        fig.suptitle(f"{calibration.spec.name}: pairwise posterior\n{ILLUSTRATIVE_LABEL}",
                     fontsize=7)  # fmt: skip
        fig.tight_layout()
        written.append(_save(fig, out / "pairwise.png"))

    if not pred.empty:
        targets = calibration.targets
        fig, axes = plt.subplots(len(targets), 1, figsize=(6.4, 1.3 * len(targets) + 0.8),
                                 squeeze=False)  # fmt: skip
        for ax, t in zip(axes[:, 0], targets, strict=True):
            values = pred[t.id].to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            anc = t.anchor
            ends = (anc.low, anc.high) if t.value is None else (t.value,)
            span = [v for v in (*ends, *finite) if v is not None and
                    math.isfinite(v)]  # fmt: skip
            pad = 0.15 * ((max(span) - min(span)) or 1.0)
            if t.value is None:
                lo = anc.low if math.isfinite(anc.low) else min(span) - pad
                hi = anc.high if math.isfinite(anc.high) else max(span) + pad
                ax.axvspan(lo, hi, color="tab:green", alpha=0.2, label="published band")
            else:
                ax.axvline(t.value, color="tab:green", label="target value")
            ax.plot(finite, np.zeros_like(finite), "o", color="0.4", alpha=0.5,
                    label="posterior draws")  # fmt: skip
            if finite.size:
                q05, q50, q95 = np.quantile(finite, [0.05, 0.5, 0.95])
                ax.errorbar([q50], [0.0], xerr=[[q50 - q05], [q95 - q50]], fmt="D",
                            color="black", capsize=4, label="median, 90 % band")  # fmt: skip
            ax.set_xlim(min(span) - pad, max(span) + pad)
            ax.set_yticks([])
            ax.set_title(f"{t.id} ({anc.units})", fontsize=8)
            ax.tick_params(labelsize=7)
        axes[0][0].legend(fontsize=6, loc="upper right")
        fig.suptitle(f"Posterior predictive against the anchors\n{ILLUSTRATIVE_LABEL}", fontsize=7)
        fig.tight_layout()
        written.append(_save(fig, out / "predictive.png"))
    return written


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def report(
    calibration: Calibration,
    run: CalibrationRun,
    table: pd.DataFrame,
    pred: pd.DataFrame,
    day: str,
) -> str:
    """The report's Markdown text (see the module)."""
    spec = calibration.spec
    weights = run.posterior["weight"].to_numpy()
    ess, n_particles = effective_sample_size(weights), len(weights)
    lines = [
        f"# Calibration {spec.name}",
        "",
        f"> {ILLUSTRATIVE_LABEL} A posterior says which parameter values let *this model* meet "
        "these anchors, not what is true of any tissue.",
        "",
        f"Calibration file `{calibration.path.name}` (digest {calibration.digest()}), "
        f"{day}; nervesim {__version__}. ABC-SMC (pyabc) with {spec.population_size} particles "
        f"per generation, {spec.seeds_per_particle} seed(s) per particle, root seed "
        f"{spec.root_seed}; scenarios: {', '.join(spec.scenarios)}"
        + (f"; model `{spec.model}`" if spec.model != "nervesim" else "")
        + ".",
        "",
        "## Parameters",
        "",
        "| parameter | units | prior | posterior median [90 % interval] | library default | "
        "shrinkage [resampled 90 %] | |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| `{r.parameter}` | {r.units} | {r.prior} [{_fmt(r.prior_lo)}, "  # type: ignore[str-bytes-safe]
            f"{_fmt(r.prior_hi)}] | {_fmt(r.median)} [{_fmt(r.q05)}, {_fmt(r.q95)}] | "  # type: ignore[arg-type]
            f"{_fmt(r.default)} | {r.shrinkage:.2f} [{r.shrinkage_lo:.2f}, {r.shrinkage_hi:.2f}] | "  # type: ignore[arg-type]
            f"{r.verdict} |"
        )
    lines += [
        "",
        f"Effective sample size of the final weights: {ess:.1f} of {n_particles} particles"
        f" (the largest weight {float(run.posterior['weight'].max()):.1%})" + ".",
        "",
        "Shrinkage = 1 - (posterior 90 % width) / (prior 90 % width), in the sampling space "
        f"(log10 for loguniform priors). Its 90 % interval comes from resampling the particles "
        f"({BOOTSTRAP_RESAMPLES} resamples, each particle keeping its weight): uneven weights "
        "widen it. A parameter reads as *constrained* by these anchors when the whole interval "
        f"is at least {CONSTRAINED_SHRINKAGE}, as *left wide* when it is all below (the "
        "anchors do not pin it; other data would have to), and as *undetermined* when it "
        "straddles or when the effective sample size is under "
        f"{MIN_ESS_SHARE:g} of the particles.",
        "",
        "## Targets",
        "",
        "| anchor | target | posterior predictive median [90 %] | draws meeting it |",
        "|---|---|---|---|",
    ]
    for t in calibration.targets:
        target = f"{t.value:g}" if t.value is not None else t.anchor.band_text()
        if pred.empty:
            lines.append(f"| `{t.id}` | {target} | not run | |")
            continue
        v = pred[t.id].to_numpy(dtype=float)
        f = v[np.isfinite(v)]
        band = f"{_fmt(np.median(f))} [{_fmt(np.quantile(f, 0.05))}, " \
            f"{_fmt(np.quantile(f, 0.95))}]" if f.size else "no value"  # fmt: skip
        if t.value is None:
            ok = (f >= t.anchor.low) & (f <= t.anchor.high)
            meets = f"{int(ok.sum())} of {len(v)}"
        else:
            meets = "(point target)"
        lines.append(f"| `{t.id}` | {target} {t.anchor.units} | {band} | {meets} |")
    lines += [
        "",
        "## Generations",
        "",
        "| t | tolerance | particles | simulations | acceptance rate |",
        "|---|---|---|---|---|",
    ]
    for g in run.generations.itertuples():
        lines.append(
            f"| {g.t} | {g.epsilon:.4g} | {g.particles} | {g.simulations} | "  # type: ignore[str-format]
            f"{g.acceptance_rate:.2f} |"
        )
    lines += [
        "",
        "Figures: `figures/marginals.png`, `figures/pairwise.png`, `figures/predictive.png`. "
        "Posterior: `posterior.parquet`; posterior-median scenario: `posterior_median.toml`.",
        "",
    ]
    return "\n".join(lines)


def write_outputs(
    calibration: Calibration,
    run: CalibrationRun,
    executor: Any = None,
    on_predictive: Callable[[], None] | None = None,
    day: str | None = None,
) -> dict[str, Path]:
    """Write everything in the module's list into ``run.out``; returns the paths by name."""
    out = run.out
    day = day or datetime.now(UTC).date().isoformat()
    meta = _metadata(calibration, run)
    paths = {
        "posterior": write_parquet(run.posterior, out / "posterior.parquet", meta),
    }
    table = summary(calibration, run.posterior)
    median = out / "posterior_median.toml"
    median.write_text(median_scenario_toml(calibration, table, day), encoding="utf-8")
    paths["median"] = median
    pred_path = out / "predictive.parquet"
    if _same_posterior(pred_path, meta, calibration):  # the same generation: the same draws
        pred = pd.read_parquet(pred_path)
    else:
        pred = predictive(calibration, run.posterior, executor, on_predictive)
        if not pred.empty:
            write_parquet(pred, pred_path, meta)
    if pred_path.is_file():
        paths["predictive"] = pred_path
    for fig in figures(calibration, run.posterior, pred, out / "figures"):
        paths[f"figure_{fig.stem}"] = fig
    rep = out / "report.md"
    rep.write_text(report(calibration, run, table, pred, day), encoding="utf-8")
    paths["report"] = rep
    return paths


__all__: Sequence[str] = ("report", "summary", "weighted_quantile", "write_outputs")
