"""Named chemical fields on the model grid: diffusion, decay, secretion and uptake.

A :class:`FieldSet` keeps every field as one slice of a C-contiguous stack ``values[f, x, y]``;
each slice is also a Mesa :class:`~mesa.discrete_space.PropertyLayer`, so an agent reads
``cell.trophic`` and the kernels advance all fields in one call per sweep. Agents never write a
field directly during a tick: they call :meth:`FieldSet.secrete` and :meth:`FieldSet.take_up`,
which fill buffers that :meth:`FieldSet.apply_sources` applies once, so the order in which agents
act cannot bias the fields.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
from mesa.discrete_space import PropertyLayer
from scipy import ndimage

from simulation.fields import kernels

EDGES = ("x_min", "x_max", "y_min", "y_max")

#: Grids with at least this many voxels per field use the threaded kernels by default: below
#: it, waking the threads costs more than they save, and a process that runs several models side
#: by side (sweeps) keeps its small grids on one thread. `python -m benchmarks fields` measures
#: both drivers.
PARALLEL_MIN_VOXELS = 256 * 256

#: The explicit kernel is stable for r = D dt / dx² <= 1/4 in 2-D; keep a margin.
EXPLICIT_MAX_RATIO = 0.2

#: Every array a FieldSet hands to the kernels starts on a cache line, so their 64-byte vector
#: loads and stores do not straddle two lines (numpy's own large arrays start 16 bytes past
#: one), and a load that straddles two lines costs two.
ALIGN_BYTES = 64


def aligned_zeros(shape: tuple[int, ...]) -> np.ndarray:
    """A C-contiguous float64 array of zeros whose data starts on an ``ALIGN_BYTES`` boundary.

    The zeros are written, not left to ``calloc``: pages never written all map to the kernel's
    one shared zero page, and a buffer that is mostly read and seldom written (the uptake-rate
    buffer) is then scanned through that page's mapping, which is slower than real memory.
    """
    n = math.prod(shape)
    buf = np.empty(n + ALIGN_BYTES // 8)
    buf.fill(0.0)
    skip = (-buf.ctypes.data % ALIGN_BYTES) // 8
    return buf[skip : skip + n].reshape(shape)


def _check_range(name: str, value: float, units: str, lo: float, hi: float = math.inf) -> None:
    """Raise the project's one-line range error unless ``lo <= value <= hi`` and finite."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{name}: {value!r} is not a number ({units}, allowed [{lo}, {hi}])")
    if not math.isfinite(value) or value < lo or value > hi:
        raise ValueError(f"{name}: {value} {units} is outside [{lo}, {hi}]")


@dataclass(frozen=True)
class FieldSpec:
    """How one chemical field behaves.

    Attributes:
        name: Identifier, also the attribute agents read on their cell (``cell.trophic``).
        diffusion_um2_per_h: Diffusion coefficient D (0 for fields that do not spread).
        decay_per_h: First-order decay (clearance) rate k.
        fixed_edges: Edges held at a fixed value, e.g. ``{"x_min": 1.0}`` for a supply at a stump;
            the value holds in a ghost voxel just outside the edge. Every other edge is no-flux.
        initial: Value every voxel starts with.
        laid_in_blocks: What cells write to it (sources and sinks) covers their territory as
            a whole block of voxels (:func:`territory_side`, blocks tiling the grid), not a
            centred smear: for matter that does not mix, such as scar (which keeps the gaps
            between cells) and debris (a cell eats the patch it covers, and a half-covered
            voxel would otherwise be eaten whole at half the rate).
    """

    name: str
    diffusion_um2_per_h: float = 0.0
    decay_per_h: float = 0.0
    fixed_edges: Mapping[str, float] = field(default_factory=dict)
    initial: float = 0.0
    laid_in_blocks: bool = False

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"field name: {self.name!r} is not a Python identifier")
        _check_range(f"{self.name}.diffusion_um2_per_h", self.diffusion_um2_per_h, "µm²/h", 0.0)
        _check_range(f"{self.name}.decay_per_h", self.decay_per_h, "1/h", 0.0)
        _check_range(f"{self.name}.initial", self.initial, "(concentration)", 0.0)
        for edge, value in self.fixed_edges.items():
            if edge not in EDGES:
                raise ValueError(
                    f"{self.name}.fixed_edges: unknown edge {edge!r} (allowed {', '.join(EDGES)})"
                )
            _check_range(f"{self.name}.fixed_edges.{edge}", value, "(concentration)", 0.0)


class FieldLayer(PropertyLayer):
    """A Mesa PropertyLayer whose data is a view into the FieldSet's stack (no copy)."""

    def __init__(self, name: str, view: np.ndarray) -> None:
        self.name = name
        self.dimensions = view.shape
        self._mesa_data = view

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the data: it is the FieldSet's to store, and to re-link on unpickling."""
        state = self.__dict__.copy()
        state.pop("_mesa_data", None)
        return state


@dataclass(frozen=True)
class _TickFactors:
    """Everything one implicit tick passes to the kernel, for one ``dt`` (see ``lod_tick_*``)."""

    inv_x: np.ndarray
    w_x: np.ndarray
    inv_y: np.ndarray
    w_y: np.ndarray
    coef: np.ndarray


@functools.lru_cache(maxsize=8)  # one array per voxel size, shared: never write to it
def territory_overlap(cell_scale: float) -> np.ndarray:
    """How much of each voxel, along one axis, a cell's territory covers (centred on the cell).

    A territory ``cell_scale`` voxels in area is a square ``w = sqrt(cell_scale)`` voxels wide
    centred on the cell's voxel: ``[w]`` when it fits in one voxel (``w <= 1``), else the
    overlap of the square with each voxel (the shares sum to ``w``).
    """
    w = math.sqrt(cell_scale)
    if w <= 1.0:
        return np.array([w])
    reach = math.ceil((w - 1.0) / 2.0)
    offsets = np.arange(-reach, reach + 1, dtype=float)
    lo = np.maximum(offsets - 0.5, -w / 2.0)
    hi = np.minimum(offsets + 0.5, w / 2.0)
    return np.clip(hi - lo, 0.0, None)


def territory_side(cell_scale: float) -> int:
    """The side, in voxels, of the block of whole voxels that stands for a territory
    ``cell_scale`` voxels in area (at least one voxel): what a cell laying a structural matrix
    or eating debris covers (:func:`spread_over_blocks`)."""
    return max(1, round(math.sqrt(cell_scale)))


@functools.lru_cache(maxsize=8)  # as territory_overlap
def territory_weights(cell_scale: float) -> np.ndarray:
    """Weights (summing to 1) that spread a cell's writes along one axis over its territory:
    :func:`territory_overlap`, normalised (the one voxel when the territory fits in it).
    Convolved with ``mode="reflect"`` (the symmetric kernel folds back at the edges) the total
    is conserved.
    """
    overlap = territory_overlap(cell_scale)
    return overlap / overlap.sum()


def spread_over_blocks(values: np.ndarray, side: int) -> np.ndarray:
    """What cells wrote per voxel, gathered into the ``side`` x ``side`` blocks that tile the
    grid from its origin and shared evenly over each block's voxels (a block cut at a far edge
    shares over the voxels it has, so the total is conserved). Unchanged when ``side`` is 1."""
    if side == 1 or not values.any():
        return values
    w, h = values.shape
    starts_x = np.arange(0, w, side)
    starts_y = np.arange(0, h, side)
    sums = np.add.reduceat(np.add.reduceat(values, starts_x, axis=0), starts_y, axis=1)
    nx = np.diff(np.append(starts_x, w))
    ny = np.diff(np.append(starts_y, h))
    share = sums / np.outer(nx, ny)
    return np.repeat(np.repeat(share, nx, axis=0), ny, axis=1)


def spread_over_territory(values: np.ndarray, cell_scale: float) -> np.ndarray:
    """What cells wrote per voxel (each over its territory), as a density per voxel: spread
    over the territory (:func:`territory_weights`) and scaled by ``cell_scale``. Unchanged
    (the same array) when the territory is one voxel."""
    if cell_scale == 1.0:
        return values
    out = values * cell_scale
    if cell_scale > 1.0 and out.any():
        weights = territory_weights(cell_scale)
        for axis in (0, 1):
            out = ndimage.convolve1d(out, weights, axis=axis, mode="reflect")
    return out


class FieldSet:
    """The model's chemical fields on a ``(width, height)`` grid of ``dx_um`` voxels.

    Args:
        shape: Grid size ``(width, height)`` in voxels, Mesa's ``(x, y)`` order.
        dx_um: Voxel edge length in µm (shared by both axes).
        specs: One :class:`FieldSpec` per field.
        dt_h: The model tick in hours; :meth:`diffuse` may be given another.
        grid: A Mesa grid to register the layers on, so agents can read ``cell.<field>``.
        method: ``"implicit"`` (LOD, any ratio) or ``"explicit"`` (forward Euler, sub-stepped
            so that ``D dt / dx² <= 0.2``).
        parallel: Use the threaded kernels; ``None`` chooses by grid size.
        cell_scale: A cell's territory over the voxel area (see below); 1 when they are equal.

    **What a cell adds or takes is independent of the voxel size.** A cell secretes into, and
    takes up from, its *territory*, a fixed area of tissue (``CELL_TERRITORY_UM2`` in
    :mod:`simulation.scenario.schema`); cells write to the buffers in those terms
    (:attr:`source_views`, :attr:`sink_views`, :meth:`secrete`, :meth:`take_up`), and
    :meth:`apply_sources` scales what they wrote by ``cell_scale`` = territory / voxel area,
    which conserves the amount. Where a territory spans more than one voxel (``cell_scale``
    > 1), what the cells wrote is first spread over it (:func:`territory_weights`), so a cell
    in voxels a quarter the size adds the same amount over the same patch of tissue. Tissue-wide
    sources and sinks given as concentrations (:meth:`add_uniform_source`,
    :meth:`add_source_array`, :meth:`add_uniform_sink`) are neither scaled nor spread.
    """

    def __init__(
        self,
        shape: tuple[int, int],
        dx_um: float,
        specs: Iterable[FieldSpec],
        dt_h: float = 1.0,
        grid: Any | None = None,
        method: str = "implicit",
        parallel: bool | None = None,
        cell_scale: float = 1.0,
    ) -> None:
        specs = tuple(specs)
        if len(shape) != 2 or any(int(n) != n or n < 1 for n in shape):
            raise ValueError(f"shape: {shape!r} voxels must be two whole numbers >= 1")
        _check_range("dx_um", dx_um, "µm", 1e-9)
        _check_range("dt_h", dt_h, "h", 1e-9)
        if method not in ("implicit", "explicit"):
            raise ValueError(f"method: {method!r} is not 'implicit' or 'explicit'")
        names = [s.name for s in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"specs: duplicate field names in {names}")
        self.shape = (int(shape[0]), int(shape[1]))
        self.dx_um = float(dx_um)
        self.dt_h = float(dt_h)
        _check_range("cell_scale", cell_scale, "1", 1e-9)
        self.cell_scale = float(cell_scale)
        #: Tissue-wide buffers, kept apart from the cells' while those are spread.
        self._tissue_source: np.ndarray | None = None
        self._tissue_sink: np.ndarray | None = None
        self.method = method
        self.specs = {s.name: s for s in specs}
        self.index = {name: k for k, name in enumerate(names)}
        nf = len(specs)
        stack = (nf, *self.shape)
        self.values = aligned_zeros(stack)
        for k, s in enumerate(specs):
            self.values[k] = s.initial
        self._source = aligned_zeros(stack)
        self._sink_rate = aligned_zeros(stack)
        self._explicit_out = aligned_zeros(stack) if method == "explicit" else None
        self.layers = {s.name: FieldLayer(s.name, self.values[k]) for k, s in enumerate(specs)}
        #: Per-field views of the secretion and uptake-rate buffers, for agents' hot paths:
        #: ``source_views[name][x, y] += amount`` is :meth:`secrete` without the checks.
        self.source_views = {s.name: self._source[k] for k, s in enumerate(specs)}
        self.sink_views = {s.name: self._sink_rate[k] for k, s in enumerate(specs)}
        if grid is not None:
            if tuple(grid.dimensions) != self.shape:
                raise ValueError(
                    f"grid: dimensions {tuple(grid.dimensions)} do not match shape {self.shape}"
                )
            for layer in self.layers.values():
                grid.add_property_layer(layer)
        if parallel is None:
            parallel = self.shape[0] * self.shape[1] >= PARALLEL_MIN_VOXELS
        self.parallel = bool(parallel)
        self._factors: dict[float, _TickFactors] = {}
        self._gain: dict[float, np.ndarray] = {}

    # ---------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        """Pickle the stacks once; the layers and buffer views are views into them."""
        state = self.__dict__.copy()
        for name in ("source_views", "sink_views"):
            state.pop(name)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore into aligned stacks and make the layers and buffer views point into them
        again (unpickled separately, a view would be a copy and the model would read stale
        data)."""
        for name in ("values", "_source", "_sink_rate", "_explicit_out"):
            if state.get(name) is not None:
                aligned = aligned_zeros(state[name].shape)
                aligned[...] = state[name]
                state[name] = aligned
        for name, value in state.items():  # setattr keeps attribute reads fast (py3.11)
            setattr(self, name, value)
        for name, k in self.index.items():
            self.layers[name]._mesa_data = self.values[k]
        self.source_views = {name: self._source[k] for name, k in self.index.items()}
        self.sink_views = {name: self._sink_rate[k] for name, k in self.index.items()}

    # ---------------------------------------------------------------- access
    @property
    def names(self) -> tuple[str, ...]:
        """Field names in stack order."""
        return tuple(self.specs)

    def __getitem__(self, name: str) -> np.ndarray:
        """The live array of field ``name`` (a view: writing to it changes the field)."""
        return self.values[self._field_index(name)]

    def __contains__(self, name: object) -> bool:
        return name in self.index

    def _field_index(self, name: str) -> int:
        try:
            return self.index[name]
        except KeyError:
            raise ValueError(
                f"field: unknown field {name!r} (known: {', '.join(self.index)})"
            ) from None

    def total(self, name: str) -> float:
        """Amount of field ``name`` on the grid: the sum of concentration times voxel area."""
        return float(self[name].sum()) * self.dx_um**2

    def ratio(self, name: str, dt_h: float | None = None) -> float:
        """The dimensionless diffusion number ``D dt / dx²`` of field ``name``."""
        dt = self.dt_h if dt_h is None else dt_h
        return self.specs[name].diffusion_um2_per_h * dt / self.dx_um**2

    # ---------------------------------------------------------------- sources
    def secrete(self, name: str, coord: tuple[int, int], amount: float) -> None:
        """Buffer ``amount`` (concentration units over a cell's territory, over this tick) into
        voxel ``coord``."""
        if amount < 0.0:
            raise ValueError(f"{name}: secreted amount {amount} must be >= 0 (use take_up)")
        self._source[self._field_index(name)][coord] += amount

    def take_up(self, name: str, coord: tuple[int, int], rate_per_h: float) -> float:
        """Buffer first-order uptake at ``rate_per_h`` (over a cell's territory) from voxel
        ``coord``; return the dose.

        The dose is what this agent alone would remove this tick from the value it sees,
        ``u (1 - exp(-rate dt))``; when several agents share a voxel the applied uptake is the
        exponential of their summed rates, so the field never goes below zero.
        """
        if rate_per_h < 0.0:
            raise ValueError(f"{name}: uptake rate {rate_per_h} 1/h must be >= 0")
        k = self._field_index(name)
        self._sink_rate[k][coord] += rate_per_h
        return float(self.values[k][coord]) * -math.expm1(-rate_per_h * self.dt_h)

    def add_uniform_source(self, name: str, amount: float, mask: np.ndarray | None = None) -> None:
        """Buffer ``amount`` (a concentration) into every voxel (or those where ``mask`` is
        true)."""
        if amount < 0.0:
            raise ValueError(f"{name}: source amount {amount} must be >= 0")
        buf = self._tissue_buffers()[0][self._field_index(name)]
        if mask is None:
            buf += amount
        else:
            buf[mask] += amount

    def add_source_array(self, name: str, amounts: np.ndarray) -> None:
        """Buffer a whole array of non-negative concentrations (one per voxel) for this tick."""
        buf = self._tissue_buffers()[0][self._field_index(name)]
        if amounts.shape != buf.shape:
            raise ValueError(f"{name}: source shape {amounts.shape} does not match {buf.shape}")
        buf += amounts

    def add_uniform_sink(self, name: str, rate_per_h: float, mask: np.ndarray) -> None:
        """Buffer first-order loss at ``rate_per_h`` in the voxels where ``mask`` is true (a
        tissue-wide process, such as an enzyme, not one cell's uptake)."""
        if rate_per_h < 0.0:
            raise ValueError(f"{name}: sink rate {rate_per_h} 1/h must be >= 0")
        self._tissue_buffers()[1][self._field_index(name)][mask] += rate_per_h

    def _tissue_buffers(self) -> tuple[np.ndarray, np.ndarray]:
        """Where tissue-wide sources and sink rates go: the cells' buffers when a territory is
        one voxel (nothing is scaled or spread), else buffers of their own."""
        if self.cell_scale == 1.0:
            return self._source, self._sink_rate
        if self._tissue_source is None or self._tissue_sink is None:
            self._tissue_source = np.zeros_like(self._source)
            self._tissue_sink = np.zeros_like(self._sink_rate)
        return self._tissue_source, self._tissue_sink

    def apply_sources(self, dt_h: float | None = None) -> None:
        """Apply the tick's buffered secretion and uptake, then clear the buffers.

        Call it once per tick, just before :meth:`diffuse`: the secretion is weighted so that
        after that tick's decay exactly what a constant source over the tick leaves remains.
        """
        dt = self.dt_h if dt_h is None else dt_h
        if self.cell_scale != 1.0:  # cells wrote per territory (see the class docstring)
            self._spread_cells_writes()
        kernels.apply_sources(self.values, self._source, self._sink_rate, self._gains(dt), dt)

    def _spread_cells_writes(self) -> None:
        """Spread what the cells wrote over their territories, scale it by ``cell_scale`` and
        add the tissue-wide buffers (then empty those)."""
        for cells, tissue in (
            (self._source, self._tissue_source),
            (self._sink_rate, self._tissue_sink),
        ):
            for k, spec in enumerate(self.specs.values()):
                if spec.laid_in_blocks:
                    side = territory_side(self.cell_scale)
                    cells[k] = spread_over_blocks(cells[k], side) * self.cell_scale
                else:
                    cells[k] = spread_over_territory(cells[k], self.cell_scale)
            if tissue is not None:
                cells += tissue
                tissue[...] = 0.0

    def _gains(self, dt: float) -> np.ndarray:
        gain = self._gain.get(dt)
        if gain is None:
            kdt = np.array([s.decay_per_h * dt for s in self.specs.values()])
            safe = np.where(kdt > 0, kdt, 1.0)
            gain = np.where(kdt > 0, np.expm1(kdt) / safe, 1.0)
            self._gain[dt] = gain
        return gain

    # ---------------------------------------------------------------- diffusion
    def diffuse(self, dt_h: float | None = None) -> None:
        """Advance every field by one tick of diffusion and decay (one kernel call if implicit)."""
        if dt_h is None:
            dt = self.dt_h
        else:
            _check_range("dt_h", dt_h, "h", 1e-9)
            dt = float(dt_h)
        if self.method != "implicit":
            self._diffuse_explicit(dt)
            return
        f = self._factors.get(dt) or self._tick_factors(dt)
        if self.parallel:
            nt = numba.get_num_threads()
            kernels.lod_tick_parallel(self.values, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef, nt)
        else:
            kernels.lod_tick_serial(self.values, f.inv_x, f.w_x, f.inv_y, f.w_y, f.coef)

    def _diffuse_explicit(self, dt: float) -> None:
        ratios = np.array([self.ratio(n, dt) for n in self.specs])
        nsub = max(1, math.ceil(ratios.max(initial=0.0) / EXPLICIT_MAX_RATIO))
        sub = dt / nsub
        r = ratios / nsub
        q = np.exp(-np.array([s.decay_per_h for s in self.specs.values()]) * sub)
        fix, ghost = self._edge_arrays()
        step = kernels.explicit_step_parallel if self.parallel else kernels.explicit_step_serial
        out = self._explicit_out
        for _ in range(nsub):
            step(self.values, out, r, q, fix, ghost)
            self.values[...] = out

    def _edge_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        nf = len(self.specs)
        fix = np.zeros((nf, 4))
        ghost = np.zeros((nf, 4))
        for k, s in enumerate(self.specs.values()):
            for e, edge in enumerate(EDGES):
                if edge in s.fixed_edges:
                    fix[k, e] = 1.0
                    ghost[k, e] = s.fixed_edges[edge]
        return fix, ghost

    def _tick_factors(self, dt: float) -> _TickFactors:
        """Thomas factors of both axes and the per-field scalars at tick ``dt``, cached."""
        nf = len(self.specs)
        coef = np.zeros((nf, kernels.COEF_COLUMNS))
        inv = {}
        w = {}
        for axis, n in (("x", self.shape[0]), ("y", self.shape[1])):
            inv[axis] = np.empty((nf, n))
            w[axis] = np.empty((nf, n))
        edge_columns = (
            ("x", "x_min", "x_max", kernels.GX_LO, kernels.GX_HI),
            ("y", "y_min", "y_max", kernels.GY_LO, kernels.GY_HI),
        )
        for k, s in enumerate(self.specs.values()):
            r = s.diffusion_um2_per_h * dt / self.dx_um**2
            c = math.expm1(0.5 * s.decay_per_h * dt)
            coef[k, kernels.R] = r
            for axis, lo, hi, col_lo, col_hi in edge_columns:
                fixed_lo = 1.0 if lo in s.fixed_edges else 0.0
                fixed_hi = 1.0 if hi in s.fixed_edges else 0.0
                n = inv[axis].shape[1]
                kernels.thomas_factors(n, r, c, fixed_lo, fixed_hi, inv[axis][k], w[axis][k])
                coef[k, col_lo] = r * s.fixed_edges.get(lo, 0.0)
                coef[k, col_hi] = r * s.fixed_edges.get(hi, 0.0)
        factors = _TickFactors(inv["x"], w["x"], inv["y"], w["y"], coef)
        self._factors[dt] = factors
        return factors
