"""Resolution convergence: refine, the agreement criterion, the figures, the command, and one
model check (the default spinal cord at half the voxel size and with 4x the neuron agents)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation._version import ILLUSTRATIVE_LABEL
from simulation.cli import main
from simulation.scenario.schema import Scenario, load_scenario
from simulation.validation import convergence as conv

ROOT = Path(__file__).resolve().parents[1]
SPINAL = ROOT / "scenarios" / "spinal_cord_untreated.toml"


# ------------------------------------------------------------------------------ refine
def _extent_um(s: Scenario) -> tuple[float, float]:
    return s.grid.width_voxels * s.grid.dx_um, s.grid.height_voxels * s.grid.dx_um


@pytest.mark.parametrize(("fv", "fn"), [(2, 1), (1, 4), (2, 4), (3, 2)])
def test_refine_keeps_the_tissue_and_scales_the_counts(fv, fn):
    """Same physical extent and area; voxels x fv along and across, neuron agents x fn."""
    base = load_scenario(SPINAL)
    fine = conv.refine(base, voxel_factor=fv, neuron_factor=fn)
    assert _extent_um(fine) == pytest.approx(_extent_um(base))
    assert conv.tissue_area_mm2(fine) == pytest.approx(conv.tissue_area_mm2(base))
    assert fine.grid.dx_um == pytest.approx(base.grid.dx_um / fv)
    assert fine.grid.width_voxels == base.grid.width_voxels * fv
    assert fine.grid.height_voxels == base.grid.height_voxels * fv
    assert fine.neuron.count == base.neuron.count * fn
    assert fine.name == base.name
    changed = {"grid", "neuron"}
    same = {k: v for k, v in base.to_dict().items() if k not in changed}
    assert {k: v for k, v in fine.to_dict().items() if k not in changed} == same


def test_refine_by_one_is_the_same_scenario():
    base = load_scenario(SPINAL)
    assert conv.refine(base, 1, 1).digest() == base.digest()


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"voxel_factor": 0}, "refine: voxel_factor must be a whole number >= 1, not 0"),
        ({"voxel_factor": -2}, "voxel_factor must be a whole number >= 1, not -2"),
        ({"voxel_factor": 1.5}, "voxel_factor must be a whole number >= 1, not 1.5"),
        ({"neuron_factor": "4"}, "neuron_factor must be a whole number >= 1, not '4'"),
        ({"neuron_factor": True}, "neuron_factor must be a whole number >= 1, not True"),
        ({"voxel_factor": 10}, "refine: grid.dx_um would be 2.5, outside its range [5, 100] µm"),
        ({"voxel_factor": 5}, "grid.width_voxels would be 500, outside its range [30, 400]"),
        ({"voxel_factor": 1, "neuron_factor": 20}, "neuron.count would be 800, outside"),
    ],
    ids=["zero", "negative", "fraction", "text", "bool", "dx-too-fine", "too-wide", "neurons"],
)
def test_refine_bad_factor_is_a_one_line_error(kwargs, expected):
    with pytest.raises(ValueError) as info:
        conv.refine(load_scenario(SPINAL), **kwargs)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


# ------------------------------------------------------------------------------ criterion
def test_agree_passes_samples_of_one_distribution(rng):
    """Same-distribution samples of the default size agree (false alarms stay rare)."""
    n = conv.MIN_SEEDS
    verdicts = [
        conv.agree(rng.normal(3.0, 0.7, n), rng.normal(3.0, 0.7, n))["ok"] for _ in range(2000)
    ]
    assert np.mean(verdicts) > 0.99


@pytest.mark.parametrize("shift_sd", [2.0, -2.5, 4.0])
def test_agree_fails_samples_shifted_beyond_the_spread(rng, shift_sd):
    """A shift of >= 2 seed-to-seed sds is caught (almost) every time."""
    n = conv.MIN_SEEDS
    verdicts = [
        conv.agree(rng.normal(3.0, 0.7, n), rng.normal(3.0 + shift_sd * 0.7, 0.7, n))["ok"]
        for _ in range(500)
    ]
    assert np.mean(verdicts) < 0.02


def test_agree_reports_the_difference_in_sds_and_welch_t():
    base, refined = [1.0, 2.0, 3.0], [2.0, 3.0, 4.0]
    got = conv.agree(base, refined)
    assert got["diff"] == pytest.approx(1.0)
    assert got["pooled_sd"] == pytest.approx(1.0)
    assert got["ratio"] == pytest.approx(1.0)
    assert got["welch_t"] == pytest.approx(1.0 / math.sqrt(2 / 3))
    assert got["welch_df"] == pytest.approx(4.0)
    assert got["tolerance"] == pytest.approx(1.0) and got["ok"]
    assert not conv.agree(base, [2.1, 3.1, 4.1])["ok"]


def test_agree_floor_for_metrics_that_are_zero():
    """A metric that is 0 (sd 0) in every run agrees; a constant shift beyond the floor not."""
    assert conv.agree(np.zeros(5), np.zeros(5), 0.005)["ok"]
    assert conv.agree(np.zeros(5), np.full(5, 0.004), 0.005)["ok"]
    bad = conv.agree(np.zeros(5), np.full(5, 0.01), 0.005)
    assert not bad["ok"] and bad["ratio"] == math.inf
    assert conv.floor("scar_area_fraction") == conv.floor("muscle_mass_index") == 0.005
    assert conv.floor("neutrophils_per_mm2") == 1.0
    assert conv.floor("axon_length_mean_um") == 5.0
    with pytest.raises(ValueError, match="at least 2 seeds"):
        conv.agree([1.0], [1.0, 2.0])


def _fake_runs(rng, shift_sd: float = 0.0, seeds: int = 20) -> pd.DataFrame:
    """Runs of one scenario and one variant: a metric rising over 10 days, sd 0.1."""
    rows = []
    for variant, shift in (("base", 0.0), ("voxels", shift_sd * 0.1)):
        for seed in range(seeds):
            noise = rng.normal(0.0, 0.1)
            for day in np.arange(0.0, 10.25, 0.25):
                rows.append(
                    {
                        "scenario": "toy",
                        "variant": variant,
                        "seed": seed,
                        "day": day,
                        "function_index": day / 10 + noise + shift,
                        "scar_area_fraction": 0.0,
                    }
                )
    return pd.DataFrame(rows)


def test_criterion_table_is_tidy_and_judges_each_day(rng):
    table = conv.criterion(_fake_runs(rng))
    assert list(table.columns[:4]) == ["scenario", "variant", "metric", "day"]
    for column in ("base_mean", "refined_mean", "diff", "pooled_sd", "ratio", "welch_t", "ok"):
        assert column in table.columns
    assert sorted(set(table["day"])) == [3.0, 7.0, 10.0]  # the checkpoints within, the last day
    assert set(table["metric"]) == {"function_index", "scar_area_fraction"}
    assert table["ok"].all()
    shifted = conv.criterion(_fake_runs(rng, shift_sd=3.0))
    assert not shifted[shifted["metric"] == "function_index"]["ok"].any()
    assert shifted[shifted["metric"] == "scar_area_fraction"]["ok"].all()
    (row,) = conv.summary(shifted).to_dict("records")
    assert row["checks"] == 6 and row["agree"] == 3
    assert row["failing_metrics"] == "function_index"


def test_checkpoint_days():
    assert conv.checkpoint_days(84.0) == [3.0, 7.0, 14.0, 28.0, 56.0, 84.0]
    assert conv.checkpoint_days(56.0) == [3.0, 7.0, 14.0, 28.0, 56.0]
    assert conv.checkpoint_days(2.0) == [2.0]


def test_densities_come_from_counts_over_the_tissue_area():
    ts = pd.DataFrame({"day": [0.0, 1.0], "neutrophils_count": [0.0, 30.0]})
    ts["macrophages_m1_count"] = [1.0, 2.0]
    ts["macrophages_m1_per_mm2"] = [7.0, 8.0]  # a recorded density is preferred
    out = conv.derived_metrics(ts, area_mm2=1.5)
    assert out["neutrophils_per_mm2"].tolist() == [0.0, 20.0]
    assert out["macrophages_m1_per_mm2"].tolist() == [7.0, 8.0]
    assert "macrophages_m2_per_mm2" not in out  # neither column recorded: left out


def test_plot_convergence_writes_one_sheet_per_scenario(rng, tmp_path):
    runs = _fake_runs(rng, shift_sd=3.0, seeds=3)
    written = conv.plot_convergence(runs, tmp_path / "figs", conv.criterion(runs))
    assert [p.name for p in written] == ["convergence_toy.png"]
    assert written[0].read_bytes().startswith(b"\x89PNG")


# ------------------------------------------------------------------------------ command
def test_convergence_command_prints_label_table_and_verdict(capsys, tmp_path):
    """A tiny run: label first, one table per variant, the tally, exit code from the verdict."""
    argv = ["convergence", "--only", "crush", "--variant", "neurons", "--seeds", "3"]
    code = main([*argv, "--days", "1", "--workers", "1", "--quiet", "--plot", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    assert lines.count(ILLUSTRATIVE_LABEL) == 1
    head = next(line for line in lines if line.startswith("peripheral_crush_untreated, neurons:"))
    assert "agree; worst" in head
    assert any(line.split()[0] == "function_index" for line in lines if line.strip())
    assert lines[-1].endswith("metric-days)")
    agreeing = lines[-1].startswith("1 of 1 ")
    assert code == (0 if agreeing else 1)
    assert (tmp_path / "convergence_peripheral_crush_untreated.png").exists()
    table = pd.read_csv(tmp_path / "convergence.csv")
    assert set(table["variant"]) == {"neurons"} and set(table["day"]) == {1.0}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--only", "brain"], "--only: unknown scenario 'brain' (known: spinal, crush)"),
        (["--seeds", "2"], "argument --seeds: 2 must be >= 3"),
        (["--variant", "time"], "argument --variant: invalid choice: 'time'"),
        (["--days", "0"], "argument --days: 0.0 days is outside (0, 365]"),
    ],
    ids=["unknown-scenario", "too-few-seeds", "unknown-variant", "no-days"],
)
def test_convergence_bad_input_exits_2_with_one_line(capsys, argv, expected):
    assert main(["convergence", *argv, "--quiet"]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "Traceback" not in printed.err and len(printed.err.splitlines()) == 1
    assert expected in printed.err


def test_convergence_help_shows_an_example(capsys):
    assert main(["convergence", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: nervesim convergence")
    assert out.split("example:\n", 1)[1].lstrip().startswith("nervesim convergence ")


# ------------------------------------------------------------------------------ the model
#: Seeds per arm of the model check: MIN_SEEDS (30) keeps false alarms rare (module docstring).
MODEL_SEEDS = conv.MIN_SEEDS
CRUSH = ROOT / "scenarios" / "peripheral_crush_untreated.toml"


def _check(table: pd.DataFrame) -> None:
    """Every metric-day agrees but the known misses (reported, not asserted either way)."""
    missed = table.apply(
        lambda r: bool(conv.known_miss(r["scenario"], r["variant"], r["metric"], r["day"])),
        axis=1,
    )
    bad = table[~table["ok"] & ~missed]
    shown = bad[["variant", "metric", "day", "base_mean", "refined_mean", "ratio"]]
    assert bad.empty, f"{len(bad)} of {len(table)} metric-days differ:\n{shown.to_string()}"
    print(f"known misses that differ: {int((~table['ok'] & missed).sum())} of {int(missed.sum())}")


@pytest.mark.slow
def test_spinal_cord_converges_in_voxel_size_and_neuron_agents():
    """The untreated spinal cord over 56 days at half the voxel size and with 4x the neuron
    agents: every metric at days 3-56 within one pooled sd (+ floor) of the default grid's,
    but the known misses (``convergence.KNOWN_MISSES``, each with its reason). 56 days, not
    84, keep the test near 70 s on 2 cores; the command checks all 84."""
    runs = conv.run_variants(
        {SPINAL.stem: load_scenario(SPINAL)},
        conv.variant_makers(["voxels", "neurons"]),
        seeds=MODEL_SEEDS,
        workers=2,
        days=56.0,
    )
    table = conv.criterion(runs)
    assert sorted(set(table["day"])) == [3.0, 7.0, 14.0, 28.0, 56.0]
    _check(table)


@pytest.mark.slow
def test_crushed_nerve_converges_in_voxel_size_and_neuron_agents():
    """The untreated crush over 28 days (its fast phase: debris cleared, axons across, myelin
    forming) at half the voxel size and with 4x the neuron agents: every metric agrees but the
    known misses."""
    runs = conv.run_variants(
        {CRUSH.stem: load_scenario(CRUSH)},
        conv.variant_makers(["voxels", "neurons"]),
        seeds=MODEL_SEEDS,
        workers=2,
        days=28.0,
    )
    table = conv.criterion(runs)
    assert sorted(set(table["day"])) == [3.0, 7.0, 14.0, 28.0]
    _check(table)
