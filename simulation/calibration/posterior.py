"""Parameter uncertainty in runs: each virtual animal draws a parameter set from a posterior.

A calibration's folder (``nervesim calibrate ... --out DIR``) holds ``posterior.parquet``: the
last generation's particles, one column per free parameter, and their weights.
:func:`load_posterior` reads it (one-line errors for a missing or malformed folder);
:meth:`Posterior.draw` picks one particle for a run seed, with probability its weight, from a
generator seeded by the run seed alone. So:

* one seed always draws the same parameter set, on any machine and worker count;
* matched twins (arms of a comparison that share a seed) draw the *same* set, and a
  per-patient difference stays the therapy's (common random numbers);
* over many seeds, the spread of an outcome is chance *plus* what the anchors leave
  uncertain about the parameters.

:func:`apply_draw` replaces only the parameters a scenario leaves at the library's default: a
scenario that sets its own value (``spinal_cord_no_scar`` sets ``astrocyte.scar_per_h = 0``)
keeps it, since that value is the scenario's point, not an estimate.

Illustrative: a posterior says which values let *this model* meet the anchors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulation.calibration.spec import CalibrationError, schema_info

#: Mixed into the run seed so that the posterior draw is a stream of its own: it neither uses
#: nor shifts any random number the simulation draws. Any fixed constant would do.
DRAW_STREAM = 0x50_05_7E_41

#: Where the dashboard and the docs find the library's own calibration.
DEFAULT_POSTERIOR_DIR = (
    Path(__file__).resolve().parents[2] / "benchmarks/results/calibration-default"
)


@dataclass(frozen=True)
class Posterior:
    """A weighted particle set over dotted scenario keys.

    Attributes:
        folder: where it was read from.
        keys: the free parameters' dotted keys.
        values: one row per particle, one column per key (natural units).
        weights: the particles' weights, summing to 1.
        calibration: the calibration's name and digest (from the file's metadata).
        integer: the keys whose parameter is a whole number.
    """

    folder: Path
    keys: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    calibration: str
    integer: frozenset[str] = frozenset()

    def draw(self, seed: int) -> dict[str, float | int]:
        """The parameter set of the virtual animal of run seed ``seed``."""
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), DRAW_STREAM]))
        k = int(rng.choice(len(self.weights), p=self.weights))
        return {
            key: round(float(v)) if key in self.integer else float(v)
            for key, v in zip(self.keys, self.values[k], strict=True)
        }

    def describe(self) -> str:
        """One line for CLI output and metadata."""
        return (
            f"posterior {self.folder} ({self.calibration}; {len(self.weights)} particles, "
            f"effective {self.effective_size():.0f}; parameters {', '.join(self.keys)})"
        )

    def digest(self) -> str:
        """A short hash of the particles, their weights and keys: the posterior's identity."""
        import hashlib

        h = hashlib.sha256(repr(self.keys).encode())
        h.update(np.ascontiguousarray(self.values, dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(self.weights, dtype=np.float64).tobytes())
        return h.hexdigest()[:16]

    def effective_size(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights**2))

    def metadata(self) -> dict[str, Any]:
        """What exported files record about it."""
        return {
            "folder": str(self.folder),
            "calibration": self.calibration,
            "parameters": list(self.keys),
            "particles": len(self.weights),
            "effective_sample_size": round(self.effective_size(), 2),
            "digest": self.digest(),
        }


def load_posterior(folder: str | Path) -> Posterior:
    """Read ``folder/posterior.parquet`` (a calibration's output folder, or the file itself).

    Raises:
        CalibrationError: the folder or file is missing, unreadable, or not a posterior: no
            weight column, a key that is not a scenario parameter, a value outside its
            parameter's allowed range, or weights that are negative or sum to 0 (one line).
    """
    import pandas as pd

    from simulation.runs.storage import read_metadata

    given = Path(folder)
    path = given if given.suffix == ".parquet" else given / "posterior.parquet"
    where = f"--posterior {given}"
    if not path.is_file():
        raise CalibrationError(
            f"{where}: no posterior.parquet there (give the --out folder of `nervesim "
            "calibrate`, e.g. benchmarks/results/calibration-default)"
        )
    try:
        frame = pd.read_parquet(path)
        meta = read_metadata(path)
    except Exception as err:  # pyarrow raises several types for a corrupt or foreign file
        raise CalibrationError(
            f"{where}: {path.name} is not a readable Parquet file ({err})"
        ) from None
    if "weight" not in frame.columns or len(frame) == 0:
        raise CalibrationError(f"{where}: {path.name} has no particles with a 'weight' column")
    keys = tuple(c for c in frame.columns if c != "weight")
    if not keys:
        raise CalibrationError(f"{where}: {path.name} names no parameter")
    info = {key: schema_info(key) for key in keys}  # (kind, units, lo, hi, default)
    for key in keys:
        if info[key] is None or key.startswith("interventions."):
            raise CalibrationError(
                f"{where}: column {key!r} is not a tissue or host parameter of the scenario "
                "schema (see nervesim show-params)"
            )
    values = frame[list(keys)].to_numpy(dtype=float)
    for j, key in enumerate(keys):
        _, units, lo, hi, _ = info[key]  # type: ignore[misc]
        column = values[:, j]
        bad = ~np.isfinite(column)
        if lo is not None:
            bad |= column < lo
        if hi is not None:
            bad |= column > hi
        if bad.any():
            shown = f"[{lo:g}, {hi:g}]" if lo is not None and hi is not None else "finite"
            raise CalibrationError(
                f"{where}: {key} = {column[bad][0]:g} {units} is outside its allowed range {shown}"
            )
    weights = frame["weight"].to_numpy(dtype=float)
    total = float(np.sum(weights)) if np.all(np.isfinite(weights)) else math.nan
    if not np.all(weights >= 0) or not total > 0:
        raise CalibrationError(f"{where}: weights must be finite, >= 0 and not all 0")
    name = str(meta.get("calibration", "?"))
    digest = meta.get("calibration_digest")
    return Posterior(
        folder=given,
        keys=keys,
        values=values,
        weights=weights / total,
        calibration=f"{name}, digest {digest}" if digest else name,
        integer=frozenset(k for k in keys if info[k][0] == "int"),  # type: ignore[index]
    )


def library_default(key: str) -> Any:
    """The schema's default of dotted ``key``."""
    found = schema_info(key)
    if found is None:
        raise KeyError(key)
    return found[4]


def drawn_for(scenario: Any, draw: Mapping[str, Any]) -> dict[str, Any]:
    """The part of ``draw`` that replaces parameters ``scenario`` leaves at the library default."""
    data = scenario.to_dict()
    chosen = {}
    for key, value in draw.items():
        node: Any = data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node == library_default(key):
            chosen[key] = value
    return chosen


def apply_draw(scenario: Any, draw: Mapping[str, Any]) -> Any:
    """``scenario`` with ``draw`` in place of the parameters it leaves at the library default."""
    chosen = drawn_for(scenario, draw)
    return scenario.with_overrides(chosen) if chosen else scenario


__all__ = [
    "DEFAULT_POSTERIOR_DIR",
    "Posterior",
    "apply_draw",
    "drawn_for",
    "library_default",
    "load_posterior",
]
