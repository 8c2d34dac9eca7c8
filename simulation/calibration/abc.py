"""ABC-SMC over the anchors with pyabc: priors, adaptive distance, resumable SQLite history.

:func:`calibrate` runs a validated calibration (:mod:`simulation.calibration.spec`) into an
output folder:

* ``history.db``: pyabc's SQLite history (every generation's particles, weights, tolerance);
* ``calibration.json``: the calibration's digest and file, so that the same command resumes
  the same calibration and refuses a different one;
* ``posterior.parquet`` and the rest (:mod:`simulation.calibration.outputs`).

Priors are uniform in the sampling space (log10 for loguniform parameters); the distance is
pyabc's :class:`~pyabc.distance.AdaptivePNormDistance` (L2) over the bridge's features, each
re-weighted every generation by the inverse of its median absolute deviation (floored at
:data:`SCALE_FLOOR`); the tolerance is pyabc's default (the median distance of the previous
generation); proposals come from pyabc's multivariate normal transition, or with
``transition = "local"`` from its local one (each particle's nearest quarter).

**Every generation starts from the history**, exactly as a resumed calibration does: a fresh
``ABCSMC`` object loads the history and runs one generation. A calibration killed at any
point therefore continues to the posterior an uninterrupted one reaches (with
:class:`~simulation.calibration.sampler.SeededSampler` making each generation independent of
the executor). The price: the distance's scales are fitted on the previous generation's
*accepted* particles (what the history keeps), not on all simulated ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.calibration.bridge import BridgeModel, observed, parameter_name
from simulation.calibration.sampler import GenerationStats, SeededSampler
from simulation.calibration.spec import Calibration, CalibrationError
from simulation.runs.storage import write_json

#: Smallest scale of a feature, in band widths: a feature (nearly) every particle meets has a
#: median absolute deviation of 0, which pyabc would turn into a weight of 0 (ignoring the
#: anchor); floored, it keeps a large finite weight instead. Assumed.
SCALE_FLOOR = 0.05
#: The pyabc run id inside ``history.db``.
ABC_ID = 1


def floored_mad(**kwargs: Any) -> np.ndarray:
    """pyabc's median absolute deviation, at least :data:`SCALE_FLOOR`."""
    from pyabc.distance import mad

    return np.maximum(mad(**kwargs), SCALE_FLOOR)


def _quiet_pyabc() -> None:
    for name in ("ABC", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass
class CalibrationRun:
    """What :func:`calibrate` did.

    Attributes:
        out: the output folder.
        generations: one row per generation: t, epsilon, particles, simulations, acceptance.
        posterior: the last generation: one column per free parameter (natural units) and
            ``weight``.
        sampled: what this call sampled (per generation: proposals, time); empty when
            everything was already done.
        resumed_from: the generations already in the history when this call started.
        seconds: wall time of this call.
    """

    out: Path
    generations: pd.DataFrame
    posterior: pd.DataFrame
    sampled: list[GenerationStats]
    resumed_from: int
    seconds: float


def manifest_path(out: Path) -> Path:
    """Where the calibration's digest and file are kept."""
    return out / "calibration.json"


def db_path(out: Path) -> Path:
    """pyabc's SQLite history."""
    return out / "history.db"


def check_out(calibration: Calibration, out: Path) -> int:
    """Refuse a folder that holds another calibration; the generations already done there."""
    import json

    manifest = manifest_path(out)
    if not manifest.is_file():
        return 0
    try:
        old = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    if old.get("digest") != calibration.digest():
        raise CalibrationError(
            f"--out {out}: holds another calibration ({old.get('file', '?')}, digest "
            f"{old.get('digest', '?')}, not {calibration.digest()}); give another --out or "
            "remove the folder"
        )
    return _generations_done(out)


def _generations_done(out: Path) -> int:
    db = db_path(out)
    if not db.is_file():
        return 0
    import pyabc

    try:
        history = pyabc.History(f"sqlite:///{db}", _id=ABC_ID)
        return int(history.n_populations) if history.all_runs() else 0
    except Exception:  # an empty or half-made database: started again
        return 0


def _prior(calibration: Calibration) -> Any:
    import pyabc

    rvs = {}
    for i, p in enumerate(calibration.parameters):
        a, b = p.bounds()
        rvs[parameter_name(i)] = pyabc.RV("uniform", a, b - a)
    return pyabc.Distribution(**rvs)


def _abc(calibration: Calibration, sampler: SeededSampler) -> Any:
    import pyabc
    from pyabc.distance import AdaptivePNormDistance

    distance = AdaptivePNormDistance(p=2, scale_function=floored_mad, all_particles_for_scale=False)
    transition = (
        pyabc.LocalTransition()
        if calibration.spec.transition == "local"
        else pyabc.MultivariateNormalTransition(scaling=calibration.spec.transition_scaling)
    )
    return pyabc.ABCSMC(
        BridgeModel(calibration),
        _prior(calibration),
        distance,
        population_size=calibration.spec.population_size,
        sampler=sampler,
        transitions=transition,
    )


def _open_history(calibration: Calibration, sampler: SeededSampler, out: Path) -> Any:
    """A fresh ABCSMC on the history in ``out`` (made on the first call)."""
    abc = _abc(calibration, sampler)
    url = f"sqlite:///{db_path(out)}"
    if db_path(out).is_file() and _has_run(url):
        abc.load(url, ABC_ID)
    else:
        db_path(out).unlink(missing_ok=True)
        abc.new(url, observed(calibration))
    return abc


def _has_run(url: str) -> bool:
    import pyabc

    try:
        return bool(pyabc.History(url).all_runs())
    except Exception:
        return False


def _finished(calibration: Calibration, history: Any) -> bool:
    spec = calibration.spec
    if history.n_populations >= spec.generations:
        return True
    if history.n_populations == 0:
        return False
    # A tolerance of 0 is reachable (every target inside its band) and is no reason to stop:
    # the next generations still sample the region of the anchors better. Only a positive
    # min_epsilon stops a calibration early.
    eps = float(history.get_all_populations()["epsilon"].iloc[-1])
    return spec.min_epsilon > 0 and eps <= spec.min_epsilon


def calibrate(
    calibration: Calibration,
    out: str | Path,
    executor: Any = None,
    on_progress: Callable[[int, int, int], None] | None = None,
) -> CalibrationRun:
    """Run (or resume) ``calibration`` into ``out``; see the module.

    Args:
        calibration: the validated calibration.
        out: the output folder (made if missing).
        executor: a ``concurrent.futures`` executor or ``distributed.Client`` for the
            simulations; None runs them in this process.
        on_progress: called after each simulation with (generation, particles accepted so far,
            simulations finished); generation -1 is the sample from the prior that sets the
            first distance scales and tolerance.

    Raises:
        CalibrationError: ``out`` holds another calibration.
    """
    started = time.perf_counter()
    out = Path(out)
    _quiet_pyabc()
    resumed_from = check_out(calibration, out)
    if not manifest_path(out).is_file():
        write_json(
            manifest_path(out),
            {
                "name": calibration.spec.name,
                "file": str(calibration.path),
                "digest": calibration.digest(),
                "calibration_toml": calibration.text,
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "nervesim_version": __version__,
                "label": ILLUSTRATIVE_LABEL,
            },
        )
    sampler = SeededSampler(
        executor=executor,
        root_seed=calibration.spec.root_seed,
        on_progress=on_progress,
    )
    while True:
        abc = _open_history(calibration, sampler, out)
        history = abc.history
        if _finished(calibration, history):
            break
        t = int(history.n_populations)
        # pyabc's own steps between generations use numpy's global generator nowhere we know
        # of; seeded anyway, from the root and the generation, so a resume cannot differ.
        words = np.random.SeedSequence([calibration.spec.root_seed, 7, t]).generate_state(4)
        np.random.seed(words)  # noqa: NPY002 (the global generator pyabc uses)
        abc.run(max_nr_populations=1, minimum_epsilon=calibration.spec.min_epsilon)
    return CalibrationRun(
        out=out,
        generations=generations_table(history),
        posterior=posterior(calibration, history),
        sampled=list(sampler.stats),
        resumed_from=resumed_from,
        seconds=time.perf_counter() - started,
    )


def generations_table(history: Any) -> pd.DataFrame:
    """One row per generation: t, epsilon, particles, simulations, acceptance rate."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    table = pd.DataFrame(
        {
            "t": pops["t"].astype(int).to_numpy(),
            "epsilon": pops["epsilon"].astype(float).to_numpy(),
            "particles": pops["particles"].astype(int).to_numpy(),
            "simulations": pops["samples"].astype(int).to_numpy(),
        }
    )
    table["acceptance_rate"] = table["particles"] / table["simulations"]
    return table


def posterior(calibration: Calibration, history: Any, t: int | None = None) -> pd.DataFrame:
    """Generation ``t`` (default the last): one column per free parameter in natural units
    (file order) and ``weight`` (summing to 1)."""
    frame, weights = history.get_distribution(m=0, t=t)
    out = {}
    for i, p in enumerate(calibration.parameters):
        column = frame[parameter_name(i)].to_numpy(dtype=float)
        out[p.key] = np.array([p.natural(x) for x in column])
    result = pd.DataFrame(out)
    result["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return result
