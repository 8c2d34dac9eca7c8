"""The recorded metrics read the sheets; they must count what the agents themselves say."""

from pathlib import Path

import pytest

from simulation import NerveRepairModel, load_scenario
from simulation.agents.astrocyte import Astrocyte
from simulation.agents.graft import GraftCluster
from simulation.agents.growth_cone import GrowthCone
from simulation.agents.macrophage import Macrophage, Phenotype
from simulation.agents.neuron import Neuron
from simulation.agents.neutrophil import Neutrophil
from simulation.agents.schwann import SchwannCell, SchwannState
from simulation.runs.metrics import collect

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def _agents(model, kind):
    return list(model.agents_by_type.get(kind, []))


@pytest.mark.parametrize(
    ("name", "days"),
    [("spinal_cord_ipsc_npc_day21.toml", 24), ("peripheral_crush_ev_ngf.toml", 12)],
)
def test_sheet_metrics_equal_counts_over_the_agents(name, days):
    """Each cell-count metric equals the same count taken agent by agent."""
    model = NerveRepairModel(load_scenario(SCENARIOS / name), seed=4)
    for _ in range(days * 24):
        model.step()
    row = collect(model)
    cones = _agents(model, GrowthCone)
    n0 = model.neuron_count_initial
    expected = {
        "neuron_survival_fraction": len(_agents(model, Neuron)) / n0,
        "neutrophils_count": sum(not a.apoptotic for a in _agents(model, Neutrophil)),
        "macrophages_m1_count": sum(
            a.phenotype is Phenotype.M1 for a in _agents(model, Macrophage)
        ),
        "macrophages_m2_count": sum(
            a.phenotype is Phenotype.M2 for a in _agents(model, Macrophage)
        ),
        "axons_bridged_fraction": sum(c.bridged for c in cones) / n0,
        "axon_length_mean_um": sum(c.regrown_um for c in cones) / len(cones) if cones else 0.0,
        "relay_connections_count": sum(c.relayed and not c.bridged for c in cones),
        "schwann_repair_count": sum(
            a.state is SchwannState.REPAIR for a in _agents(model, SchwannCell)
        ),
        "astrocytes_reactive_count": sum(
            a.reactivity >= model.scenario.astrocyte.scar_forming_reactivity
            for a in _agents(model, Astrocyte)
        ),
        "grafted_cells_alive_count": sum(g.alive for g in _agents(model, GraftCluster)),
    }
    assert any(v for v in expected.values())
    for key, value in expected.items():
        assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
