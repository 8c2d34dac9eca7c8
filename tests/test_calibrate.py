"""Calibration by ABC-SMC: known answers, resume after SIGKILL, executors, bad files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.calibration.abc import calibrate
from simulation.calibration.outputs import summary, write_outputs
from simulation.calibration.spec import CalibrationError, load_calibration, loads_calibration
from simulation.cli import main
from simulation.runs.storage import read_metadata
from simulation.scenario.schema import load_scenario
from tests.cli_process import ROOT

#: Truth of the toy problem: each target pins one parameter at this position of its prior.
TRUTH_UNIT = {"growth_cone.speed_um_per_h": 0.3, "macrophage.death_rate_per_h": 0.7}


def toy_text(
    population: int = 12, generations: int = 3, delay_s: float = 0.0, seed: int = 7
) -> str:
    """A toy calibration (two parameters, two point targets) as TOML text."""
    return f"""
name = "toy"
model = "toy"
scenarios = ["peripheral_crush_untreated.toml"]
targets = ["pni.regrowth_rate", "pni.macrophage_peak_day"]
seeds_per_particle = 1
population_size = {population}
generations = {generations}
root_seed = {seed}
predictive_draws = 4
[target_values]
"pni.regrowth_rate" = {TRUTH_UNIT["growth_cone.speed_um_per_h"]}
"pni.macrophage_peak_day" = {TRUTH_UNIT["macrophage.death_rate_per_h"]}
[toy]
noise = 0.02
delay_s = {delay_s}
[[parameters]]
key = "growth_cone.speed_um_per_h"
lo = 10
hi = 200
[[parameters]]
key = "macrophage.death_rate_per_h"
lo = 0.001
hi = 0.05
"""


def toy_file(tmp_path: Path, **kw: float) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "toy.toml"
    path.write_text(toy_text(**kw), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_toy_interval_covers_truth_and_is_narrower_than_prior(tmp_path):
    """The 90 % interval of each parameter covers its true value and is narrower than the prior."""
    cal = load_calibration(toy_file(tmp_path, population=20, generations=4))
    run = calibrate(cal, tmp_path / "out")
    table = summary(cal, run.posterior).set_index("parameter")
    for p in cal.parameters:
        a, b = p.bounds()
        truth = p.natural(a + TRUTH_UNIT[p.key] * (b - a))
        row = table.loc[p.key]
        assert row["q05"] <= truth <= row["q95"], (p.key, truth, row.to_dict())
        assert row["shrinkage"] > 0.0
    assert table.loc["growth_cone.speed_um_per_h", "verdict"] == "constrained"


def test_outputs_scenario_report_and_label(tmp_path):
    """A finished calibration writes the posterior, a loadable median scenario with its
    sources, figures and a report, all labelled illustrative."""
    cal = load_calibration(toy_file(tmp_path, population=8, generations=2))
    run = calibrate(cal, tmp_path / "out")
    paths = write_outputs(cal, run, day="2026-12-07")
    posterior = pd.read_parquet(paths["posterior"])
    assert list(posterior.columns) == [*cal.keys, "weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert "not clinically validated" in read_metadata(paths["posterior"])["label"]
    text = paths["median"].read_text(encoding="utf-8")
    assert text.count('# source = "calibrated: toy.toml, 2026-12-07"') == 2
    scenario = load_scenario(paths["median"])
    median = summary(cal, run.posterior).set_index("parameter")["median"]
    assert scenario.growth_cone.speed_um_per_h == pytest.approx(median.iloc[0], rel=1e-5)
    report = paths["report"].read_text(encoding="utf-8")
    assert "not clinically validated" in report and "shrinkage" in report.lower()
    for name in ("figure_marginals", "figure_pairwise", "figure_predictive"):
        assert paths[name].stat().st_size > 1000


def test_rerun_resumes_and_refuses_another_calibration(tmp_path):
    """Running again continues the history; a different calibration in the folder is refused."""
    cal = load_calibration(toy_file(tmp_path, population=8, generations=2))
    calibrate(cal, tmp_path / "out")
    again = calibrate(cal, tmp_path / "out")
    assert again.resumed_from == 2 and again.sampled == []
    other = load_calibration(toy_file(tmp_path, population=8, generations=2, seed=8))
    with pytest.raises(CalibrationError, match="holds another calibration"):
        calibrate(other, tmp_path / "out")


def test_more_generations_continue_a_finished_calibration(tmp_path):
    """Raising ``generations`` in a finished calibration's file continues it in the same folder
    to exactly the posterior a longer run from scratch reaches (the stopping rules are not in
    the digest); a tolerance of 0 does not stop it early."""
    short = load_calibration(toy_file(tmp_path / "a", population=8, generations=2))
    calibrate(short, tmp_path / "out")
    longer = load_calibration(toy_file(tmp_path / "b", population=8, generations=3))
    assert longer.digest() == short.digest()
    continued = calibrate(longer, tmp_path / "out")
    assert continued.resumed_from == 2 and len(continued.generations) == 3
    scratch = calibrate(longer, tmp_path / "scratch")
    pd.testing.assert_frame_equal(continued.posterior, scratch.posterior, check_exact=True)


def test_local_transition_is_its_own_reproducible_calibration(tmp_path):
    """``transition = "local"`` (pyabc's LocalTransition) is part of the digest, runs, and one
    root seed gives the same posterior twice; the default kernel keeps the old digest."""
    text = toy_text(population=8, generations=2).replace(
        "predictive_draws = 4", 'predictive_draws = 4\ntransition = "local"'
    )
    (tmp_path / "local.toml").write_text(text, encoding="utf-8")
    local = load_calibration(tmp_path / "local.toml")
    plain = load_calibration(toy_file(tmp_path / "plain", population=8, generations=2))
    assert local.spec.transition == "local" and local.digest() != plain.digest()
    first = calibrate(local, tmp_path / "a").posterior
    again = calibrate(local, tmp_path / "b").posterior
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    assert not first.equals(calibrate(plain, tmp_path / "c").posterior)


def test_a_wider_kernel_is_its_own_calibration(tmp_path):
    """``transition_scaling`` widens pyabc's multivariate normal kernel: a scaling other than 1
    is part of the digest and proposes other particles; 1 keeps the old digest."""
    plain = load_calibration(toy_file(tmp_path / "plain", population=8, generations=2))
    text = toy_text(population=8, generations=2)
    for scaling in ("1.0", "3.0"):
        path = tmp_path / f"s{scaling}.toml"
        path.write_text(
            text.replace(
                "predictive_draws = 4", f"predictive_draws = 4\ntransition_scaling = {scaling}"
            ),
            encoding="utf-8",
        )
        wide = load_calibration(path)
        assert wide.spec.transition_scaling == float(scaling)
        assert (wide.digest() == plain.digest()) == (scaling == "1.0")
    first = calibrate(plain, tmp_path / "a").posterior
    assert not first.equals(calibrate(wide, tmp_path / "b").posterior)


def _generations_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as con:
            return int(con.execute("select count(*) from populations where t >= 0").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sigkill_then_resume_gives_the_uninterrupted_posterior(tmp_path):
    """SIGKILL partway, run the same command again: the posterior equals an uninterrupted run's."""
    path = toy_file(tmp_path, population=10, generations=4, delay_s=0.02)
    out = tmp_path / "killed"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [sys.executable, "-m", "simulation", "calibrate", str(path), "--workers", "1",
           "--out", str(out), "--quiet"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _generations_in(out / "history.db") < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = _generations_in(out / "history.db")
    assert 2 <= done_before < 4
    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_before} generation(s) already in" in resumed.stdout
    cal = load_calibration(path)
    whole = calibrate(cal, tmp_path / "whole")
    after = pd.read_parquet(out / "posterior.parquet")
    pd.testing.assert_frame_equal(after, whole.posterior, check_exact=True)


def test_same_posterior_inline_local_pool_and_dask(tmp_path):
    """One root seed gives the same posterior in this process, a 2-process pool and Dask."""
    from simulation.runs.pool import close_executor, dask_client, local_pool

    cal = load_calibration(toy_file(tmp_path, population=8, generations=2))
    inline = calibrate(cal, tmp_path / "inline").posterior
    for name, executor in (("pool", local_pool(2)), ("dask", dask_client(workers=2))):
        try:
            other = calibrate(cal, tmp_path / name, executor).posterior
        finally:
            close_executor(executor)
        pd.testing.assert_frame_equal(other, inline, check_exact=True)


def test_real_model_known_answer(tmp_path):
    """Synthetic target from the model at a known growth-cone speed: the 90 % interval covers it
    and is narrower than the prior (the tiny CI tissue, one seed per particle)."""
    from simulation.calibration.bridge import NerveSimModel

    path = ROOT / "scenarios/calibrations/ci_tiny.toml"
    text = path.read_text(encoding="utf-8").replace("hi = 400.0", "hi = 200.0")
    text = text.replace("population_size = 6", "population_size = 10")
    text = text.replace("generations = 2", "generations = 3")
    truth = 100.0
    key = "growth_cone.speed_um_per_h"
    target = NerveSimModel(loads_calibration(text, path)).statistics({key: truth}, [101, 102, 103])
    text += f'\n[target_values]\n"pni.regrowth_rate" = {target["pni.regrowth_rate"]!r}\n'
    cal = loads_calibration(text, path)
    row = summary(cal, calibrate(cal, tmp_path / "out").posterior).iloc[0]
    assert row["q05"] <= truth <= row["q95"], row.to_dict()
    assert row["verdict"] == "constrained", row.to_dict()  # 90 % interval < half the prior's


def test_real_model_smoke(tmp_path):
    """A tiny calibration of the real model runs end to end (the CI calibration, shrunk)."""
    text = (ROOT / "scenarios/calibrations/ci_tiny.toml").read_text(encoding="utf-8")
    text = text.replace("population_size = 6", "population_size = 4")
    text = text.replace("generations = 2", "generations = 1")
    text = text.replace("predictive_draws = 3", "predictive_draws = 0")
    cal = loads_calibration(text, ROOT / "scenarios/calibrations/ci_tiny.toml")
    run = calibrate(cal, tmp_path / "out")
    assert len(run.generations) == 1 and len(run.posterior) == 4
    speeds = run.posterior["growth_cone.speed_um_per_h"].to_numpy()
    assert np.all((speeds >= 20.0) & (speeds <= 400.0))


BASE = toy_text()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (('key = "macrophage.death_rate_per_h"', 'key = "macrophage.deth_rate_per_h"'),
         "parameters[1] (macrophage.deth_rate_per_h): not a scenario parameter"),
        (('targets = ["pni.regrowth_rate",', 'targets = ["pni.regrowth_speed",'),
         "targets[0]: 'pni.regrowth_speed' is not an anchor id"),
        (("lo = 10\nhi = 200", "lo = 200\nhi = 200"),
         "parameters[0] (growth_cone.speed_um_per_h): the prior range [200, 200] is empty or "
         "inverted; give lo < hi (µm/h, allowed [1, 400])"),
        (("lo = 10\nhi = 200", "lo = 300\nhi = 200"), "is empty or inverted"),
        (("lo = 10\nhi = 200", "lo = 10\nhi = 900"),
         "parameters[0] (growth_cone.speed_um_per_h): hi 900 is outside the parameter's range "
         "(µm/h, allowed [1, 400])"),
        (("seeds_per_particle = 1", "seeds_per_particle = 1\nsede = 3"), "sede: unknown key"),
        (("population_size = 12", "population_size = 2"),
         "population_size: 2 is out of range"),
        (("lo = 0.001", "lo = 0.0"), "a loguniform prior needs lo > 0"),
        (('targets = ["pni.regrowth_rate",', 'targets = ["sci.keio",'), "not encodable yet"),
        (("[toy]", '[overrides]\n"neuron.cont" = 3\n[toy]'), "neuron.cont: unknown key"),
        (("predictive_draws = 4", 'predictive_draws = 4\ntransition = "kde"'), "transition"),
        (("predictive_draws = 4", "predictive_draws = 4\ntransition_scaling = 0"),
         "transition_scaling"),
        (("predictive_draws = 4", "predictive_draws = 4\ntransition_scaling = 11"),
         "transition_scaling"),
    ],
)  # fmt: skip
def test_bad_calibration_file_is_one_line_exit_2(tmp_path, capsys, edit, expected):
    """A bad calibration file is one line naming the key (units, allowed range), exit code 2."""
    old, new = edit
    assert old in BASE
    path = tmp_path / "bad.toml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err, err
    assert not (tmp_path / "out").exists()


def test_missing_calibration_file(tmp_path, capsys):
    """A missing file is one line, exit code 2."""
    assert main(["calibrate", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "file not found" in err


def test_library_calibration_files_load():
    """Every calibration file of the library validates."""
    files = sorted((ROOT / "scenarios/calibrations").glob("*.toml"))
    assert len(files) >= 2
    for path in files:
        assert load_calibration(path).parameters


def test_help_teaches_with_examples(capsys):
    """``nervesim calibrate --help`` says what it does, resumes, and shows real examples."""
    assert main(["calibrate", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: nervesim calibrate") and "resume" in out
    examples = out.split("examples:\n", 1)[1]
    for line in examples.strip().splitlines():
        assert line.strip().startswith("nervesim calibrate ")
    assert "scenarios/calibrations/ci_tiny.toml" in examples
    assert (ROOT / "scenarios/calibrations/untreated_default.toml").is_file()


def test_degenerate_weights_give_no_verdict(tmp_path):
    """When one particle carries most of the weight (Kish's effective sample size 1.4 of 20,
    under half the particles), the report reads no constraint from the interval, and
    resampling the particles moves the 90 % width from near 0 to near the prior's; with equal
    weights on prior draws it reads "left wide"; on draws packed in a tenth of the prior,
    "constrained"."""
    from simulation.calibration.outputs import effective_sample_size, shrinkage_interval

    assert effective_sample_size(np.ones(10)) == pytest.approx(10.0)
    assert effective_sample_size(np.r_[1.0, np.zeros(9)]) == pytest.approx(1.0)
    cal = load_calibration(toy_file(tmp_path))
    rng = np.random.default_rng(0)
    draws = {p.key: rng.uniform(*p.bounds(), 20) for p in cal.parameters}
    posterior = pd.DataFrame({p.key: [p.natural(x) for x in draws[p.key]] for p in cal.parameters})
    posterior["weight"] = np.r_[100.0, np.ones(19)]
    table = summary(cal, posterior)
    assert set(table["verdict"]) == {"undetermined (weights uneven)"}
    assert (table["shrinkage_lo"] < 0.5).all() and (table["shrinkage_hi"] >= 0.5).all()
    posterior["weight"] = 1.0
    even = set(summary(cal, posterior)["verdict"])
    assert "undetermined (weights uneven)" not in even
    assert even == {"left wide"}
    packed = pd.DataFrame(
        {
            p.key: [p.natural(p.bounds()[0] + (x - p.bounds()[0]) / 10) for x in draws[p.key]]
            for p in cal.parameters
        }
    )
    packed["weight"] = 1.0
    assert set(summary(cal, packed)["verdict"]) == {"constrained"}
    lo, hi = shrinkage_interval(np.linspace(0, 1, 50), np.ones(50), 1.0)
    assert lo <= 0.0 <= hi  # uniform draws over the prior: no shrinkage, within resampling
