"""The scenario: one validated schema for every tunable number of a NerveSim run.

Every number has units in its name, a default, an allowed range and a one-line description
(the dashboard and ``nervesim show-params`` show them). Unknown keys are errors. Scenarios are
TOML files; a file may name a ``base`` scenario (path relative to itself) and override a few keys.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from simulation.scenario.base import Choice, Flag, P, Params
from simulation.scenario.errors import (
    ScenarioError,
    describe,
    first_error,
    shown_key,
    shown_path,
    shown_value,
)
from simulation.scenario.neuropathy_params import NeuropathyParams
from simulation.scenario.therapy_params import (
    EV_CLEARANCE_HALF_LIFE_H,
    INTERVENTION_TYPES,
    AdjunctParams,
    EVParams,
    Intervention,
    MechanismSwitches,
    TransplantParams,
)
from simulation.scenario.toml_io import checked_path, parse_toml, read_toml

#: ln 2: a first-order rate k has half-life ln 2 / k.
LN2 = math.log(2.0)


# ------------------------------------------------------------------------------------ units
#: A cell's territory, µm²: the patch of tissue one cell secretes into and takes up from. Every
#: per-cell secretion (au/h) and uptake (1/h) in the schema is over this area, so what a cell
#: adds to or removes from the tissue does not depend on the voxel size: in a voxel of area A it
#: changes the concentration by its rate x territory / A (see
#: :class:`simulation.fields.FieldSet`). A unit, not a tunable: 25 µm square, about one cell
#: body and its near processes (assumed).
CELL_TERRITORY_UM2 = 625.0
#: mm² per µm².
MM2_PER_UM2 = 1e-6

# ------------------------------------------------------------------------------------ world
#: Sources used more than once.
_GAUDET = "Gaudet, Popovich & Ramer 2011, J Neuroinflammation 8:110"
_NUMERICS = "assumed (model resolution)"


class GridParams(Params):
    """The tissue slice: x runs along the nerve (proximal to distal), y across it."""

    width_voxels: int = P(
        100, 30, 400, "voxels", "voxels along the nerve (proximal to distal)", source=_NUMERICS
    )
    height_voxels: int = P(30, 8, 200, "voxels", "voxels across the nerve", source=_NUMERICS)
    dx_um: float = P(25.0, 5.0, 100.0, "µm", "voxel edge length", source=_NUMERICS)


class TimeParams(Params):
    """The clock."""

    dt_h: float = P(1.0, 0.25, 6.0, "h", "model tick", source=_NUMERICS)
    duration_days: float = P(
        84.0, 1.0, 365.0, "days", "simulated time after injury", source="assumed"
    )
    record_every_h: float = P(
        6.0, 1.0, 168.0, "h", "interval between recorded metric rows", source="assumed"
    )
    snapshot_every_days: float = P(
        7.0, 1.0, 84.0, "days", "interval between field snapshots", source="assumed"
    )


class InjuryParams(Params):
    """Where and how badly the tissue is hurt."""

    type: Literal["spinal_cord", "peripheral", "neuropathy"] = Choice(
        "spinal_cord",
        "spinal cord (CNS) or peripheral nerve (PNS) injury, or chronic neuropathy",
        source="assumed",
    )
    peripheral_kind: Literal["crush", "transection"] = Choice(
        "crush",
        "peripheral only: crush keeps the Schwann tubes, transection leaves a gap",
        source="assumed",
    )
    severity: float = P(
        0.8, 0.1, 1.0, "fraction", "share of the cross-section destroyed", source="assumed"
    )
    severity_sd: float = P(
        0.0,
        0.0,
        0.3,
        "fraction",
        "spread of the share destroyed between virtual patients (sd around severity)",
        source=(
            "assumed; people graded alike differ in how much cord the lesion spares, and the "
            "width of the spared tissue bridges predicts who recovers a grade: Pfyffer et al. "
            "2019, Neurology 93:e1550; Pfyffer et al. 2021, Neurorehabil Neural Repair 35:33"
        ),
    )
    lesion_length_um: float = P(
        500.0,
        50.0,
        3000.0,
        "µm",
        "lesion length along the nerve (the gap for a transection)",
        source="assumed",
    )
    lesion_start_fraction: float = P(
        0.35,
        0.15,
        0.6,
        "fraction",
        "where the lesion starts, as a fraction of the grid length",
        source="assumed",
    )
    bridge_margin_um: float = P(
        100.0,
        0.0,
        1000.0,
        "µm",
        "distance past the lesion an axon must reach to count as bridged",
        source="assumed",
    )
    distal_path_um: float = P(
        8000.0,
        0.0,
        100000.0,
        "µm",
        "path from the grid's distal edge to the target muscle",
        source="assumed",
    )
    gap_length_um: float = P(
        0.0,
        0.0,
        50000.0,
        "µm",
        "transection: whole gap between the stumps, its part past the grid a 1-D bridge (0: none)",
        source="assumed (a reduced representation); rat sciatic gaps of 6-20 mm: Lundborg et "
        "al. 1982, J Neuropathol Exp Neurol 41:412 and Exp Neurol 76:361",
    )
    repair: Literal["none", "hollow_tube", "filled_conduit", "autograft"] = Choice(
        "none",
        "how a long gap is repaired: left open, hollow tube, matrix-filled conduit or autograft",
        source="Lundborg et al. 1982 (silicone tubes); Jessen & Mirsky 2016, J Physiol "
        "594:3521 and PMC6103750 (autografts and engineered conduits for long gaps)",
    )
    repair_day: float = P(
        0.0,
        0.0,
        365.0,
        "day",
        "day after injury the gap is repaired (until then the stumps are apart)",
        source="assumed; delayed repair: Fu & Gordon 1995, J Neurosci 15:3886; Kobayashi et "
        "al. 1997, Muscle Nerve 20:858",
    )


class HostParams(Params):
    """Host conditions that change rates (never outcomes directly)."""

    age_years: float = P(30.0, 1.0, 100.0, "years", "patient age", source="assumed")
    diabetic: bool = Flag(
        False, "diabetes: low-grade inflammation, weaker Schwann support", source="assumed"
    )
    chemotherapy_exposed: bool = Flag(
        False, "prior neurotoxic chemotherapy: stressed neurons", source="assumed"
    )
    age_growth_loss_per_decade: float = P(
        0.06,
        0.0,
        0.3,
        "fraction/decade",
        "axon growth speed lost per decade beyond 30 years",
        source="assumed",
    )
    diabetic_cytokine_per_h: float = P(
        0.004,
        0.0,
        0.1,
        "au/h",
        "baseline cytokine source everywhere in a diabetic host (concentration per hour)",
        source="assumed",
    )
    diabetic_schwann_factor: float = P(
        0.6,
        0.1,
        1.0,
        "factor",
        "Schwann trophic secretion and capacity in a diabetic host",
        source="assumed",
    )
    diabetic_recruitment_factor: float = P(
        0.7,
        0.1,
        1.0,
        "factor",
        "macrophage recruitment in a diabetic host (poor blood supply)",
        source="assumed",
    )
    chemo_neuron_stress: float = P(
        0.3,
        0.0,
        2.0,
        "au",
        "extra stress on every neuron after neurotoxic chemotherapy",
        source="assumed",
    )
    hba1c_percent: float = P(
        5.4,
        4.0,
        14.0,
        "%",
        "glycated haemoglobin at day 0 (drives chronic neuropathy; normal < 5.7, diabetes >= 6.5)",
        source="American Diabetes Association 2010, Diabetes Care 33:S62",
    )


class TissueParams(Params):
    """Properties of the tissue type (CNS or PNS), chosen by the injury type.

    The group is used twice with different defaults (``cns`` and ``pns``); the source of each
    of those defaults is in :data:`INSTANCE_SOURCES`, the sources here are of the class defaults.
    """

    intrinsic_growth: float = P(
        1.0, 0.0, 1.0, "factor", "neurons' intrinsic axon growth capacity", source="assumed"
    )
    lesion_debris_au: float = P(
        1.0, 0.0, 5.0, "au", "debris concentration left in the lesion at injury", source="assumed"
    )
    wallerian_debris_au: float = P(
        0.5,
        0.0,
        5.0,
        "au",
        "myelin debris concentration from degenerating distal axons",
        source="assumed",
    )
    wallerian_duration_h: float = P(
        48.0, 1.0, 240.0, "h", "time over which distal axons fragment", source=_GAUDET
    )
    debris_damp_per_h: float = P(
        1.0,
        0.0,
        20.0,
        "au/h",
        "DAMP (cytokine) release per unit of fresh necrotic debris",
        source="assumed",
    )
    damp_half_life_h: float = P(
        18.0, 1.0, 200.0, "h", "half-life of DAMP release after injury", source="assumed"
    )
    distal_growth_factor: float = P(
        1.0,
        0.0,
        1.0,
        "factor",
        "axon growth in the distal tract relative to the model grid",
        source="assumed",
    )
    white_matter_inhibitors_au: float = P(
        0.0,
        0.0,
        10.0,
        "au",
        "myelin inhibitors (Nogo, MAG, OMgp) of intact white matter, as myelin debris units",
        source="assumed",
    )
    lesion_core_substrate: float = P(
        1.0,
        0.0,
        1.0,
        "factor",
        "growth a lesion core without a bridge supports, relative to a permissive substrate",
        source="assumed",
    )


def _cns_tissue() -> TissueParams:
    return TissueParams(
        intrinsic_growth=0.118,
        lesion_debris_au=1.5,
        wallerian_debris_au=0.6,
        wallerian_duration_h=96.0,
        debris_damp_per_h=1.5,
        damp_half_life_h=24.0,
        distal_growth_factor=0.15,
        white_matter_inhibitors_au=1.7,
        lesion_core_substrate=0.1,
    )


def _pns_tissue() -> TissueParams:
    return TissueParams(
        intrinsic_growth=1.0,
        lesion_debris_au=0.8,
        wallerian_debris_au=0.5,
        wallerian_duration_h=48.0,
        debris_damp_per_h=1.0,
        damp_half_life_h=18.0,
        distal_growth_factor=1.0,
    )


class FieldParams(Params):
    """Transport of one chemical field (defaults per field, sourced in :data:`INSTANCE_SOURCES`)."""

    diffusion_um2_per_h: float = P(
        0.0, 0.0, 1.0e6, "µm²/h", "diffusion coefficient", source="assumed"
    )
    decay_per_h: float = P(
        0.0, 0.0, 20.0, "1/h", "first-order decay or clearance rate", source="assumed"
    )


class VesicleFieldParams(Params):
    """Transport of a field of extracellular vesicles.

    Their clearance is set in one place for both vesicle fields, as a half-life:
    ``ev.clearance_half_life_h``. ``decay_per_h`` (ln 2 / that half-life) is derived by the
    scenario; it is read like any field's rate but is not a key of its own.
    """

    diffusion_um2_per_h: float = P(
        0.0, 0.0, 1.0e6, "µm²/h", "diffusion coefficient", source="assumed"
    )
    _decay_per_h: float = PrivateAttr(default=LN2 / EV_CLEARANCE_HALF_LIFE_H)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def decay_per_h(self) -> float:
        """First-order clearance rate, 1/h: ln 2 / ``ev.clearance_half_life_h``."""
        return self._decay_per_h

    def cleared_at(self, half_life_h: float) -> VesicleFieldParams:
        """A copy that clears with ``half_life_h`` (hours)."""
        copy = self.model_copy()
        copy._decay_per_h = LN2 / half_life_h
        return copy


#: Keys that are gone, and what replaced each (a file naming one gets this one-line pointer).
_VESICLE_CLEARANCE = "ev.clearance_half_life_h (h; both vesicle fields clear at ln 2 / it)"
_PER_MM2 = "cells/mm²; 1 cell per 25 µm voxel is 1600 /mm²"
MOVED_KEYS = {
    "fields.ev.decay_per_h": _VESICLE_CLEARANCE,
    "fields.ev_ngf.decay_per_h": _VESICLE_CLEARANCE,
    **{
        f"{group}.{old}": f"{group}.{new}"
        for group in ("cns", "pns")
        for old, new in (
            ("lesion_debris_per_voxel", "lesion_debris_au (au)"),
            ("wallerian_debris_per_voxel", "wallerian_debris_au (au)"),
        )
    },
    **{
        f"{group}.density_per_voxel": f"{group}.density_per_mm2 ({_PER_MM2})"
        for group in ("astrocyte", "oligodendrocyte", "schwann")
    },
    **{
        f"{group}.max_per_voxel": f"{group}.max_per_mm2 ({_PER_MM2})"
        for group in ("astrocyte", "schwann")
    },
    **{
        f"{group}.recruit_per_h": f"{group}.recruit_per_mm2_per_h (cells/mm²/h)"
        for group in ("neutrophil", "macrophage")
    },
    **{
        f"{group}.migrate_per_h": f"{group}.speed_um_per_h (µm/h; one move an hour is 25 µm/h)"
        for group in ("neutrophil", "macrophage", "astrocyte", "schwann")
    },
    "schwann.internode_voxels": "schwann.internode_um (µm)",
    "ev.lesion_au_per_1e9_particles": (
        "ev.au_mm2_per_1e9_particles (au·mm²: the dose spreads over the lesion)"
    ),
    "interventions.chondroitinase.active_days": (
        "half_life_h (h: the enzyme's activity halves every half_life_h) and spread_um"
    ),
}
#: Derived values in :meth:`Scenario.to_dict` output that are not keys (left out of it).
_DERIVED = {"fields": {"ev": {"decay_per_h"}, "ev_ngf": {"decay_per_h"}}}


class FieldsParams(Params):
    """The chemical fields. Concentrations are in arbitrary units (au)."""

    cytokine: FieldParams = FieldParams(diffusion_um2_per_h=3.6e4, decay_per_h=0.5)
    trophic: FieldParams = FieldParams(diffusion_um2_per_h=1.0e5, decay_per_h=0.46)
    ev: VesicleFieldParams = VesicleFieldParams(diffusion_um2_per_h=1.8e4)
    ev_ngf: VesicleFieldParams = VesicleFieldParams(diffusion_um2_per_h=1.8e4)
    debris: FieldParams = FieldParams(diffusion_um2_per_h=0.0, decay_per_h=0.0)
    scar: FieldParams = FieldParams(diffusion_um2_per_h=0.0, decay_per_h=0.0001)


#: Sources of the defaults of groups used more than once with different defaults (the tissue
#: groups ``cns`` and ``pns``, the fields), by dotted key; they replace the class's source.
_ROUGH = "assumed; order of magnitude from rough literature values"
_ANDERSON = "Anderson et al. 2016, Nature 532:195"
INSTANCE_SOURCES: dict[str, str] = {
    "cns.intrinsic_growth": (
        f"assumed; CNS neurons' low intrinsic growth: {_ANDERSON}; 0.118 of the top cone speed "
        "(set to keep the CNS cone's top speed at 14.75 µm/h, 0.35 x 42, when the top speed "
        "rose to 125 µm/h for the PNS anchor; 12.9 µm/h at the calibrated 109)"
    ),
    "cns.lesion_debris_au": "assumed",
    "cns.wallerian_debris_au": "assumed",
    "cns.wallerian_duration_h": "assumed (twice the PNS value: slower in the CNS)",
    "cns.debris_damp_per_h": "assumed",
    "cns.damp_half_life_h": "assumed",
    "cns.distal_growth_factor": f"assumed; myelin inhibitors in CNS white matter: {_ANDERSON}",
    "cns.white_matter_inhibitors_au": (
        "assumed; intact CNS white matter carries the myelin inhibitors Nogo, MAG and OMgp "
        f"({_ANDERSON}; Anderson et al. 2018, Nature 561:396): 1.7 au slows a cone to 0.15 "
        "(growth_cone.debris_inhibition_half 0.3), as cns.distal_growth_factor does in the "
        "distal tract, the same white matter beyond the grid"
    ),
    "cns.lesion_core_substrate": (
        "assumed value; a CNS lesion core lacks a growth-supporting substrate: axons cross it "
        f"only where one is supplied (a graft, a scaffold, laminin induced by FGF2 and EGF): "
        f"{_ANDERSON}; Anderson et al. 2018, Nature 561:396"
    ),
    "pns.lesion_core_substrate": (
        "assumed (1: a crushed nerve keeps its basal lamina tubes; a cut nerve's gap is "
        "crossed along the repair Schwann cells' bands)"
    ),
    "pns.white_matter_inhibitors_au": "assumed (no CNS myelin in a peripheral nerve)",
    "pns.intrinsic_growth": "assumed",
    "pns.lesion_debris_au": "assumed",
    "pns.wallerian_debris_au": "assumed",
    "pns.wallerian_duration_h": f"{_GAUDET} (distal axons degenerate within 1-3 days)",
    "pns.debris_damp_per_h": "assumed",
    "pns.damp_half_life_h": "assumed",
    "pns.distal_growth_factor": "assumed",
    "fields.cytokine.diffusion_um2_per_h": f"{_ROUGH} (small cytokines ~5-50 µm²/s)",
    "fields.cytokine.decay_per_h": f"{_ROUGH} (cytokine half-life ~20 min to hours)",
    "fields.trophic.diffusion_um2_per_h": f"{_ROUGH} (NGF in tissue ~27.5 µm²/s)",
    "fields.trophic.decay_per_h": f"{_ROUGH} (NGF half-life ~1-2 h)",
    "fields.ev.diffusion_um2_per_h": "assumed",
    "fields.ev_ngf.diffusion_um2_per_h": "assumed",
    "fields.debris.diffusion_um2_per_h": "assumed (debris stays where it is)",
    "fields.debris.decay_per_h": "assumed (only cells clear debris)",
    "fields.scar.diffusion_um2_per_h": "assumed (CSPG stays where it is laid)",
    "fields.scar.decay_per_h": (
        "assumed; CSPG stays raised >= 4-8 weeks: Jones, Margolis & Tuszynski 2003, "
        "Exp Neurol 182:399"
    ),
}


# ------------------------------------------------------------------------------------ cells
_GUTMANN = "Gutmann et al. 1942, J Anat 76:301"
_WANNER = "Wanner et al. 2013, J Neurosci 33:12870"
#: The five parameters the default calibration fits take the posterior medians of its run
#: (report: benchmarks/results/calibration-default/report.md; docs/calibration.md).
_CALIBRATED = (
    "calibrated: untreated_default.toml, 2026-12-07: posterior median of its run (64 "
    "particles, kernel width 2, effective sample size 38.3 of 64)"
)


class NeuronParams(Params):
    """Neurons whose axons were cut by the injury (soma or proximal stump)."""

    count: int = P(
        40,
        5,
        400,
        "agents",
        "neuron agents; together they stand for axon_bundles bundles of injured axons",
        source=_NUMERICS,
    )
    axon_bundles: float = P(
        40.0,
        1.0,
        10000.0,
        "bundles",
        "injured axon bundles the agents stand for (tip uptake and secretion weigh bundles/count)",
        source="assumed (one bundle per agent at the default 40 agents)",
    )
    death_rate_per_h: float = P(
        0.004,
        0.0,
        0.1,
        "1/h",
        "death hazard under full stress and no trophic support",
        source="assumed",
    )
    stress_half_cytokine: float = P(
        0.4, 0.01, 20.0, "au", "cytokine giving half-maximal stress", source="assumed"
    )
    support_half_trophic: float = P(
        0.05, 0.001, 10.0, "au", "trophic level giving half support", source="assumed"
    )
    tip_signal_weight: float = P(
        0.5,
        0.0,
        1.0,
        "1",
        "weight of signals sensed at the axon tip (retrograde transport)",
        source="assumed",
    )


class GrowthConeParams(Params):
    """The tip of each regrowing axon."""

    speed_um_per_h: float = P(
        109.0,
        1.0,
        400.0,
        "µm/h",
        "top growth speed (3 mm/day), before trophic support, inhibition and guidance slow it",
        source=(
            f"{_CALIBRATED}, 90 % interval [89.9, 150] µm/h, shrinkage 0.75 [0.73, 0.79]: "
            f"constrained by pni.regrowth_rate; prior from {_GUTMANN} (crushed PNS axons regrow "
            "at about 1-3 mm/day, up to 4.4 in rabbit); was 126 (an earlier run's median) and "
            "125 by hand before that"
        ),
    )
    latency_h: float = P(
        24.0, 0.0, 480.0, "h", "delay before a cut axon starts regrowing", source="assumed"
    )
    trophic_half: float = P(
        0.02,
        0.001,
        10.0,
        "au",
        "trophic level giving half the trophic boost",
        source="assumed",
    )
    trophic_floor: float = P(
        0.2,
        0.0,
        1.0,
        "fraction",
        "share of the trophic-supported speed a cone keeps with no trophic factor",
        source="assumed",
    )
    chemotaxis: float = P(
        3.0, 0.0, 50.0, "1", "steering strength up the trophic gradient", source="assumed"
    )
    sensing_um: float = P(
        25.0,
        1.0,
        200.0,
        "µm",
        "length over which a cone compares trophic factor (its steering follows the gradient)",
        source="assumed",
    )
    forward_weight: float = P(
        1.0,
        0.0,
        5.0,
        "1",
        "preference for a straight-forward step before field cues",
        source="assumed",
    )
    diagonal_weight: float = P(
        0.7,
        0.0,
        5.0,
        "1",
        "preference for a diagonal-forward step before field cues",
        source="assumed",
    )
    lateral_weight: float = P(
        0.3,
        0.0,
        1.0,
        "1",
        "weight of sideways steps against forward ones",
        source="assumed",
    )
    scar_stall: float = P(
        0.6, 0.01, 5.0, "au", "CSPG scar level at which growth stops", source="assumed"
    )
    debris_inhibition_half: float = P(
        0.3,
        0.01,
        10.0,
        "au",
        "myelin debris (Nogo, MAG) level that halves growth speed",
        source="assumed",
    )
    inflammation_half: float = P(
        0.5, 0.01, 20.0, "au", "cytokine level that halves speed", source="assumed"
    )
    guidance_boost: float = P(
        1.5, 0.0, 20.0, "1", "extra speed on repair Schwann-cell bands", source="assumed"
    )
    collapse_rate_per_h: float = P(
        0.05, 0.0, 1.0, "1/h", "collapse hazard per unit scar", source="assumed"
    )
    retraction_um: float = P(
        75.0, 0.0, 1000.0, "µm", "how far a collapsed cone retracts", source="assumed"
    )


class NeutrophilParams(Params):
    """Early, short-lived, pro-inflammatory responders."""

    recruit_per_mm2_per_h: float = P(
        32.0,
        0.0,
        1600.0,
        "cells/mm²/h",
        "recruitment from vessels at saturating cytokine",
        source="assumed",
    )
    recruit_half_cytokine: float = P(
        0.5, 0.01, 20.0, "au", "cytokine giving half recruitment", source="assumed"
    )
    lifespan_h: float = P(
        12.6,
        2.0,
        200.0,
        "h",
        "mean time before apoptosis",
        source=(
            f"{_CALIBRATED}, 90 % interval [7.08, 20.2] h, shrinkage 0.44 [0.39, 0.53]: the "
            "neutrophil peak and fall narrow it, undetermined whether enough; prior range from "
            "Summers et al. 2010, Trends Immunol 31:318 "
            "(neutrophils are short-lived and die by constitutive apoptosis within about a "
            "day); was 10.3 h (an earlier run's median) and 12 h by hand before that"
        ),
    )
    apoptotic_h: float = P(
        24.0,
        1.0,
        48.0,
        "h",
        "time an apoptotic neutrophil lingers",
        source=(
            "Silva 2010, FEBS Lett 584:4491: an apoptotic cell nobody eats goes on to secondary "
            "necrosis in about a day; was 8 h (assumed)"
        ),
    )
    cytokine_per_h: float = P(0.1, 0.0, 2.0, "au/h", "cytokine secretion", source="assumed")
    phagocytosis_per_h: float = P(0.01, 0.0, 1.0, "1/h", "debris uptake rate", source="assumed")
    speed_um_per_h: float = P(
        25.0, 0.0, 250.0, "µm/h", "mean speed up the cytokine gradient", source="assumed"
    )


class MacrophageParams(Params):
    """Macrophages and microglia with pro-inflammatory (M1) and pro-repair (M2) phenotypes."""

    recruit_per_mm2_per_h: float = P(
        2.4,
        0.0,
        1600.0,
        "cells/mm²/h",
        "monocyte recruitment at saturating signal",
        source="assumed",
    )
    recruit_half_cytokine: float = P(
        0.3, 0.01, 20.0, "au", "cytokine giving half recruitment", source="assumed"
    )
    debris_recruit_weight: float = P(
        0.492,
        0.0,
        10.0,
        "1",
        "recruitment by debris find-me signals, relative to cytokine",
        source=(
            f"{_CALIBRATED}, 90 % interval [0.0727, 1.67], shrinkage 0.06 [-0.02, 0.25]: left "
            "wide by the macrophage peak day and persistence (sci.macrophage_peak_day, Popovich "
            "et al. 1997; sci.macrophage_persist, Beck et al. 2010); was 0.3 by hand (issue 13: "
            "at 1.0 lesion macrophages peaked near day 18)"
        ),
    )
    debris_recruit_half_au: float = P(
        0.3, 0.01, 10.0, "au", "debris giving half that recruitment", source="assumed"
    )
    death_rate_per_h: float = P(
        0.00598,
        0.0,
        0.5,
        "1/h",
        "death or emigration rate",
        source=(
            f"{_CALIBRATED}, 90 % interval [0.00241, 0.0149] /h, shrinkage 0.12 [-0.00, 0.26]: "
            "left wide by the macrophage peak day, persistence and M1:M2 course "
            "(sci.macrophage_peak_day, sci.macrophage_persist, sci.m1_m2); was 0.005 by hand "
            "(issue 13: a mean stay of about 8 days) and 0.004 (assumed) before that"
        ),
    )
    to_m1_per_h: float = P(
        0.02, 0.0, 1.0, "1/h", "M2 -> M1 rate at full pro-inflammatory drive", source="assumed"
    )
    to_m2_per_h: float = P(
        0.05, 0.0, 1.0, "1/h", "M1 -> M2 rate at full pro-repair drive", source="assumed"
    )
    m2_trophic_half: float = P(
        0.05, 0.001, 10.0, "au", "trophic level giving half M2 drive", source="assumed"
    )
    efferocytosis_m2_drive: float = P(
        2.0,
        0.0,
        10.0,
        "1",
        "M2 drive added for a day after eating an apoptotic neutrophil",
        source="assumed",
    )
    efferocytosis_memory_h: float = P(
        24.0,
        0.0,
        240.0,
        "h",
        "how long an eaten apoptotic neutrophil keeps adding that M2 drive",
        source="assumed",
    )
    myelin_m1_drive: float = P(
        1.5, 0.0, 10.0, "1", "M1 drive per unit of debris load", source="assumed"
    )
    cytokine_m1_per_h: float = P(
        0.05, 0.0, 2.0, "au/h", "cytokine secretion by M1", source="assumed"
    )
    trophic_m2_per_h: float = P(
        0.02, 0.0, 2.0, "au/h", "trophic factor secretion by M2", source="assumed"
    )
    cytokine_uptake_m2_per_h: float = P(
        0.3, 0.0, 10.0, "1/h", "cytokine scavenging by M2", source="assumed"
    )
    phagocytosis_per_h: float = P(
        0.05, 0.0, 2.0, "1/h", "debris uptake rate when empty", source="assumed"
    )
    load_capacity: float = P(
        1.0, 0.01, 20.0, "au", "debris a macrophage can hold", source="assumed"
    )
    digestion_per_h: float = P(
        0.0025,
        0.0,
        1.0,
        "1/h",
        "rate at which ingested debris is digested (myelin is slow)",
        source="assumed",
    )
    speed_um_per_h: float = P(
        12.5,
        0.0,
        250.0,
        "µm/h",
        "mean speed up the debris gradient (the cytokine one once full)",
        source="assumed",
    )


class AstrocyteParams(Params):
    """Astrocytes (spinal cord): become reactive and build the CSPG glial scar."""

    density_per_mm2: float = P(
        192.0, 0.0, 5000.0, "cells/mm²", "resident astrocytes", source="assumed"
    )
    activation_per_h: float = P(
        0.012,
        0.0,
        1.0,
        "1/h",
        "rise of reactivity at full cytokine",
        source=f"assumed; timescale from {_WANNER} (scar border forms over days 5-14)",
    )
    activation_half_cytokine: float = P(
        0.1, 0.01, 20.0, "au", "cytokine for half activation", source="assumed"
    )
    deactivation_per_h: float = P(0.002, 0.0, 1.0, "1/h", "fall of reactivity", source="assumed")
    scar_forming_reactivity: float = P(
        0.5,
        0.01,
        1.0,
        "1",
        "reactivity above which an astrocyte forms scar (deposits CSPG, divides, migrates)",
        source="assumed",
    )
    quiescence_threshold: float = P(
        0.001,
        0.0,
        0.1,
        "au",
        "below this reactivity and cytokine (au) an astrocyte skips its tick",
        source="assumed (a shortcut for quiet tissue)",
    )
    proliferation_per_h: float = P(
        0.01, 0.0, 0.5, "1/h", "division rate at acute cytokine", source="assumed"
    )
    proliferation_half_cytokine: float = P(
        0.3,
        0.01,
        20.0,
        "au",
        "cytokine giving half the division rate (acute-phase levels)",
        source="assumed",
    )
    max_per_mm2: float = P(
        4800.0,
        400.0,
        32000.0,
        "cells/mm²",
        "crowding limit for division and migration (a voxel holds at least one cell)",
        source="assumed",
    )
    scar_per_h: float = P(
        0.016,
        0.0,
        1.0,
        "au/h",
        "CSPG deposition when fully reactive",
        source=(
            f"{_CALIBRATED}, 90 % interval [0.00529, 0.0671] au/h, shrinkage -0.02 [-0.04, "
            f"0.12]: left wide by sci.scar_timing ({_WANNER}, scar mature by day 14); was "
            "0.0233 (an earlier run's median) and 0.02 (assumed) before that"
        ),
    )
    scar_max: float = P(
        1.0, 0.1, 10.0, "au", "CSPG level at which deposition stops", source="assumed"
    )
    cytokine_per_h: float = P(
        0.01, 0.0, 1.0, "au/h", "cytokine secretion when reactive", source="assumed"
    )
    speed_um_per_h: float = P(
        1.25,
        0.0,
        125.0,
        "µm/h",
        "mean speed toward the lesion when reactive",
        source="assumed",
    )
    core_debris_au: float = P(
        0.5,
        0.0,
        10.0,
        "au",
        "debris level of lesion core that astrocytes do not enter",
        source="assumed",
    )


class OligodendrocyteParams(Params):
    """Oligodendrocyte precursors and oligodendrocytes (spinal cord): slow remyelination."""

    density_per_mm2: float = P(
        64.0, 0.0, 5000.0, "cells/mm²", "resident precursors (OPCs)", source="assumed"
    )
    differentiation_per_h: float = P(
        0.004, 0.0, 1.0, "1/h", "OPC -> myelinating rate", source="assumed"
    )
    inflammation_block_half: float = P(
        0.2, 0.01, 20.0, "au", "cytokine that halves maturation", source="assumed"
    )
    myelination_per_h: float = P(
        0.01, 0.0, 1.0, "1/h", "myelination of nearby bare axon", source="assumed"
    )
    death_rate_per_h: float = P(
        0.004, 0.0, 0.5, "1/h", "death hazard at full inflammation", source="assumed"
    )


class SchwannParams(Params):
    """Schwann cells (peripheral nerve): repair state, guidance bands, NGF, remyelination."""

    density_per_mm2: float = P(
        240.0, 0.0, 5000.0, "cells/mm²", "resident Schwann cells", source="assumed"
    )
    dedifferentiation_per_h: float = P(
        0.04,
        0.0,
        1.0,
        "1/h",
        "-> repair state after axon loss",
        source=f"assumed; timescale from {_GAUDET} (Schwann cells act in the first days)",
    )
    phagocytosis_per_h: float = P(
        0.03, 0.0, 1.0, "1/h", "myelin debris uptake by repair cells", source="assumed"
    )
    trophic_per_h: float = P(
        0.1,
        0.0,
        1.0,
        "au/h",
        "NGF secretion by a fully capable cell",
        source=(
            "Heumann et al. 1987, J Cell Biol 104:1623 (NGF mRNA in the denervated distal stump "
            "rises 10-15x, made by Schwann cells); 10x the earlier assumed 0.01, which left the "
            "crushed nerve's trophic factor at about a tenth of a cone's half-saturation"
        ),
    )
    proliferation_per_h: float = P(
        0.02,
        0.0,
        0.5,
        "1/h",
        "division rate of repair cells at saturating mitogen",
        source="assumed",
    )
    mitogen_half_cytokine: float = P(
        0.2,
        0.01,
        20.0,
        "au",
        "cytokine (macrophage mitogen proxy) giving half division rate",
        source="assumed",
    )
    max_per_mm2: float = P(
        3200.0,
        400.0,
        32000.0,
        "cells/mm²",
        "crowding limit for division and migration (a voxel holds at least one cell)",
        source="assumed",
    )
    speed_um_per_h: float = P(
        7.5, 0.0, 125.0, "µm/h", "mean speed toward emptier tissue", source="assumed"
    )
    myelination_per_h: float = P(
        0.0008, 0.0, 1.0, "1/h", "remyelination of regrown axon", source="assumed"
    )
    trophic_myelination_boost: float = P(
        1.0,
        0.0,
        10.0,
        "factor",
        "extra myelination at saturating neurotrophin (NGF via p75)",
        source="assumed",
    )
    trophic_myelination_half: float = P(
        0.05,
        0.001,
        10.0,
        "au",
        "trophic level giving half that extra myelination",
        source="assumed",
    )
    internode_um: float = P(
        75.0,
        0.0,
        500.0,
        "µm",
        "reach of one Schwann cell's myelin along the nerve, each way",
        source="assumed",
    )
    axon_reach_um: float = P(
        50.0,
        0.0,
        500.0,
        "µm",
        "distance either side across the nerve over which a repair cell meets regrowing axons",
        source="assumed: regrowing axons sprout into neighbouring bands; wider than the gaps "
        "the neuron agents' paths leave across the nerve (docs/convergence.md)",
    )
    remyelinating_trophic_share: float = P(
        0.25,
        0.0,
        1.0,
        "fraction",
        "share of a repair cell's NGF secretion a remyelinating cell keeps making",
        source="assumed",
    )
    repair_fade_per_h: float = P(
        0.0005,
        0.0,
        0.05,
        "1/h",
        "loss of repair capacity while denervated (~8 weeks)",
        source="assumed; support fades with chronic denervation: Fu & Gordon 1995, "
        "J Neurosci 15:3886",
    )
    redifferentiation_per_h: float = P(
        0.006,
        0.0,
        10.0,
        "1/h",
        "rate at which a repair cell an axon has reached turns to remyelinating it",
        source=(
            "assumed (issue 13): repair cells keep clearing and dividing for about a week "
            "after regrown axons reach them before they myelinate them (Jessen & Mirsky 2016, "
            "J Physiol 594:3521); was instant, which, once axons regrew at 1-3 mm/day, stopped "
            "Schwann-cell division on day 3 and left half the crush debris at day 14"
        ),
    )


class MuscleParams(Params):
    """The target muscle of the injured axons."""

    atrophy_per_h: float = P(
        0.002,
        0.0,
        0.1,
        "1/h",
        "atrophy rate while denervated",
        source="assumed; order of magnitude from textbook rat values (~50 % mass lost by "
        "2-3 weeks)",
    )
    floor_index: float = P(
        0.3, 0.0, 1.0, "index", "muscle mass index of long denervation", source="assumed"
    )
    endplate_loss_per_h: float = P(
        0.0008,
        0.0,
        0.1,
        "1/h",
        "loss of recoverable endplates",
        source="assumed; timescale from Fu & Gordon 1995, J Neurosci 15:3886 (recovery falls "
        "after ~1 month denervated)",
    )
    recovery_per_h: float = P(
        0.004,
        0.0,
        0.1,
        "1/h",
        "regrowth rate after reinnervation, or with returning use below a spinal lesion",
        source="assumed",
    )
    disuse_atrophy_per_h: float = P(
        0.003,
        0.0,
        0.1,
        "1/h",
        "wasting rate of an innervated but unused muscle (below a spinal lesion)",
        source=(
            "calibrated by hand: with disuse_floor_index it gives a 20-40 % loss "
            "by day 21 after a severe contusion, as Phillips et al. 2018, PLoS One "
            "13:e0194440 report (soleus mass 31 % lower 21 days after a moderate-severe "
            "contusion in rats)"
        ),
    )
    disuse_floor_index: float = P(
        0.5,
        0.0,
        1.0,
        "index",
        "muscle mass index an innervated muscle wastes toward with no activity at all",
        source=(
            "assumed: disuse atrophy is partial and slower than denervation (floor_index 0.3); "
            "moderate-severe rat contusion: soleus 31 % lower at day 21 (Phillips et al. 2018, "
            "PLoS One 13:e0194440)"
        ),
    )
    activity_half_descending: float = P(
        0.23,
        0.01,
        1.0,
        "fraction",
        "descending connectivity that gives the muscle half its full activity",
        source=(
            "calibrated by hand (was 0.25, assumed; 0.23 once the white-matter inhibitors "
            "lowered moderate descending connectivity from 0.41 to 0.385): weight-supported "
            "stepping returns after a moderate contusion and hindlimb "
            "muscle mass is back near baseline by 10 weeks (Hutchinson, Linderman & Basso "
            "2001, J Neurotrauma 18:1075), while a severe one keeps its muscles light"
        ),
    )
    activity_hill: float = P(
        3.0,
        1.0,
        10.0,
        "1",
        "steepness of muscle activity against descending connectivity (Hill coefficient)",
        source=(
            "assumed: hindlimb use rises steeply over a narrow range of spared white matter "
            "(the BBB plateau tracks it as an S-curve: Basso et al. 1996, Exp Neurol 139:244)"
        ),
    )


class SproutingParams(Params):
    """Collateral sprouting of spared descending fibres (:mod:`simulation.agents.spared_fibres`)."""

    rate_per_h: float = P(
        0.004,
        0.0,
        0.1,
        "1/h",
        "rate collaterals form contacts toward their ceiling where the rim holds no CSPG",
        source="assumed; timescale of weeks: spontaneous corticospinal sprouting and recovery "
        "within 2-4 weeks after partial spinal injury (Weidner, Ner & Tuszynski 2001, PNAS "
        "98:3513); new intraspinal circuits by 12 weeks (Bareyre et al. 2004, Nat Neurosci "
        "7:269)",
    )
    pruning_per_h: float = P(
        0.002,
        0.0,
        0.1,
        "1/h",
        "loss of unused collateral contacts",
        source="assumed; timescale of weeks: many collaterals that contact short propriospinal "
        "neurons are lost between 3 and 12 weeks (Bareyre et al. 2004, Nat Neurosci 7:269)",
    )
    collateral_reach: float = P(
        1.0,
        0.0,
        5.0,
        "cut fibres per spared fibre",
        "targets of cut fibres one spared fibre's collaterals can take over",
        source="assumed (Bareyre et al. 2004: collaterals of spared fibres contact long "
        "propriospinal neurons; many sprouts are pruned)",
    )
    cspg_half_au: float = P(
        0.1,
        0.01,
        10.0,
        "au",
        "rim CSPG level that halves the sprouting rate",
        source="assumed; CSPG digestion lets spared fibres sprout "
        "(Barritt et al. 2006, J Neurosci 26:10856)",
    )
    rim_um: float = P(
        100.0,
        10.0,
        1000.0,
        "µm",
        "width of the tissue rim around the lesion the collaterals grow through",
        source="assumed (the astrocyte scar border is a band of a few cells, Wanner et al. "
        "2013, J Neurosci 33:12870)",
    )


class ConductionParams(Params):
    """What a nerve conduction study records (:mod:`simulation.agents.mechanisms.conduction`)."""

    normal_velocity_m_per_s: float = P(
        50.0,
        10.0,
        120.0,
        "m/s",
        "conduction velocity of healthy myelinated fibres",
        source="textbook normal values (REFERENCE.md): adult leg nerve sensory 45-55 m/s, "
        "motor 45-50 m/s; rat sciatic motor about 50 m/s (t)",
    )
    bare_velocity_m_per_s: float = P(
        1.0,
        0.1,
        5.0,
        "m/s",
        "conduction velocity of a bare (unmyelinated) axon",
        source="textbook C-fibre velocities 0.5-2 m/s (t)",
    )
    remyelinated_quality: float = P(
        0.6,
        0.0,
        1.0,
        "fraction",
        "myelin of a regrown, remyelinated fibre as a share of normal (thinner myelin, short "
        "internodes)",
        source="assumed value; motor conduction velocity stays below control for at least 200 "
        "days after rat sciatic transection and suture (Brain Behav 2012, 2:382)",
    )
    fastest_share: float = P(
        0.1,
        0.01,
        1.0,
        "fraction",
        "share of the fastest conducting fibres the velocity is read from",
        source="assumed; a conduction study reads velocity from the onset latency, that is "
        "from the fastest fibres (t)",
    )


_BBB_CALIBRATION = (
    "calibrated by hand (issue 13), an illustrative mapping: untreated contusions of severity "
    "0.4, 0.6 and 0.8 (mild, moderate, severe) reach descending connectivity 0.743, 0.516 and "
    "0.253 at day 56 (6 seeds; spared fibres, their sprouts, no crossing), which this S-curve "
    "(a least-squares fit) maps to BBB 18.6, 14.3 and 6.9, inside the plateaus of Basso, "
    "Beattie & Bresnahan 1995 and Basso et al. 1996 (18-20, 13-15, 6-8); refitted twice in "
    "issue 13 (0.17/0.21, then 0.197/0.172) as white-matter inhibitors, spared-fibre "
    "sprouting and the lesion core's missing substrate changed the connectivity"
)

_AIS_CALIBRATION = (
    "calibrated by hand (issue 13), an illustrative mapping: the natural conversion of AIS A, "
    "11-30 % within a year (Kirshblum et al. 2021, J Neurotrauma 38:1267, sci.natural_"
    "conversion), in the cohort of scenarios/spinal_cord_severe_cohort.toml (severity 0.8, "
    "patients differing by sd 0.05): its untreated patients level off at descending "
    "connectivity 0.31 (day 84, 3 seeds: 0.309-0.318) at severity 0.758, the fifth of that "
    "cohort with the mildest lesions; so those convert, and the library's severe contusion "
    "(0.257 at day 84) stays A. Was 0.265, placed just above that plateau when every patient "
    "had the same lesion"
)
_AIS_ASSUMED = (
    "assumed; illustrative: the AIS grades (ASIA/ISNCSCI) ordered along descending "
    "connectivity, so the severe, moderate and mild contusions of the BBB calibration (0.25, "
    "0.52, 0.74 at day 56) read A, C and D; E (normal) needs nearly every connection"
)


class OutcomeParams(Params):
    """How the recorded outcomes are scored (the metrics, not the biology).

    The function index is ``connectivity_weight * connectivity + muscle_weight * muscle recovery
    + survival_weight * neuron survival``; it lies in [0, 1] when the three weights sum to 1.
    """

    scar_threshold_au: float = P(
        0.25,
        0.01,
        10.0,
        "au",
        "CSPG level at which a voxel counts as scar (scar_area_fraction)",
        source="assumed",
    )
    connectivity_weight: float = P(
        0.5, 0.0, 1.0, "1", "weight of connectivity in the function index", source="assumed"
    )
    muscle_weight: float = P(
        0.3, 0.0, 1.0, "1", "weight of muscle recovery in the function index", source="assumed"
    )
    survival_weight: float = P(
        0.2, 0.0, 1.0, "1", "weight of neuron survival in the function index", source="assumed"
    )
    relay_weight: float = P(
        0.5,
        0.0,
        1.0,
        "1",
        "what an axon relayed by graft neurons counts for, against one that bridged",
        source="assumed",
    )
    unmyelinated_weight: float = P(
        0.5,
        0.0,
        1.0,
        "1",
        "what a bridged bare axon counts for in connectivity, against a myelinated one",
        source="assumed",
    )
    conduction_block_half_au: float = P(
        0.05,
        0.001,
        10.0,
        "au",
        "inflammation that blocks conduction in half the spared axons (descending connectivity)",
        source=(
            "assumed; inflammatory mediators such as nitric oxide block conduction in axons "
            "reversibly, demyelinated ones most (Redford, Kapoor & Smith 1997, Brain 120:2149); "
            "half-block at the spinal cord's mean cytokine of about day 5, so function returns "
            "over the first weeks as inflammation resolves"
        ),
    )
    bbb_midpoint: float = P(
        0.280,
        0.01,
        1.0,
        "fraction",
        "descending connectivity at the middle of the BBB score's S-curve",
        source=_BBB_CALIBRATION,
    )
    bbb_width: float = P(
        0.243,
        0.01,
        1.0,
        "fraction",
        "how gradually the BBB score rises with descending connectivity (logistic width)",
        source=_BBB_CALIBRATION,
    )
    sfi_complete_loss_points: float = P(
        100.0,
        50.0,
        150.0,
        "SFI points",
        "how far below 0 the sciatic functional index falls with complete loss of the nerve",
        source="Bain, Mackinnon & Hunter 1989, Plast Reconstr Surg 83:129 (0 normal, about "
        "-100 complete impairment); de Medinaceli, Freed & Wyatt 1982, Exp Neurol 77:634",
    )
    sfi_muscle_weight: float = P(
        0.5,
        0.0,
        1.0,
        "1",
        "share of the SFI that needs the reinnervated muscle's mass back (rest: axons reaching it)",
        source="assumed (an illustrative mapping)",
    )

    ais_baseline_day: float = P(
        3.0,
        0.0,
        28.0,
        "day",
        "day of the first AIS examination, the grade a virtual patient is enrolled with",
        source="assumed; about 72 h after injury, when the first classification is usually "
        "made; the sci.natural_conversion anchor counts conversion from the same day",
    )
    ais_b_connectivity: float = P(
        0.31,
        0.01,
        1.0,
        "fraction",
        "descending connectivity from which the AIS grade is B or better (incomplete)",
        source=_AIS_CALIBRATION,
    )
    ais_c_connectivity: float = P(
        0.35,
        0.01,
        1.0,
        "fraction",
        "descending connectivity from which the AIS grade is C or better (motor, weaker)",
        source=_AIS_ASSUMED,
    )
    ais_d_connectivity: float = P(
        0.55,
        0.01,
        1.0,
        "fraction",
        "descending connectivity from which the AIS grade is D or better (motor, stronger)",
        source=_AIS_ASSUMED,
    )
    ais_e_connectivity: float = P(
        0.95,
        0.01,
        1.0,
        "fraction",
        "descending connectivity from which the AIS grade is E (normal)",
        source=_AIS_ASSUMED,
    )


# ------------------------------------------------------------------------------------ bridge
_LUNDBORG_GAP = (
    "silicone tubes in rat sciatic nerve bridge 6 and 10 mm gaps but not 15 mm: Lundborg et "
    "al. 1982, J Neuropathol Exp Neurol 41:412 and Exp Neurol 76:361"
)


class BridgeParams(Params):
    """The 1-D bridge across a long gap (:mod:`simulation.tissue.bridge`).

    In a hollow tube, exudate from both stumps (a 1-D steady profile, ``cosh`` with length
    ``exudate_length_um``, 1 at each stump) forms a fibrin cable where it reaches
    ``fibrin_threshold``, ``fibrin_cable_h`` after repair: the cable is continuous only in gaps up
    to a critical length, ``2 * exudate_length_um * acosh(1 / fibrin_threshold)`` (12.3 mm at the
    defaults). Schwann cells migrate in from both stumps along the matrix; growth cones cross only
    where the bridge carries Schwann cells.
    """

    exudate_length_um: float = P(
        4000.0,
        500.0,
        20000.0,
        "µm",
        "decay length of the stumps' exudate along a hollow tube",
        source="assumed; with fibrin_threshold it sets the critical gap of a hollow tube to "
        "about 12 mm, between the 10 mm bridged and the 15 mm not bridged of " + _LUNDBORG_GAP,
    )
    fibrin_threshold: float = P(
        0.42,
        0.01,
        1.0,
        "fraction",
        "exudate level (of that at a stump) where a fibrin cable forms",
        source="assumed; see exudate_length_um",
    )
    fibrin_cable_h: float = P(
        168.0,
        0.0,
        1000.0,
        "h",
        "time after repair for the fibrin cable to form in a hollow tube",
        source="Williams et al. 1983, J Comp Neurol 218:460 (a fibrin matrix spans a 10 mm "
        "silicone chamber by about one week; cells migrate along it in weeks 2-3)",
    )
    schwann_front_um_per_h: float = P(
        15.0,
        0.0,
        200.0,
        "µm/h",
        "speed of the repair Schwann cells' front into a tube or conduit from each stump",
        source="assumed from Williams et al. 1983 (cells from both stumps fill a 10 mm "
        "chamber over about two weeks once the matrix has formed: about 0.35 mm/day each)",
    )


# -------------------------------------------------------------------------------------- pain
_LEWIN = (
    "Lewin, Ritter & Mendell 1993, J Neurosci 13:2136 (NGF gives thermal hyperalgesia within "
    "hours and mechanical hyperalgesia lasting days)"
)


class PainParams(Params):
    """NGF's side effect: sensitization of the sensory fibres (:mod:`simulation.tissue.pain`)."""

    ngf_half_au: float = P(
        0.1,
        0.001,
        10.0,
        "au",
        "NGF (trophic factor) around regrown axons giving half the most sensitizing drive",
        source="calibrated by hand (an illustrative index): about three times the mean level "
        "around regrowing axons in an untreated crush (0.03 au in week 1), so one EV-NGF dose "
        "(0.08 au) drives noticeably more",
    )
    onset_per_h: float = P(
        0.02,
        0.0,
        1.0,
        "1/h",
        "rate at which saturating NGF sensitizes the sensory fibres",
        source="assumed; order of magnitude from " + _LEWIN,
    )
    resolve_per_h: float = P(
        0.01,
        0.0,
        1.0,
        "1/h",
        "rate at which sensitization resolves once NGF falls (half in about 3 days)",
        source="assumed; order of magnitude from " + _LEWIN + "; Apfel 2002, Int Rev "
        "Neurobiol 50:393 (pain limits NGF therapy)",
    )


# ------------------------------------------------------------------------------------ budget
class BudgetParams(Params):
    """What one run may use before it is stopped (not biology: a run that stays within its
    budget gives the same result with any budget; :mod:`simulation.runs.budget` enforces it).

    A run over budget stops with a one-line :class:`~simulation.runs.budget.RunBudgetError`
    naming the budget, the value reached and the limit. The defaults are far above what the
    shipped scenarios use (``docs/budgets.md``) and stop runaway ones early.
    """

    max_agents: int = P(
        200_000,
        1,
        10_000_000,
        "count",
        "live cell agents at any tick (checked every tick)",
        source="assumed; ~175x the peak of the default spinal cord run (1,135 agents at 84 "
        "days, benchmarks/results/model.json); a run that reaches it needs tens of GB "
        "(docs/budgets.md)",
    )
    max_memory_mb: int = P(
        4096,
        64,
        1_000_000,
        "MB",
        "resident memory of the process running the run (checked every 0.5 s of a run)",
        source="assumed; ~16x the 261 MB of a default spinal cord run (measured, "
        "docs/budgets.md); two workers stay within 8 GB",
    )
    max_wall_s: float = P(
        600.0,
        1.0,
        604_800.0,
        "s",
        "wall time of one run, from building the model (checked every 0.5 s of a run)",
        source="assumed; ~450x the 1.3 s of the default 84-day spinal cord run "
        "(benchmarks/results/model.json)",
    )


# ------------------------------------------------------------------------------------ scenario
#: Voxels of distal tissue that must remain on the grid past the lesion and bridge margin.
MIN_DISTAL_VOXELS = 10


#: Longest scenario name, characters: the name becomes part of output file names, and file
#: systems allow 255 bytes per name (the CLI cuts its file-name stems shorter still).
MAX_NAME_CHARS = 255


def _check_name(name: str) -> str:
    """A scenario name usable in messages and file names: not too long, no ``/`` or controls."""
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(
            f"{shown_value(name)} is {len(name)} characters long (text, at most "
            f"{MAX_NAME_CHARS} allowed: it is part of output file names)"
        )
    bad = next((c for c in name if c == "/" or unicodedata.category(c) in ("Cc", "Cs")), None)
    if bad is not None:
        shown = "/" if bad == "/" else f"U+{ord(bad):04X}"
        raise ValueError(
            f"{shown_value(name)} contains {shown} (text without / or control characters: it is "
            "part of output file names)"
        )
    return name


class Scenario(Params):
    """A complete, validated NerveSim scenario."""

    name: str = Field("unnamed", description="short name", json_schema_extra={"units": "text"})
    description: str = Field(
        "", description="what the scenario illustrates", json_schema_extra={"units": "text"}
    )
    grid: GridParams = GridParams()
    time: TimeParams = TimeParams()
    injury: InjuryParams = InjuryParams()
    host: HostParams = HostParams()
    cns: TissueParams = Field(default_factory=_cns_tissue)
    pns: TissueParams = Field(default_factory=_pns_tissue)
    fields: FieldsParams = FieldsParams()
    neuron: NeuronParams = NeuronParams()
    growth_cone: GrowthConeParams = GrowthConeParams()
    neutrophil: NeutrophilParams = NeutrophilParams()
    macrophage: MacrophageParams = MacrophageParams()
    astrocyte: AstrocyteParams = AstrocyteParams()
    oligodendrocyte: OligodendrocyteParams = OligodendrocyteParams()
    schwann: SchwannParams = SchwannParams()
    muscle: MuscleParams = MuscleParams()
    outcomes: OutcomeParams = OutcomeParams()
    conduction: ConductionParams = ConductionParams()
    sprouting: SproutingParams = SproutingParams()
    bridge: BridgeParams = BridgeParams()
    pain: PainParams = PainParams()
    transplant: TransplantParams = TransplantParams()
    ev: EVParams = EVParams()
    adjuncts: AdjunctParams = AdjunctParams()
    mechanisms: MechanismSwitches = MechanismSwitches()
    neuropathy: NeuropathyParams = NeuropathyParams()
    interventions: list[Intervention] = Field(
        default_factory=list,
        description="therapies, each scheduled by day ([[interventions]] tables in TOML)",
        json_schema_extra={"units": "list"},
    )
    budget: BudgetParams = BudgetParams()

    _name_ok = field_validator("name")(_check_name)

    @model_validator(mode="after")
    def _lesion_fits_grid(self) -> Scenario:
        """The lesion and the bridge margin must leave distal tissue on the grid."""
        g, inj = self.grid, self.injury
        start_um = max(2, round(inj.lesion_start_fraction * g.width_voxels)) * g.dx_um
        room_um = (g.width_voxels - MIN_DISTAL_VOXELS) * g.dx_um - start_um - inj.bridge_margin_um
        if inj.gap_length_um > 0.0:  # a long gap: the lesion runs to the grid's distal edge
            room_um = g.width_voxels * g.dx_um - start_um
            if inj.type != "peripheral" or inj.peripheral_kind != "transection":
                raise ValueError("injury.gap_length_um: a long gap needs a peripheral transection")
            if inj.gap_length_um < inj.lesion_length_um:
                raise ValueError(
                    f"injury.gap_length_um: {inj.gap_length_um:g} is shorter than the lesion "
                    f"the grid shows ({inj.lesion_length_um:g} µm)"
                )
        elif inj.repair != "none":
            raise ValueError("injury.repair: a repair needs a long gap (injury.gap_length_um > 0)")
        if inj.lesion_length_um > room_um:
            allowed = f"allowed [50, {int(room_um)}]" if room_um >= 50.0 else "no length fits"
            raise ValueError(
                f"injury.lesion_length_um: {inj.lesion_length_um:g} does not fit the grid "
                f"(µm, {allowed} on a grid of {g.width_voxels} x {g.dx_um:g} µm voxels with "
                f"lesion_start_fraction {inj.lesion_start_fraction:g} and bridge_margin_um "
                f"{inj.bridge_margin_um:g}; widen the grid or shorten the lesion)"
            )
        return self

    @model_validator(mode="after")
    def _neuropathy_only(self) -> Scenario:
        """Glucose control and chemotherapy act on the chronic neuropathy's fibres only."""
        if self.injury.type != "neuropathy":
            for k, item in enumerate(self.interventions):
                if item.kind in ("glucose_control", "chemotherapy"):
                    raise ValueError(
                        f"interventions[{k}].kind: {item.kind!r} needs injury.type "
                        f"'neuropathy' (it acts on the chronic neuropathy's fibres)"
                    )
        return self

    @model_validator(mode="after")
    def _vesicle_clearance(self) -> Scenario:
        """Both vesicle fields clear at ln 2 / ``ev.clearance_half_life_h``."""
        half_life = self.ev.clearance_half_life_h
        f = self.fields
        if f.ev.decay_per_h != LN2 / half_life or f.ev_ngf.decay_per_h != LN2 / half_life:
            cleared = {"ev": f.ev.cleared_at(half_life), "ev_ngf": f.ev_ngf.cleared_at(half_life)}
            object.__setattr__(self, "fields", f.model_copy(update=cleared))  # frozen: new groups
        return self

    @property
    def voxel_area_mm2(self) -> float:
        """The area of one voxel, mm²."""
        return self.grid.dx_um**2 * MM2_PER_UM2

    @property
    def tissue(self) -> TissueParams:
        """The tissue parameters of this injury type (CNS for spinal cord, else PNS)."""
        return self.cns if self.injury.type == "spinal_cord" else self.pns

    def to_dict(self) -> dict[str, Any]:
        """Every value, as plain TOML-ready data."""
        return self.model_dump(mode="json", exclude=_DERIVED)

    def to_toml(self) -> str:
        """The scenario as TOML text; :func:`loads_scenario` reads it back unchanged."""
        return tomli_w.dumps(self.to_dict())

    def digest(self) -> str:
        """A short hash of every value but the ``budget``, naming this exact scenario in results.

        A budget decides whether a run finishes, never what it gives, so raising it to finish a
        stopped run keeps the digest (and lets a sweep resume in its folder).
        """
        data = self.to_dict()
        data.pop("budget", None)
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A new scenario with dotted-key overrides (``{"neuron.count": 60}``) applied.

        A list item is named by its index: ``{"interventions[0].day": 7.0}``.
        """
        data = self.to_dict()
        for dotted, value in overrides.items():
            _set_dotted(data, dotted, value)
        return validate_scenario(data, source="overrides")


# ------------------------------------------------------------------------------------ I/O
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    node: Any = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        indexed = _INDEXED.match(part)
        nxt = node.get(indexed[1] if indexed else part)
        if indexed and isinstance(nxt, list):
            nxt = nxt[int(indexed[2])] if int(indexed[2]) < len(nxt) else None
        if not isinstance(nxt, dict):
            raise ScenarioError(f"overrides: {unknown_key(dotted)}")
        node = nxt
    if parts[-1] not in node or parts[-1] == "kind":
        raise ScenarioError(f"overrides: {unknown_key(dotted)}")
    node[parts[-1]] = value


def iter_parameters(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    """Every leaf parameter as ``(dotted key, FieldInfo)``, in schema order."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_parameters(ann, f"{prefix}{name}.")
        elif model is Scenario and name == "interventions":
            for kind, cls in INTERVENTION_TYPES.items():
                for key, sub in iter_parameters(cls, f"interventions.{kind}."):
                    if not key.endswith(".kind"):
                        yield key, sub
        else:
            yield f"{prefix}{name}", info


def parameter_info(dotted: str) -> tuple[str, float | None, float | None]:
    """Units and allowed range ``(units, lo, hi)`` of a dotted parameter key."""
    for key, info in iter_parameters():
        if key == dotted:
            extra = info.json_schema_extra or {}
            lo = hi = None
            for m in info.metadata:
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
            return str(extra.get("units", "")), lo, hi
    return "", None, None


def parameter_source(dotted: str) -> str:
    """Where the default of a dotted parameter key comes from (``""`` for an unknown key).

    A citation, ``"assumed"`` (a modelling choice, perhaps with the source of its order of
    magnitude) or ``"calibrated"``; keys of groups used with different defaults (``cns``,
    ``pns``, the fields) take theirs from :data:`INSTANCE_SOURCES`.
    """
    if dotted in INSTANCE_SOURCES:
        return INSTANCE_SOURCES[dotted]
    for key, info in iter_parameters():
        if key == dotted:
            extra = info.json_schema_extra or {}
            return str(extra.get("source", ""))
    return ""


def parameter_rows() -> list[tuple[str, str, str, str, str, str]]:
    """Every parameter as ``(key, default, units, range, source, description)`` strings, in
    schema order: the table of ``nervesim show-params`` and of the ODD document."""
    defaults = Scenario().to_dict()
    rows = []
    for key, info in iter_parameters():
        if key.startswith("interventions."):
            value = info.default  # an intervention's own default
        else:
            value = defaults
            for part in key.split("."):
                value = value[part]
        units, lo, hi = parameter_info(key)
        rng = f"[{lo:g}, {hi:g}]" if lo is not None and hi is not None else ""
        source = parameter_source(key) or "-"
        rows.append((key, str(value), units, rng, source, info.description or ""))
    return rows


def unknown_key(key: str, schema_key: str | None = None) -> str:
    """The clause for an unknown key, with the nearest key of its group when one is close."""
    moved = MOVED_KEYS.get(schema_key or key)
    if moved is not None:
        return f"{key}: no longer a key; set {moved} instead"
    group, _, name = (schema_key or key).rpartition(".")
    prefix = f"{group}." if group else ""
    names = sorted(
        {k[len(prefix) :].split(".")[0] for k, _ in iter_parameters() if k.startswith(prefix)}
    )
    near = difflib.get_close_matches(name, names, n=1, cutoff=0.8) if names else []
    shown = f"{key.rpartition('.')[0]}.{near[0]}" if near and group else (near or [""])[0]
    hint = f"did you mean {shown_key(shown)}? " if near else ""
    listing = "nervesim show-params" + (f" --filter {shown_key(group)}" if group and names else "")
    return f"{shown_key(key)}: unknown key ({hint}{listing} lists the keys)"


def _error_keys(loc: tuple[Any, ...]) -> tuple[str, str]:
    """The key to show (``interventions[0].day``) and the schema key (``interventions.ev.day``)."""
    if len(loc) == 2 and loc[0] == "interventions" and isinstance(loc[1], int):
        return f"interventions[{loc[1]}]", "interventions"
    if len(loc) >= 3 and loc[0] == "interventions" and isinstance(loc[1], int):
        rest = [str(p) for p in loc[3:]] if str(loc[2]) in INTERVENTION_TYPES else []
        shown = ".".join([f"interventions[{loc[1]}]", *rest])
        return shown, ".".join(["interventions", str(loc[2]), *rest])
    key = ".".join(str(p) for p in loc)
    return key, key


def _describe_error(err: Mapping[str, Any]) -> str:
    """One clause naming the key, the value, its units and what is allowed."""
    key, schema_key = _error_keys(tuple(err["loc"]))
    units, lo, hi = parameter_info(schema_key)
    return describe(
        err,
        key,
        units=units,
        lo=lo,
        hi=hi,
        unknown=lambda: unknown_key(key, schema_key),
        tags=tuple(INTERVENTION_TYPES),
    )


def validate_scenario(data: dict[str, Any], source: str = "scenario") -> Scenario:
    """Validate plain data into a :class:`Scenario`, raising one-line :class:`ScenarioError`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {first_error(exc, _describe_error)}") from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


#: Longest chain of ``base`` files: the library uses one level (a therapy on its untreated
#: scenario); 16 leaves room for layered experiments and stops a hostile chain of thousands.
MAX_BASE_CHAIN = 16


def _resolve(path: Path, named_by: str) -> Path:
    """``path`` made absolute with symlinks followed; one line for a loop or an OS error."""
    path = checked_path(path)
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        problem = "a symlink loop" if isinstance(exc, RuntimeError) else exc.strerror or exc
        raise ScenarioError(f"{shown_path(path)}: cannot be read: {problem}{named_by}") from None


def _read_toml(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    shown = shown_path(path)
    if path in chain:
        raise ScenarioError(f"{shown}: base: circular reference via {shown_key(chain[-1].name)}")
    if len(chain) >= MAX_BASE_CHAIN:
        raise ScenarioError(
            f"{shown_path(chain[0])}: base: a chain of more than {MAX_BASE_CHAIN} files; at "
            f"most {MAX_BASE_CHAIN} allowed"
        )
    try:
        data = read_toml(path, shown)
    except ScenarioError as exc:
        named_by = f" (named as base by {shown_path(chain[-1])})" if chain else ""
        raise ScenarioError(f"{exc}{named_by}") from None
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ScenarioError(f"{shown}: base: {shown_value(base)} must be a file name (text)")
    if not base.strip():
        raise ScenarioError(f"{shown}: base: empty; give a file name")
    parent = _resolve(path.parent / base, f" (named as base by {shown})")
    return _deep_merge(_read_toml(parent, (*chain, path)), data)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file (following ``base`` files) and validate it.

    Raises:
        ScenarioError: one line naming the file, the key, its units and allowed range.
    """
    path = _resolve(Path(path), "")
    data = _read_toml(path, ())
    return validate_scenario(data, source=shown_path(path))


def loads_scenario(text: str, source: str = "<text>") -> Scenario:
    """Validate a scenario from TOML text (no ``base`` allowed: there is no folder)."""
    data = parse_toml(text, source)
    if "base" in data:
        raise ScenarioError(f"{source}: base: not allowed in uploaded text")
    return validate_scenario(data, source=source)
