"""Neutrophils: the first, short-lived, pro-inflammatory responders.

A neutrophil recruited from the blood secretes cytokine, eats a little debris and crawls up the
cytokine gradient. After a short life it turns apoptotic and lingers until a macrophage eats it
(efferocytosis, which pushes that macrophage toward M2) or it falls apart.

The rules are the compiled functions below; :func:`turn` plays them for every neutrophil in the
shuffled order, and :class:`Neutrophil` is the Mesa agent whose state lives in a
:class:`NeutrophilSheet`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.engine.compiled import rule
from simulation.engine.moves import climb, die, moves_this_tick, scan_start, tick_chance
from simulation.engine.sheet import CellSheet, Column

#: Columns of a neutrophil's parameter row (names in the ``[neutrophil]`` group).
PARAMS = ("lifespan_h", "apoptotic_h", "speed_um_per_h", "cytokine_per_h", "phagocytosis_per_h")
_LIFESPAN, _APOPTOTIC, _SPEED, _CYTOKINE, _PHAGO = range(len(PARAMS))
#: Uniforms one neutrophil may use in a turn: fate, how many moves, direction.
DRAWS = 3


class NeutrophilSheet(CellSheet):
    """Every neutrophil's voxel, apoptosis flag and parameters, indexed by its slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {"apoptotic": (np.int8, 0, 0)}
    PARAMS = PARAMS


@rule
def falls_apart(u, p, dt):
    """An apoptotic neutrophil disintegrates, on average ``apoptotic_h`` after apoptosis."""
    return u < tick_chance(1.0 / p[_APOPTOTIC], dt)


@rule
def turns_apoptotic(u, p, dt):
    """An active neutrophil enters apoptosis, on average ``lifespan_h`` after arriving."""
    return u < tick_chance(1.0 / p[_LIFESPAN], dt)


@rule
def inflame(x, y, p, dt, cytokine_source, debris_sink):
    """Secrete cytokine and eat a little debris (first-order uptake) in voxel ``(x, y)``."""
    if p[_CYTOKINE] > 0.0:
        cytokine_source[x, y] += p[_CYTOKINE] * dt
    if p[_PHAGO] > 0.0:
        debris_sink[x, y] += p[_PHAGO]


@rule
def turn(order, u, x, y, fate, apoptotic, params, cytokine, cytokine_source, debris_sink, crowd,
         apoptotic_count, reach, dx, dt):  # fmt: skip
    """Every neutrophil in ``order`` lives one tick: age, inflame, phagocytose, migrate."""
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        if apoptotic[s]:
            if falls_apart(u[i, 0], p, dt):
                apoptotic_count[xi, yi] -= 1
                die(s, x, y, fate, crowd)
            continue
        if turns_apoptotic(u[i, 0], p, dt):
            apoptotic[s] = 1
            apoptotic_count[xi, yi] += 1
            continue
        inflame(xi, yi, p, dt, cytokine_source, debris_sink)
        moves = moves_this_tick(u[i, 1], p[_SPEED], dx * reach, dt)
        way = scan_start(u[i, 2])
        climb(s, x, y, fate, crowd, cytokine, 1.0, 1_000_000, moves, way, reach)


class Neutrophil(TissueCell):
    """A neutrophil recruited from the blood into inflamed tissue (see the module docstring)."""

    SHEET = NeutrophilSheet
    DRAWS = DRAWS
    KERNEL = turn
    apoptotic = Column("apoptotic", "Apoptotic: no longer acting, waiting to be eaten.", bool, int)

    @staticmethod
    def kernel_args(model: Any, sheet: NeutrophilSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers and the tick length, in :func:`turn`'s order."""
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.apoptotic,
            sheet.params,
            model.fields["cytokine"],
            model.fields.source_views["cytokine"],
            model.fields.sink_views["debris"],
            model.occupancy_of(Neutrophil),
            model.apoptotic_neutrophils,
            model.territory_side,
            model.dx_um,
            model.dt_h,
        )

    def apoptose(self) -> None:
        """Enter apoptosis by hand (tests, teaching)."""
        if not self.apoptotic:
            self.apoptotic = True
            self.model.apoptotic_neutrophils[self.xy] += 1

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Put the neutrophil in voxel ``xy`` by hand (an apoptotic one is counted there)."""
        if self.apoptotic:
            self.model.apoptotic_neutrophils[self.xy] -= 1
            self.model.apoptotic_neutrophils[xy] += 1
        super().move_to_voxel(xy)

    def eaten(self) -> None:
        """Eaten by a macrophage, whose turn already took it out of the apoptotic count."""
        self.model.occupancy_of(Neutrophil)[self.xy] -= 1
        self.leave()

    def die(self) -> None:
        """Leave the tissue (by hand)."""
        if self.apoptotic:
            self.model.apoptotic_neutrophils[self.xy] -= 1
        super().die()
