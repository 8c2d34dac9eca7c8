"""The scenario library and the arms built from it (no Streamlit, no biology).

An *arm* is a library scenario (or an uploaded one) plus the edits a student made on the
Compare page: therapy settings of its interventions, mechanisms switched off, other dotted keys
written as TOML, and the injury severity shared by every arm. Building an arm always goes
through :meth:`Scenario.with_overrides`, so the schema checks every value.
"""

from __future__ import annotations

import functools
import math
import re
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulation.scenario.errors import shown_key
from simulation.scenario.schema import (
    Scenario,
    ScenarioError,
    iter_parameters,
    load_scenario,
    loads_scenario,
    parameter_source,
)
from simulation.scenario.therapy_params import INTERVENTION_TYPES
from simulation.scenario.toml_io import parse_toml
from simulation.validation.checks import SCENARIO_DIR

#: The default comparison: untreated vs iPSC progenitor transplant vs extracellular vesicles.
DEFAULT_ARMS = ("spinal_cord_untreated", "spinal_cord_ipsc_npc_day21", "spinal_cord_ev")
#: Largest scenario upload accepted (bytes).
MAX_UPLOAD_BYTES = 200_000
#: Prefix of an uploaded scenario's key among the library stems.
UPLOAD_PREFIX = "upload:"

#: Intervention settings a student can change on the Compare page, per intervention kind.
EDITABLE: dict[str, tuple[str, ...]] = {
    "cell_transplant": (
        "day",
        "dose_cells",
        "route",
        "immunosuppression_days",
        "doses",
        "repeat_every_days",
    ),
    "ev": ("day", "dose_particles", "route", "cargo", "doses", "repeat_every_days"),
    "chondroitinase": ("day", "half_life_h"),
    "rehabilitation": ("day", "intensity", "task_specific"),
    "scaffold": ("day",),
    "glucose_control": ("day", "target_hba1c_percent"),
    "chemotherapy": ("day", "drug", "dose_mg_per_m2", "cycles", "cycle_days"),
}

_WORDS = {
    "ipsc": "iPSC",
    "npc": "NPC",
    "ev": "EV",
    "ngf": "NGF",
    "msc": "MSC",
    "nsc": "NSC",
    "chabc": "ChABC",
    "iv": "IV",
    "pni": "PNI",
}
_GROUPS = {"spinal_cord_": "Spinal cord", "peripheral_": "Peripheral"}


@dataclass(frozen=True)
class LibraryEntry:
    """A scenario file: its stem, one-line description, what it illustrates and its source."""

    stem: str
    name: str
    description: str
    illustrates: str
    source: str
    path: Path


def header_comments(text: str) -> tuple[str, str]:
    """The opening comment block of a scenario file, split into (illustrates, source)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    body = " ".join(lines)
    illustrates, _, source = body.partition("Source:")
    return illustrates.strip(), source.strip()


@functools.lru_cache(maxsize=8)
def _library(folder: Path, stamp: tuple[tuple[str, float], ...]) -> tuple[LibraryEntry, ...]:
    entries = []
    for name, _ in stamp:
        path = folder / name
        scenario = load_scenario(path)
        illustrates, source = header_comments(path.read_text(encoding="utf-8"))
        stem = path.stem
        entries.append(
            LibraryEntry(stem, scenario.name, scenario.description, illustrates, source, path)
        )
    return tuple(entries)


def library(folder: Path = SCENARIO_DIR) -> dict[str, LibraryEntry]:
    """Every scenario file of the library by stem, in name order (re-read when files change)."""
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(folder.glob("*.toml")))
    return {e.stem: e for e in _library(folder, stamp)}


@functools.lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> Scenario:
    return load_scenario(path)


def base_scenario(stem: str, uploads: dict[str, str] | None = None) -> Scenario:
    """The scenario of a library stem, or of an upload (``upload:<name>``)."""
    if stem.startswith(UPLOAD_PREFIX):
        text = (uploads or {}).get(stem)
        if text is None:
            raise ScenarioError(f"{stem}: this uploaded scenario is no longer loaded")
        return loads_scenario(text, source=stem.removeprefix(UPLOAD_PREFIX))
    path = SCENARIO_DIR / f"{stem}.toml"
    if not path.is_file():
        raise ScenarioError(f"{stem}: no such scenario in the library")
    return _load(path, path.stat().st_mtime)


def read_upload(name: str, data: bytes) -> tuple[str, Scenario]:
    """Validate an uploaded scenario file: TOML text only, size-capped; (key, scenario)."""
    name = shown_key(name)  # the browser's file name: free text
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(
            f"{name}: {len(data)} bytes is too large (at most {MAX_UPLOAD_BYTES} bytes)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: not a UTF-8 text file") from None
    scenario = loads_scenario(text, source=name)
    return f"{UPLOAD_PREFIX}{scenario.name}", scenario


# ------------------------------------------------------------------------------ labels
def pretty(stem: str) -> str:
    """``spinal_cord_ipsc_npc_day21`` -> ``Spinal cord: iPSC NPC day21``."""
    if stem.startswith(UPLOAD_PREFIX):
        return f"{stem.removeprefix(UPLOAD_PREFIX)} (uploaded)"
    group = ""
    for prefix, title in _GROUPS.items():
        if stem.startswith(prefix):
            group, stem = title, stem.removeprefix(prefix)
    words = " ".join(_WORDS.get(w, re.sub(r"^day(\d+)$", r"day \1", w)) for w in stem.split("_"))
    return f"{group}: {words}" if group else words


def short(stem: str) -> str:
    """The label of an arm without its injury group (``iPSC NPC day21``)."""
    text = pretty(stem)
    return text.split(": ", 1)[1] if ": " in text and not stem.startswith(UPLOAD_PREFIX) else text


# ------------------------------------------------------------------------------ arms
@dataclass(frozen=True)
class ArmSpec:
    """One arm of a comparison, as plain values (it lives in ``st.session_state``).

    Attributes:
        scenario: library stem, or ``upload:<name>``.
        label: shown name; blank for one made from the scenario.
        therapy: ``(intervention index, setting, value)`` edits.
        mechanisms_off: mechanism switches turned off (``ev_anti_inflammatory``).
        extra_toml: other settings as TOML (``macrophage.to_m2_per_h = 0.1``).
    """

    scenario: str
    label: str = ""
    therapy: tuple[tuple[int, str, Any], ...] = ()
    mechanisms_off: tuple[str, ...] = ()
    extra_toml: str = ""

    @property
    def edited(self) -> bool:
        """Whether anything differs from the scenario file."""
        return bool(self.therapy or self.mechanisms_off or self.extra_toml.strip())


def arm_labels(specs: Sequence[ArmSpec]) -> list[str]:
    """Unique labels: the custom one, else the scenario's short name (``*`` when edited)."""
    groups = {pretty(s.scenario).split(": ")[0] for s in specs}
    out: list[str] = []
    for spec in specs:
        if spec.label.strip():
            text = spec.label.strip()
        else:
            text = short(spec.scenario) if len(groups) == 1 else pretty(spec.scenario)
            text += " *" if spec.edited else ""
        candidate, k = text, 2
        while candidate in out:
            candidate, k = f"{text} #{k}", k + 1
        out.append(candidate)
    return out


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables as dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def extra_overrides(text: str, where: str) -> dict[str, Any]:
    """Dotted overrides from TOML text, such as ``mechanisms.ev_anti_inflammatory = false``."""
    if not text.strip():
        return {}
    table = parse_toml(text, f"{where}: other settings")
    if "interventions" in table or "base" in table:
        raise ScenarioError(
            f"{where}: other settings: change interventions with the therapy controls"
        )
    return flatten(table)


def build_arm(
    spec: ArmSpec,
    severity: float | None = None,
    uploads: dict[str, str] | None = None,
    where: str = "",
) -> Scenario:
    """The validated scenario of an arm (raises a one-line :class:`ScenarioError`)."""
    where = where or spec.label or spec.scenario
    base = base_scenario(spec.scenario, uploads)
    overrides: dict[str, Any] = {}
    if spec.therapy:
        interventions = base.to_dict()["interventions"]
        for index, key, value in spec.therapy:
            if index >= len(interventions):
                raise ScenarioError(f"{where}: intervention {index + 1} does not exist")
            interventions[index][key] = value
        overrides["interventions"] = interventions
    if severity is not None:
        overrides["injury.severity"] = float(severity)
    for name in spec.mechanisms_off:
        overrides[f"mechanisms.{name}"] = False
    overrides.update(extra_overrides(spec.extra_toml, where))
    if not overrides:
        return base
    try:
        return base.with_overrides(overrides)
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("overrides:", f"{where}:", 1)) from None


# ------------------------------------------------------------------------------ schema info
@dataclass(frozen=True)
class Setting:
    """What the schema says of one setting: units, range, default, meaning, choices, and where
    the default comes from (a citation, "assumed" or "calibrated")."""

    key: str
    units: str
    lo: float | None
    hi: float | None
    default: Any
    description: str
    choices: tuple[Any, ...] = field(default=())
    source: str = ""


def _setting(key: str, info: Any) -> Setting:
    extra = info.json_schema_extra or {}
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    choices: tuple[Any, ...] = ()
    if typing.get_origin(info.annotation) is typing.Literal:
        choices = typing.get_args(info.annotation)
    units = str(extra.get("units", ""))
    description = info.description or ""
    return Setting(key, units, lo, hi, info.default, description, choices, parameter_source(key))


@functools.cache
def settings() -> dict[str, Setting]:
    """Every schema setting by dotted key (interventions as ``interventions.<kind>.<key>``)."""
    return {key: _setting(key, info) for key, info in iter_parameters()}


def intervention_setting(kind: str, key: str) -> Setting:
    """The schema of one intervention setting."""
    return settings()[f"interventions.{kind}.{key}"]


def mechanism_switches() -> dict[str, str]:
    """Every mechanism switch and what it does."""
    return {
        k.removeprefix("mechanisms."): s.description
        for k, s in settings().items()
        if k.startswith("mechanisms.")
    }


def describe_setting(key: str) -> str:
    """``"days, allowed [0, 365], default 21: day after injury of the first dose"``."""
    s = settings()[key]
    parts = [s.units] if s.units and s.units not in ("1", "text", "choice") else []
    if s.choices:
        parts.append("one of " + ", ".join(map(str, s.choices)))
    elif s.lo is not None and s.hi is not None:
        parts.append(f"allowed [{s.lo:g}, {s.hi:g}]")
    if s.default is not None and not isinstance(s.default, list):
        parts.append(f"default {fmt_value(s.default)}")
    return f"{', '.join(parts)}: {s.description}"


def fmt_value(value: Any) -> str:
    """A setting's value for people: ``2 million``, ``1e10``, ``21``, ``on``."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float | int):
        v = float(value)
        if v >= 1e6 and v < 1e9 and (v / 1e6).is_integer():
            return f"{v / 1e6:g} million"
        if v >= 1e5:
            exp = math.floor(math.log10(v))
            mant = v / 10**exp
            return f"{mant:g}e{exp}" if mant != 1 else f"1e{exp}"
        return f"{v:g}"
    return str(value)


def describe_intervention(iv: dict[str, Any]) -> str:
    """One line saying what an intervention delivers and when."""
    kind = iv["kind"]
    when = f"day {fmt_value(iv['day'])}"
    if iv.get("doses", 1) > 1:
        when = (
            f"{iv['doses']} doses every {fmt_value(iv['repeat_every_days'])} days from "
            f"day {fmt_value(iv['day'])}"
        )
    if kind == "cell_transplant":
        source = {"ipsc_npc": "iPSC neural progenitors", "msc": "MSCs", "nsc_msc": "NSC + MSC"}
        text = (
            f"{fmt_value(iv['dose_cells'])} {source.get(iv['source'], iv['source'])}, "
            f"{iv['route']}, {when}"
        )
        if iv.get("immunosuppression_days"):
            text += f", immunosuppressed {fmt_value(iv['immunosuppression_days'])} days"
        return text + (", in a scaffold" if iv.get("scaffold") else "")
    if kind == "ev":
        cargo = "NGF-gene EVs" if iv["cargo"] == "ngf" else "EVs (no cargo)"
        return f"{fmt_value(iv['dose_particles'])} {cargo}, {iv['route']}, {when}"
    if kind == "chondroitinase":
        return f"chondroitinase ABC on {when}, half-life {fmt_value(iv['half_life_h'])} h"
    if kind == "rehabilitation":
        how = "task-specific" if iv["task_specific"] else "general"
        return f"{how} training from {when}, intensity {fmt_value(iv['intensity'])}"
    if kind == "glucose_control":
        target = fmt_value(iv["target_hba1c_percent"])
        return f"glucose control from {when}: HbA1c toward {target} %"
    if kind == "chemotherapy":
        return (
            f"{iv['cycles']} cycles of {iv['drug']} {fmt_value(iv['dose_mg_per_m2'])} mg/m² every "
            f"{fmt_value(iv['cycle_days'])} days from {when}"
        )
    return f"{kind.replace('_', ' ')} on {when}"


def intervention_kinds() -> Iterable[str]:
    """Every intervention kind of the schema."""
    return INTERVENTION_TYPES.keys()
