"""Tissue: the spatial view of one run, two arms side by side, with a day slider and play."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, stats
from dashboard.common import banner, downloads, footer, start_defaults
from dashboard.comparison import Request, build
from dashboard.guard import one_line, screen_arms
from dashboard.pool import prewarm
from dashboard.runs import Job, cached_snapshots, run_many
from simulation.scenario.schema import Scenario

#: What each drawn field is (the heatmap's legend says its units).
FIELD_HELP = {
    "cytokine": "pro-inflammatory signal released by injured tissue, neutrophils and M1 cells",
    "trophic": "trophic factor (NGF-like) secreted by M2 macrophages, Schwann cells and grafts",
    "ev": "extracellular vesicles without cargo",
    "ev_ngf": "extracellular vesicles carrying the NGF gene",
    "debris": "dead-cell and myelin debris, cleared by phagocytes",
    "scar": "CSPG glial scar deposited by reactive astrocytes",
    "axon": "regrown axon in each voxel (number of axons)",
    "myelin": "myelinated regrown axon in each voxel",
}
FIELD_ORDER = ["cytokine", "scar", "debris", "trophic", "ev", "ev_ngf", "axon", "myelin"]


def choose(labels: list[str], seeds: list[int]) -> tuple[str, str, int, str]:
    """The two arms, the seed and the field to draw."""
    c1, c2, c3, c4 = st.columns(4)
    left = c1.selectbox("Left arm", labels, index=0, key="tis_left")
    right = c2.selectbox("Right arm", labels, index=len(labels) - 1, key="tis_right")
    seed_no = c3.selectbox(
        "Virtual animal (seed)",
        list(range(len(seeds))),
        format_func=lambda k: f"#{k + 1} (seed {seeds[k]})",
        key="tis_seed",
    )
    field = c4.selectbox(
        "Field (grey heatmap)",
        FIELD_ORDER,
        key="tis_field",
        help="; ".join(f"{k}: {v}" for k, v in FIELD_HELP.items()),
    )
    return left, right, seeds[seed_no], field


def cell_counts(snaps: dict[str, dict], day: float) -> pd.DataFrame:
    """Cells of each type and state per arm at ``day``."""
    counts = {}
    for label, snap in snaps.items():
        cells = charts.cells_frame(snap[day]["cells"], 1.0)
        counts[label] = cells["cell"].value_counts()
    return pd.DataFrame(counts).fillna(0).astype(int).sort_index()


def lesion_mm(scenario: Scenario) -> tuple[float, float]:
    """Where the lesion starts and ends along the nerve (mm), as the scenario places it."""
    g, inj = scenario.grid, scenario.injury
    start = max(2, round(inj.lesion_start_fraction * g.width_voxels)) * g.dx_um
    return start / 1000.0, (start + inj.lesion_length_um) / 1000.0


def outcomes(series: dict[str, pd.DataFrame], day: float, spinal: bool) -> str:
    """The outcomes people measure, per arm at ``day``: BBB and AIS grade for a spinal cord
    (illustrative mappings of descending connectivity), else the function index and muscle."""
    parts = []
    for label, ts in series.items():
        row = ts.iloc[int((ts["day"] - day).abs().to_numpy().argmin())]
        if spinal:
            text = (
                f"BBB score {row['bbb_score']:.1f} of 21, AIS grade "
                f"{stats.ais_letter(float(row['ais_grade']))}"
            )
        else:
            text = (
                f"function index {row['function_index']:.2f}, muscle mass "
                f"{row['muscle_mass_index']:.2f}"
            )
        parts.append(f"**{label}**: {text}")
    return f"Outcomes at day {day:g} (illustrative): " + "; ".join(parts) + "."


def step_day(days: list[float]) -> None:
    """Advance the day slider while playing; stop at the last day."""
    if not st.session_state.get("tis_playing") or st.session_state.pop("tis_started", False):
        return
    current = st.session_state.get("tis_day", days[0])
    later = [d for d in days if d > current]
    if later:
        st.session_state["tis_day"] = later[0]
    if len(later) <= 1:
        st.session_state["tis_playing"] = False
        st.session_state["tis_stop"] = True


def maps(
    snaps: dict[str, dict],
    field: str,
    dx_um: float,
    vmax: float,
    shown: list[str],
    lesion: tuple[float, float],
    series: dict[str, pd.DataFrame] | None = None,
    spinal: bool = False,
) -> None:
    """The day slider, the two tissue maps and the arms' outcomes (re-run alone while
    playing)."""
    days = sorted(next(iter(snaps.values())))
    if st.session_state.get("tis_day") not in days:
        st.session_state["tis_day"] = days[-1]
    step_day(days)
    day = st.select_slider("Day after injury", days, key="tis_day", format_func=lambda d: f"{d:g}")
    cols = st.columns(len(snaps))

    def chart(label: str, legend: bool = False) -> charts.alt.LayerChart:
        snap = snaps[label][day]
        title = f"{label} — day {day:g}"
        return charts.tissue_chart(
            snap["fields"][field], snap["cells"], field, dx_um, vmax, title, shown, lesion,
            legend=legend,
        )  # fmt: skip

    for col, label in zip(cols, snaps, strict=True):
        with col:
            st.altair_chart(chart(label), width="stretch")
    if series:
        st.markdown(outcomes(series, day, spinal))
    names = [n for n in charts.CELL_COLOURS if n in shown] + sorted(
        set(shown) - set(charts.CELL_COLOURS)
    )
    st.markdown(charts.cell_legend_html(names), unsafe_allow_html=True)
    counts = cell_counts(snaps, day)
    st.markdown(f"##### Cells at day {day:g}")
    st.dataframe(counts, width="stretch")
    if st.session_state.pop("tis_stop", False):
        st.rerun(scope="app")
    downloads(
        f"nervesim_tissue_day{day:g}",
        frame=counts.reset_index(names="cell"),
        chart=lambda: charts.alt.vconcat(
            *[chart(label, legend=True).properties(width=640, height=200) for label in snaps]
        ),
        key="tis",
    )


# ---------------------------------------------------------------------------------- page
banner()
prewarm()
st.title("Tissue")
st.markdown(
    "One virtual animal, seen from above: the nerve runs left (towards the body) to right "
    "(towards the muscle); the lesion sits about a third of the way along. The grey heatmap is "
    "one chemical field (same scale in both maps and on every day), the dots are cells. "
    "Press **Play** to watch the weeks go by."
)
defaults = start_defaults()
request: Request = st.session_state.get(
    "compare_request", Request(days=float(defaults["days"]), seeds=int(defaults["seeds"]))
)
uploads = st.session_state.get("uploads", {})
if "compare_request" not in st.session_state:
    st.caption("Showing the default comparison; run another on **Compare** to see it here.")
try:
    screen_arms(request.arms)
    scenarios = build(request, uploads)
except Exception as exc:  # a schema error, or typed TOML the parser cannot take: one line
    st.error(one_line(exc))
    footer()
    st.stop()
labels = list(scenarios)
left, right, seed, field = choose(labels, request.seed_list())
pair = [left] if left == right else [left, right]
jobs = {label: Job(scenarios[label].to_toml(), seed, request.days) for label in pair}
bar = st.empty()
try:
    results = run_many(
        list(jobs.values()),
        lambda done, total: bar.progress(done / total, text=f"Running {total} simulations: {done}"),
    )
    series = {label: results[job] for label, job in jobs.items()}
    snaps = {label: cached_snapshots(*job) for label, job in jobs.items()}
except Exception as exc:  # a run over its budget, or one that failed in a worker: one line
    bar.empty()
    st.error(f"The runs could not be finished: {one_line(exc)}")
    footer()
    st.stop()
bar.empty()
vmax = max(float(s[d]["fields"][field].max()) for s in snaps.values() for d in s)
all_cells = sorted(
    {c for s in snaps.values() for d in s for c in charts.cells_frame(s[d]["cells"], 1.0)["cell"]}
)
c1, c2 = st.columns([4, 1])
shown = c1.multiselect("Cells drawn", all_cells, default=all_cells, key="tis_cells")
playing = st.session_state.get("tis_playing", False)
if c2.button(
    "Pause" if playing else "Play",
    icon=":material/pause:" if playing else ":material/play_arrow:",
    key="tis_play",
    width="stretch",
):
    playing = not playing
    st.session_state["tis_playing"] = playing
    days = sorted(next(iter(snaps.values())))
    if playing and st.session_state.get("tis_day") == days[-1]:
        st.session_state["tis_day"] = days[0]
    st.session_state["tis_started"] = playing
    st.rerun()
st.caption(f"**{field}**: {FIELD_HELP.get(field, '')}.")
dx = scenarios[left].grid.dx_um
st.fragment(maps, run_every=1.2 if playing else None)(
    snaps, field, dx, vmax, shown, lesion_mm(scenarios[left]), series,
    scenarios[left].injury.type == "spinal_cord",
)  # fmt: skip
footer()
