"""Hostile input under AppTest: each bad upload, manifest or typed TOML is one error line, no
exception, and the page (its uploader first) stays usable. Timings are never asserted; the
timeouts only turn a hang (or a parser eating memory) into a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.comparison import Request
from dashboard.guard import MAX_SCENARIO_BYTES, RefusedError, check_manifest, screen_toml
from dashboard.library import ArmSpec
from simulation.scenario.schema import Scenario

from .conftest import make_app
from .test_pages import has_banner

BOM = b"\xef\xbb\xbf"
NESTED_ARRAYS = ("x = " + "[" * 1000 + "]" * 1000 + "\n").encode()
NESTED_TABLES = ("x = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n").encode()
#: About 200 kB of one dotted key: tomllib's memory grows with the square of its parts.
DOTTED_KEY = ("a." * 99_990 + "a = 1\n").encode()
HOSTILE_UPLOADS = {
    "nested_arrays.toml": NESTED_ARRAYS,
    "nested_tables.toml": NESTED_TABLES,
    "dotted.toml": DOTTED_KEY,
    "binary.toml": bytes(range(256)) * 64,
    "nul.toml": b"name = 'x'\x00\n",
    "big.toml": b"# scenario\n" * 200_000,  # 2.2 MB
    "bom_bad.toml": BOM + b"[neuron]\ncount = 'many'\n",
}


@pytest.fixture
def compare() -> AppTest:
    """Compare with the smallest runs (2 seeds x 1 day)."""
    at = make_app(seeds=2, days=1)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def usable(at: AppTest, uploader: str = "cmp_upload") -> None:
    """No exception; the banner and the uploader are there."""
    assert not at.exception, [e.value for e in at.exception]
    assert has_banner(at)
    assert at.file_uploader(key=uploader) is not None


def one_error(at: AppTest) -> str:
    """The page's only error line (asserting it is one short line)."""
    messages = [e.value for e in at.error]
    assert len(messages) == 1, messages
    assert "\n" not in messages[0] and len(messages[0]) <= 320, messages[0]
    return messages[0]


# ------------------------------------------------------------------------------ Compare
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", list(HOSTILE_UPLOADS))
def test_hostile_upload_is_one_error_and_removable(compare: AppTest, name: str) -> None:
    """Deep nesting, a 200 kB dotted key, binary, NUL, 2 MB, a BOM before bad values: one
    error line naming the file; the charts stay; removing the file clears the error."""
    charts = len(compare.get("vega_lite_chart"))
    compare.file_uploader(key="cmp_upload").upload(name, HOSTILE_UPLOADS[name]).run(timeout=60)
    usable(compare)
    assert one_error(compare).startswith(f"{name}:")
    assert len(compare.get("vega_lite_chart")) == charts
    compare.file_uploader(key="cmp_upload").clear().run()
    usable(compare)
    assert not compare.error


def test_hostile_upload_messages_say_why(compare: AppTest) -> None:
    """The refusals name the reason."""
    cases = {
        "n.toml": (NESTED_ARRAYS, "nested more than"),
        "d.toml": (DOTTED_KEY, "dotted key of more than"),
        "b.toml": (bytes(range(256)) * 64, "not a UTF-8 text file"),
        "big.toml": (b"#" * 2_000_000, "too large"),
    }
    for name, (data, why) in cases.items():
        compare.file_uploader(key="cmp_upload").upload(name, data).run()
        assert why in one_error(compare)
        compare.file_uploader(key="cmp_upload").clear().run()


def test_bom_scenario_is_read(compare: AppTest) -> None:
    """A valid scenario saved with a UTF-8 BOM (Windows editors) becomes an arm choice."""
    text = BOM + Scenario(name="bom_cord").to_toml().encode()
    compare.file_uploader(key="cmp_upload").upload("bom.toml", text).run()
    usable(compare)
    assert not compare.error
    assert "bom_cord (uploaded)" in compare.selectbox(key="cmp_arm0_scenario").options


def test_any_exception_reading_an_upload_is_one_line(
    compare: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the reader raises (here MemoryError, RecursionError) is one line."""
    import dashboard.library

    for exc in (MemoryError(), RecursionError("maximum recursion depth exceeded"), KeyError("k")):

        def boom(name: str, data: bytes, exc: BaseException = exc) -> None:
            raise exc

        monkeypatch.setattr(dashboard.library, "read_upload", boom)
        compare.file_uploader(key="cmp_upload").upload("x.toml", b"a = 1\n").run()
        usable(compare)
        assert one_error(compare).startswith(f"x.toml: {type(exc).__name__}")
        compare.file_uploader(key="cmp_upload").clear().run()


@pytest.mark.parametrize(
    "extra",
    [
        "x = " + "[" * 1000 + "]" * 1000,
        "a." * 1900 + "a = 1",
        "neuron.count = 'many'",
    ],
    ids=["nested", "dotted", "string"],
)
def test_hostile_other_settings_are_one_error(compare: AppTest, extra: str) -> None:
    """Typed TOML in an arm's other settings: one error under Results, widgets stay."""
    compare.text_area(key="cmp_arm0_extra").input(extra).run()
    compare.button(key="cmp_run").click().run()
    usable(compare)
    one_error(compare)
    assert compare.button(key="cmp_run") is not None


def test_tissue_with_hostile_other_settings_is_one_error(compare: AppTest) -> None:
    """Tissue builds the last comparison: typed TOML nested 1000 deep is one line there too."""
    arms = (ArmSpec("spinal_cord_untreated", extra_toml="x = " + "{a = " * 1000 + "1"),)
    compare.session_state["compare_request"] = Request(arms=arms, days=1.0, seeds=2)
    compare.switch_page("views/tissue.py").run()
    assert not compare.exception and has_banner(compare)
    one_error(compare)


def test_bad_query_values_fall_back_to_defaults() -> None:
    """Nonsense in the address (?seeds=lots&days=1e999) is ignored, not a crash."""
    at = make_app()
    at.query_params["seeds"] = "lots"
    at.query_params["days"] = "1e999"
    at.query_params["patients"] = "nan"
    at.switch_page("views/cohort.py").run()
    assert not at.exception and has_banner(at)


# ------------------------------------------------------------------------------ Sweeps
def manifest(**changes: object) -> dict:
    """A well-formed manifest (the keys the page and the sweep reader use), changed."""
    good = {
        "format": "nervesim-sweep/1",
        "name": "m",
        "description": "a manifest",
        "design": "lhs",
        "replicates": 1,
        "days": 2.0,
        "base": {"name": "peripheral_crush_untreated"},
        "metrics": ["neutrophils_count"],
        "parameters": [{"key": "neutrophil.lifespan_h", "units": "h", "lo": 10.0, "hi": 40.0}],
        "points": [{"point": 0, "values": {"neutrophil.lifespan_h": 20.0}}],
        "runs": [{"run_id": "p000000-r000", "point": 0, "replicate": 0, "seed": 1}],
    }
    for key, value in changes.items():
        if value is KeyError:
            good.pop(key)
        else:
            good[key] = value
    return good


BAD_MANIFESTS = {
    "days_string": manifest(days="two"),
    "replicates_string": manifest(replicates="1"),
    "lo_string": manifest(parameters=[{"key": "neutrophil.lifespan_h", "lo": "ten", "hi": 4}]),
    "no_metrics": manifest(metrics=KeyError),
    "metrics_numbers": manifest(metrics=[1, 2]),
    "no_key": manifest(parameters=[{"lo": 1.0, "hi": 2.0}]),
    "parameters_lists": manifest(parameters=[["neutrophil.lifespan_h", 1, 2]]),
    "parameters_dict": manifest(parameters={"key": "x"}),
    "base_list": manifest(base=["peripheral_crush_untreated"]),
    "runs_lists": manifest(runs=[["p000000-r000"]]),
    "points_strings": manifest(points=["p0"]),
    "junk": manifest(name={"deep": [1, 2, {"x": None}]}, design=7),
    "no_name": manifest(name=KeyError),
}


@pytest.mark.parametrize("case", list(BAD_MANIFESTS))
def test_malformed_manifest_upload_is_one_error(app: AppTest, case: str) -> None:
    """Right format tag, bad inner values: one error line, the uploader and folder box stay."""
    app.switch_page("views/sweeps.py").run()
    data = json.dumps(BAD_MANIFESTS[case]).encode()
    app.file_uploader(key="swp_upload").upload("manifest.json", data).run()
    usable(app, "swp_upload")
    assert "not a usable sweep manifest" in one_error(app)
    assert app.text_input(key="swp_folder") is not None


def test_deeply_nested_manifest_upload_is_one_error(app: AppTest) -> None:
    """JSON nested 100 000 deep (json.loads recurses) is one line too."""
    app.switch_page("views/sweeps.py").run()
    data = b'{"format": "nervesim-sweep/1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    app.file_uploader(key="swp_upload").upload("manifest.json", data).run()
    usable(app, "swp_upload")
    one_error(app)


@pytest.mark.parametrize("case", ["no_metrics", "no_key", "parameters_lists", "lo_string"])
def test_malformed_manifest_folder_is_one_error(app: AppTest, tmp_path: Path, case: str) -> None:
    """A results folder whose manifest has bad inner values: one line, no traceback."""
    (tmp_path / "manifest.json").write_text(json.dumps(BAD_MANIFESTS[case]))
    app.switch_page("views/sweeps.py").run()
    app.text_input(key="swp_folder").input(str(tmp_path)).run()
    usable(app, "swp_upload")
    assert "not a usable sweep manifest" in one_error(app)


def test_results_that_do_not_match_their_manifest_are_one_error(
    app: AppTest, tmp_path: Path
) -> None:
    """A well-formed manifest whose parts lack its columns: one line, the page stays."""
    (tmp_path / "manifest.json").write_text(json.dumps(manifest()))
    (tmp_path / "parts").mkdir()
    pd.DataFrame({"point": [0], "replicate": [0], "day": [1.0]}).to_parquet(
        tmp_path / "parts" / "p000000-r000.parquet"
    )
    app.switch_page("views/sweeps.py").run()
    app.text_input(key="swp_folder").input(str(tmp_path)).run()
    usable(app, "swp_upload")
    one_error(app)


# ------------------------------------------------------------------------------ the screen
def test_screen_passes_the_scenario_library_and_refuses_the_rest() -> None:
    """Every shipped scenario passes; strings and comments do not count; the limits hold."""
    for path in (Path(__file__).resolve().parents[2] / "scenarios").glob("**/*.toml"):
        screen_toml(path.name, path.read_text(encoding="utf-8"))
    screen_toml("ok", 'd = "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r"\n# [[[[[[[[[[[[[[[[[[[[[[\n')
    screen_toml("ok", "x = [" + ", ".join(["1.5"] * 1000) + "]\n")
    for bad in ('x = [ "]", ' * 40 + "1" + "]" * 40, "[" + "a." * 20 + "b]"):
        with pytest.raises(RefusedError):
            screen_toml("bad", bad)
    assert MAX_SCENARIO_BYTES <= 256_000


def test_check_manifest_accepts_a_good_one() -> None:
    """The well-formed manifest used above passes."""
    assert check_manifest(manifest())["name"] == "m"
