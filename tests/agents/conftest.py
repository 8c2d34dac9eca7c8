"""A 5x5 sandbox model: no injury, no resident cells, fields set by hand."""

import pytest

from simulation.scenario.schema import Scenario
from simulation.tissue.model import NerveRepairModel


def make_sandbox(seed: int = 0, shape=(5, 5), **overrides) -> NerveRepairModel:
    """A sandbox model of ``shape`` whose scenario has ``overrides`` (dotted keys) applied."""
    scenario = Scenario().with_overrides(overrides) if overrides else Scenario()
    return NerveRepairModel(scenario, seed=seed, injured=False, shape=shape)


@pytest.fixture
def sandbox() -> NerveRepairModel:
    """An empty 5x5 sandbox with default parameters."""
    return make_sandbox()
