"""Shared fixtures."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every test run draws the same numbers."""
    return np.random.default_rng(20261122)
