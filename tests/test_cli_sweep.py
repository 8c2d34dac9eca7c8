"""The sweep-era commands: run with replicates, compare --plot, sweep (in process and as a
subprocess), their help, and one-line errors for bad flags."""

import re
import subprocess
import sys

import pandas as pd
import pytest

from simulation._version import ILLUSTRATIVE_LABEL
from simulation.cli import TABLE_METRICS, main
from simulation.runs.runner import spawn_seeds
from simulation.runs.storage import read_metadata
from simulation.sweeps.sweep import load_results, status
from tests.sweep_files import CRUSH, SPINAL, write_sweep

INTERVAL = re.compile(r"-?[\d.]+(?:e-?\d+)? \[-?[\d.]+(?:e-?\d+)?, -?[\d.]+(?:e-?\d+)?\]")


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ------------------------------------------------------------------------------ run
def test_run_several_files_with_seeds_prints_intervals_and_writes_replicates(tmp_path, capsys):
    """`run A B --seeds 3` prints the label once, a mean [95% interval] table per scenario and
    writes each scenario's replicates (seed column, seeds from SeedSequence(0))."""
    out = tmp_path / "res"
    argv = ["run", str(CRUSH), str(SPINAL), "--seeds", "3", "--days", "1"]
    code = main([*argv, "--workers", "1", "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.count(ILLUSTRATIVE_LABEL) == 1 and printed.startswith(ILLUSTRATIVE_LABEL)
    assert "running 2 scenarios, 3 seeds each" in printed
    blocks = printed.split("\nscenario: ")[1:]
    assert [b.split(" ", 1)[0] for b in blocks] == [
        "peripheral_crush_untreated",
        "spinal_cord_untreated",
    ]
    for block in blocks:
        lines = block.splitlines()
        assert lines[1].split() == ["day", "0", "day", "1"]
        rows = {line.split()[0]: line for line in lines[2 : 2 + len(TABLE_METRICS)]}
        assert list(rows) == list(TABLE_METRICS)
        assert INTERVAL.search(rows["neutrophils_count"]), rows["neutrophils_count"]
    seeds = spawn_seeds(0, 3)
    for name in ("peripheral_crush_untreated", "spinal_cord_untreated"):
        path = out / f"{name}_seeds3.parquet"
        frame = pd.read_parquet(path)
        assert sorted(set(frame["seed"])) == sorted(seeds)
        assert read_metadata(path)["seeds"] == seeds
        assert read_metadata(path)["label"] == ILLUSTRATIVE_LABEL


def test_run_seed_and_seeds_together_is_one_line_exit_2(tmp_path, capsys):
    """--seed and --seeds exclude each other."""
    code = main(["run", str(CRUSH), "--seed", "1", "--seeds", "2", "--out", str(tmp_path)])
    line = _one_error_line(capsys.readouterr().err)
    assert code == 2
    assert "argument --seeds: not allowed with argument --seed" in line


# ------------------------------------------------------------------------------ compare --plot
def test_compare_plot_writes_a_png(tmp_path, capsys):
    """`compare ... --plot F.png` writes the figure after the table."""
    figure = tmp_path / "cmp.png"
    argv = ["compare", str(CRUSH), str(SPINAL), "--seeds", "2", "--days", "1", "--workers", "1"]
    code = main([*argv, "--out", str(tmp_path), "--plot", str(figure), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count(ILLUSTRATIVE_LABEL) == 1
    assert out.splitlines()[-1] == f"figure written to {figure}"
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_bad_plot_name_fails_before_running(tmp_path, capsys):
    """A --plot file that is not .png/.svg/.pdf is refused at once, one line, exit 2."""
    code = main(["compare", str(CRUSH), str(SPINAL), "--out", str(tmp_path), "--plot", "f.jpeg"])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert "--plot: f.jpeg: use a .png, .svg, .pdf file name" in _one_error_line(printed.err)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ sweep
def test_sweep_command_runs_reports_and_resumes(tmp_path, capsys):
    """`sweep` prints the label once, the plan and a summary; running it again skips all."""
    path = write_sweep(tmp_path)
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--workers", "2", "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert code == 0
    assert printed.count(ILLUSTRATIVE_LABEL) == 1 and lines[0] == ILLUSTRATIVE_LABEL
    assert lines[1].startswith("sweep tiny_grid: grid design, 6 points x 2 replicates = 12 runs")
    assert lines[2] == "  neuron.count: 10, 20 agents"
    assert lines[3] == "  neutrophil.lifespan_h: [5, 30] uniform h"
    assert "0 of 12 runs already done; 12 to run on local pool of 2 worker processes" in lines[4]
    assert lines[-2].startswith("12 of 12 runs done (12 now, 0 before), 0 failed, in ")
    assert status(out)["done"] == 12 and len(load_results(out)) == 24

    assert main(["sweep", str(path), "--out", str(out)]) == 0
    again = capsys.readouterr().out
    assert f"all 12 runs already done; out {out}" in again
    assert "12 of 12 runs done (0 now, 12 before), 0 failed" in again


def _nervesim(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sweep_and_sensitivity_subprocesses_exit_0(tmp_path):
    """`python -m simulation sweep` exits 0 with a tqdm bar on stderr; `sensitivity` on its
    folder exits 0, prints the ranked table and writes the figure."""
    path = write_sweep(tmp_path)
    proc = _nervesim("sweep", str(path), "--out", "out", "--workers", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ILLUSTRATIVE_LABEL
    assert "12/12" in proc.stderr and "Traceback" not in proc.stderr
    assert status(tmp_path / "out") == {"total": 12, "done": 12, "failed": 0, "pending": 0}

    proc = _nervesim(
        "sensitivity", "out", "--metric", "neutrophils_count", "--plot", "s.png", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    assert "main effect sensitivity of neutrophils_count on day 1" in lines[1]
    assert lines[2].split() == ["rank", "parameter", "units", "main_effect"]
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_sweep_subprocess_bad_file_exits_2_with_one_line(tmp_path):
    """A bad sweep file through the console entry point: one stderr line, exit 2."""
    path = write_sweep(tmp_path, "design = 'grid'\n")
    proc = _nervesim("sweep", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert f"{path}: base: missing" in _one_error_line(proc.stderr)
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--workers", "0"], "argument --workers: 0 must be >= 1"),
        (["--dask-local", "--scheduler", "tcp://127.0.0.1:1"], "not allowed with argument"),
        (
            ["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"],
            "--workers: not used with --scheduler",
        ),
        (["--fast"], "unrecognized arguments: --fast"),
    ],
    ids=["workers-zero", "two-executors", "workers-with-scheduler", "unknown-flag"],
)
def test_sweep_bad_flags_are_one_line_exit_2(tmp_path, capsys, extra, expected):
    """Bad sweep flags exit 2 with one stderr line and run nothing."""
    path = write_sweep(tmp_path)
    code = main(["sweep", str(path), "--out", str(tmp_path / "out"), *extra])
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    assert expected in _one_error_line(printed.err)
    assert not (tmp_path / "out" / "parts").exists()


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "sensitivity"])
def test_help_shows_an_example(capsys, command):
    """Each command's --help exits 0 and ends with a worked example of that command."""
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: nervesim {command}")
    example = out.split("example:\n", 1)[1]
    assert example.lstrip().startswith(f"nervesim {command} ")
