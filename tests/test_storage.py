"""Parquet results: atomic writes, metadata round trip, the illustrative label always inside."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import simulation.runs.storage as storage
from simulation._version import ILLUSTRATIVE_LABEL
from simulation.runs.runner import run
from simulation.runs.storage import read_metadata, write_parquet
from simulation.scenario.schema import Scenario, loads_scenario


@pytest.fixture
def frame() -> pd.DataFrame:
    """A small time series with float, int and text columns."""
    return pd.DataFrame(
        {
            "day": np.arange(5) * 0.25,
            "neutrophils_count": np.array([0, 3, 9, 12, 10], dtype=np.int64),
            "inflammation_mean_au": [0.0, 0.1, 0.25, 0.2, 0.15],
            "note": ["a", "b", "c", "d", "µ"],
        }
    )


def test_written_file_reads_back_and_leaves_no_temp_file(tmp_path, frame):
    """The file reads back equal with pandas, and only the file itself is left in the folder."""
    path = write_parquet(frame, tmp_path / "out.parquet", {"seed": 1})
    assert path == tmp_path / "out.parquet"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]
    assert_frame_equal(pd.read_parquet(path), frame)


def test_creates_missing_folders(tmp_path, frame):
    """Missing parent folders are created."""
    path = write_parquet(frame, tmp_path / "a" / "b" / "out.parquet", {})
    assert_frame_equal(pd.read_parquet(path), frame)


def test_overwrite_replaces_the_whole_file(tmp_path, frame):
    """Writing again replaces both data and metadata, with no temp file left over."""
    path = tmp_path / "out.parquet"
    write_parquet(frame, path, {"seed": 1, "old_only": True})
    write_parquet(frame.iloc[:2], path, {"seed": 2})
    assert_frame_equal(pd.read_parquet(path), frame.iloc[:2])
    assert read_metadata(path) == {"seed": 2, "label": ILLUSTRATIVE_LABEL}
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, frame, monkeypatch):
    """A write that dies half way leaves the previous file intact and removes its temp file."""
    path = tmp_path / "out.parquet"
    write_parquet(frame, path, {"seed": 1})
    before = path.read_bytes()

    def half_write(table, where, *args, **kwargs):
        Path(where).write_bytes(b"PAR1 truncated")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.pq, "write_table", half_write)
    with pytest.raises(OSError, match="No space left"):
        write_parquet(frame.iloc[:1], path, {"seed": 2})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]
    assert read_metadata(path)["seed"] == 1


def test_metadata_round_trips(tmp_path, frame):
    """Nested JSON metadata reads back equal; other objects are stored as text."""
    meta = {
        "scenario": "spinal_cord_untreated",
        "seed": 12345678901234,
        "scenario_digest": "0123456789abcdef",
        "fractions": [0.5, 0.25],
        "nested": {"units": "µm", "ok": True, "none": None},
        "where": Path("results") / "x.parquet",
    }
    path = write_parquet(frame, tmp_path / "out.parquet", meta)
    got = read_metadata(path)
    assert got == {**meta, "where": str(meta["where"]), "label": ILLUSTRATIVE_LABEL}


@pytest.mark.parametrize(
    "meta", [{}, {"label": "definitely validated"}], ids=["none-given", "label-given"]
)
def test_label_is_always_the_illustrative_label(tmp_path, frame, meta):
    """Every file carries the illustrative label, whatever the caller passes."""
    path = write_parquet(frame, tmp_path / "out.parquet", meta)
    assert read_metadata(path)["label"] == ILLUSTRATIVE_LABEL


def test_pandas_metadata_is_kept(tmp_path, frame):
    """NerveSim metadata sits beside pandas' own schema metadata, which still works."""
    frame = frame.astype({"note": "category"})
    path = write_parquet(frame, tmp_path / "out.parquet", {})
    assert isinstance(pd.read_parquet(path)["note"].dtype, pd.CategoricalDtype)


def test_foreign_parquet_has_empty_metadata(tmp_path, frame):
    """A Parquet file not written by NerveSim has no NerveSim metadata."""
    path = tmp_path / "plain.parquet"
    frame.to_parquet(path)
    assert read_metadata(path) == {}


def test_run_metadata_names_the_exact_scenario(tmp_path):
    """A stored run carries seed, digest and TOML that rebuild the very same scenario."""
    scenario = Scenario().with_overrides({"name": "stored", "injury.type": "peripheral"})
    result = run(scenario, seed=4, days=0.25, snapshots=False)
    path = write_parquet(result.timeseries, tmp_path / "run.parquet", result.metadata)
    meta = read_metadata(path)
    assert (meta["seed"], meta["scenario"]) == (4, "stored")
    assert meta["scenario_digest"] == scenario.digest()
    assert loads_scenario(meta["scenario_toml"]) == scenario
    assert_frame_equal(pd.read_parquet(path), result.timeseries, check_like=False)
