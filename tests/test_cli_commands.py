"""The list, compare and validate commands, and the comparison statistics behind them."""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation._version import ILLUSTRATIVE_LABEL
from simulation.cli import COMPARE_METRICS, main
from simulation.cli.common import NEUROPATHY_TABLE_METRICS
from simulation.runs.compare import SUMMARY_COLUMNS, compact, format_estimate, summarize, t975
from simulation.runs.metrics import METRICS
from simulation.runs.runner import spawn_seeds
from simulation.runs.storage import read_metadata
from simulation.scenario.schema import load_scenario
from simulation.validation import checks as validation
from simulation.validation import trends

ROOT = Path(__file__).resolve().parents[1]
SPINAL = ROOT / "scenarios" / "spinal_cord_untreated.toml"
CRUSH = ROOT / "scenarios" / "peripheral_crush_untreated.toml"
INTERVAL = re.compile(r"-?[\d.]+(e-?\d+)? \[-?[\d.]+(e-?\d+)?, -?[\d.]+(e-?\d+)?\]")


def _one_error_line(err: str) -> str:
    """The single stderr line of a failed command (fails if there are more, or a traceback)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ------------------------------------------------------------------------------ list
def test_list_shows_every_scenario_file_with_its_description(capsys):
    """`list` prints one line per file in scenarios/, sorted, with its description."""
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    files = sorted(validation.SCENARIO_DIR.glob("*.toml"), key=lambda p: p.name)
    assert len(files) >= 3
    rows = lines[2:]
    assert [row.split()[0] for row in rows] == [f.name for f in files]
    for path, row in zip(files, rows, strict=True):
        try:
            expected = load_scenario(path).description
        except ValueError:  # a file another change left broken is listed, not fatal
            expected = "(invalid: "
        assert expected in row, (path.name, row)
    columns = {len(row) - len(row.split(None, 1)[1]) for row in rows}
    assert len(columns) == 1  # descriptions aligned


def test_list_marks_invalid_files_and_exits_0(tmp_path, capsys):
    """A bad file in --dir is listed as invalid with its one-line reason; the rest still show."""
    (tmp_path / "good.toml").write_text('name = "good"\ndescription = "fine one"\n', "utf-8")
    (tmp_path / "range.toml").write_text("[neuron]\ncount = 0\n", "utf-8")
    (tmp_path / "broken.toml").write_text("[neuron\n", "utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario", "utf-8")
    assert main(["list", "--dir", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    rows = {line.split()[0]: line for line in printed.out.splitlines()[2:]}
    assert list(rows) == ["broken.toml", "good.toml", "range.toml"]
    assert rows["good.toml"].endswith("  fine one")
    assert "(invalid: not valid TOML" in rows["broken.toml"]
    assert (
        "(invalid: neuron.count: 0 is out of range (agents, allowed [5, 400]))"
        in rows["range.toml"]
    )
    assert str(tmp_path) not in rows["range.toml"]  # the file's path is not repeated


def test_list_missing_folder_exits_2(tmp_path, capsys):
    """`list --dir` on a folder that does not exist exits 2 with one line."""
    assert main(["list", "--dir", str(tmp_path / "nowhere")]) == 2
    printed = capsys.readouterr()
    assert "nowhere: not a folder" in _one_error_line(printed.err)
    assert printed.out == ""


# ------------------------------------------------------------------------------ compare
def test_compare_metrics_are_recorded():
    """Every metric `compare` shows is one the runs record."""
    assert set(COMPARE_METRICS) <= set(METRICS)
    assert {"grafted_cells_alive_count", "tumor_events_count"} <= set(COMPARE_METRICS)


def test_compare_prints_arms_with_intervals_and_writes_parquet(tmp_path, capsys):
    """`compare` of two scenarios prints both arms with intervals and writes tidy replicates."""
    argv = [str(SPINAL), str(CRUSH), "--seeds", "2", "--days", "2", "--workers", "1"]
    code = main(["compare", *argv, "--out", str(tmp_path), "--quiet"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.err == ""
    lines = printed.out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    assert lines.count(ILLUSTRATIVE_LABEL) == 1
    header = next(line for line in lines if line.startswith("day "))
    assert header.split() == ["day", "2", "spinal_cord_untreated", "peripheral_crush_untreated"]
    table = lines[lines.index(header) + 1 :]
    recorded = [m for m in COMPARE_METRICS if m not in NEUROPATHY_TABLE_METRICS]
    assert [row.split()[0] for row in table[: len(recorded)]] == recorded
    # Both arms as mean [lo, hi] (a row where the two seeds happen to agree prints a lone
    # number: two seeds gave 262 neutrophils each at day 2 on 2026-12-07).
    assert any(len(INTERVAL.findall(row)) == 2 for row in table[: len(recorded)])
    neutrophils = next(row for row in table if row.startswith("neutrophils_count"))
    assert any("t-interval" in line for line in lines)

    path = tmp_path / "compare.parquet"
    assert lines[-1] == f"replicates written to {path}"
    meta = read_metadata(path)
    assert meta["label"] == ILLUSTRATIVE_LABEL
    assert meta["seeds"] == spawn_seeds(0, 2)
    assert [s["arm"] for s in meta["scenarios"]] == [
        "spinal_cord_untreated",
        "peripheral_crush_untreated",
    ]
    frame = pd.read_parquet(path)
    assert {"day", "seed", "scenario", *recorded} <= set(frame.columns)
    assert set(frame["scenario"]) == {"spinal_cord_untreated", "peripheral_crush_untreated"}
    assert sorted(set(frame["seed"])) == sorted(spawn_seeds(0, 2))
    assert frame["day"].max() == 2.0
    last = frame[(frame["day"] == 2.0) & (frame["scenario"] == "spinal_cord_untreated")]
    mean = last["neutrophils_count"].mean()
    assert neutrophils.split()[1] == compact(mean)


BAD_COMPARE = [
    ("one-scenario", [str(SPINAL)], "compare needs 2 to 4 scenario files, got 1"),
    ("five-scenarios", [str(SPINAL)] * 5, "compare needs 2 to 4 scenario files, got 5"),
    ("missing-file", [str(SPINAL), "nowhere.toml"], "nowhere.toml: file not found"),
    ("one-seed", [str(SPINAL), str(CRUSH), "--seeds", "1"], "--seeds: 1 must be >= 2"),
    (
        "day-after-end",
        [str(SPINAL), str(CRUSH), "--days", "3", "--at-days", "1,7"],
        "--at-days: day 7 is after the runs end (day 3)",
    ),
    ("bad-day", [str(SPINAL), str(CRUSH), "--at-days", "7,soon"], "'soon' is not a number"),
]


@pytest.mark.parametrize(
    ("argv", "expected"), [c[1:] for c in BAD_COMPARE], ids=[c[0] for c in BAD_COMPARE]
)
def test_compare_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, expected):
    """Too few or many files, a missing file, or bad options: exit 2, one line, nothing written."""
    code = main(["compare", *argv, "--out", str(tmp_path / "out"), "--quiet"])
    printed = capsys.readouterr()
    assert code == 2
    assert expected in _one_error_line(printed.err)
    assert printed.out == ""
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ summarize
def test_summarize_gives_known_mean_and_t_interval():
    """`summarize` on a hand-made frame gives the mean and t-interval worked out by hand."""
    rows = []
    for seed, value in zip((1, 2, 3), (1.0, 2.0, 3.0), strict=True):
        for day in (0.0, 6.5, 7.25, 14.0):
            rows.append(("A", seed, day, value if day == 7.25 else 0.0, 5.0))
            rows.append(("B", seed, day, 10.0 * value, 5.0))
    frame = pd.DataFrame(rows, columns=["scenario", "seed", "day", "x", "y"])
    out = summarize(frame, [7.0, 20.0], ["x", "y"])  # day 7 -> 7.25 (nearest); 20 is past the end
    assert list(out.columns) == list(SUMMARY_COLUMNS)
    assert list(zip(out["arm"], out["metric"], strict=True)) == [
        ("A", "x"),
        ("A", "y"),
        ("B", "x"),
        ("B", "y"),
    ]
    assert (out["day"] == 7.0).all() and (out["n"] == 3).all()
    half = 4.302653 / math.sqrt(3)  # t(0.975, 2 df) * sd 1 / sqrt(3)
    a_x = out.iloc[0]
    assert a_x["mean"] == pytest.approx(2.0)
    assert (a_x["lo"], a_x["hi"]) == pytest.approx((2.0 - half, 2.0 + half), abs=1e-5)
    b_x = out.iloc[2]
    assert (b_x["mean"], b_x["lo"], b_x["hi"]) == pytest.approx(
        (20.0, 20.0 - 10 * half, 20.0 + 10 * half), abs=1e-4
    )
    a_y = out.iloc[1]
    assert (a_y["mean"], a_y["lo"], a_y["hi"]) == (5.0, 5.0, 5.0)
    assert format_estimate(2.0, 2.0 - half, 2.0 + half) == "2 [-0.484, 4.48]"
    assert format_estimate(5.0, 5.0, 5.0) == "5"
    assert format_estimate(0.4821, 0.48205, 0.48215) == "0.482"  # interval rounds away
    assert format_estimate(12345.0, 9000.0, 15690.0) == "1.23e4 [9e3, 1.57e4]"


def test_t_quantile_matches_scipy():
    """The built-in t(0.975) quantile matches SciPy's to 1e-4 for 1-200 degrees of freedom."""
    stats = pytest.importorskip("scipy.stats")
    df = np.arange(1, 201)
    ours = np.array([t975(int(d)) for d in df])
    np.testing.assert_allclose(ours, stats.t.ppf(0.975, df), atol=1e-4)


# ------------------------------------------------------------------------------ validate
@pytest.mark.slow
def test_validate_one_trend_prints_verdict_and_label(capsys):
    """`validate --only neutrophil_peak_day` runs, prints PASS or FAIL, the tally and the
    label."""
    argv = ["validate", "--only", "neutrophil_peak_day", "--seeds", "3", "--workers", "1"]
    code = main([*argv, "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ILLUSTRATIVE_LABEL
    row = next(line for line in lines if line.startswith("neutrophil_peak_day"))
    verdict = row.split()[1]
    assert verdict in {"PASS", "FAIL"}
    assert "days inside" in row and INTERVAL.search(row)
    assert any("neutrophils peak between day 0.5 and day 2" in line for line in lines)
    assert any("source: sci.neutrophil_peak" in line for line in lines)
    assert lines[-1] == f"{int(verdict == 'PASS')} of 1 trends hold"
    known = "(known miss)" in row
    assert code == (0 if verdict == "PASS" or known else 1)


def test_validate_exits_1_when_a_trend_fails(monkeypatch, capsys):
    """A trend that cannot hold makes `validate` print FAIL and exit 1."""
    hopeless = validation.Trend(
        "hopeless",
        "an effect that is always negative",
        (validation.Arm("peripheral_crush_untreated.toml", 0.25),),
        lambda runs: -1.0 - float(runs[0]["neutrophils_count"].iloc[-1]),
        0.0,
        "au",
    )
    monkeypatch.setattr(trends, "ALL_TRENDS", (hopeless,))
    assert main(["validate", "--seeds", "3", "--workers", "1", "--quiet"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert next(line for line in lines if line.startswith("hopeless")).split()[1] == "FAIL"
    assert lines[-1] == "0 of 1 trends hold"


def test_validate_exits_0_when_only_known_misses_fail(monkeypatch, capsys):
    """A failing trend marked as a known miss prints FAIL (known miss) and its reason, and
    `validate` exits 0; a failing trend that must hold alongside it still exits 1."""
    arm = validation.Arm("peripheral_crush_untreated.toml", 0.25)
    missed = validation.Trend(
        "missed", "an effect the model misses", (arm,), lambda runs: -1.0, 0.0, "au",
        known_miss="measured failing: issue 99",
    )  # fmt: skip
    monkeypatch.setattr(trends, "ALL_TRENDS", (missed,))
    assert main(["validate", "--seeds", "3", "--workers", "1", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("missed"))
    assert row.split()[1] == "FAIL" and "(known miss)" in row
    assert any("known miss: measured failing: issue 99" in line for line in lines)
    assert lines[-1] == "0 of 1 trends hold"
    hopeless = validation.Trend("hopeless", "always negative", (arm,), lambda r: -1.0, 0.0, "au")
    monkeypatch.setattr(trends, "ALL_TRENDS", (missed, hopeless))
    assert main(["validate", "--seeds", "3", "--workers", "1", "--quiet"]) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--only", "nope"], "--only: unknown trend key 'nope' (known: neutrophil_peak_day,"),
        (["--only", ","], "--only: no trend key given"),
        (["--seeds", "2"], "argument --seeds: 2 must be >= 3"),
        (["--workers", "0"], "argument --workers: 0 must be >= 1"),
    ],
    ids=["unknown-key", "empty-only", "too-few-seeds", "no-workers"],
)
def test_validate_bad_input_exits_2(capsys, argv, expected):
    """An unknown --only key or a bad number exits 2 with one line and runs nothing."""
    assert main(["validate", *argv, "--quiet"]) == 2
    printed = capsys.readouterr()
    assert expected in _one_error_line(printed.err)
    assert printed.out == ""


# ------------------------------------------------------------------------------ help
@pytest.mark.parametrize("command", ["list", "compare", "validate"])
def test_new_command_help_shows_an_example(capsys, command):
    """Each new command's --help exits 0 and shows a worked example of that command."""
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: nervesim {command}")
    assert out.split("example:\n", 1)[1].lstrip().startswith(f"nervesim {command}")
