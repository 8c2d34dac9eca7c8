"""How cell rules are compiled: the one decorator every rule and turn kernel uses.

``@rule`` is Numba's ``njit`` with the on-disk cache and two settings that suit rules:

- no reference counting of arrays (``_nrt=False``). A rule reads and writes arrays it is
  handed and allocates none, so it needs no memory management; with it on, Numba increments
  and decrements an atomic count for every array argument on every call of a small rule
  function, which would cost more than the rule's own arithmetic. A rule that tried to
  allocate would fail to compile, loudly.
- NumPy's error model: a float division by zero gives inf or nan, as NumPy would, instead of
  raising (the raise path blocks optimisation of every division).

The jitted function's ``.py_func`` is the same rule as plain Python (tests run both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from numba import njit

_RULE_OPTIONS: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}


def rule(function: Callable[..., Any]) -> Any:
    """Compile ``function`` as a cell rule or turn kernel (see the module docstring)."""
    return njit(**_RULE_OPTIONS)(function)
