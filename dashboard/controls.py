"""Widgets that edit an arm: scenario, therapy settings, mechanisms, other settings."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.library import (
    EDITABLE,
    UPLOAD_PREFIX,
    ArmSpec,
    base_scenario,
    describe_intervention,
    describe_setting,
    fmt_value,
    intervention_setting,
    library,
    mechanism_switches,
    pretty,
)

_LABELS = {
    "day": "First dose (day after injury)",
    "dose_cells": "Cells per dose",
    "dose_particles": "Vesicles per dose (particles)",
    "route": "Route",
    "cargo": "Cargo",
    "immunosuppression_days": "Immunosuppression (days)",
    "doses": "Number of doses",
    "repeat_every_days": "Days between doses",
    "half_life_h": "Enzyme half-life (h)",
    "intensity": "Training intensity",
    "task_specific": "Task-specific training",
}
#: Longest "other settings" text (characters): a few dotted keys; the parser never sees more.
MAX_EXTRA_CHARS = 4000
_SINGLE_DAY = {"chondroitinase", "rehabilitation", "scaffold"}
# Slider ranges narrower than the schema's (which allows a year): (lo, hi, step).
_RANGES = {
    "day": (0.0, 84.0, 1.0),
    "immunosuppression_days": (0.0, 365.0, 5.0),
    "doses": (1, 12, 1),
    "repeat_every_days": (1.0, 28.0, 1.0),
    "half_life_h": (1.0, 240.0, 1.0),
    "intensity": (0.0, 1.0, 0.05),
}
_DOSES = {
    "dose_cells": (1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7),
    "dose_particles": (1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11, 3e11, 1e12),
}


def initial(key: str, value: Any, name: str = "value") -> dict[str, Any]:
    """``value=`` for a widget, unless session state already holds its value (a preset)."""
    return {} if key in st.session_state else {name: value}


def therapy_widget(kind: str, key: str, current: Any, wkey: str, disabled: bool = False) -> Any:
    """One control for an intervention setting, returning a value of the schema's type."""
    s = intervention_setting(kind, key)
    label = "Day given" if key == "day" and kind in _SINGLE_DAY else _LABELS.get(key, key)
    help_text = describe_setting(f"interventions.{kind}.{key}")
    if s.choices:
        if wkey not in st.session_state:
            st.session_state[wkey] = current
        return st.radio(label, s.choices, key=wkey, horizontal=True, help=help_text)
    if isinstance(current, bool):
        return st.toggle(label, key=wkey, help=help_text, **initial(wkey, current))
    if key in _DOSES:
        options = sorted({*_DOSES[key], float(current)})
        return float(
            st.select_slider(
                label,
                options,
                key=wkey,
                format_func=fmt_value,
                help=help_text,
                **initial(wkey, float(current)),
            )
        )
    lo, hi, step = _RANGES.get(key, (s.lo, s.hi, None))
    lo, hi = min(lo, current), max(hi, current)
    cast = type(current)
    value = st.slider(
        label,
        cast(lo),
        cast(hi),
        step=cast(step) if step else None,
        key=wkey,
        help=help_text,
        disabled=disabled,
        **initial(wkey, current),
    )
    return cast(value)


def therapy_controls(prefix: str, interventions: list[dict[str, Any]]) -> list[tuple]:
    """Controls for every intervention of an arm; the edits that differ from the file."""
    edits = []
    for j, iv in enumerate(interventions):
        kind = iv["kind"]
        if len(interventions) > 1:
            st.markdown(f"**{j + 1}. {kind.replace('_', ' ')}**")
        values: dict[str, Any] = {}
        for key in EDITABLE.get(kind, ()):
            disabled = key == "repeat_every_days" and values.get("doses", 2) == 1
            values[key] = therapy_widget(kind, key, iv[key], f"{prefix}_iv{j}_{key}", disabled)
            if values[key] != iv[key]:
                edits.append((j, key, values[key]))
    return edits


def scenario_choices(uploads: dict[str, str]) -> list[str]:
    """Library stems, then uploaded scenarios."""
    return [*library(), *uploads]


def arm_editor(i: int, uploads: dict[str, str], default: str) -> ArmSpec:
    """The widgets of arm ``i`` (in the current column); the arm they describe."""
    choices = scenario_choices(uploads)
    key = f"cmp_arm{i}_scenario"
    if st.session_state.get(key) not in choices:
        st.session_state[key] = default if default in choices else choices[0]
    stem = st.selectbox(f"Arm {i + 1}", choices, key=key, format_func=pretty)
    entry = library().get(stem)
    scenario = base_scenario(stem, uploads)
    st.caption(entry.description if entry else scenario.description or "uploaded scenario")
    interventions = scenario.to_dict()["interventions"]
    prefix = f"cmp_arm{i}_{stem.replace(UPLOAD_PREFIX, 'up_')}"
    with st.expander("Therapy settings", expanded=False):
        if interventions:
            edits = therapy_controls(prefix, interventions)
        else:
            st.caption("No therapy in this arm: the untreated course.")
            edits = []
    with st.expander("Mechanisms and other settings"):
        switches = mechanism_switches()
        off = st.multiselect(
            "Mechanisms switched off",
            list(switches),
            key=f"cmp_arm{i}_mech_off",
            format_func=lambda k: k.replace("_", " "),
            help="Each switch removes one mechanism from the model: "
            + "; ".join(f"{k}: {v}" for k, v in switches.items()),
        )
        extra = st.text_area(
            "Other settings (TOML)",
            key=f"cmp_arm{i}_extra",
            placeholder="macrophage.to_m2_per_h = 0.1\ntransplant.immune_attack_per_h = 0.01",
            help="Any setting of the scenario schema as dotted TOML keys "
            "(`nervesim show-params` lists them with units and ranges).",
            height=90,
            max_chars=MAX_EXTRA_CHARS,
        )
        label = st.text_input("Label (optional)", key=f"cmp_arm{i}_label")
    spec = ArmSpec(stem, label.strip(), tuple(edits), tuple(off), extra)
    edited = spec.therapy
    shown = [dict(iv) for iv in interventions]
    for j, k, v in edited:
        shown[j][k] = v
    if not shown:
        st.markdown("<small>**Therapy:** none</small>", unsafe_allow_html=True)
    for iv in shown:
        st.markdown(
            f"<small>**Therapy:** {describe_intervention(iv)}</small>", unsafe_allow_html=True
        )
    return spec


def load_preset(preset: dict[str, Any]) -> None:
    """Put a preset (from the Learn page) into the Compare widgets' session state.

    ``preset["arms"]`` is a list of :class:`ArmSpec`; ``days``, ``seeds`` and ``metrics`` are
    optional. Widget keys of arms beyond the preset's are cleared.
    """
    for key in [k for k in st.session_state if str(k).startswith("cmp_arm")]:
        del st.session_state[key]
    arms: list[ArmSpec] = preset["arms"]
    st.session_state["cmp_n_arms"] = len(arms)
    for i, spec in enumerate(arms):
        st.session_state[f"cmp_arm{i}_scenario"] = spec.scenario
        st.session_state[f"cmp_arm{i}_mech_off"] = list(spec.mechanisms_off)
        st.session_state[f"cmp_arm{i}_extra"] = spec.extra_toml
        st.session_state[f"cmp_arm{i}_label"] = spec.label
        prefix = f"cmp_arm{i}_{spec.scenario.replace(UPLOAD_PREFIX, 'up_')}"
        for j, key, value in spec.therapy:
            st.session_state[f"{prefix}_iv{j}_{key}"] = value
    for name in ("days", "seeds", "metrics", "root", "uncertainty"):
        if name in preset:
            st.session_state[f"cmp_{name}"] = preset[name]
            if name == "metrics":
                st.session_state["cmp_metrics_saved"] = list(preset[name])
    if preset.get("severity") is not None:
        first = base_scenario(arms[0].scenario, st.session_state.get("uploads", {}))
        st.session_state[f"cmp_severity_{first.injury.type}"] = float(preset["severity"])
