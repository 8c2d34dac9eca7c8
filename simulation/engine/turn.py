"""Playing one cell type's turn: the shuffled order, the random block, then Mesa's bookkeeping.

A cell type that takes its turn in compiled code gives its agent class:

- ``SHEET``: its :class:`~simulation.engine.sheet.CellSheet` subclass;
- ``DRAWS``: how many uniforms one cell may use in a turn (each cell gets its own row of them,
  used or not, so one cell's branch never shifts another cell's numbers);
- ``kernel_args(model, sheet)``: the arrays and numbers its kernel reads besides the order and
  the uniforms (sheet columns, fields, buffers, knobs), as a tuple;
- ``KERNEL``: a Numba function ``KERNEL(order, uniforms, *kernel_args)`` that plays every cell
  in ``order`` and records in ``sheet.fate`` what Mesa must be told;
- optionally ``settle(model, sheet, slots)``: type-specific follow-up in Python (another cell
  eaten, a neuron's axon withdrawn) for the slots whose fate is set, run before the generic one;
- ``born(model, parent_slot, xy)``: a daughter's agent, for types that divide.

:func:`play_turn` draws the order and the uniforms from the model's random streams (randomness is
an input to the kernel): each cell's row is keyed by its serial number and the tick, so it does
not depend on which other cells exist (:mod:`simulation.engine.streams`). It then calls the
kernel and applies deaths, moves and births to Mesa's grid and AgentSets. No biology lives here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.engine.mesa_compat import move_agents
from simulation.engine.sheet import DIED, DIVIDED, MOVED
from simulation.engine.streams import fill_uniforms, turn_order

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


def play_turn(model: NerveRepairModel, kind: Any, only: np.ndarray | None = None) -> None:
    """Every living cell of ``kind`` takes its turn, in an order shuffled by the type's stream.

    ``only`` restricts the turn to those slots (in that order, with no shuffle): what a single
    agent's ``step()`` uses in sandbox tests.
    """
    sheet = model.sheet_of(kind)
    if only is None and sheet.live == 0:
        return
    key = model.streams.turn_key(kind, model.tick)
    if only is None:
        order = turn_order(key, sheet.serial, sheet.live_slots())
    else:
        order = np.asarray(only, dtype=np.intp)
    uniforms = np.empty((order.size, kind.DRAWS))
    fill_uniforms(key, sheet.serial, order, uniforms)
    sheet.fate[order] = 0
    kind.KERNEL(order, uniforms, *kind.kernel_args(model, sheet))
    settle(model, kind, sheet, order)


def settle(model: NerveRepairModel, kind: Any, sheet: Any, order: np.ndarray) -> None:
    """Tell Mesa what the kernel did: births (in the order cells acted), deaths, then moves.

    A turn changes a few dozen cells at most, so this walks them as Python ints.
    """
    fate = sheet.fate[order]
    acted = np.flatnonzero(fate)
    if acted.size == 0:
        return
    changed = order[acted]
    custom = getattr(kind, "settle", None)
    if custom is not None:
        custom(model, sheet, changed)
    divided: list[int] = []
    died: list[int] = []
    moved: list[int] = []
    for slot, f in zip(changed.tolist(), fate[acted].tolist(), strict=True):
        if f & DIVIDED:
            divided.append(slot)
        if f & DIED:
            died.append(slot)
        elif f & MOVED:
            moved.append(slot)
    for slot in divided:
        kind.born(model, slot, (int(sheet.daughter_x[slot]), int(sheet.daughter_y[slot])))
    agents = sheet.agents
    for slot in died:
        if (agent := agents[slot]) is not None:
            agent.leave()
    if moved:
        xs = sheet.x[moved].tolist()
        ys = sheet.y[moved].tolist()
        move_agents(
            [agents[slot] for slot in moved],
            list(zip(xs, ys, strict=True)),
            model.voxel_cells,
            model.empty_view,
        )
