"""Cohort: a small virtual trial, and how often 2 of 4 patients respond by chance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, stats
from dashboard.common import banner, downloads, footer, query_number
from dashboard.guard import one_line
from dashboard.library import ArmSpec, build_arm, library, pretty
from dashboard.pool import prewarm
from dashboard.runs import Job, run_many
from simulation.runs.compare import at_days
from simulation.runs.runner import spawn_seeds

OUTCOME = "function_index"


@dataclass(frozen=True)
class Trial:
    """A virtual trial: who is treated with what, how many, and what counts as a response."""

    treatment: str = "spinal_cord_ipsc_npc_day21"
    control: str = "spinal_cord_untreated"
    patients: int = 8
    severity: tuple[float, float] = (0.6, 1.0)
    days: float = 56.0
    threshold: float = 0.075
    root_seed: int = 2025

    def patient_table(self) -> pd.DataFrame:
        """Each patient's seed and injury severity (drawn once from the root seed)."""
        lo, hi = self.severity
        rng = np.random.default_rng(self.root_seed)
        sev = np.round(rng.uniform(lo, hi, self.patients), 2)
        return pd.DataFrame(
            {
                "patient": [f"P{i + 1}" for i in range(self.patients)],
                "seed": spawn_seeds(self.root_seed, self.patients),
                "severity": sev,
            }
        )


def baseline_for(stem: str) -> str:
    """The untreated scenario of the same injury."""
    return "spinal_cord_untreated" if stem.startswith("spinal") else "peripheral_crush_untreated"


def controls() -> Trial:
    """The trial's settings."""
    stems = [s for s in library() if "untreated" not in s]
    c1, c2, c3 = st.columns([2, 1, 1])
    treatment = c1.selectbox(
        "Therapy", stems, index=stems.index(Trial.treatment), format_func=pretty, key="coh_arm"
    )
    patients = c2.slider(
        "Patients", 4, 24, key="coh_n", value=int(query_number("patients", 8, 4, 24))
    )
    days = c3.slider(
        "Assessed on day",
        7,
        112,
        step=7,
        key="coh_days",
        value=7 * round(query_number("days", 56, 7, 112) / 7),
    )
    c4, c5, c6 = st.columns([2, 1, 1])
    severity = c4.slider(
        "Injury severity range (each patient draws one)",
        0.1,
        1.0,
        (0.6, 1.0),
        0.05,
        key="coh_sev",
    )
    threshold = c5.number_input(
        "Response: function index gain above",
        0.0,
        1.0,
        Trial.threshold,
        0.005,
        format="%.3f",
        key="coh_threshold",
        help="A patient responds when their function index beats their untreated twin's "
        "(same seed, same injury) by more than this. Not a clinical definition: the default "
        "0.075 sits inside the spread of the default cohort's gains (0.045-0.09 at day 56 for "
        "a day-21 iPSC graft), so some patients respond and some do not, and chance shows.",
    )
    root = c6.number_input("Root seed", 0, 2**31 - 1, 2025, key="coh_root")
    return Trial(
        treatment,
        baseline_for(treatment),
        int(patients),
        (float(severity[0]), float(severity[1])),
        float(days),
        float(threshold),
        int(root),
    )


def run_trial(trial: Trial) -> pd.DataFrame:
    """Every patient's function index untreated and treated, and their gain."""
    table = trial.patient_table()
    jobs = {}
    for row in table.itertuples():
        for arm, stem in (("untreated", trial.control), ("treated", trial.treatment)):
            scenario = build_arm(ArmSpec(stem), severity=float(row.severity))
            jobs[(row.patient, arm)] = Job(scenario.to_toml(), int(row.seed), trial.days)
    bar = st.empty()
    results = run_many(
        list(jobs.values()),
        lambda done, total: bar.progress(
            done / total, text=f"Running {total} virtual patients' simulations: {done} done"
        ),
    )
    bar.empty()
    for arm in ("untreated", "treated"):
        values = []
        for row in table.itertuples():
            ts = results[jobs[(row.patient, arm)]].assign(seed=row.seed, scenario=arm)
            values.append(float(at_days(ts, [trial.days])[OUTCOME].iloc[0]))
        table[arm] = values
    table["gain"] = table["treated"] - table["untreated"]
    table["responder"] = np.where(table["gain"] > trial.threshold, "responder", "non-responder")
    return table


def show(trial: Trial, table: pd.DataFrame) -> None:
    """Responders, the 2-of-4 chance, the patients."""
    k = int((table["responder"] == "responder").sum())
    n = len(table)
    p = k / n
    lo, hi = stats.wilson_interval(k, n)
    pmf = stats.binomial_pmf(4, p)
    at_least_2 = sum(pmf[2:])
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Responders", f"{k} of {n}")
    c2.metric("Response rate", f"{p:.0%}", help=f"95 % Wilson interval {lo:.0%} to {hi:.0%}")
    c3.metric("Exactly 2 of 4 respond", f"{pmf[2]:.0%}")
    c4.metric("At least 2 of 4 respond", f"{at_least_2:.0%}")
    k_lo, k_hi = stats.wilson_interval(2, 4)
    st.markdown(
        f"In this virtual cohort **{k} of {n}** patients gained more than {trial.threshold:g} "
        f"in function index over their untreated twin by day {trial.days:g} (response rate "
        f"{p:.0%}, 95 % interval {lo:.0%} to {hi:.0%}). If that were the true rate, a "
        f"four-patient trial would see **exactly 2 responders {pmf[2]:.0%}** of the time and "
        f"at least 2 in {at_least_2:.0%}. Turned around: 2 of 4 alone is compatible with true "
        f"rates from {k_lo:.0%} to {k_hi:.0%} (Wilson 95 %). Keio's 2 of 4 is encouraging, "
        "not proof."
    )
    left, right = st.columns([3, 2])
    scatter = charts.cohort_chart(table, trial.threshold, pretty(trial.treatment))
    with left:
        st.markdown("##### Each patient: gain over their untreated twin")
        st.altair_chart(scatter, width="stretch")
    with right:
        st.markdown(f"##### Responders in a 4-patient trial at a {p:.0%} rate")
        st.altair_chart(charts.binomial_chart(pmf, observed=2), width="stretch")
    shown = table.rename(columns={"untreated": "FI untreated", "treated": "FI treated"})
    st.dataframe(shown, hide_index=True, width="stretch")
    downloads("nervesim_cohort", frame=table, chart=scatter, key="coh")


# ---------------------------------------------------------------------------------- page
banner()
prewarm()
st.title("Cohort: a small virtual trial")
st.markdown(
    "Keio University's 2025 iPSC transplant trial treated 4 patients; 2 improved. Is that the "
    "therapy, or luck? Here each virtual patient gets a random injury and is run twice with the "
    "same seed: untreated and treated (a matched twin). A patient **responds** when the "
    "illustrative function index gains more than the threshold."
)
trial = controls()
if st.button("Run the trial", type="primary", icon=":material/play_arrow:", key="coh_run"):
    st.session_state["cohort_trial"] = trial
done: Trial | None = st.session_state.get("cohort_trial")
if done is None:
    st.info("Press **Run the trial** (8 patients x 2 arms take about 10 s on 2 cores).")
else:
    if done != trial:
        st.info("Settings changed: press **Run the trial** to see them. Below: the last trial.")
    try:
        show(done, run_trial(done))
    except Exception as exc:  # one line, the page stays usable
        st.error(one_line(exc))
footer()
