"""Executors: the local spawn pool, a Dask LocalCluster and a Dask scheduler with two worker
processes all give the same sweep results; the in-process executor and completion order."""

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from simulation.runs.pool import (
    Completions,
    InlineExecutor,
    capacity,
    close_executor,
    dask_client,
    local_pool,
)
from simulation.sweeps.sweep import load_results, sweep
from tests.sweep_files import write_sweep


@pytest.fixture(scope="module")
def pool_results(tmp_path_factory):
    """The tiny grid sweep on a local pool of 2 spawned processes: (sweep file, results)."""
    folder = tmp_path_factory.mktemp("pool")
    path = write_sweep(folder)
    pool = local_pool(2)
    try:
        summary = sweep(path, folder / "out", executor=pool)
    finally:
        close_executor(pool)
    assert summary.complete and not summary.failed
    return path, load_results(folder / "out")


def test_local_pool_matches_this_process(pool_results, tmp_path):
    """The same sweep run in this process gives bitwise the same frame as the pool."""
    path, expected = pool_results
    sweep(path, tmp_path / "out", executor=InlineExecutor())
    assert_frame_equal(load_results(tmp_path / "out"), expected, check_exact=True)


def test_dask_local_cluster_matches_the_local_pool(pool_results, tmp_path):
    """A 2-worker Dask LocalCluster gives bitwise the same frame as the local pool."""
    path, expected = pool_results
    client = dask_client(workers=2)
    try:
        assert capacity(client) == 2
        summary = sweep(path, tmp_path / "out", executor=client)
    finally:
        close_executor(client)
    assert summary.done == 12 and not summary.failed
    assert_frame_equal(load_results(tmp_path / "out"), expected, check_exact=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, then SIGKILL it if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)


def test_scheduler_and_two_worker_processes_match_the_local_pool(pool_results, tmp_path):
    """`dask scheduler` + `dask worker --nworkers 2` started as separate processes on 127.0.0.1
    run the sweep to the same frame as the local pool."""
    path, expected = pool_results
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = {n: open(tmp_path / f"{n}.log", "w", encoding="utf-8") for n in ("scheduler", "worker")}
    scheduler = worker = client = None
    try:
        scheduler = subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=logs["scheduler"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        worker = subprocess.Popen(
            [dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while client is None:
            assert scheduler.poll() is None, (tmp_path / "scheduler.log").read_text()
            try:
                client = dask_client(scheduler=address, timeout_s=2)
            except ValueError:
                assert time.monotonic() < deadline, "the scheduler never answered"
                time.sleep(0.5)
        client.wait_for_workers(2, timeout=90)
        assert capacity(client) == 2
        summary = sweep(path, tmp_path / "out", executor=client)
    finally:
        if client is not None:
            client.close()
        for proc in (worker, scheduler):
            if proc is not None:
                _stop(proc)
        for log in logs.values():
            log.close()
    assert summary.done == 12 and not summary.failed
    assert_frame_equal(load_results(tmp_path / "out"), expected, check_exact=True)


def test_unreachable_scheduler_is_one_line():
    """A scheduler address nobody answers is a one-line ValueError naming it."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(ValueError, match=f"--scheduler {address}: no Dask scheduler answered"):
        dask_client(scheduler=address, timeout_s=1)


def test_inline_executor_delivers_results_and_exceptions_through_futures():
    """InlineExecutor runs at submit; errors come out of future.result() as from a pool."""
    ex = InlineExecutor()
    assert ex.submit(pow, 2, 5).result() == 32
    with pytest.raises(ZeroDivisionError):
        ex.submit(lambda: 1 / 0).result()
    assert capacity(ex) == 1


def test_completions_yield_in_finishing_order_and_accept_more():
    """Completions yields futures as they finish, including ones added while iterating."""
    gate = {}
    with ThreadPoolExecutor(2) as pool:
        done = Completions(pool)
        slow = pool.submit(time.sleep, 0.3)
        done.add(slow)
        done.add(pool.submit(gate.setdefault, "fast", 1))
        order = []
        for future in done:
            order.append(future)
            if len(order) == 1:
                done.add(pool.submit(gate.setdefault, "late", 2))
        assert len(order) == 3
        assert order[-1] is slow


def test_shared_pool_starts_once_until_reset():
    """The long-lived pool (the dashboard's): none for 0 workers, the same pool on every call,
    a new one after reset_shared_pool; its workers run tasks after their warm-up."""
    from simulation.runs.pool import reset_shared_pool, shared_pool

    assert shared_pool(0) is None
    reset_shared_pool()  # another test in this process may have started one
    try:
        pool = shared_pool(1)
        assert pool is not None and shared_pool(2) is pool and capacity(pool) == 1
        assert pool.submit(os.getpid).result(timeout=600) != os.getpid()
        reset_shared_pool()
        again = shared_pool(1)
        assert again is not None and again is not pool
    finally:
        reset_shared_pool()
