"""What every page shares: the banner, settings from the address, downloads, PNG export."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.comparison import DEFAULT_DAYS, DEFAULT_SEEDS
from simulation import ILLUSTRATIVE_LABEL, __version__

#: The banner every page opens with.
BANNER = "Illustrative teaching model — not clinically validated, not medical advice"


def banner() -> None:
    """The illustrative-model banner; call it first on every page."""
    st.warning(
        f"**{BANNER}.** Trends are qualitative; numbers are not predictions.",
        icon=":material/warning:",
    )


def footer() -> None:
    """The model version and label, at the bottom of a page."""
    st.divider()
    st.caption(f"NerveSim {__version__} · {ILLUSTRATIVE_LABEL}")


def query_number(name: str, default: float, lo: float, hi: float) -> float:
    """A number from the page address (``?seeds=2&days=7``), clamped; ``default`` if absent.

    Tests and slow machines use these to start with small settings.
    """
    raw = st.query_params.get(name)
    try:
        value = float(raw) if raw is not None else default
    except ValueError:
        return default
    return default if not math.isfinite(value) else min(hi, max(lo, value))


def start_defaults() -> dict[str, float]:
    """Days and seeds the widgets start from: the page address (``?seeds=2&days=7``), once
    given, else the defaults. Kept for the session, so tests and slow machines can start small.
    """
    defaults = st.session_state.setdefault(
        "cmp_defaults", {"days": DEFAULT_DAYS, "seeds": DEFAULT_SEEDS}
    )
    if "days" in st.query_params:
        defaults["days"] = int(query_number("days", DEFAULT_DAYS, 1, 168))
    if "seeds" in st.query_params:
        defaults["seeds"] = int(query_number("seeds", DEFAULT_SEEDS, 2, 24))
    return defaults


def slug(text: str) -> str:
    """A file-name-safe form of ``text``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "nervesim"


def parquet_bytes(frame: pd.DataFrame, meta: dict[str, Any] | None = None) -> bytes:
    """A frame as Parquet bytes, labelled illustrative in its metadata."""
    out = frame.copy()
    out.attrs = {"label": ILLUSTRATIVE_LABEL, "nervesim_version": __version__, **(meta or {})}
    buf = io.BytesIO()
    out.to_parquet(buf, index=False)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV, opening with a comment line that carries the illustrative label."""
    return (f"# {ILLUSTRATIVE_LABEL}\n" + frame.to_csv(index=False)).encode("utf-8")


def chart_png(chart: alt.TopLevelMixin) -> bytes | None:
    """The chart as a PNG (via vl-convert), or None when vl-convert is not installed."""
    try:
        import vl_convert as vlc
    except ImportError:
        return None
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_json()
    return vlc.vegalite_to_png(spec, scale=2)


def downloads(
    stem: str,
    frame: pd.DataFrame | None = None,
    toml: str | None = None,
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin] | None = None,
    key: str = "",
) -> None:
    """A row of download buttons: data (CSV, Parquet), scenario (TOML), figure (PNG).

    The files (and a ``chart`` given as a function) are made only when a button is clicked
    (deferred data), so a page rerun never pays for them.
    """
    key = key or stem
    buttons: list[tuple[str, Any, str, str]] = []
    if frame is not None:
        buttons.append(("CSV", lambda: csv_bytes(frame), "csv", "text/csv"))
        buttons.append(
            ("Parquet", lambda: parquet_bytes(frame), "parquet", "application/octet-stream")
        )
    if toml is not None:
        buttons.append(("Scenario TOML", lambda: toml.encode(), "toml", "application/toml"))
    if chart is not None and _has_vl_convert():
        figure = chart

        def png() -> bytes:
            return chart_png(figure() if callable(figure) else figure) or b""

        buttons.append(("Figure PNG", png, "png", "image/png"))
    cols = st.columns(len(buttons) or 1)
    for col, (name, make, ext, mime) in zip(cols, buttons, strict=False):
        with col:
            st.download_button(
                f"{name}",
                make,
                file_name=f"{stem}.{ext}",
                mime=mime,
                key=f"dl_{key}_{ext}",
                icon=":material/download:",
                on_click="ignore",
            )


def _has_vl_convert() -> bool:
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return False
    return True
