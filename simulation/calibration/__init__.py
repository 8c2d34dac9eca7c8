"""Calibration: fit the model's parameters to the published anchors by ABC-SMC (pyabc).

:mod:`~simulation.calibration.spec` reads calibration files; :mod:`~simulation.calibration.bridge`
turns a particle into runs and the anchors' statistics; :mod:`~simulation.calibration.sampler`
evaluates proposals reproducibly on any executor; :mod:`~simulation.calibration.abc` runs
pyabc's ABC-SMC with a resumable SQLite history; :mod:`~simulation.calibration.outputs` writes
the posterior, the posterior-median scenario, figures and the report. ``nervesim calibrate``
is the command. Illustrative: a posterior says what these anchors allow in this model, not
what is true of any tissue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def calibrate(path: str | Path, out: str | Path, executor: Any = None) -> dict[str, Path]:
    """Run (or resume) the calibration file ``path`` into ``out`` and write its outputs.

    Args:
        path: a calibration file (``scenarios/calibrations/``).
        out: the output folder; the same folder resumes.
        executor: a ``concurrent.futures`` executor or ``distributed.Client`` for the
            simulations; None runs them in this process.

    Returns:
        The files written by name (``posterior``, ``median``, ``report``, figures).

    Raises:
        CalibrationError: a bad file, or ``out`` holds another calibration (one line).
    """
    from simulation.calibration.abc import calibrate as run_abc
    from simulation.calibration.outputs import write_outputs
    from simulation.calibration.spec import load_calibration

    calibration = load_calibration(path)
    return write_outputs(calibration, run_abc(calibration, out, executor), executor)
