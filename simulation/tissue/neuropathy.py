"""Chronic peripheral neuropathy: a length-dependent axonopathy over months to years.

Diabetic and chemotherapy-induced neuropathy are diseases, not injuries: the longest sensory
axons lose their distal ends first ("dying back", a stocking distribution), conduction slows
where Schwann cells lose myelin, and response amplitudes fall as fibres stop reaching the
recording site (REFERENCE.md, normal values). The tissue grid (a 2-D slice, hourly ticks) cannot
hold a metre-long nerve for a year, so this condition is a **reduced representation**:

- **Fibres.** A population of ``neuropathy.fibres`` sensory fibre agents of one leg (each
  stands for many real fibres), kept as arrays (a sheet): target length (``length_min_mm`` to
  ``length_max_mm``, soma in the lumbosacral ganglia, endings from the calf to the toes), the
  distal end actually reached, myelin quality (0 bare .. 1 normal), a susceptibility (log-normal
  spread) and how long the fibre has been away from its target.
- **Burden and capacity.** The soma and axonal transport must sustain the whole axon, so a
  fibre's burden is its length times the stress per metre: long-lived glycation damage (laid
  down in proportion to HbA1c above normal, turning over in years: the metabolic memory of the
  DCCT/EDIC trials), a reversible glycaemic stress, and a neurotoxic drug burden (chemotherapy
  cycles, cleared over months). Its capacity is 1, raised by trophic support. A fibre whose
  burden exceeds its capacity dies back at ``dieback_mm_per_day`` per unit of excess; so the
  longest (and most susceptible) fibres lose their ends first, and with no stress nothing is
  lost. A fibre with capacity to spare regrows toward its target at the PNS growth rate
  (``regrowth_mm_per_day``, REFERENCE.md pni.regrowth), scaled by its distal pathway: the
  denervated Schwann cells beyond the end, whose support halves every
  ``pathway_half_life_days`` since the fibre left its target. Fibres lost long ago (late stage)
  therefore barely regrow, whatever the therapy.
- **Myelin.** Schwann cells demyelinate in proportion to the metabolic stress (glycation
  damage and glycaemia; the chemotherapy drugs here are axonal toxins and do not demyelinate)
  and remyelinate toward normal, faster with trophic support and taken-up vesicles.
- **Support from therapies.** The grid stands for a patch of the distal nerve: intravenous MSCs
  (mostly in the lungs, :class:`~simulation.agents.graft.LungDepot`) send vesicles there, homed
  cells secrete trophic factor, EV doses are injected there; the fibres read the patch's mean
  trophic factor and take up vesicles with the Schwann cells' uptake rate, answered by the
  shared vesicle rules (:mod:`simulation.agents.mechanisms.vesicles`: neuroprotection as
  trophic-equivalent support, the myelination boost). Training adds activity-dependent trophic
  support while it lasts. Glucose control moves HbA1c toward a target (half-time
  ``hba1c_half_life_days``).
- **Day 0** is the first conduction study: before it the disease has run ``disease_years``
  at the host's HbA1c (``host.hba1c_percent``), stepped every ``history_step_days``.

What a study records comes from the one conduction rule
(:mod:`simulation.agents.mechanisms.conduction`): the sural-like sensory velocity from the
fastest fibres still reaching past the recording site at the ankle, the SNAP amplitude from how
many do, as a percentage of a normal nerve's. Illustrative only: a teaching model, not a
prognosis.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.agents.mechanisms import conduction, vesicles
from simulation.scenario.schema import LN2

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel

DAYS_PER_YEAR = 365.25


def advance_fibres(
    length: np.ndarray,
    end: np.ndarray,
    myelin: np.ndarray,
    away_days: np.ndarray,
    susceptibility: np.ndarray,
    axon_stress: float,
    myelin_stress: float,
    support: float,
    remyelination_boost: float,
    dt_days: float,
    p: Any,
    regrowth: bool = True,
) -> None:
    """One step of every fibre, in place.

    Args:
        length, end: each fibre's target length and the distal end it reaches (mm).
        myelin: myelin quality (0 bare .. 1 normal).
        away_days: days since the fibre's end left its target (0 while it innervates it).
        susceptibility: each fibre's stress multiplier.
        axon_stress: burden per metre of axon (au/m), before susceptibility.
        myelin_stress: the metabolic stress Schwann cells demyelinate with (au).
        support: trophic support (0 .. 1, saturating).
        remyelination_boost: multiplier of remyelination from taken-up vesicles (>= 1).
        dt_days: the step.
        p: the scenario's ``neuropathy`` parameters.
        regrowth: whether supported fibres regrow (``mechanisms.nerve_regrowth``).
    """
    capacity = 1.0 + p.support_capacity_gain * support
    burden = susceptibility * axon_stress * end / 1000.0
    excess = burden - capacity
    dying = excess > 0.0
    end[dying] -= p.dieback_mm_per_day * excess[dying] * dt_days
    if regrowth:
        short = ~dying & (end < length)
        spare = -excess[short]
        pathway = 0.5 ** (away_days[short] / p.pathway_half_life_days)
        speed = p.regrowth_mm_per_day * pathway * spare / (spare + p.regrowth_half_margin)
        end[short] = np.minimum(length[short], end[short] + speed * dt_days)
    np.maximum(end, 0.0, out=end)
    at_target = end >= length - p.terminal_tolerance_mm
    away_days[:] = np.where(at_target, 0.0, away_days + dt_days)
    # Myelin relaxes exactly toward its balance of remyelination and demyelination.
    gain = p.remyelination_per_day * (1.0 + p.support_remyelination_gain * support)
    gain *= remyelination_boost
    loss = p.demyelination_per_day * susceptibility * myelin_stress
    rate = gain + loss
    balance = np.divide(gain, rate, out=np.ones_like(rate), where=rate > 0)
    myelin[:] = balance + (myelin - balance) * np.exp(-rate * dt_days)


def relax(value: float, target: float, half_life: float, dt: float) -> float:
    """``value`` after ``dt`` of exponential approach to ``target`` with ``half_life``."""
    return target + (value - target) * 0.5 ** (dt / half_life)


class ChronicNerve:
    """The fibres of one leg nerve and what drives them (module docstring).

    Attributes:
        hba1c_percent: glycated haemoglobin now; ``hba1c_target`` where control moves it.
        damage_au: long-lived glycation damage per metre of axon.
        drug_au: neurotoxic drug burden, as stress per metre of axon.
        ev_signal_au: vesicles taken up by the nerve's Schwann cells, fading.
        support: the trophic support of the last step (0 .. 1).
    """

    def __init__(self, model: NerveRepairModel) -> None:
        sc = model.scenario
        p = self.p = sc.neuropathy
        self.model = model
        rng = model.streams.generator("neuropathy fibres", 0)
        n = p.fibres
        lo, hi = sorted((p.length_min_mm, p.length_max_mm))
        self.length = rng.uniform(lo, hi, n)
        self.end = self.length.copy()
        self.myelin = np.ones(n)
        self.away_days = np.zeros(n)
        self.susceptibility = np.exp(rng.normal(0.0, p.susceptibility_sd, n))
        self.hba1c_percent = sc.host.hba1c_percent
        self.hba1c_target = self.hba1c_percent
        self.damage_au = 0.0
        self.drug_au = 0.0
        self.ev_signal_au = 0.0
        self.support = 0.0
        self._history()

    # ------------------------------------------------------------------ drivers
    @property
    def glycaemic_excess_percent(self) -> float:
        """HbA1c above normal, in % points (0 at or below normal)."""
        return max(0.0, self.hba1c_percent - self.p.hba1c_normal_percent)

    @property
    def metabolic_stress_au(self) -> float:
        """Glycation damage plus the reversible glycaemic stress (what demyelinates)."""
        return self.damage_au + self.p.glycaemic_stress_per_percent * self.glycaemic_excess_percent

    @property
    def axon_stress_au(self) -> float:
        """Burden per metre of axon: metabolic stress plus the neurotoxic drug."""
        return self.metabolic_stress_au + self.drug_au

    def _advance_drivers(self, dt_days: float) -> None:
        p = self.p
        self.hba1c_percent = relax(
            self.hba1c_percent, self.hba1c_target, p.hba1c_half_life_days, dt_days
        )
        half_life = p.damage_half_life_years * DAYS_PER_YEAR
        laid = p.glycation_damage_per_percent_year / DAYS_PER_YEAR * self.glycaemic_excess_percent
        # dA/dt = laid - A ln2 / half-life, solved exactly over the step.
        self.damage_au = relax(self.damage_au, laid * half_life / LN2, half_life, dt_days)
        self.drug_au *= 0.5 ** (dt_days / p.drug_half_life_days)

    def _history(self) -> None:
        """The years of disease before day 0, at the host's HbA1c, without any therapy."""
        p = self.p
        days = p.disease_years * DAYS_PER_YEAR
        steps = math.ceil(days / p.history_step_days - 1e-9)
        if steps == 0:
            return
        dt = days / steps
        regrowth = self.model.scenario.mechanisms.nerve_regrowth
        for _ in range(steps):
            self._advance_drivers(dt)
            self._advance_fibres(0.0, 1.0, dt, regrowth)

    def _advance_fibres(self, support: float, boost: float, dt_days: float, regrowth: bool) -> None:
        advance_fibres(
            self.length,
            self.end,
            self.myelin,
            self.away_days,
            self.susceptibility,
            self.axon_stress_au,
            self.metabolic_stress_au,
            support,
            boost,
            dt_days,
            self.p,
            regrowth,
        )

    # ------------------------------------------------------------------ interventions
    def control_glucose(self, target_percent: float) -> None:
        """Glucose optimisation: HbA1c moves toward ``target_percent`` from now on."""
        self.hba1c_target = target_percent

    def dose_drug(self, drug: str, dose_mg_per_m2: float) -> None:
        """One chemotherapy cycle adds to the neurotoxic burden."""
        potency = getattr(self.p, f"{drug}_stress_per_g_m2")
        self.drug_au += potency * dose_mg_per_m2 / 1000.0

    # ------------------------------------------------------------------ the tick
    def trophic_support(self) -> tuple[float, float]:
        """Support now (0 .. 1) and the vesicles' remyelination multiplier, from the distal
        nerve patch (the grid): trophic factor, vesicles taken up, training."""
        model = self.model
        on = model.scenario.mechanisms
        k = model.vesicle_knobs
        uptake = model.scenario.ev.glia_uptake_per_h
        self.ev_signal_au *= float(k[vesicles.EV_KEEP])
        if model.ev_active:
            seen = float(model.fields["ev"].mean() + model.fields["ev_ngf"].mean())
            self.ev_signal_au += seen * -math.expm1(-uptake * model.dt_h)
        if self.ev_signal_au < vesicles.NEGLIGIBLE_AU:
            self.ev_signal_au = 0.0
        if not on.nerve_trophic_support:
            return 0.0, 1.0
        trophic = float(model.fields["trophic"].mean())
        trophic += vesicles.neuroprotection(self.ev_signal_au, k)
        if on.rehab_plasticity:
            trophic += model.therapy.rehab(model.hours) * self.p.rehab_trophic_au
        support = trophic / (trophic + self.p.trophic_half_au)
        # Vesicles act through the saturating support alone (their neuroprotection as
        # trophic-equivalent): a chronic nerve's remyelination is bounded by its Schwann cells.
        return support, 1.0

    def step(self) -> None:
        """One tick of the disease and its therapies."""
        dt_days = self.model.dt_h / 24.0
        self._advance_drivers(dt_days)
        self.support, boost = self.trophic_support()
        regrowth = self.model.scenario.mechanisms.nerve_regrowth
        self._advance_fibres(self.support, boost, dt_days, regrowth)

    # ------------------------------------------------------------------ what a study records
    def _recorded(self) -> np.ndarray:
        """Fibres that run past the recording site in a normal nerve."""
        return self.length >= self.p.recording_site_mm

    def _conducting(self) -> np.ndarray:
        """Fibres that still reach past the recording site."""
        return self._recorded() & (self.end >= self.p.recording_site_mm)

    def sensory_velocity_m_per_s(self) -> float:
        """Sural-like sensory conduction velocity (0 when no response: too few fibres left for
        a response above ``snap_detection_percent``)."""
        if self.snap_amplitude_percent() < self.p.snap_detection_percent:
            return 0.0
        c = self.model.scenario.conduction
        fibres = self._conducting()
        return conduction.conduction_velocity_m_per_s(
            conduction.fibre_velocity_m_per_s(self.myelin[fibres], c), c
        )

    def snap_amplitude_percent(self) -> float:
        """Sensory nerve action potential amplitude, % of a normal nerve's."""
        return conduction.amplitude_percent(
            float(self._conducting().sum()), float(self._recorded().sum())
        )

    def distal_fibre_density_percent(self) -> float:
        """Share of the distal skin's fibres whose endings still reach it, %
        (intraepidermal-fibre-density-like)."""
        skin = self.length >= self.p.skin_site_mm
        if not skin.any():
            return 0.0
        reach = self.end[skin] >= self.length[skin] - self.p.terminal_tolerance_mm
        return 100.0 * float(reach.mean())

    def dieback_mean_mm(self) -> float:
        """Mean distal length lost per fibre, mm."""
        return float((self.length - self.end).mean())
