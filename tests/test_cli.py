"""The nervesim command: runs, parameter listing, help, and one-line errors for bad input."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.cli import TABLE_METRICS, main
from simulation.runs.storage import read_metadata
from simulation.scenario.schema import iter_parameters, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SPINAL = ROOT / "scenarios" / "spinal_cord_untreated.toml"
CRUSH = ROOT / "scenarios" / "peripheral_crush_untreated.toml"


def _one_error_line(err: str) -> str:
    """The single stderr line of a failed command (fails if there are more, or a traceback)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    return lines[0]


# ------------------------------------------------------------------------------ run
def test_run_writes_parquet_and_prints_label_and_trends(tmp_path, capsys):
    """`run` prints the label and a trend table and writes Parquet with label, seed, digest."""
    out = tmp_path / "results"
    code = main(["run", str(SPINAL), "--seed", "3", "--days", "2", "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0
    assert "Traceback" not in printed.err
    lines = printed.out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    assert lines[1].startswith("scenario: spinal_cord_untreated (")
    header = lines[2].split()
    assert header == ["day", "0", "day", "2"]  # day 0 and the last day
    table = {line.split()[0]: line.split()[1:] for line in lines[3 : 3 + len(TABLE_METRICS)]}
    assert list(table) == list(TABLE_METRICS)
    assert all(len(values) == 2 for values in table.values())
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["spinal_cord_untreated_seed3.parquet"]
    assert lines[-1] == f"time series written to {files[0]}"
    meta = read_metadata(files[0])
    assert meta["label"] == ILLUSTRATIVE_LABEL
    assert meta["seed"] == 3
    assert meta["scenario_digest"] == load_scenario(SPINAL).digest()
    series = pd.read_parquet(files[0])
    assert series["day"].iloc[0] == 0.0 and series["day"].iloc[-1] == 2.0


def test_run_output_name_cannot_leave_the_out_folder(tmp_path, capsys):
    """A scenario name with dots, backslashes or spaces still gives one file directly in --out
    (a slash is refused by the schema)."""
    scenario = tmp_path / "odd.toml"
    text = f'base = "{CRUSH.as_posix()}"\nname = "..\\\\crush 2:3"\n'
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    assert main(["run", str(scenario), "--days", "0.25", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert [p.name for p in out.iterdir()] == [".._crush_2_3_seed0.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.toml", "results"]


# ------------------------------------------------------------------------------ bad input
BAD_FILES = [
    # (id, file text or None for a missing file, substrings of the error line)
    ("missing-file", None, ["scenario.toml: file not found"]),
    ("malformed-toml", "[neuron\ncount = 3\n", ["scenario.toml: not valid TOML", "line 1"]),
    ("unknown-key", "[neuron]\ncuont = 3\n", ["scenario.toml: neuron.cuont: unknown key"]),
    (
        "out-of-range",
        "[neuron]\ncount = 0\n",
        ["neuron.count: 0 is out of range (agents, allowed [5, 400])"],
    ),
    (
        "wrong-type",
        '[grid]\ndx_um = "fast"\n',
        ['grid.dx_um: "fast" is not a number (µm, allowed [5, 100])'],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_run_bad_scenario_file(tmp_path, capsys, text, expected):
    """A bad scenario file exits 2 with one stderr line naming the problem, and writes nothing."""
    path = tmp_path / "scenario.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    code = main(["run", str(path), "--days", "1", "--out", str(tmp_path / "out")])
    printed = capsys.readouterr()
    assert code == 2
    line = _one_error_line(printed.err)
    assert line.startswith("nervesim: error: ")
    for part in expected:
        assert part in line, (part, line)
    assert printed.out == ""
    assert not (tmp_path / "out").exists()


BAD_ARGS = [
    ("seed-negative", ["--seed", "-1"], "argument --seed: -1 must be >= 0"),
    ("seed-text", ["--seed", "abc"], "argument --seed: 'abc' is not a whole number"),
    ("seed-fraction", ["--seed", "1.5"], "argument --seed: '1.5' is not a whole number"),
    ("days-zero", ["--days", "0"], "argument --days: 0.0 days is outside (0, 365]"),
    ("days-negative", ["--days", "-3"], "argument --days"),
    ("days-too-many", ["--days", "400"], "argument --days: 400.0 days is outside (0, 365]"),
    ("days-text", ["--days", "soon"], "argument --days: 'soon' is not a number of days"),
    ("days-nan", ["--days", "nan"], "argument --days: nan days is outside (0, 365]"),
]


@pytest.mark.parametrize(
    ("extra", "expected"), [c[1:] for c in BAD_ARGS], ids=[c[0] for c in BAD_ARGS]
)
def test_run_bad_arguments(tmp_path, capsys, extra, expected):
    """A bad --seed or --days exits 2 with one stderr line pointing at --help."""
    code = main(["run", str(CRUSH), "--out", str(tmp_path), *extra])
    printed = capsys.readouterr()
    assert code == 2
    line = _one_error_line(printed.err)
    assert line.startswith("nervesim run: error: ")
    assert expected in line
    assert line.endswith("(see nervesim run --help)")
    assert printed.out == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["simulate"], "invalid choice: 'simulate'"),
        (["run"], "the following arguments are required: scenario"),
        (["run", str(CRUSH), "--fast"], "unrecognized arguments: --fast"),
        (["demo", "--hours", "0"], "hours: 0 h is outside [1, 10000]"),
    ],
    ids=["no-command", "unknown-command", "no-scenario", "unknown-option", "demo-zero-hours"],
)
def test_other_bad_commands(capsys, argv, expected):
    """A missing or unknown command, or a bad demo length, exits 2 with one stderr line."""
    code = main(argv)
    line = _one_error_line(capsys.readouterr().err)
    assert code == 2
    assert expected in line


def test_unwritable_out_folder(tmp_path, capsys):
    """An --out that is a file exits 2 with one stderr line naming it."""
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    code = main(["run", str(CRUSH), "--days", "0.25", "--out", str(blocker), "--quiet"])
    line = _one_error_line(capsys.readouterr().err)
    assert code == 2
    assert line == f"nervesim: error: --out: {blocker}: exists and is not a folder"


# ------------------------------------------------------------------------------ subprocess
def _nervesim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_subprocess_bad_file_exits_2_with_one_line(tmp_path):
    """`python -m simulation run` on a bad file exits 2 with one stderr line, no traceback."""
    (tmp_path / "bad.toml").write_text("[grid]\ndx_um = -1\n", encoding="utf-8")
    proc = _nervesim("run", "bad.toml", "--days", "1", cwd=tmp_path)
    assert proc.returncode == 2
    line = _one_error_line(proc.stderr)
    assert "bad.toml: grid.dx_um: -1 is out of range (µm, allowed [5, 100])" in line
    assert proc.stdout == ""


def test_subprocess_good_run_exits_0(tmp_path):
    """`python -m simulation run --days 1` exits 0, prints the label and writes its file."""
    proc = _nervesim("run", str(CRUSH), "--days", "1", "--quiet", "--out", "res", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[0] == ILLUSTRATIVE_LABEL
    written = tmp_path / "res" / "peripheral_crush_untreated_seed0.parquet"
    assert read_metadata(written)["seed"] == 0


# ------------------------------------------------------------------------------ show-params, help
def test_show_params_lists_every_parameter_with_units_and_range(capsys):
    """`show-params` prints each dotted key once with default, units, range and description."""
    assert main(["show-params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    keys = [key for key, _ in iter_parameters()]
    assert [line.split()[0] for line in lines[1:]] == keys
    count = next(line for line in lines if line.split()[0] == "neuron.count")
    assert count.split()[1:3] == ["40", "agents"]
    assert "[5, 400]" in count and "neuron agents" in count
    dx = next(line for line in lines if line.split()[0] == "grid.dx_um")
    assert "µm" in dx and "[5, 100]" in dx


def test_show_params_filter(capsys):
    """`show-params --filter` prints only keys containing the text."""
    assert main(["show-params", "--filter", "growth_cone"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    expected = [key for key, _ in iter_parameters() if "growth_cone" in key]
    assert [line.split()[0] for line in lines] == expected


def test_show_params_shows_sources_cut_and_in_full(capsys):
    """Each row shows its source, long ones cut with an ellipsis; --sources prints them whole."""
    from simulation.cli.show_params import SOURCE_WIDTH
    from simulation.scenario.schema import parameter_source

    key = "fields.scar.decay_per_h"
    full = parameter_source(key)
    assert len(full) > SOURCE_WIDTH
    assert main(["show-params", "--filter", key]) == 0
    (row,) = capsys.readouterr().out.splitlines()[1:]
    assert full[: SOURCE_WIDTH - 1].rstrip() + "…" in row and full not in row
    assert main(["show-params", "--filter", key, "--sources"]) == 0
    (row,) = capsys.readouterr().out.splitlines()[1:]
    assert row.endswith(full) and "first-order decay" in row
    assert main(["show-params", "--filter", "neuron.count"]) == 0
    (row,) = capsys.readouterr().out.splitlines()[1:]
    assert parameter_source("neuron.count") in row


@pytest.mark.parametrize("command", ["run", "show-params", "demo"])
def test_command_help_shows_an_example(capsys, command):
    """Each command's --help exits 0 and shows a worked example of that command."""
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: nervesim {command}")
    example = out.split("example:\n", 1)[1]
    assert example.lstrip().startswith(f"nervesim {command} ")


def test_top_level_help_and_version(capsys):
    """The top-level --help carries the label and examples; --version prints the version."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert ILLUSTRATIVE_LABEL in out and "examples:" in out and "nervesim run " in out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"nervesim {__version__}"
