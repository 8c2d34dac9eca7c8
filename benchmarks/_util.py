"""Shared helpers for the benchmarks: a median timer, a table printer, machine info, JSON out."""

from __future__ import annotations

import gc
import json
import math
import operator
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: Where every benchmark writes its JSON (``benchmarks/results/<name>.json``).
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """One measurement: the median seconds per call over ``repeats`` batches of ``inner`` calls."""

    median_s: float
    repeats: int
    inner: int
    min_s: float
    max_s: float

    @property
    def ms(self) -> float:
        """Median milliseconds per call."""
        return self.median_s * 1e3

    @property
    def spread(self) -> float:
        """``(max - min) / median`` over the batches: a rough noise indicator."""
        return (self.max_s - self.min_s) / self.median_s if self.median_s > 0 else 0.0


def measure(
    fn: Callable[[], object],
    setup: Callable[[], object] | None = None,
    *,
    target_s: float = 0.3,
    repeats: int = 5,
    min_repeats: int = 3,
    slow_s: float = 2.0,
    max_inner: int = 2000,
) -> Timing:
    """Time ``fn()``: warm it up, then take the median of batches sized to last ``target_s``.

    ``setup()`` (untimed) runs before the warm-up and before every batch, e.g. to reset state a
    call mutates. Fast calls are grouped ``inner`` to a batch so each batch is long enough for
    the clock; slow calls get one call per batch and at least ``min_repeats`` batches, and a
    call slower than ``slow_s`` is timed once (its first timed run is the measurement).
    """
    if setup is not None:
        setup()
    fn()  # warm-up: JIT compilation, first-touch page faults, caches
    if setup is not None:
        setup()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    if once >= slow_s:
        return Timing(once, 1, 1, once, once)
    inner = max(1, min(max_inner, int(target_s / (repeats * max(once, 1e-9)))))
    nrep = repeats
    if inner == 1:
        nrep = max(min_repeats, min(repeats, int(target_s / max(once, 1e-9))))
    samples = []
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(nrep):
            if setup is not None:
                setup()
            gc.disable()
            t0 = time.perf_counter()
            for _ in range(inner):
                fn()
            elapsed = time.perf_counter() - t0
            if gc_was_enabled:
                gc.enable()
            samples.append(elapsed / inner)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(statistics.median(samples), nrep, inner, min(samples), max(samples))


@dataclass(frozen=True)
class Interleaved:
    """Several calls timed in alternation: ``samples[name][k]`` is seconds per call in round k.

    Every round times one batch of each call back to back, so a slow spell on a shared machine
    hits all of them alike; compare calls with :meth:`paired_ratio`, not ratios of medians.
    """

    timings: dict[str, Timing]
    samples: dict[str, list[float]]

    def paired_ratios(self, a: str, b: str) -> list[float]:
        """``a``'s time divided by ``b``'s time in the same round, for every round."""
        return [x / y for x, y in zip(self.samples[a], self.samples[b], strict=True)]

    def paired_ratio(self, a: str, b: str) -> float:
        """The median over rounds of ``a``'s time divided by ``b``'s time in the same round."""
        return statistics.median(self.paired_ratios(a, b))


def _calibrate(fn: Callable[[], object], setup: Callable[[], object] | None) -> float:
    """Warm ``fn`` up (compilation, first-touch page faults) and return one timed call's s."""
    for _ in range(2):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        once = time.perf_counter() - t0
    return max(once, 1e-9)


def measure_interleaved(
    calls: dict[str, tuple[Callable[[], object], Callable[[], object] | None]],
    *,
    target_s: float = 0.3,
    batch_s: float = 0.004,
    min_rounds: int = 15,
    max_rounds: int = 61,
    max_inner: int = 2000,
) -> Interleaved:
    """Time several ``(fn, setup)`` calls in alternating batches and return every sample.

    Each call gets batches of ``inner`` calls lasting about ``batch_s``; a round times one batch
    of every call, in forward order on even rounds and reverse order on odd ones, and there are
    enough rounds (``min_rounds``..``max_rounds``) to spend about ``target_s`` per call.
    ``setup()`` (untimed) runs before every batch, as in :func:`measure`.
    """
    inner = {}
    round_s = 0.0
    for name, (fn, setup) in calls.items():
        once = _calibrate(fn, setup)
        inner[name] = 1 if once >= batch_s else min(max_inner, math.ceil(batch_s / once))
        round_s += once * inner[name]
    nrounds = max(min_rounds, min(max_rounds, int(target_s * len(calls) / round_s)))
    samples: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    gc_was_enabled = gc.isenabled()
    try:
        for k in range(nrounds):
            for name in order if k % 2 == 0 else reversed(order):
                fn, setup = calls[name]
                if setup is not None:
                    setup()
                gc.disable()
                t0 = time.perf_counter()
                for _ in range(inner[name]):
                    fn()
                elapsed = time.perf_counter() - t0
                if gc_was_enabled:
                    gc.enable()
                samples[name].append(elapsed / inner[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    timings = {
        name: Timing(statistics.median(s), nrounds, inner[name], min(s), max(s))
        for name, s in samples.items()
    }
    return Interleaved(timings, samples)


#: A block just under glibc's largest dynamic mmap threshold (32 MiB on 64-bit Linux).
_SETTLE_BYTES = 31 * 2**20


def settle_allocator() -> None:
    """Put malloc in the steady state of a long-running process before anything is timed.

    glibc serves blocks above its mmap threshold (128 KiB at start) with fresh pages that fault in
    on every use, and raises the threshold when such a block is freed. So a process's first numpy
    temporaries cost page faults that later ones do not, and a timing depends on what happened to
    be freed before it (numpy explicit step at 512²: 2.9 ms per field first, 0.5 ms later).
    Freeing one ~31 MiB block raises the threshold to near its maximum at once. Harmless elsewhere.
    """
    import numpy as np

    block = np.empty(_SETTLE_BYTES // 8)
    del block


def sig(x: float | None, digits: int = 4) -> float | None:
    """Round ``x`` to ``digits`` significant digits (for JSON that stays readable)."""
    if x is None or not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")


def fmt_num(x: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, without exponent for everyday magnitudes."""
    if x is None:
        return "-"
    if x == 0 or not math.isfinite(x):
        return str(x)
    mag = math.floor(math.log10(abs(x)))
    if -4 <= mag < 7:
        return f"{x:.{max(0, digits - 1 - mag)}f}"
    return f"{x:.{digits - 1}e}"


class Table:
    """A plain-text table that can print its rows as they are measured.

    Columns are ``(header, width, align)`` with ``align`` ``"<"`` or ``">"``; cells wider than
    their column widen the line rather than being cut.
    """

    def __init__(self, columns: Sequence[tuple[str, int, str]]) -> None:
        self.columns = tuple(columns)

    def _line(self, cells: Sequence[str]) -> str:
        parts = [f"{c:{a}{w}}" for c, (_, w, a) in zip(cells, self.columns, strict=True)]
        return "  ".join(parts).rstrip()

    def header(self) -> str:
        """The header line and a rule under it."""
        head = self._line([h for h, _, _ in self.columns])
        return f"{head}\n{'-' * len(head)}"

    def row(self, cells: Sequence[object]) -> str:
        """One formatted row."""
        return self._line([str(c) for c in cells])

    def render(self, rows: Sequence[Sequence[object]]) -> str:
        """The whole table as one string."""
        return "\n".join([self.header(), *(self.row(r) for r in rows)])


def emit(text: str = "") -> None:
    """Print and flush at once, so progress shows while a long benchmark runs."""
    print(text, flush=True)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """CPU, library versions and the Numba threading set-up of this process.

    Call it after a parallel Numba function has run, or the threading layer reads as
    ``"not started"``.
    """
    import numba
    import numpy as np

    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = "not started"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    try:
        import scipy

        scipy_version: str | None = scipy.__version__
    except ImportError:
        scipy_version = None
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "numba_num_threads": numba.config.NUMBA_NUM_THREADS,
        "numba_threading_layer": layer,
        "numba": numba.__version__,
        "numpy": np.__version__,
        "scipy": scipy_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_1_5_15": load,
    }


def machine_header(info: dict[str, Any]) -> str:
    """Machine info as a few ``key: value`` lines for the top of a benchmark's output."""
    return "\n".join(
        [
            f"cpu: {info['cpu_model']}, {info['cpu_count']} logical ({info['cpus_usable']} usable)",
            f"numba {info['numba']} (threading layer {info['numba_threading_layer']}, "
            f"NUMBA_NUM_THREADS={info['numba_num_threads']}), numpy {info['numpy']}, "
            f"scipy {info['scipy']}, python {info['python']}",
            f"platform: {info['platform']}, load average {info['loadavg_1_5_15']}",
        ]
    )


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def write_json(path: Path, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as indented JSON, atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def command_line() -> str:
    """How this benchmark was started, for the record in the JSON."""
    return " ".join(["python -m benchmarks", *sys.argv[1:]])


def rounded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every float rounded to 4 significant digits (for JSON)."""
    return [{k: sig(v) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


#: The comparisons a target may use.
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
}


def target(
    tid: str,
    check: str,
    value: float | None,
    op: str,
    threshold: float,
    note: str | None = None,
    **where: Any,
) -> dict[str, Any]:
    """One target as a JSON row: ``value op threshold`` passes (None: not measured).

    ``where`` adds columns after ``check`` (e.g. ``grid``, ``fields``, ``threads``); a
    ``note`` says why the value is not the issue's own measurement.
    """
    out = {
        "id": tid,
        "check": check,
        **where,
        "value": value,
        "op": op,
        "threshold": threshold,
        "pass": None if value is None else bool(OPS[op](value, threshold)),
    }
    if note:
        out["note"] = note
    return out


def print_targets(
    targets: list[dict[str, Any]],
    check_width: int = 52,
    extra: Sequence[tuple[str, int, str, str]] = (),
) -> None:
    """Print a benchmark's targets: id, check, ``extra`` columns, value, need and PASS/MISS.

    ``extra`` holds ``(header, width, align, key)`` for columns taken from each target dict;
    a target with a ``note`` gets a ``*`` and its note printed under the table.
    """
    table = Table(
        [
            ("id", 3, "<"),
            ("check", check_width, "<"),
            *((h, w, a) for h, w, a, _ in extra),
            ("value", 8, ">"),
            ("need", 7, "<"),
            ("result", 6, "<"),
        ]
    )
    lines = []
    for t in targets:
        result = {True: "PASS", False: "MISS", None: "n/a"}[t["pass"]]
        if t.get("note"):
            result += " *"
        cells = [t[key] for *_, key in extra]
        need = f"{t['op']} {t['threshold']:g}"
        lines.append([t["id"], t["check"], *cells, fmt_num(t["value"]), need, result])
    emit(table.render(lines))
    for note in dict.fromkeys(t["note"] for t in targets if t.get("note")):
        emit(f"  * {note}")
