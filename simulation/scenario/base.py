"""The building blocks of every parameter group: documented, range-checked, sourced numbers.

Every number, switch and choice says where its default comes from (``source``): a short
citation (``"Kigerl et al. 2009, J Neurosci 29:13435"``) where the value or its order of
magnitude really comes from that paper, ``"assumed"`` for a modelling choice (optionally
``"assumed; order of magnitude from <citation>"``), or ``"calibrated"`` once fitted to the
anchors. ``nervesim show-params`` and the dashboard show it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def P(  # noqa: N802
    default: Any, lo: float, hi: float, units: str, description: str, *, source: str
) -> Any:
    """A schema number: default, inclusive range, units, a one-line description and a source."""
    return Field(
        default,
        ge=lo,
        le=hi,
        description=description,
        json_schema_extra={"units": units, "source": source},
    )


def Flag(default: bool, description: str, *, source: str) -> Any:  # noqa: N802
    """A schema switch, with the source of its default."""
    return Field(
        default, description=description, json_schema_extra={"units": "on/off", "source": source}
    )


def Choice(default: str, description: str, *, source: str) -> Any:  # noqa: N802
    """A schema choice among the values of its ``Literal`` annotation, with a source."""
    return Field(
        default, description=description, json_schema_extra={"units": "choice", "source": source}
    )


class Params(BaseModel):
    """Base of every parameter group: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False, strict=True
    )
