"""NerveRepairModel helpers that must equal the library calls they stand in for."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simulation.tissue.model import NerveRepairModel
from tests.agents.conftest import make_sandbox


@settings(max_examples=80, deadline=None)
@given(
    weights=arrays(
        np.float64,
        st.tuples(st.integers(1, 40), st.integers(1, 12)),
        elements=st.floats(0.0, 50.0),
    ),
    n=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_drawing_voxels_is_numpy_choice(weights, n, seed):
    """Same indices and the same generator state afterwards as ``Generator.choice``."""
    total = float(weights.sum())
    if total <= 0.0:
        weights = weights + 1.0
        total = float(weights.sum())
    model = make_sandbox()
    rng = np.random.default_rng(seed)
    reference = np.random.default_rng(seed)
    got = NerveRepairModel._draw_voxels(model, weights / total, n, rng)
    expected = reference.choice(weights.size, size=n, p=(weights / total).ravel())
    np.testing.assert_array_equal(got, expected)
    assert rng.random() == reference.random()
