"""Chondroitinase lets axons out of a bridge through the scar at its far end, and only there.

``chabc_bridging`` (``nervesim validate``) shows that chondroitinase ABC raises the axons bridged
beyond a scaffold placed at injury (Cote et al. 2011; Houle et al. 2006). These tests pin the
path of that effect, so a later change cannot keep the trend while losing its mechanism:

- the scar is what holds axons in the bridge: the same scaffold in a cord whose astrocytes lay
  no scar lets more axons out than the scaffold alone, in every seed;
- the bridge is what brings axons to the scar: with the scaffold's support switched off,
  chondroitinase lets no axon cross the contusion by day 84 (Iseda et al. 2008 found none
  crossing after contusion despite efficient digestion).

Three seeds, each arm paired by seed; about 20 s of runs.
"""

from pathlib import Path

import pytest

from simulation.runs.runner import run, spawn_seeds
from simulation.scenario.schema import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SEEDS = spawn_seeds(0, 3)
BRIDGED = "axons_bridged_fraction"


def bridged_at_end(scenario, seed: int) -> float:
    """Axons bridged on the last recorded day (day 84)."""
    ts = run(scenario, seed, snapshots=False).timeseries
    assert float(ts["day"].iloc[-1]) == pytest.approx(84.0)
    return float(ts[BRIDGED].iloc[-1])


@pytest.mark.slow
def test_the_scar_holds_axons_in_the_bridge():
    """Without a scar, more axons leave the scaffold than with it, seed by seed."""
    scaffold = load_scenario(SCENARIOS / "spinal_cord_scaffold.toml")
    no_scar = scaffold.with_overrides({"astrocyte.scar_per_h": 0.0})
    for seed in SEEDS:
        with_scar = bridged_at_end(scaffold, seed)
        without = bridged_at_end(no_scar, seed)
        assert without > with_scar, f"seed {seed}: {without} without scar, {with_scar} with"


@pytest.mark.slow
def test_chondroitinase_needs_the_bridge():
    """With the scaffold's support switched off, chondroitinase lets no axon cross."""
    scenario = load_scenario(SCENARIOS / "spinal_cord_scaffold_chabc.toml").with_overrides(
        {"mechanisms.scaffold_support": False}
    )
    for seed in SEEDS:
        assert bridged_at_end(scenario, seed) == 0.0, f"seed {seed}"
