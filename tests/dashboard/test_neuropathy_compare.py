"""Compare runs chronic neuropathy arms and offers their own metrics."""

from __future__ import annotations

from dashboard.library import ArmSpec, describe_intervention
from simulation.scenario.schema import load_scenario
from simulation.validation.checks import SCENARIO_DIR
from tests.dashboard.conftest import make_app


def test_neuropathy_interventions_read_as_one_line() -> None:
    """Glucose control and chemotherapy cycles are described in words."""
    chemo = load_scenario(SCENARIO_DIR / "neuropathy_chemo_oxaliplatin.toml").to_dict()
    case = load_scenario(SCENARIO_DIR / "neuropathy_diabetic_case_treated.toml").to_dict()
    assert "12 cycles of oxaliplatin 85 mg/m²" in describe_intervention(chemo["interventions"][0])
    assert "HbA1c toward 7 %" in describe_intervention(case["interventions"][0])


def test_compare_runs_neuropathy_arms_with_their_metrics() -> None:
    """A case and a chemotherapy arm run on Compare (conduction metrics) and show on Tissue."""
    at = make_app(seeds=2, days=60)
    at.session_state["compare_preset"] = {
        "title": "neuropathy",
        "arms": [
            ArmSpec("neuropathy_diabetic_case_untreated"),
            ArmSpec("neuropathy_chemo_oxaliplatin_treated"),
        ],
        "days": 60,
        "seeds": 2,
        "metrics": ["sensory_velocity_m_per_s", "snap_amplitude_percent"],
    }
    at.switch_page("views/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.get("vega_lite_chart")
    at.switch_page("views/tissue.py").run()
    assert not at.exception, [e.value for e in at.exception]
