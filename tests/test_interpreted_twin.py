"""A rule is written once: the compiled turn and the same code interpreted as plain Python
(``NUMBA_DISABLE_JIT=1``, every rule and kernel run by the interpreter) give the same numbers."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.twin_run import CASES, build, turns

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("name", "days"), CASES)
def test_every_type_turns_the_same_compiled_and_interpreted(name, days, tmp_path):
    """Each type's turn from one saved tissue: every sheet column, buffer and field equal."""
    state = pickle.dumps(build(name, days))
    (tmp_path / "model.pkl").write_bytes(state)
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.twin_run", tmp_path / "model.pkl", tmp_path / "p.npz"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    interpreted = np.load(tmp_path / "p.npz")
    compiled = turns(state)
    assert set(compiled) == set(interpreted.files)
    acted = 0
    for key, value in compiled.items():
        np.testing.assert_array_equal(value, interpreted[key], err_msg=key)
        kind, sheet, column = key.split("/")
        if column == "fate" and sheet == kind:  # what this turn did
            acted += int(np.count_nonzero(value))
    assert acted > 20  # cells died, moved, divided or ate in these turns
