"""Extracellular vesicles (EVs): how every cell type takes them up and what they do to it.

Vesicles act only once a cell takes them up. A cell keeps two fading signals in its sheet:
``ev`` (all vesicles taken up) and ``ngf`` (the part that carried the NGF gene). Each tick the
signals fade (``ev.response_fade_per_h``, ``ev.ngf_expression_decay_per_h``) and the cell takes
up a first-order share of the vesicles in its voxel (its type's uptake rate), which leaves the
field through the uptake buffers. What the signal does depends on the cell, and each effect has
its switch in ``[mechanisms]``:

- macrophages: pushed toward M2 and their M1 cytokine damped (``ev_anti_inflammatory``);
- neurons (through their axon tip): trophic-equivalent support (``ev_neuroprotection``);
- Schwann cells and oligodendrocytes: faster myelination (``ev_remyelination``);
- any cell with NGF cargo: secretes NGF as trophic factor (``ev_ngf_cargo``).

The functions are compiled with Numba and called from every cell type's kernel; :func:`knobs`
packs what they need of the model into one array per tick.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.engine.compiled import rule
from simulation.engine.sheet import Column
from simulation.fields.kernels import territory_mean

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel

#: Positions in the array :func:`knobs` returns.
(
    DT,
    ACTIVE,
    EV_KEEP,
    NGF_KEEP,
    NGF_CARGO_ON,
    NGF_TROPHIC_PER_AU_H,
    ANTI_INFLAMMATORY_ON,
    SUPPRESSION_PER_AU,
    M2_DRIVE_PER_AU,
    NEUROPROTECTION_ON,
    NEUROPROTECTION_PER_AU,
    REMYELINATION_ON,
    MYELINATION_BOOST_PER_AU,
    MACROPHAGE_UPTAKE_PER_H,
    NEURON_UPTAKE_PER_H,
    GLIA_UPTAKE_PER_H,
    M2_DRIVE_MAX,
) = range(17)

#: A signal below this (au) is dropped to exactly zero, so idle cells skip the vesicle rules.
NEGLIGIBLE_AU = 1e-9
#: A field below this (au) everywhere counts as no vesicles present this tick.
PRESENT_AU = 1e-6


#: The sheet columns of a cell type that takes up vesicles: its two fading signals (au).
SHEET_COLUMNS: dict[str, tuple[Any, float, int]] = {
    "ev": (np.float64, 0.0, 0),
    "ngf": (np.float64, 0.0, 0),
}


class TakesUpVesicles:
    """The agent attributes of a cell type that takes up vesicles (its sheet has
    :data:`SHEET_COLUMNS`)."""

    ev_signal = Column("ev", "Extracellular vesicles taken up, fading (au).")
    ngf_signal = Column("ngf", "The part of ``ev_signal`` that carried the NGF gene (au).")


def knobs(model: NerveRepairModel) -> np.ndarray:
    """What the vesicle rules need of ``model`` this tick, as one float array."""
    ev, on, dt = model.scenario.ev, model.scenario.mechanisms, model.dt_h
    return np.array(
        [
            dt,
            float(model.ev_active),
            math.exp(-ev.response_fade_per_h * dt),
            math.exp(-ev.ngf_expression_decay_per_h * dt),
            float(on.ev_ngf_cargo),
            ev.ngf_trophic_per_au_h,
            float(on.ev_anti_inflammatory),
            ev.cytokine_suppression_per_au,
            ev.m2_drive_per_au,
            float(on.ev_neuroprotection),
            ev.neuroprotection_per_au,
            float(on.ev_remyelination),
            ev.myelination_boost_per_au,
            ev.macrophage_uptake_per_h,
            ev.neuron_uptake_per_h,
            ev.glia_uptake_per_h,
            ev.m2_drive_max,
        ]
    )


def present(model: NerveRepairModel) -> bool:
    """Whether there are vesicles anywhere in the tissue this tick."""
    f = model.fields
    return bool(f["ev"].max() > PRESENT_AU or f["ev_ngf"].max() > PRESENT_AU)


@rule
def absorb(s, x, y, ev, ngf, ev_field, ngf_field, ev_sink, ngf_sink, uptake_per_h, k,
           territory, weight=1.0):  # fmt: skip
    """Cell ``s`` in voxel ``(x, y)``: its signals fade, then it takes up vesicles at first-order
    ``uptake_per_h`` (plain and NGF-cargo alike) from its territory (``territory``: the share
    of each voxel it covers); the uptake leaves the fields via the sinks. An agent standing for
    ``weight`` cells (axon tips) takes up ``weight`` times as much from the field; its signal
    is each cell's."""
    e = ev[s]
    g = ngf[s]
    active = k[ACTIVE] != 0.0
    if e == 0.0 and g == 0.0 and not active:
        return
    e *= k[EV_KEEP]
    g *= k[NGF_KEEP]
    if active and uptake_per_h > 0.0:
        share = -math.expm1(-uptake_per_h * k[DT])
        ev_sink[x, y] += uptake_per_h * weight
        ngf_sink[x, y] += uptake_per_h * weight
        cargo = territory_mean(ngf_field, x, y, territory) * share
        e += territory_mean(ev_field, x, y, territory) * share + cargo
        g += cargo
    if e < NEGLIGIBLE_AU and g < NEGLIGIBLE_AU:
        e = 0.0
        g = 0.0
    ev[s] = e
    ngf[s] = g


@rule
def ngf_secretion_per_h(ngf_signal, k):
    """NGF (trophic au/h) a cell makes from the NGF gene it took up (0 with the switch off)."""
    if ngf_signal > 0.0 and k[NGF_CARGO_ON] != 0.0:
        return k[NGF_TROPHIC_PER_AU_H] * ngf_signal
    return 0.0


@rule
def m2_drive(ev_signal, k):
    """Extra M2 drive on a macrophage from the vesicles it took up: ``m2_drive_per_au`` per
    unit of signal while the signal is small, saturating at ``m2_drive_max`` (the cue acts
    through receptors and pathways a cell has only so many of)."""
    if ev_signal > 0.0 and k[ANTI_INFLAMMATORY_ON] != 0.0:
        linear = k[M2_DRIVE_PER_AU] * ev_signal
        return linear / (1.0 + linear / k[M2_DRIVE_MAX])
    return 0.0


@rule
def calming(ev_signal, k):
    """How much the vesicles a macrophage took up damp its M1 cytokine output (divisor - 1)."""
    if ev_signal != 0.0 and k[ANTI_INFLAMMATORY_ON] != 0.0:
        return k[SUPPRESSION_PER_AU] * ev_signal
    return 0.0


@rule
def neuroprotection(ev_signal, k):
    """Trophic-equivalent support a neuron gets from vesicles taken up at its axon tip."""
    if ev_signal > 0.0 and k[NEUROPROTECTION_ON] != 0.0:
        return k[NEUROPROTECTION_PER_AU] * ev_signal
    return 0.0


@rule
def myelination_boost(ev_signal, k):
    """Multiplier of a glial cell's myelination from the vesicles it took up."""
    if ev_signal != 0.0 and k[REMYELINATION_ON] != 0.0:
        return 1.0 + k[MYELINATION_BOOST_PER_AU] * ev_signal
    return 1.0
