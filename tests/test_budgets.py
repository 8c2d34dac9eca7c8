"""Run budgets: a run over its [budget] stops with one line; a run within it is untouched.

Also what goes with them: the CLI's exit 2, a sweep that records the stopped point and goes
on, the dashboard's tighter budget, a finished sweep resumed on read-only media, and a sweep
write that fails naming its path.
"""

from __future__ import annotations

import builtins
import errno
import os
import pickle
from pathlib import Path

import pandas as pd
import pytest

from simulation.runs import budget as budget_module
from simulation.runs.budget import Budget, BudgetGuard, Limit, RunBudgetError
from simulation.runs.pool import InlineExecutor
from simulation.runs.runner import run
from simulation.scenario.schema import ScenarioError, load_scenario, loads_scenario
from simulation.sweeps.spec import SweepError
from simulation.sweeps.sweep import load_results, status, sweep
from tests.cli_process import nervesim
from tests.sweep_files import CRUSH, ROOT, write_sweep

#: A 40 x 8 crush with 10 neurons: a day takes a few hundredths of a second.
TINY = {"grid.width_voxels": 40, "grid.height_voxels": 8, "neuron.count": 10}


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(CRUSH).with_overrides(TINY)


# ------------------------------------------------------------------------------ the schema
def test_defaults_are_sourced_and_ranged():
    from simulation.scenario.schema import Scenario, parameter_info, parameter_source

    budget = Scenario().budget
    assert (budget.max_agents, budget.max_memory_mb, budget.max_wall_s) == (200_000, 4096, 600.0)
    for key in ("budget.max_agents", "budget.max_memory_mb", "budget.max_wall_s"):
        assert parameter_source(key).startswith("assumed")
        units, lo, hi = parameter_info(key)
        assert units and lo is not None and hi is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[budget]\nmax_agent = 5",
            "budget.max_agent: unknown key (did you mean budget.max_agents?",
        ),
        ("[budget]\nmax_agents = 0", "budget.max_agents"),
        ("[budget]\nmax_wall_s = -1.0", "budget.max_wall_s"),
        ("[budget]\nmax_memory_mb = 1.5", "budget.max_memory_mb"),
    ],
)
def test_budget_keys_are_validated_like_any_other(text, expected):
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_the_budget_is_not_part_of_the_digest(tiny):
    """A budget decides whether a run finishes, never what it gives."""
    raised = tiny.with_overrides({"budget.max_agents": 9_000_000, "budget.max_wall_s": 7200.0})
    assert raised.digest() == tiny.digest()
    assert "budget" in raised.to_toml()
    assert loads_scenario(raised.to_toml()).budget == raised.budget


# ------------------------------------------------------------------------------ one run
def test_a_run_over_max_agents_stops_with_one_line(tiny):
    small = tiny.with_overrides({"budget.max_agents": 5})
    with pytest.raises(RunBudgetError) as caught:
        run(small, seed=3, days=2, snapshots=False)
    err = caught.value
    message = str(err)
    assert message.startswith("peripheral_crush_untreated seed 3: stopped at day 0.0: ")
    assert "agents exceed budget.max_agents = 5 (count, allowed [1, 10,000,000]; " in message
    assert message.endswith("raise it in [budget])")
    assert "\n" not in message
    assert (err.key, err.limit) == ("budget.max_agents", 5) and err.value > 5
    assert isinstance(err, ValueError)  # the CLI's one-line, exit-2 errors


def test_the_error_survives_pickling(tiny):
    """It crosses from a pool worker to the parent with its attributes."""
    err = RunBudgetError("x: stopped", "budget.max_agents", 7.0, 5.0)
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.key, back.value, back.limit) == (str(err), err.key, 7.0, 5.0)


def test_memory_and_wall_time_budgets(tiny):
    low_memory = tiny.with_overrides({"budget.max_memory_mb": 64})  # this process holds more
    with pytest.raises(
        RunBudgetError, match=r"MB resident memory exceed budget\.max_memory_mb = 64 \(MB"
    ):
        run(low_memory, days=1, snapshots=False)
    no_time = Budget.of(tiny.budget).capped(1e9, 1e9, 0.0, "the test's limit")
    with pytest.raises(
        RunBudgetError,
        match=r"s of wall time exceed budget\.max_wall_s capped at 0 \(s; the test's limit\)",
    ):
        run(tiny, days=1, snapshots=False, budget=no_time)


def test_a_run_within_budget_is_bit_identical_to_one_without_checks(tiny, monkeypatch):
    """The checks read the model and the clock, never a random stream."""
    spinal = load_scenario(ROOT / "scenarios" / "spinal_cord_untreated.toml")
    checked = run(spinal, seed=2, days=5, snapshots=False).timeseries
    monkeypatch.setattr(BudgetGuard, "check", lambda self, model: None)
    unchecked = run(spinal, seed=2, days=5, snapshots=False).timeseries
    pd.testing.assert_frame_equal(checked, unchecked, check_exact=True)


def test_a_cap_lowers_a_limit_only_where_it_is_lower(tiny):
    own = Budget.of(tiny.with_overrides({"budget.max_agents": 100}).budget)
    capped = own.capped(50_000, 1024, 60.0, "the dashboard's limit")
    assert capped.agents == Limit("budget.max_agents", 100)  # the scenario's own is lower
    assert capped.memory_mb == Limit("budget.max_memory_mb", 1024, "the dashboard's limit")
    assert capped.wall_s.value == 60.0


def test_a_branch_is_charged_its_own_ticks_and_the_shared_start(tiny):
    """A copied run keeps the time spent so far; its clock stops while it waits."""
    guard = BudgetGuard(Budget.of(tiny.budget), "x")
    guard.resume()
    copy = pickle.loads(pickle.dumps(guard))
    assert copy.spent_s >= 0.0 and copy._since is None
    spent = copy.spent_s
    copy.pause()
    assert copy.spent_s == spent


# ------------------------------------------------------------------------------ the CLI
def _tiny_file(folder: Path, name: str, max_agents: int) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'base = "{CRUSH.as_posix()}"\nname = "{name}"\n'
        "[grid]\nwidth_voxels = 40\nheight_voxels = 8\n[neuron]\ncount = 10\n"
        f"[budget]\nmax_agents = {max_agents}\n",
        encoding="utf-8",
    )
    return path


def test_cli_run_over_budget_prints_one_line_and_exits_2(tmp_path):
    over = _tiny_file(tmp_path, "over", 5)
    done = _tiny_file(tmp_path, "fine", 200_000)
    # one run
    one = nervesim("run", str(over), "--days", "1", "--quiet", "--out", "out1", cwd=tmp_path)
    assert one.returncode == 2
    assert one.stderr.count("\n") == 1, one.stderr
    assert one.stderr.startswith("nervesim: error: over seed 0: stopped at day 0.0: ")
    assert "budget.max_agents = 5" in one.stderr and "Traceback" not in one.stderr
    # two scenarios: the one within budget is still shown and written
    two = nervesim(
        "run", str(over), str(done), "--days", "1", "--quiet", "--workers", "1", "--out", "out2",
        cwd=tmp_path,
    )  # fmt: skip
    assert two.returncode == 2
    assert two.stderr.count("\n") == 1 and "budget.max_agents = 5" in two.stderr
    assert "scenario: over: stopped" in two.stdout
    assert (tmp_path / "out2" / "fine_seed0.parquet").is_file()
    assert not (tmp_path / "out2" / "over_seed0.parquet").exists()


def test_cli_compare_keeps_the_arms_within_budget_then_exits_2(tmp_path):
    over = _tiny_file(tmp_path, "over", 5)
    fine = _tiny_file(tmp_path, "fine", 200_000)
    also = _tiny_file(tmp_path, "also", 300_000)
    args = ["compare", str(fine), str(over), str(also), "--seeds", "2", "--days", "1"]
    done = nervesim(*args, "--quiet", "--workers", "1", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "over seed " in done.stderr
    assert "budget.max_agents = 5" in done.stderr
    assert "stopped over budget: over; the other arms follow" in done.stdout
    frame = pd.read_parquet(tmp_path / "out" / "compare.parquet")
    assert sorted(frame["scenario"].unique()) == ["also", "fine"]


# ------------------------------------------------------------------------------ sweeps
OVER_BUDGET_GRID = """base = "base.toml"
name = "budget_grid"
design = "grid"
replicates = 1
root_seed = 3
days = 1.0
[keep]
metrics = ["neutrophils_count"]
days = [1.0]
[[parameters]]
key = "budget.max_agents"
values = [5, 200000]
[[parameters]]
key = "neuron.count"
values = [10, 12]
"""


def test_a_sweep_records_a_point_over_budget_as_failed_and_finishes_the_others(tmp_path):
    path = write_sweep(tmp_path, OVER_BUDGET_GRID)
    out = tmp_path / "out"
    summary = sweep(path, out, executor=InlineExecutor())
    assert summary.done == 2 and len(summary.failed) == 2
    assert all("budget.max_agents = 5" in e for e in summary.errors.values())
    assert status(out) == {"total": 4, "done": 2, "failed": 2, "pending": 0}
    assert sorted(load_results(out)["budget.max_agents"].unique()) == [200000]


def _deny_writes(monkeypatch, folder: Path) -> None:
    """Read-only media for ``folder`` where chmod cannot make it so (root ignores modes)."""
    real_open = builtins.open
    inside = str(folder.resolve())

    def denied(path) -> OSError:
        return OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def guarded_open(file, mode="r", *args, **kwargs):
        if str(Path(file).resolve()).startswith(inside) and set(mode) & set("wax+"):
            raise denied(file)
        return real_open(file, mode, *args, **kwargs)

    def guard(name: str) -> None:
        real = getattr(os, name)

        def call(path, *args, **kwargs):
            if str(Path(path).resolve()).startswith(inside):
                raise denied(path)
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, call)

    monkeypatch.setattr(builtins, "open", guarded_open)
    for name in ("mkdir", "unlink", "replace", "rename"):
        guard(name)


def test_a_finished_sweep_resumes_on_read_only_media(tmp_path, monkeypatch):
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    first = sweep(path, out, executor=InlineExecutor())
    assert first.complete
    (out / ".lock").unlink()
    if os.geteuid() == 0:  # root writes whatever the modes say: deny writes in Python instead
        _deny_writes(monkeypatch, out)
    else:
        for p in (out, *out.rglob("*")):
            p.chmod(p.stat().st_mode & ~0o222)
    try:
        again = sweep(path, out, executor=InlineExecutor())
    finally:
        monkeypatch.undo()
        for p in (out, *out.rglob("*")):
            p.chmod(p.stat().st_mode | 0o200)
    assert again.complete and again.done == 0 and again.skipped == first.total
    assert not (out / ".lock").exists()


def test_a_full_disk_names_the_part_and_keeps_the_parts_written(tmp_path, monkeypatch):
    import simulation.runs.storage as storage

    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    real = storage._write_parquet
    calls = {"n": 0}

    def fill_up(frame, part, metadata):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError("IOError: [Errno 28] Error writing bytes to file")  # as pyarrow does
        return real(frame, part, metadata)

    monkeypatch.setattr(storage, "_write_parquet", fill_up)
    with pytest.raises(SweepError) as caught:
        sweep(path, out, executor=InlineExecutor())
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{out / 'parts'}/p")
    assert ".parquet: No space left on device; 3 of 12 runs have their part (kept)" in message
    assert status(out)["done"] == 3
    assert not list((out / "parts").glob(".*.tmp"))


def test_a_failed_json_write_names_its_path(tmp_path, monkeypatch):
    """A write() that fails has no file name; the one line names the file being written."""
    from simulation.cli.common import error_line
    from simulation.runs.storage import write_json

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full)
    target = tmp_path / "failed" / "p000001-r000.json"
    with pytest.raises(OSError) as caught:
        write_json(target, {"a": 1})
    assert error_line(caught.value) == f"nervesim: error: {target}: No space left on device"
    assert not list(target.parent.iterdir())


# ------------------------------------------------------------------------------ dashboard
def test_the_dashboard_returns_a_run_over_its_budget_as_an_error(tiny, monkeypatch):
    from dashboard import worker

    monkeypatch.setattr(worker, "MAX_AGENTS", 5)
    data = worker.simulate(tiny.to_toml(), 1, 1.0)
    assert data.error is not None and data.timeseries.empty
    assert "budget.max_agents capped at 5 (count; the dashboard's limit" in data.error
    shared = worker.simulate_shared((tiny.to_toml(), tiny.to_toml()), 1, 1.0)
    assert [d.error for d in shared] == [data.error] * 2
    monkeypatch.setattr(worker, "MAX_AGENTS", 50_000)
    assert worker.simulate(tiny.to_toml(), 1, 1.0).error is None


def test_the_check_interval_is_short_against_the_default_wall_budget():
    assert budget_module.CHECK_EVERY_S <= 0.001 * 600.0
