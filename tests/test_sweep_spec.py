"""Sweep files: the example library loads, and every kind of bad file is one line, exit 2."""

import re

import pytest

from simulation.cli import main
from simulation.sweeps.spec import SweepError, load_sweep, planned_points
from simulation.sweeps.sweep import plan
from tests.sweep_files import SWEEP_DIR, TINY_GRID, write_sweep

SWEEP_FILES = sorted(SWEEP_DIR.glob("*.toml"))


@pytest.mark.parametrize("path", SWEEP_FILES, ids=[p.stem for p in SWEEP_FILES])
def test_example_sweeps_load_and_plan(path):
    """Every file in scenarios/sweeps/ validates, plans its points and names what it shows."""
    sweep = load_sweep(path)
    manifest = plan(sweep)
    assert len(manifest["points"]) == planned_points(sweep.spec) > 0
    assert len(manifest["runs"]) == len(manifest["points"]) * sweep.spec.replicates
    assert path.read_text(encoding="utf-8").startswith("# ")  # opens with what it illustrates
    assert sweep.spec.description


def test_spinal_ev_lhs_is_a_200_run_lhs():
    """The README's LHS example plans 200 runs of spinal_cord_ev over dose, day and M2 drive."""
    sweep = load_sweep(SWEEP_DIR / "spinal_ev_dose_lhs.toml")
    assert sweep.spec.design == "lhs"
    assert planned_points(sweep.spec) * sweep.spec.replicates == 200
    assert sweep.base.name == "spinal_cord_ev"
    assert {p.schema_key for p in sweep.parameters} == {
        "interventions.ev.dose_particles",
        "interventions.ev.day",
        "ev.m2_drive_per_au",
    }


def _replace(old: str, new: str) -> str:
    assert old in TINY_GRID
    return TINY_GRID.replace(old, new)


BAD_SWEEPS = [
    # (id, sweep text, substrings of the one error line)
    ("unknown-key", "color = 3\n" + TINY_GRID, [": color: unknown key"]),
    (
        "unknown-keep-key",
        _replace("[keep]\n", "[keep]\nmetricz = []\n"),
        ["keep.metricz: unknown key"],
    ),
    (
        "unknown-parameter-field",
        _replace("levels = 3\n", "levels = 3\nstep = 1\n"),
        ["parameters[1].step: unknown key"],
    ),
    (
        "unknown-parameter",
        _replace('key = "neuron.count"', 'key = "neuron.cuont"'),
        ["parameters[0] (neuron.cuont): not a scenario parameter"],
    ),
    (
        "range-outside-allowed",
        _replace("hi = 30.0", "hi = 300.0"),
        [
            "parameters[1] (neutrophil.lifespan_h): hi 300 is outside the parameter's range",
            "(h, allowed [2, 200])",
        ],
    ),
    (
        "value-outside-allowed",
        _replace("values = [10, 20]", "values = [10, 2000]"),
        ["parameters[0] (neuron.count): value 2000", "(agents, allowed [5, 400])"],
    ),
    (
        "unknown-design",
        _replace('design = "grid"', 'design = "factorial"'),
        ['design: "factorial" is not one of', "'grid'", "'sobol'"],
    ),
    (
        "missing-base",
        _replace('base = "base.toml"', 'base = "nope.toml"'),
        ["base: nope.toml: file not found"],
    ),
    ("no-base", _replace('base = "base.toml"\n', ""), ["base: missing"]),
    (
        "unknown-metric",
        _replace('"neutrophils_count", ', '"neutrophil_count", '),
        ["keep.metrics: 'neutrophil_count' is not a metric"],
    ),
    (
        "keep-day-after-run",
        _replace("days = [0.5, 1.0]", "days = [0.5, 2.0]"),
        ["keep.days: day 2"],
    ),
    (
        "values-for-lhs",
        _replace('design = "grid"', 'design = "lhs"\nsamples = 4'),
        ["parameters[0] (neuron.count): values are for design grid"],
    ),
    (
        "samples-for-grid",
        TINY_GRID.replace("replicates = 2", "samples = 4\nreplicates = 2"),
        ["samples: not used by design grid"],
    ),
    (
        "loguniform-at-zero",
        _replace("lo = 5.0", 'lo = 0.0\ndistribution = "loguniform"'),
        ["parameters[1] (neutrophil.lifespan_h): loguniform needs lo > 0, got 0"],
    ),
    (
        "lo-above-hi",
        _replace("lo = 5.0", "lo = 50.0"),
        ["parameters[1] (neutrophil.lifespan_h): lo 50 must be below hi 30"],
    ),
    (
        "replicates-zero",
        _replace("replicates = 2", "replicates = 0"),
        ["replicates: 0 is out of range (allowed >= 1)"],
    ),
    ("not-toml", "design = \n", ["not valid TOML"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in BAD_SWEEPS], ids=[c[0] for c in BAD_SWEEPS]
)
def test_bad_sweep_file_is_one_line_and_exit_2(tmp_path, capsys, text, expected):
    """A bad sweep file: SweepError naming file and key; `nervesim sweep` exits 2 with one line."""
    path = write_sweep(tmp_path, text)
    with pytest.raises(SweepError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message, (part, message)
    code = main(["sweep", str(path), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert code == 2
    assert printed.out == ""
    assert printed.err.count("\n") == 1 and "Traceback" not in printed.err
    assert printed.err.startswith("nervesim: error: ")
    assert not (tmp_path / "out").exists()


def test_missing_sweep_file(tmp_path):
    """A sweep file that does not exist is one line naming it."""
    with pytest.raises(SweepError, match=r"nothing\.toml: file not found"):
        load_sweep(tmp_path / "nothing.toml")


def test_sobol_samples_must_be_a_power_of_two(tmp_path):
    """Sobol with 6 samples is refused with a suggestion (SALib's estimator needs 2^k)."""
    text = _replace('design = "grid"', 'design = "sobol"\nsamples = 6')
    text = text.replace("values = [10, 20]", "lo = 10\nhi = 20").replace("levels = 3\n", "")
    with pytest.raises(SweepError, match="samples: 6 must be a power of 2 for design sobol"):
        load_sweep(write_sweep(tmp_path, text))


def test_intervention_keys_need_an_item_the_base_has(tmp_path):
    """interventions[0].day on a base without interventions is refused in one line."""
    text = _replace(
        'key = "neuron.count"\nvalues = [10, 20]',
        'key = "interventions[0].day"\nvalues = [1.0, 2.0]',
    )
    with pytest.raises(SweepError, match=r"has 0 intervention\(s\); interventions\[0\] does not"):
        load_sweep(write_sweep(tmp_path, text))


def test_impossible_point_is_refused_before_any_run(tmp_path):
    """A point whose scenario is invalid (lesion no longer fits) is named before runs start."""
    text = _replace(
        'key = "neuron.count"\nvalues = [10, 20]', 'key = "grid.width_voxels"\nvalues = [40, 30]'
    )
    sweep = load_sweep(write_sweep(tmp_path, text))
    with pytest.raises(
        SweepError, match=r"point 3 \(grid.width_voxels=30, .*does not fit the grid"
    ):
        plan(sweep)


def test_overrides_name_list_items_by_index():
    """with_overrides sets an intervention's field by index; a missing item or its kind is an
    unknown key."""
    from simulation.scenario.schema import ScenarioError, load_scenario
    from tests.sweep_files import ROOT

    ev = load_scenario(ROOT / "scenarios" / "spinal_cord_ev.toml")
    changed = ev.with_overrides({"interventions[0].day": 5.0})
    assert changed.interventions[0].day == 5.0 and ev.interventions[0].day == 3.0
    for key in ("interventions[1].day", "interventions[0].kind", "interventions.ev.day"):
        with pytest.raises(ScenarioError, match=rf"overrides: {re.escape(key)}: unknown key"):
            ev.with_overrides({key: 1.0})
