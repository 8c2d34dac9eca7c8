"""Sweeps: open a sweep's results, plot a metric against each varied setting, sensitivity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.common import banner, downloads, footer
from dashboard.guard import check_manifest, one_line
from dashboard.stats import metric_title

ROOT = Path(__file__).resolve().parents[2]
#: Largest manifest upload accepted (bytes).
MAX_MANIFEST_BYTES = 5_000_000
MANIFEST_FORMAT = "nervesim-sweep/1"


def sweep_api() -> Any:
    """The sweep module, or None while it is not part of this installation."""
    try:
        from simulation.sweeps import sweep
    except ImportError:
        return None
    return sweep


def found_folders() -> list[str]:
    """Sweep result folders under results/ and out/ of the project (newest first)."""
    found = []
    for top in ("results", "out"):
        for manifest in (ROOT / top).glob("**/manifest.json"):
            found.append(manifest.parent)
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in found]


def read_manifest_upload(name: str, data: bytes) -> dict[str, Any]:
    """An uploaded manifest.json: JSON text only, size-capped, of the sweep format, with every
    value the page reads of the expected type (:func:`dashboard.guard.check_manifest`)."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"{name}: {len(data)} bytes is too large (at most {MAX_MANIFEST_BYTES})")
    try:
        manifest = json.loads(data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{name}: not a JSON text file ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise ValueError(f"{name}: not a sweep manifest (nested too deeply)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"{name}: not a {MANIFEST_FORMAT} manifest")
    return check_manifest(manifest, name)


def parameter_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """The varied settings: key, units, range or values, distribution."""
    rows = []
    for p in manifest.get("parameters", []):
        values = p.get("values")
        rows.append(
            {
                "setting": p["key"],
                "units": p.get("units", ""),
                "varied over": ", ".join(map(str, values))
                if values
                else f"{p.get('lo')} – {p.get('hi')}",
                "distribution": p.get("distribution") or "",
            }
        )
    return pd.DataFrame(rows)


def describe(manifest: dict[str, Any]) -> None:
    """Name, what it varies and how."""
    st.markdown(
        f"**{manifest.get('name', '?')}** — {manifest.get('description', '')}  \n"
        f"Design **{manifest.get('design')}**, {len(manifest.get('points', []))} points x "
        f"{manifest.get('replicates', 1)} replicate(s) = {len(manifest.get('runs', []))} runs "
        f"of {manifest.get('days', '?')} days; base scenario "
        f"`{manifest.get('base', {}).get('name')}`."
    )
    st.dataframe(parameter_table(manifest), hide_index=True, width="stretch")


def plots(folder: str, manifest: dict[str, Any], results: pd.DataFrame) -> None:
    """A metric against each varied setting, and its sensitivity indices."""
    metrics = [m for m in manifest["metrics"] if m in results.columns]
    days = sorted(set(results["day"].tolist()))
    c1, c2 = st.columns([2, 1])
    metric = c1.selectbox("Metric", metrics, format_func=metric_title, key="swp_metric")
    day = c2.select_slider(
        "Day", days, value=days[-1], key="swp_day", format_func=lambda d: f"{d:g}"
    )
    at = results[results["day"] == day]
    params = manifest["parameters"]
    cols = st.columns(2)
    figures = []
    for i, p in enumerate(params):
        data = pd.DataFrame({"x": at[p["key"]].astype(float), "value": at[metric]})
        lo, hi = p.get("lo"), p.get("hi")
        domain = (float(lo), float(hi)) if lo is not None and hi is not None else None
        log = p.get("distribution") == "loguniform"
        chart = charts.sweep_chart(data, "x", p["key"], metric, log=log, domain=domain)
        figures.append(chart.properties(title=p["key"]))
        with cols[i % 2]:
            units = f" ({p['units']})" if p.get("units") else ""
            st.markdown(f"**{p['key']}**{units}" + (" · log scale" if log else ""))
            st.altair_chart(chart, width="stretch")
    st.caption(
        "Dots: one run each (every setting varies at once, so the scatter around the trend is "
        "the other settings plus the model's randomness). Line: a LOESS trend."
    )
    sensitivity(folder, metric, day)
    downloads(
        f"sweep_{manifest.get('name', 'results')}",
        frame=results,
        chart=charts.alt.vconcat(*figures) if figures else None,
        key="swp",
    )


def stamp(folder: str) -> tuple[int, float]:
    """How many result parts the folder has and the newest one's time (a cache key)."""
    parts = list((Path(folder) / "parts").glob("*.parquet"))
    return len(parts), max((p.stat().st_mtime for p in parts), default=0.0)


@st.cache_data(max_entries=64, show_spinner="Computing sensitivity indices…")
def cached_analysis(folder: str, metric: str, day: float, parts: tuple[int, float]) -> Any:
    """`simulation.sweeps.sensitivity.analyze`, once per folder state (``parts``), metric, day."""
    from simulation.sweeps.sensitivity import analyze

    return analyze(folder, metric, day)


def sensitivity(folder: str, metric: str, day: float) -> None:
    """The sweep's sensitivity indices of ``metric`` on ``day``, if they can be computed."""
    st.markdown("##### Which settings matter most (sensitivity)")
    try:
        import simulation.sweeps.sensitivity  # noqa: F401
    except ImportError:
        st.caption("Sensitivity indices need `simulation.sweeps.sensitivity` (not installed here).")
        return
    try:
        result = cached_analysis(folder, metric, day, stamp(folder))
    except Exception as exc:  # SweepError, or SALib missing: a one-line reason
        st.info(f"No sensitivity indices: {str(exc).splitlines()[0]}")
        return
    st.caption(
        f"Method: {result.method} ({result.design} design), ranked by `{result.rank_by}`. "
        "The indices describe this illustrative model, not biology."
    )
    st.altair_chart(charts.sensitivity_chart(result.table, result.rank_by), width="stretch")
    st.dataframe(result.table, hide_index=True, width="stretch")


# ---------------------------------------------------------------------------------- page
banner()
st.title("Sweeps")
st.markdown(
    "A sweep runs one scenario many times while it varies a few settings (`nervesim sweep "
    "FILE --out FOLDER`, examples in `scenarios/sweeps/`). Open its folder to see how a metric "
    "follows each setting and which settings matter most."
)
api = sweep_api()
if api is None:
    st.info("This installation has no sweep support yet (`simulation.sweeps.sweep`).")
    footer()
    st.stop()
found = found_folders()
c1, c2 = st.columns(2)
folder = c1.text_input(
    "Sweep results folder",
    value=found[0] if found else "",
    key="swp_folder",
    help="The folder given to `nervesim sweep --out` (relative to the project, or absolute).",
)
if found:
    c1.caption("Found: " + ", ".join(f"`{f}`" for f in found[:6]))
upload = c2.file_uploader(
    "…or upload its manifest.json (to see the plan)",
    type=["json"],
    key="swp_upload",
    max_upload_size=MAX_MANIFEST_BYTES // 1_000_000,
)
if upload is not None:
    try:
        describe(read_manifest_upload(upload.name, upload.getvalue()))
        st.caption("A manifest holds the plan; the results live in its folder: enter its path.")
    except Exception as exc:  # anything in the file: one line, the page keeps working
        st.error(one_line(exc))
if folder.strip():
    try:
        path = Path(folder.strip())
        path = path if path.is_absolute() else ROOT / path
        # Checked before the sweep reader uses it: a bad inner value is one clear line.
        manifest = check_manifest(api.load_manifest(path), str(path / "manifest.json"))
        results = api.load_results(path)
        progress = api.status(path)
    except Exception as exc:  # SweepError, file errors, bad values: one line
        st.error(one_line(exc))
    else:
        try:
            describe(manifest)
            st.caption(
                f"Runs done: {progress['done']} of {progress['total']} "
                f"({progress['failed']} failed, {progress['pending']} pending)."
            )
            if results.empty:
                st.info("No finished runs yet.")
            else:
                plots(str(path), manifest, results)
        except Exception as exc:  # results that do not match their manifest: one line
            st.error(f"This sweep's results cannot be shown: {one_line(exc)}")
footer()
