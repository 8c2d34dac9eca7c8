"""What the dashboard checks before it parses anything a visitor hands it (no Streamlit).

Uploaded scenario files and typed TOML are screened here, with one linear pass over the bytes,
before any TOML parser sees them: size, nesting depth and the number of parts of a dotted key.
Python's ``tomllib`` recurses once per nested array or inline table (1000 levels raise
``RecursionError``) and its memory grows with the square of a dotted key's parts (a 200 kB
``a.a.a...`` key took the server to 21 GB), so these are refused unread. Whatever else goes
wrong reading a file is turned into one line for ``st.error`` by :func:`one_line`.

Sweep manifests (JSON) are checked by :func:`check_manifest`: every value the Sweeps page and
``simulation.sweeps`` read from one must have the type they expect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: Largest scenario upload read (bytes). Scenario files are a few kB (the library's largest is
#: under 4 kB); 200 kB leaves room for long comments and is refused before it is decoded.
MAX_SCENARIO_BYTES = 200_000
#: Most nested arrays / inline tables in a scenario's TOML (the schema needs 3).
MAX_NESTING = 16
#: Most parts of one dotted key (``interventions.dose_cells`` has 2; the schema needs 4).
MAX_KEY_PARTS = 16
#: Longest message shown for a refused file (characters).
MAX_MESSAGE = 300

_BOM = b"\xef\xbb\xbf"
_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+:")


class RefusedError(ValueError):
    """Input refused before it was parsed (one line, naming the file)."""


def one_line(exc: BaseException, limit: int = MAX_MESSAGE) -> str:
    """An exception as one short line: its first line, or its type when it has no text."""
    text = str(exc).strip().splitlines()[0].strip() if str(exc).strip() else ""
    if not text or isinstance(exc, KeyError | RecursionError | MemoryError | AttributeError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def screen_toml_bytes(name: str, data: bytes, limit: int = MAX_SCENARIO_BYTES) -> bytes:
    """``data`` if it may be parsed as TOML (a leading UTF-8 BOM removed), else RefusedError.

    Checked in this order, each before anything more is done: size, UTF-8 text, then
    :func:`screen_toml` (nesting and dotted keys).
    """
    if len(data) > limit:
        raise RefusedError(f"{name}: {len(data):,} bytes is too large (at most {limit:,} bytes)")
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedError(f"{name}: not a UTF-8 text file") from None
    if "\x00" in text:
        raise RefusedError(f"{name}: not a text file (it holds NUL bytes)")
    screen_toml(name, text)
    return data


def screen_toml(name: str, text: str) -> None:
    """Refuse TOML text nested deeper than :data:`MAX_NESTING` or with a dotted key of more
    than :data:`MAX_KEY_PARTS` parts, in one pass that skips strings and comments.

    A lexical check, not a parser: it may pass text the parser then rejects (that error is
    shown instead), never the reverse for these two limits.
    """
    depth = 0
    parts = 0  # parts of the dotted run being read (a float like 1.5 counts 2)
    dot = False  # the last token of the run was a dot
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            triple = text.startswith(c * 3, i)
            end = _string_end(text, i, c, triple)
            i = end
            parts, dot = (parts + 1 if dot or parts == 0 else 1), False
        elif c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in _BARE:
            j = i
            while j < n and text[j] in _BARE:
                j += 1
            parts, dot = (parts + 1 if dot or parts == 0 else 1), False
            i = j
        elif c == ".":
            dot = True
            i += 1
        elif c in " \t":
            i += 1
        else:
            if c in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    raise RefusedError(
                        f"{name}: nested more than {MAX_NESTING} levels deep (arrays or tables)"
                    )
            elif c in "]}":
                depth = max(0, depth - 1)
            parts, dot = 0, False
            i += 1
        if parts > MAX_KEY_PARTS:
            raise RefusedError(f"{name}: a dotted key of more than {MAX_KEY_PARTS} parts")


def _string_end(text: str, i: int, quote: str, triple: bool) -> int:
    """The index just past the string starting at ``i`` (the end of text if unterminated)."""
    n = len(text)
    if triple:
        j = text.find(quote * 3, i + 3)
        if j < 0:
            return n
        j += 3
        while j < n and text[j] == quote:  # up to two more quotes belong to the string
            j += 1
        return j
    j = i + 1
    while j < n:
        ch = text[j]
        if ch == "\\" and quote == '"':
            j += 2
            continue
        if ch == quote:
            return j + 1
        if ch == "\n":  # unterminated: the parser will say so; the newline ends the run
            return j
        j += 1
    return n


# ------------------------------------------------------------------------------ manifests
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fail(name: str, where: str, what: str) -> RefusedError:
    return RefusedError(f"{name}: not a usable sweep manifest: {where} {what}")


def check_manifest(manifest: Any, name: str = "manifest.json") -> dict[str, Any]:
    """``manifest`` if every value the Sweeps page and the sweep reader use has the expected
    type (see ``simulation.sweeps.sweep`` for the format), else one-line RefusedError."""
    if not isinstance(manifest, Mapping):
        raise RefusedError(f"{name}: not a sweep manifest (not a JSON object)")
    for key, kind, label in (
        ("name", str, "a text"),
        ("design", str, "a text"),
        ("metrics", list, "a list"),
        ("parameters", list, "a list"),
        ("points", list, "a list"),
        ("runs", list, "a list"),
    ):
        if key not in manifest:
            raise _fail(name, f"'{key}'", "is missing")
        if not isinstance(manifest[key], kind):
            raise _fail(name, f"'{key}'", f"must be {label}")
    for key, label in (("description", "a text"),):
        if key in manifest and not isinstance(manifest[key], str | None):
            raise _fail(name, f"'{key}'", f"must be {label}")
    for key in ("days", "replicates"):
        if key in manifest and not _number(manifest[key]):
            raise _fail(name, f"'{key}'", "must be a number")
    base = manifest.get("base", {})
    if not isinstance(base, Mapping) or not isinstance(base.get("name", ""), str):
        raise _fail(name, "'base'", "must be an object with a text 'name'")
    if not all(isinstance(m, str) for m in manifest["metrics"]):
        raise _fail(name, "'metrics'", "must be a list of texts")
    for k, p in enumerate(manifest["parameters"]):
        where = f"parameters[{k}]"
        if not isinstance(p, Mapping):
            raise _fail(name, where, "must be an object")
        if not isinstance(p.get("key"), str) or not p["key"]:
            raise _fail(name, f"{where}.key", "is missing or not a text")
        for key in ("lo", "hi"):
            if p.get(key) is not None and not _number(p[key]):
                raise _fail(name, f"{where}.{key}", "must be a number")
        for key in ("units", "distribution"):
            if p.get(key) is not None and not isinstance(p[key], str):
                raise _fail(name, f"{where}.{key}", "must be a text")
        if p.get("values") is not None and not isinstance(p["values"], list):
            raise _fail(name, f"{where}.values", "must be a list")
    keys = [p["key"] for p in manifest["parameters"]]
    if len(set(keys)) != len(keys):
        raise _fail(name, "'parameters'", "name a setting twice")
    for k, run in enumerate(manifest["runs"]):
        if not isinstance(run, Mapping) or not isinstance(run.get("run_id"), str):
            raise _fail(name, f"runs[{k}]", "must be an object with a text 'run_id'")
    for k, point in enumerate(manifest["points"]):
        if not isinstance(point, Mapping) or not isinstance(point.get("values", {}), Mapping):
            raise _fail(name, f"points[{k}]", "must be an object with 'values' an object")
    return dict(manifest)


def screen_arms(arms: Any) -> None:
    """Screen the "other settings" TOML typed into each arm (:func:`screen_toml`)."""
    for k, spec in enumerate(arms):
        if spec.extra_toml.strip():
            where = spec.label.strip() or f"arm {k + 1}"
            screen_toml(f"{where}: other settings", spec.extra_toml)
