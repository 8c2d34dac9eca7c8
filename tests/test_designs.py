"""Design points: full factorials, Latin hypercubes, Sobol and Morris samples, and run seeds."""

import math

import numpy as np
import pytest

from simulation.runs.runner import spawn_seeds
from simulation.sweeps.designs import sample
from simulation.sweeps.spec import load_sweep
from simulation.sweeps.sweep import plan
from tests.sweep_files import write_sweep

RANGES = """base = "base.toml"
name = "ranges"
design = "{design}"
samples = {samples}
root_seed = {seed}
second_order = {second}
[keep]
metrics = ["neutrophils_count"]
[[parameters]]
key = "neuron.count"
lo = 10
hi = 40
[[parameters]]
key = "macrophage.recruit_per_mm2_per_h"
lo = 0.16
hi = 16.0
distribution = "loguniform"
[[parameters]]
key = "neutrophil.lifespan_h"
lo = 5.0
hi = 30.0
"""


def _sweep(tmp_path, design="lhs", samples=16, seed=0, second="false"):
    text = RANGES.format(design=design, samples=samples, seed=seed, second=second)
    return load_sweep(write_sweep(tmp_path, text))


def test_grid_is_the_full_factorial_in_file_order(tmp_path):
    """A grid of values x levels has every combination once, the first parameter slowest."""
    sweep = load_sweep(write_sweep(tmp_path))
    points, x = sample(sweep)
    assert x is None
    assert points == [
        {"neuron.count": c, "neutrophil.lifespan_h": life}
        for c in (10, 20)
        for life in (5.0, 17.5, 30.0)
    ]


@pytest.mark.parametrize(
    ("design", "samples", "second", "expected"),
    [
        ("lhs", 16, "false", 16),
        ("sobol", 8, "false", 8 * (3 + 2)),
        ("sobol", 8, "true", 8 * (2 * 3 + 2)),
        ("morris", 5, "false", 5 * (3 + 1)),
    ],
)
def test_sampled_designs_have_the_planned_size_and_stay_in_range(
    tmp_path, design, samples, second, expected
):
    """LHS, Sobol and Morris give the documented number of points, all inside the ranges."""
    points, x = sample(_sweep(tmp_path, design, samples, second=second))
    assert len(points) == expected == x.shape[0]
    counts = [p["neuron.count"] for p in points]
    assert all(isinstance(c, int) and 10 <= c <= 40 for c in counts)
    rates = np.array([p["macrophage.recruit_per_mm2_per_h"] for p in points])
    assert rates.min() >= 0.16 and rates.max() <= 16.0
    np.testing.assert_allclose(np.log10(rates), x[:, 1], rtol=1e-12)  # x is the log10 space
    lives = np.array([p["neutrophil.lifespan_h"] for p in points])
    assert lives.min() >= 5.0 and lives.max() <= 30.0


def test_lhs_puts_one_sample_in_each_stratum(tmp_path):
    """Each parameter of a 16-point Latin hypercube has exactly one sample per 1/16 of its range."""
    _, x = sample(_sweep(tmp_path, "lhs", 16))
    bounds = np.array([[10, 40], [math.log10(0.16), math.log10(16.0)], [5.0, 30.0]])
    unit = (x - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    for column in unit.T:
        strata = np.floor(column * 16).astype(int)
        assert sorted(strata.tolist()) == list(range(16))


def test_same_seed_same_points_other_seed_other_points(tmp_path):
    """The design depends only on the file and its root seed."""
    a, _ = sample(_sweep(tmp_path / "a", "lhs", 8, seed=1))
    b, _ = sample(_sweep(tmp_path / "b", "lhs", 8, seed=1))
    c, _ = sample(_sweep(tmp_path / "c", "lhs", 8, seed=2))
    assert a == b
    assert a != c


def test_run_seeds_come_from_seedsequence_spawn(tmp_path):
    """Run k's seed is SeedSequence(root).spawn(runs)[k]; with common random numbers,
    replicate r has the same seed at every point."""
    sweep = load_sweep(write_sweep(tmp_path))
    manifest = plan(sweep)
    seeds = [r["seed"] for r in manifest["runs"]]
    assert seeds == spawn_seeds(3, 12)
    assert len(set(seeds)) == 12
    text = (tmp_path / "sweep.toml").read_text(encoding="utf-8")
    crn = write_sweep(
        tmp_path,
        text.replace("replicates = 2", "replicates = 2\ncommon_random_numbers = true"),
        "crn.toml",
    )
    runs = plan(load_sweep(crn))["runs"]
    assert [r["seed"] for r in runs] == spawn_seeds(3, 2) * 6
    assert [(r["point"], r["replicate"]) for r in runs] == [
        (p, r) for p in range(6) for r in range(2)
    ]
