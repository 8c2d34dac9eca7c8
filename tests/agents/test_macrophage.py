"""Macrophage: eats debris and apoptotic neutrophils, polarizes by local signals."""

from simulation.agents.macrophage import Macrophage, Phenotype
from simulation.agents.neutrophil import Neutrophil
from tests.agents.conftest import make_sandbox

STILL = {"migrate_per_h": 0.0, "death_rate_per_h": 0.0}


def test_macrophage_phagocytoses_debris_into_its_load(sandbox):
    """Debris in its voxel falls and the macrophage's load rises by the same amount."""
    sandbox.fields["debris"][2, 2] = 1.0
    cell = Macrophage(sandbox, (2, 2), sandbox.scenario.macrophage.model_copy(update=STILL))
    cell.step()
    sandbox.fields.apply_sources()
    eaten = 1.0 - sandbox.fields["debris"][2, 2]
    assert eaten > 0
    digested = cell.load * cell.p.digestion_per_h  # this tick's digestion came after eating
    assert abs(cell.load + digested - eaten) < 1e-3 * eaten


def test_m1_secretes_cytokine_and_m2_secretes_trophic(sandbox):
    """An M1 cell adds cytokine; an M2 cell adds trophic factor and scavenges cytokine."""
    p = sandbox.scenario.macrophage.model_copy(update={**STILL, "to_m1_per_h": 0, "to_m2_per_h": 0})
    m1 = Macrophage(sandbox, (1, 1), p)
    m2 = Macrophage(sandbox, (3, 3), p)
    m2.phenotype = Phenotype.M2
    sandbox.fields["cytokine"][3, 3] = 1.0
    m1.step()
    m2.step()
    sandbox.fields.apply_sources()
    assert sandbox.fields["cytokine"][1, 1] > 0
    assert sandbox.fields["trophic"][3, 3] > 0
    assert sandbox.fields["cytokine"][3, 3] < 1.0


def test_trophic_environment_polarizes_toward_m2_and_debris_load_toward_m1():
    """Many macrophages: trophic factor makes M2s; a myelin load in cytokine keeps them M1."""

    def share_m2(trophic: float, debris: float) -> float:
        model = make_sandbox(seed=5)
        model.fields["trophic"][:] = trophic
        model.fields["cytokine"][:] = 0.5 if debris else 0.0
        model.fields["debris"][:] = debris
        cells = [
            Macrophage(model, (2, 2), model.scenario.macrophage.model_copy(update=STILL))
            for _ in range(200)
        ]
        for _ in range(48):
            for c in cells:
                c.step()
            model.fields.apply_sources()
        return sum(c.phenotype is Phenotype.M2 for c in cells) / len(cells)

    assert share_m2(trophic=2.0, debris=0.0) > 0.5
    assert share_m2(trophic=0.0, debris=3.0) < 0.1


def test_macrophage_eats_an_apoptotic_neutrophil_and_turns_toward_m2(sandbox):
    """Efferocytosis removes the apoptotic neutrophil and starts the M2 drive."""
    n = Neutrophil(sandbox, (2, 2), sandbox.scenario.neutrophil)
    n.apoptose()
    m = Macrophage(sandbox, (2, 2), sandbox.scenario.macrophage.model_copy(update=STILL))
    m.step()
    assert sandbox.apoptotic_neutrophils[2, 2] == 0
    assert m.efferocytosis_h > 0
