"""Every dashboard page under streamlit's AppTest: renders, banner, runs, presets, uploads."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.common import BANNER
from simulation.scenario.schema import Scenario

PAGES = [
    "views/compare.py",
    "views/tissue.py",
    "views/learn.py",
    "views/cohort.py",
    "views/sweeps.py",
    "views/evidence.py",
]


def errors(at: AppTest) -> list[str]:
    """Exceptions and error boxes on the page."""
    return [e.value for e in at.exception] + [e.value for e in at.error]


def has_banner(at: AppTest) -> bool:
    """Whether the illustrative banner is on the page."""
    return any(BANNER in w.value for w in at.warning)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_banner(app: AppTest, page: str) -> None:
    """Each page renders without an exception and shows the illustrative banner."""
    app.switch_page(page).run()
    assert not errors(app)
    assert has_banner(app)


def test_compare_default_shows_charts_sentences_and_table(app: AppTest) -> None:
    """The default comparison draws a chart per metric, a sentence per metric and a table."""
    assert len(app.get("vega_lite_chart")) == len(app.multiselect(key="cmp_metrics").value)
    sentences = [m.value for m in app.markdown if m.value.startswith("- **")]
    assert sentences and "95 % CI" in sentences[0]
    assert len(app.dataframe) == 1
    labels = app.session_state["compare_request"].labels
    assert labels == ["untreated", "iPSC NPC day 21", "EV"]


def test_compare_severity_slider_and_run_change_results(app: AppTest) -> None:
    """A milder injury, once run, gives different numbers."""
    before = app.dataframe[0].value.copy()
    app.slider(key="cmp_severity_spinal_cord").set_value(0.3).run()
    assert any("Settings changed" in i.value for i in app.info)
    app.button(key="cmp_run").click().run()
    assert not errors(app)
    assert app.session_state["compare_request"].severity == pytest.approx(0.3)
    assert not app.dataframe[0].value.equals(before)


def test_compare_therapy_slider_edits_the_arm(app: AppTest) -> None:
    """Moving the EV arm's first-dose day puts that edit into the run's scenario."""
    app.slider(key="cmp_arm2_spinal_cord_ev_iv0_day").set_value(1.0).run()
    app.button(key="cmp_run").click().run()
    arm = app.session_state["compare_request"].arms[2]
    assert arm.therapy == ((0, "day", 1.0),)
    assert any(
        "**Therapy:** 1e10 EVs (no cargo), local, 4 doses every 7 days from day 1" in m.value
        for m in app.markdown
    )


def test_adding_a_seed_reuses_finished_runs(app: AppTest) -> None:
    """Going from 2 to 3 seeds runs only the 3 new runs; a plain rerun runs none."""
    app.slider(key="cmp_seeds").set_value(3).run()
    app.button(key="cmp_run").click().run()
    assert app.session_state["cmp_last_timing"]["new"] == 3
    app.run()
    assert app.session_state["cmp_last_timing"]["new"] == 0


def test_things_to_try_loads_its_setting_into_compare(app: AppTest) -> None:
    """'Transplant on day 1' opens Compare with that arm, its therapy day and its metrics."""
    app.switch_page("views/learn.py").run()
    app.button(key="try_ipsc_npc_0").click().run()
    assert not errors(app)
    assert any("Transplant on day 1" in s.value for s in app.success)
    request = app.session_state["compare_request"]
    assert [a.label for a in request.arms] == ["transplant day 21", "transplant day 1"]
    assert app.slider(key="cmp_arm1_spinal_cord_ipsc_npc_day21_iv0_day").value == 1.0
    assert app.multiselect(key="cmp_metrics").value[0] == "grafted_survival_fraction"


def test_mechanism_switch_preset(app: AppTest) -> None:
    """The EV anti-inflammatory ablation loads as a switched-off mechanism."""
    app.switch_page("views/learn.py").run()
    app.button(key="try_ev_0").click().run()
    assert app.multiselect(key="cmp_arm2_mech_off").value == ["ev_anti_inflammatory"]
    built = app.session_state["compare_request"].arms[2]
    assert built.mechanisms_off == ("ev_anti_inflammatory",)


def test_bad_upload_shows_one_line_error_and_app_keeps_working(app: AppTest) -> None:
    """A malformed or out-of-range scenario upload shows one line; the charts stay."""
    charts = len(app.get("vega_lite_chart"))
    app.file_uploader(key="cmp_upload").upload("bad.toml", b"[neuron]\ncount = 0\n").run()
    messages = [e.value for e in app.error]
    assert messages == ["bad.toml: neuron.count: 0 is out of range (agents, allowed [5, 400])"]
    assert not app.exception
    assert len(app.get("vega_lite_chart")) == charts
    app.file_uploader(key="cmp_upload").clear().upload("x.toml", b"not = [toml").run()
    assert app.error[0].value.startswith("x.toml: not valid TOML")


def test_large_upload_is_refused(app: AppTest) -> None:
    """Uploads over 200 kB are refused before parsing."""
    app.file_uploader(key="cmp_upload").upload("big.toml", b"#" * 300_000).run()
    assert "too large" in app.error[0].value


def test_good_upload_becomes_an_arm_choice(app: AppTest) -> None:
    """A valid uploaded scenario can be picked as an arm."""
    text = Scenario(name="my_cord").to_toml().encode()
    app.file_uploader(key="cmp_upload").upload("mine.toml", text).run()
    assert "my_cord (uploaded)" in app.selectbox(key="cmp_arm0_scenario").options
    app.selectbox(key="cmp_arm0_scenario").set_value("upload:my_cord").run()
    app.button(key="cmp_run").click().run()
    assert not errors(app)
    assert app.session_state["compare_request"].labels[0] == "my_cord (uploaded)"


def test_bad_extra_settings_show_an_error(app: AppTest) -> None:
    """A wrong key in an arm's other settings is one line naming the arm and key."""
    app.text_area(key="cmp_arm0_extra").input("neuron.nope = 3").run()
    app.button(key="cmp_run").click().run()
    [error] = [e.value for e in app.error]
    assert error.startswith("untreated *: neuron.nope: unknown key (")
    assert not app.exception


def test_tissue_day_slider_and_play(app: AppTest) -> None:
    """Tissue draws two maps; the day slider moves; Play starts and stops playing."""
    app.switch_page("views/tissue.py").run()
    assert len(app.get("vega_lite_chart")) == 2
    days = app.select_slider(key="tis_day").options
    assert days[0] == "0" and len(days) >= 2
    app.select_slider(key="tis_day").set_value(0.0).run()
    assert any(m.value == "##### Cells at day 0" for m in app.markdown)
    app.button(key="tis_play").click().run()
    assert app.session_state["tis_playing"] is True
    app.button(key="tis_play").click().run()
    assert app.session_state["tis_playing"] is False
    assert not errors(app)


def test_cohort_slider_and_run_change_results(app: AppTest) -> None:
    """A cohort of 4 runs; with 5 patients the table has 5 rows."""
    app.switch_page("views/cohort.py").run()
    app.selectbox(key="coh_arm").set_value("peripheral_crush_ev_ngf")
    app.slider(key="coh_n").set_value(4)
    app.slider(key="coh_days").set_value(7)
    app.button(key="coh_run").click().run()
    assert not errors(app)
    assert len(app.dataframe[0].value) == 4
    assert app.metric[0].value.endswith("of 4")
    assert len(app.get("vega_lite_chart")) == 2
    app.slider(key="coh_n").set_value(5)
    app.button(key="coh_run").click().run()
    assert len(app.dataframe[0].value) == 5


def test_sweeps_bad_manifest_upload_shows_error(app: AppTest) -> None:
    """A manifest that is not JSON is one error line; a missing folder too."""
    app.switch_page("views/sweeps.py").run()
    app.file_uploader(key="swp_upload").upload("manifest.json", b"{oops").run()
    assert app.error[0].value.startswith("manifest.json: not a JSON text file")
    app.text_input(key="swp_folder").input("/nonexistent/folder").run()
    assert any("no manifest.json" in e.value for e in app.error)
    assert not app.exception


def test_evidence_page_checks_the_anchors_and_names_what_the_model_misses(app: AppTest) -> None:
    """Evidence: the button runs the anchors' arms (2 seeds), then the counts, the table with
    citations, a figure per anchor and, plainly, the anchors the model misses."""
    app.switch_page("views/evidence.py").run()
    assert not errors(app) and has_banner(app)
    app.slider(key="ev_seeds").set_value(2).run()
    app.button(key="ev_run").click().run()
    assert not errors(app)
    n, results, drawn = app.session_state["ev_results"]
    assert n == 2 and len(results) >= 15 and not drawn
    table = app.dataframe[0].value
    assert set(table["result"]) <= {"PASS", "MISS", "not encodable", "command line"}
    cohort = table[table["result"] == "command line"]
    assert list(cohort["anchor"]) == ["sci.natural_conversion"]
    assert "nervesim evidence --only sci.natural_conversion" in cohort["citation"].iloc[0]
    assert table["citation"].str.len().min() > 10
    titles = [e.label for e in app.expander]
    assert len(titles) == len(results)
    assert "Calibration: how sure are the parameters?" in [h.value for h in app.subheader]
    missed = [r for r in results if not r.passed]
    text = " ".join(m.value for m in app.markdown)
    if missed:
        assert "What the model misses" in [h.value for h in app.subheader]
        assert all(r.anchor.id in text for r in missed)


def test_compare_with_parameter_uncertainty_draws_per_animal(app: AppTest) -> None:
    """ "Include parameter uncertainty" re-runs the arms with each seed's posterior draw: the
    numbers change, the caption says what the spread now means, and arms share the draw."""
    from functools import reduce

    from dashboard.comparison import build
    from dashboard.uncertainty import for_seed, library_posterior

    posterior = library_posterior()
    assert posterior is not None  # the library's calibration ships with the checkout
    before = app.dataframe[0].value.copy()
    app.checkbox(key="cmp_uncertainty").check().run()
    app.button(key="cmp_run").click().run()
    assert not errors(app)
    request = app.session_state["compare_request"]
    assert request.uncertainty
    captions = " ".join(c.value for c in app.caption)
    assert "chance and parameter uncertainty" in captions
    assert not app.dataframe[0].value.equals(before)
    seed = request.seed_list()[0]
    arms = list(build(request).values())
    key = posterior.keys[0]
    drawn = {float(reduce(getattr, key.split("."), for_seed(a, seed, True))) for a in arms}
    assert drawn == {float(posterior.draw(seed)[key])}
