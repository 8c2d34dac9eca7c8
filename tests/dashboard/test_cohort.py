"""Cohort on the outcome scale: AIS grades, the untreated twins' natural conversion, chance."""

from __future__ import annotations

import math

from streamlit.testing.v1 import AppTest

from dashboard.stats import binomial_pmf, chance_by_natural_rate
from tests.dashboard.conftest import make_app

PAGE = "views/cohort.py"


def _cohort(days: int) -> AppTest:
    at = make_app(seeds=2, days=days)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _percent(text: str) -> float:
    return float(text.rstrip("%")) / 100.0


def test_ais_responders_and_chance_come_from_the_untreated_twins() -> None:
    """Spinal default: responders gain >= 1 AIS grade; the chance of 2 of 4 'responding' is the
    binomial at the untreated twins' own conversion rate, shown with the natural rate."""
    at = _cohort(days=84)
    assert at.selectbox(key="coh_arm").value == "spinal_cord_ipsc_npc_day21"
    assert at.selectbox(key="coh_measure_spinal").value.startswith("AIS grade")
    assert at.number_input(key="coh_spread").value == 0.05  # the library cohort's lesions
    at.slider(key="coh_n").set_value(4)
    at.button(key="coh_run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert len(table) == 4
    first = [c for c in table.columns if c.startswith("AIS grade untreated day ")]
    assert first, table.columns
    was_a = table[first[0]] < 1
    converted = int((was_a & table["twin converted"]).sum())
    assert at.metric[2].value == f"{converted} of {int(was_a.sum())}"
    expected = sum(binomial_pmf(4, converted / int(was_a.sum()))[2:])
    assert math.isclose(_percent(at.metric[3].value), expected, abs_tol=0.006)
    responders = table["responder"] == "responder"
    assert (responders == (table["gain"] >= 1)).all()
    assert at.metric[0].value == f"{int(responders.sum())} of 4"
    text = " ".join(m.value for m in at.markdown)
    assert "Kirshblum et al. 2021" in text and "untreated twins" in text
    assert len(at.get("vega_lite_chart")) == 2


def test_bbb_response_is_a_gain_over_the_twin_of_one_point_by_default() -> None:
    """BBB: the minimum gain starts at one point of the scale; responders meet it."""
    at = _cohort(days=14)
    at.slider(key="coh_n").set_value(4)
    at.selectbox(key="coh_measure_spinal").set_value("BBB points over the untreated twin").run()
    assert at.number_input(key="coh_min_bbb_score").value == 1.0
    at.button(key="coh_run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    gain = table["BBB score treated"] - table["BBB score untreated"]
    assert (gain == table["gain"]).all()
    assert ((table["responder"] == "responder") == (gain >= 1.0 - 1e-9)).all()


def test_learn_outcome_topics_name_their_sources_and_load_a_try() -> None:
    """Learn's AIS and ODD topics cite their sources; the AIS try opens Compare with the grade."""
    at = make_app(seeds=2, days=7)
    at.run()
    at.switch_page("views/learn.py").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Kirshblum et al. 2021" in text and "Grimm et" in text and "nervesim odd" in text
    at.button(key="try_ais_0").click().run()
    assert not at.exception and not at.error
    assert at.multiselect(key="cmp_metrics").value[0] == "ais_grade"
    assert at.session_state["compare_request"].days == 84


def test_tissue_names_the_spinal_outcomes() -> None:
    """Tissue reads out the BBB score and the AIS grade letter of each spinal arm."""
    at = make_app(seeds=2, days=7)
    at.run()
    at.switch_page("views/tissue.py").run()
    assert not at.exception and not at.error
    line = next(m.value for m in at.markdown if m.value.startswith("Outcomes at day"))
    assert "BBB score" in line and "AIS grade A" in line


def test_compare_shows_the_ais_grade_for_spinal_arms(app: AppTest) -> None:
    """The default (spinal) comparison lists the AIS grade right after the BBB score."""
    metrics = app.multiselect(key="cmp_metrics").value
    assert metrics[metrics.index("bbb_score") + 1] == "ais_grade"


def test_chance_by_natural_rate_is_the_binomial_tail() -> None:
    """At 1 in 5 untreated converting, at least 2 of 4 'respond' 1 - 0.8**4 - 4 (0.2)(0.8**3) of
    the time, inside the range over the rate's interval; nothing to say with no patients."""
    p, at2, lo, hi = chance_by_natural_rate(2, 10)
    assert p == 0.2
    assert math.isclose(at2, 1 - 0.8**4 - 4 * 0.2 * 0.8**3)
    assert lo < at2 < hi
    assert chance_by_natural_rate(0, 8)[1] == 0.0
    assert all(math.isnan(v) for v in chance_by_natural_rate(0, 0))


def test_the_trial_default_spread_is_the_library_cohorts() -> None:
    """Patients' lesions differ by the library cohort's injury.severity_sd, on the page and in
    the trial's defaults alike (one number, in the scenario file)."""
    from dashboard.views.cohort import Trial, library_spread

    assert library_spread() == Trial.spread > 0.0
