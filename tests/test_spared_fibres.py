"""Collateral sprouting of spared fibres (simulation.agents.spared_fibres): analytic checks.

The coverage obeys dc/dt = a (C - c) - q c with a = rate * permissiveness * (1 + training
growth), q = pruning * (1 - training consolidation) and C the ceiling, so with the rim's CSPG
held fixed it settles at C a / (a + q); the tests hold the scar field fixed and step only the
spared fibres.
"""

import numpy as np
import pytest

from simulation.agents.spared_fibres import rim_mask
from simulation.scenario.schema import load_scenario
from simulation.tissue.model import NerveRepairModel


def spinal(**changes) -> NerveRepairModel:
    scenario = load_scenario("scenarios/spinal_cord_untreated.toml")
    if changes:
        scenario = scenario.model_copy(update=changes)
    return NerveRepairModel(scenario, seed=1)


def settle(model: NerveRepairModel, cspg_au: float, hours: float = 20000.0) -> float:
    model.fields["scar"][:] = cspg_au
    for _ in range(int(hours / model.dt_h)):
        model.spared.step()
    return model.spared.coverage


def plateau(model: NerveRepairModel, cspg_au: float, growth=0.0, consolidation=0.0) -> float:
    p = model.spared.p
    a = p.rate_per_h / (1.0 + cspg_au / p.cspg_half_au) * (1.0 + growth)
    q = p.pruning_per_h * (1.0 - consolidation)
    return model.spared.ceiling * a / (a + q)


def test_rim_is_the_ring_around_the_lesion() -> None:
    lesion = np.zeros((8, 8), dtype=bool)
    lesion[3:5, 3:5] = True
    rim = rim_mask(lesion, 1)
    assert rim.sum() == 8  # the 4-connected ring of a 2 x 2 block
    assert not (rim & lesion).any()
    assert rim_mask(lesion, 2).sum() > rim.sum()


def test_coverage_settles_where_forming_and_pruning_balance() -> None:
    model = spinal()
    assert settle(model, 0.2) == pytest.approx(plateau(model, 0.2), rel=1e-6)


def test_less_cspg_raises_the_plateau_not_only_the_pace() -> None:
    scarred, digested = spinal(), spinal()
    assert settle(digested, 0.02) > settle(scarred, 0.3) * 1.2


def test_training_raises_the_plateau() -> None:
    idle, trained = spinal(), spinal()
    trained.therapy.rehab_from_h, trained.therapy.rehab_level = 0.0, 1.0
    a = trained.scenario.adjuncts
    expected = plateau(trained, 0.2, a.rehab_growth_boost, a.rehab_consolidation)
    assert settle(trained, 0.2) == pytest.approx(expected, rel=1e-6)
    assert expected > settle(idle, 0.2)


def test_ceiling_is_what_the_spared_fibres_can_supply() -> None:
    model = spinal()
    reach = model.spared.p.collateral_reach
    assert model.spared.ceiling == pytest.approx(min(1.0, model.spared_fraction * reach))
    assert settle(model, 0.0) <= model.spared.ceiling


def test_switched_off_or_peripheral_no_sprouting() -> None:
    base = load_scenario("scenarios/spinal_cord_untreated.toml")
    off = base.model_copy(
        update={"mechanisms": base.mechanisms.model_copy(update={"spared_sprouting": False})}
    )
    assert settle(NerveRepairModel(off, seed=1), 0.0, 500.0) == 0.0
    crush = NerveRepairModel(load_scenario("scenarios/peripheral_crush_untreated.toml"), seed=1)
    assert settle(crush, 0.0, 500.0) == 0.0
