"""Common random numbers: arms that share a seed share their random numbers.

Each cell's numbers come from a counter-based stream keyed by (seed, type, the cell's serial,
tick), and every other draw (recruitment, graft placement, graft binomials) from a generator
made per tick and purpose (:mod:`simulation.engine.streams`). So a matched twin, an arm that
differs from another only by something that touches nothing else, repeats it exactly.
"""

import numpy as np
import pandas as pd
import pytest

from simulation import load_scenario
from simulation.engine import streams
from simulation.runs.runner import run
from tests.twin_run import SCENARIOS

#: A smaller spinal cord (fast) for the run-level tests.
SMALL = {"grid.width_voxels": 60, "grid.height_voxels": 16, "neuron.count": 16}
DAYS = 6.0

#: Every graft switch that lets a grafted cluster act on the tissue, off: the graft only lives
#: and dies (from its own binomials), so it touches no other cell, field or metric.
INERT = {
    "mechanisms.graft_paracrine": False,
    "mechanisms.graft_relay": False,
    "mechanisms.graft_differentiation": False,
    "mechanisms.graft_tumor": False,
    "mechanisms.graft_bridge": False,
}

#: Metrics that describe the graft itself; every other metric must match the untreated twin.
GRAFT_METRICS = {
    "grafted_cells_alive_count",
    "grafted_survival_fraction",
    "differentiated_fraction",
    "relay_connections_count",
    "tumor_events_count",
}


def _untreated():
    return load_scenario(SCENARIOS / "spinal_cord_untreated.toml").with_overrides(
        {**SMALL, **INERT}
    )


def _inert_graft():
    """The day-1 iPSC-NPC graft (immunosuppressed, as in the library file), made inert."""
    scenario = load_scenario(SCENARIOS / "spinal_cord_ipsc_npc_acute.toml")
    return scenario.with_overrides({**SMALL, **INERT})


def _series(scenario, seed):
    return run(scenario, seed, days=DAYS, snapshots=False).timeseries


def test_the_same_seed_gives_the_same_run_bit_for_bit():
    a = _series(_untreated(), 11)
    b = _series(_untreated(), 11)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seeds_give_different_runs():
    a = _series(_untreated(), 11)
    b = _series(_untreated(), 12)
    assert not a.drop(columns="day").equals(b.drop(columns="day"))
    assert (a["macrophages_m1_count"] != b["macrophages_m1_count"]).any()


@pytest.mark.parametrize("seed", [3, 4])
def test_an_inert_graft_is_a_matched_twin_of_untreated(seed):
    """An inert graft (it only lives and dies) leaves every non-graft metric exactly as the
    untreated arm of the same seed has it (tolerance: none, bit for bit)."""
    untreated = _series(_untreated(), seed)
    grafted = _series(_inert_graft(), seed)
    assert grafted["grafted_cells_alive_count"].iloc[-1] > 0  # the graft is there
    others = [c for c in untreated.columns if c not in GRAFT_METRICS]
    pd.testing.assert_frame_equal(untreated[others], grafted[others], check_exact=True)


# ------------------------------------------------------------------------- the stream itself
def test_stream_uniforms_look_uniform():
    """1e5 draws (1e4 cells x 10 draws): in [0, 1), mean 1/2 and variance 1/12 within 5
    standard errors, every decile near 1/10, and no two draws equal."""
    serial = np.arange(10_000, dtype=np.uint64)
    slots = np.arange(serial.size, dtype=np.intp)
    u = np.empty((serial.size, 10))
    streams.fill_uniforms(streams.turn_key(7, 3, 100, 0), serial, slots, u)
    flat = u.ravel()
    assert flat.min() >= 0.0 and flat.max() < 1.0
    n = flat.size
    assert abs(flat.mean() - 0.5) < 5 * np.sqrt(1 / 12 / n)
    assert abs(flat.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / n)
    counts = np.histogram(flat, bins=10, range=(0, 1))[0]
    assert np.all(np.abs(counts - n / 10) < 5 * np.sqrt(n / 10))
    assert np.unique(flat).size == n
    # neighbouring draws of a cell and neighbouring cells are uncorrelated
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.05
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.05


def test_neighbouring_counters_never_collide():
    """Turn keys of neighbouring seeds, types, ticks and calls are all distinct, and so are
    the cell keys that follow from them."""
    keys = {
        streams.turn_key(seed, kind, tick, call)
        for seed in range(4)
        for kind in range(4)
        for tick in range(50)
        for call in range(3)
    }
    assert len(keys) == 4 * 4 * 50 * 3
    serial = np.arange(200, dtype=np.uint64)
    slots = np.arange(200, dtype=np.intp)
    out = np.empty(200, dtype=np.uint64)
    cells = set()
    for key in list(keys)[:100]:
        streams.order_keys(key, serial, slots, out)
        cells.update(out.tolist())
    assert len(cells) == 100 * 200


def test_the_order_of_a_turn_is_a_permutation_and_depends_on_the_tick():
    serial = np.arange(50, dtype=np.uint64)
    slots = np.arange(50, dtype=np.intp)[::-1].copy()
    a = streams.turn_order(streams.turn_key(1, 2, 3, 0), serial, slots)
    b = streams.turn_order(streams.turn_key(1, 2, 4, 0), serial, slots)
    assert sorted(a.tolist()) == sorted(slots.tolist())
    assert a.tolist() != b.tolist()


def test_generators_differ_by_purpose_and_tick_and_repeat_by_key():
    a = streams.generator(5, 10, "a").random(4)
    assert np.array_equal(a, streams.generator(5, 10, "a").random(4))
    assert not np.array_equal(a, streams.generator(5, 10, "b").random(4))
    assert not np.array_equal(a, streams.generator(5, 11, "a").random(4))
    assert not np.array_equal(a, streams.generator(5, 10, "a", 1).random(4))


def test_the_python_hash_is_the_compiled_one():
    """:func:`streams.mix` (Python integers) chains the compiled :func:`streams.splitmix`."""
    for parts in [(0,), (1, 2, 3, 4), (2**64 - 1, 5), (123456789, 2**63, 7)]:
        h = int(streams.splitmix(np.uint64(parts[0])))
        for part in parts[1:]:
            h = int(streams.splitmix(np.uint64(h) ^ np.uint64(part)))
        assert streams.mix(*parts) == h
