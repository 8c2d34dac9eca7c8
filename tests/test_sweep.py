"""Running sweeps: parts and manifest, tidy results, resume, refusals and failed runs."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import simulation.sweeps.sweep as sweep_module
from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.cli import main
from simulation.runs.pool import InlineExecutor
from simulation.runs.runner import run, spawn_seeds
from simulation.runs.storage import read_metadata
from simulation.scenario.schema import load_scenario
from simulation.sweeps.spec import SweepError, load_sweep
from simulation.sweeps.sweep import (
    _lock,
    execute,
    load_manifest,
    load_results,
    prepare,
    status,
    sweep,
)
from tests.sweep_files import CRUSH, TINY_GRID, write_sweep

KEYS = ["neuron.count", "neutrophil.lifespan_h"]
METRICS = ["neutrophils_count", "macrophages_m1_count", "neuron_survival_fraction"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny grid sweep run in this process, uninterrupted: (sweep file, results)."""
    folder = tmp_path_factory.mktemp("reference")
    path = write_sweep(folder)
    summary = sweep(path, folder / "out", executor=InlineExecutor())
    assert summary.complete and not summary.failed
    return path, load_results(folder / "out")


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["point", "replicate", "day"]).reset_index(drop=True)


def test_results_are_one_tidy_frame_with_the_kept_columns(reference):
    """load_results: point, replicate, seed, the parameters, day, the kept metrics; 2 days a run."""
    path, frame = reference
    out = path.parent / "out"
    assert list(frame.columns) == ["point", "replicate", "seed", *KEYS, "day", *METRICS]
    assert len(frame) == 12 * 2
    assert frame.groupby(["point", "replicate"]).size().eq(2).all()
    assert sorted(set(frame["day"])) == [0.5, 1.0]
    assert frame["neuron.count"].dtype == np.int64
    assert frame["neutrophil.lifespan_h"].dtype == np.float64
    assert frame.attrs["label"] == ILLUSTRATIVE_LABEL
    raw = pd.read_parquet(out / "parts")  # plain pandas reads the whole folder
    assert_frame_equal(_sorted(raw)[frame.columns], frame)


def test_manifest_lists_design_points_runs_and_seeds(reference):
    """manifest.json holds the sweep file, its points with values, runs with seeds, the label."""
    path, frame = reference
    manifest = load_manifest(path.parent / "out")
    assert manifest["sweep_toml"] == path.read_text(encoding="utf-8")
    assert manifest["label"] == ILLUSTRATIVE_LABEL
    assert manifest["nervesim_version"] == __version__
    assert manifest["design"] == "grid" and manifest["metrics"] == METRICS
    assert manifest["keep_days"] == [0.5, 1.0] and manifest["days"] == 1.0
    assert [p["key"] for p in manifest["parameters"]] == KEYS
    assert manifest["points"][4]["values"] == {"neuron.count": 20, "neutrophil.lifespan_h": 17.5}
    assert [r["seed"] for r in manifest["runs"]] == spawn_seeds(3, 12)
    by_run = frame.drop_duplicates(["point", "replicate"])
    for r, row in zip(manifest["runs"], by_run.itertuples(index=False), strict=True):
        assert (row.point, row.replicate, row.seed) == (r["point"], r["replicate"], r["seed"])
        assert manifest["points"][r["point"]]["values"]["neuron.count"] == row[3]


def test_a_part_is_the_run_itself_with_its_metadata(reference):
    """Each part equals run(base + point, seed) at the kept days and carries its metadata."""
    path, frame = reference
    manifest = load_manifest(path.parent / "out")
    r = manifest["runs"][7]
    values = manifest["points"][r["point"]]["values"]
    scenario = load_scenario(path.parent / "base.toml").with_overrides(values)
    ts = run(scenario, seed=r["seed"], days=1.0, snapshots=False).timeseries
    mine = frame[(frame["point"] == r["point"]) & (frame["replicate"] == r["replicate"])]
    for day in (0.5, 1.0):
        expected = ts.loc[(ts["day"] - day).abs().idxmin(), METRICS].to_numpy(dtype=float)
        np.testing.assert_array_equal(mine.loc[mine["day"] == day, METRICS].to_numpy()[0], expected)
    meta = read_metadata(path.parent / "out" / "parts" / f"{r['run_id']}.parquet")
    assert meta["label"] == ILLUSTRATIVE_LABEL
    assert meta["seed"] == r["seed"] and meta["parameters"] == values
    assert meta["scenario_digest"] == scenario.digest()
    assert meta["sweep_digest"] == manifest["digest"]
    assert meta["nervesim_version"] == __version__


def test_rerun_skips_every_finished_run(reference, tmp_path):
    """Running the same sweep again into a finished folder runs nothing and changes no part."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    sweep(path, out, executor=InlineExecutor())
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    summary = sweep(path, out, executor=InlineExecutor())
    assert (summary.skipped, summary.done, summary.failed) == (12, 0, [])
    assert {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()} == stamps
    assert_frame_equal(load_results(out), reference[1])


def test_missing_parts_are_rerun_identically_in_any_order(reference, tmp_path):
    """Deleting every other part and resuming gives the same frame: output depends only on
    the point and seed, not on which runs ran before it."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    sweep(path, out, executor=InlineExecutor())
    parts = sorted((out / "parts").glob("*.parquet"))
    for part in parts[::2]:
        part.unlink()
    summary = sweep(path, out, executor=InlineExecutor())
    assert (summary.skipped, summary.done) == (6, 6)
    assert_frame_equal(load_results(out), reference[1], check_exact=True)


def test_a_different_sweep_into_the_same_folder_is_refused(tmp_path, capsys):
    """Another design into a folder holding a sweep: one line, exit 2, nothing touched."""
    out = tmp_path / "out"
    sweep(write_sweep(tmp_path), out, executor=InlineExecutor())
    other = write_sweep(tmp_path, TINY_GRID.replace("replicates = 2", "replicates = 3"), "b.toml")
    with pytest.raises(SweepError, match="holds a different sweep"):
        sweep(other, out, executor=InlineExecutor())
    code = main(["sweep", str(other), "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert printed.err.count("\n") == 1
    assert f"nervesim: error: {out}: holds a different sweep ('tiny_grid'" in printed.err
    assert status(out) == {"total": 12, "done": 12, "failed": 0, "pending": 0}


def test_comment_or_description_change_is_the_same_sweep(tmp_path):
    """Editing only comments or the description keeps the digest: the sweep resumes."""
    out = tmp_path / "out"
    sweep(write_sweep(tmp_path), out, executor=InlineExecutor())
    text = "# a note\n" + TINY_GRID.replace(
        'name = "tiny_grid"', 'name = "tiny_grid"\ndescription = "x"'
    )
    summary = sweep(write_sweep(tmp_path, text, "c.toml"), out, executor=InlineExecutor())
    assert summary.skipped == 12 and summary.done == 0


def test_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, reference):
    """A run that raises gets OUT/failed/<id>.json with a one-line error; the others finish;
    a re-run retries it and clears the record."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    bad_seed = spawn_seeds(3, 12)[5]

    def flaky(scenario, seed, **kwargs):
        if seed == bad_seed:
            raise RuntimeError("injected failure\nsecond line")
        return run(scenario, seed, **kwargs)

    monkeypatch.setattr(sweep_module, "run", flaky)
    seen = []
    summary = sweep(path, out, executor=InlineExecutor(), progress=seen.append)
    assert summary.failed == ["p000002-r001"]
    assert summary.done == 11 and not summary.complete
    assert [r["ok"] for r in seen].count(False) == 1
    record = json.loads((out / "failed" / "p000002-r001.json").read_text(encoding="utf-8"))
    assert record["error"] == "RuntimeError: injected failure second line"
    assert record["seed"] == bad_seed and record["point"] == 2 and record["replicate"] == 1
    assert status(out) == {"total": 12, "done": 11, "failed": 1, "pending": 0}
    assert len(load_results(out)) == 22

    monkeypatch.setattr(sweep_module, "run", run)
    summary = sweep(path, out, executor=InlineExecutor())
    assert (summary.skipped, summary.done, summary.failed) == (11, 1, [])
    assert not (out / "failed" / "p000002-r001.json").exists()
    assert_frame_equal(load_results(out), reference[1], check_exact=True)


def test_a_second_sweep_process_on_the_same_folder_is_refused(tmp_path):
    """While one sweep holds OUT/.lock, another is refused in one line."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    loaded = load_sweep(path)
    prepare(loaded, out)
    with _lock(out), pytest.raises(SweepError, match="another nervesim sweep is writing"):
        execute(loaded, out, executor=InlineExecutor())


def test_worker_returns_only_a_small_summary(tmp_path):
    """run_task returns a few scalars (no frames), so the parent's memory stays flat."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    loaded = load_sweep(path)
    manifest = prepare(loaded, out)
    (task,) = list(sweep_module.iter_tasks(manifest, loaded, out.resolve(), [0]))
    result = sweep_module.run_task(task)
    assert result["ok"] and set(result) == {
        "run_id", "host", "pid", "ok", "seconds", "run_seconds", "rows"
    }  # fmt: skip
    assert all(isinstance(v, str | int | float | bool) for v in result.values())
    assert (out / "parts" / "p000000-r000.parquet").is_file()


# ------------------------------------------------------------------------------ kill and resume
SLOW_GRID = f"""base = "{CRUSH.as_posix()}"
name = "slow_grid"
design = "grid"
replicates = 2
root_seed = 11
days = 4.0
[keep]
metrics = ["neutrophils_count", "macrophages_m1_count", "debris_remaining_fraction"]
[[parameters]]
key = "neuron.count"
values = [20, 40]
[[parameters]]
key = "neutrophil.lifespan_h"
lo = 10.0
hi = 30.0
levels = 4
"""


def test_sigkill_partway_then_resume_matches_an_uninterrupted_sweep(tmp_path):
    """Kill a sweep's whole process group with SIGKILL after a few parts exist, run it again:
    every run is there exactly once, bitwise equal to an uninterrupted sweep."""
    path = tmp_path / "slow.toml"
    path.write_text(SLOW_GRID, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulation", "sweep", str(path), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "--workers", "2", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(list((out / "parts").glob("*.parquet"))) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no parts appeared"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    done_at_kill = len(list((out / "parts").glob("*.parquet")))
    assert 3 <= done_at_kill < 16

    resumed = subprocess.run([*command, "--quiet"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_at_kill} of 16 runs already done" in resumed.stdout
    assert not list((out / "parts").glob(".*"))  # no temp files left behind
    frame = load_results(out)
    manifest = load_manifest(out)
    runs = frame.drop_duplicates(["point", "replicate", "seed"])
    assert len(runs) == 16 == len(manifest["runs"])
    assert sorted(zip(runs["point"], runs["replicate"], runs["seed"], strict=True)) == sorted(
        (r["point"], r["replicate"], r["seed"]) for r in manifest["runs"]
    )
    assert frame.groupby(["point", "replicate"]).size().nunique() == 1  # none duplicated

    whole = tmp_path / "whole"
    sweep(path, whole, executor=InlineExecutor())
    assert_frame_equal(_sorted(frame), _sorted(load_results(whole)), check_exact=True)


def test_tasks_carry_a_few_runs_only_when_every_worker_still_gets_four():
    """chunk_size: one run per task for small sweeps or many workers, up to four for long ones."""
    from simulation.sweeps.sweep import chunk_size

    assert chunk_size(7, 2) == 1
    assert chunk_size(16, 2) == 2
    assert chunk_size(24, 2) == 3
    assert chunk_size(10_000, 2) == 4
    assert chunk_size(64, 16) == 1
    for runs in range(1, 200):
        for workers in (1, 2, 3, 8):
            k = chunk_size(runs, workers)
            assert 1 <= k <= 4 and (k == 1 or runs // k >= 4 * workers)
