"""Where sweep runs execute: a local process pool, a Dask cluster, or this process.

Everything follows :mod:`concurrent.futures`: an executor has ``submit(fn, *args)`` returning a
future with ``result()``. A ``distributed.Client`` is such an executor too, but its futures
complete through ``distributed.as_completed``; :class:`Completions` hides that difference.

* :func:`local_pool`: a ``ProcessPoolExecutor`` with the *spawn* start method (forking a process
  whose Numba/OpenMP threads have started can deadlock the child). Every batch of runs uses it:
  sweeps, ``validation.checks.run_arms`` (``nervesim run/compare/validate``). Its workers die
  with the process that made the pool (:func:`die_with_parent`), even when it is killed.
* :func:`shared_pool`: the one long-lived pool of a server process (the dashboard's), started
  once, each worker warmed by :func:`warm_up`; :func:`reset_shared_pool` drops a broken one.
* :func:`dask_client`: a client of a new ``LocalCluster`` (one single-threaded worker process
  per worker), or of a running scheduler (``dask scheduler`` + ``dask worker``).
* :class:`InlineExecutor`: runs each task when submitted, in this process (tests, debugging).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import get_context
from typing import Any

#: A block just under glibc's largest dynamic mmap threshold (32 MiB on 64-bit Linux).
_SETTLE_BYTES = 31 * 2**20
_settled = False


def settle_allocator() -> None:
    """Once per process: put malloc in the steady state of a long-running process.

    glibc serves blocks above its mmap threshold (128 KiB at start) with fresh pages that fault
    in on every use, and raises the threshold only when such a block is freed; a fresh worker
    process therefore pays page faults on the model's numpy temporaries that a seasoned one does
    not. Freeing one ~31 MiB block raises the threshold to near its maximum at once. Harmless
    elsewhere. (The same trick as ``benchmarks/_util.settle_allocator``.)
    """
    global _settled
    if _settled:
        return
    import numpy as np

    block = np.empty(_SETTLE_BYTES // 8)
    del block
    _settled = True


_frozen = False


def settle_worker() -> None:
    """Once per process, after the model's modules are loaded: settle malloc, freeze the heap.

    Python's full garbage collections walk every tracked object, and a worker process holds a
    few hundred thousand that live as long as it does (modules, Dask's machinery). Moving
    them to the permanent generation (``gc.freeze``) leaves each collection only the model's
    own objects (``python -m benchmarks sweep`` measures the gain). Garbage is collected
    first; results do not change.
    """
    global _frozen
    settle_allocator()
    if _frozen:
        return
    import gc

    gc.collect()
    gc.freeze()
    _frozen = True


#: Linux ``prctl`` option: the signal a process gets when the thread that started it exits.
PR_SET_PDEATHSIG = 1
#: Seconds between a worker's checks that its parent is still there. Assumed: a killed parent's
#: workers stop within about this long (when the parent-death signal did not reach them), for
#: one ``getppid`` call per check.
PARENT_POLL_S = 0.5


def _set_parent_death_signal() -> bool:
    """Ask Linux to send this process SIGTERM when its parent's starting thread exits; False
    where there is no ``prctl`` (elsewhere than Linux, or a libc without it)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent_pid:
            os._exit(1)  # the parent is gone: stop now, mid-run (a part is written whole or not)


def die_with_parent(parent_pid: int, use_pdeathsig: bool) -> None:
    """Make this worker process exit when ``parent_pid`` (its parent) dies, however it dies.

    Two guards: Linux's parent-death signal (``use_pdeathsig``; it is sent when the *thread*
    that started the worker exits, so only for pools whose workers the main thread starts),
    and a daemon thread that polls ``os.getppid()`` every :data:`PARENT_POLL_S` s and ends the
    process once the parent has changed (a killed parent's children are re-parented). A parent
    that died before this ran is caught at once.
    """
    if use_pdeathsig:
        _set_parent_death_signal()
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="nervesim-parent-watch", daemon=True
    ).start()


def _worker_init(parent_pid: int, use_pdeathsig: bool) -> None:
    """Pool workers die with their parent and leave Ctrl-C to it (it shuts the pool down)."""
    die_with_parent(parent_pid, use_pdeathsig)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settle_allocator()


def local_pool(workers: int, death_signal: bool | None = None) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` processes started with *spawn* (malloc settled, Ctrl-C ignored,
    dying with this process: :func:`die_with_parent`).

    ``death_signal``: use Linux's parent-death signal too (default: when this is the main
    thread). A worker is started by the thread that submits to the pool, and gets the signal
    when *that thread* ends; give False for a pool that threads which come and go submit to
    (a web server's), which then relies on its workers' polling threads alone.
    """
    if death_signal is None:
        death_signal = threading.current_thread() is threading.main_thread()
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(), death_signal),
    )


def warm_up() -> bool:
    """Import the model and compile its kernels in a fresh worker (a one-day tiny run), then
    :func:`settle_worker` (its modules are loaded now: freeze them out of GC's way)."""
    from simulation.runs.runner import run
    from simulation.scenario.schema import Scenario

    tiny = Scenario().with_overrides(
        {"grid.width_voxels": 60, "grid.height_voxels": 8, "neuron.count": 5}
    )
    run(tiny, seed=0, days=1, snapshots=False)
    settle_worker()
    return True


_shared_lock = threading.Lock()
_shared: cf.ProcessPoolExecutor | None = None


def shared_pool(workers: int) -> cf.ProcessPoolExecutor | None:
    """This process's long-lived pool: :func:`local_pool` of ``workers`` started on the first
    call, one :func:`warm_up` queued per worker (later calls return the same pool, whatever
    ``workers``). None for 0 workers (run in this process). Any thread may submit to it, so
    its workers watch their parent by polling only (no parent-death signal)."""
    global _shared
    if workers <= 0:
        return None
    with _shared_lock:
        if _shared is None:
            _shared = local_pool(workers, death_signal=False)
            for _ in range(workers):
                _shared.submit(warm_up)
        return _shared


def reset_shared_pool() -> None:
    """Drop a broken shared pool; the next :func:`shared_pool` starts a new one."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.shutdown(wait=False, cancel_futures=True)
        _shared = None


#: Dask settings for a cluster whose workers run long, CPU-bound, single-threaded tasks and
#: that has no dashboard. Each periodic callback takes the GIL (or a core) from the running
#: model: no statistical profiler (it samples the running task's stack every 10 ms), memory
#: and system monitors every 1 and 2 s (not 100 and 500 ms), the event-loop
#: health tick every 200 ms (not 20 ms), and no work stealing (the scheduler already queues a
#: sweep's tasks until a worker is free, so there is nothing to rebalance).
#: For a cluster started by hand, the same as environment variables (see the README):
#: ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` and so on.
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
    "distributed.scheduler.work-stealing": False,
}


def _worker_environ() -> dict[str, Any]:
    """Dask's environment for new worker processes, without ``MALLOC_TRIM_THRESHOLD_``.

    Setting any malloc threshold switches glibc's dynamic thresholds off, which
    :func:`settle_allocator` relies on; the workers then keep Dask's other settings.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def dask_client(
    workers: int | None = None, scheduler: str | None = None, timeout_s: float = 10.0
) -> Any:
    """A ``distributed.Client``: of a running ``scheduler`` address, else of a new LocalCluster.

    The LocalCluster has ``workers`` single-threaded worker processes and no dashboard. Close the
    client with :func:`close_executor` (it closes its LocalCluster too).

    Raises:
        ValueError: no scheduler answered at ``scheduler`` within ``timeout_s`` (one line).
    """
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout=f"{timeout_s}s")
        except (OSError, TimeoutError) as err:
            text = " ".join(str(err).split())
            raise ValueError(
                f"--scheduler {scheduler}: no Dask scheduler answered within {timeout_s:g} s "
                f"({text or type(err).__name__})"
            ) from None
    import dask

    quiet = {**QUIET_WORKERS, "distributed.nanny.pre-spawn-environ": _worker_environ()}
    with dask.config.set(quiet):
        cluster = LocalCluster(
            n_workers=workers or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    return Client(cluster)


def is_dask(executor: Any) -> bool:
    """True for a ``distributed.Client``."""
    return type(executor).__module__.startswith("distributed")


def capacity(executor: Any) -> int:
    """How many tasks the executor runs at once (its worker threads or processes)."""
    if is_dask(executor):
        return max(1, sum(executor.nthreads().values()))
    return max(1, int(getattr(executor, "_max_workers", 1)))


def describe(executor: Any) -> str:
    """A short description for the command's output."""
    if is_dask(executor):
        n = len(executor.nthreads())
        return f"Dask scheduler {executor.scheduler.address} with {n} worker(s)"
    if isinstance(executor, InlineExecutor):
        return "this process"
    n = capacity(executor)
    return f"local pool of {n} worker process{'es' * (n != 1)}"


def close_executor(executor: Any) -> None:
    """Shut an executor down (and a Dask client's LocalCluster, if it made one)."""
    if is_dask(executor):
        cluster = executor.cluster
        executor.close()
        if cluster is not None:
            cluster.close()
    else:
        executor.shutdown(wait=True, cancel_futures=True)


class InlineExecutor(cf.Executor):
    """Runs each task at ``submit``, in this process; the future is already done."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # delivered through the future, as a pool would
            future.set_exception(exc)
        return future


class Completions:
    """Futures in the order they finish; more may be added while iterating."""

    def __init__(self, executor: Any) -> None:
        self._dask = None
        self._pending: set[cf.Future] = set()
        if is_dask(executor):
            from distributed import as_completed

            self._dask = as_completed()

    def add(self, future: Any) -> None:
        """Watch one more future."""
        if self._dask is not None:
            self._dask.add(future)
        else:
            self._pending.add(future)

    def __iter__(self) -> Iterator[Any]:
        if self._dask is not None:
            yield from self._dask
            return
        while self._pending:
            done, self._pending = cf.wait(self._pending, return_when=cf.FIRST_COMPLETED)
            yield from done
