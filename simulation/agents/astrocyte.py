"""Astrocytes (spinal cord): reactive gliosis and the CSPG glial scar.

Cytokine raises an astrocyte's reactivity slowly (over days) and it relaxes back without it. Once
scar-forming, an astrocyte deposits CSPG in its voxel (saturating at ``scar_max``), secretes a
little cytokine, divides where there is room and creeps up the cytokine gradient toward the
lesion, stopping at the edge of the debris-filled core (debris above
``astrocyte.core_debris_au``).

The rules are the compiled functions below; :func:`turn` plays them for every astrocyte in the
shuffled order, and :class:`Astrocyte` is the Mesa agent whose state lives in an
:class:`AstrocyteSheet`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.engine.compiled import rule
from simulation.engine.moves import (
    crowding_cap,
    divide,
    emptiest_territory,
    has_room,
    move_to,
    moves_this_tick,
    scan_start,
    steepest_neighbour,
    tick_chance,
)
from simulation.engine.sheet import CellSheet, Column
from simulation.fields.kernels import block_mean

#: Columns of an astrocyte's parameter row (names in the ``[astrocyte]`` group).
PARAMS = (
    "activation_per_h",
    "activation_half_cytokine",
    "deactivation_per_h",
    "proliferation_per_h",
    "proliferation_half_cytokine",
    "max_per_mm2",
    "scar_per_h",
    "scar_max",
    "cytokine_per_h",
    "speed_um_per_h",
    "scar_forming_reactivity",
    "quiescence_threshold",
)
(
    _ACTIVATION,
    _ACTIVATION_HALF,
    _DEACTIVATION,
    _PROLIFERATION,
    _PROLIFERATION_HALF,
    _MAX_PER_MM2,
    _SCAR,
    _SCAR_MAX,
    _CYTOKINE,
    _SPEED,
    _SCAR_FORMING,
    _QUIET,
) = range(len(PARAMS))
#: Uniforms one astrocyte may use in a turn: division, where to, how many moves, which way.
DRAWS = 4


class AstrocyteSheet(CellSheet):
    """Every astrocyte's voxel, reactivity ``r`` and parameters, indexed by its slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {"r": (np.float64, 0.0, 0)}
    PARAMS = PARAMS


@rule
def react(r, cytokine, p, dt):
    """Reactivity rises toward 1 with cytokine (half drive at ``activation_half_cytokine``) and
    relaxes back to 0 at ``deactivation_per_h``; returns the new reactivity."""
    drive = cytokine / (cytokine + p[_ACTIVATION_HALF])
    r += dt * (p[_ACTIVATION] * drive * (1.0 - r))
    r -= dt * p[_DEACTIVATION] * r
    return r


@rule
def deposit_scar(x, y, r, p, dt, scar, scar_source, side):
    """Lay down CSPG in proportion to reactivity, slowing as the scar over its territory
    (``side`` x ``side`` voxels) approaches ``scar_max``; the FieldSet lays what it wrote over
    that block of whole voxels (scar is ``laid_in_blocks``)."""
    room = 1.0 - block_mean(scar, x, y, side) / p[_SCAR_MAX]
    if room > 0.0:
        rate = p[_SCAR] * r * room
        if rate > 0.0:
            scar_source[x, y] += rate * dt


@rule
def secrete_cytokine(x, y, p, dt, cytokine_source):
    """A scar-forming astrocyte keeps the lesion inflamed with a little cytokine."""
    if p[_CYTOKINE] > 0.0:
        cytokine_source[x, y] += p[_CYTOKINE] * dt


@rule
def divides(u, cytokine, p, dt):
    """Reactive astrocytes divide faster in acute-phase cytokine (half rate at
    ``proliferation_half_cytokine``)."""
    rate = p[_PROLIFERATION] * cytokine / (cytokine + p[_PROLIFERATION_HALF])
    return u < tick_chance(rate, dt)


@rule
def is_core(debris, x, y, core_debris):
    """Lesion core still full of debris: astrocytes neither divide nor move into it."""
    return debris[x, y] > core_debris


@rule
def proliferate(s, u, x, y, fate, daughter_x, daughter_y, p, crowd, debris, core_debris, side,
                dx):  # fmt: skip
    """Divide into the emptiest neighbouring territory (one territory, ``side`` voxels, away)
    if the voxel there has room (``max_per_mm2``) and is not core."""
    nx, ny, _ = emptiest_territory(crowd, x[s], y[s], scan_start(u), side)
    room = nx >= 0 and has_room(crowd, nx, ny, crowding_cap(p[_MAX_PER_MM2], dx), side)
    if room and not is_core(debris, nx, ny, core_debris):
        divide(s, fate, daughter_x, daughter_y, crowd, nx, ny)


@rule
def migrate_to_border(s, u_moves, u_way, x, y, fate, p, cytokine, crowd, debris, core_debris,
                      side, dx, dt):  # fmt: skip
    """Crawl up the cytokine gradient (to voxels with room), but not into debris-filled core."""
    cap = crowding_cap(p[_MAX_PER_MM2], dx)
    start = scan_start(u_way)
    for m in range(moves_this_tick(u_moves, p[_SPEED], dx, dt)):
        xi = x[s]
        yi = y[s]
        way = (start + 3 * m) % 8
        nx, ny = steepest_neighbour(cytokine, crowd, xi, yi, 1.0, cap, way, side)
        if (nx == xi and ny == yi) or is_core(debris, nx, ny, core_debris):
            return
        move_to(s, x, y, fate, crowd, nx, ny)


@rule
def turn(order, u, x, y, fate, daughter_x, daughter_y, r, params, cytokine, scar, debris,
         cytokine_source, scar_source, crowd, core_debris, side, dx, dt):  # fmt: skip
    """Every astrocyte in ``order`` lives one tick: react; if scar-forming, deposit scar,
    secrete cytokine, perhaps divide and perhaps migrate."""
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        c = cytokine[xi, yi]
        if r[s] < p[_QUIET] and c < p[_QUIET]:
            continue  # quiescent tissue (``quiescence_threshold``): nothing to do
        rs = react(r[s], c, p, dt)
        r[s] = rs
        if rs < p[_SCAR_FORMING]:  # not scar-forming (``scar_forming_reactivity``)
            continue
        deposit_scar(xi, yi, rs, p, dt, scar, scar_source, side)
        secrete_cytokine(xi, yi, p, dt, cytokine_source)
        if divides(u[i, 0], c, p, dt):
            proliferate(s, u[i, 1], x, y, fate, daughter_x, daughter_y, p, crowd, debris,
                        core_debris, side, dx)  # fmt: skip
        migrate_to_border(s, u[i, 2], u[i, 3], x, y, fate, p, cytokine, crowd, debris,
                          core_debris, side, dx, dt)  # fmt: skip


class Astrocyte(TissueCell):
    """A resident astrocyte (see the module docstring)."""

    SHEET = AstrocyteSheet
    DRAWS = DRAWS
    KERNEL = turn
    reactivity = Column("r", "Reactivity: 0 (quiescent) to 1 (fully reactive).")

    @staticmethod
    def kernel_args(model: Any, sheet: AstrocyteSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers, the core threshold and the tick, in :func:`turn`'s
        order."""
        fields = model.fields
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.daughter_x,
            sheet.daughter_y,
            sheet.r,
            sheet.params,
            fields["cytokine"],
            fields["scar"],
            fields["debris"],
            fields.source_views["cytokine"],
            fields.source_views["scar"],
            model.occupancy_of(Astrocyte),
            float(model.scenario.astrocyte.core_debris_au),
            model.territory_side,
            model.dx_um,
            model.dt_h,
        )

    @staticmethod
    def born(model: Any, parent_slot: int, xy: tuple[int, int]) -> Astrocyte:
        """The daughter of the astrocyte in ``parent_slot``: as reactive as her mother."""
        sheet = model.sheet_of(Astrocyte)
        daughter = Astrocyte(model, xy, sheet.agents[parent_slot].p, counted=True)
        sheet.copy_row(parent_slot, daughter.slot)
        return daughter
