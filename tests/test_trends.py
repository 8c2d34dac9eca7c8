"""NerveSim shows the literature's qualitative trends, untreated and under therapy.

Statistical: every arm runs the same 20 seeds; each trend's mean per-seed effect must exceed
its stated margin with the 95 % interval over seeds above zero (``simulation/validation/trends.py``
and ``simulation/validation/checks.py`` define the effects, arms, margins and their sources).
A trend the current model is measured to miss (its ``known_miss`` says why) is a strict xfail:
it must still fail, so the day the model meets it this test says to drop the mark.
"""

import pytest

from simulation.runs.runner import spawn_seeds
from simulation.validation.checks import measure, run_arms
from simulation.validation.trends import ALL_TRENDS

#: The seeds ``nervesim validate --seeds 20`` uses, so the two agree run for run.
SEEDS = spawn_seeds(0, 20)


@pytest.fixture(scope="module")
def trend_runs():
    """Every arm any trend needs, 20 seeds each, on both cores (run once for the module)."""
    return run_arms([a for t in ALL_TRENDS for a in t.arms], SEEDS, workers=2)


@pytest.mark.slow
@pytest.mark.timeout(3000)  # the first test builds the fixture: ~340 runs, ~10 min on 2 cores
@pytest.mark.parametrize(
    "trend",
    [
        pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=t.known_miss))
        if t.known_miss
        else t
        for t in ALL_TRENDS
    ],
    ids=lambda t: t.key,
)
def test_trend_holds(trend, trend_runs):
    """The trend's effect exceeds its margin with its 95 % interval above zero."""
    (result,) = measure([trend], trend_runs)
    lo, hi = result.ci95
    assert result.passed, (
        f"{trend.statement}: mean {result.mean:.3g} {trend.units} "
        f"(95% CI {lo:.3g}..{hi:.3g}), needs > {trend.margin}; per seed {result.effects}"
    )
