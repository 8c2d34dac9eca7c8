"""Hostile scenario files, for the loader's property test and the ``fuzz`` benchmark.

:func:`mutate` turns a real scenario file of the library into a hostile one with a few random
edits (characters deleted, duplicated or inserted, values replaced by odd floats, long text,
huge whole numbers or nested arrays, unknown keys, deep nesting, odd ``base`` files), drawing
from a :class:`random.Random`, so the benchmark is deterministic from a seed and the property
test can draw one from Hypothesis. :func:`extreme_cases` writes the large pathological files
(nesting a thousand levels deep, a 200 kB dotted key, a chain of a thousand ``base`` files, a
symlink loop, ...), which random edits would never reach.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = sorted((ROOT / "scenarios").glob("*.toml"))

#: Characters the insertions draw from: TOML punctuation, whitespace, controls, a BOM, a
#: right-to-left mark, non-ASCII letters and an emoji.
_ALPHABET = "[]{}=\"'.,#\n\t \\-+_:aZ09é\x00\x7f\ufeff\u202e😀"
#: A ``key = value`` line of a TOML file (value to the end of the line).
_ASSIGNMENT = re.compile(r"^(\s*[\w.\"-]+\s*=\s*)(.+)$", re.MULTILINE)


def _value(rng: random.Random) -> str:
    """A TOML value a scenario would not expect."""
    choices: list[Callable[[], str]] = [
        lambda: repr(rng.uniform(-1e6, 1e6)),
        lambda: rng.choice(["nan", "inf", "-inf", "-0.0", "1e308", "5e-324", "1e999"]),
        lambda: str(rng.choice([-1, 0, 2**63, -(2**63) - 1, 10**30])),
        lambda: "9" * rng.choice([25, 400, 4301, 6000]),  # past tomllib's 4300-digit limit
        lambda: '"' + "x" * rng.choice([0, 1, 300, 20_000]) + '"',
        lambda: '"\\u0000 / \\n \\ud800"',
        lambda: "[" * (n := rng.randint(1, 60)) + "1" + "]" * n,
        lambda: "{a = " * (n := rng.randint(1, 60)) + "1" + "}" * n,
        lambda: rng.choice(["true", "[]", "{}", "1979-05-27T07:32:00Z", "'''\nx'''"]),
    ]
    return rng.choice(choices)()


def _key(rng: random.Random) -> str:
    """A key: unknown, long, deeply dotted or quoted."""
    return rng.choice(
        [
            "neuron.cuont",
            "unknown_group.x",
            "k" * rng.choice([5, 120, 300]),
            ".".join(["a"] * rng.randint(2, 80)),
            '"quoted key"',
            '"\\ud800"',
        ]
    )


def _edit(rng: random.Random, text: str) -> str:
    """One random edit of ``text``."""
    at = rng.randrange(len(text) + 1)
    span = rng.randint(1, 40)
    kind = rng.randrange(9)
    if kind == 0:  # delete characters
        return text[:at] + text[at + span :]
    if kind == 1:  # duplicate characters
        return text[:at] + text[at : at + span] * rng.randint(2, 5) + text[at:]
    if kind == 2:  # insert odd characters
        return text[:at] + "".join(rng.choice(_ALPHABET) for _ in range(span)) + text[at:]
    if kind in (3, 4):  # replace a value
        lines = list(_ASSIGNMENT.finditer(text))
        if lines:
            m = rng.choice(lines)
            return text[: m.start(2)] + _value(rng) + text[m.end(2) :]
        return text
    if kind == 5:  # an unknown or odd key
        return text + f"\n{_key(rng)} = {_value(rng)}\n"
    if kind == 6:  # a table header, maybe deep
        return text + f"\n[{_key(rng)}]\nx = {_value(rng)}\n"
    if kind == 7:  # an odd base file
        base = rng.choice(
            ["/dev/zero", "/etc", "missing.toml", "", ".", "self.toml", "a\\u0000b", "x" * 300]
        )
        return f'base = "{base}"\n' + text.replace("base =", "old_base =")
    lines = text.splitlines(keepends=True)  # move a line
    if len(lines) > 1:
        line = lines.pop(rng.randrange(len(lines)))
        lines.insert(rng.randrange(len(lines) + 1), line)
    return "".join(lines)


def mutate(rng: random.Random, text: str | None = None) -> str:
    """A hostile variant of a library scenario (``text``, or one ``rng`` picks)."""
    if text is None:
        text = rng.choice(LIBRARY).read_text(encoding="utf-8")
    for _ in range(rng.randint(1, 4)):
        text = _edit(rng, text)
    return text


def copy_library(folder: Path) -> None:
    """Copy the library's scenarios into ``folder``, so ``base`` names in mutants resolve."""
    for path in LIBRARY:
        shutil.copy(path, folder / path.name)


def extreme_cases(folder: Path) -> list[Path]:
    """Write the pathological files into ``folder`` and return the ones to load."""
    n = 1000
    texts = {
        "nested_arrays": "a = " + "[" * n + "]" * n + "\n",
        "nested_inline_tables": "a = " + "{b = " * n + "1" + "}" * n + "\n",
        "dotted_key_1000": ".".join(["a"] * n) + " = 1\n",
        "table_header_1000": "[" + ".".join(["a"] * n) + "]\nx = 1\n",
        "dotted_key_200kB": ".".join(["a"] * 100_000) + " = 1\n",
        "unclosed_brackets_1MB": "a = " + "[" * 999_000 + "\n",
        "over_1MB": "# " + "x" * 1_100_000 + "\n",
        "long_key": "k" * 100_000 + " = 1\n",
        "long_value": 'description = "' + "x" * 500_000 + '"\n',
        "huge_int": "[neuron]\ncount = " + "9" * 5000 + "\n",
        "name_300": 'name = "' + "n" * 300 + '"\n',
        "name_slash": 'name = "a/b"\n',
        "bom": "\ufeffname = 'bom'\n",
        "only_bom": "\ufeff",
        "empty": "",
        "many_unknown_keys": "".join(f"k{i} = {i}\n" for i in range(50_000)),
        "duplicate_keys": "x = 1\n" * 10_000,
        "surrogate_escape": 'name = "\\ud800"\n',
        "base_directory": 'base = "."\n',
        "base_dev_zero": 'base = "/dev/zero"\n',
        "base_self": 'base = "x_base_self.toml"\n',
    }
    paths = []
    for name, text in texts.items():
        path = folder / f"x_{name}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    binary = folder / "x_binary.toml"
    rng = random.Random(1)
    binary.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    null = folder / "x_null_byte.toml"
    null.write_bytes(b"name = 'a'\x00\n")
    paths += [binary, null]
    chain = folder / "chain"
    chain.mkdir(exist_ok=True)
    for k in range(n):
        (chain / f"c{k}.toml").write_text(f'base = "c{k + 1}.toml"\n', encoding="utf-8")
    (chain / f"c{n}.toml").write_text('name = "end"\n', encoding="utf-8")
    paths.append(chain / "c0.toml")
    loop = folder / "x_symlink_loop.toml"
    (folder / "loop_a.toml").unlink(missing_ok=True)
    (folder / "loop_b.toml").unlink(missing_ok=True)
    (folder / "loop_a.toml").symlink_to("loop_b.toml")
    (folder / "loop_b.toml").symlink_to("loop_a.toml")
    loop.write_text('base = "loop_a.toml"\n', encoding="utf-8")
    paths += [loop, folder / "loop_a.toml"]
    return paths
