"""The one place that leans on Mesa's private attributes (Mesa 3.3): fast moves and pickling.

``tests/test_mesa_compat.py`` checks every private name used here against the installed Mesa
and fails loudly, naming this module, when an upgrade changes them.

Moving an agent (:func:`move_agent`): Mesa's ``agent.cell = cell`` setter goes through
``remove_agent``/``add_agent`` and the grid's ``empty`` property layer (a descriptor per write,
a list copy to test emptiness). :func:`move_agent` keeps the same bookkeeping (the cells' agent
lists in the same order, the ``empty`` layer) in a few list and memoryview operations, for the
many cells that move every tick.

Forgetting a finished model (:func:`forget_model`): Mesa numbers each model's agents with a
counter in a class-level dict keyed by the model (``Agent._ids``), which keeps every model ever
made alive, cells, fields and all: ~7 MB per 84-day spinal cord run, so a pool worker or the
dashboard's grew without bound (and would pass its memory budget after a hundred runs).

Pickling grid cells so that a copied model's cells share one class, as the original's do.

Mesa gives each grid a dynamically made cell class (``GridCell``) and registers a pickle helper
that, on loading, makes a new class *for every cell*: a copied 100x30 grid has 3,000 classes,
loading is slow, attribute lookups on cells lose their caches, and the copy's cells cannot be
pickled again (their classes are not registered). :func:`share_cell_class` registers instead a
helper whose cells all refer to one picklable handle of their class: loading makes the class
once (and registers it in turn), and Mesa's ``Grid.__setstate__`` then puts the field
descriptors on that one class.
"""

from __future__ import annotations

import copyreg
import weakref
from typing import Any, ClassVar

from mesa import Agent


class _CellClass:
    """A picklable stand-in for a grid's cell class (one object per class, so pickle's memo
    makes every cell of one grid load with the same class)."""

    _handles: ClassVar[weakref.WeakKeyDictionary[type, _CellClass]] = weakref.WeakKeyDictionary()

    def __init__(self, klass: type) -> None:
        self.klass = klass

    @classmethod
    def of(cls, klass: type) -> _CellClass:
        handle = cls._handles.get(klass)
        if handle is None:
            handle = cls._handles[klass] = cls(klass)
        return handle

    def __reduce__(self) -> tuple[Any, tuple[type]]:
        return _new_cell_class, (self.klass.__bases__[0],)


def _new_cell_class(parent: type) -> _CellClass:
    klass = type("GridCell", (parent,), {"_mesa_properties": set()})
    copyreg.pickle(klass, _reduce_cell)
    return _CellClass.of(klass)


def _reduce_cell(cell: Any) -> tuple[Any, tuple[Any, ...]]:
    return _load_cell, (_CellClass.of(type(cell)), cell.__getstate__())


def _load_cell(handle: _CellClass, state: tuple[dict, dict]) -> Any:
    cell = handle.klass((0, 0))  # as Mesa does: then overwrite every slot
    for name, value in state[1].items():
        if name != "__dict__":
            setattr(cell, name, value)
    return cell


def move_agent(agent: Any, cell: Any, empty: memoryview) -> None:
    """Move ``agent`` from its grid cell to ``cell``: what Mesa's ``agent.cell = cell`` does.

    ``empty`` is a memoryview of the grid's ``empty`` layer (``grid.empty.data``). Grids with a
    cell capacity take Mesa's own path (it checks the capacity).
    """
    if cell.capacity:
        agent.cell = cell
        return
    here = agent._mesa_cell
    here._agents.remove(agent)
    empty[here.coordinate] = not here._agents
    empty[cell.coordinate] = False
    cell._agents.append(agent)
    agent._mesa_cell = cell


def move_agents(
    agents: list[Any], coords: Any, voxel_cells: dict[tuple[int, int], Any], empty: memoryview
) -> None:
    """:func:`move_agent` for many agents at once: ``agents[k]`` to ``voxel_cells[coords[k]]``
    (the model's grid has no cell capacity; one loop, no call per agent)."""
    for agent, xy in zip(agents, coords):  # noqa: B905 (coords is a lazy zip of equal length)
        cell = voxel_cells[xy]
        here = agent._mesa_cell
        if here is cell:
            continue
        others = here._agents
        others.remove(agent)
        if not others:
            empty[here.coordinate] = True
        empty[xy] = False
        cell._agents.append(agent)
        agent._mesa_cell = cell


def place_agent(agent: Any, cell: Any, empty: memoryview) -> None:
    """Put a new ``agent`` (on no cell yet) in ``cell``: what Mesa's ``agent.cell = cell`` does
    then (grids with a cell capacity take Mesa's own path)."""
    if cell.capacity:
        agent.cell = cell
        return
    cell._agents.append(agent)
    empty[cell.coordinate] = False
    agent._mesa_cell = cell


def remove_agent(agent: Any, empty: memoryview) -> None:
    """Take ``agent`` out of the model and off the grid: what Mesa's ``CellAgent.remove`` does."""
    Agent.remove(agent)  # the model's registries and AgentSets
    here = agent._mesa_cell
    if here is None:
        return
    others = here._agents
    others.remove(agent)
    if not others:
        empty[here.coordinate] = True
    agent._mesa_cell = None


def empty_layer(grid: Any) -> memoryview:
    """A memoryview of ``grid``'s ``empty`` property layer (what :func:`move_agent` updates)."""
    return memoryview(grid.empty.data)


def share_cell_class(grid: Any) -> None:
    """Pickle ``grid``'s cells with one shared class per copy (see the module docstring)."""
    copyreg.pickle(grid.cell_klass, _reduce_cell)


def forget_model(model: Any) -> None:
    """Drop Mesa's agent-id counter of ``model`` (``Agent._ids[model]``), the one reference
    that keeps a finished model alive. Call it once the model makes no more agents."""
    Agent._ids.pop(model, None)
