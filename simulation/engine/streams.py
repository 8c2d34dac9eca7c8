"""Common random numbers: where every random number of a run comes from.

Two runs with the same seed should draw the same numbers for the same things, so that arms of
a comparison (untreated, and the same tissue given a therapy) differ only where the therapy
makes them differ, not because one arm drew one extra number and shifted every later draw. So
no draw during a run comes from one shared generator:

- **Cells.** Every cell gets a serial number at birth, counted per cell type
  (:meth:`simulation.engine.sheet.CellSheet.add`): residents, recruits, daughters and grafts
  alike. A cell's numbers in a turn are a hash of (seed, type, tick, call, serial, draw index),
  turned into a uniform in [0, 1): its row of uniforms is the same whatever other cells exist,
  and an extra cell of one type shifts no other type's serials. The order in which a type's
  cells act is its living slots sorted by another hash of the same key. ``call`` counts the
  turns a type has taken in the same tick (0 in a run, where each type acts once a tick; more
  when a sandbox test steps cells by hand without advancing the clock).
- **Everything else** (recruitment, where grafted cells are placed, the graft clusters'
  binomial draws): a NumPy ``Generator`` for one purpose at one tick (:func:`generator`), a
  counter-based Philox keyed by the hash of ``(seed, tick, purpose, call)``, so extra draws for
  one purpose never shift another's.

The hash is SplitMix64 (Steele, Lea & Flood 2014), the 64-bit finaliser of ``java.util.
SplittableRandom``, chained: ``h = splitmix(seed)``, then ``h = splitmix(h ^ v)`` for each
further part ``v`` of the key. ``splitmix`` is a bijection of 64-bit words, so two keys that
differ in one part only (neighbouring serials, ticks, draw indices) never collide; its output
passes BigCrush. A uniform is the top 53 bits of the hash times 2**-53, as NumPy makes doubles.
Everything is unsigned 64-bit arithmetic modulo 2**64, the same on every machine, in compiled
code and in the interpreter (``NUMBA_DISABLE_JIT=1``), with any number of workers.

The type of a cell and the purpose of a generator are named by strings, turned into numbers by
CRC-32 (:func:`stream_id`), so a number does not depend on the order classes were defined in.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any

import numba
import numpy as np

from simulation.engine.compiled import rule

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_2_TO_MINUS_53 = 1.0 / 9007199254740992.0
#: The last part of a cell's order key (a draw index is always smaller).
_ORDER = np.uint64(0xFFFFFFFFFFFFFFFF)
_MASK = (1 << 64) - 1


def _quiet(function: Any) -> Any:
    """Without the JIT, ``function`` runs on NumPy scalars, whose wrap-around NumPy warns of;
    here it is meant (compiled code wraps silently)."""
    if not numba.config.DISABLE_JIT:  # type: ignore[attr-defined]
        return function

    @functools.wraps(function)
    def quiet(*args: Any) -> Any:
        with np.errstate(over="ignore"):
            return function(*args)

    return quiet


@rule
def splitmix(z):
    """SplitMix64 of the 64-bit word ``z``: a bijection whose output looks uniformly random."""
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def stream_id(name: str) -> int:
    """A stable number for a cell type or purpose named ``name`` (CRC-32 of its UTF-8)."""
    return zlib.crc32(name.encode())


def turn_key(seed: int, kind: int, tick: int, call: int) -> np.uint64:
    """The key of one turn of one cell type: hash of (seed, type, tick, call); ``seed`` is
    taken modulo 2**64."""
    return np.uint64(mix(seed, kind, tick, call))


@_quiet
@rule
def order_keys(key, serial, slots, out):
    """``out[i]``: the sort key of the cell in ``slots[i]`` (hash of the turn key, its serial
    and a tag no draw index uses)."""
    for i in range(slots.shape[0]):
        out[i] = splitmix(splitmix(key ^ serial[slots[i]]) ^ _ORDER)


@_quiet
@rule
def fill_uniforms(key, serial, order, out):
    """Row ``i`` of ``out``: the uniforms of the cell in ``order[i]`` this turn, draw ``k`` being
    the hash of (turn key, serial, k) as a double in [0, 1)."""
    for i in range(order.shape[0]):
        cell = splitmix(key ^ serial[order[i]])
        for k in range(out.shape[1]):
            out[i, k] = np.float64(splitmix(cell ^ np.uint64(k)) >> _S11) * _2_TO_MINUS_53


def turn_order(key: np.uint64, serial: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """``slots`` in the order their cells act this turn: sorted by their order keys (a stable
    sort, so a tie, which takes two equal 64-bit hashes, keeps slot order)."""
    keys = np.empty(slots.size, dtype=np.uint64)
    order_keys(key, serial, slots, keys)
    return slots[np.argsort(keys, kind="stable")]


def mix(*parts: int) -> int:
    """The chained SplitMix64 hash of ``parts`` (each taken modulo 2**64) in Python integers:
    ``splitmix(seed)``, then ``splitmix(h ^ part)`` for each further part (the same arithmetic
    as the compiled :func:`splitmix`)."""
    h = 0
    for k, part in enumerate(parts):
        z = (part & _MASK) if k == 0 else (h ^ (part & _MASK))
        z = (z + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        h = z ^ (z >> 31)
    return h


def _philox_state(key: int, purpose: int) -> dict[str, Any]:
    return {
        "bit_generator": "Philox",
        "state": {
            "counter": np.zeros(4, dtype=np.uint64),
            "key": np.array([key, purpose], dtype=np.uint64),
        },
        "buffer": np.zeros(4, dtype=np.uint64),
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }


def generator(
    seed: int, tick: int, purpose: str, call: int = 0, reuse: np.random.Generator | None = None
) -> np.random.Generator:
    """A NumPy generator for one ``purpose`` at one ``tick`` (``call``: how many were made for
    it before in this tick): Philox 4x64 keyed by ``(mix(seed, tick, purpose, call), purpose)``
    with its counter at 0. ``reuse``: a Philox generator to reset to that key (cheaper than
    making one)."""
    ident = stream_id(purpose)
    state = _philox_state(mix(seed, tick, ident, call), ident)
    if reuse is None:
        reuse = np.random.Generator(np.random.Philox(key=0))
    reuse.bit_generator.state = state
    return reuse


class Streams:
    """A model's random streams: its seed and, per type or purpose, the tick of its last draw
    and how many calls it has made in that tick. Pickled with the model, so a copy part-way
    through continues the same streams."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._calls: dict[Any, tuple[int, int]] = {}
        self._ids: dict[Any, int] = {}
        self._generators: dict[str, np.random.Generator] = {}

    def call(self, name: Any, tick: int) -> int:
        """The count of earlier calls for ``name`` in ``tick`` (0 for the first), counting this
        one."""
        last = self._calls.get(name)
        n = last[1] + 1 if last is not None and last[0] == tick else 0
        self._calls[name] = (tick, n)
        return n

    def turn_key(self, kind: type, tick: int) -> np.uint64:
        """The key of cell type ``kind``'s turn now."""
        ident = self._ids.get(kind)
        if ident is None:
            ident = self._ids[kind] = stream_id(kind.__name__)
        return turn_key(self.seed, ident, tick, self.call(kind, tick))

    def generator(self, purpose: str, tick: int) -> np.random.Generator:
        """A generator for ``purpose`` now (see :func:`generator`): one Generator object per
        purpose, reset to this tick's key on each call."""
        reuse = self._generators.get(purpose)
        rng = generator(self.seed, tick, purpose, self.call(purpose, tick), reuse)
        self._generators[purpose] = rng
        return rng
