"""Untreated spinal cord and peripheral nerve show the literature's qualitative trends.

Statistical: 10 seeds per arm; each trend's mean per-seed effect must exceed its stated margin
(see ``simulation/validation.py``) with the 95 % interval over seeds above zero.
"""

import pytest

from simulation.validation import UNTREATED_TRENDS, measure, run_arms

SEEDS = list(range(1, 11))


@pytest.fixture(scope="module")
def untreated_runs():
    """Every untreated arm, 10 seeds each, on both cores."""
    arms = [a for t in UNTREATED_TRENDS for a in t.arms]
    return run_arms(arms, SEEDS, workers=2)


@pytest.mark.slow
@pytest.mark.parametrize("trend", UNTREATED_TRENDS, ids=lambda t: t.key)
def test_untreated_trend_holds(trend, untreated_runs):
    """The trend's effect exceeds its margin with its 95 % interval above zero."""
    (result,) = measure([trend], untreated_runs)
    lo, hi = result.ci95
    assert result.passed, (
        f"{trend.statement}: mean {result.mean:.3g} {trend.units} "
        f"(95% CI {lo:.3g}..{hi:.3g}), needs > {trend.margin}; per seed {result.effects}"
    )
