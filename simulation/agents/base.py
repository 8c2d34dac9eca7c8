"""TissueCell: what every cell agent can do on the field grid.

Cells read fields where they stand (:meth:`TissueCell.sense`), compare neighbours
(:meth:`TissueCell.steepest`), and change fields only through the model's buffered
:meth:`secrete`/:meth:`take_up`, applied once per tick. Stochastic events use rates, never
per-tick probabilities: :meth:`rolls` fires with ``1 - exp(-rate * dt)``; a cell type whose
rates are constants keeps those per-tick chances (:func:`tick_chance`) from its parameter group.

Hot paths read and write the fields through memoryviews of the model's arrays (the same memory,
the same float64 arithmetic, about half the cost of indexing a NumPy array with a tuple).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from mesa.discrete_space import CellAgent

from simulation.engine.mesa_compat import move_agent
from simulation.engine.sheet import CellSheet
from simulation.engine.sheet import restore_attributes as restore_attributes
from simulation.engine.turn import play_turn
from simulation.fields.kernels import steepest_neighbour

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


def tick_chance(rate_per_h: float, dt_h: float) -> float:
    """The probability that an event of ``rate_per_h`` happens within one tick of ``dt_h``.

    The same expression as :meth:`TissueCell.rolls`, so a chance worked out once per parameter
    group draws exactly the same events.
    """
    return -math.expm1(-rate_per_h * dt_h)


class PlainParams:
    """The fields of a frozen parameter group as plain attributes: the same values, read in a
    fraction of the time a pydantic model's attribute takes (a cell reads dozens each tick).

    Each group gets its own subclass with ``__slots__`` for its fields (the fastest attribute
    reads Python has); a copy pickles as the group it came from.
    """

    __slots__ = ("_params",)

    def __new__(cls, params: Any) -> PlainParams:
        obj = object.__new__(_slotted(tuple(params.__dict__)))
        obj._params = params
        for name, value in params.__dict__.items():
            setattr(obj, name, value)
        return obj

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return PlainParams, (self._params,)


@functools.cache
def _slotted(names: tuple[str, ...]) -> type[PlainParams]:
    """The PlainParams subclass with a slot for each of ``names``."""
    return type("PlainParams", (PlainParams,), {"__slots__": names})


class TissueCell(CellAgent):
    """A cell agent on the tissue grid.

    Attributes:
        p: the parameter group of this cell type (shared, never copied).
        xy: the current voxel ``(x, y)``.
        ev_signal: extracellular vesicles this cell has taken up, fading over time (au).
        ngf_signal: the part of ``ev_signal`` that carried the NGF gene (au).
    """

    model: NerveRepairModel
    ev_signal: float = 0.0
    ngf_signal: float = 0.0
    #: ``step_all(model, order)``: a type that steps its cells itself, given weak references
    #: in the shuffled order (None: the model calls each cell's ``step``).
    step_all: ClassVar[Callable[[NerveRepairModel, Sequence[Any]], None] | None] = None
    #: The compiled turn of a :class:`CompiledCell` type (None: the cells step in Python).
    KERNEL: ClassVar[Any] = None

    def __init__(self, model: NerveRepairModel, xy: tuple[int, int], params: Any) -> None:
        super().__init__(model)
        # Hot-path references (measured: Mesa's ``random`` property and field-name lookups
        # were a quarter of agent time).
        self._uniform = model.random.random
        self._dt = model.dt_h
        self.bind_views(model)
        # Instance attributes from the start (a class-level default is a slower read).
        self.ev_signal = 0.0
        self.ngf_signal = 0.0
        self.p = params
        self.tune()
        self.xy = xy
        self.cell = model.voxel_cells[xy]
        self._occupancy = model.occupancy_of(type(self))
        self._crowd = model.occupancy_view_of(type(self))
        self._crowd[xy] += 1

    def bind_views(self, model: NerveRepairModel) -> None:
        """Take the model's memoryviews of the fields and their source and uptake buffers."""
        self._fields = model.field_views
        self._sources = model.source_views
        self._sinks = model.sink_views

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without memoryviews (they cannot be pickled): unpickling remakes the occupancy
        view here; the model, once restored, calls :meth:`bind_views`."""
        state = self.__dict__.copy()
        for name in ("_crowd", "_fields", "_sources", "_sinks"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_attributes(self, state)
        self._crowd = memoryview(self._occupancy)

    def tune(self) -> None:
        """Take ``self.p`` as :class:`PlainParams` (``self._p``, what hot paths read) and work
        out the per-tick chances of its constant rates (none here).

        Cell types call it again from ``step`` when ``p`` was replaced.
        """
        self._tuned_p = self.p
        self._p = self.model.plain_params(self.p)

    # ------------------------------------------------------------------ sensing
    def sense(self, field: str) -> float:
        """The value of ``field`` in this cell's voxel."""
        return self._fields[field][self.xy]

    def steepest(self, field: str, up: bool = True, max_here: int = 1_000_000) -> tuple[int, int]:
        """The Moore neighbour with the highest (or lowest) ``field`` that has room.

        Ties and flat fields resolve at random; returns the current voxel when no neighbour
        improves on it. ``max_here`` skips neighbours already holding that many of this type.
        """
        x, y = self.xy
        return steepest_neighbour(
            self.model.field_arrays[field],  # NumPy arrays: numba's fast dispatch path
            self._occupancy,
            x,
            y,
            1.0 if up else -1.0,
            max_here,
            int(self._uniform() * 8.0),
        )

    # ------------------------------------------------------------------ acting
    def secrete(self, field: str, rate_per_h: float) -> None:
        """Release ``rate_per_h`` of ``field`` into this voxel over the current tick."""
        if rate_per_h > 0.0:
            self._sources[field][self.xy] += rate_per_h * self._dt

    def take_up(self, field: str, rate_per_h: float) -> float:
        """Remove ``field`` from this voxel at first-order ``rate_per_h``; return the dose."""
        if rate_per_h <= 0.0:
            return 0.0
        self._sinks[field][self.xy] += rate_per_h
        return self._fields[field][self.xy] * -math.expm1(-rate_per_h * self._dt)

    def absorb_vesicles(self, rate_per_h: float) -> None:
        """Take up vesicles (plain and NGF-cargo) here; older signal fades."""
        model = self.model
        active = model.ev_active
        ev = self.ev_signal
        ngf = self.ngf_signal
        if ev == 0.0 and ngf == 0.0 and not active:
            return
        ev *= model.ev_keep
        ngf *= model.ngf_keep
        if active and rate_per_h > 0.0:
            # take_up("ev", rate_per_h) and take_up("ev_ngf", rate_per_h), inlined
            xy = self.xy
            fields = self._fields
            sinks = self._sinks
            share = -math.expm1(-rate_per_h * self._dt)
            sinks["ev"][xy] += rate_per_h
            sinks["ev_ngf"][xy] += rate_per_h
            cargo = fields["ev_ngf"][xy] * share
            ev += fields["ev"][xy] * share + cargo
            ngf += cargo
        if ev < 1e-9 and ngf < 1e-9:
            ev = ngf = 0.0
        self.ev_signal = ev
        self.ngf_signal = ngf

    def make_ngf(self) -> None:
        """Secrete NGF from the gene delivered by NGF-cargo vesicles (if that mechanism is on)."""
        ngf = self.ngf_signal
        if ngf > 0.0 and self.model.mechanisms.ev_ngf_cargo:
            rate = self.model.ev_params.ngf_trophic_per_au_h * ngf
            if rate > 0.0:  # secrete("trophic", rate), inlined
                self._sources["trophic"][self.xy] += rate * self._dt

    def rolls(self, rate_per_h: float) -> bool:
        """True with the probability that an event of this rate happens within one tick."""
        return self._uniform() < -math.expm1(-rate_per_h * self._dt)

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Step to voxel ``xy``."""
        if xy != self.xy:
            crowd = self._crowd
            crowd[self.xy] -= 1
            crowd[xy] += 1
            self.xy = xy
            self.enter(self.model.voxel_cells[xy])

    def enter(self, cell: Any) -> None:
        """Leave the current grid cell for ``cell`` (Mesa's bookkeeping, kept true)."""
        move_agent(self, cell, self.model.empty_view)

    def die(self) -> None:
        """Leave the model (and the grid)."""
        self._crowd[self.xy] -= 1
        self.remove()

    def crowding(self, xy: tuple[int, int] | None = None) -> int:
        """How many cells of this type stand in voxel ``xy`` (default: this one)."""
        return self._crowd[self.xy if xy is None else xy]

    def emptiest_neighbour(self) -> tuple[int, int]:
        """A neighbouring voxel holding the fewest cells of this type (ties at random)."""
        nbrs = self.model.neighbours[self.xy]
        start = self.random.randrange(len(nbrs))
        crowd = self._crowd
        best = nbrs[start]
        best_n = crowd[best]
        for k in range(1, len(nbrs)):
            nxy = nbrs[(start + k) % len(nbrs)]
            n = crowd[nxy]
            if n < best_n:
                best, best_n = nxy, n
        return best


class CompiledCell(TissueCell):
    """A cell whose rules run in its type's compiled turn.

    Its state lives in the model's sheet for its type (:attr:`SHEET`, one row per slot); the
    agent is the Mesa identity of that row (position on the grid, membership of the model's
    AgentSets) and reads its state through :class:`~simulation.engine.sheet.Column`
    properties. :meth:`step` plays the type's turn for this one cell, so a sandbox test that
    places a cell by hand and steps it runs the very rules a whole tissue runs.

    Subclasses give ``SHEET``, ``DRAWS``, ``KERNEL`` and ``kernel_args`` (see
    :mod:`simulation.engine.turn`).
    """

    SHEET: ClassVar[type[CellSheet]]
    DRAWS: ClassVar[int] = 1

    def __init__(
        self, model: NerveRepairModel, xy: tuple[int, int], params: Any, counted: bool = False
    ) -> None:
        CellAgent.__init__(self, model)
        self._sheet = model.sheet_of(type(self))
        self.slot = self._sheet.add(xy, self)
        self.p = params
        self.cell = model.voxel_cells[xy]
        if not counted:  # a daughter was counted in the kernel that made her
            model.occupancy_of(type(self))[xy] += 1

    @staticmethod
    def kernel_args(model: NerveRepairModel, sheet: Any) -> tuple[Any, ...]:
        """What the type's kernel reads besides the order and the uniforms."""
        raise NotImplementedError

    @classmethod
    def take_turn(cls, model: NerveRepairModel) -> None:
        """Every cell of this type acts, in shuffled order (:func:`play_turn`)."""
        play_turn(model, cls)

    def step(self) -> None:
        """This one cell's turn (the type's compiled rules, for this cell only)."""
        play_turn(self.model, type(self), only=np.array([self.slot]))

    @property
    def xy(self) -> tuple[int, int]:
        """The current voxel ``(x, y)``."""
        sheet = self._sheet
        return int(sheet.x[self.slot]), int(sheet.y[self.slot])

    @property
    def p(self) -> Any:
        """The parameter group (setting it rewrites the cell's row of parameters)."""
        return self._group

    @p.setter
    def p(self, group: Any) -> None:
        self._group = group
        self._sheet.set_params(self.slot, group)

    def bind_views(self, model: NerveRepairModel) -> None:
        """Nothing to bind: a compiled cell reads the fields only in its kernel."""

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_attributes(self, state)

    def leave(self) -> None:
        """Leave the model and the grid (its occupancy was already counted down)."""
        self._sheet.release(self.slot)
        self.remove()

    def die(self) -> None:
        """Die outside the cell's own turn (eaten, or its neuron died)."""
        self.model.occupancy_of(type(self))[self.xy] -= 1
        self.leave()

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Put the cell in voxel ``xy`` by hand (tests, teaching)."""
        if xy != self.xy:
            occ = self.model.occupancy_of(type(self))
            occ[self.xy] -= 1
            occ[xy] += 1
            self._sheet.x[self.slot], self._sheet.y[self.slot] = xy
            self.enter(self.model.voxel_cells[xy])
