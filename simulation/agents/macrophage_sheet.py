"""The macrophages' state in arrays, and their turn in compiled code.

A macrophage's tick is a few dozen lines of arithmetic on its own state and the fields in its
voxel, with three or four random draws; stepping a couple of hundred of them in Python was
about 40 % of a run. :class:`MacrophageSheet` keeps every macrophage's state in arrays indexed
by its slot; :func:`draw_fates` and :func:`act` play the turn of all of them in the shuffled
order exactly as their :meth:`~simulation.agents.macrophage.Macrophage.step` would: the same
arithmetic in the same order, the same values of the model's random stream (read ahead with
:mod:`simulation.engine.pystream`), the same writes into the field buffers.
:meth:`~simulation.agents.macrophage.Macrophage.step_all` drives them and keeps in Python what
involves other agents: eating an apoptotic neutrophil, dying, telling Mesa's grid about a move.
``tests/agents/test_macrophage.py`` steps a tissue both ways and requires bitwise-equal cells,
grid, fields and random stream.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numba import njit

from simulation.agents.base import tick_chance
from simulation.engine.sheet import CellSheet
from simulation.fields.kernels import steepest_neighbour

#: Hours an efferocytosis event keeps pushing a macrophage toward M2.
EFFEROCYTOSIS_MEMORY_H = 24.0

#: Columns of the per-slot parameter table (the cell's parameter group, plus its two chances).
PARAMS = (
    "death_chance",
    "migrate_chance",
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
)
(
    _DEATH,
    _MIGRATE,
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
) = range(len(PARAMS))

#: What becomes of a cell this turn (:func:`draw_fates`; :func:`act` marks who moved).
DIES, STAYS, MIGRATES, MOVED = 0, 1, 2, 3


class MacrophageSheet(CellSheet):
    """Every macrophage's voxel, phenotype (``m2``: 0 M1, 1 M2), load, efferocytosis memory,
    vesicle signals and parameters (a row of :data:`PARAMS`), indexed by its slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "m2": (np.int8, 0, 0),
        "load": (np.float64, 0.0, 0),
        "efferocytosis_h": (np.float64, 0.0, 0),
        "ev": (np.float64, 0.0, 0),
        "ngf": (np.float64, 0.0, 0),
        "params": (np.float64, 0.0, len(PARAMS)),
    }

    def set_params(self, slot: int, p: Any, dt_h: float) -> None:
        """Set the parameters of the cell in ``slot``: its group ``p`` and its per-tick chances
        of dying and of migrating."""
        row = self.params[slot]
        row[_DEATH] = tick_chance(p.death_rate_per_h, dt_h)
        row[_MIGRATE] = tick_chance(p.migrate_per_h, dt_h)
        for k, name in enumerate(PARAMS[2:], start=2):
            row[k] = getattr(p, name)

    def chances(self, slot: int) -> tuple[float, float]:
        """The per-tick chances of dying and of migrating of the cell in ``slot``."""
        row = self.params[slot]
        return float(row[_DEATH]), float(row[_MIGRATE])

    def columns(self) -> tuple[np.ndarray, ...]:
        """The arrays :func:`act` reads and updates, in its order."""
        return (
            self.x,
            self.y,
            self.m2,
            self.load,
            self.efferocytosis_h,
            self.ev,
            self.ngf,
            self.params,
        )


@njit(cache=True)
def draw_fates(order, params, upcoming, fates, u_polarize, u_steer):
    """Each cell's draws from ``upcoming`` (the stream's next values), in ``order`` (slots):
    whether it dies (first draw), then its polarization draw, whether it migrates and, if so,
    its tie-break draw. These are the draws of ``Macrophage.step``; how many a cell makes
    depends only on its own chances. Returns how many values were used."""
    k = 0
    for i in range(order.shape[0]):
        s = order[i]
        if upcoming[k] < params[s, _DEATH]:
            fates[i] = DIES
            k += 1
            continue
        u_polarize[i] = upcoming[k + 1]
        if upcoming[k + 2] < params[s, _MIGRATE]:
            fates[i] = MIGRATES
            u_steer[i] = upcoming[k + 3]
            k += 4
        else:
            fates[i] = STAYS
            k += 3
    return k


@njit(cache=True)
def act(order, fates, u_polarize, u_steer, ate, sheet, fields, sources, sinks, crowd, ev_knobs):
    """The rest of every surviving cell's tick, in ``order``: vesicles, phagocytosis,
    efferocytosis memory, digestion, polarization, secretion, migration (``Macrophage.step``
    line by line). ``sheet`` is :meth:`MacrophageSheet.columns`; the fate of a cell that moved
    becomes ``MOVED``."""
    x, y, m2, load, eff_h, ev, ngf, params = sheet
    debris, cytokine, trophic, ev_f, ev_ngf_f = fields
    src_cytokine, src_trophic = sources
    snk_debris, snk_cytokine, snk_ev, snk_ev_ngf = sinks
    (
        dt,
        ev_active,
        uptake,
        ev_keep,
        ngf_keep,
        ngf_cargo_on,
        ngf_trophic_per_au_h,
        anti_inflammatory_on,
        suppression_per_au,
        m2_drive_per_au,
    ) = ev_knobs
    for i in range(order.shape[0]):
        if fates[i] == DIES:
            continue
        s = order[i]
        xi = x[s]
        yi = y[s]
        p = params[s]
        # absorb_vesicles and make_ngf
        if ev[s] != 0.0 or ev_active:
            e = ev[s]
            g = ngf[s]
            if not (e == 0.0 and g == 0.0 and not ev_active):
                e *= ev_keep
                g *= ngf_keep
                if ev_active and uptake > 0.0:
                    share = -math.expm1(-uptake * dt)
                    snk_ev[xi, yi] += uptake
                    snk_ev_ngf[xi, yi] += uptake
                    cargo = ev_ngf_f[xi, yi] * share
                    e += ev_f[xi, yi] * share + cargo
                    g += cargo
                if e < 1e-9 and g < 1e-9:
                    e = g = 0.0
                ev[s] = e
                ngf[s] = g
            if g > 0.0 and ngf_cargo_on:
                rate = ngf_trophic_per_au_h * g
                if rate > 0.0:
                    src_trophic[xi, yi] += rate * dt
        # phagocytose
        cap = p[_CAPACITY]
        room = 1.0 - load[s] / cap
        if room > 0.0:
            d = debris[xi, yi]
            if d > 0.0:
                rate = p[_PHAGO] * room
                if rate > 0.0:
                    snk_debris[xi, yi] += rate
                    load[s] += d * -math.expm1(-rate * dt)
        # efferocytose (the neutrophil itself was eaten in Python, before this kernel)
        if eff_h[s] > 0.0:
            eff_h[s] -= dt
        if ate[i]:
            eff_h[s] = EFFEROCYTOSIS_MEMORY_H
        # digest
        ld = load[s]
        load[s] = ld - ld * p[_DIGEST] * dt
        # polarize
        c = cytokine[xi, yi]
        t = trophic[xi, yi]
        m1_drive = c / (c + p[_HALF_C]) + p[_MYELIN] * load[s] / cap
        m2_drive = t / (t + p[_M2_HALF])
        e = ev[s]
        if e > 0.0 and anti_inflammatory_on:
            m2_drive += m2_drive_per_au * e
        if eff_h[s] > 0.0:
            m2_drive += p[_EFFERO]
        if m2[s] == 0:
            if u_polarize[i] < -math.expm1(-(p[_TO_M2] * m2_drive / (1.0 + m1_drive)) * dt):
                m2[s] = 1
        elif u_polarize[i] < -math.expm1(-(p[_TO_M1] * m1_drive / (1.0 + m2_drive)) * dt):
            m2[s] = 0
        # signal
        if m2[s] == 0:
            calming = 0.0
            if e != 0.0 and anti_inflammatory_on:
                calming = suppression_per_au * e
            rate = p[_CYT_M1] / (1.0 + calming)
            if rate > 0.0:
                src_cytokine[xi, yi] += rate * dt
        else:
            rate = p[_TROPHIC_M2]
            if rate > 0.0:
                src_trophic[xi, yi] += rate * dt
            rate = p[_CYT_UPTAKE]
            if rate > 0.0:
                snk_cytokine[xi, yi] += rate
        # migrate: up the debris gradient, or the cytokine one once full
        if fates[i] == MIGRATES:
            field = debris if load[s] < cap else cytokine
            nx, ny = steepest_neighbour(field, crowd, xi, yi, 1.0, 1_000_000, int(u_steer[i] * 8.0))
            if nx != xi or ny != yi:
                crowd[xi, yi] -= 1
                crowd[nx, ny] += 1
                x[s] = nx
                y[s] = ny
                fates[i] = MOVED
