"""Macrophage: eats debris and apoptotic neutrophils, polarizes by local signals."""

import copy
from pathlib import Path

import pytest

from simulation.agents.macrophage import Macrophage, Phenotype
from simulation.agents.macrophage_sheet import EFFEROCYTOSIS_MEMORY_H
from simulation.agents.neutrophil import Neutrophil
from simulation.scenario.schema import load_scenario
from simulation.tissue.model import NerveRepairModel
from tests.agents.conftest import make_sandbox

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

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


def _snapshot(model) -> dict:
    """Everything a macrophage turn can touch, exactly. Cells are named by their place in the
    model's agent order (a copied model numbers its new agents afresh: Mesa counts ids per
    model object)."""
    name = {agent: i for i, agent in enumerate(model.agents)}
    return {
        "macrophages": [
            (name[c], c.xy, c.phenotype, c.load, c.efferocytosis_h, c.ev_signal, c.ngf_signal)
            for c in model.agents_by_type.get(Macrophage, [])
        ],
        "neutrophils": [
            (name[n], n.xy, n.apoptotic) for n in model.agents_by_type.get(Neutrophil, [])
        ],
        "grid": {xy: [name[a] for a in cell.agents] for xy, cell in model.voxel_cells.items()},
        "empty": model.grid.empty.data.tobytes(),
        "crowd": model.occupancy_of(Macrophage).tobytes(),
        "apoptotic": model.apoptotic_neutrophils.tobytes(),
        "fields": model.fields.values.tobytes(),
        "random": model.random.getstate(),
    }


@pytest.mark.parametrize(
    ("scenario", "start_h", "dt_h"),
    [("spinal_cord_untreated", 60, 1.0), ("peripheral_crush_ev_ngf", 30, 0.75)],
)
def test_the_compiled_turn_equals_stepping_each_macrophage(scenario, start_h, dt_h, monkeypatch):
    """A twin: the same tissue stepped with the compiled turn and with every macrophage's own
    ``step`` ends each tick bit for bit the same (cells, grid lists, fields, random stream),
    through deaths, moves, efferocytosis and vesicle uptake."""
    tissue = load_scenario(SCENARIOS / f"{scenario}.toml").with_overrides({"time.dt_h": dt_h})
    model = NerveRepairModel(tissue, seed=4)
    for _ in range(round(start_h / dt_h)):
        model.step()
    compiled, one_by_one = model, copy.deepcopy(model)
    seen = {"died": 0, "moved": 0, "ate": 0, "vesicles": 0}
    for _ in range(24):
        before = {c: c.xy for c in compiled.agents_by_type[Macrophage]}
        compiled.step()
        with monkeypatch.context() as patch:
            patch.setattr(Macrophage, "step_all", None)  # the model calls each cell's step
            one_by_one.step()
        assert _snapshot(compiled) == _snapshot(one_by_one)
        after = list(compiled.agents_by_type[Macrophage])
        seen["died"] += len(set(before) - set(after))
        seen["moved"] += sum(c in before and c.xy != before[c] for c in after)
        seen["ate"] += sum(c.efferocytosis_h == EFFEROCYTOSIS_MEMORY_H for c in after)
        seen["vesicles"] += sum(c.ev_signal > 0 for c in after)
    assert seen["died"] and seen["moved"] and seen["ate"], seen
    if "ev" in scenario:
        assert seen["vesicles"], seen
