"""Macrophage: eats debris and apoptotic neutrophils, polarizes by local signals."""

import numpy as np

from simulation.agents.macrophage import ATE, Macrophage, Phenotype, turn
from simulation.agents.mechanisms import vesicles
from simulation.agents.neutrophil import Neutrophil
from tests.agents.conftest import make_sandbox

STILL = {"speed_um_per_h": 0.0, "death_rate_per_h": 0.0}


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
            Macrophage.take_turn(model)
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
    assert m.efferocytosis_h == m.p.efferocytosis_memory_h == 24.0
    assert n not in sandbox.agents and n not in sandbox.voxel_cells[(2, 2)].agents
    assert sandbox.occupancy_of(Neutrophil)[2, 2] == 0


def test_two_macrophages_cannot_eat_the_same_neutrophil(sandbox):
    """With one apoptotic neutrophil in a voxel, only one of two macrophages there eats."""
    Neutrophil(sandbox, (2, 2), sandbox.scenario.neutrophil).apoptose()
    p = sandbox.scenario.macrophage.model_copy(update=STILL)
    cells = [Macrophage(sandbox, (2, 2), p) for _ in range(2)]
    Macrophage.take_turn(sandbox)
    assert sorted(c.efferocytosis_h for c in cells) == [0.0, p.efferocytosis_memory_h]
    assert sandbox.apoptotic_neutrophils[2, 2] == 0
    assert not sandbox.agents_by_type.get(Neutrophil)


def test_a_dying_macrophage_spills_its_load_as_debris(sandbox):
    """The undigested load of a macrophage that dies goes back into its voxel as debris."""
    p = sandbox.scenario.macrophage.model_copy(update={"death_rate_per_h": 1e6})
    cell = Macrophage(sandbox, (1, 3), p)
    cell.load = 0.7
    cell.step()
    sandbox.fields.apply_sources()
    assert cell not in sandbox.agents and sandbox.occupancy_of(Macrophage)[1, 3] == 0
    assert sandbox.fields["debris"][1, 3] > 0.6  # (less any decay of debris this tick)
    assert sandbox.fields["debris"].sum() == sandbox.fields["debris"][1, 3]


def test_macrophage_climbs_debris_then_cytokine_once_full():
    """An empty macrophage climbs the debris gradient; one loaded to capacity the cytokine one."""
    model = make_sandbox(seed=3)
    model.fields["debris"][:] = [[x * 1e-3] * 5 for x in range(5)]  # rising along x
    model.fields["cytokine"][:] = [[0.0, 1.0, 2.0, 3.0, 4.0]] * 5  # rising along y
    p = model.scenario.macrophage.model_copy(
        update={"speed_um_per_h": 2500.0, "death_rate_per_h": 0.0, "phagocytosis_per_h": 0.0,
                "digestion_per_h": 0.0}
    )  # fmt: skip
    hungry = Macrophage(model, (0, 0), p)
    full = Macrophage(model, (0, 0), p)
    full.load = p.load_capacity
    for _ in range(6):
        hungry.step()
        full.step()
    assert hungry.xy[0] == 4 and full.xy[1] == 4
    assert hungry.cell.coordinate == hungry.xy and full.cell.coordinate == full.xy


def _tissue_with_macrophages(seed: int, ev: bool = True):
    """A 6x5 sandbox with debris, cytokine, trophic and vesicle fields, a dozen macrophages
    (some M2, some loaded) and apoptotic neutrophils among them."""
    model = make_sandbox(seed=seed, shape=(6, 5))
    f = model.fields
    for name in ("debris", "cytokine", "trophic", "ev", "ev_ngf"):
        f[name][:] = model.rng.random((6, 5)) * (1.0 if ev or "ev" not in name else 0.0)
    model.ev_active = ev
    model.vesicle_knobs = vesicles.knobs(model)
    p = model.scenario.macrophage.model_copy(
        update={"speed_um_per_h": 50.0, "death_rate_per_h": 0.3, "to_m2_per_h": 0.5}
    )
    cells = [Macrophage(model, (int(i % 6), int(i % 5)), p) for i in range(12)]
    for cell in cells[::3]:
        cell.phenotype = Phenotype.M2
        cell.load = 0.5
    for i in range(8):
        Neutrophil(model, (int(i % 6), int((i * 2) % 5)), model.scenario.neutrophil).apoptose()
    return model


def test_the_compiled_turn_and_its_python_source_give_the_same_tissue():
    """The kernel compiled and run as plain Python (``.py_func``) give identical results,
    through deaths, moves, efferocytosis and vesicle uptake."""
    states = []
    for compiled in (True, False):
        model = _tissue_with_macrophages(seed=5)
        sheet = model.sheet_of(Macrophage)
        order = sheet.live_slots()
        u = np.random.default_rng(1).random((order.size, Macrophage.DRAWS))
        kernel = turn if compiled else turn.py_func
        kernel(order, u, *Macrophage.kernel_args(model, sheet))
        f = model.fields
        states.append(
            [sheet.x.copy(), sheet.y.copy(), sheet.fate.copy(), sheet.m2.copy(),
             sheet.load.copy(), sheet.efferocytosis_h.copy(), sheet.ev.copy(), sheet.ngf.copy(),
             f._source.copy(), f._sink_rate.copy(), model.occupancy_of(Macrophage).copy(),
             model.apoptotic_neutrophils.copy()]
        )  # fmt: skip
    for a, b in zip(*states, strict=True):
        np.testing.assert_array_equal(a, b)
    fate, ev = states[0][2], states[0][6]
    assert (fate & 1).any() and (fate & 2).any() and (fate & ATE).any(), fate
    assert (ev > 0).any()


def test_grid_agentsets_and_occupancy_agree_after_many_ticks():
    """After recruitment, deaths, moves and efferocytosis, Mesa's grid, the AgentSets, the
    sheets and the occupancy and apoptotic counts describe the same cells."""
    model = _tissue_with_macrophages(seed=9)
    eaten = 0
    for _ in range(40):
        Neutrophil.take_turn(model)
        Macrophage.take_turn(model)
        eaten += int((model.sheet_of(Macrophage).fate & ATE).astype(bool).sum())
        model.fields.apply_sources()
        x, y = model.rng.integers(6, size=2), model.rng.integers(5, size=2)
        Macrophage(model, (int(x[0]), int(y[0])), model.scenario.macrophage)
        Neutrophil(model, (int(x[1]), int(y[1])), model.scenario.neutrophil).apoptose()
    assert eaten > 0
    occupied = np.zeros((6, 5), dtype=np.int32)
    for kind in (Macrophage, Neutrophil):
        sheet = model.sheet_of(kind)
        agents = list(model.agents_by_type[kind])
        assert sorted(a.slot for a in agents) == sheet.live_slots().tolist()
        occupancy = np.zeros((6, 5), dtype=np.int32)
        for a in agents:
            assert a in a.cell.agents and a.cell.coordinate == a.xy
            occupancy[a.xy] += 1
        np.testing.assert_array_equal(occupancy, model.occupancy_of(kind))
        occupied += occupancy
    apoptotic = np.zeros((6, 5), dtype=np.int32)
    for n in model.agents_by_type[Neutrophil]:
        apoptotic[n.xy] += n.apoptotic
    np.testing.assert_array_equal(apoptotic, model.apoptotic_neutrophils)
    assert sum(len(c.agents) for c in model.grid.all_cells) == occupied.sum() == len(model.agents)


def test_efferocytosis_memory_lasts_its_scenario_hours(sandbox):
    """Eating an apoptotic neutrophil starts a memory of ``efferocytosis_memory_h``."""
    Neutrophil(sandbox, (2, 2), sandbox.scenario.neutrophil).apoptose()
    p = sandbox.scenario.macrophage.model_copy(update={**STILL, "efferocytosis_memory_h": 6.0})
    m = Macrophage(sandbox, (2, 2), p)
    m.step()
    assert m.efferocytosis_h == 6.0
