"""engine/mesa_compat.py leans on Mesa's private attributes: fail loudly on an upgrade."""

import pickle

import mesa
import pytest
from mesa import Model
from mesa.discrete_space import CellAgent, OrthogonalMooreGrid

from simulation.engine.mesa_compat import (
    empty_layer,
    move_agent,
    move_agents,
    place_agent,
    remove_agent,
    share_cell_class,
)

UPGRADE = (
    "Mesa {version} changed a private attribute that simulation/engine/mesa_compat.py relies "
    "on ({what}); update that module (and only it) for this Mesa"
)


def _world(n: int = 6, capacity=None):
    model = Model(seed=1)
    grid = OrthogonalMooreGrid((5, 4), torus=False, capacity=capacity, random=model.random)
    agents = []
    for k in range(n):
        agent = CellAgent(model)
        agent.cell = grid._cells[(k % 5, k % 4)]
        agents.append(agent)
    return model, grid, agents


@pytest.mark.parametrize(
    "what", ["CellAgent._mesa_cell", "Cell._agents", "grid.empty.data", "Agent._ids"]
)
def test_the_private_names_mesa_compat_uses_exist(what):
    """Each private name the module uses is still there, with the meaning it assumes."""
    _, grid, agents = _world()
    agent = agents[0]
    ok = {
        "CellAgent._mesa_cell": getattr(agent, "_mesa_cell", None) is agent.cell,
        "Cell._agents": isinstance(getattr(agent.cell, "_agents", None), list)
        and agent in agent.cell._agents,
        "grid.empty.data": getattr(getattr(grid, "empty", None), "data", None) is not None
        and grid.empty.data.shape == (5, 4),
        "Agent._ids": agent.model in getattr(mesa.Agent, "_ids", {}),
    }[what]
    assert ok, UPGRADE.format(version=mesa.__version__, what=what)


@pytest.mark.parametrize("how", ["move_agent", "move_agents"])
def test_moves_leave_the_grid_as_mesas_own_setter_does(how):
    """The same agent lists in the same order and the same empty layer as ``agent.cell = c``."""
    states = []
    for fast in (True, False):
        _, grid, agents = _world()
        empty = empty_layer(grid)
        targets = [((k * 3) % 5, (k * 2 + 1) % 4) for k in range(len(agents))]
        targets[2] = agents[2].cell.coordinate  # one stays where it is
        if fast and how == "move_agents":
            move_agents(agents, targets, {c.coordinate: c for c in grid.all_cells}, empty)
        for agent, xy in zip(agents, targets, strict=True):
            if not fast:
                agent.cell = grid._cells[xy]
            elif how == "move_agent":
                move_agent(agent, grid._cells[xy], empty)
        states.append(
            (
                {c.coordinate: [agents.index(a) for a in c.agents] for c in grid.all_cells},
                grid.empty.data.copy().tolist(),
                [a.cell.coordinate for a in agents],
            )
        )
    assert states[0] == states[1], UPGRADE.format(
        version=mesa.__version__, what="agent.cell setter bookkeeping"
    )


def test_move_agent_defers_to_mesa_on_grids_with_a_capacity():
    """A grid with a cell capacity takes Mesa's own path (which enforces it)."""
    _, grid, agents = _world(n=1, capacity=1)
    move_agent(agents[0], grid._cells[(4, 3)], empty_layer(grid))
    assert agents[0].cell.coordinate == (4, 3) and not grid.empty.data[4, 3]


def test_a_pickled_grid_shares_one_cell_class():
    """After share_cell_class, a copied grid's cells share one class and can be copied again."""
    _, grid, _ = _world()
    share_cell_class(grid)
    copy = pickle.loads(pickle.dumps(grid))
    classes = {type(c) for c in copy.all_cells}
    assert len(classes) == 1, UPGRADE.format(version=mesa.__version__, what="grid cell pickling")
    again = pickle.loads(pickle.dumps(copy))
    assert len({type(c) for c in again.all_cells}) == 1


def test_place_and_remove_leave_model_and_grid_as_mesa_does():
    """place_agent/remove_agent: the same cell lists, empty layer and AgentSets as Mesa's own
    ``agent.cell = c`` on a new agent and ``agent.remove()``."""
    states = []
    for fast in (True, False):
        model, grid, _ = _world(n=0)
        empty = empty_layer(grid)
        agents = []
        for k in range(8):
            agent = CellAgent(model)
            cell = grid._cells[(k % 3, k % 2)]
            if fast:
                place_agent(agent, cell, empty)
            else:
                agent.cell = cell
            agents.append(agent)
        for agent in agents[::3]:
            if fast:
                remove_agent(agent, empty)
            else:
                agent.remove()
        states.append(
            (
                {c.coordinate: [agents.index(a) for a in c.agents] for c in grid.all_cells},
                grid.empty.data.copy().tolist(),
                sorted(agents.index(a) for a in model.agents),
                [a.cell is None for a in agents],
            )
        )
    assert states[0] == states[1], UPGRADE.format(
        version=mesa.__version__, what="placing or removing an agent"
    )


def test_a_forgotten_model_is_freed():
    """Mesa's per-model id counter is the one reference that kept finished models alive."""
    import gc
    import weakref

    from simulation.engine.mesa_compat import forget_model

    model, grid, agents = _world()
    ref = weakref.ref(model)
    forget_model(model)
    del model, grid, agents
    gc.collect()
    assert ref() is None
