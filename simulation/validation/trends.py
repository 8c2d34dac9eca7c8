"""The therapy trends NerveSim must show (:mod:`simulation.validation.checks` runs them).

Each effect is computed per seed from the arms' time series and is positive when the trend
holds; the margin is the least mean effect that counts. REFERENCE.md publishes no effect size
for these therapy trends in rodents (the Konkuk EV study and the graft and MSC anchors are
qualitative), so each margin is the project's stated least effect worth reporting, never lowered
to make a trend pass; each trend's ``source`` says which anchor it follows.

Not trends, and why (see ``tests/test_ablations.py`` for what became unit tests):

- ``ablate_ev_anti_inflammatory`` and ``ablate_graft_rejection`` switched off the only path of
  an effect and measured exactly 1.0 (the whole effect gone): true by construction, a unit test.
- ``ev_no_cells`` and ``tumor_none_without_progenitors``: a vesicle or MSC arm has no path to
  grafted neural cells or tumors (only a cell transplant places clusters; only undifferentiated
  iPSC cells transform), so they measured +1 by construction: unit tests.
- ``msc_iv_cleared`` ("under 1 % of each IV dose at the lesion 3 days later") had its threshold
  equal to the parameter ``transplant.iv_homing_fraction`` (1 % of an IV dose reaches the
  lesion), so it held whenever any homed cell died. The literature claim (msc.iv: IV MSCs are
  mostly trapped in the lungs and gone within about 3 days) concerns the lungs, which no metric
  records; it is dropped until the model reports where IV cells are.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simulation.validation.checks import (
    CRUSH_56,
    SPINAL,
    UNTREATED_TRENDS,
    Arm,
    Trend,
    at_day,
    window_mean,
)

# ------------------------------------------------------------------------------ arms
IPSC_DAY21 = Arm("spinal_cord_ipsc_npc_day21.toml", 70)
IPSC_ACUTE = Arm("spinal_cord_ipsc_npc_acute.toml", 29)
IPSC_NO_IMMUNO = Arm("spinal_cord_ipsc_npc_no_immunosuppression.toml", 49)
IPSC_UNDIFFERENTIATED = Arm("spinal_cord_ipsc_npc_undifferentiated.toml", 70)
NSC_MSC = Arm("spinal_cord_nsc_msc.toml", 49)
MSC_LOCAL = Arm("spinal_cord_msc_local.toml", 42)
MSC_IV = Arm("spinal_cord_msc_iv.toml", 42)
CHABC = Arm("spinal_cord_chabc.toml", 42)
EV_NGF = Arm("peripheral_crush_ev_ngf.toml", 56)
CHABC_REHAB = Arm("spinal_cord_chabc_rehab.toml", 42)
SCAFFOLD = Arm("spinal_cord_scaffold.toml", 84)
SCAFFOLD_CHABC = Arm("spinal_cord_scaffold_chabc.toml", 84)


# ------------------------------------------------------------------------------ measures
def _delivery_day(ts: pd.DataFrame) -> float:
    """First recorded day with grafted cells at the site."""
    days = ts.loc[ts["grafted_cells_alive_count"] > 0, "day"]
    return float(days.iloc[0]) if len(days) else float("nan")


def _inflammation(ts: pd.DataFrame) -> float:
    return window_mean(ts, "inflammation_mean_au", 1, 56)


def ev_lowers_inflammation(runs: Sequence[pd.DataFrame]) -> float:
    """Relative fall of mean inflammation over days 1-56 (the whole course) with EV-NGF."""
    untreated, ev = runs
    base = _inflammation(untreated)
    return (base - _inflammation(ev)) / base


def gain(column: str, day: float, treated: str, control: str):
    """The effect "``column`` at ``day``: the second arm (``treated``) minus the first
    (``control``)", per seed."""

    def effect(runs: Sequence[pd.DataFrame]) -> float:
        control_run, treated_run = runs
        return at_day(treated_run, column, day) - at_day(control_run, column, day)

    effect.__doc__ = f"{treated} minus {control}: {column} at day {day:g}."
    return effect


def _ev_gain(column: str, day: float):
    return gain(column, day, "EV-NGF", "untreated")


def graft_count_falls(runs: Sequence[pd.DataFrame]) -> float:
    """Smallest, over the arms, relative fall of grafted cells from 7 days after delivery."""
    drops = []
    for ts in runs:
        start = at_day(ts, "grafted_cells_alive_count", _delivery_day(ts) + 7)
        end = float(ts["grafted_cells_alive_count"].iloc[-1])
        drops.append((start - end) / start if start > 0 else -1.0)
    return min(drops)


def survival_28_days_after(ts: pd.DataFrame) -> float:
    """Grafted-cell survival fraction 28 days after delivery."""
    return at_day(ts, "grafted_survival_fraction", _delivery_day(ts) + 28)


def later_delivery_survives_better(runs: Sequence[pd.DataFrame]) -> float:
    """Survival 28 days after transplant: day-21 delivery minus day-1 delivery."""
    day21, acute = runs
    return survival_28_days_after(day21) - survival_28_days_after(acute)


def immunosuppression_helps(runs: Sequence[pd.DataFrame]) -> float:
    """Survival 28 days after transplant: with minus without immunosuppression."""
    with_drugs, without = runs
    return survival_28_days_after(with_drugs) - survival_28_days_after(without)


def undifferentiated_cells_raise_tumors(runs: Sequence[pd.DataFrame]) -> float:
    """Tumor events by day 70: 20 % minus 1 % undifferentiated cells."""
    standard, undifferentiated = runs
    return float(
        undifferentiated["tumor_events_count"].iloc[-1] - standard["tumor_events_count"].iloc[-1]
    )


def chabc_lowers_scar(runs: Sequence[pd.DataFrame]) -> float:
    """Scar area at day 42: untreated minus chondroitinase ABC."""
    untreated, chabc = runs
    return at_day(untreated, "scar_area_fraction", 42) - at_day(chabc, "scar_area_fraction", 42)


#: Axons bridged by day 84 (the course's end) beyond a bridging scaffold.
chabc_raises_bridging = gain(
    "axons_bridged_fraction", 84, "scaffold with chondroitinase ABC", "scaffold alone"
)
#: Descending connectivity at day 42.
chabc_raises_connectivity = gain(
    "descending_connectivity_fraction", 42, "chondroitinase ABC with rehab", "untreated"
)


def local_msc_beats_iv(runs: Sequence[pd.DataFrame]) -> float:
    """Function index at day 42: local minus intravenous MSCs at equal dose."""
    local, iv = runs
    return at_day(local, "function_index", 42) - at_day(iv, "function_index", 42)


_KONKUK = "ev.konkuk: Konkuk University with SNU, Acta Neuropathol 2025 (qualitative)"
_GRAFT = "sci.graft_survival: Piltti et al. 2013 (qualitative here)"
_NO_SIZE = "no published effect size; the margin is the model's least effect worth reporting"

THERAPY_TRENDS: tuple[Trend, ...] = (
    Trend(
        "ev_less_inflammation",
        "EV-NGF lowers mean inflammation over days 1-56, the whole course (crush)",
        (CRUSH_56, EV_NGF),
        ev_lowers_inflammation,
        0.03,
        "relative fall",
        source=_KONKUK + " (less inflammation); " + _NO_SIZE,
    ),
    Trend(
        "ev_neuron_survival",
        "EV-NGF raises neuron survival at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("neuron_survival_fraction", 56),
        0.02,
        "fraction",
        source=_KONKUK + " (more neuron survival); " + _NO_SIZE,
    ),
    Trend(
        "ev_axon_length",
        "EV-NGF lengthens regrowing axons (day 14, while they regrow: once axons reach the "
        "muscle both arms' lengths meet it)",
        (CRUSH_56, EV_NGF),
        _ev_gain("axon_length_mean_um", 14),
        200.0,
        "µm",
        source=_KONKUK + " (longer axons); " + _NO_SIZE,
    ),
    Trend(
        "ev_myelination",
        "EV-NGF raises the myelinated fraction at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("myelinated_fraction", 56),
        0.005,
        "fraction",
        source=_KONKUK + " (more remyelination); " + _NO_SIZE,
    ),
    Trend(
        "ev_muscle",
        "EV-NGF raises the muscle index at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("muscle_mass_index", 56),
        0.01,
        "index",
        source=_KONKUK + " (less muscle atrophy); " + _NO_SIZE,
    ),
    Trend(
        "graft_declines",
        "grafted cells fall over time in every transplant arm",
        (IPSC_DAY21, IPSC_ACUTE, IPSC_NO_IMMUNO, NSC_MSC, MSC_LOCAL),
        graft_count_falls,
        0.3,
        "relative fall",
        source=_GRAFT + " (fewer survive at day 60 than at day 9); " + _NO_SIZE,
    ),
    Trend(
        "graft_timing",
        "graft survival 28 d after transplant: day 21 beats day 1",
        (IPSC_DAY21, IPSC_ACUTE),
        later_delivery_survives_better,
        0.02,
        "fraction",
        source=_GRAFT + " (subacute best); " + _NO_SIZE,
    ),
    Trend(
        "graft_immunosuppression",
        "graft survival 28 d after transplant: drugs beat none",
        (IPSC_DAY21, IPSC_NO_IMMUNO),
        immunosuppression_helps,
        0.03,
        "fraction",
        source="sci.keio (immunosuppression given for 6 months); " + _NO_SIZE,
    ),
    Trend(
        "tumor_undifferentiated",
        "20 % rather than 1 % undifferentiated iPSC cells give more tumor events",
        (IPSC_DAY21, IPSC_UNDIFFERENTIATED),
        undifferentiated_cells_raise_tumors,
        0.2,
        "events/run",
        source="assumed (teratoma risk of undifferentiated iPSC cells); " + _NO_SIZE,
    ),
    Trend(
        "chabc_scar",
        "chondroitinase ABC lowers scar area (spinal cord, day 42)",
        (SPINAL, CHABC),
        chabc_lowers_scar,
        0.03,
        "area fraction",
        source="sci.chabc (the SMD 0.90 is for locomotion, not scar area); " + _NO_SIZE,
    ),
    Trend(
        "chabc_bridging",
        "chondroitinase ABC raises axons bridged beyond a bridging scaffold (spinal cord, day 84)",
        (SCAFFOLD, SCAFFOLD_CHABC),
        chabc_raises_bridging,
        0.02,
        "fraction",
        source="sci.chabc_rehab and DOMAIN trend 7, stated where studies found crossing: axons "
        "grow through a peripheral nerve bridge but stop at its far interface, and digesting "
        "CSPGs lets them out (Cote et al. 2011, Neurotherapeutics 8:294; Houle et al. 2006, "
        "J Neurosci 26:7405). Day 84, not the other chondroitinase trends' day 42: axons "
        "leaving a nerve bridge take months, and were counted 9-25 weeks after injury (Cote "
        "et al. 2010, Exp Neurol 225:173: bridge at injury, chondroitinase and the distal "
        "apposition 5 weeks later, 4-20 weeks of survival); here the first axon leaves the "
        "bridge on day 65 in either arm (20 seeds), so at day 42 the trend would measure 0. "
        "Without a bridge no axon crosses the library's contusion with "
        "or without the enzyme (measured 0 at every recorded day to day 84, 20 seeds, "
        "untreated and chondroitinase with training), as Iseda et al. 2008 (J Neurotrauma "
        "25:334) found after contusion; " + _NO_SIZE,
    ),
    Trend(
        "chabc_connectivity",
        "chondroitinase ABC with task-specific rehab raises descending connectivity (spinal "
        "cord, day 42)",
        (SPINAL, CHABC_REHAB),
        chabc_raises_connectivity,
        0.02,
        "fraction",
        source="sci.chabc_rehab: Garcia-Alias et al. 2009, Nat Neurosci 12:1145 (qualitative: "
        "function and sprouting of spared fibres after a partial lesion, not regrowth across "
        "it); " + _NO_SIZE,
    ),
    Trend(
        "msc_local_beats_iv",
        "local MSCs help more than IV MSCs at equal dose (day 42)",
        (MSC_LOCAL, MSC_IV),
        local_msc_beats_iv,
        0.005,
        "function index",
        source="msc.iv: Eggenhofer et al. 2012 (IV cells trapped in the lungs); " + _NO_SIZE,
    ),
)

#: Every trend ``nervesim validate`` checks: the untreated course, then the therapies.
ALL_TRENDS: tuple[Trend, ...] = UNTREATED_TRENDS + THERAPY_TRENDS
