"""NerveSim: an illustrative, not clinically validated, agent-based model of nerve repair.

The public API (stable; the CLI, dashboard and sweeps sit on it)::

    from simulation import Scenario, load_scenario, NerveRepairModel, run, run_replicates
    from simulation import calibrate      # ABC-SMC over the anchors (simulation.calibration)

Names are imported on first use, so ``import simulation`` stays cheap (the command line
starts fast and nothing does work at import time).
"""

from importlib import import_module
from typing import Any

from simulation._numba_cache import use_versioned_cache_dir
from simulation._version import ILLUSTRATIVE_LABEL, __version__

use_versioned_cache_dir()

_LAZY = {
    "Scenario": "simulation.scenario",
    "ScenarioError": "simulation.scenario",
    "load_scenario": "simulation.scenario",
    "loads_scenario": "simulation.scenario",
    "NerveRepairModel": "simulation.tissue.model",
    "RunResult": "simulation.runs.runner",
    "run": "simulation.runs.runner",
    "run_replicates": "simulation.runs.runner",
    "spawn_seeds": "simulation.runs.runner",
    "METRICS": "simulation.runs.metrics",
    "FieldSet": "simulation.fields",
    "FieldSpec": "simulation.fields",
    "calibrate": "simulation.calibration",
}

__all__ = ["ILLUSTRATIVE_LABEL", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
