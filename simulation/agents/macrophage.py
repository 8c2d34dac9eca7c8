"""Macrophages and microglia, pro-inflammatory (M1) or pro-repair (M2).

A macrophage phagocytoses debris into a load it digests slowly; a heavy myelin-debris load (a
"foamy" macrophage) and cytokine push it toward M1, which secretes cytokine; trophic factor and
eating apoptotic neutrophils (efferocytosis) push it toward M2, which secretes trophic factor
and scavenges cytokine. Vesicles it takes up push it toward M2 and damp its M1 cytokine output
(:mod:`simulation.agents.mechanisms.vesicles`). Recruited monocytes arrive as M1. It crawls up
the debris gradient, or the cytokine one once full, and a dying macrophage spills its
undigested load back as debris.

The rules are the compiled functions below; :func:`turn` plays them for every macrophage in
the shuffled order, and :class:`Macrophage` is the Mesa agent whose state lives in a
:class:`MacrophageSheet`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.mechanisms import vesicles
from simulation.agents.neutrophil import Neutrophil
from simulation.engine.compiled import rule
from simulation.engine.moves import (
    climb,
    die,
    moves_this_tick,
    scan_start,
    tick_chance,
)
from simulation.engine.sheet import CellSheet, Column
from simulation.fields.kernels import block_mean


class Phenotype(Enum):
    """Macrophage activation states."""

    M1 = "M1"
    M2 = "M2"


#: Columns of a macrophage's parameter row (names in the ``[macrophage]`` group).
PARAMS = (
    "death_rate_per_h",
    "speed_um_per_h",
    "load_capacity",
    "phagocytosis_per_h",
    "digestion_per_h",
    "recruit_half_cytokine",
    "myelin_m1_drive",
    "m2_trophic_half",
    "efferocytosis_m2_drive",
    "to_m2_per_h",
    "to_m1_per_h",
    "cytokine_m1_per_h",
    "trophic_m2_per_h",
    "cytokine_uptake_m2_per_h",
    "efferocytosis_memory_h",
)
(
    _DEATH,
    _SPEED,
    _CAPACITY,
    _PHAGO,
    _DIGEST,
    _HALF_C,
    _MYELIN,
    _M2_HALF,
    _EFFERO,
    _TO_M2,
    _TO_M1,
    _CYT_M1,
    _TROPHIC_M2,
    _CYT_UPTAKE,
    _EFFERO_MEMORY,
) = range(len(PARAMS))

#: Uniforms one macrophage may use in a turn: death, polarization, how many moves, direction,
#: where in its territory to look for an apoptotic neutrophil.
DRAWS = 5
#: Fate bit: the macrophage ate an apoptotic neutrophil in its territory, in voxel
#: ``(ate_x, ate_y)`` (:meth:`Macrophage.settle` removes that neutrophil from Mesa's grid).
ATE = 8


class MacrophageSheet(CellSheet):
    """Every macrophage's voxel, phenotype (``m2``: 0 M1, 1 M2), debris load, efferocytosis
    memory (hours left), vesicle signals (``ev``, ``ngf``) and parameters, indexed by slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "m2": (np.int8, 0, 0),
        "load": (np.float64, 0.0, 0),
        "efferocytosis_h": (np.float64, 0.0, 0),
        "ate_x": (np.intp, 0, 0),
        "ate_y": (np.intp, 0, 0),
        **vesicles.SHEET_COLUMNS,
    }
    PARAMS = PARAMS


@rule
def dies(u, p, dt):
    """A macrophage dies or emigrates at ``death_rate_per_h``."""
    return u < tick_chance(p[_DEATH], dt)


@rule
def spill(load, x, y, debris_source):
    """A dying macrophage spills its undigested ``load`` back into its voxel as debris."""
    if load > 0.0:
        debris_source[x, y] += load


@rule
def phagocytose(s, x, y, p, load, debris, debris_sink, side, dt):
    """Take up debris from its territory (first-order; the ``side`` x ``side`` block of whole
    voxels holding it, as debris is laid and eaten in blocks) at a rate that falls as the load
    nears capacity."""
    room = 1.0 - load[s] / p[_CAPACITY]
    if room <= 0.0:
        return
    d = block_mean(debris, x, y, side)
    if d > 0.0:
        rate = p[_PHAGO] * room
        if rate > 0.0:
            debris_sink[x, y] += rate
            load[s] += d * tick_chance(rate, dt)


@rule
def efferocytose(u, s, x, y, p, efferocytosis_h, ate_x, ate_y, apoptotic_count, side, dt):
    """The memory of the last eaten apoptotic neutrophil fades; then eat one in its territory
    (the ``side`` x ``side`` block of whole voxels holding it, scanned from a random voxel), if
    there is one (it leaves the count at once, so no other macrophage eats it too), and
    remember it for ``efferocytosis_memory_h``. Returns whether one was eaten.

    The territory is the block of the grid's tiling, as for debris: searching the cell's own
    voxel and random neighbours around it instead reached past the block, and on 12.5 µm
    voxels macrophages ate more neutrophils and turned M2 sooner (19 against 12 M2 cells at day
    2 of the spinal cord, 16 seeds)."""
    if efferocytosis_h[s] > 0.0:
        efferocytosis_h[s] -= dt
    w, h = apoptotic_count.shape
    x0 = x - x % side
    y0 = y - y % side
    n = side * side
    start = int(u * n)
    for k in range(n):
        c = (start + k) % n
        i = x0 + c // side
        j = y0 + c % side
        if i >= w or j >= h:
            continue
        if apoptotic_count[i, j] > 0:
            apoptotic_count[i, j] -= 1
            efferocytosis_h[s] = p[_EFFERO_MEMORY]
            ate_x[s] = i
            ate_y[s] = j
            return True
    return False


@rule
def digest(s, p, load, dt):
    """Break down part of the ingested load."""
    ld = load[s]
    load[s] = ld - ld * p[_DIGEST] * dt


@rule
def polarize(u, s, x, y, p, m2, load, ev, efferocytosis_h, cytokine, trophic, k, dt):
    """Switch phenotype at rates set by the balance of local M1 and M2 drives: cytokine and a
    myelin-debris load drive M1; trophic factor, vesicles and recent efferocytosis drive M2."""
    c = cytokine[x, y]
    t = trophic[x, y]
    m1_drive = c / (c + p[_HALF_C]) + p[_MYELIN] * load[s] / p[_CAPACITY]
    m2_drive = t / (t + p[_M2_HALF]) + vesicles.m2_drive(ev[s], k)
    if efferocytosis_h[s] > 0.0:
        m2_drive += p[_EFFERO]
    if m2[s] == 0:
        if u < tick_chance(p[_TO_M2] * m2_drive / (1.0 + m1_drive), dt):
            m2[s] = 1
    elif u < tick_chance(p[_TO_M1] * m1_drive / (1.0 + m2_drive), dt):
        m2[s] = 0


@rule
def signal(s, x, y, p, m2, ev, cytokine_source, trophic_source, cytokine_sink, k, dt):
    """M1: secrete cytokine (less after taking up vesicles); M2: secrete trophic factor and
    scavenge cytokine."""
    if m2[s] == 0:
        rate = p[_CYT_M1] / (1.0 + vesicles.calming(ev[s], k))
        if rate > 0.0:
            cytokine_source[x, y] += rate * dt
        return
    if p[_TROPHIC_M2] > 0.0:
        trophic_source[x, y] += p[_TROPHIC_M2] * dt
    if p[_CYT_UPTAKE] > 0.0:
        cytokine_sink[x, y] += p[_CYT_UPTAKE]


@rule
def migrate(u_moves, u_way, s, x, y, fate, p, load, debris, cytokine, crowd, reach, dx, dt):
    """Crawl up the debris gradient, or the cytokine gradient once loaded to capacity."""
    field = debris if load[s] < p[_CAPACITY] else cytokine
    moves = moves_this_tick(u_moves, p[_SPEED], dx * reach, dt)
    climb(s, x, y, fate, crowd, field, 1.0, 1_000_000, moves, scan_start(u_way), reach)


@rule
def turn(order, u, x, y, fate, m2, load, efferocytosis_h, ate_x, ate_y, ev, ngf, params,
         debris, cytokine, trophic, ev_field, ngf_field,
         debris_source, cytokine_source, trophic_source,
         debris_sink, cytokine_sink, ev_sink, ngf_sink,
         crowd, apoptotic_count, territory, side, k, dx, dt):  # fmt: skip
    """Every macrophage in ``order`` lives one tick: maybe die (spilling its load); else take
    up vesicles, phagocytose, efferocytose, digest, polarize, signal and maybe migrate."""
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        if dies(u[i, 0], p, dt):
            spill(load[s], xi, yi, debris_source)
            load[s] = 0.0
            die(s, x, y, fate, crowd)
            continue
        uptake = k[vesicles.MACROPHAGE_UPTAKE_PER_H]
        vesicles.absorb(s, xi, yi, ev, ngf, ev_field, ngf_field, ev_sink, ngf_sink, uptake, k,
                        territory)  # fmt: skip
        made = vesicles.ngf_secretion_per_h(ngf[s], k)
        if made > 0.0:
            trophic_source[xi, yi] += made * dt
        phagocytose(s, xi, yi, p, load, debris, debris_sink, side, dt)
        if efferocytose(u[i, 4], s, xi, yi, p, efferocytosis_h, ate_x, ate_y, apoptotic_count,
                        side, dt):  # fmt: skip
            fate[s] |= ATE
        digest(s, p, load, dt)
        polarize(u[i, 1], s, xi, yi, p, m2, load, ev, efferocytosis_h, cytokine, trophic, k, dt)
        signal(s, xi, yi, p, m2, ev, cytokine_source, trophic_source, cytokine_sink, k, dt)
        migrate(u[i, 2], u[i, 3], s, x, y, fate, p, load, debris, cytokine, crowd, side, dx,
                dt)  # fmt: skip


def _phenotype(m2: Any) -> Phenotype:
    return Phenotype.M2 if m2 else Phenotype.M1


def _m2(phenotype: Phenotype) -> int:
    return int(phenotype is Phenotype.M2)


class Macrophage(vesicles.TakesUpVesicles, TissueCell):
    """A monocyte-derived macrophage (or activated microglia); see the module docstring."""

    SHEET = MacrophageSheet
    DRAWS = DRAWS
    KERNEL = turn
    phenotype = Column(
        "m2",
        "M1 (pro-inflammatory; recruited cells arrive so) or M2 (pro-repair).",
        _phenotype,
        _m2,
    )
    load = Column("load", "Ingested debris not yet digested (au).")
    efferocytosis_h = Column(
        "efferocytosis_h", "Hours the last eaten apoptotic neutrophil keeps pushing toward M2."
    )

    @staticmethod
    def kernel_args(model: Any, sheet: MacrophageSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers and model numbers, in :func:`turn`'s order."""
        f = model.fields
        src = f.source_views
        snk = f.sink_views
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.m2,
            sheet.load,
            sheet.efferocytosis_h,
            sheet.ate_x,
            sheet.ate_y,
            sheet.ev,
            sheet.ngf,
            sheet.params,
            f["debris"],
            f["cytokine"],
            f["trophic"],
            f["ev"],
            f["ev_ngf"],
            src["debris"],
            src["cytokine"],
            src["trophic"],
            snk["debris"],
            snk["cytokine"],
            snk["ev"],
            snk["ev_ngf"],
            model.occupancy_of(Macrophage),
            model.apoptotic_neutrophils,
            model.territory_overlap,
            model.territory_side,
            model.vesicle_knobs,
            model.dx_um,
            model.dt_h,
        )

    @staticmethod
    def settle(model: Any, sheet: MacrophageSheet, slots: np.ndarray) -> None:
        """Each macrophage that ate takes one apoptotic neutrophil off Mesa's grid, in the voxel
        where it ate (the kernel already took it out of ``model.apoptotic_neutrophils``)."""
        for slot in slots[(sheet.fate[slots] & ATE) != 0].tolist():
            voxel = model.voxel_cells[int(sheet.ate_x[slot]), int(sheet.ate_y[slot])]
            for other in voxel.agents:
                if isinstance(other, Neutrophil) and other.apoptotic:
                    other.eaten()
                    break
