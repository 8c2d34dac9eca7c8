"""pystream: the read-ahead values are Python's own, and skipping leaves Python's state."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.engine.pystream import skip, upcoming


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    before=st.integers(0, 700),  # values already drawn: every position in the 624-word state
    k=st.integers(0, 1500),  # values read ahead: across one or more regenerations
    used=st.integers(0, 1500),
)
def test_upcoming_are_the_next_values_and_skip_draws_exactly_that_many(seed, before, k, used):
    ours, python = random.Random(seed), random.Random(seed)
    for _ in range(before):
        ours.random()
        python.random()
    ahead = upcoming(ours, k).tolist()
    assert ours.getstate() == python.getstate()  # reading ahead draws nothing
    used = min(used, k)
    assert ahead == [python.random() for _ in range(k)]
    python = random.Random(seed)
    for _ in range(before + used):
        python.random()
    skip(ours, used)
    assert ours.getstate() == python.getstate()
    assert ours.random() == python.random()


def test_skip_keeps_the_gaussian_spare():
    """``gauss`` keeps a spare value between calls; skipping must not lose it."""
    ours, python = random.Random(3), random.Random(3)
    ours.gauss(0.0, 1.0)
    python.gauss(0.0, 1.0)
    skip(ours, 5)
    for _ in range(5):
        python.random()
    assert ours.gauss(0.0, 1.0) == python.gauss(0.0, 1.0)
