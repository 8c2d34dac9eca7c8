"""Astrocytes (spinal cord): reactive gliosis and the CSPG glial scar."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell, tick_chance
from simulation.engine.sheet import CellSheet

#: Reactivity above which an astrocyte is scar-forming (deposits CSPG, divides, migrates).
SCAR_FORMING = 0.5
#: Below this reactivity, in less cytokine than this, an astrocyte is quiescent this tick.
QUIET = 1e-3


class AstrocyteSheet(CellSheet):
    """Every astrocyte's reactivity ``r``, voxel and reactivity rates, indexed by its slot.

    Most astrocytes only react to cytokine in a tick (a few lines of arithmetic each, but a
    method call); :meth:`react_all` does that for all of them at once with the same arithmetic
    in the same order, so :meth:`Astrocyte.step_all` need only step the scar-forming ones.
    Reactivity depends only on a cell's own state and the cytokine in its voxel, which no cell
    changes during the cells' turn (secretion is buffered), so the order does not matter.
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "r": (np.float64, 0.0, 0),
        "activation": (np.float64, 0.0, 0),
        "deactivation": (np.float64, 0.0, 0),
        "half": (np.float64, 1.0, 0),
    }

    def set_rates(self, slot: int, p: Any) -> None:
        """The reactivity rates of the astrocyte in ``slot`` (its parameter group ``p``)."""
        self.activation[slot] = p.activation_per_h
        self.deactivation[slot] = p.deactivation_per_h
        self.half[slot] = p.activation_half_cytokine

    def react_all(self, cytokine: np.ndarray, dt: float) -> None:
        """:meth:`Astrocyte.react` for every astrocyte that is not quiescent, at once."""
        n = self.n
        r = self.r[:n]
        c = cytokine[self.x[:n], self.y[:n]]
        live = (r >= QUIET) | (c >= QUIET)
        rl, cl = r[live], c[live]
        drive = cl / (cl + self.half[:n][live])
        rl = rl + dt * (self.activation[:n][live] * drive * (1.0 - rl))
        rl = rl - dt * self.deactivation[:n][live] * rl
        r[live] = rl


class Astrocyte(TissueCell):
    """A resident astrocyte.

    Cytokine raises its reactivity slowly (over days); once scar-forming it deposits CSPG in its
    voxel (saturating at ``scar_max``), secretes a little cytokine, divides where there is room and
    creeps toward the lesion, stopping at the edge of debris-filled core tissue. Its reactivity
    lives in the model's :class:`AstrocyteSheet`.
    """

    def __init__(self, model, xy, params) -> None:
        self._sheet = model.astrocytes
        self.slot = self._sheet.add(xy)
        super().__init__(model, xy, params)

    @property
    def reactivity(self) -> float:
        """0 (quiescent) to 1 (fully reactive)."""
        return self._sheet.views["r"][self.slot]

    @reactivity.setter
    def reactivity(self, value: float) -> None:
        self._sheet.views["r"][self.slot] = value

    def tune(self) -> None:
        """Per-tick chance of migrating (a constant rate); the sheet's reactivity rates."""
        super().tune()
        self._migrate_chance = tick_chance(self.p.migrate_per_h, self._dt)
        self._sheet.set_rates(self.slot, self.p)

    @staticmethod
    def step_all(model, order: Sequence[Any]) -> None:
        """The astrocytes' turn: all react at once, then the scar-forming ones act in ``order``
        (weak references in shuffled order) exactly as their :meth:`step` would."""
        sheet = model.astrocytes
        sheet.react_all(model.fields["cytokine"], model.dt_h)
        reactivity = sheet.views["r"]
        cytokine = model.field_views["cytokine"]
        for ref in order:
            cell = ref()
            if cell is not None and reactivity[cell.slot] >= SCAR_FORMING:
                if cell.p is not cell._tuned_p:
                    cell.tune()
                cell.build_scar(cytokine[cell.xy])

    def step(self) -> None:
        """React to cytokine; when scar-forming, build scar, divide and migrate."""
        c = self._fields["cytokine"][self.xy]
        if self.reactivity < QUIET and c < QUIET:
            return  # quiescent tissue: nothing to do
        if self.p is not self._tuned_p:
            self.tune()
        if self.react(c) < SCAR_FORMING:
            return
        self.build_scar(c)

    def react(self, cytokine: float) -> float:
        """Reactivity rises with cytokine and relaxes back without it; returns the new value."""
        p = self._p
        drive = cytokine / (cytokine + p.activation_half_cytokine)
        dt = self._dt
        r = self.reactivity
        r += dt * (p.activation_per_h * drive * (1.0 - r))
        r -= dt * p.deactivation_per_h * r
        self.reactivity = r
        return r

    def build_scar(self, cytokine: float) -> None:
        """What a scar-forming astrocyte does: deposit CSPG, secrete, perhaps divide and move."""
        p = self._p
        self.deposit_scar()
        rate = p.cytokine_per_h
        if rate > 0.0:  # secrete("cytokine", rate), inlined
            self._sources["cytokine"][self.xy] += rate * self._dt
        # rolls(rate), inlined
        rate = p.proliferation_per_h * cytokine / (cytokine + p.proliferation_half_cytokine)
        if self._uniform() < -math.expm1(-rate * self._dt):
            self.proliferate()
        if self._uniform() < self._migrate_chance:  # rolls(p.migrate_per_h)
            self.migrate_to_border()

    def deposit_scar(self) -> None:
        """Lay down CSPG in this voxel, slowing as it approaches ``scar_max``."""
        p = self._p
        xy = self.xy
        room = 1.0 - self._fields["scar"][xy] / p.scar_max
        if room > 0.0:
            rate = p.scar_per_h * self.reactivity * room
            if rate > 0.0:  # secrete("scar", rate), inlined
                self._sources["scar"][xy] += rate * self._dt

    def proliferate(self) -> None:
        """Divide into the emptiest neighbouring voxel if it has room."""
        xy = self.emptiest_neighbour()
        if self.crowding(xy) < self.p.max_per_voxel and not self.model.is_core(xy):
            daughter = Astrocyte(self.model, xy, self.p)
            daughter.reactivity = self.reactivity

    def migrate_to_border(self) -> None:
        """Step up the cytokine gradient, but not into debris-filled core."""
        xy = self.steepest("cytokine", max_here=self.p.max_per_voxel)
        if not self.model.is_core(xy):
            self.move_to_voxel(xy)

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Step to voxel ``xy`` (and tell the sheet)."""
        super().move_to_voxel(xy)
        self._sheet.x[self.slot], self._sheet.y[self.slot] = self.xy
