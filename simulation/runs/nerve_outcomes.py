"""Peripheral-nerve outcomes: what a nerve conduction study, a gait analysis and a count of who
cleared the debris would report (pure functions of the model).

- ``conduction_velocity_m_per_s``: the motor conduction velocity a study reads from the fibres
  that conduct past the recording site (the muscle): the regrown axons that reached it, and the
  spared fibres of a partial injury (normal myelin). A regrown fibre's myelin quality is
  ``conduction.remyelinated_quality`` times the myelinated share of its regrown length: on the
  grid the ``myelin`` / ``axon`` layers along the voxels it grew through (the stretch across
  the injury), beyond it the 1-D stretch's share (:mod:`simulation.tissue.distal_myelin`),
  weighted by length. 0 when no fibre conducts (no response). The rule is
  :mod:`simulation.agents.mechanisms.conduction`.
- ``cmap_amplitude_percent``: the compound muscle action potential,
  :func:`~simulation.agents.mechanisms.conduction.cmap_percent` of the innervated share (spared
  plus reinnervated) and the muscle mass index.
- ``sfi_score``: a sciatic-functional-index-like gait score, 0 normal and
  ``-outcomes.sfi_complete_loss_points`` (about -100) for a complete loss (Bain, Mackinnon &
  Hunter 1989; de Medinaceli et al. 1982). An illustrative mapping, not a footprint analysis:
  ``sfi = -loss * (1 - innervated * (1 - w + w * muscle_recovery))`` with
  ``w = outcomes.sfi_muscle_weight``: the toes spread and the foot pushes off only where motor
  axons reach the muscle, and only as strongly as the muscle has recovered.

These read a peripheral nerve and its target muscle. A spinal cord injury does not denervate the
muscle (its lower motor neurons are intact) and is not followed by nerve conduction studies or
the SFI but by a locomotor score (``bbb_score``): in a spinal run they are nan.

``schwann_clearance_share_fraction`` is Schwann cells' share of all the debris eaten so far
(Schwann cells and macrophages, :mod:`simulation.tissue.clearance`): Schwann cells clear myelin
themselves in the first days, macrophages join (Gaudet et al. 2011; Jessen & Mirsky 2016).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.agents.growth_cone import GrowthCone
from simulation.agents.mechanisms import conduction

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


def fibre_myelin_quality(model: NerveRepairModel) -> np.ndarray:
    """Myelin quality (0 bare .. 1 normal) of each regrown axon that reached the muscle."""
    sheet = model.sheets.get(GrowthCone)
    if sheet is None or sheet.n == 0:
        return np.zeros(0)
    n = sheet.n
    rows = np.flatnonzero((sheet.alive[:n] != 0) & (sheet.arrived[:n] != 0))
    if rows.size == 0:
        return np.zeros(0)
    axon = model.axon
    share = np.divide(model.myelin, axon, out=np.zeros_like(axon), where=axon > 0)
    length = sheet.path_len[rows]
    width = max(1, int(length.max()))
    on_path = np.arange(width)[None, :] < length[:, None]
    xs = np.where(on_path, sheet.path_x[rows, :width], 0)
    ys = np.where(on_path, sheet.path_y[rows, :width], 0)
    wrapped = np.where(on_path, np.clip(share[xs, ys], 0.0, 1.0), 0.0).sum(axis=1)
    # beyond the grid: the 1-D stretch (:mod:`simulation.tissue.distal_myelin`), by length
    grid_um = length * model.dx_um
    tract_um = sheet.distal_um[rows]
    tract = model.distal_myelin.shares(rows)
    total_um = grid_um + tract_um
    quality = np.divide(
        wrapped * model.dx_um + tract * tract_um,
        total_um,
        out=np.zeros(rows.size),
        where=total_um > 0,
    )
    return model.scenario.conduction.remyelinated_quality * quality


def conduction_velocity_m_per_s(model: NerveRepairModel) -> float:
    """Motor conduction velocity (module docstring); 0 with no response, nan in a spinal run."""
    if model.is_spinal:
        return math.nan
    p = model.scenario.conduction
    regrown = conduction.fibre_velocity_m_per_s(fibre_myelin_quality(model), p)
    spared = model.spared_fraction
    n_spared = round(spared / (1.0 - spared) * model.neuron_count_initial) if spared < 1 else 0
    intact = conduction.fibre_velocity_m_per_s(np.ones(n_spared), p)
    return conduction.conduction_velocity_m_per_s(np.concatenate([regrown, intact]), p)


def innervated_share(model: NerveRepairModel) -> float:
    """Share of the nerve's motor axons that reach the muscle: spared plus reinnervated."""
    spared = model.spared_fraction
    return spared + (1.0 - spared) * model.muscle.innervated_fraction


def cmap_amplitude_percent(model: NerveRepairModel) -> float:
    """CMAP amplitude, % of normal (module docstring); nan in a spinal run."""
    if model.is_spinal:
        return math.nan
    return conduction.cmap_percent(innervated_share(model), model.muscle.mass_index)


def sfi_score(model: NerveRepairModel) -> float:
    """The illustrative SFI-like gait score (module docstring); nan in a spinal run."""
    if model.is_spinal:
        return math.nan
    o = model.scenario.outcomes
    p = model.muscle.p
    recovery = (model.muscle.mass_index - p.floor_index) / (1.0 - p.floor_index)
    recovery = min(1.0, max(0.0, recovery)) if p.floor_index < 1 else 1.0
    w = o.sfi_muscle_weight
    motor = innervated_share(model) * (1.0 - w + w * recovery)
    return -o.sfi_complete_loss_points * (1.0 - motor)


def schwann_clearance_share_fraction(model: NerveRepairModel) -> float:
    """Schwann cells' share of the debris eaten so far (0 before any was eaten)."""
    return model.clearance.schwann_share()


def schwann_distal_clearance_share_fraction(model: NerveRepairModel) -> float:
    """Schwann cells' share of the debris eaten so far in the distal stump, where Wallerian
    degeneration lays myelin debris (0 before any was eaten there)."""
    return model.clearance.schwann_share(distal=True)


def pain_sensitization_index(model: NerveRepairModel) -> float:
    """Sensitization of the sensory fibres by NGF (:mod:`simulation.tissue.pain`); nan in a
    spinal run."""
    return math.nan if model.is_spinal else model.pain.index


#: The metrics that do not apply to a spinal cord injury (nan in a spinal run).
NOT_FOR_SPINAL = (
    "conduction_velocity_m_per_s",
    "cmap_amplitude_percent",
    "sfi_score",
    "pain_sensitization_index",
)


#: (units, description, compute) of each metric, for :data:`simulation.runs.metrics.METRICS`.
METRICS: dict[str, tuple[str, str, Any]] = {
    "conduction_velocity_m_per_s": (
        "m/s",
        "motor conduction velocity of the fibres reaching the muscle (0 no response; nan spinal)",
        conduction_velocity_m_per_s,
    ),
    "cmap_amplitude_percent": (
        "% of normal",
        "compound muscle action potential: innervated share x muscle mass (nan spinal)",
        cmap_amplitude_percent,
    ),
    "sfi_score": (
        "SFI points",
        "illustrative sciatic functional index: 0 normal, about -100 complete loss (nan spinal)",
        sfi_score,
    ),
    "schwann_clearance_share_fraction": (
        "fraction",
        "Schwann cells' share of the debris eaten so far (Schwann cells + macrophages)",
        schwann_clearance_share_fraction,
    ),
    "schwann_distal_clearance_share_fraction": (
        "fraction",
        "Schwann cells' share of the debris eaten so far in the distal stump",
        schwann_distal_clearance_share_fraction,
    ),
    "pain_sensitization_index": (
        "index (0-1)",
        "illustrative sensitization of sensory fibres by NGF around them (nan spinal)",
        pain_sensitization_index,
    ),
}
