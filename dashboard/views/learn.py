"""Learn: each mechanism and therapy, how the model represents it, and things to try."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.common import banner, footer
from dashboard.learn_content import (
    FUNCTION_INDEX,
    MECHANISMS,
    NEUROPATHY,
    OUTCOMES,
    THERAPIES,
    Topic,
    Try,
)
from dashboard.library import ArmSpec, library, pretty, settings
from dashboard.stats import metric_title
from simulation.scenario.schema import Scenario

COMPARE_PAGE = "views/compare.py"


def load_into_compare(preset: dict) -> None:
    """Hand a setting to the Compare page and open it."""
    st.session_state["compare_preset"] = preset
    st.switch_page(COMPARE_PAGE)


def default_value(key: str, fallback: object) -> object:
    """A setting's value in the default scenario (nested defaults differ from the leaf's)."""
    node: object = Scenario().to_dict()
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return fallback
        node = node[part]
    return node


def shown_key(key: str) -> str:
    """``interventions.ev.day`` -> ``[[interventions]] ev: day``; other keys as they are."""
    if key.startswith("interventions."):
        _, kind, name = key.split(".", 2)
        return f"[[interventions]] {kind}: {name}"
    return key


def parameter_table(keys: tuple[str, ...]) -> pd.DataFrame:
    """Units, allowed range, default, meaning and source of settings, from the schema."""
    rows = []
    for key in keys:
        s = settings()[key]
        default = default_value(key, s.default)
        allowed = (
            ", ".join(map(str, s.choices))
            if s.choices
            else (f"{s.lo:g} – {s.hi:g}" if s.lo is not None and s.hi is not None else "")
        )
        rows.append(
            {
                "setting": shown_key(key),
                "units": "" if s.units in ("1", "choice") else s.units,
                "allowed": allowed,
                "default": f"{default:g}" if isinstance(default, float) else str(default),
                "meaning": s.description,
                "source": s.source,
            }
        )
    return pd.DataFrame(rows)


def try_block(topic: Topic, k: int, item: Try) -> None:
    """One thing to try, with its button."""
    arms = " vs ".join(f"*{a.label or pretty(a.scenario)}*" for a in item.arms)
    metrics = ", ".join(metric_title(m).lower() for m in item.metrics)
    st.markdown(
        f"**{item.title}.** {item.look_for}  \n<small>Arms: {arms}. Shows: {metrics}.</small>",
        unsafe_allow_html=True,
    )
    if st.button("Try it in Compare", key=f"try_{topic.key}_{k}", icon=":material/science:"):
        load_into_compare(item.preset())


def topic_section(topic: Topic, expanded: bool) -> None:
    """Everything about one mechanism or therapy."""
    with st.expander(topic.title, expanded=expanded):
        c1, c2 = st.columns(2)
        c1.markdown(f"**What it is.** {topic.what}")
        c2.markdown(f"**In the model.** {topic.model}")
        st.markdown(f"**Rough numbers.** {topic.numbers}")
        entries = library()
        sources = [
            f"- `{stem}`: {entries[stem].source or entries[stem].illustrates}"
            for stem in topic.scenarios
            if stem in entries
        ]
        if sources:
            st.markdown("**Scenario files and their sources**\n" + "\n".join(sources))
        st.markdown("**Settings** (units and ranges from the scenario schema)")
        st.dataframe(parameter_table(topic.params), hide_index=True, width="stretch")
        if topic.tries:
            st.markdown("**Things to try**")
            for k, item in enumerate(topic.tries):
                try_block(topic, k, item)


def library_tab() -> None:
    """The scenario library (like NetLogo's Models Library)."""
    entries = library()
    st.markdown(
        "Every scenario file in `scenarios/`, with what it illustrates and its source. Pick one "
        "to compare it with its untreated baseline."
    )
    table = pd.DataFrame(
        [
            {
                "scenario": pretty(e.stem),
                "file": f"{e.stem}.toml",
                "description": e.description,
                "source": e.source or "—",
            }
            for e in entries.values()
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    c1, c2 = st.columns([3, 1])
    stem = c1.selectbox("Scenario", list(entries), format_func=pretty, key="learn_lib_pick")
    c1.caption(entries[stem].illustrates)
    if c2.button("Compare with untreated", key="learn_lib_go", icon=":material/science:"):
        baseline = (
            "spinal_cord_untreated"
            if stem.startswith("spinal")
            else "neuropathy_diabetic_case_untreated"
            if stem.startswith("neuropathy")
            else "peripheral_crush_untreated"
        )
        arms = [ArmSpec(baseline)] + ([ArmSpec(stem)] if stem != baseline else [])
        if len(arms) == 1:
            partner = {
                "peripheral": "peripheral_crush_ev_ngf",
                "neuropathy": "neuropathy_diabetic_case_treated",
            }
            arms.append(ArmSpec(partner.get(stem.split("_")[0], "spinal_cord_ev")))
        load_into_compare({"title": pretty(stem), "arms": arms})


def about_tab() -> None:
    """What the model is and is not."""
    st.markdown(
        """
NerveSim is an **agent-based model**: every neuron, immune cell and glial cell is an agent that
senses chemical fields on a grid (cytokine, trophic factor, vesicles, debris, scar), moves,
secretes, divides, changes state and dies by rates. Fields spread and decay by diffusion.
Every outcome emerges from those local rules: no therapy has a built-in effect.

**It is illustrative.** Its rates are rough numbers from the literature, chosen so that the
model shows the qualitative trends reported (neutrophils before macrophages, a scar over days
5-14, grafts surviving better when given later...). It is not calibrated to patients, and its
numbers are not predictions for anyone.

**Reading the results.** Each seed is another random run of the same scenario, like another
animal with the same injury. The lines are means over seeds; the bands are 95 % intervals of
those means (or the full range of seeds). Arms share their seeds, so the sentences compare
them seed by seed. If an interval includes 0, the seeds cannot tell the arms apart: run more.
"""
    )
    st.markdown(FUNCTION_INDEX)
    st.markdown(
        "**The full description** of the model, as an ODD protocol (Grimm et al. 2020), is "
        "`docs/odd.md`, generated from the code by `nervesim odd`: every cell type, its state "
        "and rules, the schedule, and every setting with its units, range and source."
    )


# ---------------------------------------------------------------------------------- page
banner()
st.title("Learn")
st.markdown(
    "What each mechanism and therapy is, how NerveSim represents it, the rough numbers behind "
    "it and where they come from. Each **Try it in Compare** button loads a comparison."
)
tabs = st.tabs(
    [
        "Mechanisms",
        "Therapies",
        "Chronic neuropathy",
        "Outcomes and the model",
        "Scenario library",
        "About the model",
    ]
)
with tabs[0]:
    for i, topic in enumerate(MECHANISMS):
        topic_section(topic, expanded=i == 0)
with tabs[1]:
    for i, topic in enumerate(THERAPIES):
        topic_section(topic, expanded=i == 0)
with tabs[2]:
    for i, topic in enumerate(NEUROPATHY):
        topic_section(topic, expanded=i == 0)
with tabs[3]:
    for i, topic in enumerate(OUTCOMES):
        topic_section(topic, expanded=i == 0)
with tabs[4]:
    library_tab()
with tabs[5]:
    about_tab()
footer()
