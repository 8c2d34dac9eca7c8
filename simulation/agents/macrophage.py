"""Macrophages and microglia, pro-inflammatory (M1) or pro-repair (M2)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.macrophage_sheet import (
    DIES,
    EFFEROCYTOSIS_MEMORY_H,
    MOVED,
    act,
    draw_fates,
)
from simulation.agents.neutrophil import Neutrophil
from simulation.engine.pystream import skip, upcoming


class Phenotype(Enum):
    """Macrophage activation states."""

    M1 = "M1"
    M2 = "M2"


# Module-level aliases: an Enum member read through its class costs as much as a field read.
_M1 = Phenotype.M1
_M2 = Phenotype.M2


def _sheet_attribute(name: str, doc: str) -> property:
    """A cell attribute that lives in the model's MacrophageSheet, at the cell's slot."""

    def get(self: Macrophage) -> Any:
        return self._sheet.views[name][self.slot]

    def set_(self: Macrophage, value: Any) -> None:
        self._sheet.views[name][self.slot] = value

    return property(get, set_, doc=doc)


def _vesicle_knobs(model) -> tuple[float | bool, ...]:
    """The tick length and what the kernel needs of the vesicles, in :func:`act`'s order."""
    ev, on = model.ev_params, model.mechanisms
    return (
        model.dt_h,
        bool(model.ev_active),
        float(ev.macrophage_uptake_per_h),
        float(model.ev_keep),
        float(model.ngf_keep),
        bool(on.ev_ngf_cargo),
        float(ev.ngf_trophic_per_au_h),
        bool(on.ev_anti_inflammatory),
        float(ev.cytokine_suppression_per_au),
        float(ev.m2_drive_per_au),
    )


class Macrophage(TissueCell):
    """A monocyte-derived macrophage (or activated microglia).

    It phagocytoses debris into a load it digests slowly; a heavy myelin-debris load (a "foamy"
    macrophage) and cytokine push it toward M1, which secretes cytokine; trophic factor and eating
    apoptotic neutrophils push it toward M2, which secretes trophic factor and scavenges cytokine.
    Taken-up extracellular vesicles push it toward M2 and damp its M1 cytokine output.
    Recruited monocytes arrive as M1.

    Its state lives in the model's :class:`~simulation.agents.macrophage_sheet.MacrophageSheet`;
    :meth:`step` is one cell's tick in Python, and :meth:`step_all` (what the model calls) plays
    every cell's :meth:`step` at once in compiled code, with the same result.
    """

    load = _sheet_attribute("load", "Ingested debris not yet digested (au).")
    efferocytosis_h = _sheet_attribute(
        "efferocytosis_h", "Hours the last eaten apoptotic neutrophil keeps pushing toward M2."
    )
    ev_signal = _sheet_attribute("ev", "Extracellular vesicles taken up, fading (au).")
    ngf_signal = _sheet_attribute("ngf", "The part of ``ev_signal`` that carried NGF (au).")

    def __init__(self, model, xy, params) -> None:
        self._sheet = model.macrophages
        self.slot = self._sheet.add(xy)
        super().__init__(model, xy, params)

    @property
    def phenotype(self) -> Phenotype:
        """M1 (pro-inflammatory; recruited cells arrive so) or M2 (pro-repair)."""
        return _M2 if self._sheet.views["m2"][self.slot] else _M1

    @phenotype.setter
    def phenotype(self, value: Phenotype) -> None:
        self._sheet.views["m2"][self.slot] = value is _M2

    @property
    def p(self) -> Any:
        """The parameter group (setting it re-tunes the cell and its row in the sheet)."""
        return self._group

    @p.setter
    def p(self, params: Any) -> None:
        self._group = params
        if "_tuned_p" in self.__dict__:
            self.tune()

    def tune(self) -> None:
        """The cell's parameters and per-tick chances (constant rates), into the sheet."""
        super().tune()
        self._sheet.set_params(self.slot, self.p, self._dt)

    @staticmethod
    def step_all(model, order: Sequence[Any]) -> None:
        """Every macrophage's :meth:`step`, in ``order`` (weak references, shuffled).

        The random draws come first, from the model's stream as the cells would draw them;
        then the cells that survive and share a voxel with an apoptotic neutrophil eat it, in
        order; then the compiled kernel does the rest; last, the dead leave and Mesa's grid
        learns who moved (its cells' lists end in the same order as after stepping one by one).
        """
        cells = [cell for ref in order if (cell := ref()) is not None]
        n = len(cells)
        if n == 0:
            return
        sheet = model.macrophages
        slots = np.fromiter([cell.slot for cell in cells], dtype=np.intp, count=n)
        fates = np.empty(n, dtype=np.int8)
        u_polarize = np.empty(n)
        u_steer = np.empty(n)
        drawn = upcoming(model.random, 4 * n)  # at most four draws each
        skip(model.random, draw_fates(slots, sheet.params, drawn, fates, u_polarize, u_steer))
        ate = np.zeros(n, dtype=np.bool_)
        apoptotic = model.apoptotic_neutrophils
        hungry = (fates != DIES) & (apoptotic[sheet.x[slots], sheet.y[slots]] > 0)
        for i in np.flatnonzero(hungry).tolist():
            ate[i] = cells[i].eat_apoptotic_neutrophil()
        f, src, snk = model.field_arrays, model.fields.source_views, model.fields.sink_views
        act(
            slots,
            fates,
            u_polarize,
            u_steer,
            ate,
            sheet.columns(),
            (f["debris"], f["cytokine"], f["trophic"], f["ev"], f["ev_ngf"]),
            (src["cytokine"], src["trophic"]),
            (snk["debris"], snk["cytokine"], snk["ev"], snk["ev_ngf"]),
            model.occupancy_of(Macrophage),
            _vesicle_knobs(model),
        )
        for i in np.flatnonzero(fates == DIES).tolist():
            cells[i].release_load()
            cells[i].die()
        moved = np.flatnonzero(fates == MOVED)
        if moved.size:
            voxels = model.voxel_cells
            xs = sheet.x[slots[moved]].tolist()
            ys = sheet.y[slots[moved]].tolist()
            for i, xy in zip(moved.tolist(), zip(xs, ys, strict=True), strict=True):
                cell = cells[i]
                cell.xy = xy
                cell.enter(voxels[xy])

    def step(self) -> None:
        """Live one tick: maybe die, eat, digest, polarize, secrete, migrate."""
        death_chance, migrate_chance = self._sheet.chances(self.slot)
        if self._uniform() < death_chance:  # rolls(p.death_rate_per_h)
            self.release_load()
            self.die()
            return
        model = self.model
        if self.ev_signal or model.ev_active:
            self.absorb_vesicles(model.ev_params.macrophage_uptake_per_h)
            self.make_ngf()
        self.phagocytose()
        if self.efferocytosis_h > 0.0 or model.apoptotic_view[self.xy] > 0:
            self.efferocytose()
        self.digest()
        self.polarize()
        self.signal()
        if self._uniform() < migrate_chance:  # rolls(p.migrate_per_h)
            self.migrate()

    def ev_calming(self) -> float:
        """How much taken-up vesicles damp M1 cytokine output (0 without EVs or the mechanism)."""
        if self.ev_signal == 0.0 or not self.model.mechanisms.ev_anti_inflammatory:
            return 0.0
        return self.model.ev_params.cytokine_suppression_per_au * self.ev_signal

    def phagocytose(self) -> None:
        """Take up debris at a rate that falls as the load nears capacity."""
        p = self._p
        room = 1.0 - self.load / p.load_capacity
        if room > 0.0:
            xy = self.xy
            debris = self._fields["debris"][xy]
            if debris > 0.0:
                rate = p.phagocytosis_per_h * room
                if rate > 0.0:  # take_up("debris", rate), inlined
                    self._sinks["debris"][xy] += rate
                    self.load += debris * -math.expm1(-rate * self._dt)

    def efferocytose(self) -> None:
        """Eat one apoptotic neutrophil sharing this voxel, if there is one; the memory of the
        last one fades."""
        if self.efferocytosis_h > 0.0:
            self.efferocytosis_h -= self._dt
        if self.eat_apoptotic_neutrophil():
            self.efferocytosis_h = EFFEROCYTOSIS_MEMORY_H

    def eat_apoptotic_neutrophil(self) -> bool:
        """Eat the first apoptotic neutrophil in this voxel; whether there was one."""
        if self.model.apoptotic_view[self.xy] <= 0:
            return False
        for other in self.cell.agents:
            if isinstance(other, Neutrophil) and other.apoptotic:
                other.die()
                return True
        return False

    def release_load(self) -> None:
        """A dying macrophage spills its undigested load back as debris."""
        if self.load > 0.0:
            self.model.fields.secrete("debris", self.xy, self.load)

    def digest(self) -> None:
        """Break down part of the ingested load."""
        load = self.load
        self.load = load - load * self._p.digestion_per_h * self._dt

    def polarize(self) -> None:
        """Switch phenotype at rates set by the balance of local M1 and M2 drives."""
        p = self._p
        fields = self._fields
        xy = self.xy
        c = fields["cytokine"][xy]
        t = fields["trophic"][xy]
        m1 = c / (c + p.recruit_half_cytokine) + p.myelin_m1_drive * self.load / p.load_capacity
        m2 = t / (t + p.m2_trophic_half)
        ev = self.ev_signal
        if ev > 0.0 and self.model.mechanisms.ev_anti_inflammatory:
            m2 += self.model.ev_params.m2_drive_per_au * ev
        if self.efferocytosis_h > 0.0:
            m2 += p.efferocytosis_m2_drive
        # rolls(rate), inlined
        if self.phenotype is _M1:
            if self._uniform() < -math.expm1(-(p.to_m2_per_h * m2 / (1.0 + m1)) * self._dt):
                self.phenotype = _M2
        elif self._uniform() < -math.expm1(-(p.to_m1_per_h * m1 / (1.0 + m2)) * self._dt):
            self.phenotype = _M1

    def signal(self) -> None:
        """M1: secrete cytokine (less after taking up vesicles); M2: secrete trophic factor and
        scavenge cytokine."""
        p = self._p
        xy = self.xy
        if self.phenotype is _M1:
            calming = 0.0 if self.ev_signal == 0.0 else self.ev_calming()
            rate = p.cytokine_m1_per_h / (1.0 + calming)
            if rate > 0.0:  # secrete("cytokine", rate), inlined
                self._sources["cytokine"][xy] += rate * self._dt
            return
        rate = p.trophic_m2_per_h
        if rate > 0.0:  # secrete("trophic", rate)
            self._sources["trophic"][xy] += rate * self._dt
        rate = p.cytokine_uptake_m2_per_h
        if rate > 0.0:  # take_up("cytokine", rate); the dose is not used
            self._sinks["cytokine"][xy] += rate

    def migrate(self) -> None:
        """Climb the debris gradient, or the cytokine gradient once loaded to capacity."""
        self.move_to_voxel(
            self.steepest("debris" if self.load < self._p.load_capacity else "cytokine")
        )

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Step to voxel ``xy`` (and tell the sheet)."""
        super().move_to_voxel(xy)
        self._sheet.x[self.slot], self._sheet.y[self.slot] = self.xy
