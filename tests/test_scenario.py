"""The scenario schema: documented parameters, TOML round trip, base files, one-line errors."""

import math
import re
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from simulation.scenario.schema import (
    INSTANCE_SOURCES,
    Scenario,
    ScenarioError,
    iter_parameters,
    load_scenario,
    loads_scenario,
    parameter_info,
    parameter_source,
    validate_scenario,
)
from simulation.scenario.therapy_params import INTERVENTION_TYPES

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO_FILES = sorted(SCENARIO_DIR.glob("*.toml"))
PARAMETERS = list(iter_parameters())
#: (dotted key, int or float, lo, hi) of every numeric parameter.
NUMERIC = [
    (key, info.annotation, *parameter_info(key)[1:])
    for key, info in PARAMETERS
    if parameter_info(key)[1] is not None
]
#: Keys whose in-range values may still make the lesion not fit the grid.
GEOMETRY = {
    "grid.width_voxels",
    "grid.dx_um",
    "injury.lesion_length_um",
    "injury.lesion_start_fraction",
    "injury.bridge_margin_um",
}


def _default_value(key: str):
    if key.startswith("interventions."):
        _, kind, name = key.split(".")
        return INTERVENTION_TYPES[kind].model_fields[name].default
    value = Scenario().to_dict()
    for part in key.split("."):
        value = value[part]
    return value


#: Interventions a scenario may hold only when its injury type is a chronic neuropathy.
NEUROPATHY_ONLY = {"glucose_control", "chemotherapy"}


def _nested(key: str, value) -> dict:
    """``{"a": {"b": value}}`` for the dotted key ``a.b`` (an intervention list for those)."""
    if key.startswith("interventions."):
        _, kind, name = key.split(".")
        out = {"interventions": [{"kind": kind, name: value}]}
        if kind in NEUROPATHY_ONLY:  # they act on a chronic neuropathy's fibres only
            out["injury"] = {"type": "neuropathy"}
        return out
    out: dict = {}
    node = out
    *parents, leaf = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return out


def _error(text: str, tmp_path: Path, name: str = "bad.toml") -> tuple[str, Path]:
    """The ScenarioError message of loading ``text`` from a file, and the file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value), path.resolve()


def _assert_one_line(message: str) -> None:
    assert message.strip()
    assert len(message.splitlines()) == 1, message


# ------------------------------------------------------------------------------ the schema
def test_schema_has_parameters_of_every_group():
    """iter_parameters reaches every group, nested field groups included."""
    keys = {key for key, _ in PARAMETERS}
    assert len(keys) == len(PARAMETERS) > 100
    for key in (
        "neuron.count",
        "grid.dx_um",
        "fields.cytokine.decay_per_h",
        "cns.intrinsic_growth",
    ):
        assert key in keys
    assert not any(key in {"grid", "fields", "fields.cytokine"} for key in keys)


@pytest.mark.parametrize(("key", "info"), PARAMETERS, ids=[k for k, _ in PARAMETERS])
def test_every_parameter_is_documented(key, info):
    """Each parameter has units, a default and a one-line description of modest length."""
    units, _, _ = parameter_info(key)
    assert units.strip(), f"{key} has no units"
    assert not info.is_required() and info.default is not PydanticUndefined
    description = info.description or ""
    assert description.strip(), f"{key} has no description"
    assert "\n" not in description and len(description) <= 100


@pytest.mark.parametrize(("key", "kind", "lo", "hi"), NUMERIC, ids=[k for k, *_ in NUMERIC])
def test_every_number_has_a_range_holding_its_default(key, kind, lo, hi):
    """A numeric parameter has a finite range with lo < hi, and its default lies inside."""
    assert kind in (int, float)
    assert isinstance(lo, int | float) and isinstance(hi, int | float)
    assert lo < hi
    default = _default_value(key)
    assert isinstance(default, kind)
    assert lo <= default <= hi


def test_every_number_is_in_the_numeric_list():
    """No int or float parameter lacks a range (so none slips past the range tests)."""
    numeric = {key for key, info in PARAMETERS if info.annotation in (int, float)}
    assert numeric == {key for key, *_ in NUMERIC}


def _leaves(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    """Every field of ``model`` that is not itself a group, walked recursively: ``(key, info)``."""
    leaves = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            leaves += _leaves(ann, f"{prefix}{name}.")
        else:
            leaves.append((f"{prefix}{name}", info))
    return leaves


#: Every leaf of the scenario and of each intervention type, found by walking the models.
LEAVES = _leaves(Scenario) + [
    leaf
    for kind, cls in INTERVENTION_TYPES.items()
    for leaf in _leaves(cls, f"interventions.{kind}.")
]
#: Leaves that are labels, tags or lists, not tunable values (they need no source).
UNSOURCED = {"name", "description", "interventions"}


def test_the_walk_reaches_every_listed_parameter():
    """The recursive walk finds every key iter_parameters lists (and only tags besides)."""
    walked = {key for key, _ in LEAVES}
    listed = {key for key, _ in PARAMETERS}
    assert listed <= walked
    assert {k.rpartition(".")[2] for k in walked - listed} <= {"kind", "interventions"}


@pytest.mark.parametrize(("key", "info"), LEAVES, ids=[k for k, _ in LEAVES])
def test_every_parameter_has_a_source(key, info):
    """Each number, switch and choice says where its default comes from: a citation,
    "assumed" (a modelling choice) or "calibrated"; its listed source is never empty."""
    if key in UNSOURCED or key.endswith(".kind"):
        return
    extra = info.json_schema_extra or {}
    source = extra.get("source", "")
    assert isinstance(source, str) and source.strip(), f"{key} has no source"
    assert "\n" not in source
    assert parameter_source(key).strip()


def test_instance_sources_name_real_keys():
    """Per-instance sources (cns, pns, fields) name keys that exist, one for each such key."""
    listed = {key for key, _ in PARAMETERS}
    assert set(INSTANCE_SOURCES) <= listed
    for group in ("cns.", "pns.", "fields."):
        keys = {k for k in listed if k.startswith(group)}
        assert keys == {k for k in INSTANCE_SOURCES if k.startswith(group)}


def test_sources_of_known_keys():
    """A cited default names its paper; a modelling choice says assumed; unknown keys: ""."""
    assert parameter_source("interventions.cell_transplant.dose_cells").startswith("Keio")
    assert "Gaudet" in parameter_source("pns.wallerian_duration_h")
    assert parameter_source("cns.wallerian_duration_h").startswith("assumed")
    assert parameter_source("outcomes.scar_threshold_au") == "assumed"
    assert parameter_source("neuron.cuont") == ""


def test_parameter_info_of_known_and_unknown_keys():
    """parameter_info gives units and inclusive range, and nothing for an unknown key."""
    assert parameter_info("neuron.count") == ("agents", 5, 400)
    assert parameter_info("grid.dx_um") == ("µm", 5.0, 100.0)
    assert parameter_info("fields.trophic.decay_per_h") == ("1/h", 0.0, 20.0)
    assert parameter_info("injury.type") == ("choice", None, None)
    assert parameter_info("neuron.cuont") == ("", None, None)


def test_defaults_validate():
    """The default scenario validates, from nothing and from its own data."""
    default = Scenario()
    assert validate_scenario({}) == default
    assert validate_scenario(default.to_dict()) == default
    assert default.tissue == default.cns
    assert default.with_overrides({"injury.type": "peripheral"}).tissue == default.pns


def test_scenario_is_frozen():
    """A validated scenario cannot be changed in place (results name it by digest)."""
    scenario = Scenario()
    with pytest.raises(ValidationError):
        scenario.neuron.count = 7  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "key", "hint"),
    [
        ({"foo": 1}, "foo", "(nervesim show-params lists the keys)"),
        ({"neurons": {"count": 40}}, "neurons", "(did you mean neuron? nervesim show-params"),
        ({"neuron": {"cuont": 40}}, "neuron.cuont", "(did you mean neuron.count? nervesim"),
        (
            {"fields": {"cytokine": {"speed": 1.0}}},
            "fields.cytokine.speed",
            "(nervesim show-params --filter fields.cytokine lists the keys)",
        ),
    ],
    ids=["top", "section", "nested", "deeply-nested"],
)
def test_unknown_keys_are_errors(data, key, hint):
    """An unknown key anywhere is an error naming its dotted path, and a near key if any."""
    with pytest.raises(ScenarioError) as info:
        validate_scenario(data, source="s.toml")
    assert str(info.value).startswith(f"s.toml: {key}: unknown key {hint}")
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name for p in SCENARIO_FILES])
def test_scenario_file_round_trips_through_toml(path):
    """Every shipped scenario reads back unchanged from its own TOML, with the same digest."""
    scenario = load_scenario(path)
    again = loads_scenario(scenario.to_toml())
    assert again == scenario
    assert again.digest() == scenario.digest()


def test_default_scenario_round_trips_through_toml():
    """The default scenario reads back unchanged from its own TOML."""
    scenario = Scenario()
    assert loads_scenario(scenario.to_toml()) == scenario


def test_round_trip_keeps_non_default_values(tmp_path):
    """Changed values of every kind survive writing to a file and loading it again."""
    scenario = Scenario().with_overrides(
        {
            "name": 'änderung "quoted"',
            "host.diabetic": True,
            "injury.type": "peripheral",
            "neuron.count": 123,
            "fields.scar.decay_per_h": 1.0e-7,
        }
    )
    path = tmp_path / "s.toml"
    path.write_text(scenario.to_toml(), encoding="utf-8")
    assert load_scenario(path) == scenario


def test_digest_names_the_values():
    """Equal scenarios share a 16-hex digest; changing one value changes it."""
    a, b = Scenario(), Scenario()
    assert a.digest() == b.digest()
    assert re.fullmatch(r"[0-9a-f]{16}", a.digest())
    assert a.with_overrides({"neuron.count": 41}).digest() != a.digest()


def test_with_overrides_returns_a_new_validated_scenario():
    """Overrides apply dotted keys to a copy and are validated like a file."""
    base = Scenario()
    changed = base.with_overrides({"neuron.count": 60, "fields.trophic.decay_per_h": 0.2})
    assert (changed.neuron.count, changed.fields.trophic.decay_per_h) == (60, 0.2)
    assert base.neuron.count == 40
    with pytest.raises(ScenarioError, match=r"^overrides: neuron\.cuont: unknown key \(did you"):
        base.with_overrides({"neuron.cuont": 60})
    with pytest.raises(ScenarioError, match=r"^overrides: nope\.count: unknown key \("):
        base.with_overrides({"nope.count": 60})
    with pytest.raises(
        ScenarioError, match=r"neuron\.count: 1 is out of range \(agents, allowed \[5, 400\]\)"
    ):
        base.with_overrides({"neuron.count": 1})


# ------------------------------------------------------------------------------ base files
def test_base_file_supplies_values_not_overridden(tmp_path):
    """A file naming a base gets the base's values except the keys it overrides."""
    base = Scenario().with_overrides(
        {"name": "parent", "neuron.count": 77, "injury.type": "peripheral", "host.age_years": 64.0}
    )
    (tmp_path / "parent.toml").write_text(base.to_toml(), encoding="utf-8")
    (tmp_path / "child.toml").write_text(
        'base = "parent.toml"\nname = "child"\n[neuron]\ndeath_rate_per_h = 0.01\n',
        encoding="utf-8",
    )
    child = load_scenario(tmp_path / "child.toml")
    assert child == base.with_overrides({"name": "child", "neuron.death_rate_per_h": 0.01})
    assert child.neuron.count == 77  # the same section, a key the child left alone


def test_base_chain_and_relative_paths(tmp_path):
    """Bases chain, and each base path is relative to the file naming it, not the cwd."""
    (tmp_path / "lib" / "deep").mkdir(parents=True)
    (tmp_path / "lib" / "deep" / "root.toml").write_text(
        'name = "root"\n[grid]\ndx_um = 20.0\n[neuron]\ncount = 9\n', encoding="utf-8"
    )
    (tmp_path / "lib" / "mid.toml").write_text(
        'base = "deep/root.toml"\nname = "mid"\n[neuron]\ncount = 11\n', encoding="utf-8"
    )
    (tmp_path / "leaf.toml").write_text(
        'base = "lib/mid.toml"\n[host]\ndiabetic = true\n', encoding="utf-8"
    )
    leaf = load_scenario(tmp_path / "leaf.toml")
    assert (leaf.name, leaf.grid.dx_um, leaf.neuron.count, leaf.host.diabetic) == (
        "mid",
        20.0,
        11,
        True,
    )


def test_shipped_transection_inherits_from_crush():
    """The transection file takes the crush file's injury type and overrides its kind."""
    crush = load_scenario(SCENARIO_DIR / "peripheral_crush_untreated.toml")
    cut = load_scenario(SCENARIO_DIR / "peripheral_transection_untreated.toml")
    assert cut.injury.type == crush.injury.type == "peripheral"
    assert cut.injury.severity == crush.injury.severity
    assert (cut.injury.peripheral_kind, cut.injury.lesion_length_um) == ("transection", 1000.0)


def test_base_is_not_allowed_in_text():
    """Text has no folder, so naming a base in it is an error."""
    with pytest.raises(ScenarioError) as info:
        loads_scenario('base = "other.toml"\n', source="upload")
    assert str(info.value) == "upload: base: not allowed in uploaded text"


# ------------------------------------------------------------------------------ bad input
BAD_VALUES = [
    # (id, TOML text, substrings the one-line message must contain)
    ("unknown-top", "speed = 1\n", ["speed: unknown key"]),
    ("unknown-nested", "[neuron]\ncuont = 3\n", ["neuron.cuont: unknown key"]),
    (
        "wrong-type-float",
        '[grid]\ndx_um = "fast"\n',
        ['grid.dx_um: "fast" is not a number (µm, allowed [5, 100])'],
    ),
    (
        "wrong-type-int",
        '[neuron]\ncount = "many"\n',
        ["neuron.count", "not a whole number (agents, allowed [5, 400])"],
    ),
    (
        "fractional-int",
        "[neuron]\ncount = 5.5\n",
        ["neuron.count: 5.5 is not a whole number (agents, allowed [5, 400])"],
    ),
    ("section-not-table", "neuron = 5\n", ["neuron: 5 should be a table of settings"]),
    (
        "count-zero",
        "[neuron]\ncount = 0\n",
        ["neuron.count: 0 is out of range (agents, allowed [5, 400])"],
    ),
    (
        "count-high",
        "[neuron]\ncount = 401\n",
        ["neuron.count: 401 is out of range (agents, allowed [5, 400])"],
    ),
    (
        "dx-negative",
        "[grid]\ndx_um = -1\n",
        ["grid.dx_um: -1 is out of range (µm, allowed [5, 100])"],
    ),
    (
        "nan",
        "[grid]\ndx_um = nan\n",
        ["grid.dx_um: NaN is not a finite number (µm, allowed [5, 100])"],
    ),
    (
        "inf",
        "[grid]\ndx_um = inf\n",
        ["grid.dx_um: Infinity is not a finite number (µm, allowed [5, 100])"],
    ),
    (
        "minus-inf",
        "[fields.trophic]\ndecay_per_h = -inf\n",
        ["fields.trophic.decay_per_h: -Infinity is not a finite number (1/h, allowed [0, 20])"],
    ),
    (
        "nested-out-of-range",
        "[fields.cytokine]\ndecay_per_h = 30\n",
        ["fields.cytokine.decay_per_h: 30 is out of range (1/h, allowed [0, 20])"],
    ),
    (
        "bad-choice",
        '[injury]\ntype = "brain"\n',
        ["injury.type: \"brain\" is not one of 'spinal_cord', 'peripheral' or 'neuropathy'"],
    ),
    (
        "lesion-too-long",
        "[injury]\nlesion_length_um = 3000.0\n",
        [
            "injury.lesion_length_um: 3000 does not fit the grid",
            "(µm, allowed [50, 1275]",
            "100 x 25 µm voxels",
        ],
    ),
    (
        "grid-too-short",
        "[grid]\nwidth_voxels = 30\n",
        ["injury.lesion_length_um: 500 does not fit", "allowed [50, 150]", "30 x 25 µm"],
    ),
    (
        "no-lesion-fits",
        "[grid]\nwidth_voxels = 30\n[injury]\nlesion_start_fraction = 0.6\nlesion_length_um = 50\n",
        ["injury.lesion_length_um: 50 does not fit", "no length fits", "30 x 25 µm"],
    ),
    ("base-not-text", "base = 3\n", ["base: 3", "file name"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in BAD_VALUES], ids=[c[0] for c in BAD_VALUES]
)
def test_bad_value_gives_one_line_naming_file_key_units_range(tmp_path, text, expected):
    """Each bad value raises one line naming the file, the key and, for numbers, units and range."""
    message, path = _error(text, tmp_path)
    _assert_one_line(message)
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message, (part, message)


def test_only_first_of_several_errors_is_detailed(tmp_path):
    """Several bad values still give one line, which says how many more there are."""
    message, _ = _error("[neuron]\ncount = 0\n[grid]\ndx_um = -1\nspeed = 2\n", tmp_path)
    _assert_one_line(message)
    assert message.endswith("(and 2 more)")


def test_broken_toml(tmp_path):
    """Broken TOML names the file and the line of the problem."""
    message, path = _error('name = "x"\n[grid\ndx_um = 3\n', tmp_path)
    _assert_one_line(message)
    assert message.startswith(f"{path}: not valid TOML: ")
    assert "line 2" in message


def test_broken_toml_text():
    """Broken TOML text names its source."""
    with pytest.raises(ScenarioError) as info:
        loads_scenario("[grid\n", source="upload.toml")
    _assert_one_line(str(info.value))
    assert str(info.value).startswith("upload.toml: not valid TOML: ")


def test_not_utf8(tmp_path):
    """A binary file is reported as such, not as a decoding traceback."""
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path.resolve()}: not a UTF-8 text file"


def test_missing_file(tmp_path):
    """A missing scenario file is named."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.toml")
    assert str(info.value) == f"{(tmp_path / 'nope.toml').resolve()}: file not found"


def test_missing_base_file(tmp_path):
    """A missing base names both the missing file and the file that named it."""
    message, path = _error('base = "gone.toml"\n', tmp_path, name="child.toml")
    _assert_one_line(message)
    assert message == f"{path.parent / 'gone.toml'}: file not found (named as base by {path})"


def test_circular_base(tmp_path):
    """Files naming each other as base are an error, not an endless loop."""
    (tmp_path / "b.toml").write_text('base = "c.toml"\n', encoding="utf-8")
    (tmp_path / "c.toml").write_text('base = "a.toml"\n', encoding="utf-8")
    message, path = _error('base = "b.toml"\n', tmp_path, name="a.toml")
    _assert_one_line(message)
    assert message.startswith(f"{path}: base: circular reference")
    assert "c.toml" in message


def test_file_naming_itself_as_base(tmp_path):
    """A file naming itself as base is a circular reference."""
    message, path = _error('base = "self.toml"\n', tmp_path, name="self.toml")
    assert message.startswith(f"{path}: base: circular reference")


def test_error_stays_one_line_for_a_key_with_a_newline(tmp_path):
    """A quoted TOML key holding a newline still gives a one-line message."""
    message, _ = _error('"sp\\need" = 1\n', tmp_path)
    _assert_one_line(message)
    assert "sp\\need: unknown key" in message


def test_stated_lesion_range_is_honest():
    """The largest lesion length the fit error allows fits, and one µm more does not."""
    for grid in ({"grid.width_voxels": 100}, {"grid.width_voxels": 57, "grid.dx_um": 7.7}):
        with pytest.raises(ScenarioError) as info:
            Scenario().with_overrides({**grid, "injury.lesion_length_um": 3000.0})
        top = float(re.search(r"allowed \[50, (\d+)\]", str(info.value)).group(1))
        Scenario().with_overrides({**grid, "injury.lesion_length_um": top})
        with pytest.raises(ScenarioError):
            Scenario().with_overrides({**grid, "injury.lesion_length_um": top + 1.0})


# ------------------------------------------------------------------------------ properties
def _out_of_range(kind, lo, hi):
    if kind is int:
        return st.integers(lo - 10**6, lo - 1) | st.integers(hi + 1, hi + 10**6)
    below = st.floats(lo - 1e6, lo, exclude_max=True)
    above = st.floats(hi, hi * 1e3 + 1e3, exclude_min=True)
    return below | above


@st.composite
def out_of_range(draw):
    """A numeric parameter and a value outside its range."""
    key, kind, lo, hi = draw(st.sampled_from(NUMERIC))
    return key, draw(_out_of_range(kind, lo, hi))


@st.composite
def in_range(draw):
    """A numeric parameter and a value inside its range."""
    key, kind, lo, hi = draw(st.sampled_from(NUMERIC))
    value = draw(st.integers(lo, hi) if kind is int else st.floats(lo, hi))
    return key, value


@settings(max_examples=50, deadline=None)
@given(out_of_range())
def test_out_of_range_value_names_key_units_and_range(case):
    """Any value outside a parameter's range gives one line naming key, units and range."""
    key, value = case
    units, lo, hi = parameter_info(key)
    with pytest.raises(ScenarioError) as info:
        loads_scenario(tomli_w.dumps(_nested(key, value)), source="random.toml")
    message = str(info.value)
    _assert_one_line(message)
    shown_key = key
    if key.startswith("interventions."):
        shown_key = "interventions[0]." + key.split(".")[2]
    assert message.startswith(f"random.toml: {shown_key}: ")
    shown_units = {"1": "dimensionless"}.get(units, units)
    assert " is out of range " in message or " is not a finite number " in message
    assert f"({shown_units}, allowed [{lo:g}, {hi:g}])" in message


@settings(max_examples=50, deadline=None)
@given(in_range())
def test_in_range_value_validates_and_round_trips(case):
    """Any value inside a parameter's range validates (unless the lesion no longer fits)."""
    key, value = case
    try:
        scenario = loads_scenario(tomli_w.dumps(_nested(key, value)), source="random.toml")
    except ScenarioError as err:
        assert key in GEOMETRY, str(err)
        assert "injury.lesion_length_um" in str(err) and "does not fit the grid" in str(err)
        return
    got = scenario.to_dict()
    if key.startswith("interventions."):
        got = got["interventions"][0][key.split(".")[2]]
    else:
        for part in key.split("."):
            got = got[part]
    assert got == value
    assert loads_scenario(scenario.to_toml()) == scenario


def test_vesicle_clearance_is_one_half_life_for_both_vesicle_fields():
    """ev.clearance_half_life_h sets both vesicle fields' decay to ln 2 / half-life (what the
    field engine reads as decay_per_h); the derived rate is not a key and not written out."""
    default = Scenario()
    assert default.ev.clearance_half_life_h == 17.33
    assert default.fields.ev.decay_per_h == pytest.approx(0.04, rel=1e-3)
    changed = default.with_overrides({"ev.clearance_half_life_h": 5.0})
    for group in (changed.fields.ev, changed.fields.ev_ngf):
        assert group.decay_per_h == math.log(2) / 5.0
        assert group.model_dump()["decay_per_h"] == math.log(2) / 5.0
    assert default.fields.ev.decay_per_h == math.log(2) / 17.33  # the default is untouched
    assert "decay_per_h" not in changed.to_dict()["fields"]["ev"]
    assert loads_scenario(changed.to_toml()) == changed
    assert changed.digest() != default.digest()
    assert parameter_info("ev.clearance_half_life_h") == ("h", 0.1, 2000.0)
    keys = [key for key, _ in iter_parameters()]
    assert "ev.clearance_half_life_h" in keys
    assert "fields.ev.decay_per_h" not in keys and "fields.ev_ngf.decay_per_h" not in keys


@pytest.mark.parametrize("field", ["ev", "ev_ngf"])
def test_old_vesicle_decay_key_names_the_half_life(field):
    """A file from before the half-life sets fields.ev.decay_per_h: one line naming the new key."""
    with pytest.raises(ScenarioError) as info:
        loads_scenario(f"[fields.{field}]\ndecay_per_h = 0.1\n", source="old.toml")
    message = str(info.value)
    _assert_one_line(message)
    assert message.startswith(f"old.toml: fields.{field}.decay_per_h: no longer a key; set ")
    assert "ev.clearance_half_life_h (h; both vesicle fields clear at ln 2 / it)" in message
