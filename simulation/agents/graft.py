"""Transplanted cells: clusters of grafted stem or stromal cells, and cells held in the lungs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from simulation.agents.base import TissueCell


class GraftSource(Enum):
    """Where grafted cells come from."""

    NPC = "npc"  # iPSC-derived neural stem/progenitor cells
    MSC = "msc"  # mesenchymal stem/stromal cells


#: Per-10,000-cell secretion rates are scaled by this.
_PER = 1.0e4


class GraftCluster(TissueCell):
    """A cluster of grafted cells at one voxel (one agent stands for thousands of cells).

    Counts by state: ``progenitors`` (committed NPCs), ``undifferentiated`` (pluripotent
    remnants that may transform), ``neurons`` (neuron-like relay cells), ``glia`` (myelinating),
    ``msc``. Each tick every count loses cells binomially at the hazard of inflammation, immune
    attack (less under immunosuppression and in a scaffold) and, for intravenously delivered
    cells, their poor engraftment; progenitors differentiate; neurons grow processes that can
    relay host axons across the lesion; all secrete trophic factor, MSCs also vesicles; an
    undifferentiated cell can start a clone that is counted as a tumor event once detectable.
    """

    def __init__(
        self,
        model,
        xy,
        params,
        source: GraftSource,
        cells: int,
        undifferentiated_fraction: float = 0.0,
        iv: bool = False,
    ) -> None:
        super().__init__(model, xy, params)
        self.source = source
        self.iv = iv
        self.neurons = 0
        self.glia = 0
        self.process_um = 0.0
        self.clones: list[float] = []
        if source is GraftSource.MSC:
            self.msc, self.progenitors, self.undifferentiated = cells, 0, 0
        else:
            self.undifferentiated = round(cells * undifferentiated_fraction)
            self.progenitors = cells - self.undifferentiated
            self.msc = 0

    @property
    def alive(self) -> int:
        """Living grafted cells in this cluster (transformed clones not included)."""
        return self.progenitors + self.undifferentiated + self.neurons + self.glia + self.msc

    def step(self) -> None:
        """Survive, differentiate, act, and perhaps transform."""
        on = self.model.mechanisms
        self.survive(on)
        if self.alive == 0 and not self.clones:
            self.die()
            return
        if on.graft_differentiation:
            self.differentiate()
        if on.graft_paracrine:
            self.secrete_factors()
        if self.glia:
            self.model.myelinate(self.xy, self.p.glia_myelination_per_h * self.glia / 1000.0)
        if on.graft_relay and self.neurons >= self.p.relay_min_cells:
            self.extend_relay()
        if on.graft_tumor:
            self.grow_clones()

    def hazard_per_h(self, on) -> float:
        """Death rate of a grafted cell here and now."""
        p = self.p
        model = self.model
        shielded = 1.0
        if on.scaffold_support and model.therapy.scaffold is not None:
            if model.therapy.scaffold[self.xy]:
                shielded = 1.0 - p.scaffold_protection
        rate = p.base_death_per_h
        if on.graft_inflammation_death:
            c = self.sense("cytokine")
            rate += shielded * p.inflammation_death_per_h * c / (c + p.inflammation_half_cytokine)
        if on.graft_immune_attack:
            attack = p.immune_attack_per_h * shielded
            if model.therapy.immunosuppressed(model.hours):
                attack *= p.immunosuppression_factor
            rate += attack
        if self.iv:
            rate += p.iv_homed_death_per_h
        return rate

    def survive(self, on) -> None:
        """Each cell dies with probability ``1 - exp(-hazard dt)`` this tick (one draw)."""
        p_die = -math.expm1(-self.hazard_per_h(on) * self._dt)
        counts = (self.progenitors, self.undifferentiated, self.neurons, self.glia, self.msc)
        # The draws of ``rng.binomial(counts, p_die)`` (NumPy draws an array's elements one by
        # one, in order, with the same routine as a scalar call) at a tenth of the cost.
        binomial = self.model.rng.binomial
        dead = [binomial(n, p_die) for n in counts]
        self.progenitors, self.undifferentiated, self.neurons, self.glia, self.msc = (
            n - d for n, d in zip(counts, dead, strict=True)
        )

    def differentiate(self) -> None:
        """Progenitors become neuron-like or glial cells; MSCs rarely become glia-like."""
        p, rng, dt = self.p, self.model.rng, self._dt
        if self.progenitors:
            # Competing exits: P(leave) = 1 - exp(-(kn + kg) dt), split kn : kg.
            kn, kg = p.npc_neuron_per_h, p.npc_glia_per_h
            leave = -math.expm1(-(kn + kg) * dt)
            pn = leave * kn / (kn + kg) if kn + kg > 0 else 0.0
            to_neuron, to_glia, _ = rng.multinomial(
                self.progenitors, (pn, leave - pn, 1.0 - leave)
            ).tolist()
            self.progenitors -= to_neuron + to_glia
            self.neurons += to_neuron
            self.glia += to_glia
        if self.msc:
            n = int(rng.binomial(self.msc, -math.expm1(-p.msc_differentiation_per_h * dt)))
            self.msc -= n
            self.glia += n

    def secrete_factors(self) -> None:
        """Trophic factor from every grafted cell; vesicles from MSCs (their paracrine action)."""
        p = self.p
        neural = self.progenitors + self.undifferentiated + self.neurons + self.glia
        self.secrete(
            "trophic", (p.npc_trophic_per_h * neural + p.msc_trophic_per_h * self.msc) / _PER
        )
        if self.msc:
            self.secrete("ev", p.msc_ev_per_h * self.msc / _PER)

    def extend_relay(self) -> None:
        """Graft neurons' processes grow toward both stumps; a long enough reach relays axons."""
        scar = self.sense("scar")
        stall = self.model.scenario.growth_cone.scar_stall
        self.process_um += self.p.relay_process_um_per_h * self._dt * max(0.0, 1.0 - scar / stall)
        reach = int(self.process_um / self.model.dx_um)
        x, y = self.xy
        if x + reach >= self.model.bridge_x:
            self.model.mark_relay(x - reach, x, y)

    def grow_clones(self) -> None:
        """Undifferentiated cells may transform; clones grow and are counted once detectable."""
        p, dt = self.p, self._dt
        if self.undifferentiated and self.rolls(
            p.transformation_per_cell_h * self.undifferentiated
        ):
            self.undifferentiated -= 1
            self.clones.append(1.0)
        if self.clones:
            growth = math.exp(math.log(2.0) * dt / p.tumor_doubling_h)
            for k, size in enumerate(self.clones):
                grown = size * growth
                if size < p.tumor_detect_cells <= grown:
                    self.model.therapy.tumor_events += 1
                self.clones[k] = grown


@dataclass
class LungDepot:
    """Intravenous cells trapped in the lungs: cleared within days, acting only by secretion.

    Not on the grid. MSCs here release vesicles of which a small share reaches the lesion.
    """

    cells: dict[GraftSource, float] = field(default_factory=dict)

    def receive(self, source: GraftSource, cells: float) -> None:
        """Cells arriving in the lungs."""
        self.cells[source] = self.cells.get(source, 0.0) + cells

    def step(self, model) -> None:
        """Clear cells and send the MSCs' vesicles to the lesion."""
        if not self.cells:
            return
        p = model.scenario.transplant
        keep = math.exp(-p.iv_lung_clearance_per_h * model.dt_h)
        msc = self.cells.get(GraftSource.MSC, 0.0)
        if msc > 0 and model.scenario.mechanisms.graft_paracrine:
            per_voxel = p.msc_ev_per_h * msc / _PER * p.iv_systemic_ev_fraction * model.dt_h
            model.fields.add_uniform_source("ev", per_voxel, mask=model.lesion_mask)
        for source in list(self.cells):
            self.cells[source] *= keep
            if self.cells[source] < 1.0:
                del self.cells[source]
