"""Evidence: the model held to the published anchors, with citations, and what it misses."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import streamlit as st

from dashboard.common import banner, csv_bytes, footer
from dashboard.pool import prewarm
from dashboard.runs import Job, run_many
from dashboard.uncertainty import EXPLAIN, for_seed, toggle
from simulation.calibration.posterior import DEFAULT_POSTERIOR_DIR
from simulation.evidence.anchors import all_anchors
from simulation.evidence.check import AnchorResult, cohort_sizes, figure, judge, table
from simulation.runs.runner import spawn_seeds
from simulation.scenario.schema import load_scenario
from simulation.validation.checks import SCENARIO_DIR


def check_anchors(seeds: int, uncertainty: bool = False) -> list[AnchorResult]:
    """Every encodable anchor judged over ``seeds`` seeds (runs from the shared cache); with
    ``uncertainty``, each seed's animal draws its parameters from the calibration."""
    anchors = [a for a in all_anchors() if a.encodable and not a.patients]
    seed_list = spawn_seeds(0, seeds)
    cohorts = {arm: spawn_seeds(0, n) for arm, n in cohort_sizes(anchors, seed_list).items()}
    arms = list(cohorts)
    scenario = {arm: load_scenario(SCENARIO_DIR / arm.scenario) for arm in arms}
    jobs = {
        (arm, s): Job(for_seed(scenario[arm], s, uncertainty).to_toml(), s, arm.days)
        for arm in arms
        for s in cohorts[arm]
    }
    bar = st.progress(0.0, text=f"Running {len(jobs)} simulations ({len(arms)} arms)")
    results = run_many(
        list(jobs.values()),
        lambda done, total: bar.progress(done / total, text=f"{done} of {total} runs done"),
    )
    bar.empty()
    runs = {arm: [results[jobs[(arm, s)]] for s in cohorts[arm]] for arm in arms}
    return judge(anchors, runs, seeds)


def calibration_section() -> None:
    """The library calibration's posterior-predictive bands against its target anchors."""
    folder = DEFAULT_POSTERIOR_DIR
    report = folder / "report.md"
    st.subheader("Calibration: how sure are the parameters?")
    if not report.is_file():
        st.info(f"No calibration report in {folder.name}/ in this checkout.")
        return
    st.markdown(
        "Five of the library's parameters were fitted, by approximate Bayesian computation, "
        "to some of these anchors (`nervesim calibrate "
        "scenarios/calibrations/untreated_default.toml`); the library's values lie inside the "
        "fit's 90 % intervals. The **posterior** is every set of "
        "values that lets the model meet them, weighted by how well. Below, the model re-run "
        "with values drawn from it (posterior-predictive bands) against each target anchor, "
        "and how narrow the data leave each parameter. " + EXPLAIN
    )
    text = report.read_text(encoding="utf-8")
    for title in ("## Parameters", "## Targets"):
        if title in text:
            part = text.split(title, 1)[1].split("\n## ", 1)[0]
            st.markdown(f"#####{title.removeprefix('##')}\n{part}")
    image = folder / "figures" / "predictive.png"
    if image.is_file():
        st.image(
            str(image),
            caption="Posterior-predictive draws (points) against each target's published band.",
        )


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
uncertain = toggle("ev_uncertainty")
if st.button("Check the anchors", type="primary", icon=":material/fact_check:", key="ev_run"):
    st.session_state["ev_results"] = (seeds, check_anchors(seeds, uncertain), uncertain)

done = st.session_state.get("ev_results")
if done is None:
    st.info(
        "Press **Check the anchors** to run the arms the anchors need "
        "(about half a minute at 6 seeds on this machine's two worker processes)."
    )
else:
    n, results, drawn = done
    skipped = [a for a in all_anchors() if not a.encodable]
    # An anchor about a share of patients needs its cohort (100 virtual patients, minutes of
    # runs): the command line judges it; here it is named, not judged over a few seeds.
    cohort = [a for a in all_anchors() if a.encodable and a.patients]
    frame: pd.DataFrame = table(results, skipped, cohort)
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
        "band (the whole interval, for anchors that state only a direction). An anchor "
        "'fitted by' a calibration was used to fit the library's parameter values: meeting "
        "it is a fit, not an independent test. "
        + (
            "Each virtual animal drew its parameters from the calibration's posterior."
            if drawn
            else "Every virtual animal ran the library's parameter values."
        )
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

calibration_section()
footer()
