"""Schema of the therapies: the interventions a scenario schedules and the biology they act by.

Interventions only *deliver* things (cells, vesicles, an enzyme, a scaffold, training); what
happens next is decided by the rates below acting on cells and fields. Every mechanism has a
switch in :class:`MechanismSwitches` so a teacher can turn one off and a test can ablate it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from simulation.scenario.base import Choice, Flag, P, Params
from simulation.scenario.neuropathy_params import Chemotherapy, GlucoseControl

#: Sources used more than once (short citations, as in the project's list of anchors).
_KEIO = "Keio University 2025 iPSC-NPC trial, news reports"
_KONKUK = "Konkuk University with SNU 2025, Acta Neuropathol"
_EGGENHOFER = "Eggenhofer et al. 2012, Front Immunol 3:297"
_NUMERICS = "assumed (model resolution)"

#: Default half-life of vesicles in the tissue, h: a clearance rate of ln 2 / 17.33 h = 0.04 /h.
EV_CLEARANCE_HALF_LIFE_H = 17.33


# ------------------------------------------------------------------------------ biology
class TransplantParams(Params):
    """How grafted cells live, differentiate and act."""

    cells_per_cluster: float = P(
        50000.0,
        100.0,
        1.0e6,
        "cells",
        "grafted cells one agent stands for (a cell cluster)",
        source=_NUMERICS,
    )
    base_death_per_h: float = P(
        0.0015, 0.0, 0.1, "1/h", "baseline death rate of grafted cells", source="assumed"
    )
    inflammation_death_per_h: float = P(
        0.012,
        0.0,
        1.0,
        "1/h",
        "extra death rate at saturating cytokine (hostile acute site)",
        source="assumed",
    )
    inflammation_half_cytokine: float = P(
        0.3, 0.001, 20.0, "au", "cytokine giving half the inflammatory death rate", source="assumed"
    )
    immune_attack_per_h: float = P(
        0.004,
        0.0,
        1.0,
        "1/h",
        "rejection rate of allogeneic grafted cells without drugs",
        source="assumed",
    )
    immunosuppression_factor: float = P(
        0.15,
        0.0,
        1.0,
        "factor",
        "share of immune attack left while immunosuppressed",
        source="assumed",
    )
    scaffold_protection: float = P(
        0.5,
        0.0,
        1.0,
        "fraction",
        "share of inflammatory and immune death a scaffold prevents",
        source="assumed",
    )
    npc_neuron_per_h: float = P(
        0.001,
        0.0,
        0.1,
        "1/h",
        "progenitor -> neuron-like relay cell differentiation",
        source="assumed",
    )
    npc_glia_per_h: float = P(
        0.001, 0.0, 0.1, "1/h", "progenitor -> myelinating glia", source="assumed"
    )
    msc_differentiation_per_h: float = P(
        0.00005,
        0.0,
        0.1,
        "1/h",
        "rare MSC differentiation (into glia-like cells)",
        source="assumed",
    )
    relay_process_um_per_h: float = P(
        3.0,
        0.0,
        100.0,
        "µm/h",
        "growth of graft neurons' processes toward both stumps",
        source="assumed",
    )
    relay_min_cells: float = P(
        200.0,
        1.0,
        1.0e5,
        "cells",
        "neuron-like cells a cluster needs to relay signals",
        source="assumed",
    )
    glia_myelination_per_h: float = P(
        0.004,
        0.0,
        1.0,
        "1/h",
        "myelination of bare axon per 1000 graft glia in a voxel",
        source="assumed",
    )
    npc_trophic_per_h: float = P(
        0.004,
        0.0,
        1.0,
        "au/h",
        "trophic secretion per 10,000 progenitor-derived cells",
        source="assumed",
    )
    msc_trophic_per_h: float = P(
        0.006, 0.0, 1.0, "au/h", "trophic secretion per 10,000 MSCs", source="assumed"
    )
    msc_ev_per_h: float = P(
        0.02,
        0.0,
        1.0,
        "au/h",
        "extracellular-vesicle secretion per 10,000 MSCs (paracrine)",
        source="assumed",
    )
    transformation_per_cell_h: float = P(
        2.0e-8,
        0.0,
        1.0e-5,
        "1/h",
        "rate an undifferentiated cell starts uncontrolled growth",
        source="assumed",
    )
    tumor_doubling_h: float = P(
        48.0, 6.0, 1000.0, "h", "doubling time of a transformed clone", source="assumed"
    )
    tumor_detect_cells: float = P(
        1.0e4,
        10.0,
        1.0e9,
        "cells",
        "clone size at which a tumor event is counted (~4 weeks)",
        source="assumed",
    )
    cavity_death_per_h: float = P(
        0.001,
        0.0,
        1.0,
        "1/h",
        "extra death rate of grafted cells in a fully cleared (cavitated) spinal lesion",
        source=(
            "assumed; macrophages clear the necrotic core into a cavity over weeks (Fitch et "
            "al. 1999, J Neurosci 19:8182) and grafts into chronic lesions survive worse than "
            "subacute ones (Piltti et al. 2013, Stem Cells Transl Med 2:961: fewer at day 60 "
            "than at day 9); size kept so sci.graft_survival (1-30 %) still holds"
        ),
    )
    relay_maturation_h: float = P(
        672.0,
        0.0,
        4000.0,
        "h",
        "mean time graft neurons need to mature and form synapses before they relay",
        source=(
            "assumed; neurons from grafted progenitors form relays and improve function only "
            "weeks after grafting (Lu et al. 2012, Cell 150:1264); instant relays raised the "
            "day-21 graft's BBB from 7 to 12 within a week"
        ),
    )
    bridge_substrate: float = P(
        0.3,
        0.0,
        1.0,
        "band",
        "permissive substrate (as guidance) grafted cells give host growth cones at saturation",
        source=(
            "assumed, half a scaffold's guidance (adjuncts.scaffold_guidance); grafted neural "
            "progenitors fill the lesion and host axons grow into them (Lu et al. 2012, Cell "
            "150:1264)"
        ),
    )
    bridge_half_cells: float = P(
        5000.0,
        1.0,
        1.0e6,
        "cells",
        "grafted cells in a cluster giving half that substrate",
        source="assumed",
    )
    bridge_reach_um: float = P(
        75.0,
        0.0,
        1000.0,
        "µm",
        "how far around its cluster grafted cells fill the cavity",
        source="assumed (40 clusters of the 2 million-cell dose then fill most of the lesion)",
    )
    iv_homing_fraction: float = P(
        0.01,
        0.0,
        1.0,
        "fraction",
        "share of an intravenous dose that reaches the lesion",
        source="assumed; most IV MSCs are trapped in the lungs: " + _EGGENHOFER,
    )
    iv_lung_clearance_per_h: float = P(
        0.04,
        0.0,
        1.0,
        "1/h",
        "clearance of cells trapped in the lungs (~gone in 3 days)",
        source=_EGGENHOFER + " (IV MSCs gone within ~3 days)",
    )
    iv_homed_death_per_h: float = P(
        0.04,
        0.0,
        1.0,
        "1/h",
        "extra death rate of intravenously delivered cells at the lesion",
        source="assumed",
    )
    iv_systemic_ev_fraction: float = P(
        0.002,
        0.0,
        1.0,
        "fraction",
        "share of lung-trapped MSCs' vesicles reaching the lesion",
        source="assumed",
    )


class EVParams(Params):
    """How extracellular vesicles are dosed and what taking them up does."""

    au_mm2_per_1e9_particles: float = P(
        0.015,
        0.0,
        30.0,
        "au·mm²",
        "10^9 particles as concentration x area, spread over the lesion (0.05 au on 0.3 mm²)",
        source="assumed",
    )
    iv_lesion_fraction: float = P(
        0.05,
        0.0,
        1.0,
        "fraction",
        "share of an intravenous EV dose that reaches the lesion",
        source="assumed; IV EVs collect mostly in liver and spleen: Takahashi et al. 2013, "
        "J Biotechnol 165:77",
    )
    # In mice: systemic elimination half-life 2.5-13 h; local residence hours to a few days.
    clearance_half_life_h: float = P(
        EV_CLEARANCE_HALF_LIFE_H,
        0.1,
        2000.0,
        "h",
        "half-life of vesicles in tissue: both EV fields clear at ln 2 / this (mice: hours-days)",
        source="assumed; within the hours to days of local EV residence (anchor ev.pk: "
        "Lai et al. 2014, ACS Nano 8:483)",
    )
    macrophage_uptake_per_h: float = P(
        0.3, 0.0, 10.0, "1/h", "EV uptake by a macrophage", source="assumed"
    )
    neuron_uptake_per_h: float = P(
        0.2, 0.0, 10.0, "1/h", "EV uptake at a neuron's axon tip", source="assumed"
    )
    glia_uptake_per_h: float = P(
        0.2, 0.0, 10.0, "1/h", "EV uptake by Schwann cells and oligodendrocytes", source="assumed"
    )
    response_fade_per_h: float = P(
        0.005,
        0.001,
        1.0,
        "1/h",
        "how fast a cell's response to taken-up EVs fades",
        source="assumed",
    )
    ngf_expression_decay_per_h: float = P(
        0.006,
        0.0001,
        1.0,
        "1/h",
        "how fast NGF made from the vesicles' gene cargo fades",
        source="assumed",
    )
    m2_drive_per_au: float = P(
        20.0,
        0.0,
        1000.0,
        "1/au",
        "M2 drive per unit of EV signal in a macrophage",
        source="assumed",
    )
    m2_drive_max: float = P(
        0.15,
        0.01,
        100.0,
        "1",
        "the most M2 drive vesicles can add, however many a macrophage took up",
        source=(
            "calibrated by hand (issue 13): MSC-EV studies report M2 markers raised about "
            "1.5-3x, a partial shift, not a switch (sci.m2_shift_by_therapy, e.g. Lankford et "
            "al. 2018); 0.15 of the strongest natural cue (saturating trophic factor, 1) gives "
            "about 2.5x over days 3-28; without a cap four doses gave 12x"
        ),
    )
    cytokine_suppression_per_au: float = P(
        20.0,
        0.0,
        1000.0,
        "1/au",
        "fall of M1 cytokine secretion per unit of EV signal",
        source="assumed",
    )
    neuroprotection_per_au: float = P(
        5.0,
        0.0,
        1000.0,
        "1",
        "trophic-equivalent support per unit of EV signal in a neuron",
        source="assumed",
    )
    ngf_trophic_per_au_h: float = P(
        0.5,
        0.0,
        100.0,
        "1/h",
        "NGF made per unit of NGF-cargo EV signal (trophic au/h)",
        source="assumed",
    )
    myelination_boost_per_au: float = P(
        20.0,
        0.0,
        1000.0,
        "1/au",
        "relative rise of glial myelination per unit of EV signal",
        source="assumed",
    )


class AdjunctParams(Params):
    """Chondroitinase ABC, rehabilitation and scaffolds."""

    chabc_scar_degradation_per_h: float = P(
        0.03,
        0.0,
        1.0,
        "1/h",
        "CSPG digestion rate where fresh chondroitinase ABC is (falls with its activity)",
        source="assumed",
    )
    rehab_growth_boost: float = P(
        0.8,
        0.0,
        5.0,
        "factor",
        "extra axon growth speed at full task-specific training",
        source="assumed",
    )
    rehab_general_factor: float = P(
        0.35, 0.0, 1.0, "factor", "effect of general (not task-specific) training", source="assumed"
    )
    rehab_consolidation: float = P(
        0.7,
        0.0,
        1.0,
        "fraction",
        "share of scar-driven collapse prevented at full training",
        source="assumed",
    )
    rehab_muscle_protection: float = P(
        0.4,
        0.0,
        1.0,
        "fraction",
        "share of muscle atrophy prevented at full training",
        source="assumed",
    )
    scaffold_guidance: float = P(
        0.6,
        0.0,
        1.0,
        "band",
        "guidance a scaffold gives growth cones in the lesion",
        source="assumed",
    )


class MechanismSwitches(Params):
    """Every therapy mechanism, on or off (for teaching and ablation tests)."""

    ev_anti_inflammatory: bool = Flag(
        True,
        "EVs push macrophages to M2 and damp M1 cytokine",
        source=_KONKUK + " (less inflammation)",
    )
    ev_neuroprotection: bool = Flag(
        True,
        "EVs taken up by neurons support their survival",
        source=_KONKUK + " (more neuron survival)",
    )
    ev_ngf_cargo: bool = Flag(
        True,
        "NGF-cargo EVs make the cells that take them up secrete NGF",
        source=_KONKUK + " (NGF-gene EVs)",
    )
    ev_remyelination: bool = Flag(
        True,
        "EVs raise myelination by Schwann cells and oligos",
        source=_KONKUK + " (more remyelination)",
    )
    graft_inflammation_death: bool = Flag(True, "cytokine kills grafted cells", source="assumed")
    graft_immune_attack: bool = Flag(
        True, "the immune system rejects grafted cells", source="assumed"
    )
    graft_differentiation: bool = Flag(
        True, "progenitors become neuron-like and glial cells", source="assumed"
    )
    graft_relay: bool = Flag(
        True, "graft neurons relay signals across the lesion", source="assumed"
    )
    graft_paracrine: bool = Flag(
        True,
        "grafted cells secrete trophic factor and vesicles",
        source=_EGGENHOFER + " (MSC benefit is paracrine)",
    )
    graft_tumor: bool = Flag(True, "undifferentiated grafted cells can transform", source="assumed")
    graft_cavity_death: bool = Flag(
        True,
        "grafted cells die faster in the cavity of a cleared spinal lesion",
        source="Piltti et al. 2013, Stem Cells Transl Med 2:961 (chronic grafts survive worse)",
    )
    graft_bridge: bool = Flag(
        True,
        "grafted cells fill the cavity with a substrate host axons grow into",
        source="Lu et al. 2012, Cell 150:1264",
    )
    chabc_digestion: bool = Flag(
        True,
        "chondroitinase ABC digests CSPG scar",
        source="Yousefifard et al. 2022, Basic Clin Neurosci 13:609",
    )
    rehab_plasticity: bool = Flag(
        True,
        "training speeds growth and consolidates connections",
        source="Garcia-Alias et al. 2009, Nat Neurosci 12:1145",
    )
    spared_sprouting: bool = Flag(
        True,
        "spared descending fibres sprout collaterals around the lesion (spinal cord)",
        source="Weidner, Ner & Tuszynski 2001, PNAS 98:3513; Bareyre et al. 2004, Nat "
        "Neurosci 7:269",
    )
    scaffold_support: bool = Flag(
        True, "scaffolds guide growth cones and protect grafts", source="assumed"
    )
    nerve_trophic_support: bool = Flag(
        True,
        "neuropathy: trophic factor, vesicles and training raise distal fibres' capacity and "
        "remyelination",
        source="assumed; paracrine MSC support of diabetic nerve (Han et al. 2016, Diabetes "
        "65:486)",
    )
    nerve_regrowth: bool = Flag(
        True,
        "neuropathy: fibres whose capacity exceeds their burden regrow toward their targets",
        source="REFERENCE.md pni.regrowth (1-3 mm/day)",
    )
    ngf_pain_sensitization: bool = Flag(
        True,
        "NGF around regrowing sensory fibres sensitizes them (pain as a side effect)",
        source="Lewin, Ritter & Mendell 1993, J Neurosci 13:2136",
    )
    bridge_schwann_migration: bool = Flag(
        True,
        "repair Schwann cells migrate from the stumps into a tube or conduit across a gap",
        source="Williams et al. 1983, J Comp Neurol 218:460",
    )
    cns_myelin_inhibition: bool = Flag(
        True,
        "intact CNS white matter carries myelin inhibitors that slow growth cones",
        source="Anderson et al. 2016, Nature 532:195; Anderson et al. 2018, Nature 561:396",
    )
    lower_motor_neurons_intact: bool = Flag(
        True,
        "spinal muscles stay innervated: disuse wasting, regrowth with use (off: denervated)",
        source="standard neuroanatomy (sci.lmn_intact); Hutchinson, Linderman & Basso 2001, "
        "J Neurotrauma 18:1075",
    )


# ------------------------------------------------------------------------------ interventions
class _Scheduled(Params):
    day: float = P(
        21.0,
        0.0,
        365.0,
        "days",
        "day after injury of the first dose",
        source="assumed",
    )
    repeat_every_days: float = P(
        7.0, 0.5, 180.0, "days", "interval between repeated doses", source="assumed"
    )
    doses: int = P(1, 1, 52, "doses", "number of doses", source="assumed")

    def dose_days(self) -> list[float]:
        """Days of every dose."""
        return [self.day + k * self.repeat_every_days for k in range(self.doses)]


class CellTransplant(_Scheduled):
    """A transplant of stem or stromal cells."""

    # Declared again (same default, range and place) for the source of a transplant's day.
    day: float = P(
        21.0,
        0.0,
        365.0,
        "days",
        "day after injury of the first dose",
        source="assumed; inside the 14-28 day window of " + _KEIO,
    )
    kind: Literal["cell_transplant"] = "cell_transplant"
    source: Literal["ipsc_npc", "msc", "nsc_msc"] = Choice(
        "ipsc_npc",
        "iPSC-derived neural progenitors, mesenchymal stromal cells, or both",
        source=_KEIO + " (iPSC-derived neural progenitors)",
    )
    dose_cells: float = P(
        2.0e6, 1.0e3, 1.0e8, "cells", "cells per dose", source=_KEIO + " (2 million cells)"
    )
    route: Literal["local", "iv"] = Choice(
        "local",
        "injection into the lesion, or intravenous",
        source=_KEIO + " (injected into the lesion)",
    )
    immunosuppression_days: float = P(
        0.0, 0.0, 365.0, "days", "immunosuppressive drugs from the first dose on", source="assumed"
    )
    undifferentiated_fraction: float = P(
        0.05,
        0.0,
        1.0,
        "fraction",
        "share of progenitor cells still undifferentiated (iPSC)",
        source="assumed",
    )
    scaffold: bool = Flag(
        False, "cells delivered in a scaffold that bridges the lesion", source="assumed"
    )


class EVTherapy(_Scheduled):
    """Extracellular vesicles, optionally carrying the NGF gene."""

    kind: Literal["ev"] = "ev"
    dose_particles: float = P(
        1.0e10, 1.0e6, 1.0e14, "particles", "vesicles per dose", source="assumed"
    )
    route: Literal["local", "iv"] = Choice(
        "local",
        "injection at the lesion, or intravenous",
        source="assumed",
    )
    cargo: Literal["ngf", "none"] = Choice(
        "ngf", "NGF gene cargo, or none", source=_KONKUK + " (NGF-gene EVs)"
    )


class Chondroitinase(_Scheduled):
    """Chondroitinase ABC: an enzyme injected into the lesion that digests CSPG scar where it
    reaches, losing activity with a half-life. Most studies give it again and again (repeated
    injections or an intrathecal catheter for days to weeks): ``doses`` every
    ``repeat_every_days``."""

    kind: Literal["chondroitinase"] = "chondroitinase"
    day: float = P(7.0, 0.0, 365.0, "days", "day after injury it is given", source="assumed")
    repeat_every_days: float = P(
        2.0,
        0.5,
        180.0,
        "days",
        "interval between repeated doses",
        source="Garcia-Alias et al. 2008, Exp Neurol 210:331 (6 injections on alternate days, "
        "started up to 7 days after injury); Carter et al. 2008 (days 0-10, every 2 days); "
        "Bradbury et al. 2002, Nature 416:636 (10 days intrathecal)",
    )
    half_life_h: float = P(
        24.0,
        1.0,
        720.0,
        "h",
        "half-life of the enzyme's activity in the tissue",
        source="assumed from Tester et al. 2007, J Neurosci Methods (most activity lost within "
        "days at body temperature)",
    )
    spread_um: float = P(
        250.0,
        0.0,
        3000.0,
        "µm",
        "how far beyond the lesion edge the injected enzyme reaches",
        source="assumed",
    )


class Rehabilitation(Params):
    """Training: use-dependent plasticity."""

    kind: Literal["rehabilitation"] = "rehabilitation"
    day: float = P(14.0, 0.0, 365.0, "days", "day after injury training starts", source="assumed")
    intensity: float = P(0.7, 0.0, 1.0, "fraction", "training intensity", source="assumed")
    task_specific: bool = Flag(
        True, "task-specific training (versus general exercise)", source="assumed"
    )
    duration_days: float = P(
        365.0,
        1.0,
        365.0,
        "days",
        "how long training lasts (the default outlasts any run)",
        source="assumed; a course such as 12 weeks (msc.neuropathy_case)",
    )


class Scaffold(Params):
    """A biomaterial bridge placed in the lesion."""

    kind: Literal["scaffold"] = "scaffold"
    day: float = P(0.0, 0.0, 365.0, "days", "day after injury it is placed", source="assumed")


Intervention = Annotated[
    CellTransplant
    | EVTherapy
    | Chondroitinase
    | Rehabilitation
    | Scaffold
    | GlucoseControl
    | Chemotherapy,
    Field(discriminator="kind"),
]

#: Intervention classes by their ``kind``.
INTERVENTION_TYPES: dict[str, type[Params]] = {
    "cell_transplant": CellTransplant,
    "ev": EVTherapy,
    "chondroitinase": Chondroitinase,
    "rehabilitation": Rehabilitation,
    "scaffold": Scaffold,
    "glucose_control": GlucoseControl,
    "chemotherapy": Chemotherapy,
}
