"""Therapies as scheduled events that deliver cells, vesicles, an enzyme, a scaffold or training.

An event only *delivers*; every effect then comes from the biology of the delivered things
(graft clusters, EV fields, scar digestion, guidance, training-dependent rates), each behind a
switch in ``scenario.mechanisms``. :class:`TherapyState` holds what is in force at a given hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulation.agents.graft import GraftCluster, GraftSource, LungDepot
from simulation.scenario.neuropathy_params import Chemotherapy, GlucoseControl
from simulation.scenario.schema import MM2_PER_UM2
from simulation.scenario.therapy_params import (
    CellTransplant,
    Chondroitinase,
    EVTherapy,
    Rehabilitation,
    Scaffold,
)

if TYPE_CHECKING:
    from simulation.scenario.schema import Scenario
    from simulation.tissue.model import NerveRepairModel


@dataclass
class TherapyState:
    """Treatments in force: drugs, enzyme, training, scaffold, cells in the lungs."""

    immunosuppressed_until_h: float = -math.inf
    #: Chondroitinase ABC doses: (hour given, activity half-life in h, where it reached).
    chabc_doses: list[tuple[float, float, np.ndarray]] = field(default_factory=list)
    rehab_from_h: float = math.inf
    rehab_until_h: float = math.inf
    rehab_level: float = 0.0
    scaffold: np.ndarray | None = None
    lungs: LungDepot = field(default_factory=LungDepot)
    cells_delivered: float = 0.0
    tumor_events: int = 0

    def immunosuppressed(self, hours: float) -> bool:
        """Immunosuppressive drugs are being given."""
        return hours < self.immunosuppressed_until_h

    def chabc_activity(self, hours: float) -> list[tuple[float, np.ndarray]]:
        """Each chondroitinase dose still active: (activity, 1 when fresh, where it reached).

        A dose whose activity has fallen below 0.1 % is forgotten.
        """
        live = [dose for dose in self.chabc_doses if 0.5 ** ((hours - dose[0]) / dose[1]) > 1e-3]
        self.chabc_doses = live
        return [(0.5 ** ((hours - t0) / half_life), where) for t0, half_life, where in live]

    def rehab(self, hours: float) -> float:
        """Effective training level now (0 before training starts)."""
        return self.rehab_level if self.rehab_from_h <= hours < self.rehab_until_h else 0.0


@dataclass(order=True)
class Event:
    """A delivery at a given hour; ``order`` keeps same-hour events in scenario order."""

    hour: float
    order: int
    intervention: object = field(compare=False)
    dose_index: int = field(default=0, compare=False)


def schedule(scenario: Scenario) -> list[Event]:
    """Every delivery of every intervention, in time order."""
    events = []
    for k, item in enumerate(scenario.interventions):
        days = item.dose_days() if hasattr(item, "dose_days") else [item.day]
        for i, day in enumerate(days):
            events.append(Event(day * 24.0, k, item, i))
    return sorted(events)


def deliver(model: NerveRepairModel, event: Event) -> None:
    """Carry out one delivery."""
    item = event.intervention
    if isinstance(item, CellTransplant):
        _transplant(model, item, first=event.dose_index == 0)
    elif isinstance(item, EVTherapy):
        _inject_vesicles(model, item)
    elif isinstance(item, Chondroitinase):
        where = _around_lesion(model, item.spread_um)
        model.therapy.chabc_doses.append((model.hours, item.half_life_h, where))
    elif isinstance(item, Rehabilitation):
        general = model.scenario.adjuncts.rehab_general_factor
        model.therapy.rehab_from_h = model.hours
        model.therapy.rehab_until_h = model.hours + item.duration_days * 24.0
        model.therapy.rehab_level = item.intensity * (1.0 if item.task_specific else general)
    elif isinstance(item, Scaffold):
        _place_scaffold(model)
    elif isinstance(item, GlucoseControl) and model.nerve is not None:
        model.nerve.control_glucose(item.target_hba1c_percent)
    elif isinstance(item, Chemotherapy) and model.nerve is not None:
        model.nerve.dose_drug(item.drug, item.dose_mg_per_m2)


def _lesion_voxels(model: NerveRepairModel) -> np.ndarray:
    xs, ys = np.nonzero(model.lesion_mask)
    if len(xs) == 0:  # a sandbox or a lesion-free grid: use the middle of the tissue
        return np.array([[model.width // 2, model.height // 2]])
    return np.stack([xs, ys], axis=1)


def _around_lesion(model: NerveRepairModel, spread_um: float) -> np.ndarray:
    """The lesion and the tissue within ``spread_um`` of it (the middle of a lesion-free
    sandbox)."""
    mask = model.lesion_mask
    if not mask.any():
        mask = np.zeros_like(mask)
        mask[model.width // 2, model.height // 2] = True
    reach = round(spread_um / model.dx_um)
    xs, ys = np.nonzero(mask)
    out = np.zeros_like(mask)
    out[
        max(0, xs.min() - reach) : xs.max() + reach + 1,
        max(0, ys.min() - reach) : ys.max() + reach + 1,
    ] = True
    return out


def _place_scaffold(model: NerveRepairModel) -> None:
    model.therapy.scaffold = model.lesion_mask.copy()


def _transplant(model: NerveRepairModel, item: CellTransplant, first: bool) -> None:
    tp = model.scenario.transplant
    if first and item.immunosuppression_days > 0:
        model.therapy.immunosuppressed_until_h = max(
            model.therapy.immunosuppressed_until_h,
            model.hours + item.immunosuppression_days * 24.0,
        )
    if item.scaffold and model.therapy.scaffold is None:
        _place_scaffold(model)
    sources = {
        "ipsc_npc": [(GraftSource.NPC, 1.0)],
        "msc": [(GraftSource.MSC, 1.0)],
        "nsc_msc": [(GraftSource.NPC, 0.5), (GraftSource.MSC, 0.5)],
    }[item.source]
    for source, share in sources:
        cells = item.dose_cells * share
        if item.route == "iv":
            model.therapy.lungs.given += cells
            model.therapy.lungs.receive(source, cells * (1.0 - tp.iv_homing_fraction))
            cells *= tp.iv_homing_fraction
        _seed_clusters(model, source, cells, item, iv=item.route == "iv")


def _seed_clusters(
    model: NerveRepairModel, source: GraftSource, cells: float, item: CellTransplant, iv: bool
) -> None:
    """Place ``cells`` as clusters spread over the lesion."""
    tp = model.scenario.transplant
    if not iv:
        cells *= model.dose_share
    if cells < 1.0:
        return
    n_clusters = max(1, math.ceil(cells / tp.cells_per_cluster))
    voxels = _lesion_voxels(model)
    rng = model.streams.generator("graft placement", model.tick)
    picks = rng.integers(0, len(voxels), size=n_clusters)
    per_cluster = round(cells / n_clusters)
    undiff = item.undifferentiated_fraction if source is GraftSource.NPC else 0.0
    for idx in picks.tolist():
        xy = (int(voxels[idx, 0]), int(voxels[idx, 1]))
        GraftCluster(model, xy, tp, source, per_cluster, undiff, iv=iv)
    model.therapy.cells_delivered += per_cluster * n_clusters


def _inject_vesicles(model: NerveRepairModel, item: EVTherapy) -> None:
    """A bolus: the dose (as concentration x area) spreads over the lesion at once."""
    ev = model.scenario.ev
    amount_au_um2 = item.dose_particles / 1e9 * ev.au_mm2_per_1e9_particles / MM2_PER_UM2
    concentration = amount_au_um2 / model.lesion_area_um2
    if item.route == "iv":
        concentration *= ev.iv_lesion_fraction
    else:
        concentration *= model.dose_share
    target = model.fields["ev_ngf" if item.cargo == "ngf" else "ev"]
    if model.lesion_mask.any():
        target[model.lesion_mask] += concentration  # a bolus: an instant change of state
    else:
        target += concentration
