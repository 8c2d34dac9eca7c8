"""Compare: two to four therapy arms side by side, over seeds, with 95 % intervals."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts, stats
from dashboard.common import banner, downloads, footer, slug, start_defaults
from dashboard.comparison import DEFAULT_DAYS, DEFAULT_SEEDS, Request, build, tidy_frame
from dashboard.controls import arm_editor, initial, load_preset
from dashboard.guard import MAX_SCENARIO_BYTES, one_line, screen_arms, screen_toml_bytes
from dashboard.library import DEFAULT_ARMS, base_scenario, read_upload
from dashboard.pool import prewarm, worker_count
from dashboard.runs import Job, run_many
from dashboard.uncertainty import EXPLAIN, for_seed, toggle
from simulation.runs.compare import summarize, wide
from simulation.runs.metrics import METRICS
from simulation.scenario.schema import ScenarioError

#: Metrics shown first: the composite, then one per process the therapies act on.
DEFAULT_METRICS = [
    "function_index",
    "bbb_score",
    "neuron_survival_fraction",
    "macrophages_m2_count",
    "grafted_cells_alive_count",
]
ARM_DEFAULTS = [*DEFAULT_ARMS, "spinal_cord_msc_local"]
#: Outcomes people measure after a spinal cord injury, shown by default when an arm is one:
#: the illustrative AIS grade beside the BBB score.
SPINAL_METRICS = ["ais_grade"]


def default_metrics(spinal: bool) -> list[str]:
    """The metrics shown first; the AIS grade follows the BBB score when an arm is spinal."""
    if not spinal:
        return list(DEFAULT_METRICS)
    k = DEFAULT_METRICS.index("bbb_score") + 1
    return [*DEFAULT_METRICS[:k], *SPINAL_METRICS, *DEFAULT_METRICS[k:]]


def ingest_upload(file: Any, uploads: dict[str, str]) -> tuple[str, str] | None:
    """Read the uploaded scenario file (if any) before the arms are drawn, so that it is
    already a choice; ("error" | "success", message) to show by the upload widget.

    The file is screened before it is decoded or parsed (size, UTF-8 text, nesting, dotted
    keys: :mod:`dashboard.guard`), then read as TOML and checked against the schema. Whatever
    goes wrong (a schema error, ``RecursionError``, ``MemoryError``, anything) is one line;
    the outcome is kept per file, so a rerun does not read the same file again.
    """
    if file is None:
        st.session_state.pop("cmp_upload_outcome", None)
        return None
    seen = st.session_state.get("cmp_upload_outcome")
    if seen is not None and seen[0] == file.file_id:
        key, toml, message = seen[1]
        if key is not None:
            uploads.setdefault(key, toml)
        return message
    key = toml = None
    try:
        data = screen_toml_bytes(file.name, file.getvalue())
        key, scenario = read_upload(file.name, data)
        toml = scenario.to_toml()
    except ScenarioError as exc:
        message = ("error", one_line(exc))
    except Exception as exc:  # RecursionError, MemoryError, anything: the page carries on
        text = one_line(exc)
        message = ("error", text if text.startswith(f"{file.name}:") else f"{file.name}: {text}")
        key = None
    else:
        uploads[key] = toml
        message = ("success", f"Added **{scenario.name}** to the arm choices below.")
    st.session_state["cmp_upload_outcome"] = (file.file_id, (key, toml, message))
    return message


def upload_box(uploads: dict[str, str]) -> None:
    """The upload widget, drawn before anything on the page that could fail, and what became
    of the last file (the widget stays, so a bad file can always be removed)."""
    with st.expander("Your own scenario file", expanded="cmp_upload_outcome" in st.session_state):
        st.caption(
            "A scenario file with the keys `nervesim show-params` lists (no `base`), at most "
            f"{MAX_SCENARIO_BYTES // 1000} kB. It is read as TOML text only and checked against "
            "the schema."
        )
        file = st.file_uploader(
            "Scenario file (TOML)", type=["toml", "txt"], key="cmp_upload", max_upload_size=1
        )
        message = ingest_upload(file, uploads)
        if message is not None:
            kind, text = message
            (st.error if kind == "error" else st.success)(text)


def shared_settings(first_stem: str, uploads: dict[str, str]) -> tuple[float, float, int, Any]:
    """Severity, days and seeds, applied to every arm; and the column for the Run button."""
    first = base_scenario(first_stem, uploads)
    defaults = start_defaults()
    c1, c2, c3, c4 = st.columns([3, 3, 3, 2], vertical_alignment="bottom")
    sev_key = f"cmp_severity_{first.injury.type}"
    severity = c1.slider(
        "Injury severity (all arms)",
        0.1,
        1.0,
        step=0.05,
        key=sev_key,
        help="Share of the cross-section destroyed; every arm gets the same injury. A chronic "
        "neuropathy has no lesion: its course is set by the host (HbA1c, chemotherapy).",
        disabled=first.injury.type == "neuropathy",
        **initial(sev_key, float(first.injury.severity)),
    )
    days = c2.slider(
        "Days to simulate",
        1,
        365,  # a chronic neuropathy is followed for a year (its 6 h tick keeps that quick)
        key="cmp_days",
        help=f"{DEFAULT_DAYS} days by default: the day-21 graft acts for "
        f"{DEFAULT_DAYS - 21} days and the four EV doses are over. 3 arms x {DEFAULT_SEEDS} "
        "seeds take about 13 s on 2 cores, longer horizons proportionally more; the first "
        "picture comes after one seed per arm.",
        **initial("cmp_days", int(defaults["days"])),
    )
    seeds = c3.slider(
        "Seeds (virtual animals) per arm",
        2,
        24,
        key="cmp_seeds",
        help="Each seed is another random run of the same scenario. More seeds give narrower "
        "intervals; runs already done are reused.",
        **initial("cmp_seeds", int(defaults["seeds"])),
    )
    return float(severity), float(days), int(seeds), c4


def display_options(days: float, spinal: bool = False) -> tuple[list[str], str, float, list[float]]:
    """Which metrics (the AIS grade among the defaults when an arm is ``spinal``), which band,
    which day for the sentences and which for the table."""
    c1, c2 = st.columns([3, 2])
    metrics = c1.multiselect(
        "Metrics",
        list(METRICS),
        key="cmp_metrics",
        format_func=stats.metric_title,
        **(
            {}
            if "cmp_metrics" in st.session_state
            else {"default": st.session_state.get("cmp_metrics_saved", default_metrics(spinal))}
        ),
    )
    st.session_state["cmp_metrics_saved"] = metrics
    band = c2.radio("Band", [stats.BAND_CI, stats.BAND_RANGE], key="cmp_band", horizontal=True)
    options = sorted({*(float(d) for d in range(7, int(days) + 1, 7)), float(days)})
    if st.session_state.get("cmp_day") not in options:
        st.session_state["cmp_day"] = float(days)
    c3, c4 = st.columns([3, 2])
    day = c3.select_slider(
        "Day for the summary sentences", options, key="cmp_day", format_func=lambda d: f"{d:g}"
    )
    wanted = sorted({d for d in (7.0, 28.0, float(days)) if d in options})
    if any(d not in options for d in st.session_state.get("cmp_table_days", [])):
        del st.session_state["cmp_table_days"]
    table_days = c4.multiselect(
        "Days in the table",
        options,
        key="cmp_table_days",
        format_func=lambda d: f"day {d:g}",
        **({} if "cmp_table_days" in st.session_state else {"default": wanted}),
    )
    return metrics, band, float(day), sorted(set(table_days))


def render(
    frame: pd.DataFrame,
    request: Request,
    options: tuple[list[str], str, float, list[float]],
    scenarios: dict,
    done: int | None = None,
) -> None:
    """Sentences, charts, and (when every run is done) the table and downloads."""
    metrics, band, day, table_days = options
    labels = list(scenarios)
    if not metrics:
        st.info("Choose at least one metric to show.")
        return
    if done is not None:
        st.caption(
            f"First look: {done} of {request.seeds} seeds finished in every arm. The whole "
            "comparison (every seed, the bands and the table) replaces it when the rest are in."
        )
    st.markdown(f"##### What the runs show at day {day:g}")
    lines = [stats.lead(frame, m, day) for m in metrics]
    st.markdown("\n".join(f"- {ld.sentence()}" for ld in lines if ld is not None))
    table = stats.bands(frame, metrics, band)
    table.attrs["band"] = band
    cols = st.columns(2)
    for k, metric in enumerate(metrics):
        with cols[k % 2]:
            units = stats.metric_units(metric)
            st.markdown(
                f"**{stats.metric_title(metric)}** <small>({units}) — "
                f"{METRICS[metric].description}</small>",
                unsafe_allow_html=True,
            )
            chart = charts.band_chart(table, metric, labels, title=False)
            st.altair_chart(chart, width="stretch")
    spread = (
        "chance and parameter uncertainty (each animal drew its parameters from the "
        "calibration's posterior)"
        if request.uncertainty
        else "chance alone (every animal runs the library's parameter values)"
    )
    st.caption(
        f"Lines: mean over {frame['seed'].nunique()} seeds. Bands: {band}. Intervals compare "
        "arms seed by seed (each seed is the same random injury in every arm). The seeds "
        f"differ by {spread}."
    )
    if done is not None:
        return
    if table_days:
        summary = summarize(frame, table_days, metrics)
        parts = [wide(summary, d).assign(day=f"day {d:g}") for d in table_days]
        shown = pd.concat(parts).reset_index().rename(columns={"metric": "metric"})
        shown["metric"] = shown["metric"].map(stats.metric_title)
        shown = shown.set_index(["day", "metric"])
        st.markdown("##### Summary: mean [95 % interval] over seeds")
        st.dataframe(shown, width="stretch")
    st.markdown("##### Downloads")
    st.caption("Every run's time series (tidy: one row per arm, seed and recorded tick).")
    downloads(
        "nervesim_compare",
        frame=frame,
        chart=lambda: charts.bands_figure(table, metrics, labels),  # built only when clicked
        key="cmp_all",
    )
    st.caption("Each arm's scenario, with your settings, as TOML (`nervesim run` reads it):")
    tcols = st.columns(len(scenarios))
    for col, (label, scenario) in zip(tcols, scenarios.items(), strict=True):
        with col:
            st.download_button(
                label,
                scenario.to_toml(),
                file_name=f"{slug(label)}.toml",
                mime="application/toml",
                icon=":material/download:",
                key=f"dl_toml_{slug(label)}",
                on_click="ignore",
            )


def run_request(request: Request, scenarios: dict, options) -> None:
    """Run (or fetch from the cache) every arm and seed, showing results as they come."""
    seeds = request.seed_list()
    jobs = {
        (label, seed): Job(for_seed(sc, seed, request.uncertainty).to_toml(), seed, request.days)
        for seed in seeds
        for label, sc in scenarios.items()
    }
    bar = st.empty()
    area = st.empty()
    shown = {"seeds": 0}
    t0 = time.perf_counter()

    def series(results: dict) -> dict:
        return {
            label: {s: results[jobs[(label, s)]] for s in seeds if jobs[(label, s)] in results}
            for label in scenarios
        }

    def complete(results: dict) -> int:
        n = 0
        for s in seeds:
            if not all(jobs[(label, s)] in results for label in scenarios):
                break
            n += 1
        return n

    def on_progress(done: int, total: int) -> None:
        bar.progress(
            done / total,
            text=f"Running {total} simulations ({len(scenarios)} arms x {len(seeds)} seeds) on "
            f"{max(1, worker_count())} processes: {done} done",
        )

    def on_done(results: dict) -> None:
        k = complete(results)
        # Draw one early picture, as soon as every arm has a seed; then only the progress bar
        # moves until the end: each live redraw took about 0.35 s of the two cores from the
        # runs (python -m benchmarks dashboard).
        if shown["seeds"] == 0 and 0 < k < len(seeds):
            shown["seeds"] = k
            with area.container():
                frame = tidy_frame(series(results), seeds[:k])
                render(frame, request, options, scenarios, done=k)

    cached_before = {"n": None}

    def progress(done: int, total: int) -> None:
        if cached_before["n"] is None:
            cached_before["n"] = done
        on_progress(done, total)

    results = run_many(list(jobs.values()), progress, on_done)
    elapsed = time.perf_counter() - t0
    bar.empty()
    frame = tidy_frame(series(results), seeds)
    runs = len(set(jobs.values()))
    new = 0 if cached_before["n"] is None else runs - cached_before["n"]
    with area.container():
        render(frame, request, options, scenarios)
    st.caption(
        f"{runs} runs ({new} new, the rest from the cache) in {elapsed:.1f} s "
        f"on {max(1, worker_count())} worker processes."
    )
    st.session_state["cmp_last_timing"] = {"runs": runs, "new": new, "seconds": elapsed}


# ---------------------------------------------------------------------------------- page
banner()
prewarm()
st.title("Compare therapies")
st.markdown(
    "Pick two to four scenarios, change their therapy if you like, and run them over several "
    "seeds. Each seed is another virtual animal with the same injury, so the spread of the "
    "lines is the model's own randomness. Start with the default: untreated spinal cord vs a "
    "stem-cell transplant on day 21 vs extracellular vesicles."
)
uploads: dict[str, str] = st.session_state.setdefault("uploads", {})
upload_box(uploads)
if (preset := st.session_state.pop("compare_preset", None)) is not None:
    load_preset(preset)
    st.session_state["cmp_run_now"] = True
    st.success(f"Loaded from Learn: **{preset.get('title', 'a thing to try')}**")
elif "cmp_n_arms" not in st.session_state and "compare_request" in st.session_state:
    last: Request = st.session_state["compare_request"]  # back from another page: restore
    load_preset(
        {
            "arms": list(last.arms),
            "days": int(last.days),
            "seeds": last.seeds,
            "severity": last.severity,
            "root": last.root_seed,
            "uncertainty": last.uncertainty,
        }
    )
n_arms = (
    st.segmented_control(
        "Number of arms", [2, 3, 4], key="cmp_n_arms", **initial("cmp_n_arms", 3, "default")
    )
    or 3
)
specs = []
for i, col in enumerate(st.columns(n_arms, border=True)):
    with col:
        specs.append(arm_editor(i, uploads, ARM_DEFAULTS[i]))
severity, days, seeds, button_col = shared_settings(specs[0].scenario, uploads)
with st.expander("Root seed and parameter uncertainty"):
    root = st.number_input(
        "Root seed", 0, 2**31 - 1, key="cmp_root", help="The seeds are spawned from this number."
    )
    uncertain = toggle("cmp_uncertainty")
    st.caption(EXPLAIN)
draft = Request(tuple(specs), severity, days, seeds, int(root), uncertain)
clicked = button_col.button(
    "Run comparison", type="primary", icon=":material/play_arrow:", key="cmp_run", width="stretch"
)
if (
    clicked
    or st.session_state.pop("cmp_run_now", False)
    or "compare_request" not in st.session_state
):
    st.session_state["compare_request"] = draft
request: Request = st.session_state["compare_request"]
if request != draft:
    st.info("Settings changed: press **Run comparison** to see them. Below: the last run.")

st.divider()
st.subheader("Results")
try:
    screen_arms(request.arms)
    built = build(request, uploads)
except Exception as exc:  # a schema error, or typed TOML the parser cannot take: one line
    st.error(one_line(exc))
else:
    for label, scenario in built.items():
        late = [iv.day for iv in scenario.interventions if iv.day >= request.days]
        if late:
            st.warning(
                f"**{label}**: its therapy starts on day {min(late):g}, not before the last "
                f"simulated day ({request.days:g}); simulate longer to see it act."
            )
    try:
        spinal = any(sc.injury.type == "spinal_cord" for sc in built.values())
        run_request(request, built, display_options(request.days, spinal))
    except Exception as exc:  # a run that failed in a worker: one line, the page stays usable
        st.error(f"The runs could not be finished: {one_line(exc)}")
footer()
