"""Switching off the only path of an effect removes the effect: unit tests, not trends.

Each of these was once a trend of ``nervesim validate`` that measured exactly its maximum on
every seed, because it is true by construction (DESIGN.md, "Honest checks"). With common random
numbers (:mod:`simulation.engine.streams`) the ablated arm is a matched twin of its control, so
the tests ask for equality, bit for bit, on small, short runs of one seed.
"""

import numpy as np
import pandas as pd

from simulation import NerveRepairModel, load_scenario
from simulation.agents.graft import STATES, GraftCluster
from simulation.runs.runner import run
from tests.twin_run import SCENARIOS

SMALL = {"grid.width_voxels": 60, "grid.height_voxels": 16, "neuron.count": 16}
SEED = 5


def _series(name: str, days: float, **overrides):
    scenario = load_scenario(SCENARIOS / name).with_overrides({**SMALL, **overrides})
    return run(scenario, SEED, days=days, snapshots=False).timeseries


def test_ev_anti_inflammatory_carries_the_ev_inflammation_effect():
    """Plain EVs in a crush lower inflammation over days 1-14. With ``ev_anti_inflammatory`` off
    at least 90 % of that fall is gone (the rest comes indirectly, through the EVs' other
    mechanisms: the old ``ablate_ev_anti_inflammatory``); with every EV mechanism off the EV arm
    is the untreated arm exactly, bit for bit."""
    column = "inflammation_mean_au"
    off = {"mechanisms.ev_anti_inflammatory": False}
    all_off = {
        **off,
        "mechanisms.ev_neuroprotection": False,
        "mechanisms.ev_ngf_cargo": False,
        "mechanisms.ev_remyelination": False,
    }

    def inflammation(name, **overrides):
        ts = _series(name, 14, **overrides)
        return ts.loc[(ts["day"] >= 1) & (ts["day"] <= 14), column]

    untreated = inflammation("peripheral_crush_untreated.toml", **all_off)
    full = untreated.mean() - inflammation("peripheral_crush_ev.toml").mean()
    left = untreated.mean() - inflammation("peripheral_crush_ev.toml", **off).mean()
    assert full > 0
    assert abs(left) <= 0.1 * full
    np.testing.assert_array_equal(inflammation("peripheral_crush_ev.toml", **all_off), untreated)


def test_immune_attack_is_the_only_path_of_the_immunosuppression_effect():
    """Immunosuppression raises graft survival; with ``graft_immune_attack`` off, grafts with
    and without the drugs survive identically (the old ``ablate_graft_rejection``)."""
    early = {"interventions[0].day": 1.0}
    off = {**early, "mechanisms.graft_immune_attack": False}
    column = "grafted_survival_fraction"

    def survival(name, **overrides):
        return _series(name, 8, **overrides)[column]

    with_drugs = survival("spinal_cord_ipsc_npc_day21.toml", **early)
    without = survival("spinal_cord_ipsc_npc_no_immunosuppression.toml", **early)
    assert with_drugs.iloc[-1] > without.iloc[-1]
    pd.testing.assert_series_equal(
        survival("spinal_cord_ipsc_npc_day21.toml", **off),
        survival("spinal_cord_ipsc_npc_no_immunosuppression.toml", **off),
        check_exact=True,
    )


def test_vesicle_arms_hold_no_grafted_cells_or_tumors():
    """Only a cell transplant places grafted clusters (the old ``ev_no_cells``)."""
    for name in ("peripheral_crush_ev_ngf.toml", "peripheral_crush_ev.toml"):
        ts = _series(name, 4)
        assert ts["grafted_cells_alive_count"].max() == 0
        assert ts["tumor_events_count"].max() == 0


def test_msc_grafts_hold_no_cells_that_can_transform():
    """Only undifferentiated iPSC cells transform; MSC clusters hold none (the old
    ``tumor_none_without_progenitors``), locally or intravenously."""
    for name in ("spinal_cord_msc_local.toml", "spinal_cord_msc_iv.toml"):
        ts = _series(name, 4, **{"interventions[0].day": 1.0})
        assert ts["grafted_cells_alive_count"].max() > 0
        assert ts["tumor_events_count"].max() == 0
        assert ts["differentiated_fraction"].max() < 1.0
    scenario = load_scenario(SCENARIOS / "spinal_cord_msc_local.toml").with_overrides(
        {**SMALL, "interventions[0].day": 0.0}
    )
    model = NerveRepairModel(scenario, seed=SEED)
    model.step()
    sheet = model.sheet_of(GraftCluster)
    assert sheet.live > 0
    assert not sheet.counts[sheet.live_slots(), STATES.index("undifferentiated")].any()
