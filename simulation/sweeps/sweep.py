"""Batch sweeps: many runs of one scenario over a design, on a local pool or a Dask cluster.

A sweep file (see :mod:`simulation.sweeps.spec`) names a base scenario, the parameters to vary
and a design (:mod:`simulation.sweeps.designs`). :func:`sweep` runs every design point
``replicates`` times, each run with its own seed from
``numpy.random.SeedSequence(root_seed).spawn(runs)`` (or one seed
per replicate shared by every point, with ``common_random_numbers``), so a run's output depends
only on its point and seed, never on the worker, the order or the executor.

Each run is done by a worker, which writes its own Parquet part atomically and returns only a
small summary: the parent never holds the time series, so its memory does not grow with the
number of runs. Re-running the same sweep into the same folder resumes it: runs whose part
exists are skipped; failed runs are tried again. A different sweep into the same folder is
refused.

Output folder ``OUT``::

    OUT/manifest.json          the plan, written before any run starts (format below)
    OUT/parts/<run_id>.parquet one per finished run; pandas.read_parquet(OUT / "parts") reads all
    OUT/failed/<run_id>.json   one per run that raised: {run_id, point, replicate, seed, values,
                               error (one line), host, pid}; removed when a re-run succeeds
    OUT/.lock                  held while a sweep process writes to OUT

A part has the columns ``point``, ``replicate``, ``seed``, one per varied parameter (named by
its key, e.g. ``interventions[0].dose_particles``), ``day`` and one per kept metric; one row
per kept day (the recorded row nearest it, labelled with the kept day) or per recorded row.
Its Parquet metadata (:func:`simulation.runs.storage.read_metadata`) holds run_id, point,
replicate, seed, parameter values, the run's scenario digest, the base scenario's digest, the
sweep's name and digest, the package version and the illustrative label.

``manifest.json`` (format ``nervesim-sweep/1``) is one JSON object::

    format, label, nervesim_version, created (UTC ISO 8601)
    name, description, digest     the sweep; digest covers everything that decides results
    sweep_file, sweep_toml        the sweep file's path and its full text
    base                          {file, name, digest, toml} of the base scenario
    design, samples, replicates, root_seed, common_random_numbers, second_order,
    morris_levels                 as in the sweep file
    days                          days each run simulates
    keep_days                     days kept per run (null: every recorded row)
    metrics                       metric columns kept
    parameters                    [{key, schema_key, kind, units, allowed: [lo, hi], lo, hi,
                                  distribution, values, levels}] in column order
    problem                       SALib problem of the sampling space (null for grids)
    points                        [{point, values: {key: value}, x: [sampling-space coords]
                                  or null}] in design order
    runs                          [{run_id, point, replicate, seed}] in run order

Use :func:`load_manifest` and :func:`load_results` to read a sweep back, and
:func:`status` for how far it got.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.runs.runner import run
from simulation.runs.storage import os_error_text, write_json, write_parquet
from simulation.scenario.schema import Scenario, ScenarioError, validate_scenario
from simulation.sweeps.spec import Sweep, SweepError, load_sweep

#: The manifest's format tag.
MANIFEST_FORMAT = "nervesim-sweep/1"
#: Columns every part starts with (then the varied parameters, ``day`` and the metrics).
ID_COLUMNS = ("point", "replicate", "seed")

_NUMPY_DTYPES = {"float": np.float64, "int": np.int64, "bool": np.bool_, "choice": object}


def run_id(point: int, replicate: int) -> str:
    """The name of a run (and of its part): ``p000012-r003``."""
    return f"p{point:06d}-r{replicate:03d}"


def run_seeds(sweep: Sweep, n_points: int) -> list[int]:
    """Every run's seed, in run order (point-major, replicate-minor)."""
    from simulation.runs.runner import spawn_seeds

    spec = sweep.spec
    if spec.common_random_numbers:
        return spawn_seeds(spec.root_seed, spec.replicates) * n_points
    return spawn_seeds(spec.root_seed, n_points * spec.replicates)


# ------------------------------------------------------------------------------ the plan
def plan(sweep: Sweep, posterior: Any = None) -> dict[str, Any]:
    """The manifest of ``sweep``: design, points, runs and seeds (nothing is run or written).

    With ``posterior`` (:class:`~simulation.calibration.posterior.Posterior`), each run also
    draws the parameters its seed picks from it (``runs[k]["drawn"]``): those the base scenario
    leaves at the library default and the design does not vary.

    Every point's scenario is validated here, so an impossible combination (a lesion that no
    longer fits the grid, say) is reported before any run starts.

    Raises:
        SweepError: a point whose scenario is invalid (one line).
    """
    from simulation.sweeps.designs import problem, sample

    spec = sweep.spec
    points, x = sample(sweep)
    for i, values in enumerate(points):
        try:
            sweep.base.with_overrides(values)
        except ScenarioError as exc:
            shown = ", ".join(
                f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
            )
            reason = str(exc).removeprefix("overrides: ")
            raise SweepError(f"{sweep.path}: point {i} ({shown}): {reason}") from None
    seeds = run_seeds(sweep, len(points))
    reps = spec.replicates
    runs: list[dict[str, Any]] = [
        {
            "run_id": run_id(k // reps, k % reps),
            "point": k // reps,
            "replicate": k % reps,
            "seed": s,
        }
        for k, s in enumerate(seeds)
    ]
    if posterior is not None:
        from simulation.calibration.posterior import drawn_for

        varied = {p.key for p in sweep.parameters}
        for r in runs:
            drawn = drawn_for(sweep.base, posterior.draw(r["seed"]))
            r["drawn"] = {k: v for k, v in drawn.items() if k not in varied}
    xs = x.tolist() if x is not None else [None] * len(points)
    return {
        "format": MANIFEST_FORMAT,
        "label": ILLUSTRATIVE_LABEL,
        "nervesim_version": __version__,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "name": spec.name,
        "description": spec.description,
        "digest": sweep.digest(),
        "sweep_file": str(sweep.path),
        "sweep_toml": sweep.text,
        "base": {
            "file": str((sweep.path.parent / spec.base).resolve()),
            "name": sweep.base.name,
            "digest": sweep.base.digest(),
            "toml": sweep.base.to_toml(),
        },
        "design": spec.design,
        "samples": spec.samples,
        "replicates": reps,
        "root_seed": spec.root_seed,
        "common_random_numbers": spec.common_random_numbers,
        "second_order": spec.second_order,
        "morris_levels": spec.morris_levels,
        "days": sweep.run_days,
        "keep_days": list(sweep.keep_days) if sweep.keep_days is not None else None,
        "metrics": list(sweep.metrics),
        "parameters": [
            {
                "key": p.key,
                "schema_key": p.schema_key,
                "kind": p.kind,
                "units": p.units,
                "allowed": list(p.allowed),
                "lo": p.spec.lo,
                "hi": p.spec.hi,
                "distribution": p.spec.distribution,
                "values": p.spec.values,
                "levels": p.spec.levels,
            }
            for p in sweep.parameters
        ],
        "problem": problem(sweep.parameters) if x is not None else None,
        "points": [
            {"point": i, "values": v, "x": xi}
            for i, (v, xi) in enumerate(zip(points, xs, strict=True))
        ],
        "runs": runs,
        "posterior": posterior.metadata() if posterior is not None else None,
    }


def prepare(sweep: Sweep, out: str | Path, posterior: Any = None) -> dict[str, Any]:
    """Write ``OUT/manifest.json`` for ``sweep``, or check that the one there is the same sweep
    (with the same posterior, if any: :func:`plan`).

    Returns:
        The manifest (the existing one when resuming).

    Raises:
        SweepError: ``out`` holds a different sweep, or is not a folder (one line).
    """
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise SweepError(f"{out}: not a folder")
    path = out / "manifest.json"
    if path.exists():
        existing = load_manifest(out)
        if existing.get("digest") != sweep.digest():
            raise SweepError(
                f"{out}: holds a different sweep ({existing.get('name')!r} from "
                f"{existing.get('sweep_file')}); choose another --out or remove that folder"
            )
        had = (existing.get("posterior") or {}).get("digest")
        wants = posterior.digest() if posterior is not None else None
        if had != wants:
            before = f"--posterior {existing['posterior']['folder']}" if had else "no --posterior"
            raise SweepError(
                f"{out}: this sweep was started with {before}; resume it the same way, or "
                "choose another --out"
            )
        return existing
    manifest = plan(sweep, posterior)
    write_json(path, manifest)
    return manifest


# ------------------------------------------------------------------------------ one run
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable; no paths it must read)."""

    run_id: str
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    kinds: tuple[str, ...]
    base: dict[str, Any]
    base_digest: str
    days: float
    keep_days: tuple[float, ...] | None
    metrics: tuple[str, ...]
    part: str
    meta: dict[str, Any] = field(default_factory=dict)
    drawn: dict[str, Any] = field(default_factory=dict)


#: Base scenarios a worker has validated, by digest (one per sweep, reused for every run).
_BASES: dict[str, Scenario] = {}


def _base(task: RunTask) -> Scenario:
    base = _BASES.get(task.base_digest)
    if base is None:
        base = _BASES[task.base_digest] = validate_scenario(task.base, source="base")
    return base


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def part_frame(task: RunTask, timeseries: pd.DataFrame) -> pd.DataFrame:
    """The rows and columns of a run's time series that its part keeps."""
    if task.keep_days is None:
        rows = timeseries.index
        days = timeseries["day"].to_numpy(dtype=float)
    else:
        recorded = timeseries["day"].to_numpy(dtype=float)
        rows = timeseries.index[[int(np.abs(recorded - d).argmin()) for d in task.keep_days]]
        days = np.asarray(task.keep_days, dtype=float)
    n = len(days)
    columns: dict[str, np.ndarray] = {
        "point": np.full(n, task.point, dtype=np.int64),
        "replicate": np.full(n, task.replicate, dtype=np.int64),
        "seed": np.full(n, task.seed, dtype=np.int64),
    }
    for (key, value), kind in zip(task.values.items(), task.kinds, strict=True):
        columns[key] = np.full(n, value, dtype=_NUMPY_DTYPES[kind])
    for key, value in task.drawn.items():  # a posterior's draw, when the sweep has one
        columns[key] = np.full(n, value, dtype=np.float64)
    columns["day"] = days
    for metric in task.metrics:
        columns[metric] = timeseries.loc[rows, metric].to_numpy(dtype=np.float64)
    return pd.DataFrame(columns)


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one task and write its part; return a small summary (never the time series).

    A run that raises (over its budget, say) is returned as ``{"ok": False, "error": <one
    line>}``, not raised, so the sweep records it and goes on. A part that cannot be written
    (a full disk) is returned with ``"write_error"``: ``<part path>: <reason>``, and stops the
    sweep (every other run would fail the same way).
    """
    from simulation.runs.pool import settle_worker

    settle_worker()  # once per process (Dask workers do not run the local pool's initializer)
    t0 = time.perf_counter()
    summary: dict[str, Any] = {
        "run_id": task.run_id,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    try:
        scenario = _base(task).with_overrides({**task.drawn, **task.values})
        result = run(scenario, seed=task.seed, days=task.days, snapshots=False)
        run_s = time.perf_counter() - t0
        frame = part_frame(task, result.timeseries)
        meta = {
            **task.meta,
            "run_id": task.run_id,
            "point": task.point,
            "replicate": task.replicate,
            "seed": task.seed,
            "parameters": task.values,
            "scenario": scenario.name,
            "scenario_digest": scenario.digest(),
            "base_digest": task.base_digest,
            "days": task.days,
            "nervesim_version": __version__,
        }
        try:
            write_parquet(frame, task.part, meta)
        except OSError as err:  # names the part: a full disk, a folder made read-only
            line = os_error_text(err)
            summary.update(ok=False, error=line, write_error=line)
            summary["seconds"] = time.perf_counter() - t0
            return summary
    except Exception as err:  # recorded as a failed run; the sweep goes on
        summary.update(ok=False, error=_one_line(err), seconds=time.perf_counter() - t0)
        return summary
    summary.update(ok=True, seconds=time.perf_counter() - t0, run_seconds=run_s, rows=len(frame))
    return summary


# ------------------------------------------------------------------------------ the sweep
@dataclass
class SweepSummary:
    """How a call of :func:`sweep` went.

    Attributes:
        out: the output folder.
        total: runs in the design.
        skipped: runs already done before this call (their parts existed).
        done: runs finished by this call.
        failed: run ids that raised in this call.
        seconds: wall time of this call.
        errors: the first few failures' one-line errors, by run id.
    """

    out: Path
    total: int
    skipped: int = 0
    done: int = 0
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every run of the design has its part."""
        return self.skipped + self.done == self.total


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold ``OUT/.lock`` so two sweep processes never write to one folder at once."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    out.mkdir(parents=True, exist_ok=True)
    with _open_lock(out / ".lock") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SweepError(f"{out}: another nervesim sweep is writing to this folder") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _open_lock(path: Path) -> Any:
    """The lock file, created if need be; an existing one we may not write is opened to read
    (a lock needs only an open file)."""
    try:
        return open(path, "a", encoding="utf-8")
    except PermissionError:
        if not path.is_file():
            raise
        return open(path, encoding="utf-8")


def iter_tasks(
    manifest: dict[str, Any], sweep: Sweep, out: Path, todo: list[int]
) -> Iterator[RunTask]:
    """The :class:`RunTask` of each run index in ``todo``, writing its part under ``out``."""
    base = sweep.base.to_dict()
    digest = sweep.base.digest()
    kinds = tuple(p.kind for p in sweep.parameters)
    meta = {"sweep": manifest["name"], "sweep_digest": manifest["digest"]}
    points = manifest["points"]
    for k in todo:
        r = manifest["runs"][k]
        yield RunTask(
            run_id=r["run_id"],
            point=r["point"],
            replicate=r["replicate"],
            seed=r["seed"],
            values=points[r["point"]]["values"],
            kinds=kinds,
            base=base,
            base_digest=digest,
            days=sweep.run_days,
            keep_days=sweep.keep_days,
            metrics=sweep.metrics,
            part=str(out / "parts" / f"{r['run_id']}.parquet"),
            meta=meta,
            drawn=r.get("drawn", {}),
        )


def pending_runs(manifest: dict[str, Any], out: str | Path) -> list[int]:
    """Indices (into ``manifest["runs"]``) of the runs whose part is not written yet."""
    parts = Path(out) / "parts"
    have = {p.stem for p in parts.glob("*.parquet")} if parts.is_dir() else set()
    return [k for k, r in enumerate(manifest["runs"]) if r["run_id"] not in have]


def execute(
    sweep: Sweep,
    out: str | Path,
    executor: Any = None,
    workers: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> SweepSummary:
    """Run the runs of ``sweep`` not yet in ``out`` (call :func:`prepare` first).

    Args:
        sweep: the validated sweep.
        out: its output folder (with its manifest).
        executor: a ``concurrent.futures`` executor or a ``distributed.Client``; default a local
            spawn pool of ``workers`` processes, shut down at the end.
        workers: processes of the default pool (default ``min(2, CPUs)``).
        progress: called with each finished run's summary (``ok``, ``run_id``, ``seconds``...).

    Raises:
        SweepError: the folder is locked by another sweep, or the local pool broke (one line).
    """
    from simulation.runs.pool import capacity, close_executor, local_pool

    out = Path(out).resolve()
    manifest = load_manifest(out)
    if manifest.get("digest") != sweep.digest():
        raise SweepError(f"{out}: holds a different sweep; run prepare() for this one first")
    t0 = time.perf_counter()
    total = len(manifest["runs"])
    if not pending_runs(manifest, out):  # finished: nothing to write, so no lock (read-only media)
        return SweepSummary(out, total, skipped=total, seconds=time.perf_counter() - t0)
    with _lock(out):
        (out / "parts").mkdir(parents=True, exist_ok=True)
        (out / "failed").mkdir(exist_ok=True)
        for stale in (out / "parts").glob(".*.tmp"):  # left by a killed run; we hold the lock
            stale.unlink(missing_ok=True)
        todo = pending_runs(manifest, out)
        summary = SweepSummary(out, total, skipped=total - len(todo))
        if not todo:
            summary.seconds = time.perf_counter() - t0
            return summary
        own = executor is None
        if own:
            executor = local_pool(workers or min(2, os.cpu_count() or 1))
        try:
            tasks = iter_tasks(manifest, sweep, out, todo)
            _drive(executor, tasks, len(todo), summary, progress, capacity)
        except BaseException:
            if own:
                executor.shutdown(wait=False, cancel_futures=True)
                own = False
            raise
        finally:
            if own:
                close_executor(executor)
            summary.seconds = time.perf_counter() - t0
    return summary


def chunk_size(runs: int, workers: int) -> int:
    """Runs per task: up to 4, while every worker still gets at least 4 tasks.

    Each task pays a fixed cost to reach a worker and report back (pickling, the pool's or
    Dask's scheduler); short runs share it. A sweep of many runs on few workers sends a few at
    a time; a small sweep, or one on many workers, sends them one by one so no worker idles.
    """
    return max(1, min(4, runs // (4 * max(1, workers))))


def run_tasks(tasks: list[RunTask]) -> list[dict[str, Any]]:
    """:func:`run_task` for each of ``tasks`` in turn, in one worker call."""
    return [run_task(task) for task in tasks]


def _drive(
    executor: Any,
    tasks: Iterator[RunTask],
    runs: int,
    summary: SweepSummary,
    progress: Callable[[dict[str, Any]], None] | None,
    capacity: Callable[[Any], int],
) -> None:
    """Keep ~2 tasks per worker in flight (so memory stays flat), record each run as it ends."""
    from concurrent.futures import BrokenExecutor, CancelledError

    from simulation.runs.pool import Completions, is_dask

    workers = capacity(executor)
    window = 2 * workers + 1
    per_task = chunk_size(runs, workers)
    completions = Completions(executor)
    by_future: dict[Any, list[RunTask]] = {}
    dask = is_dask(executor)

    def submit_next() -> bool:
        chunk = list(islice(tasks, per_task))
        if not chunk:
            return False
        future = (
            executor.submit(run_tasks, chunk, pure=False)
            if dask
            else executor.submit(run_tasks, chunk)
        )
        by_future[future] = chunk
        completions.add(future)
        return True

    for _ in range(window):
        if not submit_next():
            break
    for future in completions:
        chunk = by_future.pop(future)
        try:
            results = future.result()
        except BrokenExecutor as err:
            raise SweepError(
                f"{summary.out}: a worker process died ({_one_line(err)}); "
                f"{summary.skipped + summary.done} of {summary.total} runs are done; "
                "re-run the same command to resume"
            ) from None
        except (Exception, CancelledError) as err:  # e.g. Dask's KilledWorker: record, go on
            results = [{"run_id": t.run_id, "ok": False, "error": _one_line(err)} for t in chunk]
        del future
        for task, result in zip(chunk, results, strict=True):
            if result.get("write_error"):
                kept = sum(1 for _ in (summary.out / "parts").glob("*.parquet"))
                raise SweepError(
                    f"{result['write_error']}; {kept} of {summary.total} runs have their part "
                    "(kept); re-run the same command to resume"
                )
            _record(summary, task, result)
            if progress is not None:
                progress(result)
        submit_next()


def _record(summary: SweepSummary, task: RunTask, result: dict[str, Any]) -> None:
    failed = summary.out / "failed" / f"{task.run_id}.json"
    if result.get("ok"):
        summary.done += 1
        failed.unlink(missing_ok=True)
        return
    summary.failed.append(task.run_id)
    if len(summary.errors) < 5:
        summary.errors[task.run_id] = result.get("error", "")
    write_json(
        failed,
        {
            "run_id": task.run_id,
            "point": task.point,
            "replicate": task.replicate,
            "seed": task.seed,
            "values": task.values,
            "error": result.get("error", ""),
            "host": result.get("host"),
            "pid": result.get("pid"),
        },
    )


def sweep(
    spec: Sweep | str | Path,
    out: str | Path,
    executor: Any = None,
    workers: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> SweepSummary:
    """Run a sweep into ``out``, resuming whatever an earlier call left undone.

    Args:
        spec: a sweep file, or a loaded :class:`~simulation.sweeps.spec.Sweep`.
        out: the output folder (created; see the module docstring for its layout).
        executor: a ``concurrent.futures`` executor or ``distributed.Client`` (default: a
            local spawn pool of ``workers`` processes).
        workers: processes of the default pool (default ``min(2, CPUs)``).
        progress: called with each finished run's summary.

    Raises:
        SweepError: bad sweep file, a different sweep in ``out``, ``out`` locked (one line).
    """
    loaded = spec if isinstance(spec, Sweep) else load_sweep(spec)
    prepare(loaded, out)
    return execute(loaded, out, executor=executor, workers=workers, progress=progress)


# ------------------------------------------------------------------------------ reading back
def load_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of the sweep in ``out_dir`` (see the module docstring for its keys).

    Raises:
        SweepError: no readable manifest there (one line).
    """
    path = Path(out_dir) / "manifest.json"
    if not path.is_file():
        raise SweepError(f"{Path(out_dir)}: no manifest.json (not a sweep folder)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path}: not a readable manifest ({_one_line(exc)})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise SweepError(f"{path}: not a {MANIFEST_FORMAT} manifest")
    return manifest


def load_results(out_dir: str | Path) -> pd.DataFrame:
    """Every finished run of the sweep in ``out_dir`` as one tidy frame.

    One row per run and kept day: ``point``, ``replicate``, ``seed``, one column per varied
    parameter, one per parameter drawn from a posterior (if the sweep had one), ``day`` and one
    column per kept metric, sorted by point, replicate and day.
    Runs not finished (failed, or not run yet) are absent: see :func:`status`.
    """
    manifest = load_manifest(out_dir)
    parts = Path(out_dir) / "parts"
    columns = [
        *ID_COLUMNS,
        *(p["key"] for p in manifest["parameters"]),
        *dict.fromkeys(k for r in manifest["runs"] for k in r.get("drawn", {})),
        "day",
        *manifest["metrics"],
    ]
    if not parts.is_dir() or not any(parts.glob("*.parquet")):
        frame = pd.DataFrame({c: [] for c in columns})
    else:
        frame = pd.read_parquet(parts)
        frame = frame.sort_values(["point", "replicate", "day"], kind="stable")
        frame = frame.reset_index(drop=True)[columns]
    frame.attrs.update(label=ILLUSTRATIVE_LABEL, sweep=manifest["name"])
    return frame


def status(out_dir: str | Path) -> dict[str, int]:
    """Runs of the sweep in ``out_dir``: ``total``, ``done``, ``failed`` and ``pending``."""
    manifest = load_manifest(out_dir)
    out = Path(out_dir)
    ids = {r["run_id"] for r in manifest["runs"]}
    done = {p.stem for p in (out / "parts").glob("*.parquet")} & ids
    failed = ({p.stem for p in (out / "failed").glob("*.json")} & ids) - done
    total = len(ids)
    return {
        "total": total,
        "done": len(done),
        "failed": len(failed),
        "pending": total - len(done) - len(failed),
    }
