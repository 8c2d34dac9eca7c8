"""Who ate the debris: Schwann cells' and macrophages' shares of debris clearance.

Both cell types write first-order uptake rates (1/h) into the debris field's sink buffer in their
turn; the buffer is applied once a tick (``u * exp(-rate * dt)``). This ledger notes what each
type wrote (the buffer after its turn minus before) and, just before the buffer is applied,
splits the debris the tick removes in each voxel between the types in proportion to their
rates. It only reads the buffers: the run is the same with or without it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from simulation.engine.compiled import rule
from simulation.fields.fieldset import spread_over_blocks, territory_side

if TYPE_CHECKING:
    from simulation.tissue.model import NerveRepairModel

#: The debris eaters the ledger keeps apart, by class name.
EATERS = ("SchwannCell", "Macrophage")


@rule
def note_rates(rates, sink, before):
    """``rates += sink - before`` (what one type wrote this turn)."""
    w, h = rates.shape
    for i in range(w):
        for j in range(h):
            rates[i, j] += sink[i, j] - before[i, j]


@rule
def share_out(debris, schwann, macrophage, distal, dt, out):
    """Split what first-order uptake at ``schwann + macrophage`` (1/h) removes from ``debris`` in
    a tick between the two; add the totals to ``out`` (Schwann, macrophage, then the same in
    the ``distal`` voxels) and empty both rate arrays."""
    w, h = debris.shape
    for i in range(w):
        for j in range(h):
            a = schwann[i, j]
            b = macrophage[i, j]
            total = a + b
            if total > 0.0:
                share = debris[i, j] * -math.expm1(-total * dt) / total
                out[0] += share * a
                out[1] += share * b
                if distal[i, j]:
                    out[2] += share * a
                    out[3] += share * b
            schwann[i, j] = 0.0
            macrophage[i, j] = 0.0


class ClearanceLedger:
    """Cumulative debris (au·voxel, summed over the tissue) eaten by each type in :data:`EATERS`."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.eaten_au = dict.fromkeys(EATERS, 0.0)
        #: The same, in the distal stump only (``model.distal_mask``: Wallerian degeneration).
        self.distal_eaten_au = dict.fromkeys(EATERS, 0.0)
        self._rates = {name: np.zeros(shape) for name in EATERS}
        self._before = np.zeros(shape)

    def before_turn(self, model: NerveRepairModel, kind: type) -> None:
        """Note the debris sink buffer before an eater's turn."""
        if kind.__name__ in self._rates:
            np.copyto(self._before, model.fields.sink_views["debris"])

    def after_turn(self, model: NerveRepairModel, kind: type) -> None:
        """Add what the eater wrote in its turn to its rates of this tick."""
        rates = self._rates.get(kind.__name__)
        if rates is not None:
            note_rates(rates, model.fields.sink_views["debris"], self._before)

    def settle(self, model: NerveRepairModel) -> None:
        """Just before the sink buffer is applied: share out what this tick removes."""
        fields = model.fields
        schwann, macrophage = (self._rates[name] for name in EATERS)
        scale = fields.cell_scale
        if scale != 1.0:  # debris is eaten in whole blocks (FieldSpec.laid_in_blocks)
            side = territory_side(scale)
            for r in (schwann, macrophage):
                r[...] = spread_over_blocks(r, side) * scale
        out = np.zeros(4)
        share_out(fields["debris"], schwann, macrophage, model.distal_mask, model.dt_h, out)
        for k, name in enumerate(EATERS):
            self.eaten_au[name] += float(out[k])
            self.distal_eaten_au[name] += float(out[2 + k])

    def schwann_share(self, distal: bool = False) -> float:
        """Schwann cells' share of all debris eaten so far, in the whole tissue or (``distal``)
        in the distal stump; 0 before any was eaten."""
        eaten = self.distal_eaten_au if distal else self.eaten_au
        total = sum(eaten.values())
        return eaten["SchwannCell"] / total if total > 0 else 0.0
