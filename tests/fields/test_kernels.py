"""Numba kernels against their numpy/scipy reference twins, and against each other."""

import numpy as np
import pytest

from simulation.fields import FieldSet, FieldSpec, kernels
from simulation.fields.reference import (
    apply_sources_numpy,
    explicit_step_numpy,
    implicit_tick_banded,
)

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


FIVE_KINDS = [
    FieldSpec("a", 1e5, 0.1, fixed_edges={"y_max": 1.0, "x_min": 0.5}),
    FieldSpec("b", 500.0, 0.0),
    FieldSpec("c", 0.0, 0.3),
    FieldSpec("d", 2e4, 2.0, fixed_edges={"x_max": 0.25, "y_min": 2.0}),
    FieldSpec("e", 0.0, 0.0),
]


def _serial_and_start(rng, shape, nf):
    """Factors of ``nf`` of FIVE_KINDS on ``shape``, a random start and its serial tick."""
    fs = FieldSet(shape, 20.0, FIVE_KINDS[:nf], dt_h=0.5)
    f = fs._tick_factors(0.5)
    start = rng.random(fs.values.shape)
    serial = start.copy()
    kernels.lod_tick_serial(serial, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef)
    return f, start, serial


@pytest.mark.parametrize("nt", [1, 2, 3])
@pytest.mark.parametrize("nf", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(37, 29), (16, 16), (9, 1), (1, 7), (2, 3), (256, 260)])
def test_parallel_tick_partitions_equal_serial_tick(rng, shape, nf, nt):
    """Every way lod_tick_parallel spreads fields over threads gives the serial fused tick."""
    f, start, serial = _serial_and_start(rng, shape, nf)
    threaded = start.copy()
    kernels.lod_tick_parallel(threaded, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef, nt)
    np.testing.assert_allclose(threaded, serial, rtol=0, atol=1e-14)


@pytest.mark.parametrize("nt", [2, 3])
@pytest.mark.parametrize("f0", [0, 1])
@pytest.mark.parametrize("shape", [(37, 29), (16, 16), (9, 1), (1, 7), (2, 3), (20, 64)])
def test_split_tick_equals_serial_tick(rng, shape, f0, nt):
    """Fields split into x strips and y row blocks (any grid size) give the serial tick."""
    f, start, serial = _serial_and_start(rng, shape, 3)
    split = start.copy()
    kernels.lod_tick_serial(split[:f0], f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef)
    kernels._split_tick(split, f0, nt, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef)
    np.testing.assert_allclose(split, serial, rtol=0, atol=1e-14)


def test_fused_tick_equals_sweep_by_sweep(rng):
    """The fused tick (x back substitution feeding the y solve) equals whole sweeps in turn."""
    fs = FieldSet((45, 38), 20.0, [FieldSpec("a", 3e4, 0.2, fixed_edges={"x_max": 1.0})])
    f = fs._tick_factors(1.0)
    start = rng.random(fs.values.shape)
    fused = start.copy()
    kernels.lod_tick_serial(fused, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef)
    swept = start.copy()
    k = kernels
    r, gx_lo, gx_hi, gy_lo, gy_hi = (
        f.coef[0, c] for c in (k.R, k.GX_LO, k.GX_HI, k.GY_LO, k.GY_HI)
    )
    k._solve_strip(swept, 0, 0, 38, r, f.inv_x[0], f.w_x[0], gx_lo, gx_hi)
    k._solve_rows(swept, 0, 0, 45, r, f.inv_y[0], f.w_y[0], gy_lo, gy_hi)
    np.testing.assert_allclose(fused, swept, rtol=0, atol=1e-14)


@pytest.mark.parametrize("shift", range(8))
@pytest.mark.parametrize("ny", [1, 5, 8, 30, 512, 515])
@pytest.mark.parametrize("nstrip", [1, 2, 3])
def test_strips_cover_the_row_and_start_on_cache_lines(ny, nstrip, shift):
    """Column strips tile 0..ny in order, and inner boundaries start a cache line of row 0."""
    starts = [kernels._strip_start(k, nstrip, ny, shift) for k in range(nstrip + 1)]
    assert starts[0] == 0 and starts[-1] == ny
    assert starts == sorted(starts)
    for j in starts[1:-1]:
        assert j in (0, ny) or (shift + j) % kernels.STRIP_ALIGN == 0


@pytest.mark.parametrize("shape", [(100, 30), (33, 17), (9, 1), (8, 8), (1, 7), (2, 3)])
def test_apply_sources_equals_numpy_twin(rng, shape):
    """The chunked source pass equals the every-voxel formula, whatever the buffers hold.

    Each field's buffers are sparse in their own way (nothing; sources only; uptake only; both;
    negative values left by a caller, which the pass clamps; a negative uptake rate, which it
    leaves alone), including the voxels after the last whole chunk.
    """
    nf = 6
    fs = FieldSet(shape, 20.0, [FieldSpec(f"f{k}", 1e4, 0.1 * k) for k in range(nf)])
    fs.values[:] = rng.random(fs.values.shape)
    n = shape[0] * shape[1]
    flat_u = fs.values.reshape(nf, n)
    flat_s = fs._source.reshape(nf, n)
    flat_k = fs._sink_rate.reshape(nf, n)
    few = max(1, n // 20)
    flat_s[1, rng.choice(n, few, replace=False)] = rng.random(few)
    flat_k[2, rng.choice(n, few, replace=False)] = 3.0 * rng.random(few)
    flat_s[3, rng.choice(n, few, replace=False)] = rng.random(few)
    flat_k[3, rng.choice(n, few, replace=False)] = 50.0 * rng.random(few)
    flat_u[4, rng.choice(n, few, replace=False)] = -rng.random(few)
    flat_u[5, -1] = -0.5  # the last voxel, after any whole chunk
    flat_k[5, 0] = -1.0
    flat_s[5, -1] = 0.25
    gain = fs._gains(1.0)
    before = (fs.values.copy(), fs._source.copy(), fs._sink_rate.copy())
    expected = [apply_sources_numpy(*(a[k] for a in before), gain[k], 1.0) for k in range(nf)]
    fs.apply_sources()
    for k in range(nf):
        np.testing.assert_allclose(fs.values[k], expected[k], rtol=1e-15, atol=0)
    assert fs.values.min() >= 0.0
    assert not fs._source.any()
    cleared = before[2].copy()
    cleared[cleared > 0.0] = 0.0  # negative rates are not uptake: left where they are
    np.testing.assert_array_equal(fs._sink_rate, cleared)


def test_a_zero_field_skips_its_tick_unless_an_edge_supplies_it():
    """A zero field stays exactly zero; one with a fixed edge value is supplied through it."""
    specs = [FieldSpec("a", 1e5, 0.1), FieldSpec("b", 1e5, 0.1, fixed_edges={"y_min": 1.0})]
    fs = FieldSet((20, 12), 20.0, specs)
    fs.diffuse()
    assert not fs["a"].any()
    expected = implicit_tick_banded(np.zeros((20, 12)), fs.ratio("b"), 0.1, 1.0, {"y_min": 1.0})
    np.testing.assert_allclose(fs["b"], expected, rtol=0, atol=1e-12)
    assert fs["b"].min() > 0.0
