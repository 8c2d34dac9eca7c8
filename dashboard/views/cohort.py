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
from simulation.scenario.schema import Scenario
from simulation.tissue.model import patient_severity

#: How a response is measured. Each is a gain on an outcome scale, at least one step of it.
AIS = "AIS grade gained since the first examination"
BBB = "BBB points over the untreated twin"
FUNCTION = "Function index over the untreated twin"
#: measure -> (metric, compared with, smallest step of the scale, its unit).
MEASURES: dict[str, tuple[str, str, float, str]] = {
    AIS: ("ais_grade", "baseline", 1.0, "grade"),
    BBB: ("bbb_score", "twin", 1.0, "BBB points"),
    FUNCTION: ("function_index", "twin", 0.01, "function index"),
}
#: The natural conversion of complete (AIS A) injuries within a year (REFERENCE.md).
NATURAL_RATE = "11-30 % within a year (Kirshblum et al. 2021, J Neurotrauma 38:1267)"
#: The calibrated severe contusion (scenarios/spinal_cord_untreated.toml): AIS A at first.
COMPLETE = 0.8
#: The library's cohort of complete injuries: how much patients' lesions differ.
COHORT = "spinal_cord_severe_cohort"


def library_spread() -> float:
    """``injury.severity_sd`` of the library's cohort of complete injuries (its file)."""
    return float(build_arm(ArmSpec(COHORT)).injury.severity_sd)


@dataclass(frozen=True)
class Trial:
    """A virtual trial: who is treated with what, how many, and what counts as a response."""

    treatment: str = "spinal_cord_ipsc_npc_day21"
    control: str = "spinal_cord_untreated"
    patients: int = 8
    severity: tuple[float, float] = (COMPLETE, COMPLETE)
    days: float = 84.0
    measure: str = AIS
    min_gain: float = 1.0
    root_seed: int = 2025
    #: How much patients' lesions differ around their severity (``injury.severity_sd``); each
    #: patient's lesion is drawn by the model from its seed, so a twin shares it.
    spread: float = 0.05

    def patient_table(self) -> pd.DataFrame:
        """Each patient's seed and injury severity (drawn once from the root seed; with a spread
        the model draws each patient's own lesion around it, which :func:`run_trial` records)."""
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


def measures_for(stem: str) -> list[str]:
    """The response measures of an injury: AIS and BBB for the spinal cord, else the index."""
    return [AIS, BBB, FUNCTION] if stem.startswith("spinal") else [FUNCTION]


def baseline_day() -> float:
    """The day of the first AIS examination (``outcomes.ais_baseline_day``)."""
    return float(Scenario().outcomes.ais_baseline_day)


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
        value=7 * round(query_number("days", Trial.days, 7, 112) / 7),
        help="The AIS grade's A-to-B step is calibrated on day 84, where the model's "
        "untreated recovery has levelled off (it stands for a person's first year): a fifth "
        "or so of complete injuries convert by then, within the natural 11-30 %. Assess "
        "earlier and fewer untreated twins have converted yet.",
    )
    c4, c4b, c5, c6 = st.columns([2, 1, 2, 1])
    severity = c4.slider(
        "Injury severity range (each patient draws one)",
        0.1,
        1.0,
        Trial.severity,
        0.05,
        key="coh_sev",
        help=f"Keio's patients had complete injuries (AIS A). The default, {COMPLETE:g}, is the "
        "severe contusion the AIS mapping is calibrated on; milder injuries spare more fibres "
        "and convert more often without any therapy.",
    )
    spread = c4b.number_input(
        "Lesions differ by (sd)",
        0.0,
        0.3,
        float(library_spread()),
        0.01,
        key="coh_spread",
        help="How much of the cord each patient's lesion destroys differs around the severity "
        "(injury.severity_sd, a standard deviation); the model draws it from the patient's "
        "seed, so the untreated twin has the same lesion. The default is the library's "
        "cohort of complete injuries (spinal_cord_severe_cohort). At 0 every patient has the "
        "same lesion, and untreated twins convert all together or not at all.",
    )
    options = measures_for(treatment)
    injury = "spinal" if treatment.startswith("spinal") else "nerve"
    measure = c5.selectbox("Response", options, key=f"coh_measure_{injury}")
    metric, against, step, unit = MEASURES[measure]
    if against == "baseline":
        min_gain = step
        c5.caption(f"A responder gains at least one grade from day {baseline_day():g}.")
    else:
        min_gain = c5.number_input(
            f"Responder: gain over the twin of at least ({unit})",
            0.0,
            21.0 if metric == "bbb_score" else 1.0,
            step,
            step,
            key=f"coh_min_{metric}",
            help="The default is one step of the scale (1 BBB point; 0.01 of the function "
            "index, the precision it is shown with), not a clinical definition.",
        )
    root = c6.number_input("Root seed", 0, 2**31 - 1, 2025, key="coh_root")
    return Trial(
        treatment,
        baseline_for(treatment),
        int(patients),
        (float(severity[0]), float(severity[1])),
        float(days),
        measure,
        float(min_gain),
        int(root),
        float(spread),
    )


def run_trial(trial: Trial) -> pd.DataFrame:
    """Every patient's outcome untreated and treated (at the first examination and at the
    assessment), their gain, and whether they respond; for AIS, whether the twin converted."""
    table = trial.patient_table()
    metric, against, _, _ = MEASURES[trial.measure]
    first = baseline_day()
    jobs = {}
    built: dict[str, Scenario] = {}
    for row in table.itertuples():
        for arm, stem in (("untreated", trial.control), ("treated", trial.treatment)):
            scenario = build_arm(ArmSpec(stem), severity=float(row.severity))
            if scenario.injury.type == "spinal_cord":
                scenario = scenario.with_overrides({"injury.severity_sd": trial.spread})
            jobs[(row.patient, arm)] = Job(scenario.to_toml(), int(row.seed), trial.days)
            built[row.patient] = scenario
    bar = st.empty()
    results = run_many(
        list(jobs.values()),
        lambda done, total: bar.progress(
            done / total, text=f"Running {total} virtual patients' simulations: {done} done"
        ),
    )
    bar.empty()
    # Each patient's own lesion (the model draws it from the seed; the twin shares it).
    table["severity"] = [
        round(patient_severity(built[row.patient], int(row.seed)), 3) for row in table.itertuples()
    ]
    for arm in ("untreated", "treated"):
        start, end = [], []
        for row in table.itertuples():
            ts = results[jobs[(row.patient, arm)]].assign(seed=row.seed, scenario=arm)
            values = at_days(ts, [first, trial.days])[metric].to_numpy(dtype=float)
            start.append(float(values[0]))
            end.append(float(values[-1]))
        if against == "baseline":
            table[f"{arm} day {first:g}"] = start
        table[arm] = end
    if against == "baseline":
        table["gain"] = table["treated"] - table[f"treated day {first:g}"]
        was_a = table[f"untreated day {first:g}"] < 1
        table["twin converted"] = was_a & (table["untreated"] >= 1)
    else:
        table["gain"] = table["treated"] - table["untreated"]
    table["responder"] = np.where(
        table["gain"] >= trial.min_gain - 1e-9, "responder", "non-responder"
    )
    return table


def show(trial: Trial, table: pd.DataFrame) -> None:
    """Responders, the chance of 2 of 4 from the untreated arm, the patients."""
    metric, against, _, unit = MEASURES[trial.measure]
    k = int((table["responder"] == "responder").sum())
    n = len(table)
    p = k / n
    lo, hi = stats.wilson_interval(k, n)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Responders", f"{k} of {n}")
    c2.metric("Response rate", f"{p:.0%}", help=f"95 % Wilson interval {lo:.0%} to {hi:.0%}")
    gained = f"gained at least {trial.min_gain:g} {unit}"
    if against == "baseline":
        first = baseline_day()
        complete = table[f"untreated day {first:g}"] < 1
        m = int(complete.sum())
        c = int(table.loc[complete, "twin converted"].sum())
        p0, at2, at2_lo, at2_hi = stats.chance_by_natural_rate(c, m)
        c3.metric("Untreated twins converting", f"{c} of {m}", help=f"Natural rate: {NATURAL_RATE}")
        c4.metric("≥ 2 of 4 'respond' untreated", "—" if m == 0 else f"{at2:.0%}")
        pmf = stats.binomial_pmf(4, p0 if m else 0.0)
        st.markdown(
            f"Treated, **{k} of {n}** patients {gained} between day {first:g} and day "
            f"{trial.days:g}. Their untreated twins (same seed, same injury) show what happens "
            f"anyway: **{c} of {m}** twins graded A on day {first:g} were B or better on day "
            f"{trial.days:g} ({p0:.0%}; the natural conversion of complete injuries is "
            f"{NATURAL_RATE}). At that rate, four untreated patients include at least 2 "
            f"'responders' **{at2:.0%}** of the time (from {at2_lo:.0%} to {at2_hi:.0%} over "
            "the 95 % interval of the untreated rate): Keio's 2 of 4 needs a control arm to "
            "mean more than that."
            if m
            else f"Treated, **{k} of {n}** patients {gained}. No untreated twin was graded A "
            f"on day {first:g}, so this cohort has no complete injuries to convert."
        )
        chance_title = (
            f"Untreated patients 'responding' in a 4-patient trial at {p0:.0%}"
            if m
            else "No complete injuries among the untreated twins"
        )
    else:
        pmf = stats.binomial_pmf(4, p)
        c3.metric("Exactly 2 of 4 respond", f"{pmf[2]:.0%}")
        c4.metric("At least 2 of 4 respond", f"{sum(pmf[2:]):.0%}")
        k_lo, k_hi = stats.wilson_interval(2, 4)
        st.markdown(
            f"In this virtual cohort **{k} of {n}** patients {gained} over their untreated "
            f"twin by day {trial.days:g} (response rate {p:.0%}, 95 % interval {lo:.0%} to "
            f"{hi:.0%}). At that rate a four-patient trial would see exactly 2 responders "
            f"{pmf[2]:.0%} of the time and at least 2 in {sum(pmf[2:]):.0%}. Turned around: 2 "
            f"of 4 alone is compatible with true rates from {k_lo:.0%} to {k_hi:.0%} (Wilson "
            "95 %). A gain over the twin has no untreated rate to compare with; choose the AIS "
            "grade (spinal cord) to see how often untreated patients 'respond'."
        )
        chance_title = f"Responders in a 4-patient trial at a {p:.0%} rate"
    left, right = st.columns([3, 2])
    gain_title = (
        f"{stats.metric_title(metric)} gained since day {baseline_day():g}"
        if against == "baseline"
        else f"{stats.metric_title(metric)} gain over twin"
    )
    scatter = charts.cohort_chart(
        table, trial.min_gain, pretty(trial.treatment), y_title=gain_title
    )
    with left:
        st.markdown(f"##### Each treated patient: {gain_title.lower()}")
        st.altair_chart(scatter, width="stretch")
    with right:
        st.markdown(f"##### {chance_title}")
        st.altair_chart(charts.binomial_chart(pmf, observed=2), width="stretch")
    title = stats.metric_title(metric)
    first = baseline_day()
    shown = table.rename(
        columns={
            "untreated": f"{title} untreated",
            "treated": f"{title} treated",
            f"untreated day {first:g}": f"{title} untreated day {first:g}",
            f"treated day {first:g}": f"{title} treated day {first:g}",
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    downloads("nervesim_cohort", frame=table, chart=scatter, key="coh")


# ---------------------------------------------------------------------------------- page
banner()
prewarm()
st.title("Cohort: a small virtual trial")
st.markdown(
    "Keio University's 2025 iPSC transplant trial treated 4 patients with complete spinal cord "
    "injuries (AIS A); 2 improved (to AIS C and D). Is that the therapy, or luck? Here each "
    "virtual patient is run twice with the same seed: untreated and treated (a matched twin: "
    "the two draw the same random numbers for the same cells, so they differ only where the "
    "treatment makes them differ). A patient **responds** on an "
    "outcome scale: an AIS grade gained (illustrative, from descending connectivity), BBB "
    "points or function index over the twin. Untreated complete injuries also convert, at "
    "a natural rate; the page computes from the untreated twins how often 2 of 4 would "
    "'respond' with no therapy at all."
)
trial = controls()
if st.button("Run the trial", type="primary", icon=":material/play_arrow:", key="coh_run"):
    st.session_state["cohort_trial"] = trial
done: Trial | None = st.session_state.get("cohort_trial")
if done is None:
    st.info("Press **Run the trial** (8 patients x 2 arms x 84 days take about 15 s on 2 cores).")
else:
    if done != trial:
        st.info("Settings changed: press **Run the trial** to see them. Below: the last trial.")
    try:
        show(done, run_trial(done))
    except Exception as exc:  # one line, the page stays usable
        st.error(one_line(exc))
footer()
