"""NerveRepairModel: the tissue, its cells and its fields, advanced one tick at a time."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
from mesa import Model
from mesa.discrete_space import OrthogonalMooreGrid

from simulation.agents.astrocyte import Astrocyte
from simulation.agents.graft import GraftCluster
from simulation.agents.growth_cone import GrowthCone
from simulation.agents.macrophage import Macrophage
from simulation.agents.mechanisms import vesicles
from simulation.agents.muscle import TargetMuscle
from simulation.agents.neuron import Neuron
from simulation.agents.neutrophil import Neutrophil
from simulation.agents.oligodendrocyte import Oligodendrocyte
from simulation.agents.schwann import SchwannCell
from simulation.agents.spared_fibres import SparedFibres
from simulation.engine.compiled import rule
from simulation.engine.mesa_compat import empty_layer, share_cell_class
from simulation.engine.sheet import CellSheet, restore_attributes
from simulation.engine.streams import Streams
from simulation.fields import FieldSet, FieldSpec
from simulation.fields.fieldset import (
    spread_over_territory,
    territory_overlap,
    territory_side,
)
from simulation.scenario.schema import (
    CELL_TERRITORY_UM2,
    MM2_PER_UM2,
    Scenario,
    parameter_info,
)
from simulation.tissue.bridge import Bridge
from simulation.tissue.clearance import ClearanceLedger
from simulation.tissue.distal_myelin import DistalMyelin
from simulation.tissue.neuropathy import ChronicNerve
from simulation.tissue.pain import PainSensitization
from simulation.tissue.therapies import TherapyState, deliver, schedule

#: Cell types in the order they act each tick; within a type the order is shuffled.
#: Immune cells act first (they respond to the previous tick's fields), glia next (Schwann cells
#: lay down this tick's guidance bands), grafted cells (which mark relays), then neurons and last
#: their growth cones.
ACTIVATION_ORDER = (
    Neutrophil,
    Macrophage,
    Astrocyte,
    Oligodendrocyte,
    SchwannCell,
    GraftCluster,
    Neuron,
    GrowthCone,
)

#: Chemical fields (diffusing or not) and structural tissue layers (never diffusing).
CHEMICAL_FIELDS = ("cytokine", "trophic", "ev", "ev_ngf", "debris", "scar")
TISSUE_LAYERS = ("axon", "myelin")
#: Fields cells lay and eat over their territory as whole blocks of voxels, not spread over it
#: (matter that does not mix: scar keeps gaps between cells, which growth cones find; a cell
#: eats the debris of the patch it covers): see ``FieldSpec.laid_in_blocks``.
LAID_IN_BLOCKS = ("scar", "debris")


@rule
def recruitment_weights(
    cytokine, debris, neutrophil_half, monocyte_half, debris_weight, debris_half, neutrophils,
    monocytes,
):  # fmt: skip
    """Where leukocytes leave the vessels, per voxel: neutrophils answer cytokine (half weight at
    ``neutrophil_half``); monocytes answer cytokine and the find-me signals of debris and dying
    cells (``debris_weight`` at saturating debris, half at ``debris_half``)."""
    w, h = cytokine.shape
    for x in range(w):
        for y in range(h):
            c = cytokine[x, y]
            d = debris[x, y]
            neutrophils[x, y] = c / (c + neutrophil_half)
            monocytes[x, y] = c / (c + monocyte_half) + debris_weight * d / (d + debris_half)


def patient_severity(scenario: Scenario, seed: int) -> float:
    """The share of the cross-section the lesion of virtual patient ``seed`` destroyed:
    ``injury.severity``, or with ``injury.severity_sd`` a normal draw around it (on its own
    random stream, so no other draw of the run moves, and a treated patient and the untreated
    twin of the same seed share it), kept inside the severity's allowed range."""
    inj = scenario.injury
    if inj.severity_sd <= 0.0:
        return inj.severity
    _, low, high = parameter_info("injury.severity")
    draw = Streams(seed).generator("patient severity", 0).normal(inj.severity, inj.severity_sd)
    return float(np.clip(draw, low, high))


class NerveRepairModel(Model):
    """An injured nerve or spinal cord, as a longitudinal slice.

    x runs from the proximal side (x = 0, neuron somata or proximal stump) through the lesion to
    the distal side (x = width - 1, toward the target muscle); y runs across the tissue.

    One tick (:meth:`step`), in this order:

    0. therapy deliveries due now (cells, vesicle boluses, enzyme, scaffold, training), and the
       treatments in force: scaffold guidance, scar digestion, vesicles from cells in the lungs;
    1. injury processes: DAMPs from fresh necrotic debris, Wallerian debris in the distal
       stump, host baseline inflammation (all into the source buffers);
    2. leukocyte recruitment from vessels where cytokine is high;
    3. each cell type in :data:`ACTIVATION_ORDER`, shuffled within the type; cells read the
       fields and write secretion and uptake into buffers;
    4. buffered sources and sinks applied once, then one implicit diffusion–decay tick;
    5. the spared fibres' collaterals (spinal cord), the target muscle (or, in a chronic
       neuropathy, the nerve's fibres); the clock advances.

    Recording is the runner's job (:func:`simulation.runs.runner.run`).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | None = None,
        *,
        injured: bool = True,
        shape: tuple[int, int] | None = None,
    ) -> None:
        """Build the tissue of ``scenario``.

        Args:
            scenario: the validated scenario.
            seed: seeds every random choice: the set-up (Mesa's ``random`` and ``rng``) and
                every draw of the run (:attr:`streams`, common random numbers across arms
                with the same seed: :mod:`simulation.engine.streams`). None: a seed drawn
                from the OS once, kept in :attr:`seed`.
            injured: False builds a sandbox: no lesion, no debris, no resident cells, no injury
                signals, for placing cells by hand (tests, teaching).
            shape: sandbox grid size ``(width, height)`` instead of the scenario's.
        """
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        super().__init__(seed=seed)
        self.scenario = scenario
        self.seed = seed
        self.streams = Streams(seed)
        self.injured = injured
        g = scenario.grid
        self.width, self.height = shape if shape is not None else (g.width_voxels, g.height_voxels)
        self.dx_um = g.dx_um
        self.dt_h = scenario.time.dt_h
        self.hours = 0.0
        self.tissue = scenario.tissue
        self.is_spinal = scenario.injury.type == "spinal_cord"
        self.grid = OrthogonalMooreGrid((self.width, self.height), torus=False, random=self.random)
        share_cell_class(self.grid)
        self.fields = FieldSet(
            (self.width, self.height),
            self.dx_um,
            [
                *(
                    FieldSpec(
                        name,
                        **getattr(scenario.fields, name).model_dump(),
                        laid_in_blocks=name in LAID_IN_BLOCKS,
                    )
                    for name in CHEMICAL_FIELDS
                ),
                *(FieldSpec(name) for name in TISSUE_LAYERS),
            ],
            dt_h=self.dt_h,
            grid=self.grid,
            cell_scale=CELL_TERRITORY_UM2 / self.dx_um**2,
        )
        self.voxel_cells = {cell.coordinate: cell for cell in self.grid.all_cells}
        self.axon = self.fields["axon"]
        self.myelin = self.fields["myelin"]
        self.band = np.zeros((self.width, self.height))
        self.schwann_band = np.zeros((self.width, self.height))
        self.relay = np.zeros((self.width, self.height), dtype=np.int8)
        #: Intact CNS white matter (1) whose myelin carries growth inhibitors (Nogo, MAG,
        #: OMgp): set at injury in the spared tracts, the rows outside the lesion (in the cut
        #: tracts the distal stump's myelin is debris, and the cones start at the lesion edge,
        #: so a cone's first voxel does not slow it by an amount that depends on the voxel).
        self.intact_myelin = np.zeros((self.width, self.height))
        self._inhibitors = np.zeros((self.width, self.height))
        #: Growth each voxel supports without a bridge (1; a CNS lesion core less).
        self.substrate = np.ones((self.width, self.height))
        self.therapy = TherapyState()
        self.events = schedule(scenario)
        self._next_event = 0
        self.ev_active = False
        self.vesicle_knobs = vesicles.knobs(self)
        #: The share of each voxel (centred on a cell, along one axis) its territory covers,
        #: and the voxels one Schwann cell's internodes span along the nerve.
        self.territory_overlap = territory_overlap(CELL_TERRITORY_UM2 / self.dx_um**2)
        self.territory_side = territory_side(CELL_TERRITORY_UM2 / self.dx_um**2)
        internode = round(scenario.schwann.internode_um / self.dx_um)
        self.internode_along = np.ones(2 * internode + 1)
        #: Territories either side across the nerve over which a repair cell meets axons.
        self.axon_reach_territories = round(
            scenario.schwann.axon_reach_um / (self.territory_side * self.dx_um)
        )
        self.apoptotic_neutrophils = np.zeros((self.width, self.height), dtype=np.int32)
        self.clearance = ClearanceLedger((self.width, self.height))
        self.sheets: dict[type, CellSheet] = {}
        self._occupancy: dict[type, np.ndarray] = {}
        self.empty_view = empty_layer(self.grid)
        self._place_lesion()
        self._set_host()
        #: A long gap's 1-D bridge and distal stump (None: the grid holds the whole injury).
        self.bridge = Bridge(self) if scenario.injury.gap_length_um > 0.0 else None
        self.neurons_lost = 0
        self.distal_support = 1.0
        self.debris_peak = 0.0
        self.muscle = TargetMuscle(self, scenario.muscle)
        self.pain = PainSensitization(self)
        self.distal_myelin = DistalMyelin()
        self.neuron_count_initial = scenario.neuron.count
        #: A chronic neuropathy's fibres (``injury.type = "neuropathy"``), else None.
        self.nerve: ChronicNerve | None = None
        if injured and scenario.injury.type == "neuropathy":
            # No lesion: the grid is a patch of the distal nerve that secretions and doses
            # reach, and the disease lives in the fibres (simulation/tissue/neuropathy.py).
            self.lesion_mask[:] = True
            self.distal_mask[:] = False
            self.nerve = ChronicNerve(self)
        elif injured:
            self._seed_tissue()
        else:
            self.lesion_mask[:] = False
            self.distal_mask[:] = False
        self.spared = SparedFibres(self, scenario.sprouting)
        self.debris_peak = float(self.fields["debris"].sum())

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the memoryview of the grid's empty layer; unpickling remakes it."""
        state = self.__dict__.copy()
        del state["empty_view"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        restore_attributes(self, state)
        # The FieldSet has re-linked its layers; these arrays are views of them too.
        self.axon = self.fields["axon"]
        self.myelin = self.fields["myelin"]
        self.empty_view = empty_layer(self.grid)

    def __deepcopy__(self, memo: dict) -> NerveRepairModel:
        """A copy by pickling: Mesa's AgentSets hold weak references, which ``deepcopy`` would
        share with the original instead of copying."""
        return pickle.loads(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    def retarget(self, scenario: Scenario) -> None:
        """Continue as ``scenario``, which may differ from this one only in its interventions
        and name, before anything has been delivered (see :mod:`simulation.runs.branching`)."""
        if self._next_event:
            raise ValueError("retarget: a therapy has already been delivered")
        self.scenario = scenario
        self.events = schedule(scenario)

    # ------------------------------------------------------------------ geometry
    def _place_lesion(self) -> None:
        inj = self.scenario.injury
        #: The share of the cross-section this patient's lesion destroyed.
        self.severity = patient_severity(self.scenario, self.seed)
        length = max(1, round(inj.lesion_length_um / self.dx_um))
        self.lesion_x0 = max(2, round(inj.lesion_start_fraction * self.width))
        self.lesion_x1 = min(self.width, self.lesion_x0 + length)  # scenarios check it fits
        self.bridge_x = min(
            self.width - 1, self.lesion_x1 + round(inj.bridge_margin_um / self.dx_um)
        )
        span = max(1, round(self.severity * self.height))
        self.lesion_y0 = (self.height - span) // 2
        self.lesion_y1 = self.lesion_y0 + span
        #: Share of the cross-section outside the lesion: fibres that were never cut (the
        #: patient's severity itself, not the rows the grid rounds it to, so that it does not
        #: depend on the grid).
        self.spared_fraction = 1.0 - self.severity
        self.lesion_mask = np.zeros((self.width, self.height), dtype=bool)
        self.lesion_mask[self.lesion_x0 : self.lesion_x1, self.lesion_y0 : self.lesion_y1] = True
        self.distal_mask = np.zeros_like(self.lesion_mask)
        self.distal_mask[self.lesion_x1 :, self.lesion_y0 : self.lesion_y1] = True

    def _set_host(self) -> None:
        h = self.scenario.host
        decades = max(0.0, (h.age_years - 30.0) / 10.0)
        self.growth_capacity = self.tissue.intrinsic_growth * max(
            0.05, 1.0 - h.age_growth_loss_per_decade * decades
        )
        self.host_neuron_stress = h.chemo_neuron_stress if h.chemotherapy_exposed else 0.0
        self.schwann_capacity = h.diabetic_schwann_factor if h.diabetic else 1.0
        self.macrophage_recruitment = h.diabetic_recruitment_factor if h.diabetic else 1.0
        self.baseline_cytokine_per_h = h.diabetic_cytokine_per_h if h.diabetic else 0.0

    def sheet_of(self, kind: Any) -> CellSheet:
        """The per-cell state arrays of cell type ``kind`` (made on first use)."""
        sheet = self.sheets.get(kind)
        if sheet is None:
            sheet = self.sheets[kind] = kind.SHEET()
        return sheet

    def occupancy_of(self, kind: type) -> np.ndarray:
        """Count of cells of ``kind`` per voxel (kept by the cells themselves)."""
        occ = self._occupancy.get(kind)
        if occ is None:
            occ = self._occupancy[kind] = np.zeros((self.width, self.height), dtype=np.int32)
        return occ

    # ------------------------------------------------------------------ set-up
    @property
    def bundles_per_axon_agent(self) -> float:
        """Axon bundles one neuron agent's axon stands for (``neuron.axon_bundles`` shared by
        the ``neuron.count`` agents): the weight of its tip and of its path in the axon layer."""
        n = self.scenario.neuron
        return n.axon_bundles / n.count

    @property
    def voxel_area_mm2(self) -> float:
        """The area of one voxel, mm²."""
        return self.dx_um**2 * MM2_PER_UM2

    @property
    def lesion_area_um2(self) -> float:
        """The area a dose injected into the lesion spreads over, µm² (the whole tissue when
        there is no lesion: a sandbox)."""
        voxels = int(self.lesion_mask.sum()) or self.width * self.height
        return voxels * self.dx_um**2

    @property
    def dose_share(self) -> float:
        """Share of a local dose that lands on the grid: all of it for an injury; in a chronic
        neuropathy it spreads along ``neuropathy.affected_length_mm`` of nerve, of which the
        grid is one patch. (Intravenous doses reach every stretch of nerve from the blood, so
        the patch gets what a lesion of its area would.)"""
        if self.nerve is None:
            return 1.0
        grid_mm = self.width * self.dx_um / 1000.0
        return min(1.0, grid_mm / self.scenario.neuropathy.affected_length_mm)

    def _random_voxels(self, density_per_mm2: float, allowed: np.ndarray) -> list[tuple[int, int]]:
        """Voxels for resident cells: each allowed voxel holds Poisson(density x its area)."""
        mean = density_per_mm2 * self.voxel_area_mm2
        counts = self.rng.poisson(mean, size=allowed.shape) * allowed
        xs, ys = np.nonzero(counts)
        out = []
        for x, y in zip(xs.tolist(), ys.tolist(), strict=True):
            out.extend([(x, y)] * int(counts[x, y]))
        return out

    def _seed_tissue(self) -> None:
        sc = self.scenario
        debris = self.fields["debris"]
        debris[self.lesion_mask] = self.tissue.lesion_debris_au * self.severity
        # Injured neurons: somata/stumps proximal to the lesion, axon tips at its proximal edge.
        for _ in range(sc.neuron.count):
            y = int(self.rng.integers(self.lesion_y0, self.lesion_y1))
            x = int(self.rng.integers(1, max(2, self.lesion_x0 - 3)))
            neuron = Neuron(self, (x, y), sc.neuron)
            neuron.cone = GrowthCone(self, (self.lesion_x0 - 1, y), sc.growth_cone, neuron)
        everywhere = np.ones((self.width, self.height), dtype=bool)
        outside = ~self.lesion_mask
        self.substrate[self.lesion_mask] = self.tissue.lesion_core_substrate
        if self.is_spinal:
            self.intact_myelin[:, : self.lesion_y0] = 1.0
            self.intact_myelin[:, self.lesion_y1 :] = 1.0
            for xy in self._random_voxels(sc.astrocyte.density_per_mm2, outside):
                Astrocyte(self, xy, sc.astrocyte)
            for xy in self._random_voxels(sc.oligodendrocyte.density_per_mm2, outside):
                Oligodendrocyte(self, xy, sc.oligodendrocyte)
        else:
            transected = sc.injury.peripheral_kind == "transection"
            allowed = outside if transected else everywhere
            for xy in self._random_voxels(sc.schwann.density_per_mm2, allowed):
                denervated = xy[0] >= self.lesion_x0 - 1 and (
                    self.lesion_y0 <= xy[1] < self.lesion_y1
                )
                SchwannCell(self, xy, sc.schwann, denervated=denervated)

    # ------------------------------------------------------------------ tissue processes
    def release_injury_signals(self) -> None:
        """DAMPs from fresh necrotic debris, Wallerian debris, host baseline inflammation."""
        if not self.injured:
            return
        tissue = self.tissue
        dt = self.dt_h
        fresh = 0.5 ** (self.hours / tissue.damp_half_life_h)
        if fresh > 1e-4:
            damp = self.fields["debris"] * (tissue.debris_damp_per_h * fresh * dt)
            self.fields.add_source_array("cytokine", damp)
        if self.hours < tissue.wallerian_duration_h:
            per_tick = tissue.wallerian_debris_au * self.severity * dt
            self.fields.add_uniform_source(
                "debris", per_tick / tissue.wallerian_duration_h, mask=self.distal_mask
            )
        if self.baseline_cytokine_per_h > 0.0:
            self.fields.add_uniform_source("cytokine", self.baseline_cytokine_per_h * dt)

    def recruit_leukocytes(self) -> None:
        """Neutrophils and monocytes leave vessels where cytokine is high (Poisson arrivals)."""
        sc = self.scenario
        mp = sc.macrophage
        neutrophil_weight = self._recruit_weights[0]
        monocyte_weight = self._recruit_weights[1]
        recruitment_weights(
            self.fields["cytokine"],
            self.fields["debris"],
            sc.neutrophil.recruit_half_cytokine,
            mp.recruit_half_cytokine,
            mp.debris_recruit_weight,
            mp.debris_recruit_half_au,
            neutrophil_weight,
            monocyte_weight,
        )
        for kind, params, factor, weight in (
            (Neutrophil, sc.neutrophil, 1.0, neutrophil_weight),
            (Macrophage, mp, self.macrophage_recruitment, monocyte_weight),
        ):
            total = float(weight.sum())
            per_voxel_h = params.recruit_per_mm2_per_h * self.voxel_area_mm2
            expected = per_voxel_h * factor * self.dt_h * total
            if expected <= 0:
                continue
            rng = self.streams.generator(f"recruit {kind.__name__}", self.tick)
            n = int(rng.poisson(expected))
            if n == 0:
                continue
            for idx in self._draw_voxels(weight / total, n, rng).tolist():
                kind(self, divmod(idx, self.height), params)

    @property
    def _recruit_weights(self) -> np.ndarray:
        """Scratch arrays for the two recruitment weights (made on first use, reused)."""
        w = self.__dict__.get("_weights")
        if w is None:
            w = self.__dict__["_weights"] = np.empty((2, self.width, self.height))
        return w

    def _draw_voxels(self, p: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` flat voxel indices drawn with replacement with probabilities ``p`` (summing to
        1): what ``rng.choice(p.size, size=n, p=p)`` returns, the same draws and the same
        arithmetic (cumulative sum, normalised, searched), without its checks of ``p``, which
        cost as much as the draw on the model's grid (``tests/test_model.py`` holds it to
        ``choice``)."""
        cdf = p.ravel().cumsum()
        cdf /= cdf[-1]
        return cdf.searchsorted(rng.random(n), side="right")

    # ------------------------------------------------------------------ the tick
    def step(self) -> None:
        """Advance the tissue by one tick (see the class docstring for the order)."""
        self.apply_therapies()
        self.release_injury_signals()
        self.recruit_leukocytes()
        for kind in ACTIVATION_ORDER:
            self.activate(kind)
        self.update_distal_support()
        self.pain.step(self)
        self.distal_myelin.step(self)
        self.clearance.settle(self)
        self.fields.apply_sources()
        self.fields.diffuse()
        self.spared.step()
        if self.nerve is not None:
            self.nerve.step()
        else:
            self.muscle.step()
        self.advance_clock()

    def activate(self, kind: Any) -> None:
        """Every cell of ``kind`` takes its turn, in shuffled order (its compiled rules); the
        debris eaters' uptake is noted (:mod:`simulation.tissue.clearance`)."""
        self.clearance.before_turn(self, kind)
        kind.take_turn(self)
        self.clearance.after_turn(self, kind)

    def advance_clock(self) -> None:
        """The tick is over: time moves on and the debris peak updates."""
        self.hours += self.dt_h
        self.debris_peak = max(self.debris_peak, float(self.fields["debris"].sum()))

    def apply_therapies(self) -> None:
        """Deliver what is due, then act out the treatments in force this tick.

        The per-tick layers start empty: guidance bands (a scaffold's now, Schwann cells' in
        their turn) and graft relays are laid anew each tick.
        """
        self.band[:] = 0.0
        self.schwann_band[:] = 0.0
        self.relay[:] = 0
        while self._next_event < len(self.events) and (
            self.events[self._next_event].hour <= self.hours + 1e-9
        ):
            deliver(self, self.events[self._next_event])
            self._next_event += 1
        on = self.scenario.mechanisms
        therapy = self.therapy
        if therapy.scaffold is not None and on.scaffold_support:
            self.band[therapy.scaffold] += self.scenario.adjuncts.scaffold_guidance
        if on.chabc_digestion:
            rate = self.scenario.adjuncts.chabc_scar_degradation_per_h
            for activity, where in therapy.chabc_activity(self.hours):
                self.fields.add_uniform_sink("scar", rate * activity, mask=where)
        therapy.lungs.step(self)
        self.ev_active = vesicles.present(self)
        self.vesicle_knobs = vesicles.knobs(self)

    def adjuncts_rehab(self, effect: str) -> float:
        """The size of a training effect now: ``growth``, ``consolidation`` or ``muscle``."""
        level = self.therapy.rehab(self.hours)
        if level == 0.0 or not self.scenario.mechanisms.rehab_plasticity:
            return 0.0
        a = self.scenario.adjuncts
        scale = {
            "growth": a.rehab_growth_boost,
            "consolidation": a.rehab_consolidation,
            "muscle": a.rehab_muscle_protection,
        }[effect]
        return level * scale

    @property
    def bridge_length_um(self) -> float:
        """The 1-D part of a long gap a growth cone crosses after the grid (0: none)."""
        return self.bridge.length_um if self.bridge is not None else 0.0

    def bridge_knobs(self) -> tuple[float, float, float]:
        """What growth cones read of a long gap's bridge: its length, how far it carries
        Schwann cells, and their repair capacity (zeros with no bridge)."""
        b = self.bridge
        return (0.0, 0.0, 0.0) if b is None else (b.length_um, b.reach_um, b.support)

    def myelin_inhibitors(self) -> np.ndarray:
        """Myelin-associated growth inhibitors per voxel (au), what growth cones read: those of
        myelin debris plus those of intact CNS white matter (``white_matter_inhibitors_au``
        where :attr:`intact_myelin` is, behind ``mechanisms.cns_myelin_inhibition``)."""
        debris = self.fields["debris"]
        level = self.tissue.white_matter_inhibitors_au
        if level <= 0.0 or not self.scenario.mechanisms.cns_myelin_inhibition:
            return debris
        np.multiply(self.intact_myelin, level, out=self._inhibitors)
        self._inhibitors += debris
        return self._inhibitors

    def update_distal_support(self) -> None:
        """Mean repair capacity of the Schwann cells in the distal stump (1 in the CNS; the
        1-D stump's beyond a long gap, :mod:`simulation.tissue.bridge`)."""
        if self.bridge is not None:
            self.bridge.step(self.hours + self.dt_h, self.dt_h)
            self.distal_support = self.bridge.stump_capacity
            return
        if self.is_spinal:
            self.distal_support = 1.0
            return
        cells = self.occupancy_of(SchwannCell)[self.distal_mask].sum()
        laid = self.schwann_band[self.distal_mask].sum()
        self.distal_support = float(laid / cells) if cells else 0.0

    def lay_schwann_bands(self) -> None:
        """Add the bands the Schwann cells laid this tick (each over its territory) to the
        guidance growth cones read."""
        self.band += spread_over_territory(self.schwann_band, self.fields.cell_scale)

    @property
    def tick(self) -> int:
        """Ticks since injury (what keys this tick's random numbers)."""
        return round(self.hours / self.dt_h)

    @property
    def day(self) -> float:
        """Days since injury."""
        return self.hours / 24.0
