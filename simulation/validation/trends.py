"""The therapy trends NerveSim must show (:mod:`simulation.validation.checks` runs them).

Each effect is computed per seed from the arms' time series and is positive when the trend
holds; the margin is the least mean effect that counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from simulation.scenario.schema import load_scenario
from simulation.scenario.therapy_params import CellTransplant
from simulation.tissue.therapies import schedule
from simulation.validation.checks import (
    CRUSH_56,
    SCENARIO_DIR,
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
_NO_REJECTION = (("mechanisms.graft_immune_attack", False),)
IPSC_DAY21_NO_REJECTION = Arm("spinal_cord_ipsc_npc_day21.toml", 49, _NO_REJECTION)
IPSC_NO_IMMUNO_NO_REJECTION = Arm(
    "spinal_cord_ipsc_npc_no_immunosuppression.toml", 49, _NO_REJECTION
)
IPSC_UNDIFFERENTIATED = Arm("spinal_cord_ipsc_npc_undifferentiated.toml", 70)
NSC_MSC = Arm("spinal_cord_nsc_msc.toml", 49)
MSC_LOCAL = Arm("spinal_cord_msc_local.toml", 42)
MSC_IV = Arm("spinal_cord_msc_iv.toml", 42)
# Three weekly IV doses from day 1; the last is 3 days old at day 18.
MSC_IV_REPEATED = Arm("peripheral_crush_msc_iv_repeated.toml", 21)
CHABC = Arm("spinal_cord_chabc.toml", 42)
EV_NGF = Arm("peripheral_crush_ev_ngf.toml", 56)
# The ablation measures inflammation over days 1-14 only, so these arms stop at day 14.
EV_PLAIN = Arm("peripheral_crush_ev.toml", 14)
EV_PLAIN_NO_ANTI_INFLAMMATORY = Arm(
    "peripheral_crush_ev.toml", 14, (("mechanisms.ev_anti_inflammatory", False),)
)
CHABC_REHAB = Arm("spinal_cord_chabc_rehab.toml", 42)


# ------------------------------------------------------------------------------ measures
def _delivery_day(ts: pd.DataFrame) -> float:
    """First recorded day with grafted cells at the site."""
    days = ts.loc[ts["grafted_cells_alive_count"] > 0, "day"]
    return float(days.iloc[0]) if len(days) else float("nan")


def _inflammation_1_14(ts: pd.DataFrame) -> float:
    return window_mean(ts, "inflammation_mean_au", 1, 14)


def ev_lowers_inflammation(runs: Sequence[pd.DataFrame]) -> float:
    """Relative fall of mean inflammation over days 1-14 with EV-NGF."""
    untreated, ev = runs
    base = _inflammation_1_14(untreated)
    return (base - _inflammation_1_14(ev)) / base


def _ev_gain(column: str, day: float):
    def effect(runs: Sequence[pd.DataFrame]) -> float:
        untreated, ev = runs
        return at_day(ev, column, day) - at_day(untreated, column, day)

    effect.__doc__ = f"EV-NGF minus untreated: {column} at day {day:g}."
    return effect


def no_cells_no_tumors(runs: Sequence[pd.DataFrame]) -> float:
    """+1 when no arm ever holds grafted cells or tumor events, else -1."""
    clean = all(
        ts["grafted_cells_alive_count"].max() == 0 and ts["tumor_events_count"].max() == 0
        for ts in runs
    )
    return 1.0 if clean else -1.0


def no_tumors(runs: Sequence[pd.DataFrame]) -> float:
    """+1 when no arm ever records a tumor event, else -1."""
    return 1.0 if all(ts["tumor_events_count"].max() == 0 for ts in runs) else -1.0


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


def rejection_carries_the_drug_effect(runs: Sequence[pd.DataFrame]) -> float:
    """Share of the immunosuppression survival advantage lost when rejection is switched off."""
    full = immunosuppression_helps(runs[:2])
    ablated = immunosuppression_helps(runs[2:])
    return 1.0 - ablated / full if full > 0 else -1.0


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


def chabc_raises_bridging(runs: Sequence[pd.DataFrame]) -> float:
    """Axons bridged at day 42: chondroitinase ABC (with rehab) minus untreated."""
    untreated, chabc = runs
    col = "axons_bridged_fraction"
    return at_day(chabc, col, 42) - at_day(untreated, col, 42)


def _iv_deliveries(arm: Arm) -> list[tuple[float, float]]:
    """(day, cells) of every intravenous cell dose the arm's scenario schedules."""
    scenario = load_scenario(SCENARIO_DIR / arm.scenario)
    return [
        (event.hour / 24.0, event.intervention.dose_cells)
        for event in schedule(scenario)
        if isinstance(event.intervention, CellTransplant) and event.intervention.route == "iv"
    ]


def iv_cells_gone_after_each_dose(*arms: Arm):
    """Effect: 1 % minus the largest share of a dose alive at the lesion 3 days after it."""
    deliveries = [_iv_deliveries(arm) for arm in arms]

    def effect(runs: Sequence[pd.DataFrame]) -> float:
        shares = [
            at_day(ts, "grafted_cells_alive_count", day + 3.0) / cells
            for ts, doses in zip(runs, deliveries, strict=True)
            for day, cells in doses
        ]
        return 0.01 - max(shares)

    effect.__doc__ = (iv_cells_gone_after_each_dose.__doc__ or "").removeprefix("Effect: ")
    return effect


def local_msc_beats_iv(runs: Sequence[pd.DataFrame]) -> float:
    """Function index at day 42: local minus intravenous MSCs at equal dose."""
    local, iv = runs
    return at_day(local, "function_index", 42) - at_day(iv, "function_index", 42)


def anti_inflammatory_switch_carries_ev_effect(runs: Sequence[pd.DataFrame]) -> float:
    """Share of the EV inflammation advantage lost with ev_anti_inflammatory off."""
    untreated, ev, ablated = runs
    base = _inflammation_1_14(untreated)
    full = base - _inflammation_1_14(ev)
    left = base - _inflammation_1_14(ablated)
    return 1.0 - left / full if full > 0 else -1.0


THERAPY_TRENDS: tuple[Trend, ...] = (
    Trend(
        "ev_less_inflammation",
        "EV-NGF lowers mean inflammation over days 1-14 (crush)",
        (CRUSH_56, EV_NGF),
        ev_lowers_inflammation,
        0.03,
        "relative fall",
    ),
    Trend(
        "ev_neuron_survival",
        "EV-NGF raises neuron survival at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("neuron_survival_fraction", 56),
        0.02,
        "fraction",
    ),
    Trend(
        "ev_axon_length",
        "EV-NGF lengthens regrowing axons (day 14, before they reach muscle)",
        (CRUSH_56, EV_NGF),
        _ev_gain("axon_length_mean_um", 14),
        200.0,
        "µm",
    ),
    Trend(
        "ev_myelination",
        "EV-NGF raises the myelinated fraction at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("myelinated_fraction", 56),
        0.005,
        "fraction",
    ),
    Trend(
        "ev_muscle",
        "EV-NGF raises the muscle index at day 56 (crush)",
        (CRUSH_56, EV_NGF),
        _ev_gain("muscle_mass_index", 56),
        0.01,
        "index",
    ),
    Trend(
        "ev_no_cells",
        "EV arms never hold grafted cells or tumor events",
        (EV_NGF, EV_PLAIN),
        no_cells_no_tumors,
        0.5,
        "+1 clean / -1",
    ),
    Trend(
        "graft_declines",
        "grafted cells fall over time in every transplant arm",
        (IPSC_DAY21, IPSC_ACUTE, IPSC_NO_IMMUNO, NSC_MSC, MSC_LOCAL),
        graft_count_falls,
        0.3,
        "relative fall",
    ),
    Trend(
        "graft_timing",
        "graft survival 28 d after transplant: day 21 beats day 1",
        (IPSC_DAY21, IPSC_ACUTE),
        later_delivery_survives_better,
        0.02,
        "fraction",
    ),
    Trend(
        "graft_immunosuppression",
        "graft survival 28 d after transplant: drugs beat none",
        (IPSC_DAY21, IPSC_NO_IMMUNO),
        immunosuppression_helps,
        0.03,
        "fraction",
    ),
    Trend(
        "tumor_undifferentiated",
        "20 % rather than 1 % undifferentiated iPSC cells give more tumor events",
        (IPSC_DAY21, IPSC_UNDIFFERENTIATED),
        undifferentiated_cells_raise_tumors,
        0.2,
        "events/run",
    ),
    Trend(
        "tumor_none_without_progenitors",
        "EV and MSC arms have no tumor events",
        (EV_NGF, MSC_LOCAL, MSC_IV),
        no_tumors,
        0.5,
        "+1 clean / -1",
    ),
    Trend(
        "chabc_scar",
        "chondroitinase ABC lowers scar area (spinal cord, day 42)",
        (SPINAL, CHABC),
        chabc_lowers_scar,
        0.03,
        "area fraction",
    ),
    Trend(
        "chabc_bridging",
        "chondroitinase ABC with task-specific rehab raises axons bridged (spinal cord, day 42)",
        (SPINAL, CHABC_REHAB),
        chabc_raises_bridging,
        0.02,
        "fraction",
    ),
    Trend(
        "msc_iv_cleared",
        "IV MSCs: under 1 % of each dose at the lesion 3 days after it (single and repeated)",
        (MSC_IV, MSC_IV_REPEATED),
        iv_cells_gone_after_each_dose(MSC_IV, MSC_IV_REPEATED),
        0.0,
        "share of dose",
    ),
    Trend(
        "msc_local_beats_iv",
        "local MSCs help more than IV MSCs at equal dose (day 42)",
        (MSC_LOCAL, MSC_IV),
        local_msc_beats_iv,
        0.005,
        "function index",
    ),
    Trend(
        "ablate_ev_anti_inflammatory",
        "ev_anti_inflammatory off: >= half the EV inflammation "
        "advantage disappears (plain EVs, crush)",
        (CRUSH_56, EV_PLAIN, EV_PLAIN_NO_ANTI_INFLAMMATORY),
        anti_inflammatory_switch_carries_ev_effect,
        0.5,
        "share removed",
    ),
    Trend(
        "ablate_graft_rejection",
        "graft_immune_attack off: >= 70 % of the immunosuppression advantage disappears",
        (IPSC_DAY21, IPSC_NO_IMMUNO, IPSC_DAY21_NO_REJECTION, IPSC_NO_IMMUNO_NO_REJECTION),
        rejection_carries_the_drug_effect,
        0.7,
        "share removed",
    ),
)

#: Every trend ``nervesim validate`` checks: the untreated course, then the therapies.
ALL_TRENDS: tuple[Trend, ...] = UNTREATED_TRENDS + THERAPY_TRENDS
