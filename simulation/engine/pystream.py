"""Python's ``random.Random`` stream, read ahead for compiled code.

Every random draw of the cells comes from the model's ``random.Random`` (Mesa's ``random``), a
Mersenne Twister. A cell type that takes its turn in a Numba kernel must use the very numbers
its Python ``step`` would have drawn, in the same order, so the run stays the same run.
:func:`upcoming` reads the next ``random()`` values without drawing them (this module holds
the generator written out for Numba: the same MT19937 recurrence, tempering and 53-bit doubles
as CPython's ``_randommodule.c``); the kernel uses as many as it needs, and :func:`skip` then
draws exactly that many, so Python code drawing afterwards continues where the kernel stopped
(``tests/agents/test_pystream.py`` checks it value for value and state for state).
"""

from __future__ import annotations

import random

import numpy as np
from numba import njit

_N = 624
_M = 397


@njit(cache=True)
def _twist(mt: np.ndarray) -> None:
    """Regenerate the 624 words of the state (MT19937's recurrence)."""
    for k in range(_N):
        y = (mt[k] & 0x80000000) | (mt[(k + 1) % _N] & 0x7FFFFFFF)
        v = mt[(k + _M) % _N] ^ (y >> 1)
        if y & 1:
            v ^= 0x9908B0DF
        mt[k] = v


@njit(cache=True)
def _temper(y: int) -> int:
    """MT19937's output tempering of one state word."""
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C5680
    y ^= (y << 15) & 0xEFC60000
    y ^= y >> 18
    return y


@njit(cache=True)
def _doubles(state: np.ndarray, k: int) -> np.ndarray:
    """The next ``k`` doubles of the generator whose state is ``state`` (the 624 words, then
    the position), as ``random.random()`` makes them: two words, 27 + 26 bits. ``state`` is
    used up (it is a copy)."""
    out = np.empty(k)
    pos = state[_N]
    for j in range(k):
        if pos >= _N:
            _twist(state)
            pos = 0
        a = _temper(state[pos]) >> 5
        pos += 1
        if pos >= _N:
            _twist(state)
            pos = 0
        b = _temper(state[pos]) >> 6
        pos += 1
        out[j] = (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)
    return out


def upcoming(rnd: random.Random, k: int) -> np.ndarray:
    """The next ``k`` values ``rnd.random()`` would return, without drawing them."""
    return _doubles(np.array(rnd.getstate()[1], dtype=np.int64), k)


def skip(rnd: random.Random, k: int) -> None:
    """Draw ``k`` values of ``rnd.random()`` and drop them, in one call.

    Each ``random()`` takes two 32-bit words, and ``getrandbits(64 * k)`` takes exactly
    ``2 k`` words in the same order: ``rnd`` ends in the state ``k`` calls would leave.
    """
    if k > 0:
        rnd.getrandbits(64 * k)
