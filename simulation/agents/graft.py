"""Transplanted cells: clusters of grafted stem or stromal cells, and cells held in the lungs.

A :class:`GraftCluster` is one agent standing for thousands of grafted cells in one voxel
(``cells_per_cluster``, 50,000 by default), kept as counts by state: ``progenitors``
(committed NPCs), ``undifferentiated`` (pluripotent remnants that may transform), ``neurons``
(neuron-like relay cells), ``glia`` (myelinating) and ``msc``. Each tick every count loses cells
binomially at the hazard of inflammation, of the empty cavity a cleared spinal lesion becomes,
of immune attack (less under immunosuppression and in a scaffold) and, for intravenously
delivered cells, of their poor engraftment: so an acute graft dies in the inflamed site, a
chronic one in the cavity, and a subacute one survives best. Progenitors differentiate; glia
myelinate; living cells fill the cavity around them with a permissive substrate that host
growth cones enter and follow; neurons grow processes and, once mature (weeks after they
appear, each cluster at its own time: 0.5-1.5 x ``relay_maturation_h``), relay host axons
across the lesion; all secrete trophic factor, MSCs also vesicles; an undifferentiated cell
can start a clone that is counted as a tumor event once detectable.
A cluster with no living cells and no clone leaves the tissue.

The rules are the compiled functions below; :func:`turn` plays them for every cluster in the
shuffled order, and :class:`GraftCluster` is the Mesa agent whose state lives in a
:class:`GraftSheet`.

Randomness. The counts change by binomial (and, for differentiation, multinomial) draws, not
by one uniform per cell. The kernel draws them itself from a NumPy ``Generator`` made for the
graft's binomials this tick (``model.streams``, passed in as an argument): Numba compiles
``Generator.binomial`` over the generator's own bit generator, the same algorithm NumPy runs,
so the compiled kernel and its ``.py_func`` draw identical numbers and leave the generator in
the same state, and a seed gives one result. This was chosen over a two-phase turn (a kernel
for the probabilities, one vectorised ``binomial`` in Python, a second kernel to apply them): it
keeps a cluster's rules in one pass in the order the biology reads (die, then differentiate those
left), and it costs one Generator hand-over per turn, less than the extra kernel call and
NumPy call of the two-phase turn. The multinomial split of leaving progenitors
is drawn as NumPy draws it, as a binomial for neurons, then one for glia among the rest. The
one scalar decision (does a remnant transform this tick) uses the turn's block of uniforms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from simulation.agents.base import TissueCell
from simulation.engine.compiled import rule
from simulation.engine.moves import die, tick_chance
from simulation.engine.sheet import CellSheet, Column
from simulation.fields.kernels import wrap_axon
from simulation.scenario.schema import CELL_TERRITORY_UM2


class GraftSource(Enum):
    """Where grafted cells come from."""

    NPC = "npc"  # iPSC-derived neural stem/progenitor cells
    MSC = "msc"  # mesenchymal stem/stromal cells


#: Sources in the order of their code in the sheet's ``source`` column.
SOURCES = (GraftSource.NPC, GraftSource.MSC)

#: Per-10,000-cell secretion rates are scaled by this.
_PER = 1.0e4

#: Columns of a cluster's parameter row (names in the ``[transplant]`` group).
PARAMS = (
    "base_death_per_h",
    "inflammation_death_per_h",
    "inflammation_half_cytokine",
    "immune_attack_per_h",
    "immunosuppression_factor",
    "scaffold_protection",
    "iv_homed_death_per_h",
    "npc_neuron_per_h",
    "npc_glia_per_h",
    "msc_differentiation_per_h",
    "npc_trophic_per_h",
    "msc_trophic_per_h",
    "msc_ev_per_h",
    "glia_myelination_per_h",
    "relay_min_cells",
    "relay_process_um_per_h",
    "transformation_per_cell_h",
    "tumor_doubling_h",
    "tumor_detect_cells",
    "cavity_death_per_h",
    "relay_maturation_h",
    "bridge_substrate",
    "bridge_half_cells",
    "bridge_reach_um",
)
(_BASE, _INFLAME, _HALF_CYTOKINE, _ATTACK, _SUPPRESSION, _SCAFFOLD, _IV_DEATH, _TO_NEURON,
 _TO_GLIA, _MSC_TO_GLIA, _NPC_TROPHIC, _MSC_TROPHIC, _MSC_EV, _MYELINATION, _RELAY_MIN,
 _PROCESS, _TRANSFORM, _DOUBLING, _DETECT, _CAVITY, _MATURATION, _SUBSTRATE, _BRIDGE_HALF,
 _BRIDGE_REACH) = range(len(PARAMS))  # fmt: skip

#: Model-level numbers of a turn (the ``world`` array): the tick, the switches (1.0 on), the
#: state of the treatments, and the geometry a relay needs.
WORLD = (
    "dt_h",
    "inflammation_death",
    "immune_attack",
    "immunosuppressed",
    "scaffold_support",
    "differentiation",
    "paracrine",
    "relay",
    "tumor",
    "scar_stall",
    "dx_um",
    "bridge_x",
    "cavity_death",
    "bridge",
    "lesion_debris_au",
    "lesion_x0",
)
(_DT, _ON_INFLAME, _ON_ATTACK, _SUPPRESSED, _ON_SCAFFOLD, _ON_DIFF, _ON_PARACRINE, _ON_RELAY,
 _ON_TUMOR, _SCAR_STALL, _DX, _BRIDGE_X, _ON_CAVITY, _ON_BRIDGE,
 _LESION_DEBRIS, _LESION_X0) = range(len(WORLD))  # fmt: skip

#: Uniforms one cluster may use in a turn: whether a remnant transforms; when its neurons
#: mature (drawn once, the tick it first has enough of them).
DRAWS = 2
#: Fate bits for :meth:`GraftCluster.settle`: a clone became detectable (a tumor event); a new
#: clone found its cluster's row of clone sizes full (the row is widened and the clone placed).
TUMOR, CLONES_FULL = 8, 16
#: Counts by state, in the order of the ``counts`` column.
STATES = ("progenitors", "undifferentiated", "neurons", "glia", "msc")
_PROG, _UNDIFF, _NEURON, _GLIA, _MSC = range(len(STATES))


class GraftSheet(CellSheet):
    """Every cluster's counts by state, source, route, process length and clones, by slot.

    ``clones`` holds each clone's size (cells) in the first ``n_clones`` places of a cluster's
    row; the row is widened for all clusters when one needs more (:meth:`widen_clones`).
    ``new_tumors`` is how many of a cluster's clones became detectable in its last turn.
    """

    PARAMS = PARAMS

    clones: np.ndarray

    def __init__(self, capacity: int = 64, clone_capacity: int = 4) -> None:
        self.clone_capacity = clone_capacity
        super().__init__(capacity)

    def _columns(self) -> dict[str, tuple[Any, float, int]]:
        return {
            **super()._columns(),
            "counts": (np.int64, 0, len(STATES)),
            "source": (np.int8, 0, 0),
            "iv": (np.int8, 0, 0),
            "process_um": (np.float64, 0.0, 0),
            "neuron_age_h": (np.float64, 0.0, 0),
            "mature_at_h": (np.float64, 0.0, 0),
            "n_clones": (np.int64, 0, 0),
            "new_tumors": (np.int64, 0, 0),
            "clones": (np.float64, 0.0, self.clone_capacity),
        }

    def widen_clones(self) -> None:
        """Twice the room for clone sizes in every cluster's row."""
        wider = np.zeros((len(self.clones), 2 * self.clone_capacity))
        wider[:, : self.clone_capacity] = self.clones
        self.clone_capacity *= 2
        self.clones = wider


# ---------------------------------------------------------------------------------- rules
@rule
def cavity_at(x, y, debris, lesion, world):
    """How far the lesion at ``(x, y)`` has become a cavity (0-1): the share of its necrotic
    tissue macrophages have cleared away (0 outside the lesion)."""
    if not lesion[x, y] or world[_LESION_DEBRIS] <= 0.0:
        return 0.0
    return max(0.0, 1.0 - debris[x, y] / world[_LESION_DEBRIS])


@rule
def hazard(p, cytokine, cavity, shielded, iv, world):
    """Death rate (1/h) of a grafted cell: a baseline, inflammation rising with ``cytokine``
    to a saturating rate, the empty cavity of a cleared lesion (no matrix to hold on to),
    immune attack (cut by immunosuppressive drugs), and the poor engraftment of intravenously
    delivered cells. A scaffold (``shielded``) takes away ``scaffold_protection`` of the
    inflammatory, cavity and immune death."""
    keep = 1.0
    if shielded and world[_ON_SCAFFOLD] > 0.0:
        keep = 1.0 - p[_SCAFFOLD]
    rate = p[_BASE]
    if world[_ON_INFLAME] > 0.0:
        rate += keep * p[_INFLAME] * cytokine / (cytokine + p[_HALF_CYTOKINE])
    if world[_ON_CAVITY] > 0.0:
        rate += keep * p[_CAVITY] * cavity
    if world[_ON_ATTACK] > 0.0:
        attack = p[_ATTACK] * keep
        if world[_SUPPRESSED] > 0.0:
            attack *= p[_SUPPRESSION]
        rate += attack
    if iv:
        rate += p[_IV_DEATH]
    return rate


@rule
def survive(counts, rate, dt, rng):
    """Every cell of every state dies with probability ``1 - exp(-rate dt)`` this tick
    (a binomial draw per state). Returns the cells left."""
    p_die = tick_chance(rate, dt)
    left = 0
    for k in range(counts.shape[0]):
        n = counts[k]
        if n > 0 and p_die > 0.0:
            n -= rng.binomial(n, p_die)
            counts[k] = n
        left += n
    return left


@rule
def differentiate(counts, p, dt, rng):
    """Progenitors leave their state at ``npc_neuron_per_h + npc_glia_per_h`` (competing
    exits: ``P(leave) = 1 - exp(-(kn + kg) dt)``, split kn : kg) to become neuron-like or glial
    cells; MSCs rarely become glia-like."""
    n = counts[_PROG]
    kn = p[_TO_NEURON]
    kg = p[_TO_GLIA]
    if n > 0 and kn + kg > 0.0:
        leave = tick_chance(kn + kg, dt)
        pn = leave * kn / (kn + kg)
        # The multinomial (neuron, glia, stay) as NumPy draws it: neurons, then glia among
        # the rest with their conditional share.
        to_neuron = rng.binomial(n, pn) if pn > 0.0 else 0
        to_glia = 0
        rest = n - to_neuron
        if rest > 0 and pn < 1.0:
            pg = min(1.0, (leave - pn) / (1.0 - pn))
            if pg > 0.0:
                to_glia = rng.binomial(rest, pg)
        counts[_PROG] = n - to_neuron - to_glia
        counts[_NEURON] += to_neuron
        counts[_GLIA] += to_glia
    m = counts[_MSC]
    if m > 0 and p[_MSC_TO_GLIA] > 0.0:
        k = rng.binomial(m, tick_chance(p[_MSC_TO_GLIA], dt))
        counts[_MSC] = m - k
        counts[_GLIA] += k


@rule
def secrete(x, y, counts, p, dt, trophic_source, ev_source):
    """Trophic factor from every grafted cell; vesicles from MSCs (their paracrine action).
    Rates are per 10,000 cells."""
    neural = counts[_PROG] + counts[_UNDIFF] + counts[_NEURON] + counts[_GLIA]
    msc = counts[_MSC]
    rate = (p[_NPC_TROPHIC] * neural + p[_MSC_TROPHIC] * msc) / _PER
    if rate > 0.0:
        trophic_source[x, y] += rate * dt
    if msc > 0 and p[_MSC_EV] > 0.0:
        ev_source[x, y] += p[_MSC_EV] * msc / _PER * dt


#: The whole of one voxel (a cluster wraps the axon in its own voxel).
_HERE = np.ones(1)


@rule
def myelinate(x, y, glia, p, dt, axon, myelin):
    """Graft glia wrap bare regrown axon in their voxel, at ``glia_myelination_per_h`` per
    1000 glia."""
    wrap_axon(axon, myelin, x, y, _HERE, _HERE, tick_chance(p[_MYELINATION] * glia / 1000.0, dt))


@rule
def lay_bridge(x, y, cells, p, world, band):
    """Grafted cells fill the cavity around them with a permissive substrate host growth cones
    can enter and follow (read like a guidance band): ``bridge_substrate`` at saturating cells
    (half at ``bridge_half_cells``), within ``bridge_reach_um`` of the cluster."""
    level = p[_SUBSTRATE] * cells / (cells + p[_BRIDGE_HALF])
    reach = int(p[_BRIDGE_REACH] / world[_DX] + 0.5)
    w, h = band.shape
    for i in range(max(0, x - reach), min(w, x + reach + 1)):
        for j in range(max(0, y - reach), min(h, y + reach + 1)):
            if band[i, j] < level:
                band[i, j] = level


@rule
def extend_relay(x, y, process_um, mature, p, scar, world, relay):
    """Graft neurons' processes grow toward both stumps (slowed by scar, stalled at
    ``scar_stall``); once the neurons are ``mature`` (synapse-forming) and their processes
    reach the bridge they relay host axons that have grown into the graft (past the lesion's
    proximal edge) along their reach, in their row and the rows beside it. Returns the new
    process length (µm)."""
    process_um += p[_PROCESS] * world[_DT] * max(0.0, 1.0 - scar / world[_SCAR_STALL])
    reach = int(process_um / world[_DX])
    if mature and x + reach >= world[_BRIDGE_X]:
        w, h = relay.shape
        for i in range(max(int(world[_LESION_X0]), x - reach), min(w, x + 1)):
            for j in range(max(0, y - 1), min(h, y + 2)):
                relay[i, j] = 1
    return process_um


@rule
def clone_growth(p, dt):
    """Factor a transformed clone grows by in one tick (doubling every ``tumor_doubling_h``)."""
    return math.exp(math.log(2.0) * dt / p[_DOUBLING])


@rule
def becomes_detectable(size, grown, p):
    """A clone growing from ``size`` to ``grown`` cells crosses ``tumor_detect_cells``."""
    return size < p[_DETECT] <= grown


@rule
def grow_clones(s, u, counts, p, dt, n_clones, clones):
    """Clones grow; an undifferentiated cell may transform (at ``transformation_per_cell_h``
    each) and start a clone that grows from this tick on. Returns the clones that became
    detectable and whether a new clone found no room in the row (then the caller places it).
    """
    growth = clone_growth(p, dt)
    detected = 0
    for k in range(n_clones[s]):
        grown = clones[s, k] * growth
        if becomes_detectable(clones[s, k], grown, p):
            detected += 1
        clones[s, k] = grown
    undiff = counts[_UNDIFF]
    if undiff > 0 and u < tick_chance(p[_TRANSFORM] * undiff, dt):
        counts[_UNDIFF] = undiff - 1
        if n_clones[s] == clones.shape[1]:
            return detected, True
        clones[s, n_clones[s]] = growth
        n_clones[s] += 1
        if becomes_detectable(1.0, growth, p):
            detected += 1
    return detected, False


@rule
def turn(order, u, rng, x, y, fate, params, counts, iv, process_um, neuron_age_h, mature_at_h,
         n_clones, clones, new_tumors, cytokine, scar, debris, lesion, scaffold, trophic_source,
         ev_source, axon, myelin, relay, band, crowd, world):  # fmt: skip
    """Every cluster in ``order`` lives one tick: survive, differentiate, secrete, myelinate,
    fill the cavity with substrate, relay once its neurons have matured, and its remnants
    perhaps transform. ``rng``: this turn's NumPy Generator."""
    dt = world[_DT]
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        xi = x[s]
        yi = y[s]
        c = counts[s]
        new_tumors[s] = 0
        shielded = scaffold[xi, yi] if world[_ON_SCAFFOLD] > 0.0 else False
        cavity = cavity_at(xi, yi, debris, lesion, world)
        rate = hazard(p, cytokine[xi, yi], cavity, shielded, iv[s] != 0, world)
        left = survive(c, rate, dt, rng)
        if left == 0 and n_clones[s] == 0:
            die(s, x, y, fate, crowd)
            continue
        if world[_ON_DIFF] > 0.0:
            differentiate(c, p, dt, rng)
        if world[_ON_PARACRINE] > 0.0:
            secrete(xi, yi, c, p, dt, trophic_source, ev_source)
        if c[_GLIA] > 0:
            myelinate(xi, yi, c[_GLIA], p, dt, axon, myelin)
        if world[_ON_BRIDGE] > 0.0 and left > 0:
            lay_bridge(xi, yi, left, p, world, band)
        if world[_ON_RELAY] > 0.0 and c[_NEURON] >= p[_RELAY_MIN]:
            if neuron_age_h[s] == 0.0:  # neurons mature asynchronously: 0.5-1.5 x the mean
                mature_at_h[s] = p[_MATURATION] * (0.5 + u[i, 1])
            neuron_age_h[s] += dt
            mature = neuron_age_h[s] >= mature_at_h[s]
            process_um[s] = extend_relay(xi, yi, process_um[s], mature, p, scar[xi, yi], world,
                                         relay)  # fmt: skip
        if world[_ON_TUMOR] > 0.0:
            detected, full = grow_clones(s, u[i, 0], c, p, dt, n_clones, clones)
            if detected:
                new_tumors[s] = detected
                fate[s] |= TUMOR
            if full:
                fate[s] |= CLONES_FULL


# ---------------------------------------------------------------------------------- agent
class _Count(Column):
    """One state's cell count: a place in the cluster's ``counts`` row."""

    def __init__(self, state: str) -> None:
        super().__init__("counts", f"Grafted {state} in this cluster (cells).")
        self.k = STATES.index(state)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        return int(obj._sheet.counts[obj.slot, self.k])

    def __set__(self, obj: Any, value: Any) -> None:
        obj._sheet.counts[obj.slot, self.k] = value


class GraftCluster(TissueCell):
    """A cluster of grafted cells at one voxel: one agent stands for thousands of cells
    (see the module docstring)."""

    SHEET = GraftSheet
    DRAWS = DRAWS
    KERNEL = turn
    progenitors = _Count("progenitors")
    undifferentiated = _Count("undifferentiated")
    neurons = _Count("neurons")
    glia = _Count("glia")
    msc = _Count("msc")
    source = Column("source", "Where the cells came from.", SOURCES.__getitem__, SOURCES.index)
    iv = Column("iv", "Delivered intravenously (homed to the lesion).", bool, int)
    process_um = Column("process_um", "Length of the graft neurons' processes (µm).")
    neuron_age_h = Column(
        "neuron_age_h", "Hours since this cluster first had enough neurons to relay (h)."
    )
    mature_at_h = Column("mature_at_h", "Neuron age at which this cluster's neurons relay (h).")

    def __init__(
        self,
        model: Any,
        xy: tuple[int, int],
        params: Any,
        source: GraftSource,
        cells: int,
        undifferentiated_fraction: float = 0.0,
        iv: bool = False,
    ) -> None:
        super().__init__(model, xy, params)
        self.source = source
        self.iv = iv
        if source is GraftSource.MSC:
            self.msc = cells
        else:
            self.undifferentiated = round(cells * undifferentiated_fraction)
            self.progenitors = cells - self.undifferentiated

    @property
    def alive(self) -> int:
        """Living grafted cells in this cluster (transformed clones not included)."""
        return int(self._sheet.counts[self.slot].sum())

    @property
    def clones(self) -> list[float]:
        """Sizes (cells) of this cluster's transformed clones, oldest first."""
        sheet = self._sheet
        return sheet.clones[self.slot, : sheet.n_clones[self.slot]].tolist()

    def hazard_per_h(self) -> float:
        """Death rate of a grafted cell here and now (the kernel's :func:`hazard`)."""
        model = self.model
        sheet = self._sheet
        x, y = self.xy
        world = _world(model)
        return hazard(
            sheet.params[self.slot],
            float(model.fields["cytokine"][x, y]),
            cavity_at(x, y, model.fields["debris"], model.lesion_mask, world),
            bool(
                world[_ON_SCAFFOLD]
                and model.therapy.scaffold is not None
                and model.therapy.scaffold[x, y]
            ),
            bool(sheet.iv[self.slot]),
            world,
        )

    @staticmethod
    def kernel_args(model: Any, sheet: GraftSheet) -> tuple[Any, ...]:
        """The Generator, sheet columns, fields, buffers and model numbers, in :func:`turn`'s
        order."""
        fields = model.fields
        return (
            model.streams.generator("graft binomials", model.tick),
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.params,
            sheet.counts,
            sheet.iv,
            sheet.process_um,
            sheet.neuron_age_h,
            sheet.mature_at_h,
            sheet.n_clones,
            sheet.clones,
            sheet.new_tumors,
            fields["cytokine"],
            fields["scar"],
            fields["debris"],
            model.lesion_mask,
            _scaffold(model),
            fields.source_views["trophic"],
            fields.source_views["ev"],
            model.axon,
            model.myelin,
            model.relay,
            model.band,
            model.occupancy_of(GraftCluster),
            _world(model),
        )

    @staticmethod
    def settle(model: Any, sheet: GraftSheet, slots: np.ndarray) -> None:
        """Count the tumor events of the turn; place clones that found their row full."""
        full = slots[(sheet.fate[slots] & CLONES_FULL) != 0]
        for slot in full.tolist():
            if sheet.n_clones[slot] == sheet.clone_capacity:
                sheet.widen_clones()
            p = sheet.params[slot]
            growth = clone_growth(p, model.dt_h)
            sheet.clones[slot, sheet.n_clones[slot]] = growth
            sheet.n_clones[slot] += 1
            if becomes_detectable(1.0, growth, p):
                sheet.new_tumors[slot] += 1
        model.therapy.tumor_events += int(sheet.new_tumors[slots].sum())


def _world(model: Any) -> np.ndarray:
    """The model-level numbers of a turn, in the order of :data:`WORLD`."""
    on = model.scenario.mechanisms
    return np.array(
        [
            model.dt_h,
            on.graft_inflammation_death,
            on.graft_immune_attack,
            model.therapy.immunosuppressed(model.hours),
            on.scaffold_support and model.therapy.scaffold is not None,
            on.graft_differentiation,
            on.graft_paracrine,
            on.graft_relay,
            on.graft_tumor,
            model.scenario.growth_cone.scar_stall,
            model.dx_um,
            model.bridge_x,
            on.graft_cavity_death,
            on.graft_bridge,
            # Only the spinal cord cavitates; the reference is the debris the injury left.
            model.tissue.lesion_debris_au * model.severity if model.is_spinal else 0.0,
            model.lesion_x0,
        ],
        dtype=np.float64,
    )


#: Stands for the scaffold where there is none (``scaffold_support`` is then 0 in the world).
_NO_SCAFFOLD = np.zeros((1, 1), dtype=bool)


def _scaffold(model: Any) -> np.ndarray:
    """Where a scaffold lies (bool per voxel), or a 1x1 stand-in when there is none (the
    kernel reads it only when the world says a scaffold supports the graft)."""
    scaffold = model.therapy.scaffold
    return _NO_SCAFFOLD if scaffold is None else scaffold


@dataclass
class LungDepot:
    """Intravenous cells trapped in the lungs: cleared within days, acting only by secretion.

    Not on the grid. MSCs here release vesicles of which a small share reaches the lesion.
    """

    cells: dict[GraftSource, float] = field(default_factory=dict)
    #: Every cell given intravenously so far (the lungs' share and the share that homes).
    given: float = 0.0

    def receive(self, source: GraftSource, cells: float) -> None:
        """Cells arriving in the lungs."""
        self.cells[source] = self.cells.get(source, 0.0) + cells

    def share_trapped(self) -> float:
        """The share of every cell given intravenously that is still in the lungs (0 before
        any)."""
        return sum(self.cells.values()) / self.given if self.given > 0.0 else 0.0

    def step(self, model) -> None:
        """Clear cells and send the MSCs' vesicles to the lesion."""
        if not self.cells:
            return
        p = model.scenario.transplant
        keep = math.exp(-p.iv_lung_clearance_per_h * model.dt_h)
        msc = self.cells.get(GraftSource.MSC, 0.0)
        if msc > 0 and model.scenario.mechanisms.graft_paracrine:
            # What these cells would secrete into their territories, the share that reaches the
            # lesion spread over its area (a cluster at the lesion secretes per territory too).
            per_tick = p.msc_ev_per_h * msc / _PER * p.iv_systemic_ev_fraction * model.dt_h
            concentration = per_tick * CELL_TERRITORY_UM2 / model.lesion_area_um2
            model.fields.add_uniform_source("ev", concentration, mask=model.lesion_mask)
        for source in list(self.cells):
            self.cells[source] *= keep
            if self.cells[source] < 1.0:
                del self.cells[source]
