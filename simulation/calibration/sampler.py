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
* Proposals are evaluated in rounds of a size decided from earlier rounds' results only (the
  first round is the population size; later ones aim at the particles still missing), on any
  ``concurrent.futures`` executor or ``distributed.Client``.
* The particles accepted are the first ``n`` *by index*, with the rejected ones before them;
  proposals evaluated past the ``n``-th acceptance are discarded (the price of determinism:
  part of the last round's work).

Together with starting every generation from the SQLite history
(:func:`simulation.calibration.abc.calibrate`), one root seed gives the same posterior on any
executor and worker count, and a calibration killed partway resumes to the same posterior.
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

#: Largest round, in population sizes: bounds the work wasted past the n-th acceptance when
#: the acceptance rate is low. Assumed.
MAX_ROUND_FACTOR = 8
#: Acceptance rate assumed for sizing a round when none was accepted yet.
FLOOR_RATE = 0.05


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
    """What one generation (or the prior's calibration sample, ``t = -1``) cost."""

    t: int
    evaluated: int = 0
    used: int = 0
    accepted: int = 0
    rounds: int = 0
    simulation_s: float = 0.0
    wall_s: float = 0.0

    @property
    def acceptance_rate(self) -> float:
        """Accepted / proposals used (those up to the n-th acceptance)."""
        return self.accepted / self.used if self.used else math.nan


@dataclass
class SeededSampler(Sampler):
    """Evaluate proposals in seeded rounds on ``executor`` (see the module).

    Attributes:
        executor: a ``concurrent.futures`` executor or a ``distributed.Client``; None runs
            every proposal in this process.
        root_seed: the calibration's root seed.
        on_done: called after each finished proposal with the generation index.
        on_round: called before each round with the generation index and the round's size.
        stats: one :class:`GenerationStats` per generation sampled by this object.
    """

    executor: Any = None
    root_seed: int = 0
    on_done: Callable[[int], None] | None = None
    on_round: Callable[[int, int], None] | None = None
    stats: list[GenerationStats] = field(default_factory=list)

    def __post_init__(self) -> None:
        Sampler.__init__(self)

    def _run_round(self, blob: bytes, t: int, start: int, size: int) -> list[tuple[Any, float]]:
        """Evaluate proposals ``start .. start + size - 1``; results in index order."""
        from simulation.runs.pool import Completions, is_dask

        words = [proposal_seed(self.root_seed, t, start + i) for i in range(size)]
        if self.executor is None:
            out = []
            for w in words:
                out.append(_evaluate(blob, w))
                if self.on_done is not None:
                    self.on_done(t)
            return out
        if is_dask(self.executor):
            [shared] = self.executor.scatter([blob], broadcast=True, hash=False)
            futures = [
                self.executor.submit(_evaluate, shared, w, pure=False, priority=-start)
                for w in words
            ]
        else:
            futures = [self.executor.submit(_evaluate, blob, w) for w in words]
        index = {id(f): i for i, f in enumerate(futures)}
        results: list[Any] = [None] * size
        completions = Completions(self.executor)
        for f in futures:
            completions.add(f)
        try:
            for f in completions:
                results[index[id(f)]] = f.result()
                if self.on_done is not None:
                    self.on_done(t)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results

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
        started = time.perf_counter()
        stats = GenerationStats(t)
        blob = cloudpickle.dumps(simulate_one)
        sample = self._create_empty_sample()
        accepted = used = 0
        while accepted < n and used < max_eval:
            rate = accepted / used if used else 1.0
            size = n if not used else math.ceil((n - accepted) / max(rate, FLOOR_RATE))
            size = min(size, MAX_ROUND_FACTOR * n)
            if math.isfinite(max_eval):
                size = min(size, int(max_eval) - used)
            if self.on_round is not None:
                self.on_round(t, size)
            results = self._run_round(blob, t, stats.evaluated, size)
            stats.evaluated += size
            stats.rounds += 1
            for particle, seconds in results:
                stats.simulation_s += seconds
                if accepted >= n:
                    continue  # evaluated past the n-th acceptance: discarded
                used += 1
                sample.append(particle)
                accepted += bool(particle.accepted)
        self.nr_evaluations_ = used
        stats.used, stats.accepted = used, accepted
        stats.wall_s = time.perf_counter() - started
        self.stats.append(stats)
        return sample
