"""A long gap as a 1-D bridge compartment, and the distal stump beyond it.

The grid holds at most a few millimetres of nerve; a rat sciatic gap of 6-20 mm would need a
grid ten times longer and runs ten times slower. A long gap (``injury.gap_length_um`` > 0) is
therefore a **reduced representation**: the grid shows the proximal stump and the first
``lesion_length_um`` of the gap (its lesion running to the grid's distal edge); the rest of the
gap is this 1-D compartment, at position ``z`` from the proximal stump (``z0`` = what the grid
shows, to ``L`` = the whole gap); beyond it the distal stump leads to the muscle
(``distal_path_um``). A growth cone leaving the grid's distal edge enters the bridge at ``z0``
(its ``distal_um`` counts from there) and has crossed once ``distal_um`` reaches
:attr:`Bridge.length_um`.

What the bridge holds (``injury.repair``, from ``injury.repair_day``; before it the stumps are
apart and nothing crosses):

- **matrix**: a hollow tube fills with exudate from both stumps; a fibrin cable forms
  ``bridge.fibrin_cable_h`` after repair where the exudate's steady 1-D profile
  ``cosh((z - L/2) / lam) / cosh(L / (2 lam))`` (1 at each stump) is at least
  ``bridge.fibrin_threshold``: the whole gap when it is short, only the two ends when it is
  long (Lundborg et al. 1982: 10 mm bridged, 15 mm not). A filled (engineered) conduit brings
  its matrix along; an autograft is nerve, matrix and all.
- **Schwann cells**: in a tube or conduit, repair Schwann cells migrate in from both stumps at
  ``bridge.schwann_front_um_per_h`` times their repair capacity, along the matrix only; an
  autograft brings its own (denervated at harvest, so they fade from the repair day on).
- **crossing**: a growth cone grows only where the bridge carries Schwann cells: behind the
  proximal front until the two fronts meet, then all the way; in an autograft, all the way.
  Its speed there is the distal-tract growth times the bridge cells' repair capacity.

The distal stump's repair Schwann cells (1-D too) lose capacity at ``schwann.repair_fade_per_h``
from the injury on, whether or not the gap has been repaired (Fu & Gordon 1995: chronically
denervated stumps support regeneration poorly); that capacity scales growth along the distal
stump. Everything here is deterministic and costs a few floating-point operations a tick.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel


def cable_ends_um(gap_um: float, exudate_length_um: float, threshold: float) -> float:
    """How far from each stump a hollow tube's fibrin cable reaches: the whole gap (returned as
    ``gap_um``) when the exudate at the middle is at least ``threshold``, else the distance from
    a stump where it falls to the threshold."""
    half = gap_um / 2.0
    lam = exudate_length_um
    if 1.0 / math.cosh(half / lam) >= threshold:
        return gap_um
    return half - lam * math.acosh(threshold * math.cosh(half / lam))


def critical_gap_um(exudate_length_um: float, threshold: float) -> float:
    """The longest gap a hollow tube's fibrin cable spans."""
    return 2.0 * exudate_length_um * math.acosh(1.0 / threshold)


class Bridge:
    """The 1-D bridge across a long gap and the distal stump (module docstring)."""

    def __init__(self, model: NerveRepairModel) -> None:
        sc = model.scenario
        inj = sc.injury
        self.p = sc.bridge
        self.kind = inj.repair
        self.gap_um = inj.gap_length_um
        #: What the grid shows of the gap (the lesion, which runs to the grid's distal edge).
        self.z0_um = (model.width - model.lesion_x0) * model.dx_um
        #: The 1-D part a growth cone must cross after the grid's distal edge.
        self.length_um = max(0.0, self.gap_um - self.z0_um)
        self.repair_h = inj.repair_day * 24.0
        self.fade_per_h = sc.schwann.repair_fade_per_h
        self.host_capacity = model.schwann_capacity
        self.migrates = sc.mechanisms.bridge_schwann_migration
        #: Schwann fronts: how far from the proximal stump / from the distal stump (µm).
        self.front_proximal_um = 0.0
        self.front_distal_um = 0.0
        self.stump_capacity = self.host_capacity
        self.support = 0.0
        self.reach_um = 0.0

    @property
    def repaired(self) -> bool:
        """True once the repair has been made (always False with no repair)."""
        return self.kind != "none" and self._hours >= self.repair_h

    def matrix_ends_um(self, hours: float) -> float:
        """How far from each stump the bridge has a matrix now (the gap when continuous)."""
        if self.kind == "none" or hours < self.repair_h:
            return 0.0
        if self.kind != "hollow_tube":
            return self.gap_um
        if hours - self.repair_h < self.p.fibrin_cable_h:
            return 0.0
        return cable_ends_um(self.gap_um, self.p.exudate_length_um, self.p.fibrin_threshold)

    def step(self, hours: float, dt_h: float) -> None:
        """Advance one tick: the stump fades, the matrix forms, the fronts advance, and the
        reach and support growth cones read are updated."""
        self._hours = hours
        self.stump_capacity = self.host_capacity * math.exp(-self.fade_per_h * hours)
        ends = self.matrix_ends_um(hours)
        if self.kind == "autograft":
            if hours >= self.repair_h:
                graft_age_h = hours - self.repair_h
                self.support = self.host_capacity * math.exp(-self.fade_per_h * graft_age_h)
                self.reach_um = self.length_um
            return
        if ends > 0.0 and self.migrates:
            advance = self.p.schwann_front_um_per_h * self.stump_capacity * dt_h
            # the proximal front starts where the grid's own Schwann cells are, at z0
            self.front_proximal_um = min(ends, max(self.front_proximal_um, self.z0_um) + advance)
            self.front_distal_um = min(ends, self.front_distal_um + advance)
        met = self.front_proximal_um + self.front_distal_um >= self.gap_um
        if met:
            self.reach_um = self.length_um
        else:
            self.reach_um = max(0.0, self.front_proximal_um - self.z0_um)
        self.support = self.stump_capacity if self.reach_um > 0.0 else 0.0

    _hours = 0.0

    def crossed_fraction_of_bridge(self) -> float:
        """Share of the 1-D bridge growth cones may cross now (1 once the fronts meet)."""
        return self.reach_um / self.length_um if self.length_um > 0 else 1.0
