"""Calibration files: which parameters to fit, to which anchors, how (validated like scenarios).

A calibration file is TOML (see ``scenarios/calibrations/``)::

    name = "untreated_default"
    scenarios = ["spinal_cord_untreated.toml", "peripheral_crush_untreated.toml"]
    targets = ["sci.macrophage_peak_day", "pni.regrowth_rate"]   # anchor ids (nervesim evidence)
    seeds_per_particle = 2     # runs (seeds) per parameter set; the statistic is their mean
    population_size = 60       # accepted particles per generation
    generations = 5            # at most this many generations ...
    min_epsilon = 0.0          # ... or stop once the tolerance is this small (0: never)
    root_seed = 2026           # every proposal and every run's seed derives from it
    predictive_draws = 20      # posterior draws run again for the predictive bands
    transition = "multivariate_normal"   # or "local": pyabc's proposal kernel
    transition_scaling = 1.0             # > 1: the multivariate normal kernel proposes wider

    [overrides]                # fixed, for every scenario (e.g. a smaller grid for a quick try)
    "time.record_every_h" = 6.0

    [[parameters]]
    key = "macrophage.death_rate_per_h"   # a dotted key of `nervesim show-params`
    lo = 0.002                 # prior range; default the schema's allowed range
    hi = 0.02
    prior = "loguniform"       # default: loguniform for rates (_per_h) and doses, else uniform

``[target_values]`` (anchor id = value) replaces an anchor's band by a point value: the known
answer of a synthetic test. ``model = "toy"`` swaps the simulation for a stand-in with a known
answer (tests and benchmarks; :mod:`simulation.calibration.bridge`). Unknown keys, unknown
parameters or anchors, empty or inverted ranges and ranges outside a parameter's allowed range
are one-line errors naming the file, the key, its units and the allowed range.
"""

from __future__ import annotations

import hashlib
import json
import math
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simulation.evidence.anchors import Anchor, AnchorError, all_anchors
from simulation.scenario.errors import (
    ScenarioError,
    first_error,
    located_clause,
    shown_key,
    units_and_range,
)
from simulation.scenario.schema import (
    MOVED_KEYS,
    Scenario,
    iter_parameters,
    load_scenario,
)
from simulation.scenario.toml_io import checked_path, parse_toml, read_text
from simulation.validation.checks import SCENARIO_DIR


class CalibrationError(ScenarioError):
    """A calibration file that cannot be read or is invalid; the message is one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """One free parameter and its prior."""

    key: str = Field(description="dotted scenario key, e.g. macrophage.death_rate_per_h")
    lo: float | None = Field(None, description="lower end of the prior (default: schema range)")
    hi: float | None = Field(None, description="upper end of the prior (default: schema range)")
    prior: Literal["uniform", "loguniform"] | None = Field(
        None, description="default loguniform for rates (_per_h) and doses, else uniform"
    )


class ToySpec(_Strict):
    """The stand-in simulator's settings (``model = "toy"``)."""

    noise: float = Field(0.05, ge=0.0, le=10.0, description="noise of each toy statistic")
    delay_s: float = Field(0.0, ge=0.0, le=10.0, description="seconds each toy run sleeps")


class CalibrationSpec(_Strict):
    """The contents of a calibration file."""

    name: str = Field(min_length=1, max_length=100, description="short name")
    description: str = Field("", description="what the calibration fits")
    model: Literal["nervesim", "toy"] = Field("nervesim", description="the simulator")
    scenarios: list[str] = Field(min_length=1, description="library scenarios calibrated")
    overrides: dict[str, bool | int | float | str] = Field(
        default_factory=dict, description="fixed dotted-key overrides for every scenario"
    )
    targets: list[str] = Field(min_length=1, description="anchor ids the fit targets")
    target_values: dict[str, float] = Field(
        default_factory=dict, description="point values replacing anchors' bands"
    )
    parameters: list[ParameterSpec] = Field(min_length=1, max_length=20)
    seeds_per_particle: int = Field(2, ge=1, le=100, description="runs per parameter set")
    population_size: int = Field(50, ge=4, le=100_000, description="particles per generation")
    generations: int = Field(5, ge=1, le=100, description="most generations")
    min_epsilon: float = Field(
        0.0, ge=0.0, description="stop once the tolerance is this small (0: run every generation)"
    )
    root_seed: int = Field(0, ge=0, le=2**63 - 1, description="root of every seed")
    predictive_draws: int = Field(20, ge=0, le=10_000, description="posterior-predictive draws")
    transition: Literal["multivariate_normal", "local"] = Field(
        "multivariate_normal",
        description="pyabc's proposal kernel: one multivariate normal (Silverman bandwidth) or "
        "a local one per particle (covariance of its nearest quarter)",
    )
    transition_scaling: float = Field(
        1.0,
        gt=0.0,
        le=10.0,
        description="factor on the multivariate normal kernel's covariance (pyabc's scaling): "
        "above 1 proposes wider, for posteriors the anchors leave nearly as wide as the prior",
    )
    toy: ToySpec = ToySpec()


@dataclass(frozen=True)
class FreeParameter:
    """A free parameter resolved against the schema.

    Attributes:
        key: the dotted scenario key.
        kind: ``"float"`` or ``"int"``.
        units: the parameter's units.
        lo, hi: the prior's range (natural units).
        log: the prior is uniform in log10 (loguniform).
        default: the schema's default (the library's value today).
    """

    key: str
    kind: str
    units: str
    lo: float
    hi: float
    log: bool
    default: float

    def bounds(self) -> tuple[float, float]:
        """The range in the sampling space (log10 of it for loguniform)."""
        return (math.log10(self.lo), math.log10(self.hi)) if self.log else (self.lo, self.hi)

    def natural(self, x: float) -> float | int:
        """A sampling-space value as the parameter's value (clipped to the prior's range)."""
        value = min(max(10.0**x if self.log else float(x), self.lo), self.hi)
        return round(value) if self.kind == "int" else value

    def unit(self, value: float) -> float:
        """The position of ``value`` in the prior's sampling space, 0 at lo and 1 at hi."""
        a, b = self.bounds()
        x = math.log10(value) if self.log else value
        return (x - a) / (b - a)

    @property
    def prior_name(self) -> str:
        """``loguniform`` or ``uniform``."""
        return "loguniform" if self.log else "uniform"


@dataclass(frozen=True)
class Target:
    """An anchor the fit targets: its band, or a point value given in the file."""

    anchor: Anchor
    value: float | None

    @property
    def id(self) -> str:
        """The anchor's id."""
        return self.anchor.id

    @property
    def scale(self) -> float:
        """The anchor's natural scale: its band's width, or the size of its one bound."""
        a = self.anchor
        if math.isfinite(a.low) and math.isfinite(a.high):
            return a.high - a.low
        bound = a.low if math.isfinite(a.low) else a.high
        return abs(bound) or 1.0


@dataclass(frozen=True)
class Calibration:
    """A validated calibration file.

    Attributes:
        spec: the file's contents.
        path: the file.
        text: its text.
        scenarios: the library scenarios by file name, with the fixed overrides applied.
        parameters: the free parameters, in file order.
        targets: the targets, in file order.
    """

    spec: CalibrationSpec
    path: Path
    text: str
    scenarios: dict[str, Scenario]
    parameters: tuple[FreeParameter, ...]
    targets: tuple[Target, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The free parameters' keys."""
        return tuple(p.key for p in self.parameters)

    def digest(self) -> str:
        """A hash of everything that decides each generation (not the description or
        comments): the file's settings, every scenario as run and every target anchor.

        The stopping rules (``generations``, ``min_epsilon``) and ``predictive_draws`` are left
        out: generation t is the same whatever they say, so a finished calibration continues
        with more generations in the same folder, to what a longer run from scratch gives."""
        data = self.spec.model_dump(
            mode="json", exclude={"description", "generations", "min_epsilon", "predictive_draws"}
        )
        if data["transition"] == "multivariate_normal":  # the default: digests made before
            del data["transition"]  # the option existed stay valid
        if data["transition_scaling"] == 1.0:
            del data["transition_scaling"]
        blob = json.dumps(
            {
                "spec": data,
                "scenarios": {k: s.digest() for k, s in sorted(self.scenarios.items())},
                "anchors": [t.anchor.model_dump(mode="json") for t in self.targets],
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def default_log(key: str) -> bool:
    """Rates (``_per_h``) and doses are log-uniform by default: their plausible values span
    orders of magnitude."""
    leaf = key.rsplit(".", 1)[-1]
    return leaf.endswith("_per_h") or "dose" in leaf


def schema_info(key: str) -> tuple[str, str, float | None, float | None, Any] | None:
    """``(kind, units, lo, hi, default)`` of a schema key, or None when it is not one."""
    for dotted, info in iter_parameters():
        if dotted != key:
            continue
        ann = info.annotation
        kind = "bool" if ann is bool else "int" if ann is int else "float" if ann is float else ""
        if typing.get_origin(ann) is Literal:
            kind = "choice"
        extra = info.json_schema_extra or {}
        lo = hi = None
        for m in info.metadata:
            lo = getattr(m, "ge", lo)
            hi = getattr(m, "le", hi)
        return kind or "text", str(extra.get("units", "")), lo, hi, info.default
    return None


def _default_value(key: str) -> Any:
    value: Any = Scenario().to_dict()
    for part in key.split("."):
        value = value[part]
    return value


def _resolve_parameter(p: ParameterSpec, i: int) -> FreeParameter:
    where = f"parameters[{i}] ({shown_key(p.key)})"
    if p.key in MOVED_KEYS:
        raise CalibrationError(f"{where}: no longer a key; use {MOVED_KEYS[p.key]} instead")
    if p.key.startswith("interventions"):
        raise CalibrationError(
            f"{where}: therapy parameters are not calibrated here (free parameters are tissue "
            "and cell keys of nervesim show-params)"
        )
    info = schema_info(p.key)
    if info is None:
        raise CalibrationError(f"{where}: not a scenario parameter (see nervesim show-params)")
    kind, units, slo, shi, _ = info
    if kind not in ("float", "int"):
        raise CalibrationError(f"{where}: a {kind} parameter; only numbers can be calibrated")
    allowed = f"({units_and_range(units, slo, shi)})"
    lo = p.lo if p.lo is not None else slo
    hi = p.hi if p.hi is not None else shi
    if lo is None or hi is None:
        raise CalibrationError(f"{where}: the schema gives no range; give lo and hi {allowed}")
    for end, bound in (("lo", lo), ("hi", hi)):
        if (slo is not None and bound < slo) or (shi is not None and bound > shi):
            raise CalibrationError(
                f"{where}: {end} {bound:g} is outside the parameter's range {allowed}"
            )
    if not lo < hi:
        raise CalibrationError(
            f"{where}: the prior range [{lo:g}, {hi:g}] is empty or inverted; give lo < hi "
            f"{allowed}"
        )
    log = p.prior == "loguniform" if p.prior is not None else default_log(p.key)
    if log and lo <= 0:
        how = "give lo > 0" if p.prior else 'give lo > 0 or prior = "uniform"'
        raise CalibrationError(
            f"{where}: a loguniform prior needs lo > 0, the range starts at {lo:g}; {how} {allowed}"
        )
    return FreeParameter(p.key, kind, units, float(lo), float(hi), log, _default_value(p.key))


def _resolve_targets(spec: CalibrationSpec) -> tuple[Target, ...]:
    by_id = {a.id: a for a in all_anchors()}
    targets = []
    for i, anchor_id in enumerate(spec.targets):
        where = f"targets[{i}]"
        anchor = by_id.get(anchor_id)
        if anchor is None:
            known = ", ".join(a.id for a in by_id.values() if a.encodable)
            raise CalibrationError(
                f"{where}: {shown_key(repr(anchor_id))} is not an anchor id (known: {known})"
            )
        if not anchor.encodable:
            raise CalibrationError(
                f"{where}: anchor {anchor_id} is not encodable yet ({anchor.reason})"
            )
        missing = [a.scenario for a in anchor.arms if a.scenario not in spec.scenarios]
        if missing and spec.model == "nervesim":
            raise CalibrationError(
                f"{where}: anchor {anchor_id} runs {missing[0]}, which is not in scenarios"
            )
        targets.append(Target(anchor, spec.target_values.get(anchor_id)))
    if len(set(spec.targets)) != len(spec.targets):
        dup = next(t for t in spec.targets if spec.targets.count(t) > 1)
        raise CalibrationError(f"targets: {dup} is named twice")
    extra = sorted(set(spec.target_values) - set(spec.targets))
    if extra:
        raise CalibrationError(
            f"target_values: {shown_key(repr(extra[0]))} is not one of the targets"
        )
    return tuple(targets)


def _resolve_scenarios(spec: CalibrationSpec) -> dict[str, Scenario]:
    scenarios = {}
    for i, name in enumerate(spec.scenarios):
        path = SCENARIO_DIR / name
        if "/" in name or "\\" in name or not path.is_file():
            raise CalibrationError(
                f"scenarios[{i}]: {shown_key(repr(name))} is not a scenario file of scenarios/ "
                "(nervesim list)"
            )
        base = load_scenario(path)
        try:
            scenarios[name] = base.with_overrides(dict(spec.overrides))
        except ScenarioError as exc:
            text = str(exc).removeprefix("overrides: ")
            raise CalibrationError(f"overrides: {text} (in {name})") from None
    if len(scenarios) != len(spec.scenarios):
        raise CalibrationError("scenarios: a scenario is named twice")
    return scenarios


def loads_calibration(text: str, path: str | Path) -> Calibration:
    """Validate a calibration from its TOML ``text`` (``path`` names it in messages).

    Raises:
        CalibrationError: one line naming the file, the key and the problem.
    """
    path = Path(path)
    try:
        data = parse_toml(text, str(path))
    except ScenarioError as exc:
        raise CalibrationError(str(exc)) from None
    try:
        spec = CalibrationSpec.model_validate(data)
    except ValidationError as exc:
        clause = first_error(exc, lambda err: located_clause(err, "calibration"))
        raise CalibrationError(f"{path}: {clause}") from None
    try:
        keys = [p.key for p in spec.parameters]
        if len(set(keys)) != len(keys):
            dup = next(k for k in keys if keys.count(k) > 1)
            raise CalibrationError(f"parameters: {shown_key(dup)} is named twice")
        params = tuple(_resolve_parameter(p, i) for i, p in enumerate(spec.parameters))
        fixed = sorted(set(spec.overrides) & set(keys))
        if fixed:
            raise CalibrationError(
                f"overrides: {shown_key(fixed[0])} is also a free parameter; fix it or fit it"
            )
        for key, value in spec.overrides.items():
            if isinstance(value, str) and schema_info(key) is None:
                raise CalibrationError(f"overrides: {shown_key(key)}: unknown key")
        targets = _resolve_targets(spec)
        scenarios = _resolve_scenarios(spec)
        _check_free_parameters_apply(params, scenarios)
    except (CalibrationError, AnchorError) as exc:
        raise CalibrationError(f"{path}: {exc}") from None
    except ScenarioError as exc:
        raise CalibrationError(f"{path}: {exc}") from None
    return Calibration(spec, path, text, scenarios, params, targets)


def _check_free_parameters_apply(
    params: tuple[FreeParameter, ...], scenarios: dict[str, Scenario]
) -> None:
    """Every corner of the prior box must give a valid scenario (cross-field checks such as a
    lesion that must fit the grid), so that no particle fails for a reason the file could
    have said."""
    for name, scenario in scenarios.items():
        for end in ("lo", "hi"):
            overrides = {p.key: p.natural(p.bounds()[0 if end == "lo" else 1]) for p in params}
            try:
                scenario.with_overrides(overrides)
            except ScenarioError as exc:
                text = str(exc).removeprefix("overrides: ")
                raise CalibrationError(
                    f"parameters: with every parameter at its prior's {end}, {name} is "
                    f"invalid: {text}"
                ) from None


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file.

    Raises:
        CalibrationError: one line naming the file, the key and the problem.
    """
    try:
        path = checked_path(path)
        text = read_text(path)
    except ScenarioError as exc:
        raise CalibrationError(str(exc)) from None
    return loads_calibration(text, path)


__all__ = [
    "Calibration",
    "CalibrationError",
    "CalibrationSpec",
    "FreeParameter",
    "Target",
    "load_calibration",
    "loads_calibration",
]
