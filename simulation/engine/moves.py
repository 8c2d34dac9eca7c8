"""Compiled helpers every cell type's kernel uses: event chances from rates, and moving, dying
or dividing in a type's occupancy grid while recording the cell's fate for Mesa.

No biology here: which neighbour a cell prefers and when it moves are its own rules.
"""

from __future__ import annotations

import math

from simulation.engine.compiled import rule
from simulation.engine.sheet import DIED, DIVIDED, MOVED

#: Moore neighbour offsets, in the order a scan starting at neighbour 0 visits them.
NEIGHBOUR_DX = (-1, -1, -1, 0, 0, 1, 1, 1)
NEIGHBOUR_DY = (-1, 0, 1, -1, 1, -1, 0, 1)


@rule
def tick_chance(rate_per_h, dt_h):
    """The probability that an event of ``rate_per_h`` happens within one tick of ``dt_h``."""
    return -math.expm1(-rate_per_h * dt_h)


@rule
def move_to(s, x, y, fate, crowd, nx, ny):
    """Move the cell in slot ``s`` to voxel ``(nx, ny)`` (nothing if it is already there)."""
    xi = x[s]
    yi = y[s]
    if nx == xi and ny == yi:
        return
    crowd[xi, yi] -= 1
    crowd[nx, ny] += 1
    x[s] = nx
    y[s] = ny
    fate[s] |= MOVED


@rule
def die(s, x, y, fate, crowd):
    """The cell in slot ``s`` dies this turn (Mesa is told after the kernel)."""
    crowd[x[s], y[s]] -= 1
    fate[s] |= DIED


@rule
def divide(s, fate, daughter_x, daughter_y, crowd, nx, ny):
    """The cell in slot ``s`` puts a daughter in voxel ``(nx, ny)`` (made after the kernel)."""
    crowd[nx, ny] += 1
    daughter_x[s] = nx
    daughter_y[s] = ny
    fate[s] |= DIVIDED


@rule
def emptiest_territory(crowd, x, y, start, side):
    """Where a daughter settles: the voxel one territory (``side`` voxels) from ``(x, y)`` in
    the Moore direction whose territory (the ``side`` x ``side`` block of whole voxels holding
    it, blocks tiling the grid) holds the fewest cells of this type. A daughter settles about
    a cell's width from her mother whatever the voxel size; next door on finer voxels she
    would crowd her mother's own territory. The scan starts at direction ``start`` (0-7) so
    ties resolve at random; with ``side`` 1, the emptiest Moore neighbour. Returns the voxel
    ``(x, y)`` and the cells in its territory (``(-1, -1, 0)`` at no neighbour)."""
    w, h = crowd.shape
    best_x = -1
    best_y = -1
    best_n = crowd[x, y] * 0  # of the counts' type
    for k in range(8):
        d = (start + k) % 8
        i = x + NEIGHBOUR_DX[d] * side
        j = y + NEIGHBOUR_DY[d] * side
        if i < 0 or i >= w or j < 0 or j >= h:
            continue
        n = block_count(crowd, i // side, j // side, side)
        if best_x < 0 or n < best_n:
            best_x, best_y, best_n = i, j, n
    return best_x, best_y, best_n


@rule
def steepest_neighbour(field, crowd, x, y, sign, max_here, start, reach):
    """The Moore neighbour of ``(x, y)`` toward the most (sign 1) or least (-1) ``field``.

    The field is read ``reach`` voxels out in each direction (clipped to the grid): a cell
    compares what lies one territory away, past the patch it is itself depleting, so it follows
    the tissue's gradient at any voxel size (``reach`` 1 on voxels a territory wide).
    Neighbours already holding ``max_here`` cells (``crowd``) are skipped; the scan starts at
    neighbour ``start`` (0-7) so ties resolve at random. Returns ``(x, y)`` itself when no
    direction improves on it.
    """
    w, h = field.shape
    best_x, best_y = x, y
    best = field[x, y]
    for k in range(8):
        d = (start + k) % 8
        i = x + NEIGHBOUR_DX[d]
        j = y + NEIGHBOUR_DY[d]
        if i < 0 or i >= w or j < 0 or j >= h:
            continue
        fi = min(max(x + NEIGHBOUR_DX[d] * reach, 0), w - 1)
        fj = min(max(y + NEIGHBOUR_DY[d] * reach, 0), h - 1)
        v = field[fi, fj]
        if sign * (v - best) > 0.0 and crowd[i, j] < max_here:
            best_x, best_y, best = i, j, v
    return best_x, best_y


@rule
def scan_start(u):
    """Neighbour index 0-7 from a uniform ``u``: where a neighbour scan starts."""
    return int(u * 8.0)


#: The most one-voxel moves a crawling cell makes in one tick.
MAX_MOVES = 8


@rule
def moves_this_tick(u, speed_um_per_h, dx_um, dt_h):
    """How many one-voxel moves a cell crawling at ``speed_um_per_h`` makes this tick.

    Poisson with mean ``speed * dt / dx``: a move is one voxel edge, so the mean speed is the
    same at any voxel size. Drawn from one uniform ``u`` by inverting the distribution; at most
    :data:`MAX_MOVES`.
    """
    mean = speed_um_per_h * dt_h / dx_um
    if mean <= 0.0:
        return 0
    p = math.exp(-mean)
    below = p
    k = 0
    while u >= below and k < MAX_MOVES:
        k += 1
        p *= mean / k
        below += p
    return k


@rule
def climb(s, x, y, fate, crowd, field, sign, max_here, moves, start, reach):
    """Make up to ``moves`` steps up (sign 1) or down (-1) ``field``, each one territory
    (``reach`` voxels, clipped to the grid) toward the best Moore direction read that far out
    (see :func:`steepest_neighbour`), when the neighbour that way holds fewer than ``max_here``
    cells; stop early where no direction is better. A cell crawls a cell's width at a time at
    any voxel size (callers draw ``moves`` for steps of ``reach`` voxels): stepping voxel by
    voxel on finer voxels, cells gathered on a peak in clumps smaller than a territory.
    Each step starts its neighbour scan 3 further on from ``start`` (ties resolve at random)."""
    w, h = crowd.shape
    for m in range(moves):
        xi = x[s]
        yi = y[s]
        nx, ny = steepest_neighbour(
            field, crowd, xi, yi, sign, max_here, (start + 3 * m) % 8, reach
        )
        if nx == xi and ny == yi:
            return
        tx = min(max(xi + (nx - xi) * reach, 0), w - 1)
        ty = min(max(yi + (ny - yi) * reach, 0), h - 1)
        move_to(s, x, y, fate, crowd, tx, ty)


@rule
def crowding_cap(max_per_mm2, dx_um):
    """Cells a voxel of edge ``dx_um`` may hold at ``max_per_mm2`` (a voxel below one cell's
    worth still takes one: callers admit a cell while a voxel holds fewer than the cap)."""
    return max_per_mm2 * dx_um * dx_um * 1e-6


@rule
def block_count(crowd, bx, by, side):
    """What the voxels of block ``(bx, by)`` of the ``side`` x ``side`` blocks tiling the grid
    from its origin hold together (cells of a type, axon paths; a block cut at a far edge
    counts the voxels it has)."""
    w, h = crowd.shape
    n = crowd[0, 0] * 0  # of the array's type
    for i in range(bx * side, min(w, bx * side + side)):
        for j in range(by * side, min(h, by * side + side)):
            n += crowd[i, j]
    return n


@rule
def has_room(crowd, x, y, cap, side):
    """Whether voxel ``(x, y)`` takes one more cell at ``cap`` cells per voxel
    (:func:`crowding_cap`), judged over territories: the ``side`` x ``side`` blocks of whole
    voxels tiling the grid (:func:`block_count`), each holding ``cap side²`` cells' worth, so
    that cells crowd a territory as they would a voxel a territory wide. Fewer than that in
    the block holding ``(x, y)``; and where a territory holds less than one cell's worth,
    none there yet and no 3 x 3 blocks that would hold it going over 9 territories' worth.
    On voxels a territory wide (``side`` 1) the blocks are the voxels."""
    cap = cap * side * side
    bx = x // side
    by = y // side
    here = block_count(crowd, bx, by, side)
    if cap >= 1.0:
        return here < cap
    if here >= 1:
        return False
    w, h = crowd.shape
    nbx = (w + side - 1) // side
    nby = (h + side - 1) // side
    for cx in range(max(0, bx - 1), min(nbx, bx + 2)):
        for cy in range(max(0, by - 1), min(nby, by + 2)):
            total = 1
            for i in range(max(0, cx - 1), min(nbx, cx + 2)):
                for j in range(max(0, cy - 1), min(nby, cy + 2)):
                    total += block_count(crowd, i, j, side)
            if total > 9.0 * cap:
                return False
    return True
