"""The scenario library: every file is documented, named after itself and schedules its therapy."""

import tomllib
from pathlib import Path

import pytest

from simulation.scenario.schema import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.toml"))
IDS = [p.stem for p in SCENARIO_FILES]

KEIO = {
    "kind": "cell_transplant",
    "source": "ipsc_npc",
    "day": 21.0,
    "dose_cells": 2.0e6,
    "route": "local",
    "immunosuppression_days": 180.0,
    "undifferentiated_fraction": 0.01,
    "scaffold": False,
}
SC_MSC = {
    "kind": "cell_transplant",
    "source": "msc",
    "day": 7.0,
    "dose_cells": 2.0e6,
    "route": "local",
    "immunosuppression_days": 0.0,
    "doses": 1,
}
EV_NGF = {
    "kind": "ev",
    "cargo": "ngf",
    "route": "local",
    "day": 1.0,
    "dose_particles": 1.0e10,
    "doses": 1,
}
PNS_MSC = {
    "kind": "cell_transplant",
    "source": "msc",
    "day": 1.0,
    "dose_cells": 1.0e6,
    "route": "local",
    "immunosuppression_days": 0.0,
    "doses": 1,
}
CHABC = {
    "kind": "chondroitinase",
    "day": 7.0,
    "half_life_h": 24.0,
    "doses": 6,
    "repeat_every_days": 2.0,
}
#: The seed article's neuropathy case (msc.neuropathy_case): glucose control, an IV infusion of
#: autologous MSCs, 12 weeks of rehabilitation.
CASE = [
    {"kind": "glucose_control", "day": 0.0, "target_hba1c_percent": 7.0},
    {"kind": "cell_transplant", "source": "msc", "day": 28.0, "dose_cells": 1.0e8, "route": "iv"},
    {"kind": "rehabilitation", "day": 42.0, "duration_days": 84.0},
]
FOLFOX = {"kind": "chemotherapy", "drug": "oxaliplatin", "dose_mg_per_m2": 85.0, "cycles": 12}

#: stem -> (injury type, duration in days, diabetic host, key facts of each intervention)
LIBRARY: dict[str, tuple[str, float, bool, list[dict]]] = {
    "spinal_cord_ipsc_npc_day21": ("spinal_cord", 84.0, False, [KEIO]),
    "spinal_cord_ipsc_npc_acute": ("spinal_cord", 84.0, False, [{**KEIO, "day": 1.0}]),
    "spinal_cord_ipsc_npc_no_immunosuppression": (
        "spinal_cord",
        84.0,
        False,
        [{**KEIO, "immunosuppression_days": 0.0}],
    ),
    "spinal_cord_ipsc_npc_undifferentiated": (
        "spinal_cord",
        84.0,
        False,
        [{**KEIO, "undifferentiated_fraction": 0.2}],
    ),
    "spinal_cord_ipsc_npc_scaffold": ("spinal_cord", 84.0, False, [{**KEIO, "scaffold": True}]),
    "spinal_cord_ipsc_npc_chronic": ("spinal_cord", 140.0, False, [{**KEIO, "day": 60.0}]),
    "spinal_cord_msc_local": ("spinal_cord", 84.0, False, [SC_MSC]),
    "spinal_cord_msc_iv": ("spinal_cord", 84.0, False, [{**SC_MSC, "route": "iv"}]),
    "spinal_cord_nsc_msc": ("spinal_cord", 84.0, False, [{**KEIO, "source": "nsc_msc"}]),
    "spinal_cord_ev": (
        "spinal_cord",
        84.0,
        False,
        [
            {
                "kind": "ev",
                "cargo": "none",
                "route": "local",
                "day": 3.0,
                "dose_particles": 1.0e10,
                "doses": 4,
                "repeat_every_days": 7.0,
            }
        ],
    ),
    "spinal_cord_chabc_rehab": (
        "spinal_cord",
        84.0,
        False,
        [
            CHABC,
            {"kind": "rehabilitation", "day": 14.0, "intensity": 0.7, "task_specific": True},
        ],
    ),
    "spinal_cord_chabc": ("spinal_cord", 84.0, False, [CHABC]),
    "spinal_cord_scaffold": ("spinal_cord", 84.0, False, [{"kind": "scaffold", "day": 0.0}]),
    "spinal_cord_scaffold_chabc": (
        "spinal_cord",
        84.0,
        False,
        [{"kind": "scaffold", "day": 0.0}, CHABC],
    ),
    "peripheral_crush_ev_ngf": ("peripheral", 56.0, False, [EV_NGF]),
    "peripheral_crush_ev_ngf_repeated": (
        "peripheral",
        56.0,
        False,
        [{**EV_NGF, "doses": 4, "repeat_every_days": 7.0}],
    ),
    "peripheral_crush_msc_local": ("peripheral", 56.0, False, [PNS_MSC]),
    "peripheral_crush_msc_iv_repeated": (
        "peripheral",
        56.0,
        False,
        [{**PNS_MSC, "route": "iv", "doses": 3, "repeat_every_days": 7.0}],
    ),
    "neuropathy_diabetic_case_untreated": ("neuropathy", 365.0, True, []),
    "neuropathy_diabetic_case_treated": ("neuropathy", 365.0, True, CASE),
    "neuropathy_diabetic_case_ev": (
        "neuropathy",
        365.0,
        True,
        [
            CASE[0],
            {"kind": "ev", "route": "local", "cargo": "none", "doses": 4, "day": 28.0},
        ],
    ),
    "neuropathy_diabetic_late_untreated": ("neuropathy", 365.0, True, []),
    "neuropathy_diabetic_late_treated": ("neuropathy", 365.0, True, CASE),
    "neuropathy_chemo_oxaliplatin": ("neuropathy", 365.0, False, [FOLFOX]),
    "neuropathy_chemo_oxaliplatin_treated": (
        "neuropathy",
        365.0,
        False,
        [
            FOLFOX,
            {"kind": "cell_transplant", "route": "iv", "day": 182.0, "doses": 3},
            {"kind": "rehabilitation", "day": 182.0, "duration_days": 84.0},
        ],
    ),
    "peripheral_crush_diabetic": ("peripheral", 56.0, True, []),
    "peripheral_crush_diabetic_msc": ("peripheral", 56.0, True, [PNS_MSC]),
}


def _comment_block(path: Path) -> list[str]:
    """The lines of the file's opening comment block, before the first setting."""
    lines = path.read_text(encoding="utf-8").splitlines()
    block = []
    for line in lines:
        if not line.startswith("#"):
            break
        block.append(line)
    return block


def test_library_files_exist():
    """Every scenario of the library is shipped in scenarios/."""
    missing = sorted(set(LIBRARY) - set(IDS))
    assert not missing, f"missing scenario files: {missing}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=IDS)
def test_file_opens_with_a_comment_saying_what_it_illustrates(path):
    """The file starts with a comment block that says it is illustrative and what it shows."""
    block = _comment_block(path)
    assert block, f"{path.name} does not start with # comment lines"
    text = " ".join(line.lstrip("#").strip() for line in block)
    assert "illustrative" in text.lower()
    assert len(text.split()) >= 12  # a sentence about what it shows, not just a label


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=IDS)
def test_therapy_file_names_its_source(path):
    """A file that schedules interventions has a "Source:" line in its opening comment block."""
    has_source = any("Source:" in line for line in _comment_block(path))
    assert has_source or not load_scenario(path).interventions


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=IDS)
def test_name_is_file_stem_and_description_is_set(path):
    """The file sets name to its own stem and a non-empty one-line description of its own."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw.get("name") == path.stem
    description = raw.get("description", "")
    assert isinstance(description, str) and description.strip()
    assert "\n" not in description
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description == description


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_library_file_schedules_the_listed_therapy(stem):
    """The file's injury, duration, host and interventions match the library list's key facts."""
    injury, duration, diabetic, expected = LIBRARY[stem]
    scenario = load_scenario(SCENARIO_DIR / f"{stem}.toml")
    assert scenario.injury.type == injury
    assert scenario.time.duration_days == duration
    assert scenario.host.diabetic is diabetic
    if diabetic and injury != "neuropathy":  # the neuropathy case is the article's 58-year-old
        assert scenario.host.age_years == 60.0
    if injury == "neuropathy":
        assert (scenario.host.hba1c_percent >= 6.5) is diabetic
    assert len(scenario.interventions) == len(expected)
    for item, facts in zip(scenario.interventions, expected, strict=True):
        actual = item.model_dump()
        assert {key: actual.get(key) for key in facts} == facts
