"""One translator from pydantic validation errors to the one-line messages users read.

Scenario files (:mod:`simulation.scenario.schema`) and sweep files (:mod:`simulation.sweeps.spec`)
both report a bad value as one clause: the key, the value, what is wrong with it, and its units
and allowed range when it has them, e.g. ``neuron.count: 2000 is out of range (cells, allowed
[5, 400])``. Each caller says how a pydantic location reads as a key and where units and ranges
come from; the wording lives here only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

#: Longest key or name a message quotes, characters: the longest real key is about 50, so a
#: longer one is hostile or a mistake and only its start helps the reader.
MAX_SHOWN_KEY_CHARS = 80
#: Longest file path a message quotes, characters: room for a deep folder and a file name.
MAX_SHOWN_PATH_CHARS = 160
#: Longest text value a message quotes, characters (the same reasoning as for keys).
MAX_SHOWN_TEXT_CHARS = 80
#: Longest whole message, characters: about five terminal lines, with room for a long file path.
#: Messages are built from cut keys and values, so only a pathological mix reaches this cut.
MAX_MESSAGE_CHARS = 500
#: Widest whole number quoted in full, digits; a longer one is shown by its digit count.
MAX_SHOWN_DIGITS = 20
_HUGE = 10**MAX_SHOWN_DIGITS


class ScenarioError(ValueError):
    """A scenario (or sweep) that cannot be read or is invalid; the message is one line."""

    def __init__(self, message: str) -> None:
        text = "\\n".join(str(message).splitlines())  # a key may hold a newline
        text = text.encode("utf-8", "backslashreplace").decode()  # a lone surrogate would not print
        super().__init__(cut(text, MAX_MESSAGE_CHARS))


def cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_key(key: str) -> str:
    """A key or name as a message quotes it: cut to :data:`MAX_SHOWN_KEY_CHARS`."""
    return cut(key, MAX_SHOWN_KEY_CHARS)


def shown_path(path: object) -> str:
    """A file path as a message quotes it: its start and its end when it is too long."""
    text = str(path)
    if len(text) <= MAX_SHOWN_PATH_CHARS:
        return text
    half = MAX_SHOWN_PATH_CHARS // 2
    return f"{text[: half - 1]}…{text[-half:]}"


#: What a type error expects, by the first word of pydantic's error type.
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
}
#: Range error types and how they read.
_BOUNDS = {"ge": ">=", "le": "<=", "gt": ">", "lt": "<"}
_RANGE_ERRORS = ("greater_than_equal", "less_than_equal", "greater_than", "less_than")


def shown_value(value: Any) -> str:
    """A value as it is quoted in a message: JSON for scalars (long text and numbers cut), else
    the type's name."""
    if isinstance(value, str):  # escaped (ASCII): a lone surrogate would not print
        more = "…" if len(value) > MAX_SHOWN_TEXT_CHARS else ""
        return json.dumps(value[:MAX_SHOWN_TEXT_CHARS]) + more
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _HUGE:
        return f"a number of about {round(value.bit_length() * math.log10(2))} digits"
    if isinstance(value, int | float | bool):
        return json.dumps(value)
    return type(value).__name__


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def units_and_range(units: str, lo: float | None, hi: float | None) -> str:
    """``"cells, allowed [5, 400]"``: a key's units and allowed range as a message shows them."""
    units = {"1": "dimensionless", "text": "", "choice": ""}.get(units, units)
    parts = [units] if units else []
    if lo is not None or hi is not None:
        parts.append(f"allowed [{_fmt(lo)}, {_fmt(hi)}]")
    return ", ".join(parts)


def describe(
    err: Mapping[str, Any],
    key: str,
    *,
    units: str = "",
    lo: float | None = None,
    hi: float | None = None,
    unknown: Callable[[], str] | None = None,
    tags: Sequence[str] = (),
) -> str:
    """One clause for one pydantic error ``err`` (an item of ``ValidationError.errors()``).

    Args:
        err: the error.
        key: the key as the user wrote it (``interventions[0].day``); ``""`` for the whole file.
        units: the key's units (``"1"`` reads as dimensionless; ``text``/``choice`` show none).
        lo, hi: the key's allowed range, if known; otherwise a range error quotes pydantic's bound.
        unknown: the clause for an unknown key (e.g. with a did-you-mean); default "unknown key".
        tags: the allowed ``kind`` values of a tagged table (e.g. intervention types).
    """
    key = shown_key(key)
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = shown_value(value)
    if kind == "extra_forbidden":
        return unknown() if unknown is not None else f"{key}: unknown key"
    if kind == "missing":
        return f"{key}: missing"
    if kind == "value_error":  # a cross-field check: its message says what is wrong
        message = str(ctx.get("error", err.get("msg", "invalid")))
        if not key:  # a check of the whole file names its keys itself
            return message
        if isinstance(value, dict) and isinstance(value.get("key"), str):
            key = f"{key} ({shown_key(value['key'])})"
        return f"{key}: {message}"
    if kind == "literal_error":
        return f"{key}: {shown} is not one of {ctx.get('expected', '')}"
    if kind in ("model_type", "dict_type"):
        where = f" ([{key}] in TOML)" if key and not key.endswith("]") else ""
        return f"{key}: {shown} should be a table of settings{where}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        allowed = ", ".join(tags) if tags else str(ctx.get("expected_tags", ""))
        if kind == "union_tag_not_found":
            return f"{key}.kind: missing (one of {allowed})"
        return f"{key}.kind: {shown_value(ctx.get('tag', ''))} is not one of {allowed}"
    what = units_and_range(units, lo, hi)
    if lo is None and hi is None and kind in _RANGE_ERRORS:
        limits = ", ".join(f"{op} {ctx[b]}" for b, op in _BOUNDS.items() if b in ctx)
        what = ", ".join(filter(None, (what, f"allowed {limits}")))
    if kind == "finite_number":
        problem = "is not a finite number"
    elif kind in _RANGE_ERRORS:
        problem = "is out of range"
    elif kind.split("_")[0] in _EXPECTED:
        problem = f"is not {_EXPECTED[kind.split('_')[0]]}"
    else:
        problem = f"is invalid: {str(err.get('msg', '')).lower()}"
    return f"{key}: {shown} {problem}" + (f" ({what})" if what else "")


def first_error(exc: ValidationError, clause: Callable[[Mapping[str, Any]], str]) -> str:
    """The first error of ``exc`` as one clause, with how many more there are."""
    errors = exc.errors()
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{clause(errors[0])}{more}"


def located_clause(err: Mapping[str, Any], root: str) -> str:
    """One clause for a pydantic error in a file of ``root`` kind (sweep, calibration): its
    location as a dotted key with list indices (``parameters[1].lo``), leaving out the union
    member pydantic tried (``float``, ``str``...), which is not a key."""
    parts: list[str] = []
    for item in err["loc"]:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
        elif item in ("bool", "int", "float", "str") and parts:
            continue
        else:
            parts.append(str(item))
    return describe(err, ".".join(parts) or root)
