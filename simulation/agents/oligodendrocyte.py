"""Oligodendrocyte precursors and oligodendrocytes (spinal cord): slow remyelination.

An oligodendrocyte precursor (OPC) may mature and myelinate regrown axons. Inflammation
(cytokine) kills it and blocks its maturation; a mature cell takes up vesicles (which speed its
myelination, :mod:`~simulation.agents.mechanisms.vesicles`) and wraps bare axon in its voxel.

The rules are the compiled functions below; :func:`turn` plays them for every oligodendrocyte
in the shuffled order, and :class:`Oligodendrocyte` is the Mesa agent whose state lives in an
:class:`OligodendrocyteSheet`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.mechanisms import vesicles
from simulation.engine.compiled import rule
from simulation.engine.moves import die, tick_chance
from simulation.engine.sheet import CellSheet, Column
from simulation.fields.kernels import wrap_axon

#: Columns of an oligodendrocyte's parameter row (names in the ``[oligodendrocyte]`` group).
PARAMS = (
    "differentiation_per_h",
    "inflammation_block_half",
    "myelination_per_h",
    "death_rate_per_h",
)
_DIFFERENTIATION, _BLOCK_HALF, _MYELINATION, _DEATH = range(len(PARAMS))
#: Uniforms one oligodendrocyte may use in a turn: death, maturation.
DRAWS = 2


class OligodendrocyteSheet(CellSheet):
    """Every oligodendrocyte's voxel, maturity, vesicle signals and parameters, by slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "mature": (np.int8, 0, 0),
        **vesicles.SHEET_COLUMNS,
    }
    PARAMS = PARAMS


@rule
def inflammation_block(cytokine, p):
    """The share (0-1) of inflammation that harms the cell: half at ``inflammation_block_half``."""
    return cytokine / (cytokine + p[_BLOCK_HALF])


@rule
def dies_of_inflammation(u, cytokine, block, p, dt):
    """Inflammation kills precursors and mature cells alike (``death_rate_per_h`` at full)."""
    return cytokine > 0.0 and u < tick_chance(p[_DEATH] * block, dt)


@rule
def matures(u, block, p, dt):
    """A precursor differentiates into a myelinating cell, unless inflammation blocks it."""
    return u < tick_chance(p[_DIFFERENTIATION] * (1.0 - block), dt)


@rule
def myelinate(x, y, ev_signal, p, axon, myelin, territory, k):
    """Wrap a share of the bare axon in its territory (``territory``: the share of each voxel
    it reaches, along and across the nerve), faster after taking up vesicles."""
    boost = vesicles.myelination_boost(ev_signal, k)
    fraction = tick_chance(p[_MYELINATION] * boost, k[vesicles.DT])
    wrap_axon(axon, myelin, x, y, territory, territory, fraction)


@rule
def turn(order, u, x, y, fate, mature, ev, ngf, params, cytokine, ev_field, ngf_field, ev_sink,
         ngf_sink, axon, myelin, crowd, territory, k):  # fmt: skip
    """Every oligodendrocyte in ``order`` lives one tick: survive inflammation, mature, take up
    vesicles, myelinate."""
    dt = k[vesicles.DT]
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        c = cytokine[xi, yi]
        block = inflammation_block(c, p)
        if dies_of_inflammation(u[i, 0], c, block, p, dt):
            die(s, x, y, fate, crowd)
            continue
        if not mature[s]:
            if matures(u[i, 1], block, p, dt):
                mature[s] = 1
            continue
        vesicles.absorb(s, xi, yi, ev, ngf, ev_field, ngf_field, ev_sink, ngf_sink,
                        k[vesicles.GLIA_UPTAKE_PER_H], k, territory)  # fmt: skip
        myelinate(xi, yi, ev[s], p, axon, myelin, territory, k)


class Oligodendrocyte(vesicles.TakesUpVesicles, TissueCell):
    """An oligodendrocyte precursor or mature oligodendrocyte (see the module docstring)."""

    SHEET = OligodendrocyteSheet
    DRAWS = DRAWS
    KERNEL = turn
    mature = Column("mature", "Mature: a myelinating oligodendrocyte, no longer a precursor.",
                    bool, int)  # fmt: skip

    @staticmethod
    def kernel_args(model: Any, sheet: OligodendrocyteSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers and the vesicle knobs, in :func:`turn`'s order."""
        fields = model.fields
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.mature,
            sheet.ev,
            sheet.ngf,
            sheet.params,
            fields["cytokine"],
            fields["ev"],
            fields["ev_ngf"],
            fields.sink_views["ev"],
            fields.sink_views["ev_ngf"],
            model.axon,
            model.myelin,
            model.occupancy_of(Oligodendrocyte),
            model.territory_overlap,
            model.vesicle_knobs,
        )
