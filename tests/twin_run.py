"""Each cell type's turn from one saved tissue, to compare compiled and interpreted rules.

``python -m tests.twin_run MODEL.pkl OUT.npz`` loads a pickled model, lets every cell type take
one turn from that same state (each from a fresh copy) and saves every sheet column and source
and uptake buffer. ``tests/test_interpreted_twin.py`` runs it with ``NUMBA_DISABLE_JIT=1`` (the
rules as plain Python) and compiled, and requires the same numbers.
"""

import pickle
import sys
from pathlib import Path

import numpy as np

from simulation import NerveRepairModel, load_scenario
from simulation.tissue.model import ACTIVATION_ORDER

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: A graft in a spinal cord and NGF vesicles in a crush, a day after treatment: between them
#: every cell type has cells, and cells die, move, divide and take up vesicles.
CASES = (("spinal_cord_ipsc_npc_acute.toml", 2.5), ("peripheral_crush_ev_ngf.toml", 2.5))
SMALL = {"grid.width_voxels": 60, "grid.height_voxels": 12, "neuron.count": 12}


def build(name: str, days: float) -> NerveRepairModel:
    """A small tissue of case ``name`` after ``days``."""
    model = NerveRepairModel(load_scenario(SCENARIOS / name).with_overrides(SMALL), seed=7)
    for _ in range(round(days * 24 / model.dt_h)):
        model.step()
    return model


def turns(state: bytes) -> dict[str, np.ndarray]:
    """Every sheet column and buffer after each type's turn from the pickled ``state``."""
    arrays = {}
    for kind in ACTIVATION_ORDER:
        model = pickle.loads(state)
        kind.take_turn(model)
        for other, sheet in model.sheets.items():
            for column in ("x", "y", "alive", "fate", *sheet.COLUMNS):
                arrays[f"{kind.__name__}/{other.__name__}/{column}"] = getattr(sheet, column)[
                    : sheet.n
                ]
        for name in model.fields.names:
            arrays[f"{kind.__name__}/source/{name}"] = model.fields.source_views[name].copy()
            arrays[f"{kind.__name__}/sink/{name}"] = model.fields.sink_views[name].copy()
            arrays[f"{kind.__name__}/field/{name}"] = np.asarray(model.fields[name]).copy()
    return arrays


if __name__ == "__main__":
    np.savez(sys.argv[2], **turns(Path(sys.argv[1]).read_bytes()))
