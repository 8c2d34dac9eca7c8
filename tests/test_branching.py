"""Shared starts: every arm run as a copy of another equals the arm run alone, bit for bit."""

import copy
import math
import pickle

import numpy as np
import pytest

from simulation.runs.branching import fork_hour, run_shared
from simulation.runs.metrics import collect
from simulation.runs.runner import run
from simulation.scenario.schema import load_scenario
from simulation.tissue.model import NerveRepairModel
from simulation.validation.checks import SCENARIO_DIR


def _load(stem: str):
    return load_scenario(SCENARIO_DIR / f"{stem}.toml")


def _assert_same(a, b) -> None:
    """Same time series, snapshots and metadata (NaN equal to NaN)."""
    assert a.timeseries.equals(b.timeseries)
    assert a.metadata == b.metadata
    assert sorted(a.snapshots) == sorted(b.snapshots)
    for day, snap in a.snapshots.items():
        other = b.snapshots[day]
        assert snap["cells"].equals(other["cells"])
        for name, values in snap["fields"].items():
            np.testing.assert_array_equal(values, other["fields"][name])


# Shorter horizons than the library's keep this quick; the days still pass every fork.
FAMILIES = [
    # spinal cord: EV from day 3, iPSC cells at day 21 (the dashboard's default arms)
    (("spinal_cord_untreated", "spinal_cord_ev", "spinal_cord_ipsc_npc_day21"), 23.0),
    # the therapy arm as trunk: the untreated arm is a copy of it before day 1
    (("spinal_cord_ipsc_npc_acute", "spinal_cord_untreated", "spinal_cord_chabc_rehab"), 9.0),
    # peripheral: NGF-EVs, repeated IV cells (lungs), local MSCs
    (
        (
            "peripheral_crush_untreated",
            "peripheral_crush_ev_ngf_repeated",
            "peripheral_crush_msc_iv_repeated",
            "peripheral_crush_msc_local",
        ),
        10.0,
    ),
]


@pytest.mark.parametrize(("stems", "days"), FAMILIES, ids=lambda v: str(v)[:40])
def test_shared_runs_equal_runs_alone(stems, days):
    """run_shared gives each arm exactly what run() gives it (series, snapshots, metadata)."""
    scenarios = [_load(stem) for stem in stems]
    shared = run_shared(scenarios, seed=11, days=days, snapshots=True)
    for scenario, result in zip(scenarios, shared, strict=True):
        _assert_same(result, run(scenario, seed=11, days=days, snapshots=True))


def test_arm_ending_at_its_fork_and_arm_that_cannot_share():
    """A horizon that ends on the fork tick is recorded there; a different host runs alone."""
    untreated = _load("spinal_cord_untreated")
    ipsc = _load("spinal_cord_ipsc_npc_day21")
    other_host = untreated.with_overrides({"host.age_years": 70.0})
    assert fork_hour(untreated, other_host) is None
    shared = run_shared([untreated, ipsc, other_host], seed=2, days=21.0 + 1 / 24 * 3)
    for scenario, result in zip([untreated, ipsc, other_host], shared, strict=True):
        _assert_same(result, run(scenario, seed=2, days=21.0 + 1 / 24 * 3))


def test_fork_hour_is_the_first_delivery_of_either():
    untreated = _load("spinal_cord_untreated")
    assert fork_hour(untreated, _load("spinal_cord_ipsc_npc_day21")) == 21 * 24.0
    assert fork_hour(_load("spinal_cord_ev"), _load("spinal_cord_ipsc_npc_day21")) == 3 * 24.0
    assert fork_hour(untreated, untreated) == math.inf


@pytest.mark.parametrize("copier", [pickle.loads, copy.deepcopy], ids=["pickle", "deepcopy"])
def test_a_copied_model_continues_the_same_run(copier):
    """Copied mid-run (with grafted cells and lung depot), the copy and the original agree."""
    scenario = _load("spinal_cord_ipsc_npc_acute")
    model = NerveRepairModel(scenario, seed=3)
    for _ in range(48):
        model.step()
    if copier is pickle.loads:
        twin = pickle.loads(pickle.dumps(model))
    else:
        twin = copy.deepcopy(model)
    for _ in range(48):
        model.step()
        twin.step()
        a, b = collect(model), collect(twin)
        assert a.keys() == b.keys()
        assert all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)
    for name in model.fields.names:
        np.testing.assert_array_equal(model.fields[name], twin.fields[name])


def test_families_group_arms_that_can_share_and_horizons_may_differ():
    """Spinal arms with the same settings share; a peripheral arm or a switched-off mechanism
    starts another family; per-arm horizons give each arm its run alone."""
    from simulation.runs.branching import families

    untreated, ipsc, crush = (
        _load(stem)
        for stem in ("spinal_cord_untreated", "spinal_cord_ipsc_npc_acute", "peripheral_crush_ev")
    )
    ablated = ipsc.with_overrides({"mechanisms.graft_immune_attack": False})
    scenarios = [untreated, crush, ipsc, ablated, untreated.with_overrides({"name": "again"})]
    assert families(scenarios) == [[0, 2, 4], [1], [3]]
    days = [3.0, 2.5, 4.0]
    shared = run_shared([untreated, ipsc, ablated], seed=4, days=days, snapshots=False)
    for scenario, d, result in zip([untreated, ipsc, ablated], days, shared, strict=True):
        _assert_same(result, run(scenario, seed=4, days=d, snapshots=False))


def test_arms_without_any_therapy_share_their_whole_run():
    """Two untreated arms under different names: the shorter is the longer's start, exactly."""
    untreated = _load("spinal_cord_untreated")
    renamed = untreated.with_overrides({"name": "control"})
    for days in ([2.0, 1.5], [2.0, 2.0], [1.5, 2.0]):
        shared = run_shared([untreated, renamed], seed=8, days=days, snapshots=True)
        for scenario, d, result in zip([untreated, renamed], days, shared, strict=True):
            _assert_same(result, run(scenario, seed=8, days=d, snapshots=True))
