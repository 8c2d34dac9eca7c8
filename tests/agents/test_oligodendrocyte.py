"""Oligodendrocyte: matures when inflammation is low and myelinates bare axon."""

from simulation.agents.oligodendrocyte import Oligodendrocyte
from tests.agents.conftest import make_sandbox


def _matured_share(cytokine: float) -> float:
    model = make_sandbox(seed=4, **{"oligodendrocyte.death_rate_per_h": 0.0})
    model.fields["cytokine"][:] = cytokine
    cells = [Oligodendrocyte(model, (2, 2), model.scenario.oligodendrocyte) for _ in range(200)]
    for _ in range(7 * 24):
        for c in cells:
            c.step()
    return sum(c.mature for c in cells) / len(cells)


def test_inflammation_blocks_maturation():
    """High cytokine lets far fewer precursors mature in a week than none."""
    calm, inflamed = _matured_share(0.0), _matured_share(5.0)
    assert calm > 0.35
    assert inflamed < 0.5 * calm


def test_mature_oligodendrocyte_myelinates_bare_axon(sandbox):
    """A mature cell wraps the axon in its voxel, never beyond the axon present."""
    sandbox.axon[2, 2] = 3.0
    cell = Oligodendrocyte(sandbox, (2, 2), sandbox.scenario.oligodendrocyte)
    cell.mature = True
    for _ in range(24 * 60):
        cell.step()
    assert 2.5 < sandbox.myelin[2, 2] <= 3.0
    assert sandbox.myelin.sum() == sandbox.myelin[2, 2]
