"""Schwann cell: denervation turns it into a repair cell; axon contact turns it myelinating."""

from simulation.agents.schwann import SchwannCell, SchwannState

STILL = {"migrate_per_h": 0.0, "proliferation_per_h": 0.0}


def test_only_denervated_schwann_cells_enter_the_repair_state(sandbox):
    """After two days denervated cells are repair cells; innervated ones still myelinate."""
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    cut = [SchwannCell(sandbox, (1, 1), p, denervated=True) for _ in range(30)]
    intact = [SchwannCell(sandbox, (3, 3), p, denervated=False) for _ in range(30)]
    for _ in range(48):
        for c in cut + intact:
            c.step()
    assert sum(c.state is SchwannState.REPAIR for c in cut) >= 25
    assert all(c.state is SchwannState.MYELINATING for c in intact)


def test_repair_cell_secretes_ngf_clears_debris_and_lays_a_band(sandbox):
    """A repair cell adds trophic factor, removes debris and marks its voxel as a band."""
    sandbox.fields["debris"][2, 2] = 1.0
    c = SchwannCell(sandbox, (2, 2), sandbox.scenario.schwann.model_copy(update=STILL), True)
    c.state = SchwannState.REPAIR
    c.step()
    sandbox.fields.apply_sources()
    assert sandbox.fields["trophic"][2, 2] > 0
    assert sandbox.fields["debris"][2, 2] < 1.0
    assert sandbox.band[2, 2] == 1.0  # full capacity on its first day


def test_axon_contact_starts_remyelination(sandbox):
    """A regrown axon in its voxel turns a repair cell myelinating, and myelin builds."""
    c = SchwannCell(sandbox, (2, 2), sandbox.scenario.schwann.model_copy(update=STILL), True)
    c.state = SchwannState.REPAIR
    sandbox.axon[2, 2] = 1.0
    c.step()
    assert c.state is SchwannState.REMYELINATING
    for _ in range(24 * 60):  # remyelination takes weeks
        c.step()
    assert 0.5 < sandbox.myelin[2, 2] <= 1.0


def test_repair_capacity_fades_with_chronic_denervation(sandbox):
    """Capacity falls as exp(-fade·t) while the cell waits in the repair state."""
    p = sandbox.scenario.schwann.model_copy(update=STILL)
    c = SchwannCell(sandbox, (2, 2), p, True)
    c.state = SchwannState.REPAIR
    for _ in range(1000):
        c.step()
    expected = (1 - p.repair_fade_per_h) ** 1000
    assert abs(c.capacity - expected) < 1e-9
