"""The one guarded TOML reader every NerveSim loader uses (scenarios, sweeps, anchors, uploads).

The standard library's :mod:`tomllib` parses nested arrays and inline tables recursively (a
few kB nested a thousand levels deep end in ``RecursionError``) and is quadratic in the parts
of a dotted key (a 200 kB ``a.a.a...`` key takes minutes and gigabytes). So before it sees the
text, :func:`parse_toml` drops a leading byte-order mark and refuses, in one linear pass, text
larger than :data:`MAX_TOML_BYTES`, nesting deeper than :data:`MAX_NESTING`, keys longer
than :data:`MAX_KEY_CHARS` and more than :data:`MAX_KEYS` keys. Whatever still fails (bad
TOML, a recursion the scan missed) is a one-line
:class:`~simulation.scenario.errors.ScenarioError` naming the file, the problem and the limit,
never a traceback.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from simulation.scenario.errors import ScenarioError, shown_key

#: Largest TOML text read, bytes. Scenario, sweep and anchor files are a few kB (the largest
#: anchor file is about 20 kB); a megabyte leaves 50x room and keeps a hostile file cheap.
MAX_TOML_BYTES = 1_000_000
#: Deepest nesting allowed: table-header parts + dotted-key parts + open brackets. A scenario
#: is at most 4 levels deep (``[[interventions]]`` > table > key); 32 leaves room for any
#: honest layout and keeps tomllib and our own recursive code far from Python's recursion limit.
MAX_NESTING = 32
#: Longest key allowed, characters (all its dotted parts). The longest schema key is about 50
#: characters (``interventions[0]...`` included), so 200 refuses only garbage.
MAX_KEY_CHARS = 200
#: Most keys (``key = value`` statements, inline ones included) allowed. A complete scenario
#: written out has about 200; every extra key is an error the validator collects (50,000 of
#: them cost a second and 60 MB), so 10,000 refuses only floods.
MAX_KEYS = 10_000
#: The UTF-8 byte-order mark some editors write first; TOML does not allow it, we drop it.
BOM = "\ufeff"

#: Tokens of the pre-scan: strings and comments (skipped whole), the punctuation that opens,
#: closes and separates, and runs of anything else. Possessive quantifiers keep it linear.
_TOKEN = re.compile(
    r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*+"{3,5}|\'\'\'(?:[^']|'(?!''))*+'{3,5}
      |"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')
    |(?P<open_multi>"""[^\0]*+|\'\'\'[^\0]*+)
    |(?P<open_string>["'][^\n]*+)
    |(?P<comment>\#[^\n]*+)
    |(?P<punct>\[++|\]++|\{++|\}++|[.=,\n])
    |(?P<space>[ \t\r]++)
    |(?P<other>[^\[\]{}.=,\n"'\#\ \t\r]++)
    ''',
    re.VERBOSE | re.DOTALL,
)


class _Scan:
    """The state of :func:`_scan`: where the reader is in the document and the worst found."""

    def __init__(self) -> None:
        self.line = 1
        self.table = 0  # depth of the current [table] header
        self.header = 0  # brackets open of a [table] header being read; 0 outside one
        self.array_header = False  # the header read is [[an.array.of.tables]]
        self.stack: list[tuple[str, int]] = []  # open containers of a value: (bracket, depth)
        self.excess = 0  # brackets open beyond MAX_NESTING (not stacked: memory stays small)
        self.excess_depth = 0  # the depth of the innermost of those
        self.in_key = True  # reading a key (else a value)
        self.parts = 0  # dotted parts of the key being read
        self.key_start = -1  # where in the text the key being read starts
        self.value_depth = 0  # the depth of the value after the last ``=``
        self.keys = 0  # ``key = value`` statements read
        self.deepest, self.deep_line = 0, 0
        self.long_key: tuple[int, int] | None = None  # (line, offset) of the first long key

    def base(self) -> int:
        """The depth keys are read at: the innermost container's, else the header's."""
        return self.stack[-1][1] if self.stack else self.table

    def reach(self, depth: int) -> None:
        self.deepest = max(self.deepest, depth)
        if depth > MAX_NESTING and not self.deep_line:
            self.deep_line = self.line

    def new_key(self, reading: bool) -> None:
        self.in_key, self.parts, self.key_start = reading, 0, -1

    def key_part(self, start: int, end: int) -> None:
        self.parts = max(self.parts, 1)
        self.key_start = start if self.key_start < 0 else self.key_start
        if end - self.key_start > MAX_KEY_CHARS and self.long_key is None:
            self.long_key = (self.line, self.key_start)

    def open(self, bracket: str) -> None:
        top = self.stack[-1] if self.stack else None
        depth = top[1] + 1 if top and top[0] == "[" else max(self.value_depth, 1)
        depth = self.excess_depth + 1 if self.excess else depth
        self.reach(depth)
        if depth > MAX_NESTING:
            self.excess, self.excess_depth = self.excess + 1, depth
        else:
            self.stack.append((bracket, depth))
        self.new_key(bracket == "{")

    def brackets(self, run: str, starts_line: bool) -> None:
        """A run of one bracket; past the limit, opening or closing many at once."""
        i = 0
        while i < len(run):
            char, rest = run[i], len(run) - i
            if self.excess and not self.header and char in "[{":
                self.excess, self.excess_depth = self.excess + rest, self.excess_depth + rest
                self.reach(self.excess_depth)
                return
            if self.excess > 1 and rest > 1 and char in "]}":  # all but the last one at once
                shut = min(rest - 1, self.excess - 1)
                self.excess, self.excess_depth = self.excess - shut, self.excess_depth - shut
                i += shut
                continue
            self.punct(char, starts_line and i == 0)
            i += 1

    def close(self) -> None:
        if self.excess:
            self.excess, self.excess_depth = self.excess - 1, self.excess_depth - 1
        elif self.stack:
            self.stack.pop()

    def punct(self, char: str, starts_line: bool) -> None:
        if self.header:  # inside [a.b.c] or [[a.b]]
            if char == ".":
                self.parts += 1
                self.reach(self.parts)
            elif char == "[":
                self.header += 1
                self.array_header = True
            elif char == "]":
                self.header -= 1
                if self.header == 0:  # an array of tables adds the array's level
                    self.table = self.parts + self.array_header
                    self.reach(self.table)
                    self.new_key(False)
        elif char == "[" and starts_line and not self.stack and not self.excess:
            self.header, self.array_header = 1, False
            self.new_key(False)
        elif self.in_key and char == ".":
            self.parts += 1
            self.reach(self.base() + self.parts)
        elif self.in_key and char == "=":
            self.value_depth = self.base() + self.parts
            self.keys += 1
            self.new_key(False)
        elif char in "[{":
            self.open(char)
        elif char in "]}":
            self.close()
        elif char == "," and self.stack and self.stack[-1][0] == "{" and not self.excess:
            self.new_key(True)


#: An escape in a basic string: an escaped backslash (harmless) or a surrogate code point,
#: which TOML forbids but tomllib lets through (and no file or terminal can then encode).
_SURROGATE = re.compile(r"\\(?:\\|u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})")


def _scan(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_NESTING` and keys longer than :data:`MAX_KEY_CHARS`.

    One pass over the tokens, tracking the current table header's depth, the containers open
    in the value being read (each at its depth in the document) and the parts of the key being
    read. It follows TOML closely enough to count honest files about right (the arrays a
    ``[[table]]`` header passes through are not counted, so a document may be a few levels
    deeper); odd text is left for :mod:`tomllib` to reject: the scan only has to stay linear
    and bound what it lets through.
    """
    s = _Scan()
    at_line_start = True
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind in ("space", "comment"):
            continue
        if kind in ("open_multi", "open_string"):
            break  # an unterminated string: tomllib says where
        if kind == "string" and token.group()[0] == '"':
            for escape in _SURROGATE.finditer(token.group()):
                if escape.group() != "\\\\":
                    raise ScenarioError(
                        f"{source}: line {s.line}: {escape.group()} is not a Unicode character "
                        "(TOML allows no surrogate code points)"
                    )
        if kind in ("string", "other") and (s.in_key or s.header):
            s.key_part(token.start(), token.end())
        char = token.group() if kind == "punct" else ""
        if len(char) > 1:  # a run of one bracket
            s.brackets(char, at_line_start)
            at_line_start = False
            continue
        if char == "\n":
            s.line += 1
            if not s.stack and not s.excess:
                s.header = 0
                s.new_key(True)
                at_line_start = True
            continue
        starts_line, at_line_start = at_line_start, False
        if char:
            s.punct(char, starts_line)
    if s.deepest > MAX_NESTING:
        raise ScenarioError(
            f"{source}: line {s.deep_line}: nested {s.deepest} levels deep; "
            f"at most {MAX_NESTING} allowed"
        )
    if s.keys > MAX_KEYS:
        raise ScenarioError(f"{source}: {s.keys} keys; at most {MAX_KEYS} allowed")
    if s.long_key is not None:
        line, start = s.long_key
        key = shown_key(text[start : start + MAX_KEY_CHARS + 1])
        raise ScenarioError(
            f"{source}: line {line}: key {key} is too long; at most {MAX_KEY_CHARS} characters "
            "allowed"
        )


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML ``text`` read from ``source`` (a file name, for messages), guarded.

    Raises:
        ScenarioError: one line naming ``source``, the problem and the limit.
    """
    text = text.removeprefix(BOM)
    try:
        size = len(text.encode())
    except UnicodeEncodeError as exc:  # a lone surrogate: text no UTF-8 file can hold
        raise ScenarioError(f"{source}: not UTF-8 text (character {exc.start + 1})") from None
    if size > MAX_TOML_BYTES:
        raise ScenarioError(f"{source}: {size} bytes of TOML; at most {MAX_TOML_BYTES} allowed")
    _scan(text, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    except ValueError as exc:  # e.g. a whole number of more than 4300 digits
        raise ScenarioError(f"{source}: not valid TOML: {str(exc).split(';')[0]}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply for the TOML reader") from None


def checked_path(path: str | Path, what: str = "file") -> Path:
    """``path`` as a :class:`Path`, refusing text no file can be named by (a null byte)."""
    if "\0" in str(path):
        shown = shown_key(repr(str(path)))
        raise ScenarioError(f"{shown}: a {what} name cannot contain a null byte")
    return Path(path)


def read_text(path: Path, source: str | None = None) -> str:
    """The text of the UTF-8 file ``path``, refused unread when over :data:`MAX_TOML_BYTES`;
    ``source`` names it in messages (default the path).

    Raises:
        ScenarioError: one line naming the file and the problem (missing, unreadable, too
        large, not UTF-8).
    """
    source = source or str(path)
    path = checked_path(path)
    try:
        if not path.is_file():
            problem = "a folder, not a file" if path.is_dir() else "file not found"
            raise ScenarioError(f"{source}: {problem}")
        with path.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
    except OSError as exc:
        raise ScenarioError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_TOML_BYTES:
        raise ScenarioError(f"{source}: over {MAX_TOML_BYTES} bytes; at most that many allowed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{source}: not a UTF-8 text file") from None


def read_toml(path: Path, source: str | None = None) -> dict[str, Any]:
    """Read and parse the TOML file ``path`` (:func:`read_text`, then :func:`parse_toml`).

    Raises:
        ScenarioError: one line naming the file and the problem.
    """
    return parse_toml(read_text(path, source), source or str(path))
