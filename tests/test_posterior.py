"""Parameter uncertainty in runs (``--posterior``): draws, matched twins, bad folders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulation.calibration.posterior import (
    apply_draw,
    drawn_for,
    library_default,
    load_posterior,
)
from simulation.calibration.spec import CalibrationError
from simulation.cli import main
from simulation.runs.storage import write_parquet
from simulation.scenario.schema import load_scenario
from simulation.validation.checks import SCENARIO_DIR

KEYS = ("macrophage.death_rate_per_h", "growth_cone.speed_um_per_h")


def _write(folder, frame, meta=None):
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(frame, folder / "posterior.parquet", meta or {"calibration": "test"})
    return folder


@pytest.fixture
def posterior_dir(tmp_path):
    frame = pd.DataFrame(
        {KEYS[0]: [0.003, 0.006, 0.009], KEYS[1]: [80.0, 120.0, 160.0], "weight": [0.2, 0.3, 0.5]}
    )
    return _write(tmp_path / "cal", frame)


def test_draw_depends_on_the_seed_alone(posterior_dir):
    a, b = load_posterior(posterior_dir), load_posterior(posterior_dir / "posterior.parquet")
    seeds = range(200)
    assert [a.draw(s) for s in seeds] == [b.draw(s) for s in seeds]
    assert a.weights.sum() == pytest.approx(1.0)


def test_draws_follow_the_weights(posterior_dir):
    """Over 4000 seeds each particle is drawn in proportion to its weight: binomial standard
    error at most sqrt(0.25/4000) = 0.008, so 0.03 is about 4 standard errors."""
    p = load_posterior(posterior_dir)
    picked = np.array([p.draw(s)[KEYS[1]] for s in range(4000)])
    shares = [np.mean(picked == v) for v in (80.0, 120.0, 160.0)]
    assert shares == pytest.approx([0.2, 0.3, 0.5], abs=0.03)


def test_draw_keeps_what_a_scenario_sets_itself(posterior_dir):
    """spinal_cord_no_scar sets astrocyte.scar_per_h = 0: that is the arm's point, kept."""
    frame = pd.DataFrame({"astrocyte.scar_per_h": [0.05], "weight": [1.0]})
    p = load_posterior(_write(posterior_dir.parent / "scar", frame))
    no_scar = load_scenario(SCENARIO_DIR / "spinal_cord_no_scar.toml")
    untreated = load_scenario(SCENARIO_DIR / "spinal_cord_untreated.toml")
    assert drawn_for(no_scar, p.draw(0)) == {}
    assert apply_draw(no_scar, p.draw(0)).astrocyte.scar_per_h == 0.0
    assert untreated.astrocyte.scar_per_h == library_default("astrocyte.scar_per_h")
    assert apply_draw(untreated, p.draw(0)).astrocyte.scar_per_h == 0.05


@pytest.mark.parametrize(
    ("frame", "needle"),
    [
        (pd.DataFrame({KEYS[0]: [0.003]}), "weight"),
        (pd.DataFrame({"weight": [1.0]}), "names no parameter"),
        (pd.DataFrame({"nope.rate_per_h": [1.0], "weight": [1.0]}), "'nope.rate_per_h'"),
        (pd.DataFrame({KEYS[0]: [-1.0], "weight": [1.0]}), "allowed range"),
        (pd.DataFrame({KEYS[0]: [0.003], "weight": [0.0]}), "weights"),
        (pd.DataFrame({KEYS[0]: [0.003], "weight": [np.nan]}), "weights"),
    ],
)
def test_bad_posteriors_are_one_line_errors(tmp_path, frame, needle):
    with pytest.raises(CalibrationError) as err:
        load_posterior(_write(tmp_path / "bad", frame))
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_missing_and_foreign_files_exit_2(tmp_path, capsys):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "posterior.parquet").write_bytes(b"not parquet at all")
    for folder in (tmp_path / "absent", tmp_path / "junk"):
        code = main(
            ["run", str(SCENARIO_DIR / "peripheral_crush_untreated.toml"), "--posterior",
             str(folder), "--out", str(tmp_path / "o")]
        )  # fmt: skip
        err = capsys.readouterr().err.strip()
        assert code == 2 and "--posterior" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_matched_twins_share_the_draw_and_it_changes_the_run(posterior_dir):
    """Arms that share a seed get the same parameters; a draw far from the default changes the
    outcome, so the posterior reaches the model (this test fails if the draw were ignored)."""
    from simulation.validation.checks import Arm, run_arms

    slow = _write(
        posterior_dir.parent / "slow",
        pd.DataFrame({"growth_cone.speed_um_per_h": [40.0], "weight": [1.0]}),
    )
    arm = Arm("peripheral_crush_untreated.toml", 6.0)
    plain = run_arms([arm], [3], workers=1)[arm][0]
    drawn = run_arms([arm], [3], workers=1, posterior=load_posterior(slow))[arm][0]
    last = plain["axon_length_mean_um"].iloc[-1], drawn["axon_length_mean_um"].iloc[-1]
    assert last[1] < 0.6 * last[0]
    # Two arms with the same tissue (one names a default explicitly) and three particles far
    # apart: with one draw per seed shared by the arms, their series are identical per seed.
    twin = Arm(arm.scenario, 6.0, (("neuron.count", library_default("neuron.count")),))
    runs = run_arms([arm, twin], [1, 2, 3], workers=1, posterior=load_posterior(posterior_dir))
    for a, b in zip(runs[arm], runs[twin], strict=True):
        pd.testing.assert_frame_equal(a, b)
    lengths = {round(float(s["axon_length_mean_um"].iloc[-1])) for s in runs[arm]}
    assert len(lengths) > 1


def test_sweep_with_a_posterior_records_draws_and_resumes_only_with_it(tmp_path, capsys):
    """Each run's draw (by its seed) goes into the manifest and a column; the swept key keeps
    its design values; the folder refuses a resume without the same posterior."""
    from simulation.sweeps.sweep import load_manifest, load_results
    from tests.sweep_files import write_sweep

    frame = pd.DataFrame(
        {"neutrophil.lifespan_h": [7.0, 9.0], KEYS[0]: [0.003, 0.009], "weight": [0.5, 0.5]}
    )
    folder = _write(tmp_path / "cal", frame)
    sweep = write_sweep(tmp_path / "s")
    out = tmp_path / "out"
    args = ["sweep", str(sweep), "--workers", "1", "--out", str(out), "--quiet"]
    assert main([*args, "--posterior", str(folder)]) == 0
    manifest = load_manifest(out)
    assert manifest["posterior"]["digest"] == load_posterior(folder).digest()
    p = load_posterior(folder)
    for r in manifest["runs"]:  # the swept lifespan is not drawn; the death rate is
        assert r["drawn"] == {KEYS[0]: p.draw(r["seed"])[KEYS[0]]}
    results = load_results(out)
    assert set(results[KEYS[0]]) <= {0.003, 0.009}
    assert set(results["neutrophil.lifespan_h"]) == {5.0, 17.5, 30.0}
    capsys.readouterr()
    assert main(args) == 2
    assert "--posterior" in capsys.readouterr().err


def test_compare_with_a_posterior_says_so_and_exports_the_draws(posterior_dir, tmp_path, capsys):
    from simulation.runs.storage import read_metadata

    arms = [str(SCENARIO_DIR / f"peripheral_crush_{s}.toml") for s in ("untreated", "ev_ngf")]
    out = tmp_path / "o"
    code = main(
        ["compare", *arms, "--seeds", "2", "--days", "1", "--workers", "1", "--quiet",
         "--posterior", str(posterior_dir), "--out", str(out)]
    )  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0 and "parameter uncertainty" in text and "ILLUSTRATIVE" in text
    assert "chance and parameter uncertainty" in text
    meta = read_metadata(out / "compare.parquet")
    p = load_posterior(posterior_dir)
    assert meta["posterior"]["draws"] == {str(s): p.draw(s) for s in meta["seeds"]}
