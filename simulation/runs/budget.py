"""Run budgets: a run that grows past its agents, memory or wall time stops with one line.

A scenario's ``[budget]`` (:class:`simulation.scenario.schema.BudgetParams`) sets three limits
on each run: live cell agents, the process's resident memory (MB) and the run's wall time (s).
:class:`BudgetGuard` checks them as the run goes: the agent count after every tick (the model
keeps it: ``len(model.agents)`` costs a few hundred ns), the clock and the resident memory every
:data:`CHECK_EVERY_S` seconds (one ``time.monotonic`` per tick; one read of
``/proc/self/statm`` per check). A run over budget raises :class:`RunBudgetError`; a run
within it is not touched, so its result does not depend on the budget.

A caller may run a scenario under a tighter budget than its own (the dashboard runs uploaded
scenarios so: :meth:`Budget.capped`); the message then says whose limit it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from simulation.scenario.schema import BudgetParams, ScenarioError, parameter_info

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel

#: Seconds between checks of the clock and the resident memory: a runaway run is stopped
#: within about this long of passing a limit. Assumed: 0.5 s is under 0.1 % of the default
#: wall budget and its checks cost ~20 µs each (docs/budgets.md).
CHECK_EVERY_S = 0.5
#: What a limit from the scenario's own ``[budget]`` tells the user to do.
RAISE_IN_SCENARIO = "raise it in [budget]"

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MB = 2**20


class RunBudgetError(ScenarioError):
    """A run that passed a limit of its budget; the message is one line.

    Attributes:
        key: the budget key (``budget.max_agents``).
        value: what the run reached.
        limit: the limit it passed.
    """

    def __init__(self, message: str, key: str = "", value: float = 0.0, limit: float = 0.0):
        super().__init__(message)
        self.key, self.value, self.limit = key, value, limit

    def __reduce__(self) -> tuple[Any, ...]:  # keep the attributes across processes
        return (type(self), (str(self), self.key, self.value, self.limit))


@dataclass(frozen=True)
class Limit:
    """One limit: its budget key, its value and what to do to go past it."""

    key: str
    value: float
    hint: str = RAISE_IN_SCENARIO


@dataclass(frozen=True)
class Budget:
    """The limits a run is held to (see :class:`BudgetParams` for units and defaults)."""

    agents: Limit
    memory_mb: Limit
    wall_s: Limit

    @classmethod
    def of(cls, params: BudgetParams) -> Budget:
        """The budget a scenario's ``[budget]`` section sets."""
        return cls(
            Limit("budget.max_agents", params.max_agents),
            Limit("budget.max_memory_mb", params.max_memory_mb),
            Limit("budget.max_wall_s", params.max_wall_s),
        )

    def capped(self, agents: float, memory_mb: float, wall_s: float, hint: str) -> Budget:
        """This budget, each limit lowered to the cap given where that is lower; a message
        about a cap that binds ends with ``hint`` instead of :data:`RAISE_IN_SCENARIO`."""

        def cap(limit: Limit, value: float) -> Limit:
            return replace(limit, value=value, hint=hint) if value < limit.value else limit

        return Budget(
            cap(self.agents, agents), cap(self.memory_mb, memory_mb), cap(self.wall_s, wall_s)
        )


def resident_mb() -> float:
    """This process's resident memory, MB (``/proc/self/statm``; psutil where there is none)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_BYTES / _MB
    except OSError:  # not Linux
        try:
            import psutil  # type: ignore[import-untyped]
        except ImportError:  # no way to tell: the memory budget is not checked
            return 0.0
        return float(psutil.Process().memory_info().rss) / _MB


def _shown(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"


class BudgetGuard:
    """Holds one run to its :class:`Budget` (picklable: a run copied part-way keeps its time).

    The wall time counts only while the run is being built or advanced (between
    :meth:`resume` and :meth:`pause`), so an arm continued from a shared start
    (:mod:`simulation.runs.branching`) is charged the shared start and its own ticks, not the
    other arms'.
    """

    def __init__(self, budget: Budget, who: str) -> None:
        self.budget = budget
        self.who = who
        self.spent_s = 0.0
        self._since: float | None = None
        self._next_check = 0.0

    def resume(self) -> None:
        """The run is working again: its wall time counts."""
        self._since = time.monotonic()
        self._next_check = self._since  # check at once: a copy may land in a fuller process

    def pause(self) -> None:
        """The run waits (between calls, or for the other arms): its wall time stops."""
        if self._since is not None:
            self.spent_s += time.monotonic() - self._since
            self._since = None

    def __getstate__(self) -> dict[str, Any]:
        self.pause()
        return self.__dict__.copy()

    def check(self, model: NerveRepairModel) -> None:
        """Raise :class:`RunBudgetError` if ``model``'s run is over a limit now."""
        agents = len(model.agents)
        if agents > self.budget.agents.value:
            self._stop(model, self.budget.agents, f"{agents:,} agents exceed", agents)
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + CHECK_EVERY_S
        wall = self.spent_s + (now - self._since if self._since is not None else 0.0)
        if wall > self.budget.wall_s.value:
            self._stop(model, self.budget.wall_s, f"{wall:,.1f} s of wall time exceed", wall)
        rss = resident_mb()
        if rss > self.budget.memory_mb.value:
            text = f"{rss:,.0f} MB resident memory exceed"
            self._stop(model, self.budget.memory_mb, text, rss)

    def _stop(self, model: NerveRepairModel, limit: Limit, reached: str, value: float) -> None:
        self.pause()
        units, lo, hi = parameter_info(limit.key)
        allowed = f"allowed [{_shown(lo or 0)}, {_shown(hi or 0)}]"
        if limit.hint == RAISE_IN_SCENARIO:
            where = f"{limit.key} = {limit.value:g} ({units}, {allowed}; {limit.hint})"
        else:
            where = f"{limit.key} capped at {limit.value:g} ({units}; {limit.hint})"
        raise RunBudgetError(
            f"{self.who}: stopped at day {model.day:.1f}: {reached} {where}",
            limit.key,
            value,
            limit.value,
        )
