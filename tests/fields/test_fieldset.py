"""FieldSet behaviour: Mesa layers, sources and uptake, random valid input, bad input."""

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mesa.discrete_space import OrthogonalMooreGrid

from simulation.fields import EDGES, FieldSet, FieldSpec


def test_agents_read_fields_through_mesa_cells():
    """A field is a PropertyLayer: a grid cell reads it, and sees it change after diffuse()."""
    grid = OrthogonalMooreGrid((5, 4), torus=False, random=random.Random(0))
    fs = FieldSet((5, 4), 20.0, [FieldSpec("trophic", 1e4, 0.0)], grid=grid)
    fs["trophic"][2, 1] = 8.0
    cell = grid._cells[(2, 1)]
    assert cell.trophic == 8.0
    fs.diffuse()
    assert cell.trophic == fs["trophic"][2, 1] < 8.0
    assert grid._cells[(3, 1)].trophic > 0.0


def test_secretion_is_buffered_until_apply():
    """Secretion lands only when apply_sources runs, so agent order cannot bias a tick."""
    fs = FieldSet((4, 4), 20.0, [FieldSpec("tnf", 0.0, 0.0)])
    fs.secrete("tnf", (1, 2), 0.5)
    fs.secrete("tnf", (1, 2), 0.25)
    assert fs["tnf"].sum() == 0.0
    fs.apply_sources()
    assert fs["tnf"][1, 2] == pytest.approx(0.75)
    fs.apply_sources()  # buffers were cleared
    assert fs["tnf"][1, 2] == pytest.approx(0.75)


def test_uptake_never_drives_a_field_negative():
    """Huge summed uptake rates in one voxel empty it but never push it below zero."""
    fs = FieldSet((3, 3), 20.0, [FieldSpec("ev", 0.0, 0.0, initial=2.0)])
    dose_a = fs.take_up("ev", (1, 1), 50.0)
    dose_b = fs.take_up("ev", (1, 1), 80.0)
    fs.apply_sources()
    assert 0.0 <= fs["ev"][1, 1] < 1e-12
    assert dose_a == pytest.approx(2.0) and dose_b == pytest.approx(2.0)
    assert fs["ev"][0, 0] == 2.0


def test_uptake_is_first_order():
    """Uptake at rate k for dt removes the fraction 1 - exp(-k·dt)."""
    fs = FieldSet((2, 2), 20.0, [FieldSpec("ev", 0.0, 0.0, initial=1.0)], dt_h=0.5)
    dose = fs.take_up("ev", (0, 1), 0.4)
    fs.apply_sources()
    assert fs["ev"][0, 1] == pytest.approx(math.exp(-0.2))
    assert dose == pytest.approx(1.0 - math.exp(-0.2))


valid_spec = st.builds(
    FieldSpec,
    name=st.sampled_from(["a"]),
    diffusion_um2_per_h=st.floats(0.0, 1e6),
    decay_per_h=st.floats(0.0, 10.0),
    fixed_edges=st.dictionaries(st.sampled_from(EDGES), st.floats(0.0, 100.0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spec=valid_spec,
    shape=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    dx_um=st.floats(1.0, 100.0),
    dt_h=st.floats(0.01, 24.0),
    method=st.sampled_from(["implicit", "explicit"]),
    seed=st.integers(0, 2**32 - 1),
    uptake=st.floats(0.0, 1e3),
    source=st.floats(0.0, 1e3),
)
def test_fields_stay_finite_and_non_negative(
    spec, shape, dx_um, dt_h, method, seed, uptake, source
):
    """Any valid parameters keep every field finite and non-negative (property-based)."""
    if method == "explicit" and spec.diffusion_um2_per_h * dt_h / dx_um**2 > 50:
        return  # explicit sub-stepping is for small ratios; the implicit method covers the rest
    fs = FieldSet(shape, dx_um, [spec], dt_h=dt_h, method=method)
    fs.values[:] = np.random.default_rng(seed).random(fs.values.shape) * 10.0
    for t in range(4):
        fs.diffuse()
        fs.take_up("a", (0, 0), uptake)
        fs.secrete("a", (shape[0] - 1, shape[1] - 1), source * t)
        fs.apply_sources()
    assert np.all(np.isfinite(fs.values))
    assert np.all(fs.values >= 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"diffusion_um2_per_h": -1.0}, r"a\.diffusion_um2_per_h: -1\.0 µm²/h is outside \[0\.0"),
        ({"diffusion_um2_per_h": math.inf}, r"a\.diffusion_um2_per_h: inf µm²/h is outside"),
        ({"decay_per_h": math.nan}, r"a\.decay_per_h: nan 1/h is outside \[0\.0, inf\]"),
        ({"decay_per_h": -0.1}, r"a\.decay_per_h: -0\.1 1/h"),
        ({"fixed_edges": {"top": 1.0}}, r"a\.fixed_edges: unknown edge 'top'"),
        ({"fixed_edges": {"x_min": -2.0}}, r"a\.fixed_edges\.x_min: -2\.0"),
        ({"diffusion_um2_per_h": "fast"}, r"a\.diffusion_um2_per_h: 'fast' is not a number"),
    ],
)
def test_bad_field_spec_names_parameter_units_and_range(kwargs, message):
    """A bad field parameter raises ValueError naming it, its units and its range."""
    with pytest.raises(ValueError, match=message):
        FieldSpec("a", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dx_um": 0.0}, r"dx_um: 0\.0 µm is outside"),
        ({"dx_um": -20.0}, r"dx_um: -20\.0 µm"),
        ({"dt_h": math.nan}, r"dt_h: nan h is outside"),
        ({"dt_h": -1.0}, r"dt_h: -1\.0 h is outside"),
        ({"shape": (0, 4)}, r"shape: \(0, 4\) voxels"),
        ({"method": "magic"}, r"method: 'magic'"),
    ],
)
def test_bad_fieldset_arguments_raise(kwargs, message):
    """A bad grid, voxel size, tick or method raises ValueError naming it."""
    args = {"shape": (4, 4), "dx_um": 20.0, "specs": [FieldSpec("a")], "dt_h": 1.0} | kwargs
    with pytest.raises(ValueError, match=message):
        FieldSet(**args)


def test_unknown_field_name_and_shape_mismatch_raise():
    """An unknown field name, a negative diffuse tick or a grid of the wrong shape is refused."""
    fs = FieldSet((4, 4), 20.0, [FieldSpec("tnf")])
    with pytest.raises(ValueError, match=r"field: unknown field 'ngf' \(known: tnf\)"):
        fs.secrete("ngf", (0, 0), 1.0)
    with pytest.raises(ValueError, match="unknown field 'ngf'"):
        fs["ngf"]
    with pytest.raises(ValueError, match=r"dt_h: -1\.0 h"):
        fs.diffuse(-1.0)
    with pytest.raises(ValueError, match="must be >= 0"):
        fs.secrete("tnf", (0, 0), -1.0)
    grid = OrthogonalMooreGrid((5, 4), torus=False, random=random.Random(0))
    with pytest.raises(ValueError, match=r"grid: dimensions \(5, 4\) do not match shape \(4, 4\)"):
        FieldSet((4, 4), 20.0, [FieldSpec("tnf")], grid=grid)
