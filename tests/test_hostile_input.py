"""Hostile input (issue 15): every loader answers bad files with one short line, fast.

Deep nesting, huge dotted keys, long ``base`` chains, symlink loops, long names and keys,
unwritable ``--out`` folders and full disks; then a property test feeding random mutations of
the library's scenarios to the loader (generators in :mod:`tests.hostile_files`).
"""

from __future__ import annotations

import errno
import random
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.library import extra_overrides, read_upload
from simulation.cli import main
from simulation.evidence.anchors import AnchorError, load_anchor_file
from simulation.scenario.errors import MAX_SHOWN_KEY_CHARS, ScenarioError
from simulation.scenario.schema import MAX_BASE_CHAIN, Scenario, load_scenario, loads_scenario
from simulation.scenario.toml_io import MAX_KEYS, MAX_NESTING, MAX_TOML_BYTES, parse_toml
from simulation.sweeps.spec import SweepError, load_sweep
from tests.cli_process import nervesim
from tests.hostile_files import LIBRARY, ROOT, copy_library, mutate

CRUSH = ROOT / "scenarios" / "peripheral_crush_untreated.toml"
DEEP = 1000
NESTED = {
    "arrays": "a = " + "[" * DEEP + "]" * DEEP,
    "inline_tables": "a = " + "{b = " * DEEP + "1" + "}" * DEEP,
    "dotted_key": ".".join(["a"] * DEEP) + " = 1",
    "table_header": "[" + ".".join(["a"] * DEEP) + "]\nx = 1",
    "array_of_tables": "[[" + ".".join(["a"] * DEEP) + "]]\nx = 1",
}


def _one_line(message: str, limit: int = 400) -> str:
    assert "\n" not in message and "Traceback" not in message, message
    assert len(message) <= limit, message
    return message


# ------------------------------------------------------------------------------ the reader
@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_nesting_a_thousand_levels_deep_is_one_line(text):
    """Arrays, inline tables, dotted keys and headers 1000 deep: a message, not RecursionError."""
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text, "x.toml")
    message = _one_line(str(err.value))
    assert re.match(r"x\.toml: line 1: nested 100[01] levels deep", message), message  # [[ ]]: +1
    assert f"at most {MAX_NESTING} allowed" in message


@pytest.mark.timeout(20)
def test_a_200_kb_dotted_key_is_refused_quickly():
    """tomllib is quadratic in a key's parts; the linear pre-scan refuses 100,000 of them."""
    text = ".".join(["a"] * 100_000) + " = 1\n"
    with pytest.raises(ScenarioError, match="nested 100000 levels deep; at most 32 allowed"):
        parse_toml(text, "x.toml")


@pytest.mark.timeout(20)
def test_a_megabyte_of_open_brackets_is_refused_quickly():
    with pytest.raises(ScenarioError, match="levels deep"):
        parse_toml("a = " + "[" * (MAX_TOML_BYTES - 10), "x.toml")


def test_closing_past_the_limit_then_more_keys():
    """Brackets closed in runs past the limit (found by the fuzz benchmark: a RecursionError)."""
    deep = "{a = " * 50 + "1" + "}" * 50
    with pytest.raises(ScenarioError, match="line 2: nested 51 levels deep") as err:
        parse_toml(f"x = 1\nb = {deep}\nc.d = [[[1]], [2]]\n[e]\nf = {deep}", "x.toml")
    _one_line(str(err.value))
    with pytest.raises(ScenarioError, match="nested 40 levels"):
        parse_toml("a = " + "[" * 40 + "1" + "]], 1" * 20, "x.toml")  # closes in pairs


def test_nesting_at_the_limit_is_accepted():
    """Honest nesting up to the limit still parses (the scan counts no more than is there)."""
    depth = MAX_NESTING - 1
    data = parse_toml("a = " + "[" * depth + "1" + "]" * depth, "x.toml")
    assert isinstance(data["a"], list)
    assert parse_toml('a.b.c = "x.y.z[{"\n[d.e]\nf = {g = [1.5, {h = 2}]}', "x.toml")["d"]


def test_too_large_and_long_keys_are_refused():
    with pytest.raises(ScenarioError, match=f"at most {MAX_TOML_BYTES} allowed"):
        parse_toml("# " + "x" * MAX_TOML_BYTES, "x.toml")
    with pytest.raises(ScenarioError, match="is too long; at most 200 characters") as err:
        parse_toml("k" * 100_000 + " = 1", "x.toml")
    _one_line(str(err.value))


def test_a_flood_of_keys_is_refused():
    """50,000 unknown keys would cost pydantic a second and 60 MB of errors."""
    with pytest.raises(ScenarioError, match=f"50000 keys; at most {MAX_KEYS} allowed"):
        loads_scenario("".join(f"k{i} = {i}\n" for i in range(50_000)), "x.toml")


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbfname = 'with_bom'\n")
    assert load_scenario(path).name == "with_bom"
    assert loads_scenario("\ufeffname = 'x'").name == "x"


def test_huge_numbers_and_surrogates_are_one_line():
    for text in ("[neuron]\ncount = " + "9" * 5000, 'name = "\\ud800"', '"\\udfff" = 1'):
        with pytest.raises(ScenarioError) as err:
            loads_scenario(text, "x.toml")
        _one_line(str(err.value))


def test_long_keys_and_values_are_cut_in_messages():
    """An unknown 150-character key and a 20,000-character value are quoted cut."""
    key = "k" * 150
    with pytest.raises(ScenarioError) as err:
        loads_scenario(f"[neuron]\n{key} = 1", "x.toml")
    assert f"neuron.{'k' * (MAX_SHOWN_KEY_CHARS - 8)}" in str(err.value)
    assert key not in _one_line(str(err.value))
    with pytest.raises(ScenarioError) as err:
        loads_scenario('[grid]\ndx_um = "' + "x" * 20_000 + '"', "x.toml")
    assert "…" in _one_line(str(err.value))


# ------------------------------------------------------------------------------ base chains
def test_a_base_chain_of_1000_files_is_cut_at_the_limit(tmp_path):
    for k in range(1000):
        (tmp_path / f"c{k}.toml").write_text(f'base = "c{k + 1}.toml"\n', encoding="utf-8")
    (tmp_path / "c1000.toml").write_text('name = "end"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "c0.toml")
    assert f"at most {MAX_BASE_CHAIN} allowed" in _one_line(str(err.value))


def test_a_base_symlink_loop_is_one_line(tmp_path):
    (tmp_path / "a.toml").symlink_to("b.toml")
    (tmp_path / "b.toml").symlink_to("a.toml")
    (tmp_path / "s.toml").write_text('base = "a.toml"\n', encoding="utf-8")
    for path in (tmp_path / "s.toml", tmp_path / "a.toml"):
        with pytest.raises(ScenarioError, match="a symlink loop") as err:
            load_scenario(path)
        _one_line(str(err.value))


def test_null_bytes_in_paths_are_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="null byte"):
        load_scenario(str(tmp_path / "a\0b.toml"))
    (tmp_path / "s.toml").write_text('base = "a\\u0000b.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="null byte"):
        load_scenario(tmp_path / "s.toml")


# ------------------------------------------------------------------------------ the name
@pytest.mark.parametrize("name", ["n" * 300, "a/b", "tab\there"], ids=["300", "slash", "tab"])
def test_unusable_names_are_refused_by_the_schema(name):
    with pytest.raises(ScenarioError, match=r"^x\.toml: name: ") as err:
        loads_scenario(f"name = {name!r}".replace("'", '"').replace("\t", "\\t"), "x.toml")
    _one_line(str(err.value))
    assert Scenario(name="n" * 255).name == "n" * 255


# ------------------------------------------------------------------------------ other loaders
def test_sweep_anchor_and_dashboard_loaders_use_the_guard(tmp_path):
    deep = NESTED["arrays"]
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(deep, encoding="utf-8")
    with pytest.raises(SweepError, match="levels deep"):
        load_sweep(sweep)
    with pytest.raises(AnchorError, match="levels deep"):
        load_anchor_file(sweep)
    with pytest.raises(ScenarioError, match="levels deep"):
        read_upload("up.toml", deep.encode())
    with pytest.raises(ScenarioError, match="arm 1: other settings: line 1: nested"):
        extra_overrides(NESTED["dotted_key"], "arm 1")
    assert read_upload("bom.toml", b"\xef\xbb\xbfname = 'x'")[1].name == "x"


# ------------------------------------------------------------------------------ the CLI
def _error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.stdout == "", proc.stdout  # nothing ran: not even the label
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_run_out_is_a_file_refused_before_running(tmp_path):
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    proc = nervesim("run", str(CRUSH), "--days", "0.1", "--out", "taken", cwd=tmp_path)
    assert proc.returncode == 2
    assert _error_line(proc) == "nervesim: error: --out: taken: exists and is not a folder"


def test_run_long_name_refused_before_running(tmp_path):
    (tmp_path / "long.toml").write_text(f'name = "{"n" * 300}"\n', encoding="utf-8")
    proc = nervesim("run", "long.toml", "--days", "0.1", "--out", "out", cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    assert "name: " in _error_line(proc) and "at most 255 allowed" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["run", str(CRUSH), "--out", "a\0b"],
        ["run", str(CRUSH), "--out", "taken/sub"],
        ["compare", str(CRUSH), str(CRUSH), "--out", "taken"],
        ["evidence", "--plot", "taken"],
        ["convergence", "--plot", "taken"],
        ["sweep", str(ROOT / "scenarios" / "sweeps" / "toy_sobol.toml"), "--out", "taken"],
    ],
    ids=["null-byte", "under-a-file", "compare", "evidence", "convergence", "sweep"],
)
def test_every_writing_command_checks_its_folder_first(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    assert main(argv) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert _one_line(printed.err.strip()).startswith("nervesim: error: --")


def test_a_full_disk_names_the_file_and_keeps_what_was_printed(tmp_path, monkeypatch, capsys):
    """ENOSPC while writing: one line naming the file, exit 1, the table already printed."""
    import pyarrow.parquet as pq

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "Error writing bytes to file")  # as pyarrow: no file name

    monkeypatch.setattr(pq, "write_table", full)
    out = tmp_path / "out"
    assert main(["run", str(CRUSH), "--days", "0.1", "--out", str(out), "--quiet"]) == 1
    printed = capsys.readouterr()
    assert "function_index" in printed.out
    expected = f"nervesim: error: {out / 'peripheral_crush_untreated_seed0.parquet'}: "
    assert printed.err == expected + "No space left on device\n"


# ------------------------------------------------------------------------------ property test
@pytest.fixture(scope="module")
def library_copy(tmp_path_factory) -> Path:
    """A folder with the library's scenarios, so ``base`` names in mutants resolve."""
    folder = tmp_path_factory.mktemp("hostile")
    copy_library(folder)
    return folder


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), which=st.sampled_from(LIBRARY))
def test_the_loader_survives_mutated_scenarios(library_copy, rng: random.Random, which: Path):
    """A mutated library file loads, or fails with one short line; nothing else escapes."""
    path = library_copy / "fuzz.toml"
    path.write_text(mutate(rng, which.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        assert isinstance(load_scenario(path), Scenario)
    except ScenarioError as err:
        _one_line(str(err), 400 + len(str(library_copy)))
