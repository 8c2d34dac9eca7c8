"""TissueCell: what every cell agent is: a Mesa agent whose state is a row of its type's sheet.

Each cell type's module holds its rules as small compiled functions and a ``turn`` kernel that
plays them for every cell of the type (see :mod:`simulation.engine.turn`); the agent class is
the Mesa identity of a sheet row: its voxel on the grid, its membership of the model's
AgentSets, and properties that read its state. Stochastic events use rates, never per-tick
probabilities (:func:`simulation.engine.moves.tick_chance`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from mesa.discrete_space import CellAgent

from simulation.engine.mesa_compat import move_agent, place_agent, remove_agent
from simulation.engine.sheet import CellSheet, restore_attributes
from simulation.engine.turn import play_turn

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


class TissueCell(CellAgent):
    """A cell agent on the tissue grid, whose rules run in its type's compiled turn.

    Its state lives in the model's sheet for its type (:attr:`SHEET`, one row per slot); the
    agent is the Mesa identity of that row (position on the grid, membership of the model's
    AgentSets) and reads its state through :class:`~simulation.engine.sheet.Column`
    properties. :meth:`step` plays the type's turn for this one cell, so a sandbox test that
    places a cell by hand and steps it runs the very rules a whole tissue runs.

    Subclasses give ``SHEET``, ``DRAWS``, ``KERNEL`` and ``kernel_args`` (see
    :mod:`simulation.engine.turn`).
    """

    model: NerveRepairModel
    SHEET: ClassVar[type[CellSheet]]
    DRAWS: ClassVar[int] = 1
    #: The type's compiled turn (see :mod:`simulation.engine.turn`).
    KERNEL: ClassVar[Any] = None

    def __init__(
        self, model: NerveRepairModel, xy: tuple[int, int], params: Any, counted: bool = False
    ) -> None:
        CellAgent.__init__(self, model)
        self._sheet = model.sheet_of(type(self))
        self.slot = self._sheet.add(xy, self)
        self.p = params
        place_agent(self, model.voxel_cells[xy], model.empty_view)
        if not counted:  # a daughter was counted in the kernel that made her
            model.occupancy_of(type(self))[xy] += 1

    @staticmethod
    def kernel_args(model: NerveRepairModel, sheet: Any) -> tuple[Any, ...]:
        """What the type's kernel reads besides the order and the uniforms."""
        raise NotImplementedError

    @classmethod
    def take_turn(cls, model: NerveRepairModel) -> None:
        """Every cell of this type acts, in shuffled order (:func:`play_turn`)."""
        play_turn(model, cls)

    def step(self) -> None:
        """This one cell's turn (the type's compiled rules, for this cell only)."""
        play_turn(self.model, type(self), only=np.array([self.slot]))

    @property
    def xy(self) -> tuple[int, int]:
        """The current voxel ``(x, y)``."""
        sheet = self._sheet
        return int(sheet.x[self.slot]), int(sheet.y[self.slot])

    @property
    def p(self) -> Any:
        """The parameter group (setting it rewrites the cell's row of parameters)."""
        return self._group

    @p.setter
    def p(self, group: Any) -> None:
        self._group = group
        self._sheet.set_params(self.slot, group)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # One setattr at a time keeps the instance's compact attribute storage (see
        # restore_attributes).
        restore_attributes(self, state)

    def leave(self) -> None:
        """Leave the model and the grid (its occupancy was already counted down)."""
        self._sheet.release(self.slot)
        remove_agent(self, self.model.empty_view)

    def die(self) -> None:
        """Die outside the cell's own turn (eaten, or its neuron died)."""
        self.model.occupancy_of(type(self))[self.xy] -= 1
        self.leave()

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Put the cell in voxel ``xy`` by hand (tests, teaching)."""
        if xy != self.xy:
            occ = self.model.occupancy_of(type(self))
            occ[self.xy] -= 1
            occ[xy] += 1
            self._sheet.x[self.slot], self._sheet.y[self.slot] = xy
            move_agent(self, self.model.voxel_cells[xy], self.model.empty_view)

    def enter(self, cell: Any) -> None:
        """Leave the current grid cell for ``cell`` (Mesa's bookkeeping, kept true)."""
        move_agent(self, cell, self.model.empty_view)
