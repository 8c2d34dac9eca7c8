"""The implicit field engine against analytic solutions and conservation laws."""

import math

import numpy as np
import pytest

from simulation.fields import FieldSet, FieldSpec

DX_UM = 20.0
NGF_D_UM2_PER_H = 1.0e5  # D·dt/dx² = 250 for a one-hour tick on 20 µm voxels


def _axis_variances(u: np.ndarray) -> tuple[float, float]:
    x = np.arange(u.shape[0], dtype=float)[:, None]
    y = np.arange(u.shape[1], dtype=float)[None, :]
    m = u.sum()
    mx, my = (u * x).sum() / m, (u * y).sum() / m
    return float((u * (x - mx) ** 2).sum() / m), float((u * (y - my) ** 2).sum() / m)


@pytest.mark.parametrize("ticks", [1, 4])
def test_gaussian_variance_grows_by_2dt_per_axis_at_ratio_250(ticks):
    """A Gaussian's variance grows by 2·D·t per axis (2 %) at D·dt/dx² = 250."""
    n = 512
    fs = FieldSet((n, n), DX_UM, [FieldSpec("ngf", NGF_D_UM2_PER_H)], dt_h=1.0)
    assert fs.ratio("ngf") == pytest.approx(250.0)
    sigma0 = 10.0
    c = (n - 1) / 2
    x = np.arange(n)[:, None] - c
    y = np.arange(n)[None, :] - c
    fs["ngf"][:] = np.exp(-(x**2 + y**2) / (2 * sigma0**2))
    vx0, vy0 = _axis_variances(fs["ngf"])
    for _ in range(ticks):
        fs.diffuse()
    vx, vy = _axis_variances(fs["ngf"])
    expected = 2 * NGF_D_UM2_PER_H * ticks / DX_UM**2  # voxels²
    assert (vx - vx0) == pytest.approx(expected, rel=0.02)
    assert (vy - vy0) == pytest.approx(expected, rel=0.02)


def test_pure_decay_follows_exponential():
    """With no diffusion a field decays exactly as exp(-k·t)."""
    k = 0.07
    fs = FieldSet((6, 5), DX_UM, [FieldSpec("debris", 0.0, k, initial=3.0)])
    for _ in range(120):
        fs.diffuse()
    np.testing.assert_allclose(fs["debris"], 3.0 * math.exp(-k * 120), rtol=1e-10)


def test_total_decays_exponentially_while_diffusing(rng):
    """No-flux edges: the total of a diffusing, decaying field falls as exp(-k·t)."""
    k = 0.05
    fs = FieldSet((40, 30), DX_UM, [FieldSpec("tnf", 3.0e4, k)])
    fs["tnf"][:] = rng.random((40, 30))
    m0 = fs.total("tnf")
    for _ in range(50):
        fs.diffuse()
    assert fs.total("tnf") == pytest.approx(m0 * math.exp(-k * 50), rel=1e-10)


@pytest.mark.parametrize("d_um2_per_h", [NGF_D_UM2_PER_H, 40.0])
def test_mass_conserved_over_1000_ticks_without_decay(rng, d_um2_per_h):
    """No-flux edges and zero decay conserve the total to 1e-10 relative over 1000 ticks."""
    fs = FieldSet((48, 40), DX_UM, [FieldSpec("ev", d_um2_per_h, 0.0)])
    fs["ev"][:] = rng.random((48, 40)) ** 4
    m0 = fs.total("ev")
    for _ in range(1000):
        fs.diffuse()
    assert abs(fs.total("ev") - m0) / m0 < 1e-10


def test_mass_leaks_through_a_zero_fixed_edge(rng):
    """A fixed-value edge at zero is a sink: the check above can tell it from no-flux."""
    fs = FieldSet((30, 20), DX_UM, [FieldSpec("ev", 1.0e4, 0.0, fixed_edges={"x_max": 0.0})])
    fs["ev"][:] = rng.random((30, 20))
    m0 = fs.total("ev")
    for _ in range(10):
        fs.diffuse()
    assert fs.total("ev") < 0.9 * m0


def test_uniform_source_with_decay_reaches_s_over_k():
    """A constant uniform source S with decay k settles at S/k (exactly, to 1e-10)."""
    s_per_h, k = 2.5, 0.2
    fs = FieldSet((8, 6), DX_UM, [FieldSpec("tnf", 1.0e3, k)], dt_h=1.0)
    for _ in range(400):
        fs.add_uniform_source("tnf", s_per_h * fs.dt_h)
        fs.apply_sources()
        fs.diffuse()
    np.testing.assert_allclose(fs["tnf"], s_per_h / k, rtol=1e-10)


def test_line_source_reaches_exponential_profile():
    """A line source settles to q·dx/(2√(Dk))·exp(-|x|/λ), λ = √(D/k), within 2 %."""
    d, k, q_per_h = 1.0e4, 0.1, 1.0
    n = 301
    fs = FieldSet((n, 3), DX_UM, [FieldSpec("ngf", d, k)])
    mid = n // 2
    for _ in range(600):
        for j in range(3):
            fs.secrete("ngf", (mid, j), q_per_h * fs.dt_h)
        fs.apply_sources()
        fs.diffuse()
    lam = math.sqrt(d / k)
    x_um = (np.arange(n) - mid) * DX_UM
    expected = q_per_h * DX_UM / (2 * math.sqrt(d * k)) * np.exp(-np.abs(x_um) / lam)
    near = np.abs(x_um) <= 3 * lam
    np.testing.assert_allclose(fs["ngf"][near, 1], expected[near], rtol=0.02)


def test_fixed_edge_supply_reaches_linear_profile():
    """A fixed value at one stump and zero at the other give the linear steady profile."""
    n = 50
    fs = FieldSet(
        (n, 2), DX_UM, [FieldSpec("ngf", 5.0e4, 0.0, fixed_edges={"x_min": 1.0, "x_max": 0.0})]
    )
    for _ in range(3000):
        fs.diffuse()
    # The fixed values hold in ghost voxels at i = -1 and i = n.
    expected = 1.0 - (np.arange(n) + 1.0) / (n + 1.0)
    np.testing.assert_allclose(fs["ngf"][:, 0], expected, atol=1e-6)
