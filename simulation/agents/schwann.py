"""Schwann cells (peripheral nerve): repair state, bands of Büngner, NGF, remyelination.

Losing its axon (distal to the injury) a myelinating Schwann cell dedifferentiates into a repair
cell; repair cells eat myelin debris (and keep eating it once an axon is back), secrete NGF,
divide, spread into empty tissue (bridging a gap) and line up as guidance bands whose strength
is their repair capacity. Capacity fades the longer the cell stays denervated. A regrown axon
reaching a repair cell turns it, after about a week, to myelinating that axon; remyelination is
faster where neurotrophins (trophic factor) are high and after taking up vesicles
(:mod:`~simulation.agents.mechanisms.vesicles`).

The rules are the compiled functions below; :func:`turn` plays them for every Schwann cell in
the shuffled order, and :class:`SchwannCell` is the Mesa agent whose state lives in a
:class:`SchwannSheet`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.mechanisms import vesicles
from simulation.engine.compiled import rule
from simulation.engine.moves import (
    block_count,
    crowding_cap,
    divide,
    emptiest_territory,
    has_room,
    move_to,
    moves_this_tick,
    scan_start,
    tick_chance,
)
from simulation.engine.sheet import CellSheet, Column
from simulation.fields.kernels import wrap_axon


class SchwannState(Enum):
    """What a Schwann cell is doing (the value is its code in the sheet's ``state`` column)."""

    MYELINATING = 0  # wrapped around an intact axon
    REPAIR = 1  # denervated: clears debris, guides, secretes NGF, divides, migrates
    REMYELINATING = 2  # contacted by a regrown axon: wraps it


# The states' codes, for the compiled rules.
MYELINATING = SchwannState.MYELINATING.value
REPAIR = SchwannState.REPAIR.value
REMYELINATING = SchwannState.REMYELINATING.value

#: Columns of a Schwann cell's parameter row (names in the ``[schwann]`` group).
PARAMS = (
    "dedifferentiation_per_h",
    "phagocytosis_per_h",
    "trophic_per_h",
    "proliferation_per_h",
    "mitogen_half_cytokine",
    "max_per_mm2",
    "speed_um_per_h",
    "myelination_per_h",
    "trophic_myelination_boost",
    "trophic_myelination_half",
    "repair_fade_per_h",
    "remyelinating_trophic_share",
    "redifferentiation_per_h",
)
(
    _DEDIFFERENTIATION,
    _PHAGO,
    _TROPHIC,
    _PROLIFERATION,
    _MITOGEN_HALF,
    _MAX_PER_MM2,
    _SPEED,
    _MYELINATION,
    _TROPHIC_BOOST,
    _TROPHIC_HALF,
    _FADE,
    _REMYELINATING_TROPHIC,
    _REDIFFERENTIATION,
) = range(len(PARAMS))
#: Uniforms one Schwann cell may use in a turn: dedifferentiation, division, where to, how many
#: moves, which way.
DRAWS = 5


class SchwannSheet(CellSheet):
    """Every Schwann cell's voxel, state, denervation, repair capacity, vesicle signals and
    parameters, indexed by its slot."""

    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "state": (np.int8, MYELINATING, 0),
        "denervated": (np.int8, 0, 0),
        "capacity": (np.float64, 1.0, 0),
        **vesicles.SHEET_COLUMNS,
    }
    PARAMS = PARAMS


@rule
def dedifferentiates(u, denervated, p, dt):
    """A myelinating cell that has lost its axon turns into a repair cell."""
    return denervated != 0 and u < tick_chance(p[_DEDIFFERENTIATION], dt)


@rule
def lay_band(x, y, capacity, band):
    """A repair or remyelinating cell lines up as a guidance band as strong as its capacity."""
    band[x, y] += capacity


@rule
def make_ngf(x, y, ngf_signal, trophic_source, k):
    """Secrete NGF (trophic factor) from the gene NGF-cargo vesicles delivered."""
    rate = vesicles.ngf_secretion_per_h(ngf_signal, k)
    if rate > 0.0:
        trophic_source[x, y] += rate * k[vesicles.DT]


@rule
def fade(capacity, p, dt):
    """Repair capacity fades the longer the cell stays denervated; returns the new capacity."""
    return capacity - capacity * p[_FADE] * dt


@rule
def clear_debris(x, y, capacity, p, debris_sink):
    """Eat myelin debris (first-order uptake) in proportion to its capacity: repair cells, and
    remyelinating ones too, since clearance does not stop because an axon arrived (Gaudet et
    al. 2011; Jessen & Mirsky 2016)."""
    rate = p[_PHAGO] * capacity
    if rate > 0.0:
        debris_sink[x, y] += rate


@rule
def clear_and_feed(x, y, capacity, p, dt, debris_sink, trophic_source):
    """A repair cell eats myelin debris and secretes NGF, both in proportion to its
    capacity."""
    clear_debris(x, y, capacity, p, debris_sink)
    rate = p[_TROPHIC] * capacity
    if rate > 0.0:
        trophic_source[x, y] += rate * dt


@rule
def axon_contact(axon, x, y, side, bundles_per_agent, reach):
    """How much regrown axon a repair cell meets, in axon bundles across one territory (a
    cell's width), at most 1: the bundles running through its territory (the ``side`` x
    ``side`` block of whole voxels holding it) and the ``reach`` territories either side of it
    across the nerve, per territory. A bundle's path counts the voxels it runs through (the
    axon layer counts agents) times the bundles each agent stands for, over the voxels along a
    territory. Averaged over the reach, so that the same tissue gives the same contact whatever
    the voxel size or the number of agents standing for the neurons: 40 agents' paths leave
    gaps between them that 160 would fill."""
    h = axon.shape[1]
    bx = x // side
    by = y // side
    paths = 0.0
    blocks = 0
    for b in range(max(0, by - reach), min((h + side - 1) // side, by + reach + 1)):
        paths += block_count(axon, bx, b, side)
        blocks += 1
    return min(1.0, paths * bundles_per_agent / (side * blocks))


@rule
def redifferentiates(u, contact, p, dt):
    """A repair cell a regrown axon has reached (``contact``, :func:`axon_contact`) turns to
    myelinating it, after a while (``redifferentiation_per_h``): until then it keeps clearing,
    feeding and dividing."""
    return contact > 0.0 and u < tick_chance(p[_REDIFFERENTIATION] * contact, dt)


@rule
def divides(u, capacity, cytokine, p, dt):
    """Repair cells divide, driven by macrophage mitogens (cytokine as proxy)."""
    rate = p[_PROLIFERATION] * capacity * cytokine / (cytokine + p[_MITOGEN_HALF])
    return u < tick_chance(rate, dt)


@rule
def proliferate(s, u, x, y, fate, daughter_x, daughter_y, p, crowd, side, dx):
    """Divide into the emptiest neighbouring territory (one territory, ``side`` voxels, away),
    if the voxel there has room (``max_per_mm2``)."""
    nx, ny, _ = emptiest_territory(crowd, x[s], y[s], scan_start(u), side)
    if nx >= 0 and has_room(crowd, nx, ny, crowding_cap(p[_MAX_PER_MM2], dx), side):
        divide(s, fate, daughter_x, daughter_y, crowd, nx, ny)


@rule
def spread(s, u_moves, u_way, x, y, fate, p, crowd, side, dx, dt):
    """Crawl toward emptier tissue: how repair cells bridge a gap. A move is one territory
    (``side`` voxels, about a cell's width) into the neighbouring territory holding the fewest
    repair cells, while it holds fewer than the cell's own; at ``speed_um_per_h`` on average.
    Judged voxel by voxel on finer voxels, cells would shuffle within their own territory."""
    start = scan_start(u_way)
    for m in range(moves_this_tick(u_moves, p[_SPEED], dx * side, dt)):
        xi = x[s]
        yi = y[s]
        nx, ny, there = emptiest_territory(crowd, xi, yi, (start + 3 * m) % 8, side)
        if nx < 0 or there >= block_count(crowd, xi // side, yi // side, side):
            return
        move_to(s, x, y, fate, crowd, nx, ny)


@rule
def remyelinate(x, y, capacity, ev_signal, p, trophic, trophic_source, axon, myelin, k, along,
                across):  # fmt: skip
    """Wrap the regrown axon along one internode either way (``along``: ``internode_um`` in
    voxels) and across its territory (``across``), faster with neurotrophins and after taking
    up vesicles, and keep making some NGF."""
    dt = k[vesicles.DT]
    t = trophic[x, y]
    neurotrophin = 1.0 + p[_TROPHIC_BOOST] * t / (t + p[_TROPHIC_HALF])
    boost = vesicles.myelination_boost(ev_signal, k)
    rate = p[_MYELINATION] * capacity * neurotrophin * boost
    wrap_axon(axon, myelin, x, y, along, across, tick_chance(rate, dt))
    rate = p[_REMYELINATING_TROPHIC] * p[_TROPHIC] * capacity
    if rate > 0.0:
        trophic_source[x, y] += rate * dt


@rule
def turn(order, u, x, y, fate, daughter_x, daughter_y, state, denervated, capacity, ev, ngf,
         params, cytokine, trophic, ev_field, ngf_field, debris_sink, trophic_source, ev_sink,
         ngf_sink, band, axon, myelin, crowd, internode, territory, side, bundles_per_agent,
         reach, k, dx):  # fmt: skip
    """Every Schwann cell in ``order`` lives one tick, according to its state."""
    dt = k[vesicles.DT]
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        if state[s] == MYELINATING:
            if dedifferentiates(u[i, 0], denervated[s], p, dt):
                state[s] = REPAIR
            continue
        xi = x[s]
        yi = y[s]
        lay_band(xi, yi, capacity[s], band)
        vesicles.absorb(s, xi, yi, ev, ngf, ev_field, ngf_field, ev_sink, ngf_sink,
                        k[vesicles.GLIA_UPTAKE_PER_H], k, territory)  # fmt: skip
        make_ngf(xi, yi, ngf[s], trophic_source, k)
        if state[s] == REMYELINATING:
            clear_debris(xi, yi, capacity[s], p, debris_sink)
            remyelinate(xi, yi, capacity[s], ev[s], p, trophic, trophic_source, axon, myelin, k,
                        internode, territory)  # fmt: skip
            continue
        capacity[s] = fade(capacity[s], p, dt)
        clear_and_feed(xi, yi, capacity[s], p, dt, debris_sink, trophic_source)
        contact = axon_contact(axon, xi, yi, side, bundles_per_agent, reach)
        if redifferentiates(u[i, 0], contact, p, dt):
            state[s] = REMYELINATING
            continue
        if divides(u[i, 1], capacity[s], cytokine[xi, yi], p, dt):
            proliferate(s, u[i, 2], x, y, fate, daughter_x, daughter_y, p, crowd, side, dx)
        spread(s, u[i, 3], u[i, 4], x, y, fate, p, crowd, side, dx, dt)


def _state(code: Any) -> SchwannState:
    return SchwannState(int(code))


def _code(state: SchwannState) -> int:
    return state.value


class SchwannCell(vesicles.TakesUpVesicles, TissueCell):
    """A Schwann cell of the peripheral nerve (see the module docstring).

    Args:
        denervated: whether it has lost its axon (distal to the injury): it will turn repair.
    """

    SHEET = SchwannSheet
    DRAWS = DRAWS
    KERNEL = turn
    state = Column("state", "What the cell is doing (a SchwannState).", _state, _code)
    denervated = Column("denervated", "It has lost its axon.", bool, int)
    capacity = Column("capacity", "Repair capacity: 1 fresh, fading while denervated.")

    def __init__(
        self,
        model: Any,
        xy: tuple[int, int],
        params: Any,
        denervated: bool = False,
        counted: bool = False,
    ) -> None:
        super().__init__(model, xy, params, counted=counted)
        self.denervated = denervated
        self.capacity = model.schwann_capacity

    @staticmethod
    def kernel_args(model: Any, sheet: SchwannSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers, tissue layers and the vesicle knobs, in
        :func:`turn`'s order."""
        fields = model.fields
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.daughter_x,
            sheet.daughter_y,
            sheet.state,
            sheet.denervated,
            sheet.capacity,
            sheet.ev,
            sheet.ngf,
            sheet.params,
            fields["cytokine"],
            fields["trophic"],
            fields["ev"],
            fields["ev_ngf"],
            fields.sink_views["debris"],
            fields.source_views["trophic"],
            fields.sink_views["ev"],
            fields.sink_views["ev_ngf"],
            model.schwann_band,
            model.axon,
            model.myelin,
            model.occupancy_of(SchwannCell),
            model.internode_along,
            model.territory_overlap,
            model.territory_side,
            model.bundles_per_axon_agent,
            model.axon_reach_territories,
            model.vesicle_knobs,
            model.dx_um,
        )

    @classmethod
    def take_turn(cls, model: Any) -> None:
        """Every Schwann cell acts; then the bands they laid join the tissue's guidance."""
        super().take_turn(model)
        model.lay_schwann_bands()

    def step(self) -> None:
        """This one cell's turn; then its band joins the tissue's guidance."""
        self.model.schwann_band[:] = 0.0
        super().step()
        self.model.lay_schwann_bands()

    @staticmethod
    def born(model: Any, parent_slot: int, xy: tuple[int, int]) -> SchwannCell:
        """The daughter of the repair cell in ``parent_slot``: a denervated repair cell with her
        mother's capacity (and no vesicles of her own yet)."""
        sheet = model.sheet_of(SchwannCell)
        daughter = SchwannCell(model, xy, sheet.agents[parent_slot].p, True, counted=True)
        sheet.copy_row(parent_slot, daughter.slot)
        sheet.state[daughter.slot] = REPAIR
        sheet.denervated[daughter.slot] = 1
        sheet.ev[daughter.slot] = 0.0
        sheet.ngf[daughter.slot] = 0.0
        return daughter
