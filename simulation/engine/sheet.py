"""CellSheet: one cell type's per-cell state in NumPy arrays, indexed by each cell's slot.

Every cell type keeps the state its compiled turn reads and updates here rather than in each
agent's attributes; the agents remain Mesa agents and read their slot through
:class:`Column` properties. Slots are handed out in order and never reused, so a dead cell's last
state stays readable; :meth:`CellSheet.live_slots` lists the living ones in the order they were
born (the order Mesa's AgentSet keeps).

Columns every sheet has:

- ``x``, ``y``: the cell's voxel;
- ``alive``: 1 while the cell is in the model;
- ``fate``: what happened to the cell in its last turn, as bit flags (:data:`DIED`,
  :data:`MOVED`, :data:`DIVIDED`), which :func:`simulation.engine.turn.play_turn` turns into
  Mesa bookkeeping after the kernel has run;
- ``daughter_x``, ``daughter_y``: where a cell that divided put its daughter;
- ``serial``: the cell's number among every cell of its type ever added (0, 1, 2, ...), which
  keys its random numbers (:mod:`simulation.engine.streams`); unlike a slot it is the same in
  two runs whose cells of this type were born alike;
- ``params``: the cell's parameter group as a row of floats, one column per name in
  :attr:`CellSheet.PARAMS` (a sandbox test may give one cell other parameters).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

#: Bit flags of ``fate``: the cell died, moved to another voxel, or divided this turn.
DIED, MOVED, DIVIDED = 1, 2, 4


def restore_attributes(obj: object, state: dict[str, Any]) -> None:
    """Unpickle ``state`` into ``obj`` one ``setattr`` at a time, in the pickled order.

    Pickle's default, ``obj.__dict__.update(state)``, turns the instance's compact attribute
    storage into a plain dict, and every attribute read on it becomes slower.
    """
    for name, value in state.items():
        setattr(obj, name, value)


class CellSheet:
    """Arrays of per-cell state, grown by doubling.

    Subclasses list their :attr:`COLUMNS`: name -> (dtype, value of a new slot, columns per
    slot: 0 for a scalar, k for a row of k), and the parameter names of their group in
    :attr:`PARAMS`. :attr:`agents` maps a slot to its Mesa agent (None once it has left).
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {}
    PARAMS: ClassVar[tuple[str, ...]] = ()

    if TYPE_CHECKING:  # the columns are attributes made at run time from COLUMNS

        def __getattr__(self, name: str) -> np.ndarray: ...

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self.live = 0
        self.agents: list[Any] = []
        self._allocate(capacity)

    def _columns(self) -> dict[str, tuple[Any, float, int]]:
        return {
            "x": (np.intp, 0, 0),
            "y": (np.intp, 0, 0),
            "alive": (np.int8, 0, 0),
            "fate": (np.int8, 0, 0),
            "daughter_x": (np.intp, 0, 0),
            "daughter_y": (np.intp, 0, 0),
            "serial": (np.uint64, 0, 0),
            "params": (np.float64, 0.0, max(1, len(self.PARAMS))),
            **self.COLUMNS,
        }

    def _allocate(self, capacity: int) -> None:
        for name, (dtype, fill, width) in self._columns().items():
            new = np.full((capacity, width) if width else capacity, fill, dtype=dtype)
            old = getattr(self, name, None)
            if old is not None:
                new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_attributes(self, state)  # keeps the compact attribute layout

    def add(self, xy: tuple[int, int], agent: Any = None) -> int:
        """A slot for a new cell in voxel ``xy`` (every other column at its new-slot value)."""
        if self.n == len(self.x):
            self._allocate(2 * len(self.x))
        slot = self.n
        self.n += 1
        self.x[slot], self.y[slot] = xy
        self.serial[slot] = slot
        self.alive[slot] = 1
        self.agents.append(agent)
        self.live += 1
        return slot

    def copy_row(self, source: int, target: int) -> None:
        """Give the cell in slot ``target`` the state and parameters of the one in ``source``
        (a daughter), except its voxel, life and fate."""
        for name in self._columns():
            if name not in ("x", "y", "alive", "fate", "daughter_x", "daughter_y", "serial"):
                getattr(self, name)[target] = getattr(self, name)[source]

    def release(self, slot: int) -> None:
        """The cell in ``slot`` has left the model."""
        self.alive[slot] = 0
        self.agents[slot] = None
        self.live -= 1

    def live_slots(self) -> np.ndarray:
        """The slots of the living cells, oldest first."""
        return np.flatnonzero(self.alive[: self.n])

    def set_params(self, slot: int, group: Any) -> None:
        """Row ``slot`` of :attr:`params` from the parameter group ``group`` (groups are frozen,
        so each one's row is worked out once)."""
        rows = self.__dict__.setdefault("_rows", {})
        entry = rows.get(id(group))
        if entry is None or entry[0] is not group:
            row = np.array([float(getattr(group, name)) for name in self.PARAMS] or [0.0])
            entry = rows[id(group)] = (group, row)
        self.params[slot] = entry[1]


class Column:
    """A cell attribute that lives in its type's sheet, at the cell's slot.

    ``Column("load")`` on an agent class reads and writes ``model.sheet_of(type)[...]`` at the
    agent's ``slot``; ``cast`` turns the stored number into what the attribute means (a bool, an
    Enum member).
    """

    def __init__(self, name: str, doc: str = "", cast: Any = None, store: Any = None) -> None:
        self.name = name
        self.cast = cast
        self.store = store
        self.__doc__ = doc

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj._sheet, self.name)[obj.slot]
        return self.cast(value) if self.cast is not None else value.item()

    def __set__(self, obj: Any, value: Any) -> None:
        getattr(obj._sheet, self.name)[obj.slot] = (
            self.store(value) if self.store is not None else value
        )
