"""Small sweep files for the sweep tests: tiny grids and short runs, written into a folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRUSH = ROOT / "scenarios" / "peripheral_crush_untreated.toml"
SPINAL = ROOT / "scenarios" / "spinal_cord_untreated.toml"
SWEEP_DIR = ROOT / "scenarios" / "sweeps"

#: A 40 x 8 crush with 10 neurons: a one-day run takes a few hundredths of a second.
TINY_BASE = f"""base = "{CRUSH.as_posix()}"
name = "tiny_crush"
[grid]
width_voxels = 40
height_voxels = 8
[neuron]
count = 10
"""

#: 2 x 3 grid points x 2 replicates = 12 one-day runs of the tiny crush.
TINY_GRID = """base = "base.toml"
name = "tiny_grid"
design = "grid"
replicates = 2
root_seed = 3
days = 1.0
[keep]
metrics = ["neutrophils_count", "macrophages_m1_count", "neuron_survival_fraction"]
days = [0.5, 1.0]
[[parameters]]
key = "neuron.count"
values = [10, 20]
[[parameters]]
key = "neutrophil.lifespan_h"
lo = 5.0
hi = 30.0
levels = 3
"""


def write_sweep(folder: Path, text: str = TINY_GRID, name: str = "sweep.toml") -> Path:
    """Write ``text`` as a sweep file in ``folder`` beside the tiny base; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.toml").write_text(TINY_BASE, encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
