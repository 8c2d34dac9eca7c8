"""TissueCell: what every cell agent can do on the field grid.

Cells read fields where they stand (:meth:`TissueCell.sense`), compare neighbours
(:meth:`TissueCell.steepest`), and change fields only through the model's buffered
:meth:`secrete`/:meth:`take_up`, applied once per tick. Stochastic events use rates, never
per-tick probabilities: :meth:`rolls` fires with ``1 - exp(-rate * dt)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mesa.discrete_space import CellAgent

from simulation.fields.kernels import steepest_neighbour

if TYPE_CHECKING:
    from simulation.model import NerveRepairModel


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

    def __init__(self, model: NerveRepairModel, xy: tuple[int, int], params: Any) -> None:
        super().__init__(model)
        self.p = params
        self.xy = xy
        self.cell = model.grid[xy]
        self._occupancy = model.occupancy_of(type(self))
        self._occupancy[xy] += 1
        # Hot-path references (measured: Mesa's ``random`` property and field-name lookups
        # were a quarter of agent time).
        self._uniform = model.random.random
        self._dt = model.dt_h
        self._fields = model.field_arrays
        self._sources = model.fields.source_views
        self._sinks = model.fields.sink_views

    # ------------------------------------------------------------------ sensing
    def sense(self, field: str) -> float:
        """The value of ``field`` in this cell's voxel."""
        return self._fields[field].item(self.xy)

    def steepest(self, field: str, up: bool = True, max_here: int = 1_000_000) -> tuple[int, int]:
        """The Moore neighbour with the highest (or lowest) ``field`` that has room.

        Ties and flat fields resolve at random; returns the current voxel when no neighbour
        improves on it. ``max_here`` skips neighbours already holding that many of this type.
        """
        x, y = steepest_neighbour(
            self._fields[field],
            self._occupancy,
            self.xy[0],
            self.xy[1],
            1.0 if up else -1.0,
            max_here,
            int(self._uniform() * 8.0),
        )
        return (x, y)

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
        return self._fields[field].item(self.xy) * -math.expm1(-rate_per_h * self._dt)

    def absorb_vesicles(self, rate_per_h: float) -> None:
        """Take up vesicles (plain and NGF-cargo) here; older signal fades."""
        if self.ev_signal == 0.0 and self.ngf_signal == 0.0 and not self.model.ev_active:
            return
        self.ev_signal *= self.model.ev_keep
        self.ngf_signal *= self.model.ngf_keep
        if self.model.ev_active:
            plain = self.take_up("ev", rate_per_h)
            ngf = self.take_up("ev_ngf", rate_per_h)
            self.ev_signal += plain + ngf
            self.ngf_signal += ngf
        if self.ev_signal < 1e-9 and self.ngf_signal < 1e-9:
            self.ev_signal = self.ngf_signal = 0.0

    def make_ngf(self) -> None:
        """Secrete NGF from the gene delivered by NGF-cargo vesicles (if that mechanism is on)."""
        if self.ngf_signal > 0.0 and self.model.scenario.mechanisms.ev_ngf_cargo:
            self.secrete("trophic", self.model.scenario.ev.ngf_trophic_per_au_h * self.ngf_signal)

    def rolls(self, rate_per_h: float) -> bool:
        """True with the probability that an event of this rate happens within one tick."""
        return self._uniform() < -math.expm1(-rate_per_h * self._dt)

    def move_to_voxel(self, xy: tuple[int, int]) -> None:
        """Step to voxel ``xy``."""
        if xy != self.xy:
            self._occupancy[self.xy] -= 1
            self._occupancy[xy] += 1
            self.xy = xy
            self.cell = self.model.grid[xy]

    def die(self) -> None:
        """Leave the model (and the grid)."""
        self._occupancy[self.xy] -= 1
        self.remove()

    def crowding(self, xy: tuple[int, int] | None = None) -> int:
        """How many cells of this type stand in voxel ``xy`` (default: this one)."""
        return int(self._occupancy[self.xy if xy is None else xy])

    def emptiest_neighbour(self) -> tuple[int, int]:
        """A neighbouring voxel holding the fewest cells of this type (ties at random)."""
        nbrs = self.model.neighbours[self.xy]
        start = self.random.randrange(len(nbrs))
        best = nbrs[start]
        best_n = self._occupancy[best]
        for k in range(1, len(nbrs)):
            nxy = nbrs[(start + k) % len(nbrs)]
            n = self._occupancy[nxy]
            if n < best_n:
                best, best_n = nxy, n
        return best
