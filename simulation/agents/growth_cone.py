"""Growth cones: the motile tip of each regrowing axon.

A cut axon waits out a latency, then extends at a speed set by the neuron's intrinsic capacity,
trophic support, inflammation, myelin inhibitors (Nogo, MAG, OMgp: of myelin debris and of
intact CNS white matter, :meth:`NerveRepairModel.myelin_inhibitors`) and CSPG scar,
faster on repair Schwann-cell bands and with task-specific training. It steers up the trophic
gradient and away from scar, collapses on scar (less with training) and retracts along its own
path, and counts as *bridged* once past the lesion. At its tip it takes up vesicles (which
protect its neuron, see :mod:`simulation.agents.neuron`) and makes NGF from the NGF gene they
carry. Beyond the grid's distal edge it grows along a 1-D distal tract until it reaches the
target muscle. The voxels it passes are the axon (the ``axon`` layer counts axons per voxel).

The rules are the compiled functions below; :func:`turn` plays them for every cone in the
shuffled order, and :class:`GrowthCone` is the Mesa agent whose state lives in a
:class:`GrowthConeSheet`.

**The path lives in arrays.** Row ``s`` of the sheet's 2-D columns ``path_x`` and ``path_y``
holds the voxels cone ``s`` has grown into, oldest first, and ``path_len[s]`` how many there are
(the voxel the cone started in is not on its path). The rows are widened by doubling, before a
turn, so that every cone has room for :data:`MAX_STEPS` more voxels.

**At most** :data:`MAX_STEPS` **voxels a tick.** A cone extending several voxels in one tick
uses one uniform per step, and its row of uniforms has room for that many; growth beyond that in
one tick is lost (at default parameters a cone makes about two steps a tick, so the bound only
binds for speeds above ``MAX_STEPS * dx_um / dt_h``: 400 µm/h at 25 µm and 1 h, 200 µm/h at
12.5 µm).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from simulation.agents.base import TissueCell
from simulation.agents.mechanisms import vesicles
from simulation.engine.compiled import rule
from simulation.engine.moves import move_to, tick_chance
from simulation.engine.sheet import CellSheet, Column

#: Columns of a growth cone's parameter row (names in the ``[growth_cone]`` group).
PARAMS = (
    "speed_um_per_h",
    "latency_h",
    "trophic_half",
    "chemotaxis",
    "lateral_weight",
    "scar_stall",
    "debris_inhibition_half",
    "inflammation_half",
    "guidance_boost",
    "collapse_rate_per_h",
    "retraction_um",
    "trophic_floor",
    "forward_weight",
    "diagonal_weight",
    "sensing_um",
)
(
    _SPEED,
    _LATENCY,
    _TROPHIC_HALF,
    _CHEMOTAXIS,
    _LATERAL,
    _SCAR_STALL,
    _DEBRIS_HALF,
    _INFLAMMATION_HALF,
    _GUIDANCE,
    _COLLAPSE,
    _RETRACTION,
    _TROPHIC_FLOOR,
    _FORWARD,
    _DIAGONAL,
    _SENSING_UM,
) = range(len(PARAMS))

#: Positions in the knobs array :meth:`GrowthCone.kernel_args` builds each tick.
(
    DT,
    DX_UM,
    WIDTH,
    HEIGHT,
    GROWTH_CAPACITY,
    DISTAL_SUPPORT,
    REHAB_GROWTH,
    REHAB_CONSOLIDATION,
    DISTAL_PATH_UM,
    DISTAL_GROWTH_FACTOR,
    AGENT_WEIGHT,
    BRIDGE_UM,
    BRIDGE_REACH_UM,
    BRIDGE_SUPPORT,
) = range(14)

#: The most voxels a cone extends in one tick (see the module docstring).
MAX_STEPS = 16
#: Uniforms one cone may use in a turn: collapse, then one per extension step.
DRAWS = 1 + MAX_STEPS
#: Fate bit: the cone reached the muscle this turn (the muscle is told in :meth:`settle`).
ARRIVED = 8

#: The candidate steps, in the order a choice scans them: forward, the two diagonals forward,
#: the two sideways steps.
_STEP_DX = (1, 1, 1, 0, 0)
_STEP_DY = (0, -1, 1, -1, 1)


class GrowthConeSheet(CellSheet):
    """Every growth cone's state, path and parameters, indexed by its slot."""

    PARAMS = PARAMS
    COLUMNS: ClassVar[dict[str, tuple[Any, float, int]]] = {
        "neuron": (np.intp, -1, 0),
        "start_x": (np.intp, 0, 0),
        "age_h": (np.float64, 0.0, 0),
        "progress_um": (np.float64, 0.0, 0),
        "distal_um": (np.float64, 0.0, 0),
        "in_distal_tract": (np.int8, 0, 0),
        "arrived": (np.int8, 0, 0),
        "relayed": (np.int8, 0, 0),
        "trophic_seen": (np.float64, 0.0, 0),
        "cytokine_seen": (np.float64, 0.0, 0),
        **vesicles.SHEET_COLUMNS,
        "path_len": (np.intp, 0, 0),
    }
    #: Voxels of path room a new sheet gives each cone.
    PATH_WIDTH = 16

    def __init__(self, capacity: int = 64) -> None:
        self.path_width = self.PATH_WIDTH
        super().__init__(capacity)

    def _columns(self) -> dict[str, tuple[Any, float, int]]:
        return {
            **super()._columns(),
            "path_x": (np.intp, -1, self.path_width),
            "path_y": (np.intp, -1, self.path_width),
        }

    def reserve_path(self, room: int) -> None:
        """Widen the path rows (doubling) so every cone can grow ``room`` more voxels."""
        longest = int(self.path_len[: self.n].max()) if self.n else 0
        width = self.path_width
        while width < longest + room:
            width *= 2
        if width == self.path_width:
            return
        for name in ("path_x", "path_y"):
            old = getattr(self, name)
            new = np.full((old.shape[0], width), -1, dtype=old.dtype)
            new[:, : self.path_width] = old
            setattr(self, name, new)
        self.path_width = width


# ---------------------------------------------------------------------------------- rules
@rule
def unmake_axon(x, y, axon, myelin):
    """One axon leaves voxel ``(x, y)``, taking its share of the myelin with it."""
    if axon[x, y] > 0.0:
        myelin[x, y] -= myelin[x, y] / axon[x, y]
        axon[x, y] -= 1.0


@rule
def withdraw_axon(s, path_x, path_y, path_len, axon, myelin):
    """Cone ``s``'s neuron died: its whole regrown axon degenerates, tip first."""
    for k in range(path_len[s] - 1, -1, -1):
        unmake_axon(path_x[s, k], path_y[s, k], axon, myelin)
    path_len[s] = 0


@rule
def collapses(u, scar, p, consolidation, dt):
    """On scar a cone collapses at ``collapse_rate_per_h`` per unit of scar relative to the
    stall level; training consolidates it (prevents that share of collapses)."""
    if scar <= 0.0:
        return False
    rate = p[_COLLAPSE] * scar / p[_SCAR_STALL] * (1.0 - consolidation)
    return u < tick_chance(rate, dt)


@rule
def speed_um_per_h(trophic, cytokine, scar, debris, band, substrate, p, capacity):
    """Growth speed: capacity x trophic support x inhibition (cytokine, myelin debris) x scar x
    substrate x guidance by repair bands. ``capacity`` is the host's intrinsic capacity times
    training; trophic support rises from ``trophic_floor`` with no trophic factor to 1 at
    saturation; ``substrate`` is what the tissue supports (1, or a CNS lesion core's
    ``lesion_core_substrate``), unless bands (a graft, a scaffold, Schwann cells) give more."""
    floor = p[_TROPHIC_FLOOR]
    supported = floor + (1.0 - floor) * trophic / (trophic + p[_TROPHIC_HALF])
    inflamed = 1.0 / (1.0 + cytokine / p[_INFLAMMATION_HALF])
    inflamed /= 1.0 + debris / p[_DEBRIS_HALF]
    unscarred = max(0.0, 1.0 - scar / p[_SCAR_STALL])
    guided = (1.0 + p[_GUIDANCE] * min(1.0, band)) / (1.0 + p[_GUIDANCE])
    supporting = max(substrate, min(1.0, band))
    return p[_SPEED] * capacity * supported * inflamed * unscarred * supporting * guided


@rule
def step_weight(k, x, y, trophic, scar, band, p, height, dx):
    """How much the cone at ``(x, y)`` prefers candidate step ``k``: its base preference
    (``forward_weight``, ``diagonal_weight`` or ``lateral_weight``), up the trophic gradient,
    away from scar (never into stalling scar), along repair bands. 0 when the step is
    impossible."""
    base = p[_FORWARD] if k == 0 else (p[_DIAGONAL] if k < 3 else p[_LATERAL])
    nx = x + _STEP_DX[k]
    ny = y + _STEP_DY[k]
    if ny < 0 or ny >= height or base <= 0.0:
        return 0.0
    s = scar[nx, ny]
    if s >= p[_SCAR_STALL]:
        return 0.0
    here = trophic[x, y]
    cue = (
        p[_CHEMOTAXIS] * p[_SENSING_UM] / dx * (trophic[nx, ny] - here) / (here + p[_TROPHIC_HALF])
    )
    w = base * math.exp(min(cue, 30.0)) * (1.0 - s / p[_SCAR_STALL])
    return w * (1.0 + p[_GUIDANCE] * min(1.0, band[nx, ny]))


@rule
def choose_step(u, x, y, trophic, scar, band, p, height, dx):
    """One of the candidate steps, drawn with probability proportional to its weight from the
    uniform ``u``; -1 when every step is blocked."""
    total = 0.0
    for k in range(5):
        total += step_weight(k, x, y, trophic, scar, band, p, height, dx)
    if total <= 0.0:
        return -1
    target = u * total
    last = -1
    for k in range(5):
        w = step_weight(k, x, y, trophic, scar, band, p, height, dx)
        if w > 0.0:
            last = k
            target -= w
            if target < 0.0:
                return k
    return last  # u * total rounded up to the total


@rule
def extend(s, u, x, y, fate, p, path_x, path_y, path_len, trophic, scar, band, axon, crowd,
           height, dx):  # fmt: skip
    """Cone ``s`` advances one voxel, laying down axon there; False if every way is blocked."""
    xi = x[s]
    yi = y[s]
    k = choose_step(u, xi, yi, trophic, scar, band, p, height, dx)
    if k < 0:
        return False
    nx = xi + _STEP_DX[k]
    ny = yi + _STEP_DY[k]
    n = path_len[s]
    path_x[s, n] = nx
    path_y[s, n] = ny
    path_len[s] = n + 1
    axon[nx, ny] += 1.0
    move_to(s, x, y, fate, crowd, nx, ny)
    return True


@rule
def retract(s, x, y, fate, start_x, p, path_x, path_y, path_len, progress_um, axon, myelin,
            crowd, dx):  # fmt: skip
    """A collapsed cone pulls back ``retraction_um`` along its own path (at least one voxel),
    the axon it leaves degenerating; the tip keeps its place within a voxel, so it is that many
    whole voxels back. With no path left it stands where it started, at the cut."""
    steps = max(1, round(p[_RETRACTION] / dx))
    n = path_len[s]
    for _ in range(min(steps, n)):
        n -= 1
        unmake_axon(path_x[s, n], path_y[s, n], axon, myelin)
    path_len[s] = n
    if n > 0:
        move_to(s, x, y, fate, crowd, path_x[s, n - 1], path_y[s, n - 1])
    else:
        move_to(s, x, y, fate, crowd, start_x[s], y[s])
        progress_um[s] = dx


@rule
def distal_growth_um(p, kn, at_um):
    """Growth along the distal tract this tick, ``at_um`` past the grid's distal edge: top speed
    x the host's capacity x the tissue's distal growth factor x support by the Schwann cells
    there. Across a long gap's 1-D bridge (the first ``BRIDGE_UM``,
    :mod:`simulation.tissue.bridge`) the support is the bridge's, and a cone grows only as far
    as the bridge carries Schwann cells (``BRIDGE_REACH_UM``); then the distal stump's."""
    top = p[_SPEED] * kn[GROWTH_CAPACITY] * kn[DISTAL_GROWTH_FACTOR] * kn[DT]
    if at_um < kn[BRIDGE_UM]:
        return min(top * kn[BRIDGE_SUPPORT], max(0.0, kn[BRIDGE_REACH_UM] - at_um))
    return top * kn[DISTAL_SUPPORT]


@rule
def grow(s, u, x, y, fate, p, path_x, path_y, path_len, progress_um, in_distal, distal_um,
         trophic, cytokine, scar, debris, band, substrate, axon, crowd, capacity, kn):  # fmt: skip
    """Cone ``s`` grows for one tick, through each voxel at that voxel's speed.

    ``progress_um[s]`` is how far the tip has come into its voxel from the side it entered by
    (``dx`` at the far side). The tick's time is spent voxel by voxel: the tip crosses the rest
    of its voxel at the speed there, steps into the next one (``u`` gives one uniform per step)
    and goes on with the time left at the new voxel's speed. So a cone meets a slow voxel
    (the lesion core, debris, scar) where it begins, not after a whole tick or a whole voxel
    at the speed of the last one, which made how far cones came depend on the voxel size. Past
    the grid's distal edge the time left goes to the distal tract. Blocked on every side, or at
    :data:`MAX_STEPS` steps, the tip waits at the far side of its voxel."""
    dt = kn[DT]
    dx = kn[DX_UM]
    width = int(kn[WIDTH])
    height = int(kn[HEIGHT])
    left_h = dt
    steps = 0
    while True:
        xi = x[s]
        yi = y[s]
        speed = speed_um_per_h(trophic[xi, yi], cytokine[xi, yi], scar[xi, yi], debris[xi, yi],
                               band[xi, yi], substrate[xi, yi], p, capacity)  # fmt: skip
        need = dx - progress_um[s]
        if speed * left_h < need:
            progress_um[s] += speed * left_h
            return
        if need > 0.0:
            left_h -= need / speed
        progress_um[s] = dx
        if xi == width - 1:  # the grid's distal edge: on into the distal tract
            in_distal[s] = 1
            distal_um[s] += distal_growth_um(p, kn, distal_um[s]) * left_h / dt
            return
        if steps == MAX_STEPS:  # the bound on one tick's growth: the rest is lost
            return
        if not extend(s, u[1 + steps], x, y, fate, p, path_x, path_y, path_len, trophic, scar,
                      band, axon, crowd, height, dx):  # fmt: skip
            return
        progress_um[s] = 0.0
        steps += 1


@rule
def turn(order, u, x, y, fate, params, start_x, age_h, progress_um, distal_um, in_distal,
         arrived, relayed, trophic_seen, cytokine_seen, ev, ngf, path_x, path_y, path_len,
         trophic, cytokine, scar, debris, band, substrate, relay, ev_field, ngf_field, ev_sink,
         ngf_sink, trophic_source, axon, myelin, crowd, territory, kn, vk):  # fmt: skip
    """Every cone in ``order`` lives one tick: age, sense, take up vesicles and make NGF, then
    (past its latency) grow along the distal tract, or collapse on scar, or extend."""
    dt = kn[DT]
    dx = kn[DX_UM]
    capacity = kn[GROWTH_CAPACITY] * (1.0 + kn[REHAB_GROWTH])
    for i in range(order.shape[0]):
        s = order[i]
        p = params[s]
        age_h[s] += dt
        xi = x[s]
        yi = y[s]
        trophic_seen[s] = trophic[xi, yi]
        cytokine_seen[s] = cytokine[xi, yi]
        if not in_distal[s]:
            vesicles.absorb(s, xi, yi, ev, ngf, ev_field, ngf_field, ev_sink, ngf_sink,
                            vk[vesicles.NEURON_UPTAKE_PER_H], vk, territory,
                            kn[AGENT_WEIGHT])  # fmt: skip
            rate = vesicles.ngf_secretion_per_h(ngf[s], vk)
            if rate > 0.0:  # every tip of the bundle the agent stands for makes NGF
                trophic_source[xi, yi] += rate * kn[AGENT_WEIGHT] * dt
            relayed[s] = 1 if relay[xi, yi] > 0 else 0
        if arrived[s] or age_h[s] < p[_LATENCY]:
            continue
        if in_distal[s]:
            distal_um[s] += distal_growth_um(p, kn, distal_um[s])
            if distal_um[s] >= kn[BRIDGE_UM] + kn[DISTAL_PATH_UM]:
                arrived[s] = 1
                fate[s] |= ARRIVED
            continue
        if collapses(u[i, 0], scar[xi, yi], p, kn[REHAB_CONSOLIDATION], dt):
            retract(s, x, y, fate, start_x, p, path_x, path_y, path_len, progress_um, axon, myelin,
                    crowd, dx)  # fmt: skip
            continue
        grow(s, u[i], x, y, fate, p, path_x, path_y, path_len, progress_um, in_distal,
             distal_um, trophic, cytokine, scar, debris, band, substrate, axon, crowd,
             capacity, kn)  # fmt: skip


def regrown_um(x, start_x, progress_um, in_distal, distal_um, dx_um):
    """Regrowth along the nerve of cones (arrays): from the cut, the far side of the voxel a
    cone started in, to its tip (``progress_um`` into its voxel; at the far side of the last
    column once in the distal tract), plus the distance along the distal tract."""
    into = np.where(in_distal != 0, dx_um, progress_um)
    return np.maximum(0.0, (x - start_x - 1) * dx_um + into) + distal_um


# ---------------------------------------------------------------------------------- agent
class GrowthCone(vesicles.TakesUpVesicles, TissueCell):
    """The motile tip of one neuron's axon (see the module docstring).

    ``neuron`` is its neuron's agent (the link is stored as slots: this sheet's ``neuron``
    column, the neuron sheet's ``cone`` column).
    """

    SHEET = GrowthConeSheet
    DRAWS = DRAWS
    KERNEL = turn

    start_x = Column("start_x", "The x of the voxel the cone started from (the lesion's edge).")
    age_h = Column("age_h", "Hours since the injury cut the axon.")
    progress_um = Column(
        "progress_um", "How far the tip is into its voxel from the side it entered by (µm)."
    )
    distal_um = Column("distal_um", "Growth along the distal tract beyond the grid (µm).")
    in_distal_tract = Column("in_distal_tract", "Past the grid's distal edge.", bool, int)
    arrived = Column("arrived", "Reached the target muscle.", bool, int)
    relayed = Column("relayed", "Reached by a relaying graft neuron.", bool, int)
    trophic_seen = Column("trophic_seen", "Trophic factor at the tip this tick (au).")
    cytokine_seen = Column("cytokine_seen", "Cytokine at the tip this tick (au).")

    def __init__(
        self,
        model: Any,
        xy: tuple[int, int],
        params: Any,
        neuron: Any = None,
        counted: bool = False,
    ) -> None:
        super().__init__(model, xy, params, counted)
        self._sheet.start_x[self.slot] = xy[0]
        self._sheet.progress_um[self.slot] = model.dx_um  # the tip is at the cut, its far side
        if neuron is not None:
            neuron.cone = self

    @staticmethod
    def kernel_args(model: Any, sheet: GrowthConeSheet) -> tuple[Any, ...]:
        """Sheet columns, fields, buffers and knobs, in :func:`turn`'s order."""
        sheet.reserve_path(MAX_STEPS)
        f = model.fields
        sources = f.source_views
        sinks = f.sink_views
        return (
            sheet.x,
            sheet.y,
            sheet.fate,
            sheet.params,
            sheet.start_x,
            sheet.age_h,
            sheet.progress_um,
            sheet.distal_um,
            sheet.in_distal_tract,
            sheet.arrived,
            sheet.relayed,
            sheet.trophic_seen,
            sheet.cytokine_seen,
            sheet.ev,
            sheet.ngf,
            sheet.path_x,
            sheet.path_y,
            sheet.path_len,
            f["trophic"],
            f["cytokine"],
            f["scar"],
            model.myelin_inhibitors(),  # myelin debris and intact CNS white matter
            model.band,
            model.substrate,
            model.relay,
            f["ev"],
            f["ev_ngf"],
            sinks["ev"],
            sinks["ev_ngf"],
            sources["trophic"],
            model.axon,
            model.myelin,
            model.occupancy_of(GrowthCone),
            model.territory_overlap,
            GrowthCone.knobs(model),
            model.vesicle_knobs,
        )

    @staticmethod
    def knobs(model: Any) -> np.ndarray:
        """What the cones' rules need of ``model`` this tick, as one float array."""
        return np.array(
            [
                model.dt_h,
                model.dx_um,
                model.width,
                model.height,
                model.growth_capacity,
                model.distal_support,
                model.adjuncts_rehab("growth"),
                model.adjuncts_rehab("consolidation"),
                model.scenario.injury.distal_path_um,
                model.tissue.distal_growth_factor,
                model.bundles_per_axon_agent,
                *model.bridge_knobs(),
            ],
            dtype=np.float64,
        )

    @staticmethod
    def settle(model: Any, sheet: GrowthConeSheet, slots: np.ndarray) -> None:
        """Axons that reached the muscle this turn reinnervate it."""
        for s in slots.tolist():
            if sheet.fate[s] & ARRIVED:
                model.muscle.reinnervate()

    # ------------------------------------------------------------------ state
    @property
    def neuron(self) -> Any:
        """The neuron this cone belongs to (None once unlinked)."""
        from simulation.agents.neuron import Neuron

        n = int(self._sheet.neuron[self.slot])
        return self.model.sheet_of(Neuron).agents[n] if n >= 0 else None

    @property
    def path(self) -> list[tuple[int, int]]:
        """The voxels the axon has grown into, oldest first (a copy)."""
        s = self.slot
        sheet = self._sheet
        n = int(sheet.path_len[s])
        return list(zip(sheet.path_x[s, :n].tolist(), sheet.path_y[s, :n].tolist(), strict=True))

    @property
    def regrown_um(self) -> float:
        """Regrowth along the nerve from the cut (:func:`regrown_um`)."""
        sheet = self._sheet
        s = slice(self.slot, self.slot + 1)
        return float(
            regrown_um(sheet.x[s], sheet.start_x[s], sheet.progress_um[s],
                       sheet.in_distal_tract[s], sheet.distal_um[s], self.model.dx_um)[0]
        )  # fmt: skip

    @property
    def bridged(self) -> bool:
        """True once the tip stands past the lesion's distal edge plus the bridge margin, or
        past a long gap's 1-D bridge (:mod:`simulation.tissue.bridge`)."""
        if self.in_distal_tract:
            return self.distal_um >= self.model.bridge_length_um
        return self.xy[0] >= self.model.bridge_x

    # ------------------------------------------------------------------ by hand
    def withdraw(self) -> None:
        """The neuron died: the whole regrown axon degenerates and the cone disappears."""
        sheet = self._sheet
        model = self.model
        s = self.slot
        withdraw_axon(s, sheet.path_x, sheet.path_y, sheet.path_len, model.axon, model.myelin)
        self.die()

    def leave(self) -> None:
        """Leave the model: an axon that had reached the muscle no longer supplies it, and the
        neuron no longer has a cone."""
        from simulation.agents.neuron import Neuron

        sheet = self._sheet
        if sheet.arrived[self.slot]:
            self.model.muscle.denervate()
        n = int(sheet.neuron[self.slot])
        if n >= 0:
            neurons = self.model.sheet_of(Neuron)
            if neurons.cone[n] == self.slot:
                neurons.cone[n] = -1
            sheet.neuron[self.slot] = -1
        super().leave()
