"""Figures for the command line: arms over time, and sensitivity of a sweep (PNG files).

Matplotlib is imported only when a figure is drawn, and only its object-oriented API with the
Agg canvas is used (no pyplot, no display, no global state). Every figure carries the
illustrative label.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simulation._version import ILLUSTRATIVE_LABEL

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from simulation.sweeps.sensitivity import Sensitivity

#: Metrics drawn by :func:`plot_arms` when none are given (those that vary are kept, up to 8).
MAIN_METRICS = (
    "function_index",
    "neuron_survival_fraction",
    "inflammation_mean_au",
    "macrophages_m1_count",
    "macrophages_m2_count",
    "scar_area_fraction",
    "axons_bridged_fraction",
    "myelinated_fraction",
    "muscle_mass_index",
    "debris_remaining_fraction",
    "grafted_cells_alive_count",
)


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png")
    return path


def _footer(fig: Figure) -> None:
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):  # always, from _figure
        engine.set(h_pad=0.08)
    fig.supxlabel(ILLUSTRATIVE_LABEL, fontsize=7.5, color="0.3")


def _band(frame: pd.DataFrame, metric: str, arm: str, name: str) -> pd.DataFrame:
    """Mean and 95 % t-interval over seeds of ``metric`` at each recorded day of one arm."""
    from simulation.runs.compare import t975

    g = frame[frame[arm] == name].groupby("day")[metric]
    out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.size()})
    half = [
        t975(int(n) - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        for sd, n in zip(out["sd"], out["n"], strict=True)
    ]
    out["lo"] = out["mean"] - half
    out["hi"] = out["mean"] + half
    return out


def plot_arms(
    frame: pd.DataFrame,
    path: str | Path,
    metrics: Sequence[str] | None = None,
    arm: str = "scenario",
    title: str = "",
) -> Path:
    """Draw :func:`arms_figure` into ``path`` (PNG, SVG or PDF by its suffix)."""
    return save(arms_figure(frame, metrics, arm, title), path)


def arms_figure(
    frame: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    arm: str = "scenario",
    title: str = "",
) -> Figure:
    """Main metrics over time, one line per arm with its 95 % band over seeds.

    Args:
        frame: a tidy frame of replicates (``day``, metrics, ``seed`` and the ``arm`` column).
        metrics: the panels; default :data:`MAIN_METRICS` that are not zero in every run (<= 8).
        arm: the column naming the arm.
        title: a title above the panels.
    """
    if metrics is None:
        metrics = [m for m in MAIN_METRICS if m in frame.columns and frame[m].abs().max() > 0][:8]
    if not metrics:
        raise ValueError("plot: no metric varies in these runs")
    cols = 2 if len(metrics) <= 4 else 3 if len(metrics) <= 6 else 4
    rows = -(-len(metrics) // cols)
    fig = _figure(3.4 * cols, 2.5 * rows + 0.8)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True).ravel()
    arms = list(pd.unique(frame[arm]))
    colors = [f"C{i}" for i in range(len(arms))]
    n_seeds = frame.groupby(arm)["seed"].nunique()
    for ax, metric in zip(axes, metrics, strict=False):
        for name, color in zip(arms, colors, strict=True):
            band = _band(frame, metric, arm, name)
            days = band.index.to_numpy(dtype=float)
            ax.plot(days, band["mean"], color=color, lw=1.6, label=str(name))
            if band["lo"].notna().any():
                ax.fill_between(days, band["lo"], band["hi"], color=color, alpha=0.2, lw=0)
        ax.set_title(metric, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    for ax in axes[-cols:]:
        ax.set_xlabel("day after injury", fontsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    seeds = ", ".join(str(int(n_seeds[a])) for a in arms)
    fig.legend(handles, labels, loc="outside right upper", fontsize=8)
    fig.suptitle(
        f"{title + ': ' if title else ''}mean and 95 % interval over seeds ({seeds} per arm)",
        fontsize=10,
    )
    _footer(fig)
    return fig


def plot_sensitivity(result: Sensitivity, path: str | Path) -> Path:
    """Draw :func:`sensitivity_figure` into ``path`` (PNG, SVG or PDF by its suffix)."""
    return save(sensitivity_figure(result), path)


def sensitivity_figure(result: Sensitivity) -> Figure:
    """Sensitivity indices (bars with 95 % intervals) and the metric against each parameter."""
    table = result.table
    keys = list(table["parameter"])
    n = len(keys)
    fig = _figure(max(7.0, 2.6 * min(n, 4)), 6.4)
    top, bottom = fig.subfigures(2, 1, squeeze=False, height_ratios=[1.0, 1.1])[:, 0]
    ax = top.subplots()
    pos = np.arange(n)
    bars = [c for c in ("S1", "ST", "mu_star", "main_effect") if c in table.columns]
    width = 0.8 / len(bars)
    for i, col in enumerate(bars):
        conf = table[f"{col}_conf"] if f"{col}_conf" in table.columns else None
        ax.barh(
            pos + (i - (len(bars) - 1) / 2) * width,
            table[col],
            height=width,
            xerr=conf,
            color=f"C{i}",
            label=col,
            error_kw={"lw": 1, "capsize": 2},
        )
    ax.set_yticks(pos, keys, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="0.4", lw=0.8)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(f"{result.method} index (95 % interval)", fontsize=8)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    shown = keys[:4]
    axes = bottom.subplots(1, len(shown), sharey=True, squeeze=False).ravel()
    pts = result.points
    for ax, key in zip(axes, shown, strict=True):
        ax.scatter(pts[key], pts["value"], s=10, alpha=0.7, color="C0", lw=0)
        if key in result.log_keys:
            from matplotlib.ticker import NullFormatter

            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(key, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{result.metric}\n(day {result.day:g}, mean over replicates)", fontsize=8)
    fig.suptitle(
        f"{result.sweep}: what drives {result.metric} on day {result.day:g} "
        f"({result.method}, {result.design} design, {len(pts)} points)",
        fontsize=10,
    )
    _footer(fig)
    return fig
