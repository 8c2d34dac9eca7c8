"""Numba's cache folder follows the compiled sources, so no kernel runs a stale callee."""

import os
import shutil
from pathlib import Path

import simulation
from simulation._numba_cache import source_key

PACKAGE = Path(simulation.__file__).resolve().parent


def test_this_process_uses_the_folder_of_the_current_sources():
    """The package set NUMBA_CACHE_DIR to the folder named after today's sources."""
    folder = Path(os.environ["NUMBA_CACHE_DIR"])
    assert folder.name == source_key() and folder.parent.name == "numba"


def test_editing_a_rule_module_changes_the_key(tmp_path):
    """Touching (or resizing) any compiled module gives a new key; other files do not."""
    for package in ("agents", "engine", "fields"):
        shutil.copytree(PACKAGE / package, tmp_path / package)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "x.py").write_text("a = 1\n")
    before = source_key(tmp_path)
    (tmp_path / "runs" / "x.py").write_text("a = 22\n")
    assert source_key(tmp_path) == before
    moves = tmp_path / "engine" / "moves.py"
    moves.write_text(moves.read_text() + "\n# edited\n")
    assert source_key(tmp_path) != before
