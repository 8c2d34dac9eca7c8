"""Schema of chronic peripheral neuropathy: the fibre population, what drives its loss, and the
two interventions only this condition has (glucose control, neurotoxic chemotherapy).

The condition is a reduced representation (:mod:`simulation.tissue.neuropathy`): a population of
sensory fibres of one leg, each with a length, a distal end, myelin and a distal pathway, over
months on a coarse tick. Every number is here with units, range and source.
"""

from __future__ import annotations

from typing import Literal

from simulation.scenario.base import Choice, P, Params

_NUMERICS = "assumed (model resolution)"
_ADA = (
    "American Diabetes Association 2010, Diabetes Care 33:S62 (HbA1c < 5.7 % normal, >= 6.5 % "
    "diabetes)"
)
_TAHARA = "Tahara & Shima 1995, Diabetes Care 18:440 (half of HbA1c from the last 30 days)"
_FU_GORDON = "Fu & Gordon 1995, J Neurosci 15:3886; Sulaiman & Gordon 2000, Glia 32:234"
_DCCT = (
    "DCCT 1993, N Engl J Med 329:977 (intensive control cut clinical neuropathy by 60 %); "
    "DCCT/EDIC metabolic memory (Martin et al. 2006, Diabetes Care 29:340)"
)


class NeuropathyParams(Params):
    """A chronic, length-dependent axonopathy (used when ``injury.type = "neuropathy"``).

    Each fibre carries a burden proportional to its length times the stress per metre of axon
    (glycation damage, glycaemia, a neurotoxic drug) and has a capacity to sustain it (1, more
    with trophic support). When the burden exceeds the capacity its distal end dies back; when
    support exceeds it, it regrows toward its target at the PNS growth rate, as far as its
    denervated distal pathway (which fades with time) still allows.
    """

    fibres: int = P(
        400,
        50,
        5000,
        "fibres",
        "sensory fibre agents of one leg nerve (each stands for many fibres)",
        source=_NUMERICS,
    )
    disease_years: float = P(
        8.0,
        0.0,
        40.0,
        "years",
        "years the condition has run before day 0 (the first conduction study)",
        source="assumed; diabetic neuropathy develops over years of hyperglycaemia",
    )
    history_step_days: float = P(
        7.0, 1.0, 30.0, "days", "tick of the disease history before day 0", source=_NUMERICS
    )
    length_min_mm: float = P(
        600.0,
        100.0,
        1200.0,
        "mm",
        "shortest fibre: soma in the lumbosacral ganglia to an ending in the calf",
        source="textbook anatomy: the longest human sensory axons reach the toes, about 1 m (t)",
    )
    length_max_mm: float = P(
        1000.0,
        100.0,
        1500.0,
        "mm",
        "longest fibre: to the toes",
        source="textbook anatomy: the longest human sensory axons reach the toes, about 1 m (t)",
    )
    affected_length_mm: float = P(
        200.0,
        1.0,
        2000.0,
        "mm",
        "distal nerve a local dose spreads along (the grid, a patch of it, holds its share)",
        source="assumed (the distal leg nerves, about the lower third of a 1 m axon; a diffuse "
        "disease dilutes a dose far more than a focal lesion does)",
    )
    recording_site_mm: float = P(
        850.0,
        100.0,
        1500.0,
        "mm",
        "soma to the sural-like recording site (ankle); fibres reaching past it respond",
        source="assumed (sural nerve recorded behind the lateral malleolus)",
    )
    snap_detection_percent: float = P(
        5.0,
        0.0,
        50.0,
        "% of normal",
        "a sensory response smaller than this is lost in the noise: no response, no velocity",
        source="assumed; sural responses under about 1 µV are reported absent (normal about "
        "10-20 µV, textbook values, t)",
    )
    skin_site_mm: float = P(
        900.0,
        100.0,
        1500.0,
        "mm",
        "fibres ending beyond this are the distal skin's (the fibre density site)",
        source="assumed (intraepidermal fibre density is read at the distal leg; Lauria et al. "
        "2010, Eur J Neurol 17:903)",
    )
    terminal_tolerance_mm: float = P(
        5.0,
        0.1,
        100.0,
        "mm",
        "an ending within this of its target still innervates it",
        source="assumed",
    )
    susceptibility_sd: float = P(
        0.3,
        0.0,
        1.0,
        "log units",
        "fibre-to-fibre spread of susceptibility (log-normal sd): loss is graded, not a step",
        source="assumed",
    )
    hba1c_normal_percent: float = P(
        5.7, 4.0, 7.0, "%", "HbA1c below which glycaemia adds no stress", source=_ADA
    )
    hba1c_half_life_days: float = P(
        30.0,
        5.0,
        120.0,
        "days",
        "half-time of HbA1c's approach to a new glucose level (red-cell turnover)",
        source=_TAHARA,
    )
    glycation_damage_per_percent_year: float = P(
        0.058,
        0.0,
        1.0,
        "au/(% year)",
        "long-lived glycation damage (AGE-like) laid down per year per % HbA1c above normal",
        source="calibrated by hand: HbA1c 8.2 % for 8 years brings sensory conduction about 30 "
        "% below normal (msc.neuropathy_case); damage that outlasts better control is the "
        "metabolic memory of " + _DCCT,
    )
    damage_half_life_years: float = P(
        10.0,
        1.0,
        50.0,
        "years",
        "turnover of glycation damage (slow: metabolic memory)",
        source="assumed; long-lived proteins turn over in years (skin collagen half-life about "
        "15 years, Verzijl et al. 2000, J Biol Chem 275:39027)",
    )
    glycaemic_stress_per_percent: float = P(
        0.1,
        0.0,
        2.0,
        "au/%",
        "reversible stress per metre of axon per % HbA1c above normal (gone within months)",
        source="assumed; conduction velocity improves within months of better control (DCCT 1993)",
    )
    oxaliplatin_stress_per_g_m2: float = P(
        3.0,
        0.0,
        20.0,
        "au per g/m²",
        "stress per metre of axon per g/m² of oxaliplatin retained in the ganglia",
        source="calibrated by hand (seed 0): with 12 cycles of 85 mg/m² the distal fibres "
        "start to go after about 4-6 cycles, the sural-like amplitude is lowest (about 80 %) "
        "two months after the last dose and recovers partly by 12 months: cumulative-dose "
        "neuropathy of Andre et al. 2004, N Engl J Med 350:2343, coasting of Grothey 2003",
    )
    paclitaxel_stress_per_g_m2: float = P(
        0.9,
        0.0,
        20.0,
        "au per g/m²",
        "stress per metre of axon per g/m² of paclitaxel retained",
        source="assumed; dose-dependent, usually above about 1 g/m² cumulative (Quasthoff & "
        "Hartung 2002, J Neurol 249:9)",
    )
    drug_half_life_days: float = P(
        90.0,
        1.0,
        1000.0,
        "days",
        "half-life of the neurotoxic burden in ganglia and axons",
        source="assumed; symptoms of oxaliplatin neuropathy keep worsening ('coasting') for "
        "2-3 months after the last dose (Grothey 2003, Semin Oncol 30:5)",
    )
    dieback_mm_per_day: float = P(
        0.5,
        0.0,
        10.0,
        "mm/day",
        "die-back speed of a distal end per unit of burden above capacity",
        source="assumed; slow enough that distal loss lags the stress by months",
    )
    regrowth_mm_per_day: float = P(
        1.0,
        0.0,
        3.0,
        "mm/day",
        "regrowth of a supported fibre toward its target on a fresh distal pathway",
        source="REFERENCE.md pni.regrowth 1-3 mm/day (lower end: regeneration is slower in "
        "diabetic nerve, Kennedy & Zochodne 2000, Brain 123:2118)",
    )
    regrowth_half_margin: float = P(
        0.1,
        0.001,
        10.0,
        "au",
        "capacity left over the burden at which regrowth is at half speed",
        source="assumed",
    )
    pathway_half_life_days: float = P(
        90.0,
        5.0,
        2000.0,
        "days",
        "half-life of the distal pathway's support (denervated Schwann cells) after a fibre "
        "left its target",
        source="assumed order: repair Schwann cell support fades over months of chronic "
        "denervation (" + _FU_GORDON + ")",
    )
    remyelination_per_day: float = P(
        0.01,
        0.0,
        1.0,
        "1/day",
        "Schwann cells restoring myelin toward normal",
        source="assumed",
    )
    demyelination_per_day: float = P(
        0.0062,
        0.0,
        1.0,
        "1/(day au)",
        "myelin loss per unit of metabolic stress (glycation damage and glycaemia)",
        source="calibrated by hand with glycation_damage_per_percent_year (the same target)",
    )
    trophic_half_au: float = P(
        0.05,
        0.001,
        10.0,
        "au",
        "trophic support (factor plus vesicle-equivalent) giving half the fibres' response",
        source="assumed",
    )
    support_capacity_gain: float = P(
        0.15,
        0.0,
        2.0,
        "fraction",
        "rise of a fibre's capacity at saturating trophic support",
        source="assumed; MSC-derived factors support diabetic nerve (Han et al. 2016, "
        "Diabetes 65:486, in rodents)",
    )
    support_remyelination_gain: float = P(
        1.0,
        0.0,
        10.0,
        "fraction",
        "rise of remyelination at saturating trophic support",
        source="assumed",
    )
    rehab_trophic_au: float = P(
        0.03,
        0.0,
        1.0,
        "au",
        "trophic-equivalent support of full-intensity exercise training",
        source="assumed; 10 weeks of exercise raised intraepidermal fibre branching in diabetic "
        "neuropathy (Kluding et al. 2012, J Diabetes Complications 26:424)",
    )


class GlucoseControl(Params):
    """Glucose optimisation: HbA1c moves toward a target from this day on (a host change)."""

    kind: Literal["glucose_control"] = "glucose_control"
    day: float = P(0.0, 0.0, 365.0, "days", "day better control starts", source="assumed")
    target_hba1c_percent: float = P(
        7.0,
        4.5,
        14.0,
        "%",
        "HbA1c the control aims at",
        source="ADA glycaemic target for most adults, HbA1c < 7 % (Diabetes Care 2024, 47:S111)",
    )


class Chemotherapy(Params):
    """Cycles of a neurotoxic drug: each adds to the drug burden of ganglia and axons."""

    kind: Literal["chemotherapy"] = "chemotherapy"
    drug: Literal["oxaliplatin", "paclitaxel"] = Choice(
        "oxaliplatin",
        "the neurotoxic drug (its potency is neuropathy.<drug>_stress_per_g_m2)",
        source="assumed",
    )
    day: float = P(0.0, 0.0, 365.0, "days", "day of the first cycle", source="assumed")
    dose_mg_per_m2: float = P(
        85.0,
        1.0,
        500.0,
        "mg/m²",
        "dose per cycle",
        source="FOLFOX: oxaliplatin 85 mg/m² every 2 weeks (Andre et al. 2004)",
    )
    cycles: int = P(12, 1, 52, "cycles", "number of cycles", source="FOLFOX: 12 cycles")
    cycle_days: float = P(
        14.0, 1.0, 60.0, "days", "interval between cycles", source="FOLFOX: every 2 weeks"
    )

    def dose_days(self) -> list[float]:
        """Days of every cycle."""
        return [self.day + k * self.cycle_days for k in range(self.cycles)]
