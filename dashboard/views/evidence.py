"""Evidence: the model held to the published anchors, with citations, and what it misses."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from dashboard.common import banner, csv_bytes, footer
from dashboard.pool import prewarm
from dashboard.runs import Job, run_many
from simulation.evidence.anchors import all_anchors
from simulation.evidence.check import AnchorResult, arms_needed, figure, judge, table
from simulation.runs.runner import spawn_seeds
from simulation.scenario.schema import load_scenario
from simulation.validation.checks import SCENARIO_DIR


def check_anchors(seeds: int) -> list[AnchorResult]:
    """Every encodable anchor judged over ``seeds`` seeds (runs from the shared cache)."""
    anchors = [a for a in all_anchors() if a.encodable]
    arms = arms_needed(anchors)
    seed_list = spawn_seeds(0, seeds)
    toml = {arm: load_scenario(SCENARIO_DIR / arm.scenario).to_toml() for arm in arms}
    jobs = {(arm, s): Job(toml[arm], s, arm.days) for arm in arms for s in seed_list}
    bar = st.progress(0.0, text=f"Running {len(jobs)} simulations ({len(arms)} arms)")
    results = run_many(
        list(jobs.values()),
        lambda done, total: bar.progress(done / total, text=f"{done} of {total} runs done"),
    )
    bar.empty()
    runs = {arm: [results[jobs[(arm, s)]] for s in seed_list] for arm in arms}
    return judge(anchors, runs)


banner()
prewarm()
st.title("Evidence")
st.markdown(
    "NerveSim is illustrative, but its time courses are held to what animal studies measured "
    "(`shared/REFERENCE.md`). Each **anchor** below is a published finding: a peak day, how far "
    "a count falls from its peak, a ratio, a rate, a treated-versus-control direction. The "
    "model is run over several virtual animals (seeds) and its statistic is compared with the "
    "published band. Shapes and timing are compared, never absolute cell counts."
)
seeds = st.slider(
    "Virtual animals (seeds)", 2, 20, 6, key="ev_seeds", help="More seeds: narrower intervals."
)
if st.button("Check the anchors", type="primary", icon=":material/fact_check:", key="ev_run"):
    st.session_state["ev_results"] = (seeds, check_anchors(seeds))

done = st.session_state.get("ev_results")
if done is None:
    st.info(
        "Press **Check the anchors** to run the arms the anchors need "
        "(about half a minute at 6 seeds on this machine's two worker processes)."
    )
else:
    n, results = done
    skipped = [a for a in all_anchors() if not a.encodable]
    frame: pd.DataFrame = table(results, skipped)
    met = [r for r in results if r.passed]
    missed = [r for r in results if not r.passed]
    cols = st.columns(3)
    cols[0].metric("Anchors met", f"{len(met)} of {len(results)}")
    cols[1].metric("Anchors missed", len(missed))
    cols[2].metric("Not encodable yet", len(skipped))
    if missed:
        st.subheader("What the model misses")
        st.markdown(
            "These published findings are **not** reproduced by the model today. They are "
            "shown, not hidden: a teacher should know where the illustration departs from the "
            "evidence.\n\n"
            + "\n".join(
                f"- **{r.anchor.id}**: {r.anchor.statement} — the model gives "
                f"{r.interval[0]:.3g} {r.anchor.units}, the literature {r.anchor.band_text()} "
                f"({r.anchor.citation})"
                for r in missed
            )
        )
    st.subheader(f"Every anchor ({n} seeds)")
    st.caption(
        "model: mean [95 % t-interval over seeds]. An anchor is met when the mean lies in the "
        "band (the whole interval, for anchors that state only a direction)."
    )
    st.dataframe(frame, width="stretch", hide_index=True)
    st.download_button(
        "Evidence table (CSV)",
        csv_bytes(frame),
        file_name="nervesim_evidence.csv",
        mime="text/csv",
        icon=":material/download:",
        key="ev_csv",
        on_click="ignore",
    )
    st.subheader("Model against each anchor")
    for r in results:
        verdict = "met" if r.passed else "MISSED"
        with st.expander(f"{verdict} · {r.anchor.id}: {r.anchor.statement}"):
            fig = figure(r)
            st.pyplot(fig)
            plt.close(fig)
            st.caption(f"{r.anchor.citation}. Species: {r.anchor.species}.")
footer()
