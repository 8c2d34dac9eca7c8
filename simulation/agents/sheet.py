"""CellSheet: one cell type's per-cell state in NumPy arrays, indexed by each cell's slot.

A type whose cells take their turn in vectorised or compiled code keeps their state here rather
than in each agent's attributes; the agents remain Mesa agents and read their slot through
properties. Slots are handed out in order and never reused, so a dead cell's last state stays
readable.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import restore_attributes


class CellSheet:
    """Arrays of per-cell state, grown by doubling.

    Subclasses list their :attr:`COLUMNS`: name -> (dtype, value of a new slot, columns per
    slot: 0 for a scalar, k for a row of k). Every sheet has the voxel columns ``x`` and ``y``.
    :attr:`views` holds a memoryview of each 1-D column for one cell's scalar reads and writes.
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {}

    def __init__(self, capacity: int = 256) -> None:
        self.n = 0
        self._allocate(capacity)

    def _columns(self) -> dict[str, tuple[Any, float, int]]:
        return {"x": (np.intp, 0, 0), "y": (np.intp, 0, 0), **self.COLUMNS}

    def _allocate(self, capacity: int) -> None:
        for name, (dtype, fill, width) in self._columns().items():
            new = np.full((capacity, width) if width else capacity, fill, dtype=dtype)
            old = getattr(self, name, None)
            if old is not None:
                new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._make_views()

    def _make_views(self) -> None:
        self.views = {
            name: memoryview(getattr(self, name))
            for name, (_, _, width) in self._columns().items()
            if not width
        }

    def add(self, xy: tuple[int, int]) -> int:
        """A slot for a new cell in voxel ``xy`` (every other column at its new-slot value)."""
        if self.n == len(self.x):
            self._allocate(2 * len(self.x))
        slot = self.n
        self.n += 1
        self.x[slot], self.y[slot] = xy
        return slot

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["views"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_attributes(self, state)
        self._make_views()
