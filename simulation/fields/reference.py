"""Plain numpy/scipy twins of the field kernels, for tests and benchmarks only.

They are written for clarity, not speed, and the model never calls them. Each takes one 2-D field
``u[x, y]`` and returns a new array. Edges are cell-centred: a no-flux edge repeats the edge voxel
as its ghost; a fixed edge ``e`` in ``fixed`` uses the ghost value ``fixed[e]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def _padded(u: np.ndarray, fixed: Mapping[str, float]) -> np.ndarray:
    p = np.pad(u, 1, mode="edge")
    if "x_min" in fixed:
        p[0, 1:-1] = fixed["x_min"]
    if "x_max" in fixed:
        p[-1, 1:-1] = fixed["x_max"]
    if "y_min" in fixed:
        p[1:-1, 0] = fixed["y_min"]
    if "y_max" in fixed:
        p[1:-1, -1] = fixed["y_max"]
    return p


def explicit_step_numpy(
    u: np.ndarray, r: float, decay_factor: float = 1.0, fixed: Mapping[str, float] | None = None
) -> np.ndarray:
    """Forward Euler: ``decay_factor * (u + r * lap(u))`` with numpy slicing."""
    p = _padded(u, fixed or {})
    lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * u
    return decay_factor * (u + r * lap)


def explicit_step_ndimage(u: np.ndarray, r: float, decay_factor: float = 1.0) -> np.ndarray:
    """Forward Euler with ``scipy.ndimage.laplace`` (no-flux edges only)."""
    from scipy import ndimage

    return decay_factor * (u + r * ndimage.laplace(u, mode="nearest"))


def _banded(n: int, r: float, c: float, fixed_lo: bool, fixed_hi: bool) -> np.ndarray:
    ab = np.zeros((3, n))
    ab[0, 1:] = -r
    ab[2, :-1] = -r
    diag = np.full(n, 1.0 + c + 2.0 * r)
    diag[0] = 1.0 + c + r * (1.0 if n > 1 else 0.0) + (r if fixed_lo else 0.0)
    diag[-1] = 1.0 + c + r * (1.0 if n > 1 else 0.0) + (r if fixed_hi else 0.0)
    if n == 1:
        diag[0] = 1.0 + c + (r if fixed_lo else 0.0) + (r if fixed_hi else 0.0)
    ab[1] = diag
    return ab


def implicit_tick_banded(
    u: np.ndarray,
    r: float,
    decay_per_h: float = 0.0,
    dt_h: float = 1.0,
    fixed: Mapping[str, float] | None = None,
) -> np.ndarray:
    """One LOD tick (x sweep, then y sweep) solving each grid line with ``solve_banded``."""
    from scipy.linalg import solve_banded

    fixed = fixed or {}
    c = math.expm1(0.5 * decay_per_h * dt_h)
    out = np.array(u, dtype=float, copy=True)
    nx, ny = out.shape
    ab = _banded(nx, r, c, "x_min" in fixed, "x_max" in fixed)
    for j in range(ny):
        rhs = out[:, j].copy()
        rhs[0] += r * fixed.get("x_min", 0.0)
        rhs[-1] += r * fixed.get("x_max", 0.0)
        out[:, j] = solve_banded((1, 1), ab, rhs)
    ab = _banded(ny, r, c, "y_min" in fixed, "y_max" in fixed)
    for i in range(nx):
        rhs = out[i, :].copy()
        rhs[0] += r * fixed.get("y_min", 0.0)
        rhs[-1] += r * fixed.get("y_max", 0.0)
        out[i, :] = solve_banded((1, 1), ab, rhs)
    return out


def apply_sources_numpy(
    u: np.ndarray, source: np.ndarray, sink_rate: np.ndarray, gain: float, dt_h: float
) -> np.ndarray:
    """One field's buffered secretion and uptake, every voxel: ``max(u e^(-k dt) + g s, 0)``.

    Only positive uptake rates act (a voxel's value is multiplied by ``exp(-k dt)`` where
    ``k > 0``). Returns the new field; the kernel also clears the buffers it applied.
    """
    kept = np.where(
        sink_rate > 0.0, u * np.exp(-np.where(sink_rate > 0.0, sink_rate, 0.0) * dt_h), u
    )
    return np.maximum(kept + gain * source, 0.0)
