"""Which varied parameters drive a metric: sensitivity indices from a finished sweep.

The method follows the sweep's design (SALib does the statistics):

* ``sobol``: Sobol' first-order (S1) and total (ST) indices with bootstrap 95 % intervals;
  ranked by ST. ST near 0 means the parameter does not matter, alone or with others.
* ``morris``: Morris elementary effects, mu* (mean absolute effect, over the unit-scaled range)
  and sigma (spread: non-linearity or interactions), ranked by mu*.
* ``lhs``: RBD-FAST first-order indices (S1) and Spearman rank correlations, ranked by S1.
* ``grid``: each parameter's main-effect share of the variance (the variance of the metric's
  mean at each of its levels over the total; exact for a full factorial), ranked by it.

Replicates of a point are averaged first. The indices describe this illustrative model, not
biology.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.sweeps.spec import SweepError
from simulation.sweeps.sweep import load_manifest, load_results

#: The method each design is analysed with, and the column it is ranked by.
METHODS = {
    "sobol": ("Sobol", "ST"),
    "morris": ("Morris", "mu_star"),
    "lhs": ("RBD-FAST", "S1"),
    "grid": ("main effect", "main_effect"),
}


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity indices of one metric on one day.

    Attributes:
        sweep: the sweep's name.
        design: the sweep's design.
        method: the method used (``"Sobol"``, ``"Morris"``, ``"RBD-FAST"``, ``"main effect"``).
        metric: the metric analysed.
        day: the day analysed.
        rank_by: the column of ``table`` that ranks the parameters.
        table: one row per parameter, most influential first: ``parameter``, ``units``, the
            method's index columns (``*_conf`` are 95 % interval half-widths) and ``rank``.
        points: one row per design point with a result: the parameter values, ``value`` (the
            metric, mean over replicates) and ``runs``.
        log_keys: parameters sampled on a log scale.
        missing_points: design points without any finished run.
    """

    sweep: str
    design: str
    method: str
    metric: str
    day: float
    rank_by: str
    table: pd.DataFrame
    points: pd.DataFrame
    log_keys: tuple[str, ...]
    missing_points: int


def _values_at(results: pd.DataFrame, metric: str, day: float) -> pd.DataFrame:
    at = results[np.isclose(results["day"], day)]
    grouped = at.groupby("point", sort=True)[metric]
    return pd.DataFrame({"value": grouped.mean(), "runs": grouped.size()})


def analyze(out_dir: str | Path, metric: str, day: float | None = None) -> Sensitivity:
    """Sensitivity of ``metric`` on ``day`` (default the last kept day) in the sweep ``out_dir``.

    Raises:
        SweepError: unknown metric or day, too few finished points, or a constant metric
            (one line).
    """
    manifest = load_manifest(out_dir)
    metrics = manifest["metrics"]
    if metric not in metrics:
        raise SweepError(
            f"--metric: {metric!r} is not kept by sweep {manifest['name']!r} "
            f"(kept: {', '.join(metrics)})"
        )
    results = load_results(out_dir)
    if results.empty:
        raise SweepError(f"{out_dir}: no finished runs yet (run the sweep first)")
    kept = sorted(set(results["day"].tolist()))
    if day is None:
        day = kept[-1]
    elif not any(np.isclose(day, kept)):
        shown = ", ".join(f"{d:g}" for d in kept[:12]) + (", ..." if len(kept) > 12 else "")
        raise SweepError(f"--day: {day:g} is not a kept day of this sweep (kept: {shown})")
    day = float(kept[int(np.argmin(np.abs(np.asarray(kept) - day)))])

    design = manifest["design"]
    params = manifest["parameters"]
    keys = [p["key"] for p in params]
    per_point = _values_at(results, metric, day)
    n_points = len(manifest["points"])
    missing = n_points - len(per_point)
    if design in ("sobol", "morris") and missing:
        raise SweepError(
            f"{out_dir}: {missing} of {n_points} design points have no finished run (failed or "
            f"not run); design {design} needs every point: re-run the sweep to finish it"
        )
    if len(per_point) < 3:
        raise SweepError(f"{out_dir}: {len(per_point)} finished points; need at least 3")
    y = per_point["value"].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise SweepError(
            f"{metric} on day {day:g} is {y[0]:g} at every point: nothing to attribute "
            "(try another --metric or --day)"
        )
    point_ids = per_point.index.to_numpy()
    values = pd.DataFrame([manifest["points"][i]["values"] for i in point_ids], index=point_ids)
    points = pd.concat([values[keys], per_point], axis=1).reset_index(names="point")

    method, rank_by = METHODS[design]
    seed = int(manifest["root_seed"]) % 2**32
    if design == "grid":
        columns = _main_effects(points, keys)
    else:
        problem = manifest["problem"]
        x = np.asarray([manifest["points"][i]["x"] for i in point_ids], dtype=float)
        columns = _salib(design, problem, x, y, manifest, seed)
        if design == "lhs":
            columns["spearman_rho"] = _spearman(x, y)
    table = pd.DataFrame({"parameter": keys, "units": [p["units"] for p in params], **columns})
    table = table.sort_values(rank_by, ascending=False, kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    log_keys = tuple(p["key"] for p in params if p.get("distribution") == "loguniform")
    return Sensitivity(
        manifest["name"], design, method, metric, day, rank_by, table, points, log_keys, missing
    )


def _salib(
    design: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, manifest: dict, seed: int
) -> dict[str, np.ndarray]:
    """SALib's indices for a sobol, morris or lhs design."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib warns about small samples; we report CIs
            if design == "sobol":
                from SALib.analyze import sobol

                r = sobol.analyze(
                    problem, y, calc_second_order=bool(manifest["second_order"]), seed=seed
                )
                keys: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")
            elif design == "morris":
                from SALib.analyze import morris

                r = morris.analyze(
                    problem, x, y, num_levels=int(manifest["morris_levels"]), seed=seed
                )
                keys = ("mu_star", "mu_star_conf", "sigma", "mu")
            else:
                from SALib.analyze import rbd_fast

                r = rbd_fast.analyze(problem, x, y, seed=seed)
                keys = ("S1", "S1_conf")
    except (ValueError, IndexError, ZeroDivisionError) as err:
        text = " ".join(str(err).split())
        raise SweepError(f"SALib could not analyse this sweep: {text}") from None
    return {k: np.asarray(r[k], dtype=float) for k in keys}


def _spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman rank correlation of ``y`` with each column of ``x``."""
    from scipy.stats import spearmanr

    return np.array([float(spearmanr(x[:, j], y).statistic) for j in range(x.shape[1])])


def _main_effects(points: pd.DataFrame, keys: list[str]) -> dict[str, np.ndarray]:
    """Each parameter's share of the variance explained by its level means."""
    y = points["value"]
    total = float(((y - y.mean()) ** 2).mean())
    shares = []
    for key in keys:
        means = points.groupby(key)["value"].transform("mean")
        shares.append(float(((means - y.mean()) ** 2).mean()) / total)
    return {"main_effect": np.asarray(shares)}


def format_table(result: Sensitivity) -> list[list[str]]:
    """The table as rows of text cells, header first (numbers in 3 significant figures)."""
    from simulation.runs.compare import compact

    columns = [c for c in result.table.columns if c not in ("parameter", "units", "rank")]
    rows = [["rank", "parameter", "units", *columns]]
    for rec in result.table.itertuples(index=False):
        row = rec._asdict()
        rows.append(
            [
                str(row["rank"]),
                row["parameter"],
                row["units"] or "-",
                *(compact(float(row[c])) for c in columns),
            ]
        )
    return rows
