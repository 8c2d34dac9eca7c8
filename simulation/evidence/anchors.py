"""Anchor files: the published anchors as data, validated like scenarios.

Each file in ``anchors/`` holds ``[[anchor]]`` tables (see ``anchors/spinal_cord.toml`` for the
format). An anchor names its citation, species and measure, the arms the model needs (scenario
files of the library and days), the statistic (:mod:`simulation.evidence.statistics`) and the
band the literature gives (``low``, ``high``; either may be open). ``interval_inside`` asks
that the whole 95 % interval over seeds lies in the band, for anchors that state a direction
only; ``patients`` gives an anchor about a share of patients the cohort it needs. An anchor
the model cannot speak to yet has ``encodable = false`` and a ``reason``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.evidence.statistics import ARMS, KINDS
from simulation.scenario.errors import ScenarioError, first_error, shown_key
from simulation.scenario.toml_io import read_toml
from simulation.validation.checks import SCENARIO_DIR, Arm

ANCHOR_DIR = Path(__file__).resolve().parent / "anchors"


class AnchorError(ValueError):
    """A malformed anchor file: one line naming the file, the anchor and the key."""


class ArmSpec(BaseModel):
    """A scenario of the library run for a number of days."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scenario: str = Field(min_length=1)
    days: float = Field(gt=0, le=365)

    @model_validator(mode="after")
    def _exists(self) -> ArmSpec:
        if not (SCENARIO_DIR / self.scenario).is_file():
            raise ValueError(f"scenario {shown_key(repr(self.scenario))} is not in scenarios/")
        return self


class Anchor(BaseModel):
    """One published anchor and how the model is held to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    statement: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    species: str = Field(min_length=1)
    measure: str = Field(min_length=1)
    encodable: bool = True
    reason: str = ""
    arms: tuple[ArmSpec, ...] = ()
    statistic: dict[str, Any] = Field(default_factory=dict)
    low: float = -math.inf
    high: float = math.inf
    interval_inside: bool = False
    units: str = ""
    #: A share of patients is a proportion, and a proportion needs a cohort: the anchor's arms
    #: run at least this many seeds (virtual patients), whatever ``--seeds`` says (0: no minimum).
    patients: int = Field(default=0, ge=0, le=1000)
    #: The parameters placed by hand to meet this anchor (dotted keys): meeting it is a fit.
    fitted_by_hand: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Anchor:
        if not self.encodable:
            if not self.reason:
                raise ValueError("an anchor that is not encodable needs a reason")
            return self
        kind = self.statistic.get("kind")
        if kind not in KINDS:
            shown = shown_key(repr(kind))
            raise ValueError(f"statistic.kind {shown} is not one of {', '.join(KINDS)}")
        if len(self.arms) != ARMS[kind]:
            raise ValueError(f"statistic {kind} compares {ARMS[kind]} arm(s), not {len(self.arms)}")
        if not (self.low < self.high) or (math.isinf(self.low) and math.isinf(self.high)):
            raise ValueError(f"band [{self.low}, {self.high}] is empty or open on both sides")
        return self

    @property
    def params(self) -> dict[str, Any]:
        """The statistic's parameters (its table without ``kind``)."""
        return {k: v for k, v in self.statistic.items() if k != "kind"}

    @property
    def model_arms(self) -> tuple[Arm, ...]:
        """The arms as the run machinery takes them."""
        return tuple(Arm(a.scenario, a.days) for a in self.arms)

    def band_text(self) -> str:
        """``[0.5, 2]``, ``>= 0.4`` or ``<= 0.2``."""
        if math.isinf(self.high):
            return f">= {self.low:g}"
        if math.isinf(self.low):
            return f"<= {self.high:g}"
        return f"[{self.low:g}, {self.high:g}]"


def load_anchor_file(path: Path) -> list[Anchor]:
    """The anchors of one file; :class:`AnchorError` (one line) when it is malformed."""
    try:
        data = read_toml(path)
    except ScenarioError as err:
        raise AnchorError(str(err)) from None
    tables = data.pop("anchor", None)
    if data or not isinstance(tables, list):
        raise AnchorError(f"{path}: expected only [[anchor]] tables")
    anchors = []
    for k, table in enumerate(tables):
        label = f"anchor {k + 1}"
        if isinstance(table, dict) and isinstance(table.get("id"), str):
            label = shown_key(table["id"])
        unknown = sorted(set(table) - set(Anchor.model_fields)) if isinstance(table, dict) else []
        if unknown:
            known = ", ".join(Anchor.model_fields)
            shown = shown_key(repr(unknown[0]))
            raise AnchorError(f"{path}: {label}: unknown key {shown} (known: {known})")
        try:
            anchors.append(Anchor.model_validate(table))
        except ValidationError as exc:
            raise AnchorError(f"{path}: {label}: {first_error(exc, _clause)}") from None
    return anchors


def _clause(err: Mapping[str, Any]) -> str:
    where = shown_key(".".join(str(p) for p in err.get("loc", ())))
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@cache
def all_anchors() -> tuple[Anchor, ...]:
    """Every anchor of every file in ``anchors/``, ids unique."""
    anchors = [a for path in sorted(ANCHOR_DIR.glob("*.toml")) for a in load_anchor_file(path)]
    seen: set[str] = set()
    for anchor in anchors:
        if anchor.id in seen:
            raise AnchorError(f"{ANCHOR_DIR}: anchor id {anchor.id!r} appears twice")
        seen.add(anchor.id)
    return tuple(anchors)
