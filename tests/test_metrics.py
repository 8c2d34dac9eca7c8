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


# ------------------------------------------------------------------ the locomotor score
def _spinal(severity: float) -> NerveRepairModel:
    scenario = load_scenario(SCENARIOS / "spinal_cord_untreated.toml")
    return NerveRepairModel(scenario.with_overrides({"injury.severity": severity}), seed=1)


def test_bbb_runs_from_0_with_no_descending_connection_to_21_with_all():
    """The mapping's ends: a lesion across the whole cord with nothing regrown scores 0; with
    every spared fibre conducting and the cut ones all reconnected it would score 21."""
    from simulation.runs import metrics

    model = _spinal(1.0)
    model.fields["cytokine"][:] = 0.0
    assert metrics.descending_connectivity_fraction(model) == 0.0
    assert metrics.bbb_score(model) == pytest.approx(0.0, abs=1e-12)
    model = _spinal(0.4)
    model.fields["cytokine"][:] = 0.0
    spared = metrics.spared_fraction(model)
    assert spared == pytest.approx(0.6, abs=1 / model.height)
    assert metrics.descending_connectivity_fraction(model) == pytest.approx(spared)
    assert 0.0 < metrics.bbb_score(model) < 21.0


def test_milder_lesions_score_higher_and_inflammation_blocks_spared_fibres():
    """More spared cross-section, a higher score; cytokine in the tissue blocks conduction in
    spared fibres, lowering descending connectivity until it resolves (Redford et al. 1997)."""
    from simulation.runs import metrics

    scores = []
    for severity in (0.8, 0.6, 0.4):
        model = _spinal(severity)
        model.fields["cytokine"][:] = 0.0
        scores.append(metrics.bbb_score(model))
    assert scores == sorted(scores) and scores[0] < scores[-1]
    model = _spinal(0.4)
    model.fields["cytokine"][:] = 0.0
    clear = metrics.descending_connectivity_fraction(model)
    model.fields["cytokine"][:] = model.scenario.outcomes.conduction_block_half_au
    assert metrics.descending_connectivity_fraction(model) == pytest.approx(clear / 2)
