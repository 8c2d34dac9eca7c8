"""Figures: one line and 95 % band per arm, metrics that never vary left out, the label on
every figure."""

import numpy as np
import pandas as pd
import pytest

from simulation._version import ILLUSTRATIVE_LABEL
from simulation.sweeps.plots import arms_figure, plot_arms, sensitivity_figure
from simulation.sweeps.sensitivity import Sensitivity


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


@pytest.fixture
def replicates(rng) -> pd.DataFrame:
    """Two arms x 3 seeds x 5 days of three metrics; scar is zero everywhere."""
    rows = []
    for arm, shift in (("a", 0.0), ("b", 0.3)):
        for seed in range(3):
            for day in range(5):
                rows.append(
                    {
                        "scenario": arm,
                        "seed": seed,
                        "day": float(day),
                        "function_index": 0.5 + shift + 0.05 * rng.standard_normal(),
                        "neuron_survival_fraction": 1.0 - 0.05 * day,
                        "scar_area_fraction": 0.0,
                    }
                )
    return pd.DataFrame(rows)


def test_arms_figure_has_a_line_and_band_per_arm_and_the_label(replicates):
    """One panel per varying metric, a mean line and a band per arm, the label in the figure."""
    fig = arms_figure(replicates, title="a vs b")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["function_index", "neuron_survival_fraction"]
    assert len(axes[0].lines) == 2 and len(axes[0].collections) == 2
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), 1.0 - 0.05 * np.arange(5))
    assert ILLUSTRATIVE_LABEL in _texts(fig)
    assert any(t.startswith("a vs b: mean and 95 % interval over seeds") for t in _texts(fig))


def test_plot_arms_writes_the_format_of_its_suffix(replicates, tmp_path):
    """PNG and SVG by file suffix, folders created."""
    png = plot_arms(replicates, tmp_path / "x" / "f.png")
    svg = plot_arms(replicates, tmp_path / "f.svg")
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in svg.read_bytes()[:500]


def test_sensitivity_figure_carries_the_label():
    """Bars per parameter and a scatter per parameter, the label in the figure."""
    table = pd.DataFrame(
        {"parameter": ["p", "q"], "units": ["h", ""], "S1": [0.8, 0.0], "S1_conf": [0.1, 0.02],
         "ST": [0.9, 0.0], "ST_conf": [0.1, 0.01], "rank": [1, 2]}
    )  # fmt: skip
    points = pd.DataFrame({"p": [1.0, 2.0, 3.0], "q": [1.0, 10.0, 100.0], "value": [1, 2, 3]})
    result = Sensitivity("toy", "sobol", "Sobol", "m", 7.0, "ST", table, points, ("q",), 0)
    fig = sensitivity_figure(result)
    assert ILLUSTRATIVE_LABEL in _texts(fig)
    scatter_axes = [ax for ax in fig.axes if ax.get_xlabel() in ("p", "q")]
    assert [ax.get_xscale() for ax in scatter_axes] == ["linear", "log"]
