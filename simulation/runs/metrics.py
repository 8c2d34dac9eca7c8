"""What a run records: pure functions of the model, with units in every name.

The function index is an illustrative composite, not a clinical score; its weights are the
scenario's ``[outcomes]`` group (defaults in brackets):

    function_index = connectivity_weight [0.5] * connectivity
                     + muscle_weight [0.3] * muscle_recovery
                     + survival_weight [0.2] * neuron_survival

with connectivity = min(1, axons_bridged_fraction + relay_weight [0.5] * relayed_fraction) *
(unmyelinated_weight [0.5] + (1 - unmyelinated_weight) * myelinated_fraction) (bridged axons
conduct, myelinated ones conduct well; axons relayed across the lesion by graft neurons count
half, a relay being slower and less reliable) and muscle_recovery = (muscle_mass_index - floor)
/ (1 - floor), each in [0, 1].

The locomotor score is an illustrative mapping too: descending connectivity = conducting +
(1 - spared) * min(1, sprouted + connectivity), where spared is the share of the cross-section
outside the lesion (its fibres never were cut), conducting = spared / (1 + inflammation /
half-block) the part of them inflammation does not block (``outcomes.conduction_block_half_au``)
and sprouted the share of the cut fibres' targets their collaterals reach, blocked alike
(:mod:`simulation.agents.spared_fibres`), and

    bbb_score = 21 * (S(descending) - S(0)) / (S(1) - S(0)),
    S(c) = 1 / (1 + exp(-(c - outcomes.bbb_midpoint) / outcomes.bbb_width)),

0 with no descending connection and 21 with all of them, calibrated so that untreated mild,
moderate and severe spinal contusions plateau at the BBB scores Basso et al. report. It is the
spinal cord's scale; for a peripheral nerve it reads the same connectivity on the same curve.

For people the outcome is an AIS grade (ASIA Impairment Scale), recorded as a number,
A = 0 (complete), B = 1 (sensory incomplete), C = 2 and D = 3 (motor incomplete), E = 4
(normal): ``ais_grade`` counts the thresholds ``outcomes.ais_b_connectivity``, ``ais_c_...``,
``ais_d_...``, ``ais_e_...`` the descending connectivity reaches in that order (a grade needs
its own threshold and every lower one), an illustrative mapping whose A-to-B step is
calibrated to the natural conversion rate of complete injuries (see its source).

A voxel counts as scar (``scar_area_fraction``) when its CSPG
level is at least ``outcomes.scar_threshold_au``; an astrocyte counts as reactive when its
reactivity is at least ``astrocyte.scar_forming_reactivity``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from simulation.agents.astrocyte import Astrocyte
from simulation.agents.graft import STATES, GraftCluster
from simulation.agents.growth_cone import GrowthCone, regrown_um
from simulation.agents.macrophage import Macrophage, Phenotype
from simulation.agents.neuron import Neuron
from simulation.agents.neutrophil import Neutrophil
from simulation.agents.schwann import SchwannCell, SchwannState
from simulation.runs import nerve_outcomes

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel
    from simulation.tissue.neuropathy import ChronicNerve


class Metric(NamedTuple):
    """One recorded quantity."""

    units: str
    description: str
    compute: Callable[[NerveRepairModel], float]


def _live(model: NerveRepairModel, kind: type, column: str) -> np.ndarray:
    """Column ``column`` of the living cells of ``kind`` (read from its sheet, not the agents)."""
    sheet = model.sheets.get(kind)
    if sheet is None:
        return np.zeros(0)
    return getattr(sheet, column)[: sheet.n][sheet.alive[: sheet.n] != 0]


def neuron_survival_fraction(model: NerveRepairModel) -> float:
    """Share of the injured neurons still alive."""
    return _live(model, Neuron, "alive").size / model.neuron_count_initial


def neutrophils_count(model: NerveRepairModel) -> float:
    """Active (non-apoptotic) neutrophils."""
    return float(np.count_nonzero(_live(model, Neutrophil, "apoptotic") == 0))


def _macrophages(model: NerveRepairModel, phenotype: Phenotype) -> float:
    m2 = _live(model, Macrophage, "m2")
    return float(np.count_nonzero(m2 == (phenotype is Phenotype.M2)))


def _bridged(model: NerveRepairModel) -> np.ndarray:
    """Whether each living cone's tip is past the lesion (see ``GrowthCone.bridged``)."""
    tract = _live(model, GrowthCone, "in_distal_tract") != 0
    crossed = _live(model, GrowthCone, "distal_um") >= model.bridge_length_um  # a long gap's
    return (tract & crossed) | (~tract & (_live(model, GrowthCone, "x") >= model.bridge_x))


def axons_bridged_fraction(model: NerveRepairModel) -> float:
    """Share of the injured neurons whose axon tip is past the lesion."""
    return int(np.count_nonzero(_bridged(model))) / model.neuron_count_initial


def axon_length_mean_um(model: NerveRepairModel) -> float:
    """Mean regrowth along the nerve of the surviving neurons' axons (``GrowthCone.regrown_um``)."""
    x = _live(model, GrowthCone, "x")
    if x.size == 0:
        return 0.0
    regrown = regrown_um(
        x,
        _live(model, GrowthCone, "start_x"),
        _live(model, GrowthCone, "progress_um"),
        _live(model, GrowthCone, "in_distal_tract"),
        _live(model, GrowthCone, "distal_um"),
        model.dx_um,
    )
    return float(regrown.mean())


def myelinated_fraction(model: NerveRepairModel) -> float:
    """Share of the regrown axon (on the grid) that is myelinated."""
    total = float(model.axon.sum())
    return float(model.myelin.sum()) / total if total > 0 else 0.0


def muscle_recovery(model: NerveRepairModel) -> float:
    """Muscle mass index rescaled so the atrophy floor is 0 and full mass is 1."""
    floor = model.muscle.p.floor_index
    return max(0.0, (model.muscle.mass_index - floor) / (1.0 - floor)) if floor < 1 else 1.0


def relay_connections_count(model: NerveRepairModel) -> float:
    """Host axons not across the lesion themselves but reached by relaying graft neurons."""
    relayed = _live(model, GrowthCone, "relayed") != 0
    return float(np.count_nonzero(relayed & ~_bridged(model)))


def grafted_cells_alive(model: NerveRepairModel) -> float:
    """Grafted cells alive at the injury site (cells in the lungs not included)."""
    return float(_live(model, GraftCluster, "counts").sum())


def grafted_survival_fraction(model: NerveRepairModel) -> float:
    """Grafted cells alive at the site as a share of all cells delivered there."""
    delivered = model.therapy.cells_delivered
    return grafted_cells_alive(model) / delivered if delivered > 0 else 0.0


def differentiated_fraction(model: NerveRepairModel) -> float:
    """Share of living grafted cells that became neuron-like or glial cells."""
    counts = _live(model, GraftCluster, "counts")
    alive = counts.sum()
    if not alive:
        return 0.0
    return float(counts[:, [STATES.index("neurons"), STATES.index("glia")]].sum() / alive)


def connectivity(model: NerveRepairModel) -> float:
    """Regrown connectivity across the lesion (module docstring): bridged axons and half-weight
    relays, discounted where they are bare."""
    o = model.scenario.outcomes
    reach = axons_bridged_fraction(model) + o.relay_weight * relay_connections_count(model) / (
        model.neuron_count_initial
    )
    bare = o.unmyelinated_weight
    return min(1.0, reach) * (bare + (1.0 - bare) * myelinated_fraction(model))


def inflammation_mean_au(model: NerveRepairModel) -> float:
    """Mean cytokine concentration over the tissue."""
    return float(model.fields["cytokine"].mean())


def spared_fraction(model: NerveRepairModel) -> float:
    """Share of the cross-section outside the lesion: fibres that were never cut."""
    return model.spared_fraction


def descending_connectivity_fraction(model: NerveRepairModel) -> float:
    """Spared fibres that conduct, plus the cut share reconnected by their sprouted collaterals
    and by regrown connectivity across the lesion (module docstring): inflammatory mediators
    block conduction in spared axons and their collaterals, reversibly."""
    spared = spared_fraction(model)
    half = model.scenario.outcomes.conduction_block_half_au
    unblocked = 1.0 / (1.0 + inflammation_mean_au(model) / half)
    sprouted = model.spared.coverage * unblocked
    return spared * unblocked + (1.0 - spared) * min(1.0, sprouted + connectivity(model))


def bbb_score(model: NerveRepairModel) -> float:
    """The illustrative BBB locomotor score (0-21) of the module docstring."""
    o = model.scenario.outcomes

    def s(c: float) -> float:
        return 1.0 / (1.0 + math.exp(-(c - o.bbb_midpoint) / o.bbb_width))

    lo, hi = s(0.0), s(1.0)
    return 21.0 * (s(descending_connectivity_fraction(model)) - lo) / (hi - lo)


def ais_grade(model: NerveRepairModel) -> float:
    """The illustrative AIS grade (A = 0 ... E = 4) of the module docstring."""
    o = model.scenario.outcomes
    c = descending_connectivity_fraction(model)
    grade = 0
    for threshold in (
        o.ais_b_connectivity,
        o.ais_c_connectivity,
        o.ais_d_connectivity,
        o.ais_e_connectivity,
    ):
        if c < threshold:
            break  # a grade needs its own threshold and every lower one
        grade += 1
    return float(grade)


def function_index(model: NerveRepairModel) -> float:
    """The illustrative composite described in the module docstring."""
    o = model.scenario.outcomes
    return (
        o.connectivity_weight * connectivity(model)
        + o.muscle_weight * muscle_recovery(model)
        + o.survival_weight * neuron_survival_fraction(model)
    )


def scar_area_fraction(model: NerveRepairModel) -> float:
    """Share of the tissue whose CSPG level is at least ``outcomes.scar_threshold_au``."""
    return float((model.fields["scar"] >= model.scenario.outcomes.scar_threshold_au).mean())


def astrocytes_reactive_count(model: NerveRepairModel) -> float:
    """Astrocytes at least ``astrocyte.scar_forming_reactivity`` reactive (scar-forming)."""
    scar_forming = model.scenario.astrocyte.scar_forming_reactivity
    return float(np.count_nonzero(_live(model, Astrocyte, "r") >= scar_forming))


METRICS: dict[str, Metric] = {
    "neuron_survival_fraction": Metric(
        "fraction", "injured neurons still alive", neuron_survival_fraction
    ),
    "neutrophils_count": Metric("cells", "active neutrophils in the tissue", neutrophils_count),
    "macrophages_m1_count": Metric(
        "cells", "pro-inflammatory (M1) macrophages", lambda m: _macrophages(m, Phenotype.M1)
    ),
    "macrophages_m2_count": Metric(
        "cells", "pro-repair (M2) macrophages", lambda m: _macrophages(m, Phenotype.M2)
    ),
    "inflammation_mean_au": Metric("au", "mean cytokine concentration", inflammation_mean_au),
    "scar_area_fraction": Metric(
        "fraction",
        "share of tissue with CSPG scar >= outcomes.scar_threshold_au (default 0.25 au)",
        scar_area_fraction,
    ),
    "debris_remaining_fraction": Metric(
        "fraction",
        "debris left, as a share of the most there has been",
        lambda m: float(m.fields["debris"].sum()) / m.debris_peak if m.debris_peak > 0 else 0.0,
    ),
    "axons_bridged_fraction": Metric(
        "fraction", "injured neurons whose axon has crossed the lesion", axons_bridged_fraction
    ),
    "axon_length_mean_um": Metric(
        "µm", "mean regrowth along the nerve of surviving axons", axon_length_mean_um
    ),
    "myelinated_fraction": Metric(
        "fraction", "regrown axon that is myelinated", myelinated_fraction
    ),
    "schwann_repair_count": Metric(
        "cells",
        "Schwann cells in the repair state",
        lambda m: float(
            np.count_nonzero(_live(m, SchwannCell, "state") == SchwannState.REPAIR.value)
        ),
    ),
    "astrocytes_reactive_count": Metric(
        "cells", "scar-forming reactive astrocytes", astrocytes_reactive_count
    ),
    "reinnervated_fraction": Metric(
        "fraction",
        "injured neurons whose axon reached the muscle",
        lambda m: m.muscle.innervated_fraction,
    ),
    "muscle_mass_index": Metric(
        "index", "target muscle mass (1 = uninjured)", lambda m: m.muscle.mass_index
    ),
    "iv_cells_in_lungs_fraction": Metric(
        "fraction",
        "share of the cells given intravenously still trapped in the lungs",
        lambda m: m.therapy.lungs.share_trapped(),
    ),
    "grafted_cells_alive_count": Metric(
        "cells", "grafted cells alive at the injury site", grafted_cells_alive
    ),
    "grafted_survival_fraction": Metric(
        "fraction", "grafted cells alive as a share of those delivered", grafted_survival_fraction
    ),
    "differentiated_fraction": Metric(
        "fraction", "living grafted cells that became neuron-like or glial", differentiated_fraction
    ),
    "relay_connections_count": Metric(
        "axons", "host axons relayed across the lesion by graft neurons", relay_connections_count
    ),
    "tumor_events_count": Metric(
        "events",
        "transformed graft clones grown to a detectable size",
        lambda m: float(m.therapy.tumor_events),
    ),
    "ev_mean_au": Metric(
        "au",
        "mean extracellular-vesicle concentration (plain + NGF cargo)",
        lambda m: float(m.fields["ev"].mean() + m.fields["ev_ngf"].mean()),
    ),
    "function_index": Metric("index", "illustrative composite of recovery (0-1)", function_index),
    "descending_connectivity_fraction": Metric(
        "fraction",
        "spared fibres, their sprouts and regrown connectivity across the lesion",
        descending_connectivity_fraction,
    ),
    "bbb_score": Metric(
        "BBB points (0-21)",
        "illustrative locomotor score from descending connectivity",
        bbb_score,
    ),
    "ais_grade": Metric(
        "AIS grade (A=0, B=1, C=2, D=3, E=4)",
        "illustrative ASIA Impairment Scale grade from descending connectivity",
        ais_grade,
    ),
}

#: Peripheral-nerve outcomes (conduction, CMAP, SFI, who cleared the debris).
METRICS.update({name: Metric(*spec) for name, spec in nerve_outcomes.METRICS.items()})


def _nerve(model: NerveRepairModel) -> ChronicNerve:
    """The chronic neuropathy's fibres (only its runs record these metrics)."""
    if model.nerve is None:
        raise ValueError("a neuropathy metric of a run without a chronic neuropathy")
    return model.nerve


#: What a conduction study and a skin biopsy record in a chronic neuropathy
#: (:mod:`simulation.tissue.neuropathy`); only its runs have these columns.
NEUROPATHY_METRICS: dict[str, Metric] = {
    "sensory_velocity_m_per_s": Metric(
        "m/s",
        "sural-like sensory conduction velocity (0 = no response)",
        lambda m: _nerve(m).sensory_velocity_m_per_s(),
    ),
    "snap_amplitude_percent": Metric(
        "% of normal",
        "sensory nerve action potential amplitude",
        lambda m: _nerve(m).snap_amplitude_percent(),
    ),
    "distal_fibre_density_percent": Metric(
        "% of normal",
        "distal skin fibres whose endings still reach it (intraepidermal-density-like)",
        lambda m: _nerve(m).distal_fibre_density_percent(),
    ),
    "dieback_mean_mm": Metric(
        "mm", "mean distal axon length lost per fibre", lambda m: _nerve(m).dieback_mean_mm()
    ),
    "hba1c_percent": Metric("%", "glycated haemoglobin", lambda m: _nerve(m).hba1c_percent),
    "nerve_support_index": Metric(
        "index (0-1)",
        "trophic support of the distal fibres (factor, vesicles, training)",
        lambda m: _nerve(m).support,
    ),
}
METRICS.update(NEUROPATHY_METRICS)


def collect(model: NerveRepairModel) -> dict[str, float]:
    """Every metric of the model now, plus the day (neuropathy metrics only where there is a
    chronic neuropathy)."""
    row = {"day": model.day}
    for name, metric in METRICS.items():
        if model.nerve is None and name in NEUROPATHY_METRICS:
            continue
        row[name] = float(metric.compute(model))
    return row
