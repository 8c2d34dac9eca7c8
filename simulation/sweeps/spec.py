"""Sweep files: which scenario to vary, how, and what to keep (validated like scenarios).

A sweep file is TOML. It names a base scenario (path relative to the sweep file), the
parameters to vary (dotted scenario keys, as ``nervesim show-params`` lists them; an item of
the base's intervention list is named by its index, ``interventions[0].day``), the design, how
many samples and replicates, a root seed, the days to simulate and the metrics and days to
keep. Unknown keys are errors, every range is checked against the parameter's allowed range,
and every error is one line naming the file, the key, its units and what is allowed::

    base = "../spinal_cord_ev.toml"
    name = "spinal_ev_dose_lhs"
    design = "lhs"            # grid | lhs | sobol | morris
    samples = 200             # lhs: points; sobol: N, 2^k (N*(D+2) points, N*(2D+2) with
                              # second_order); morris: trajectories (N*(D+1) points)
    replicates = 1            # runs (seeds) per design point
    root_seed = 0             # per-run seeds: SeedSequence(root_seed).spawn(runs)
    days = 10                 # optional: else the base scenario's duration

    [keep]
    metrics = ["macrophages_m2_count", "inflammation_mean_au"]
    days = [3, 7, 10]         # optional: else every recorded row

    [[parameters]]
    key = "interventions[0].dose_particles"
    lo = 1e9
    hi = 1e11
    distribution = "loguniform"   # or "uniform" (the default)

    [[parameters]]            # grid designs: a list of values, or a range with levels
    key = "neuron.count"
    values = [20, 40, 80]
"""

from __future__ import annotations

import hashlib
import json
import math
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulation.runs.metrics import METRICS
from simulation.scenario.errors import (
    first_error,
    located_clause,
    shown_key,
    shown_value,
    units_and_range,
)
from simulation.scenario.schema import (
    MOVED_KEYS,
    Scenario,
    ScenarioError,
    iter_parameters,
    load_scenario,
)
from simulation.scenario.toml_io import checked_path, parse_toml, read_text

#: The designs a sweep file may name.
DESIGNS = ("grid", "lhs", "sobol", "morris")
#: The most runs one sweep may plan.
MAX_RUNS = 1_000_000


class SweepError(ScenarioError):
    """A sweep file that cannot be read or is invalid; the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """One varied parameter: a list of values, or a range ``lo``-``hi`` with a distribution."""

    key: str = Field(description="dotted scenario key, e.g. neuron.count or interventions[0].day")
    values: list[bool | int | float | str] | None = Field(
        None, min_length=1, description="the values (grid designs)"
    )
    lo: float | None = Field(None, description="lower end of the range")
    hi: float | None = Field(None, description="upper end of the range")
    distribution: Literal["uniform", "loguniform"] = Field(
        "uniform", description="how samples spread over the range"
    )
    levels: int | None = Field(
        None, ge=2, le=1000, description="grid designs: evenly spread values over the range"
    )

    @model_validator(mode="after")
    def _values_or_range(self) -> ParameterSpec:
        has_range = self.lo is not None or self.hi is not None
        if self.values is not None and (has_range or self.levels is not None):
            raise ValueError("give either values or lo/hi, not both")
        if self.values is None:
            if self.lo is None or self.hi is None:
                raise ValueError("give values = [...] or both lo and hi")
            if not self.lo < self.hi:
                raise ValueError(f"lo {self.lo:g} must be below hi {self.hi:g}")
            if self.distribution == "loguniform" and self.lo <= 0:
                raise ValueError(f"loguniform needs lo > 0, got {self.lo:g}")
        elif len({json.dumps(v) for v in self.values}) != len(self.values):
            raise ValueError("values repeat")
        return self


class KeepSpec(_Strict):
    """What each run's Parquet part keeps."""

    metrics: list[str] = Field(min_length=1, description="metric columns to keep")
    days: list[float] | None = Field(
        None, min_length=1, description="days to keep (the recorded row nearest each)"
    )


class SweepSpec(_Strict):
    """The contents of a sweep file."""

    base: str = Field(description="the base scenario file, relative to the sweep file")
    name: str = Field(description="short name of the sweep")
    description: str = Field("", description="what the sweep explores")
    design: Literal["grid", "lhs", "sobol", "morris"] = Field(description="the design")
    samples: int | None = Field(None, ge=1, le=100_000, description="lhs/sobol/morris size")
    replicates: int = Field(1, ge=1, le=1000, description="runs (seeds) per design point")
    root_seed: int = Field(0, ge=0, le=2**63 - 1, description="root of every per-run seed")
    common_random_numbers: bool = Field(
        False, description="replicate r uses the same seed at every point (less noise)"
    )
    days: float | None = Field(None, gt=0, le=365, description="days to simulate")
    second_order: bool = Field(False, description="sobol: also second-order indices")
    morris_levels: int = Field(4, ge=2, le=100, description="morris: grid levels (even)")
    keep: KeepSpec
    parameters: list[ParameterSpec] = Field(min_length=1, description="the varied parameters")


# ------------------------------------------------------------------------------ resolved
@dataclass(frozen=True)
class Parameter:
    """A varied parameter resolved against the schema.

    Attributes:
        key: the key as the sweep file names it (also its column in the results).
        schema_key: the key in the schema (``interventions.ev.day`` for ``interventions[0].day``).
        kind: ``"float"``, ``"int"``, ``"bool"`` or ``"choice"``.
        units: the parameter's units.
        allowed: the parameter's allowed range ``(lo, hi)``, ``(None, None)`` if not numeric.
        spec: what the sweep file says about it.
    """

    key: str
    schema_key: str
    kind: str
    units: str
    allowed: tuple[float | None, float | None]
    spec: ParameterSpec

    @property
    def log(self) -> bool:
        """Sampled evenly in log10 space."""
        return self.spec.distribution == "loguniform"

    def bounds(self) -> tuple[float, float]:
        """The range in the sampling space (log10 of it for loguniform)."""
        lo, hi = float(self.spec.lo), float(self.spec.hi)  # type: ignore[arg-type]
        return (math.log10(lo), math.log10(hi)) if self.log else (lo, hi)

    def from_unit(self, x: float) -> float | int:
        """A sampling-space value as the parameter's value (10**x, rounded for whole numbers)."""
        value = 10.0**x if self.log else float(x)
        lo, hi = float(self.spec.lo), float(self.spec.hi)  # type: ignore[arg-type]
        value = min(max(value, lo), hi)  # 10**log10(x) may land a hair outside
        return round(value) if self.kind == "int" else value


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the file's contents, its base scenario and resolved parameters.

    Attributes:
        spec: the file's contents.
        path: the sweep file.
        text: the sweep file's text (recorded in the manifest).
        base: the base scenario.
        parameters: the varied parameters, in file order.
        run_days: days each run simulates.
        keep_days: days kept in each part (``None``: every recorded row).
    """

    spec: SweepSpec
    path: Path
    text: str
    base: Scenario
    parameters: tuple[Parameter, ...]
    run_days: float
    keep_days: tuple[float, ...] | None

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics kept."""
        return tuple(self.spec.keep.metrics)

    @property
    def keys(self) -> tuple[str, ...]:
        """The varied parameters' keys."""
        return tuple(p.key for p in self.parameters)

    def digest(self) -> str:
        """A hash of everything that decides the results (not the description or comments)."""
        data = self.spec.model_dump(mode="json", exclude={"description", "base"})
        blob = json.dumps({"spec": data, "base": self.base.digest()}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _schema() -> dict[str, Any]:
    return dict(iter_parameters())


def _kind(annotation: Any) -> str:
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if typing.get_origin(annotation) is Literal:
        return "choice"
    return "text"


def _resolve(p: ParameterSpec, i: int, base: Scenario, schema: dict[str, Any]) -> Parameter:
    """Check one parameter against the schema and the base scenario."""
    where = f"parameters[{i}] ({shown_key(p.key)})"
    key = p.key
    if key.startswith("interventions["):
        head, _, field = key.partition(".")
        try:
            index = int(head.removeprefix("interventions[").removesuffix("]"))
        except ValueError:
            raise SweepError(f"{where}: name an intervention as interventions[0].day") from None
        if index >= len(base.interventions):
            raise SweepError(
                f"{where}: the base scenario has {len(base.interventions)} intervention(s); "
                f"interventions[{index}] does not exist"
            )
        schema_key = f"interventions.{base.interventions[index].kind}.{field}"
    elif key.startswith("interventions."):
        raise SweepError(f"{where}: name the base scenario's item, e.g. interventions[0].day")
    else:
        schema_key = key
    info = schema.get(schema_key)
    if schema_key in MOVED_KEYS:
        raise SweepError(f"{where}: no longer a key; vary {MOVED_KEYS[schema_key]} instead")
    if info is None or schema_key.endswith(".kind"):
        raise SweepError(f"{where}: not a scenario parameter (see nervesim show-params)")
    kind = _kind(info.annotation)
    extra = info.json_schema_extra or {}
    units = str(extra.get("units", ""))
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    allowed = f"({units_and_range(units, lo, hi)})"
    if kind == "text":
        raise SweepError(f"{where}: text, not a parameter to vary")
    if p.values is None:
        if kind not in ("float", "int"):
            raise SweepError(f"{where}: {kind} parameter; give values = [...] (design grid)")
        for end, bound in (("lo", p.lo), ("hi", p.hi)):
            if (lo is not None and bound < lo) or (hi is not None and bound > hi):
                raise SweepError(
                    f"{where}: {end} {bound:g} is outside the parameter's range {allowed}"
                )
    else:
        for value in p.values:
            problem = _value_problem(value, kind, info.annotation, lo, hi)
            if problem:
                tail = f" {allowed}" if kind in ("int", "float") else ""
                raise SweepError(f"{where}: value {shown_value(value)} {problem}{tail}")
    return Parameter(key, schema_key, kind, units, (lo, hi), p)


def _value_problem(value: Any, kind: str, annotation: Any, lo: Any, hi: Any) -> str | None:
    """Why ``value`` cannot be the parameter's value, or None."""
    if kind == "bool":
        return None if isinstance(value, bool) else "is not true or false"
    if kind == "choice":
        choices = typing.get_args(annotation)
        return None if value in choices else f"is not one of {', '.join(map(str, choices))}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is not a number"
    if kind == "int" and not float(value).is_integer():
        return "is not a whole number"
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return "is outside the parameter's range"
    return None


def _check_design(spec: SweepSpec) -> None:
    grid = spec.design == "grid"
    if grid and spec.samples is not None:
        raise SweepError("samples: not used by design grid (give values or levels per parameter)")
    if not grid and spec.samples is None:
        raise SweepError(f"samples: missing (design {spec.design} needs a number of samples)")
    if spec.design == "sobol":
        n = spec.samples or 0
        if n & (n - 1):
            raise SweepError(
                f"samples: {n} must be a power of 2 for design sobol (e.g. {1 << n.bit_length()})"
            )
    if spec.design == "morris" and spec.morris_levels % 2:
        raise SweepError(f"morris_levels: {spec.morris_levels} must be even")
    for i, p in enumerate(spec.parameters):
        where = f"parameters[{i}] ({shown_key(p.key)})"
        if grid and p.values is None and p.levels is None:
            raise SweepError(f"{where}: design grid needs values = [...] or levels with lo/hi")
        if not grid and p.values is not None:
            raise SweepError(f"{where}: values are for design grid; give lo and hi")
        if not grid and p.levels is not None:
            raise SweepError(f"{where}: levels are for design grid")
    keys = [p.key for p in spec.parameters]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise SweepError(f"parameters: {shown_key(dup)} is varied twice")


def planned_points(spec: SweepSpec) -> int:
    """How many design points ``spec`` gives."""
    d = len(spec.parameters)
    n = spec.samples or 0
    if spec.design == "grid":
        return math.prod(
            len(p.values) if p.values is not None else int(p.levels or 0) for p in spec.parameters
        )
    if spec.design == "sobol":
        return n * (2 * d + 2 if spec.second_order else d + 2)
    if spec.design == "morris":
        return n * (d + 1)
    return n


def loads_sweep(text: str, path: str | Path) -> Sweep:
    """Validate a sweep from its TOML ``text``; ``path`` locates its base scenario.

    Raises:
        SweepError: one line naming the file, the key and the problem.
    """
    path = _resolved(path)
    try:
        data = parse_toml(text, str(path))
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        clause = first_error(exc, lambda err: located_clause(err, "sweep"))
        raise SweepError(f"{path}: {clause}") from None
    try:
        _check_design(spec)
        base_path = _resolved(path.parent / spec.base)
        if not base_path.is_file():
            shown = shown_key(spec.base)
            raise SweepError(f"base: {shown}: file not found (looked for {base_path})")
        try:
            base = load_scenario(base_path)
        except ScenarioError as exc:
            raise SweepError(f"base: {exc}") from None
        schema = _schema()
        params = tuple(_resolve(p, i, base, schema) for i, p in enumerate(spec.parameters))
        unknown = [m for m in spec.keep.metrics if m not in METRICS]
        if unknown:
            raise SweepError(
                f"keep.metrics: {shown_key(repr(unknown[0]))} is not a metric "
                f"(known: {', '.join(METRICS)})"
            )
        run_days = spec.days if spec.days is not None else base.time.duration_days
        keep_days = None
        if spec.keep.days is not None:
            keep_days = tuple(sorted(set(spec.keep.days)))
            bad = [d for d in keep_days if not 0 <= d <= run_days]
            if bad:
                raise SweepError(
                    f"keep.days: day {bad[0]:g} is outside the runs (days, allowed [0, "
                    f"{run_days:g}])"
                )
        runs = planned_points(spec) * spec.replicates
        if runs > MAX_RUNS:
            raise SweepError(f"the design plans {runs} runs; at most {MAX_RUNS} are allowed")
    except SweepError as exc:
        raise SweepError(f"{path}: {exc}") from None
    return Sweep(spec, path, text, base, params, float(run_days), keep_days)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file.

    Raises:
        SweepError: one line naming the file, the key and the problem.
    """
    path = _resolved(path)
    try:
        text = read_text(path)
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    return loads_sweep(text, path)


def _resolved(path: str | Path) -> Path:
    """``path`` made absolute; one line for a null byte, a symlink loop or an OS error."""
    try:
        return checked_path(path).resolve()
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        problem = "a symlink loop" if isinstance(exc, RuntimeError) else exc.strerror or exc
        raise SweepError(f"{path}: cannot be read: {problem}") from None
