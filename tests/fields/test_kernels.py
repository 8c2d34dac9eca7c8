"""Numba kernels against their numpy/scipy reference twins, and against each other."""

import numpy as np
import pytest

from simulation.fields import FieldSet, FieldSpec
from simulation.fields.reference import explicit_step_numpy, implicit_tick_banded

EDGE_CASES = [{}, {"x_min": 1.5}, {"x_max": 0.5, "y_min": 2.0}, {"y_max": 1.0, "x_min": 0.0}]
SHAPES = [(33, 17), (8, 8), (9, 1), (1, 7), (2, 3), (20, 64)]


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_implicit_tick_equals_banded_twin(rng, shape, parallel):
    """The LOD tick equals solve_banded line by line to 1e-12, every edge kind, both drivers."""
    specs = [
        FieldSpec(f"f{k}", float(d), float(dec), fixed_edges=edges)
        for k, (d, dec, edges) in enumerate(
            zip([1e5, 300.0, 0.0, 2e4], [0.1, 0.0, 0.3, 2.0], EDGE_CASES, strict=True)
        )
    ]
    fs = FieldSet(shape, 20.0, specs, dt_h=0.75, parallel=parallel)
    fs.values[:] = rng.random(fs.values.shape)
    before = fs.values.copy()
    fs.diffuse()
    for k, s in enumerate(specs):
        expected = implicit_tick_banded(
            before[k], fs.ratio(s.name), s.decay_per_h, 0.75, s.fixed_edges
        )
        np.testing.assert_allclose(fs.values[k], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_explicit_step_equals_numpy_twin(rng, shape, parallel):
    """The Numba explicit step equals the numpy-slicing twin to 1e-12."""
    specs = [
        FieldSpec(f"f{k}", d, dec, fixed_edges=edges)
        for k, (d, dec, edges) in enumerate(
            zip([60.0, 10.0, 0.0, 75.0], [0.1, 0.0, 0.3, 2.0], EDGE_CASES, strict=True)
        )
    ]
    fs = FieldSet(shape, 20.0, specs, dt_h=1.0, method="explicit", parallel=parallel)
    fs.values[:] = rng.random(fs.values.shape)
    before = fs.values.copy()
    fs.diffuse()
    for k, s in enumerate(specs):
        r = fs.ratio(s.name)
        expected = explicit_step_numpy(before[k], r, np.exp(-s.decay_per_h), s.fixed_edges)
        np.testing.assert_allclose(fs.values[k], expected, rtol=0, atol=1e-12)


def test_explicit_substeps_keep_large_ratio_stable(rng):
    """The explicit method sub-steps a large ratio instead of blowing up."""
    fs = FieldSet((30, 30), 20.0, [FieldSpec("ngf", 1e5, 0.0)], method="explicit")
    fs["ngf"][:] = rng.random((30, 30))
    for _ in range(3):
        fs.diffuse()
    assert np.all(np.isfinite(fs["ngf"])) and fs["ngf"].max() <= 1.0


def test_implicit_and_explicit_agree_at_small_ratio():
    """Implicit and explicit kernels agree when D·dt/dx² is small (0.05)."""
    n = 64
    specs = [FieldSpec("tnf", 20.0, 0.02, fixed_edges={"x_min": 0.3})]
    x = np.arange(n)[:, None] - n / 2
    y = np.arange(n)[None, :] - n / 2
    start = np.exp(-(x**2 + y**2) / (2 * 6.0**2))
    results = []
    for method in ("implicit", "explicit"):
        fs = FieldSet((n, n), 20.0, specs, method=method)
        assert fs.ratio("tnf") == pytest.approx(0.05)
        fs["tnf"][:] = start
        for _ in range(100):
            fs.diffuse()
        results.append(fs["tnf"].copy())
    diff = np.abs(results[0] - results[1]).max()
    change = np.abs(results[0] - start).max()
    assert diff < 0.01 * change


def test_serial_and_parallel_drivers_agree(rng):
    """Serial and threaded implicit drivers give the same field to 1e-13."""
    specs = [FieldSpec("a", 1e5, 0.1, fixed_edges={"y_max": 1.0}), FieldSpec("b", 500.0, 0.0)]
    out = []
    for parallel in (False, True):
        fs = FieldSet((70, 90), 20.0, specs, parallel=parallel)
        fs.values[:] = np.random.default_rng(3).random(fs.values.shape)
        for _ in range(5):
            fs.diffuse()
        out.append(fs.values.copy())
    np.testing.assert_allclose(out[0], out[1], rtol=0, atol=1e-13)
