"""Sessions asking for the same runs at once share them: each run is submitted once, and every
session gets its result (a stub pool stands in for the worker processes; nothing is simulated).
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future

import pandas as pd
import pytest

from dashboard import inflight, runs
from dashboard.inflight import Job
from dashboard.worker import RunData


class StubPool:
    """Records submissions; their futures are finished by :meth:`finish`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.submitted: list[tuple[tuple[str, ...], int, float]] = []
        self.futures: list[Future] = []

    def submit(self, fn, tomls, seed, days) -> Future:
        fut: Future = Future()
        with self.lock:
            self.submitted.append((tomls, seed, days))
            self.futures.append(fut)
        return fut

    def finish(self) -> None:
        for (tomls, seed, _), fut in zip(self.submitted, self.futures, strict=True):
            fut.set_result(
                [RunData(pd.DataFrame({"day": [0.0], "m": [float(seed)]}), {}) for _ in tomls]
            )


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> StubPool:
    stub = StubPool()
    monkeypatch.setattr(inflight, "get_pool", lambda: stub)
    monkeypatch.setattr(inflight, "worker_count", lambda: 2)
    return stub


def jobs(seeds: int = 8) -> list[Job]:
    """Three arms x ``seeds`` seeds, of scenarios no other test has cached."""
    arms = [f"fake-{uuid.uuid4()}" for _ in range(3)]
    return [Job(arm, seed, 7.0) for seed in range(seeds) for arm in arms]


def test_concurrent_starts_share_futures(pool: StubPool) -> None:
    """Ten sessions starting the same 24 runs at once: 8 tasks submitted, the same futures."""
    wanted = jobs()
    got: list[dict] = []
    barrier = threading.Barrier(10)

    def session() -> None:
        barrier.wait()
        got.append(inflight.start(wanted))

    threads = [threading.Thread(target=session) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(pool.submitted) == 8  # one task per seed (arms together)
    assert all(g == got[0] for g in got)


@pytest.mark.timeout(60)
def test_concurrent_sessions_get_every_result_from_one_run_each(pool: StubPool) -> None:
    """Ten sessions in run_many for the same runs: each run submitted once; all get results."""
    wanted = jobs(seeds=3)  # fewer seeds than 2 per worker: one task per run
    results: list[dict] = []
    errors: list[BaseException] = []

    def session() -> None:
        try:
            results.append(runs.run_many(wanted))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=session) for _ in range(10)]
    for t in threads:
        t.start()
    while True:  # every session has asked (and waits) before the runs finish
        with pool.lock:
            if len(pool.submitted) == len(wanted):
                break
        threading.Event().wait(0.01)
    threading.Event().wait(0.5)
    pool.finish()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(pool.submitted) == len(wanted)
    assert len(results) == 10
    for res in results:
        assert set(res) == set(wanted)
        assert all(res[job]["m"].iloc[0] == job.seed for job in wanted)
