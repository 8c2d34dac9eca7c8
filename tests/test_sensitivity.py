"""Sensitivity indices: a parameter that drives a metric outranks one that cannot matter."""

import numpy as np
import pytest

from simulation.cli import main
from simulation.runs.pool import InlineExecutor
from simulation.sweeps.sensitivity import analyze
from simulation.sweeps.spec import SweepError
from simulation.sweeps.sweep import sweep
from tests.sweep_files import SPINAL

#: A small spinal cord (no Schwann cells exist there, so schwann.* cannot change anything) run
#: for two days. Every point uses the same seed, so points that differ only in the Schwann
#: parameter give identical runs, while the neuron death rate drives neuron survival.
DESIGNS = {
    "sobol": 'design = "sobol"\nsamples = 8',
    "morris": 'design = "morris"\nsamples = 6',
    "lhs": 'design = "lhs"\nsamples = 24',
    "grid": 'design = "grid"',
}
RANGES = {
    "grid": ("values = [0.0, 0.05, 0.1]", "values = [0.0, 0.5, 1.0]"),
    "other": ("lo = 0.0\nhi = 0.1", "lo = 0.0\nhi = 1.0"),
}


def _write(folder, design):
    death, trophic = RANGES["grid" if design == "grid" else "other"]
    (folder / "base.toml").write_text(
        f'base = "{SPINAL.as_posix()}"\nname = "small_spinal"\n'
        "[grid]\nwidth_voxels = 60\nheight_voxels = 12\n",
        encoding="utf-8",
    )
    text = f"""base = "base.toml"
name = "driver_{design}"
{DESIGNS[design]}
common_random_numbers = true
root_seed = 5
days = 2.0
[keep]
metrics = ["neuron_survival_fraction", "scar_area_fraction"]
days = [1.0, 2.0]
[[parameters]]
key = "schwann.trophic_per_h"
{trophic}
[[parameters]]
key = "neuron.death_rate_per_h"
{death}
"""
    path = folder / f"{design}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """Each design run in this process: design -> results folder."""
    folders = {}
    for design in DESIGNS:
        folder = tmp_path_factory.mktemp(design)
        summary = sweep(_write(folder, design), folder / "out", executor=InlineExecutor())
        assert summary.complete
        folders[design] = folder / "out"
    return folders


@pytest.mark.parametrize("design", list(DESIGNS))
def test_driver_outranks_a_parameter_that_cannot_matter(swept, design):
    """neuron.death_rate_per_h ranks first for neuron survival; schwann.trophic_per_h (no
    Schwann cells in a spinal cord) has an index of zero where the method measures it exactly."""
    result = analyze(swept[design], "neuron_survival_fraction")
    assert result.day == 2.0 and result.missing_points == 0
    table = result.table.set_index("parameter")
    assert list(result.table["parameter"]) == ["neuron.death_rate_per_h", "schwann.trophic_per_h"]
    driver = table.loc["neuron.death_rate_per_h", result.rank_by]
    idle = table.loc["schwann.trophic_per_h", result.rank_by]
    assert driver > 0.3
    if design == "lhs":
        assert idle < driver / 3
        assert table.loc["neuron.death_rate_per_h", "spearman_rho"] < -0.5
    else:
        assert idle == pytest.approx(0.0, abs=1e-12)


def test_points_average_the_metric_per_design_point(swept):
    """The per-point table has one row per point with the mean metric and its run count."""
    result = analyze(swept["grid"], "neuron_survival_fraction", day=1.0)
    assert result.day == 1.0
    assert len(result.points) == 9 and result.points["runs"].eq(1).all()
    ranked = result.points.sort_values("neuron.death_rate_per_h")
    first = ranked.groupby("neuron.death_rate_per_h")["value"].mean()
    assert first.is_monotonic_decreasing and np.ptp(first) > 0


def test_cli_sensitivity_prints_the_ranked_table_and_draws_a_figure(swept, tmp_path, capsys):
    """`nervesim sensitivity DIR --metric M --plot F` prints the label once, a ranked table and
    writes a PNG."""
    figure = tmp_path / "fig" / "sobol.png"
    code = main(
        [
            "sensitivity",
            str(swept["sobol"]),
            "--metric",
            "neuron_survival_fraction",
            "--plot",
            str(figure),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert out.count("ILLUSTRATIVE TEACHING MODEL") == 1 and lines[0].startswith("ILLUSTRATIVE")
    assert "Sobol sensitivity of neuron_survival_fraction on day 2" in lines[1]
    assert lines[2].split()[:6] == ["rank", "parameter", "units", "S1", "S1_conf", "ST"]
    assert lines[3].split()[:2] == ["1", "neuron.death_rate_per_h"]
    assert lines[4].split()[:2] == ["2", "schwann.trophic_per_h"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert lines[-1] == f"figure written to {figure}"


def test_cli_sensitivity_accepts_the_sweep_file_with_out(swept, capsys):
    """Given the sweep file and --out, sensitivity finds and checks the results folder."""
    out = swept["morris"]
    code = main(
        [
            "sensitivity",
            str(out.parent / "morris.toml"),
            "--out",
            str(out),
            "--metric",
            "neuron_survival_fraction",
        ]
    )
    assert code == 0
    assert "Morris sensitivity" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--metric", "muscle_mass_index"], "--metric: 'muscle_mass_index' is not kept by sweep"),
        (["--metric", "neuron_survival_fraction", "--day", "1.5"], "--day: 1.5 is not a kept day"),
        (["--metric", "scar_area_fraction"], "scar_area_fraction on day 2 is 0 at every point"),
        (["--metric", "neuron_survival_fraction", "--plot", "x.gif"], "--plot: x.gif: use a"),
        (["--day", "2"], "the following arguments are required: --metric"),
    ],
    ids=["metric-not-kept", "day-not-kept", "constant-metric", "plot-suffix", "no-metric"],
)
def test_cli_sensitivity_bad_input_is_one_line_exit_2(swept, capsys, args, expected):
    """Unknown metric or day, a constant metric, a bad figure name, a missing flag: exit 2."""
    code = main(["sensitivity", str(swept["grid"]), *args])
    printed = capsys.readouterr()
    assert code == 2
    assert printed.err.count("\n") == 1 and "Traceback" not in printed.err
    assert expected in printed.err
    assert printed.out == ""


def test_sobol_with_a_missing_point_is_refused(tmp_path, swept):
    """Sobol needs every point: a sweep missing one gives a one-line error saying to re-run."""
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(swept["sobol"], out)
    next((out / "parts").glob("*.parquet")).unlink()
    with pytest.raises(SweepError, match="1 of 32 design points have no finished run"):
        analyze(out, "neuron_survival_fraction")
