"""A pyabc sampler whose generations do not depend on the executor, the worker count or timing.

pyabc's own parallel samplers (``MappingSampler``, ``ConcurrentFutureSampler``,
``DaskDistributedSampler``) let each worker draw proposals from a freshly seeded generator
and keep the first particles that *finish*: the posterior then depends on which worker was
faster. :class:`SeededSampler` plugs into pyabc's ``Sampler`` interface (pyabc still does
the SMC: proposals, transitions, weights, tolerance, distance, history) and changes only how a
generation's proposals are evaluated:

* Proposal ``k`` of generation ``t`` runs pyabc's ``simulate_one`` (draw a proposal, simulate,
  compare) with numpy's and Python's global generators seeded from
  ``SeedSequence([root_seed, t + 1, k])``; the model draws its run seeds from the same
  generator. Its result depends only on (root seed, t, k) and the generation's state.
* The particles kept are the first ``n`` accepted *by index*, with the rejected ones before
  them: a property of the sequence of proposals, not of which finished first.
* Proposals stream to any ``concurrent.futures`` executor or ``distributed.Client`` in index
  order, :data:`IN_FLIGHT_PER_WORKER` per worker at a time; results are taken in index order
  as the prefix completes, and the generation ends once the prefix holds ``n`` acceptances.
  Proposals still running then are cancelled or ignored (the price of determinism: at most a
  few per worker and generation, reported as *discarded*). How many run at once changes only
  the waste, never the particles kept.

Together with starting every generation from the SQLite history
(:func:`simulation.calibration.abc.calibrate`), one root seed gives the same posterior on any
executor and worker count, and a calibration killed partway resumes to the same posterior.
Exact equality assumes the simulations themselves are deterministic given their seed on every
worker (NerveSim's are: same seed, same result) and the same library versions everywhere.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

#: Proposals queued per worker: two keep a worker busy while its next task travels to it, and
#: bound the work discarded after a generation's n-th acceptance. Assumed.
IN_FLIGHT_PER_WORKER = 2


def proposal_seed(root_seed: int, t: int, k: int) -> np.ndarray:
    """The seed words of proposal ``k`` of generation ``t`` (``t = -1``: the calibration
    sample drawn from the prior before generation 0)."""
    return np.random.SeedSequence([int(root_seed), t + 1, k]).generate_state(4)


_cached: tuple[bytes, Callable[[], Any]] | None = None


def _evaluate(blob: bytes, words: np.ndarray) -> tuple[Any, float]:
    """Run one proposal in a worker: seed the global generators, call ``simulate_one``.

    Returns the particle and the seconds it took. The unpickled function of the last blob is
    kept, so a round's tasks unpickle it once per worker.
    """
    global _cached
    if _cached is None or _cached[0] != blob:
        _cached = (blob, cloudpickle.loads(blob))
    simulate_one = _cached[1]
    np.random.seed(words)  # noqa: NPY002 (pyabc and scipy draw from the global generator)
    random.seed(int(words[0]))
    start = time.perf_counter()
    particle = simulate_one()
    return particle, time.perf_counter() - start


@dataclass
class GenerationStats:
    """What one generation (or the prior's calibration sample, ``t = -1``) cost.

    ``evaluated`` proposals finished and were read, ``used`` of them (up to the n-th
    acceptance) count; ``abandoned`` were still queued or running when the generation was
    complete (cancelled, or left to finish unread).
    """

    t: int
    evaluated: int = 0
    used: int = 0
    accepted: int = 0
    abandoned: int = 0
    simulation_s: float = 0.0
    wall_s: float = 0.0

    @property
    def acceptance_rate(self) -> float:
        """Accepted / proposals used (those up to the n-th acceptance)."""
        return self.accepted / self.used if self.used else math.nan


@dataclass
class SeededSampler(Sampler):
    """Evaluate seeded proposals in index order on ``executor`` (see the module).

    Attributes:
        executor: a ``concurrent.futures`` executor or a ``distributed.Client``; None runs
            every proposal in this process.
        root_seed: the calibration's root seed.
        on_progress: called after each finished proposal with the generation index (-1 for
            the prior sample), the particles accepted so far and the proposals finished.
        stats: one :class:`GenerationStats` per generation sampled by this object.
    """

    executor: Any = None
    root_seed: int = 0
    on_progress: Callable[[int, int, int], None] | None = None
    stats: list[GenerationStats] = field(default_factory=list)

    def __post_init__(self) -> None:
        Sampler.__init__(self)

    def _submit(self, blob: Any, t: int, k: int) -> Any:
        from simulation.runs.pool import is_dask

        words = proposal_seed(self.root_seed, t, k)
        if is_dask(self.executor):
            return self.executor.submit(_evaluate, blob, words, pure=False, priority=-k)
        return self.executor.submit(_evaluate, blob, words)

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """The first ``n`` accepted proposals by index, with the rejected ones before them."""
        from simulation.runs.pool import Completions, capacity, is_dask

        started = time.perf_counter()
        stats = GenerationStats(t)
        blob: Any = cloudpickle.dumps(simulate_one)
        sample = self._create_empty_sample()
        results: dict[int, tuple[Any, float]] = {}
        accepted = used = 0  # over the completed prefix of indices 0 .. used - 1

        def take() -> None:
            nonlocal accepted, used
            while used in results and accepted < n and used < max_eval:
                particle, _ = results.pop(used)
                used += 1
                sample.append(particle)
                accepted += bool(particle.accepted)

        if self.executor is None:
            while accepted < n and used < max_eval:
                results[used] = _evaluate(blob, proposal_seed(self.root_seed, t, used))
                stats.evaluated += 1
                stats.simulation_s += results[used][1]
                take()
                if self.on_progress is not None:
                    self.on_progress(t, accepted, stats.evaluated)
        else:
            if is_dask(self.executor):
                [blob] = self.executor.scatter([blob], broadcast=True, hash=False)
            window = IN_FLIGHT_PER_WORKER * capacity(self.executor)
            completions = Completions(self.executor)
            index: dict[Any, int] = {}
            submitted = 0

            def top_up() -> None:
                nonlocal submitted
                room = min(window - len(index), int(min(max_eval, 1e12)) - submitted)
                for _ in range(room):
                    future = self._submit(blob, t, submitted)
                    index[future] = submitted
                    completions.add(future)
                    submitted += 1

            top_up()
            try:
                for future in completions:
                    k = index.pop(future)
                    if accepted >= n or used >= max_eval:
                        continue  # finished after the generation was complete: discarded
                    results[k] = future.result()
                    stats.evaluated += 1
                    stats.simulation_s += results[k][1]
                    take()
                    if self.on_progress is not None:
                        self.on_progress(t, accepted, stats.evaluated)
                    if accepted >= n or used >= max_eval:
                        stats.abandoned = len(index)  # queued or running: cancelled or ignored
                        for other in list(index):
                            other.cancel()
                        break
                    top_up()
            except BaseException:
                for other in list(index):
                    other.cancel()
                raise
        self.nr_evaluations_ = used
        stats.used, stats.accepted = used, accepted
        stats.wall_s = time.perf_counter() - started
        self.stats.append(stats)
        return sample
