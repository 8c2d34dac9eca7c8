"""Altair (Vega-Lite) charts for the pages: bands over seeds, tissue maps, cohort, sweeps."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from dashboard.stats import metric_title, metric_units

#: Arm colours, in arm order (colour-blind safe: Okabe-Ito).
PALETTE = ("#555555", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#D55E00")
#: Cell markers: what a student reads for each cell type and state, and its colour.
CELLS = {
    "Neuron": ("Neuron (cell body)", "#1b1b1b"),
    "GrowthCone": ("Axon tip (growth cone)", "#7a5195"),
    "Neutrophil": ("Neutrophil", "#ef5675"),
    "Neutrophil apoptotic": ("Neutrophil (dying)", "#f4a6b7"),
    "Macrophage M1": ("Macrophage M1 (inflammatory)", "#d62728"),
    "Macrophage M2": ("Macrophage M2 (pro-repair)", "#2ca02c"),
    "Astrocyte": ("Astrocyte", "#a6793f"),
    "Oligodendrocyte": ("Oligodendrocyte precursor", "#17becf"),
    "Oligodendrocyte mature": ("Oligodendrocyte (myelinating)", "#0b6e79"),
    "SchwannCell myelinating": ("Schwann cell (myelinating)", "#9edae5"),
    "SchwannCell repair": ("Schwann cell (repair)", "#1f77b4"),
    "SchwannCell remyelinating": ("Schwann cell (remyelinating)", "#6baed6"),
    "GraftCluster": ("Grafted cells (cluster)", "#ff7f0e"),
}
CELL_COLOURS = dict(CELLS.values())


def arm_scale(arms: Sequence[str]) -> alt.Scale:
    """A colour scale giving each arm its colour, in order."""
    return alt.Scale(domain=list(arms), range=list(PALETTE[: len(arms)]))


def axis_title(metric: str) -> str:
    """``Neuron survival fraction (fraction)``; units left out when they repeat the name."""
    units = metric_units(metric)
    title = metric_title(metric)
    return title if not units or units in title.lower() else f"{title} ({units})"


def band_chart(
    bands: pd.DataFrame, metric: str, arms: Sequence[str], height: int = 230, title: bool = True
) -> alt.LayerChart:
    """One metric over time: a line per arm (mean over seeds) with its band."""
    data = bands[bands["metric"] == metric]
    colour = alt.Color(
        "scenario:N",
        scale=arm_scale(arms),
        title=None,
        sort=list(arms),
        legend=alt.Legend(
            orient="bottom",
            symbolStrokeWidth=3,
            symbolType="stroke",
            symbolOpacity=1,
            labelFontSize=12,
            labelLimit=260,
        ),
    )
    base = alt.Chart(data).encode(
        x=alt.X("day:Q", title="day after injury", scale=alt.Scale(nice=False)),
    )
    band = base.mark_area(opacity=0.2).encode(y="lo:Q", y2="hi:Q", color=colour)
    line = base.mark_line(strokeWidth=2.2).encode(
        y=alt.Y("mean:Q", title=axis_title(metric) if title else metric_units(metric)),
        color=colour,
        tooltip=[
            alt.Tooltip("scenario:N", title="arm"),
            alt.Tooltip("day:Q", format=".1f"),
            alt.Tooltip("mean:Q", format=".3g"),
            alt.Tooltip("lo:Q", format=".3g", title="band low"),
            alt.Tooltip("hi:Q", format=".3g", title="band high"),
            alt.Tooltip("n:Q", title="seeds"),
        ],
    )
    chart = alt.layer(band, line).properties(height=height)
    return chart.properties(title=metric_title(metric)) if title else chart


def bands_figure(bands: pd.DataFrame, metrics: Sequence[str], arms: Sequence[str]) -> alt.Chart:
    """Every metric's band chart in a grid of two columns, for one PNG."""
    charts = [band_chart(bands, m, arms).properties(width=360) for m in metrics]
    rows = [alt.hconcat(*charts[i : i + 2]) for i in range(0, len(charts), 2)]
    return alt.vconcat(*rows).properties(
        title=alt.Title(
            "NerveSim — illustrative teaching model, not clinically validated",
            subtitle="lines: mean over seeds; bands: " + str(bands.attrs.get("band", "")),
        )
    )


def field_frame(field: np.ndarray, dx_um: float) -> pd.DataFrame:
    """A 2-D field (x, y) as one row per voxel, positions in mm."""
    nx, ny = field.shape
    xs, ys = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    mm = dx_um / 1000.0
    return pd.DataFrame(
        {
            "x0": (xs.ravel() * mm).round(4),
            "x1": ((xs.ravel() + 1) * mm).round(4),
            "y0": (ys.ravel() * mm).round(4),
            "y1": ((ys.ravel() + 1) * mm).round(4),
            "value": field.ravel().astype(float),
        }
    )


def cells_frame(cells: pd.DataFrame, dx_um: float, seed: int = 0) -> pd.DataFrame:
    """Cells as points in mm, jittered inside their voxel so that neighbours stay visible."""
    if cells.empty:
        return pd.DataFrame(columns=["x", "y", "cell"])
    rng = np.random.default_rng(seed)
    mm = dx_um / 1000.0
    state = cells["state"].astype(str)
    raw = cells["type"].astype(str) + np.where(state != "", " " + state, "")
    label = raw.map(lambda r: CELLS.get(r, (r, ""))[0])
    return pd.DataFrame(
        {
            "x": (cells["x"].to_numpy() + rng.uniform(0.15, 0.85, len(cells))) * mm,
            "y": (cells["y"].to_numpy() + rng.uniform(0.15, 0.85, len(cells))) * mm,
            "cell": label.to_numpy(),
        }
    )


def tissue_chart(
    field: np.ndarray,
    cells: pd.DataFrame,
    field_name: str,
    dx_um: float,
    vmax: float,
    title: str,
    cell_types: Sequence[str] | None = None,
    lesion_mm: tuple[float, float] | None = None,
    height: int = 290,
    legend: bool = False,
) -> alt.LayerChart:
    """A heatmap of one field with the cells on top, coloured by type and state.

    ``lesion_mm`` (start, end along the nerve) is outlined with dashed lines. Streamlit fits
    the whole chart, legends included, into ``height``; the cell legend is off by default
    (see :func:`cell_legend_html`, one legend for several maps).
    """
    nx, ny = field.shape
    mm = dx_um / 1000.0
    x_scale = alt.Scale(domain=[0, nx * mm], nice=False, zero=True)
    y_scale = alt.Scale(domain=[0, ny * mm], nice=False, zero=True)
    heat = (
        alt.Chart(field_frame(field, dx_um))
        .mark_rect()
        .encode(
            x=alt.X("x0:Q", title="along the nerve (mm, proximal → distal)", scale=x_scale),
            x2="x1:Q",
            y=alt.Y("y0:Q", title="across (mm)", scale=y_scale),
            y2="y1:Q",
            color=alt.Color(
                "value:Q",
                title=f"{field_name} (au)",
                scale=alt.Scale(
                    domain=[0, max(vmax, 1e-9)], range=["#fafafa", "#4a4a4a"], clamp=True
                ),
                legend=alt.Legend(orient="right", gradientLength=110),
            ),
            tooltip=[alt.Tooltip("value:Q", title=field_name, format=".3g")],
        )
    )
    points = cells_frame(cells, dx_um)
    if cell_types is not None:
        points = points[points["cell"].isin(cell_types)]
    names = [n for n in CELL_COLOURS if n in set(points["cell"])]
    names += sorted(set(points["cell"]) - set(names))
    colours = [CELL_COLOURS.get(n, "#bcbd22") for n in names]
    dots = (
        alt.Chart(points)
        .mark_circle(size=24, opacity=0.95, stroke="white", strokeWidth=0.4)
        .encode(
            x=alt.X("x:Q", scale=x_scale),
            y=alt.Y("y:Q", scale=y_scale),
            color=alt.Color(
                "cell:N",
                scale=alt.Scale(domain=names, range=colours),
                title="cells",
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=0) if legend else None,
            ),
            tooltip=["cell:N"],
        )
    )
    layers = [heat, dots]
    if lesion_mm is not None:
        edges = pd.DataFrame({"x": list(lesion_mm), "label": ["lesion", ""]})
        rule = alt.Chart(edges).mark_rule(strokeDash=[5, 4], color="#b00020", strokeWidth=1.5)
        text = alt.Chart(edges[:1]).mark_text(
            align="left", baseline="bottom", dx=3, dy=-2, color="#b00020", fontWeight="bold"
        )
        layers += [
            rule.encode(x=alt.X("x:Q", scale=x_scale)),
            text.encode(x=alt.X("x:Q", scale=x_scale), y=alt.value(0), text="label:N"),
        ]
    return (
        alt.layer(*layers).resolve_scale(color="independent").properties(title=title, height=height)
    )


def cell_legend_html(names: Sequence[str]) -> str:
    """One HTML legend of the cell markers, for several maps at once."""
    items = [
        f'<span style="white-space:nowrap;margin-right:1.1em">'
        f'<span style="color:{CELL_COLOURS.get(n, "#bcbd22")};font-size:1.3em">●</span> {n}</span>'
        for n in names
    ]
    return "<div style='line-height:1.9'>" + " ".join(items) + "</div>"


def binomial_chart(pmf: Sequence[float], observed: int | None = None) -> alt.Chart:
    """Chance of k responders out of len(pmf) - 1 patients, with the Keio count marked."""
    data = pd.DataFrame(
        {"responders": [str(k) for k in range(len(pmf))], "chance": list(pmf)}
    ).assign(mark=lambda d: d["responders"] == str(observed))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "responders:N",
                title=f"responders out of {len(pmf) - 1}",
                sort=None,
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("chance:Q", title="chance", axis=alt.Axis(format="%")),
            color=alt.condition("datum.mark", alt.value("#E69F00"), alt.value("#999999")),
            tooltip=["responders:N", alt.Tooltip("chance:Q", format=".1%")],
        )
        .properties(height=220)
    )


def cohort_chart(
    patients: pd.DataFrame,
    threshold: float,
    arm: str,
    y_title: str = "function index gain over twin",
) -> alt.LayerChart:
    """Each patient's gain (over their matched untreated twin, or since their first
    examination) against injury severity; the dashed rule is the smallest responder's gain."""
    points = (
        alt.Chart(patients)
        .mark_circle(size=110, opacity=0.9)
        .encode(
            x=alt.X(
                "severity:Q",
                title="injury severity (this patient's lesion)",
                scale=alt.Scale(zero=False),
            ),
            y=alt.Y("gain:Q", title=y_title),
            color=alt.Color(
                "responder:N",
                scale=alt.Scale(domain=["responder", "non-responder"], range=PALETTE[1:3]),
                title="",
            ),
            tooltip=[
                "patient:N",
                alt.Tooltip("severity:Q", format=".2f"),
                alt.Tooltip("gain:Q", format=".3f"),
                "responder:N",
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"y": [threshold]}))
        .mark_rule(strokeDash=[6, 4], color="#333")
        .encode(y="y:Q")
    )
    return alt.layer(rule, points).properties(height=300)


def sweep_chart(
    data: pd.DataFrame,
    column: str,
    title: str,
    metric: str,
    log: bool = False,
    domain: tuple[float, float] | None = None,
) -> alt.LayerChart:
    """A metric against one varied parameter: every run as a point, and a smoothed trend."""
    extra = {"domain": list(domain), "nice": False} if domain else {}
    scale = alt.Scale(type="log", **extra) if log else alt.Scale(zero=False, **extra)
    base = alt.Chart(data).encode(x=alt.X(f"{column}:Q", title=title, scale=scale))
    points = base.mark_circle(size=45, opacity=0.55, color=PALETTE[2]).encode(
        y=alt.Y("value:Q", title=axis_title(metric)),
        tooltip=[
            alt.Tooltip(f"{column}:Q", title=title, format=".4g"),
            alt.Tooltip("value:Q", title=metric, format=".3g"),
        ],
    )
    trend = base.transform_loess(column, "value").mark_line(color=PALETTE[1], strokeWidth=2.5)
    return alt.layer(points, trend.encode(y="value:Q")).properties(height=240)


def sensitivity_chart(table: pd.DataFrame, column: str) -> alt.LayerChart:
    """A sensitivity index per parameter, with its 95 % interval where there is one."""
    data = table.rename(columns={column: "index"}).assign(parameter=table["parameter"])
    order = list(table["parameter"])
    conf = f"{column}_conf"
    bars = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[2])
        .encode(
            y=alt.Y("parameter:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("index:Q", title=column),
            tooltip=["parameter:N", alt.Tooltip("index:Q", format=".3g")],
        )
    )
    if conf not in table.columns:
        return alt.layer(bars).properties(height=90 + 36 * len(table))
    data = data.assign(lo=data["index"] - table[conf], hi=data["index"] + table[conf])
    whiskers = (
        alt.Chart(data)
        .mark_rule(color="#333")
        .encode(y=alt.Y("parameter:N", sort=order), x="lo:Q", x2="hi:Q")
    )
    return alt.layer(bars, whiskers).properties(height=90 + 36 * len(table))
