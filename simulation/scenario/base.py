"""The building blocks of every parameter group: documented, range-checked numbers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def P(default: Any, lo: float, hi: float, units: str, description: str) -> Any:  # noqa: N802
    """A schema number: default, inclusive range, units and a one-line description."""
    return Field(default, ge=lo, le=hi, description=description, json_schema_extra={"units": units})


def Flag(default: bool, description: str) -> Any:  # noqa: N802
    """A schema switch."""
    return Field(default, description=description, json_schema_extra={"units": "on/off"})


class Params(BaseModel):
    """Base of every parameter group: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False, strict=True
    )
