"""Numba kernels that advance a stack of 2-D fields by one tick, in place.

Every kernel works on a C-contiguous float64 stack ``u[f, x, y]`` (field, grid column, grid row,
Mesa's ``(x, y)`` coordinate order) and per-field coefficient arrays. Nothing here allocates in
the hot loop, reads a tunable global, or imports anything but numpy and numba.

Implicit scheme (unconditionally stable, the LOD scheme BioFVM uses): each tick is two backward-
Euler sweeps, one per axis (x first, then y), each solving the constant-coefficient tridiagonal
system

    -r u[i-1] + (1 + 2 r + c) u[i] - r u[i+1] = d[i],      r = D dt / dx²

with the Thomas algorithm. ``c = exp(k dt / 2) - 1`` folds half of the decay into each sweep, so
pure decay is exact (the two sweeps multiply a uniform field by ``exp(-k dt)``). The Thomas
elimination factors depend only on ``(n, r, c, edges)``: :func:`thomas_factors` computes them once
and the sweeps only multiply (reciprocal pivots, no division in the sweep).

Edges are cell-centred. A no-flux edge has the ghost value equal to the edge voxel (its diagonal
loses one ``r``); a fixed-value edge has the ghost value ``g`` (diagonal keeps ``2 r``, and
``r g`` joins the right-hand side, passed in as ``coef[f, GX_LO]`` etc. already multiplied by r).

The sweep across rows (Mesa x) moves whole row slices, which LLVM vectorizes. The sweep along the
contiguous axis (Mesa y) is a serial recurrence per row, so eight rows are solved at once with
their running values in locals. One tick is one kernel call: :func:`lod_tick_serial` fuses the
two sweeps per field (the x back-substitution hands each finished block of eight rows straight
to the y solve while it is still in cache, saving one pass over the field), and
:func:`lod_tick_parallel` spreads whole fields over the threads, or, when there are fewer fields
than threads, column strips (x) then row blocks (y) in two parallel regions of the same call.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

#: Rows solved together in the sweep along the contiguous axis: eight independent recurrences
#: interleaved hide the latency of each one's serial dependency.
ROW_BLOCK = 8

#: Voxels per chunk of the source pass: a chunk whose buffers are all zero (most of them, in a
#: model tick: cells secrete into a few voxels) is only read, not written.
SOURCE_CHUNK = 64

#: Columns of the per-field scalar array ``coef`` of the implicit tick: the ratio r = D dt / dx²
#: and the fixed-edge terms r * g of the x_min, x_max, y_min and y_max edges (0 when no-flux).
R, GX_LO, GX_HI, GY_LO, GY_HI = 0, 1, 2, 3, 4
COEF_COLUMNS = 5

#: Fields with fewer voxels than this are not split over threads. Splitting one field costs two
#: parallel regions and a barrier, which a small grid's work does not repay; and while another
#: process holds a core, each region waits for a scheduler slice. (``python -m benchmarks
#: fields`` measures where threads start to pay.)
SPLIT_MIN_VOXELS = 256 * 256

#: Values of float64 in one 64-byte cache line: column strips of the threaded x sweep start on
#: a line, so no two threads write the same one.
STRIP_ALIGN = 8


@njit(cache=True)
def thomas_factors(n, r, c, fixed_lo, fixed_hi, inv, w):
    """Fill ``inv`` (reciprocal pivots) and ``w`` (back-substitution weights) for one line.

    The matrix is ``tridiag(-r, 1 + c + r * (neighbours + fixed edges), -r)`` of size ``n``.
    Forward elimination is then ``d'[i] = (d[i] + r d'[i-1]) * inv[i]`` and back substitution
    ``x[i] = d'[i] + w[i] x[i+1]`` with ``w[i] = r * inv[i]``.
    """
    prev_inv = 0.0
    for i in range(n):
        diag = 1.0 + c
        if i > 0:
            diag += r
        else:
            diag += r * fixed_lo
        if i < n - 1:
            diag += r
        else:
            diag += r * fixed_hi
        den = diag - r * r * prev_inv
        inv[i] = 1.0 / den
        w[i] = r * inv[i]
        prev_inv = inv[i]


# --------------------------------------------------------------------------------------------
# Sweep along the contiguous axis (Mesa y): one serial recurrence per row, rows in blocks of 8.
# --------------------------------------------------------------------------------------------


@njit(cache=True, fastmath=True)
def _solve_rows(u, f, i0, i1, r, inv, w, g_lo, g_hi):
    """Solve rows ``i0:i1`` of field ``f`` along axis 2, one row after another (remainders)."""
    n = u.shape[2]
    for i in range(i0, i1):
        if n == 1:
            u[f, i, 0] = (u[f, i, 0] + g_lo + g_hi) * inv[0]
            continue
        p = (u[f, i, 0] + g_lo) * inv[0]
        u[f, i, 0] = p
        for j in range(1, n - 1):
            p = (u[f, i, j] + r * p) * inv[j]
            u[f, i, j] = p
        p = (u[f, i, n - 1] + g_hi + r * p) * inv[n - 1]
        u[f, i, n - 1] = p
        for j in range(n - 2, -1, -1):
            p = u[f, i, j] + w[j] * p
            u[f, i, j] = p


@njit(cache=True, fastmath=True)
def _solve_8_rows(u, f, i, r, inv, w, g_lo, g_hi):
    """Solve rows ``i:i+8`` of field ``f`` along axis 2 as eight interleaved recurrences.

    Each row's running value lives in a local (``p0``..``p7``), so the eight serial chains
    overlap in the pipeline instead of waiting on memory (a loop over the rows waits on each
    row's chain in turn). The rows are 1-D views and the last step is peeled, so no fixed-edge
    term is added to every step. Needs ``n >= 2``.
    """
    n = u.shape[2]
    q0 = u[f, i]
    q1 = u[f, i + 1]
    q2 = u[f, i + 2]
    q3 = u[f, i + 3]
    q4 = u[f, i + 4]
    q5 = u[f, i + 5]
    q6 = u[f, i + 6]
    q7 = u[f, i + 7]
    a = inv[0]
    p0 = (q0[0] + g_lo) * a
    p1 = (q1[0] + g_lo) * a
    p2 = (q2[0] + g_lo) * a
    p3 = (q3[0] + g_lo) * a
    p4 = (q4[0] + g_lo) * a
    p5 = (q5[0] + g_lo) * a
    p6 = (q6[0] + g_lo) * a
    p7 = (q7[0] + g_lo) * a
    q0[0] = p0
    q1[0] = p1
    q2[0] = p2
    q3[0] = p3
    q4[0] = p4
    q5[0] = p5
    q6[0] = p6
    q7[0] = p7
    for j in range(1, n - 1):
        a = inv[j]
        p0 = (q0[j] + r * p0) * a
        p1 = (q1[j] + r * p1) * a
        p2 = (q2[j] + r * p2) * a
        p3 = (q3[j] + r * p3) * a
        p4 = (q4[j] + r * p4) * a
        p5 = (q5[j] + r * p5) * a
        p6 = (q6[j] + r * p6) * a
        p7 = (q7[j] + r * p7) * a
        q0[j] = p0
        q1[j] = p1
        q2[j] = p2
        q3[j] = p3
        q4[j] = p4
        q5[j] = p5
        q6[j] = p6
        q7[j] = p7
    j = n - 1
    a = inv[j]
    p0 = (q0[j] + g_hi + r * p0) * a
    p1 = (q1[j] + g_hi + r * p1) * a
    p2 = (q2[j] + g_hi + r * p2) * a
    p3 = (q3[j] + g_hi + r * p3) * a
    p4 = (q4[j] + g_hi + r * p4) * a
    p5 = (q5[j] + g_hi + r * p5) * a
    p6 = (q6[j] + g_hi + r * p6) * a
    p7 = (q7[j] + g_hi + r * p7) * a
    q0[j] = p0
    q1[j] = p1
    q2[j] = p2
    q3[j] = p3
    q4[j] = p4
    q5[j] = p5
    q6[j] = p6
    q7[j] = p7
    for k in range(n - 1):
        j = n - 2 - k
        b = w[j]
        p0 = q0[j] + b * p0
        p1 = q1[j] + b * p1
        p2 = q2[j] + b * p2
        p3 = q3[j] + b * p3
        p4 = q4[j] + b * p4
        p5 = q5[j] + b * p5
        p6 = q6[j] + b * p6
        p7 = q7[j] + b * p7
        q0[j] = p0
        q1[j] = p1
        q2[j] = p2
        q3[j] = p3
        q4[j] = p4
        q5[j] = p5
        q6[j] = p6
        q7[j] = p7


@njit(cache=True, fastmath=True)
def _solve_4_rows(u, f, i, r, inv, w, g_lo, g_hi):
    """:func:`_solve_8_rows` for four rows ``i:i+4`` (what is left of a block). ``n >= 2``."""
    n = u.shape[2]
    q0 = u[f, i]
    q1 = u[f, i + 1]
    q2 = u[f, i + 2]
    q3 = u[f, i + 3]
    a = inv[0]
    p0 = (q0[0] + g_lo) * a
    p1 = (q1[0] + g_lo) * a
    p2 = (q2[0] + g_lo) * a
    p3 = (q3[0] + g_lo) * a
    q0[0] = p0
    q1[0] = p1
    q2[0] = p2
    q3[0] = p3
    for j in range(1, n - 1):
        a = inv[j]
        p0 = (q0[j] + r * p0) * a
        p1 = (q1[j] + r * p1) * a
        p2 = (q2[j] + r * p2) * a
        p3 = (q3[j] + r * p3) * a
        q0[j] = p0
        q1[j] = p1
        q2[j] = p2
        q3[j] = p3
    j = n - 1
    a = inv[j]
    p0 = (q0[j] + g_hi + r * p0) * a
    p1 = (q1[j] + g_hi + r * p1) * a
    p2 = (q2[j] + g_hi + r * p2) * a
    p3 = (q3[j] + g_hi + r * p3) * a
    q0[j] = p0
    q1[j] = p1
    q2[j] = p2
    q3[j] = p3
    for k in range(n - 1):
        j = n - 2 - k
        b = w[j]
        p0 = q0[j] + b * p0
        p1 = q1[j] + b * p1
        p2 = q2[j] + b * p2
        p3 = q3[j] + b * p3
        q0[j] = p0
        q1[j] = p1
        q2[j] = p2
        q3[j] = p3


@njit(cache=True, fastmath=True)
def _solve_row_block(u, f, i0, i1, r, inv, w, g_lo, g_hi):
    """Solve rows ``i0:i1`` (at most ``ROW_BLOCK``) of field ``f`` along axis 2."""
    if u.shape[2] < 2:
        _solve_rows(u, f, i0, i1, r, inv, w, g_lo, g_hi)
    elif i1 - i0 == ROW_BLOCK:
        _solve_8_rows(u, f, i0, r, inv, w, g_lo, g_hi)
    else:
        if i1 - i0 >= 4:
            _solve_4_rows(u, f, i0, r, inv, w, g_lo, g_hi)
            i0 += 4
        _solve_rows(u, f, i0, i1, r, inv, w, g_lo, g_hi)


# --------------------------------------------------------------------------------------------
# Sweep across rows (Mesa x): whole row slices, vectorized along the contiguous axis.
# --------------------------------------------------------------------------------------------


@njit(cache=True, fastmath=True)
def _forward_lines(v, r, inv, g_lo, g_hi):
    """Forward elimination along axis 0 of the 2-D C-contiguous view ``v`` (``n >= 2``).

    Every column of ``v`` is one line; each step moves a whole row (vectorized). Leaves ``d'``
    in every row, so the last row is already the solution.
    """
    n = v.shape[0]
    a = inv[0]
    cur = v[0]
    for j in range(cur.size):
        cur[j] = (cur[j] + g_lo) * a
    for i in range(1, n - 1):
        a = inv[i]
        prev = cur
        cur = v[i]
        for j in range(cur.size):
            cur[j] = (cur[j] + r * prev[j]) * a
    a = inv[n - 1]
    prev = cur
    cur = v[n - 1]
    for j in range(cur.size):
        cur[j] = (cur[j] + g_hi + r * prev[j]) * a


@njit(cache=True, fastmath=True)
def _backward_lines(v, i0, i1, w):
    """Back-substitute rows ``i1-1`` down to ``i0`` of ``v`` (row ``i1`` already solved)."""
    for i in range(min(i1, v.shape[0] - 1) - 1, i0 - 1, -1):
        b = w[i]
        cur = v[i]
        below = v[i + 1]
        for j in range(cur.size):
            cur[j] += b * below[j]


@njit(cache=True, fastmath=True)
def _solve_strip(u, f, j0, j1, r, inv, w, g_lo, g_hi):
    """Solve columns ``j0:j1`` of field ``f`` along axis 1 (one strip of the threaded sweep).

    The same arithmetic as :func:`_forward_lines` and :func:`_backward_lines`, on row slices
    ``u[f, i, j0:j1]``. Only call it with a run-time ``j0``: given the constant 0, Numba
    compiles a literal specialization that LLVM vectorizes worse.
    """
    n = u.shape[1]
    cur = u[f, 0, j0:j1]
    if n == 1:
        for j in range(cur.size):
            cur[j] = (cur[j] + g_lo + g_hi) * inv[0]
        return
    a = inv[0]
    for j in range(cur.size):
        cur[j] = (cur[j] + g_lo) * a
    for i in range(1, n - 1):
        a = inv[i]
        prev = cur
        cur = u[f, i, j0:j1]
        for j in range(cur.size):
            cur[j] = (cur[j] + r * prev[j]) * a
    a = inv[n - 1]
    prev = cur
    cur = u[f, n - 1, j0:j1]
    for j in range(cur.size):
        cur[j] = (cur[j] + g_hi + r * prev[j]) * a
    for i in range(n - 2, -1, -1):
        b = w[i]
        below = cur
        cur = u[f, i, j0:j1]
        for j in range(cur.size):
            cur[j] += b * below[j]


@njit(cache=True, fastmath=True)
def _scale_lines(v, s):
    """``v *= s`` row by row: one sweep of a field that only decays (r = 0)."""
    if s != 1.0:
        for i in range(v.shape[0]):
            row = v[i]
            for j in range(row.size):
                row[j] *= s


@njit(cache=True, fastmath=True)
def _stays_zero(v, f, coef):
    """Whether field ``f`` (``v``, 2-D C-contiguous) is zero everywhere with no fixed-edge
    supply: its tick would leave it zero, so the tick can be skipped (a field nothing has
    secreted into yet, e.g. vesicles before a dose)."""
    if coef[f, GX_LO] != 0.0 or coef[f, GX_HI] != 0.0:
        return False
    if coef[f, GY_LO] != 0.0 or coef[f, GY_HI] != 0.0:
        return False
    flat = v.reshape(v.size)
    n = flat.size
    full = n - n % SOURCE_CHUNK
    for j0 in range(0, full, SOURCE_CHUNK):  # chunk by chunk: a field in use stops at once
        total = 0.0
        for k in range(SOURCE_CHUNK):
            total += abs(flat[j0 + k])
        if total != 0.0:
            return False
    total = 0.0
    for j in range(full, n):
        total += abs(flat[j])
    return total == 0.0


# --------------------------------------------------------------------------------------------
# One implicit tick (x sweep, then y sweep) per call.
# --------------------------------------------------------------------------------------------


@njit(cache=True, fastmath=True)
def _tick_field(u, f, inv_x, w_x, inv_y, w_y, coef):
    """One LOD tick of field ``f``: the x sweep fused with the y sweep, one thread.

    After the forward elimination along x, the back substitution runs from the last row down in
    blocks of ``ROW_BLOCK`` rows; once a block is done the block above it is final for the x
    sweep, and is solved along y while it is still in cache.
    """
    v = u[f]
    nx = v.shape[0]
    r = coef[f, R]
    if r == 0.0:
        _scale_lines(v, inv_x[f, 0])  # two passes, not one by sx * sy: the same rounding
        _scale_lines(v, inv_y[f, 0])
        return
    if _stays_zero(v, f, coef):
        return
    iy, wy = inv_y[f], w_y[f]
    g_lo, g_hi = coef[f, GY_LO], coef[f, GY_HI]
    if nx == 1:
        _solve_strip(u, f, 0, v.shape[1], r, inv_x[f], w_x[f], coef[f, GX_LO], coef[f, GX_HI])
        _solve_rows(u, f, 0, 1, r, iy, wy, g_lo, g_hi)
        return
    _forward_lines(v, r, inv_x[f], coef[f, GX_LO], coef[f, GX_HI])
    nblk = (nx + ROW_BLOCK - 1) // ROW_BLOCK
    for k in range(nblk - 1, -1, -1):
        i0 = k * ROW_BLOCK
        _backward_lines(v, i0, min(i0 + ROW_BLOCK, nx), w_x[f])
        if k + 1 < nblk:
            i2 = i0 + ROW_BLOCK
            _solve_row_block(u, f, i2, min(i2 + ROW_BLOCK, nx), r, iy, wy, g_lo, g_hi)
    _solve_row_block(u, f, 0, min(ROW_BLOCK, nx), r, iy, wy, g_lo, g_hi)


@njit(cache=True, fastmath=True)
def lod_tick_serial(u, inv_x, w_x, inv_y, w_y, coef):
    """One implicit tick of every field of ``u``, one thread.

    ``inv_x``/``w_x`` (fields x ``nx``) and ``inv_y``/``w_y`` (fields x ``ny``) are the
    :func:`thomas_factors` of each axis; ``coef[f]`` holds ``r`` and the fixed-edge terms (see
    ``R``, ``GX_LO``...). A field with ``r = 0`` only decays: it is scaled by ``inv_x[f, 0]``
    and ``inv_y[f, 0]``.
    """
    for f in range(u.shape[0]):
        _tick_field(u, f, inv_x, w_x, inv_y, w_y, coef)


@njit(cache=True)
def _strip_start(k, nstrip, ny, shift):
    """First column of strip ``k`` of ``nstrip`` over ``ny`` columns.

    Inner boundaries are rounded down to a cache-line start (``shift`` is how many values row 0
    starts past one), so two threads never write the same line of row 0, nor of any row when
    rows are whole lines (threads sharing a line per row fight over it, and two threads can
    then be slower than one).
    """
    if k <= 0:
        return 0
    if k >= nstrip:
        return ny
    j = (k * ny // nstrip + shift) // STRIP_ALIGN * STRIP_ALIGN - shift
    return min(max(j, 0), ny)


@njit(cache=True, fastmath=True)
def _x_strip_task(u, t, f0, nstrip, shift, inv_x, w_x, coef):
    """Task ``t`` of the threaded x sweep over fields ``f0:``: one column strip of one field."""
    ny = u.shape[2]
    f = f0 + t // nstrip
    j0 = _strip_start(t % nstrip, nstrip, ny, shift)
    j1 = _strip_start(t % nstrip + 1, nstrip, ny, shift)
    if coef[f, R] == 0.0:
        _scale_lines(u[f, :, j0:j1], inv_x[f, 0])
    else:
        _solve_strip(u, f, j0, j1, coef[f, R], inv_x[f], w_x[f], coef[f, GX_LO], coef[f, GX_HI])


@njit(cache=True, fastmath=True)
def _y_block_task(u, t, f0, inv_y, w_y, coef):
    """Task ``t`` of the threaded y sweep over fields ``f0:``: one block of rows of one field."""
    nx = u.shape[1]
    nblk = (nx + ROW_BLOCK - 1) // ROW_BLOCK
    f = f0 + t // nblk
    i0 = (t % nblk) * ROW_BLOCK
    i1 = min(i0 + ROW_BLOCK, nx)
    if coef[f, R] == 0.0:
        _scale_lines(u[f, i0:i1], inv_y[f, 0])
    else:
        _solve_row_block(u, f, i0, i1, coef[f, R], inv_y[f], w_y[f], coef[f, GY_LO], coef[f, GY_HI])


@njit(cache=True, fastmath=True, parallel=True)
def lod_tick_parallel(u, inv_x, w_x, inv_y, w_y, coef, nt):
    """:func:`lod_tick_serial` over ``nt`` threads (``numba.get_num_threads()``), same result.

    Whole fields go to the threads (one fused tick each) as long as every thread gets one; the
    fields left over (all of them when there are fewer fields than threads) are split: column
    strips of the x sweep in one parallel region, then blocks of rows of the y sweep in another.
    Fields smaller than ``SPLIT_MIN_VOXELS`` are never split, and a lone field is ticked on the
    calling thread without waking the pool.
    """
    nf = u.shape[0]
    whole = nf - nf % nt
    if u.shape[1] * u.shape[2] < SPLIT_MIN_VOXELS:
        whole = nf
    if nt <= 1 or whole == 1:
        for f in range(whole):
            _tick_field(u, f, inv_x, w_x, inv_y, w_y, coef)
    elif whole > 0:
        for f in prange(whole):
            _tick_field(u, f, inv_x, w_x, inv_y, w_y, coef)
    if whole < nf:
        _split_tick(u, whole, nt, inv_x, w_x, inv_y, w_y, coef)


@njit(cache=True, fastmath=True, parallel=True)
def _split_tick(u, f0, nt, inv_x, w_x, inv_y, w_y, coef):
    """The tick of fields ``f0:`` split over ``nt`` threads: x strips, then y row blocks."""
    nf = u.shape[0]
    shift = u.ctypes.data % (8 * STRIP_ALIGN) // 8
    for t in prange((nf - f0) * nt):
        _x_strip_task(u, t, f0, nt, shift, inv_x, w_x, coef)
    nblk = (u.shape[1] + ROW_BLOCK - 1) // ROW_BLOCK
    for t in prange((nf - f0) * nblk):
        _y_block_task(u, t, f0, inv_y, w_y, coef)


# --------------------------------------------------------------------------------------------
# Explicit forward-Euler step (stable for r <= 1/4): the cross-check and small-ratio kernel.
# --------------------------------------------------------------------------------------------


#: Rows per task of the explicit step (threads take tasks of this many rows).
EXPLICIT_ROWS = 32


@njit(cache=True, fastmath=True)
def _explicit_rows(u, out, f, i0, i1, r, q):
    """``out = q * (u + r * lap(u))`` on rows ``i0:i1`` of field ``f``, no-flux ghosts.

    The first and last column are peeled out of the inner loop; rows pick their neighbours once.
    """
    nx = u.shape[1]
    ny = u.shape[2]
    for i in range(i0, i1):
        iu = i - 1 if i > 0 else i
        idn = i + 1 if i < nx - 1 else i
        if ny == 1:
            out[f, i, 0] = q * (u[f, i, 0] + r * (u[f, iu, 0] + u[f, idn, 0] - 2.0 * u[f, i, 0]))
            continue
        c = u[f, i, 0]
        lap = u[f, iu, 0] + u[f, idn, 0] + u[f, i, 1] - 3.0 * c
        out[f, i, 0] = q * (c + r * lap)
        for j in range(1, ny - 1):
            c = u[f, i, j]
            lap = u[f, iu, j] + u[f, idn, j] + u[f, i, j - 1] + u[f, i, j + 1] - 4.0 * c
            out[f, i, j] = q * (c + r * lap)
        c = u[f, i, ny - 1]
        lap = u[f, iu, ny - 1] + u[f, idn, ny - 1] + u[f, i, ny - 2] - 3.0 * c
        out[f, i, ny - 1] = q * (c + r * lap)


@njit(cache=True, fastmath=True)
def _explicit_fixed_edges(u, out, f, r, q, fix, ghost):
    """Correct the edges of field ``f`` that hold a fixed value.

    ``fix[f, e]`` is 1.0 when edge ``e`` (x_lo, x_hi, y_lo, y_hi) has the fixed ghost value
    ``ghost[f, e]``: the ghost is then ``g`` instead of the edge voxel, adding ``r (g - u_edge)``.
    """
    nx = u.shape[1]
    ny = u.shape[2]
    s = q * r
    if fix[f, 0] != 0.0:
        for j in range(ny):
            out[f, 0, j] += s * (ghost[f, 0] - u[f, 0, j])
    if fix[f, 1] != 0.0:
        for j in range(ny):
            out[f, nx - 1, j] += s * (ghost[f, 1] - u[f, nx - 1, j])
    if fix[f, 2] != 0.0:
        for i in range(nx):
            out[f, i, 0] += s * (ghost[f, 2] - u[f, i, 0])
    if fix[f, 3] != 0.0:
        for i in range(nx):
            out[f, i, ny - 1] += s * (ghost[f, 3] - u[f, i, ny - 1])


@njit(cache=True, fastmath=True)
def explicit_step_serial(u, out, r, q, fix, ghost):
    """One explicit step of every field: ``out[f] = q[f] * (u[f] + r[f] * lap(u[f]))``."""
    for f in range(u.shape[0]):
        _explicit_rows(u, out, f, 0, u.shape[1], r[f], q[f])
        _explicit_fixed_edges(u, out, f, r[f], q[f], fix, ghost)


@njit(cache=True, fastmath=True, parallel=True)
def explicit_step_parallel(u, out, r, q, fix, ghost):
    """The explicit step with (field, row-chunk) tasks spread over all Numba threads."""
    nx = u.shape[1]
    nchk = (nx + EXPLICIT_ROWS - 1) // EXPLICIT_ROWS
    for t in prange(u.shape[0] * nchk):
        f = t // nchk
        i0 = (t % nchk) * EXPLICIT_ROWS
        _explicit_rows(u, out, f, i0, min(i0 + EXPLICIT_ROWS, nx), r[f], q[f])
    for f in range(u.shape[0]):
        _explicit_fixed_edges(u, out, f, r[f], q[f], fix, ghost)


# --------------------------------------------------------------------------------------------
# Sources and sinks
# --------------------------------------------------------------------------------------------


@njit(cache=True, fastmath=True)
def _apply_source_chunks(u, source, sink_rate, n, g, dt):
    """:func:`apply_sources` of voxels ``0:n`` of one field (flat 1-D views of it and its
    buffers), ``n`` a multiple of ``SOURCE_CHUNK``, chunk by chunk.

    Three sums say what a chunk needs: of its positive uptake rates, of its sources' magnitudes
    and of its negative values (sums, not max/min: Numba's max and min do not vectorize). A
    chunk with none of them is left as it is, which is what the update would leave. The loops
    have a constant trip count and index ``j0 + k`` from loops that start at 0: given a run-time
    trip count or start, LLVM cannot rule out negative (wrap-around) indices and gathers each
    value on its own, several times slower.
    """
    for j0 in range(0, n - n % SOURCE_CHUNK, SOURCE_CHUNK):
        sinks = 0.0
        sources = 0.0
        negative = 0.0
        for k in range(SOURCE_CHUNK):
            s = sink_rate[j0 + k]
            sinks += s if s > 0.0 else 0.0
            sources += abs(source[j0 + k])
            v = u[j0 + k]
            negative += v if v < 0.0 else 0.0
        if sinks > 0.0:
            for k in range(SOURCE_CHUNK):
                s = sink_rate[j0 + k]
                if s > 0.0:
                    u[j0 + k] *= np.exp(-s * dt)
                    sink_rate[j0 + k] = 0.0
        if sources > 0.0:
            for k in range(SOURCE_CHUNK):
                v = u[j0 + k] + g * source[j0 + k]
                u[j0 + k] = v if v > 0.0 else 0.0
                source[j0 + k] = 0.0
        elif sinks > 0.0 or negative < 0.0:
            for k in range(SOURCE_CHUNK):
                v = u[j0 + k]
                u[j0 + k] = v if v > 0.0 else 0.0


@njit(cache=True, fastmath=True)
def _apply_source_voxels(u, source, sink_rate, j0, g, dt):
    """:func:`apply_sources` of voxels ``j0:`` of one field, voxel by voxel (the last few)."""
    for j in range(j0, u.size):
        s = sink_rate[j]
        v = u[j]
        if s > 0.0:
            v *= np.exp(-s * dt)
            sink_rate[j] = 0.0
        v += g * source[j]
        u[j] = v if v > 0.0 else 0.0
        source[j] = 0.0


@njit(cache=True, fastmath=True)
def apply_field_sources(u, source, sink_rate, g, dt):
    """:func:`apply_sources` of one field, on flat (1-D, C-contiguous) views of it and its
    buffers: whole chunks, then the voxels after the last one."""
    n = u.size
    full = n - n % SOURCE_CHUNK
    _apply_source_chunks(u, source, sink_rate, full, g, dt)
    if full < n:
        _apply_source_voxels(u, source, sink_rate, full, g, dt)


@njit(cache=True, fastmath=True)
def apply_sources(u, source, sink_rate, gain, dt):
    """Apply one tick of buffered secretion and first-order uptake to every field, then clear.

    ``u = max(u * exp(-sink_rate * dt) + gain[f] * source, 0)``; the exponential keeps every
    value non-negative however large the uptake. Sources are applied just before the tick's
    diffusion step, and ``gain[f] = (exp(k dt) - 1) / (k dt)`` pre-weights a tick's secretion so
    that after that step's decay exactly what a constant tick-long source leaves remains: a
    steady source S with decay k settles at S/k. Voxels whose buffers are empty and whose value
    is not negative are unchanged by this, so they are only read (see
    :func:`apply_field_sources`).
    """
    nf = u.shape[0]
    m = u.shape[1] * u.shape[2]
    flat_u = u.reshape(nf, m)
    flat_source = source.reshape(nf, m)
    flat_sink = sink_rate.reshape(nf, m)
    for f in range(nf):
        apply_field_sources(flat_u[f], flat_source[f], flat_sink[f], gain[f], dt)


@njit(cache=True, fastmath=True)
def stream_scale(src, dst, s):
    """The streaming yardstick: ``dst = s * src`` (one read, one write per value)."""
    a = src.ravel()
    b = dst.ravel()
    for k in range(a.size):
        b[k] = s * a[k]


@njit(cache=True)
def territory_mean(field, x, y, overlap):
    """The mean of ``field`` over the territory of a cell in voxel ``(x, y)``: voxels weighted by
    the share of each its territory covers (``overlap`` along each axis, odd length, centred;
    see :func:`simulation.fields.fieldset.territory_overlap`), voxels off the grid left out.
    The voxel itself when the territory fits in it."""
    r = overlap.shape[0] // 2
    if r == 0:
        return field[x, y]
    w, h = field.shape
    total = 0.0
    weight = 0.0
    for b in range(overlap.shape[0]):
        j = y + b - r
        if j < 0 or j >= h:
            continue
        for a in range(overlap.shape[0]):
            i = x + a - r
            if i < 0 or i >= w:
                continue
            share = overlap[a] * overlap[b]
            total += share * field[i, j]
            weight += share
    return total / weight


@njit(cache=True)
def block_mean(field, x, y, side):
    """The mean of ``field`` over the ``side`` x ``side`` block of voxels holding ``(x, y)``
    (blocks tile the grid from its origin; cut at its far edges)."""
    if side == 1:
        return field[x, y]
    w, h = field.shape
    x0 = x - x % side
    y0 = y - y % side
    total = 0.0
    n = 0
    for i in range(x0, min(w, x0 + side)):
        for j in range(y0, min(h, y0 + side)):
            total += field[i, j]
            n += 1
    return total / n


@njit(cache=True)
def wrap_axon(axon, myelin, x, y, along, across, fraction):
    """Myelinate bare axon around voxel ``(x, y)``: ``fraction`` of it times the share of each
    voxel the myelinating cell reaches.

    ``along`` and ``across`` are those shares (odd length, centred on the cell) along the nerve
    (x) and across it (y): one cell's internodes span several voxels along the nerve, and its
    territory may span several voxels or only part of one (see
    :func:`simulation.fields.fieldset.territory_overlap`). Returns whether any axon was there
    (so callers can skip idle cells).
    """
    found = False
    rx = along.shape[0] // 2
    ry = across.shape[0] // 2
    w, h = axon.shape
    for b in range(across.shape[0]):
        j = y + b - ry
        if j < 0 or j >= h:
            continue
        for a in range(along.shape[0]):
            i = x + a - rx
            if i < 0 or i >= w:
                continue
            ax = axon[i, j]
            if ax > 0.0:
                found = True
                bare = ax - myelin[i, j]
                if bare > 0.0:
                    myelin[i, j] += bare * fraction * along[a] * across[b]
    return found
