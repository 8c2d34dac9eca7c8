"""Field engine: Numba implicit and explicit ticks against numpy/scipy and a streaming copy.

Every variant is measured in one run, on the same grids (128², 512², 2048²), with 1 and 4 fields
and 1 and 2 Numba threads:

  numba_implicit    FieldSet.diffuse, one implicit LOD tick (D = 1e5 µm²/h, dx = 20 µm,
                    dt = 1 h, decay 0.1/h: r = 250); a serial FieldSet at 1 thread, a parallel
                    one at 2 threads.
  numba_explicit    one explicit_step_serial / explicit_step_parallel call at r = 0.2.
  numpy_explicit    reference.explicit_step_numpy, field by field.
  ndimage_explicit  reference.explicit_step_ndimage (scipy.ndimage.laplace), field by field.
  banded_implicit   reference.implicit_tick_banded (scipy solve_banded per grid line).
  stream            dst = s * src over a stack of the same size (kernels.stream_scale; at 2
                    threads a prange twin in this module): the yardstick for pct_stream.

The numpy/scipy references are single-threaded and are measured at 1 thread only. pct_stream is
stream ms / variant ms * 100: the variant's effective bandwidth as a percentage of one read and
one write of the stack at the same size and thread count. Each time is the median of several
batches after a warm-up. The targets (ratios from this run) are reported as PASS/MISS, never
asserted. Results go to benchmarks/results/fields.json.
"""

from __future__ import annotations

import argparse
import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba import njit, prange

from benchmarks import _util
from simulation.fields import kernels, reference
from simulation.fields.fieldset import FieldSet, FieldSpec

NAME = "fields"

D_UM2_PER_H = 1e5
DX_UM = 20.0
DT_H = 1.0
DECAY_PER_H = 0.1
#: r = D dt / dx² of the implicit tick (250 with the values above).
IMPLICIT_RATIO = D_UM2_PER_H * DT_H / DX_UM**2
#: r of the explicit step, and the sub-step it stands for (0.0008 h).
EXPLICIT_RATIO = 0.2
EXPLICIT_DT_H = EXPLICIT_RATIO * DX_UM**2 / D_UM2_PER_H
STREAM_SCALE = 0.5

GRIDS = (128, 512, 2048)
QUICK_GRIDS = (128, 512)
FIELD_COUNTS = (1, 4)
THREAD_COUNTS = (1, 2)

#: Variants in the order they are measured and printed; ``True`` marks the threaded ones.
VARIANTS: dict[str, bool] = {
    "stream": True,
    "numba_explicit": True,
    "numba_implicit": True,
    "numpy_explicit": False,
    "ndimage_explicit": False,
    "banded_implicit": False,
}

#: Target 3: four fields on 512x512 advance this many one-hour ticks on one thread.
HORIZON_TICKS = 2016
HORIZON_GRID = 512
HORIZON_FIELDS = 4
HORIZON_LIMIT_S = 20.0
QUICK_HORIZON_TICKS = 96


@dataclass(frozen=True)
class Config:
    """What one run measures and how long each measurement aims to take."""

    grids: tuple[int, ...]
    target_s: float
    repeats: int
    horizon_ticks: int
    quick: bool


FULL = Config(GRIDS, target_s=0.3, repeats=5, horizon_ticks=HORIZON_TICKS, quick=False)
QUICK = Config(QUICK_GRIDS, target_s=0.06, repeats=3, horizon_ticks=QUICK_HORIZON_TICKS, quick=True)


@njit(cache=True, parallel=True)
def stream_scale_parallel(src, dst, s):
    """``kernels.stream_scale`` over all Numba threads: the 2-thread streaming yardstick."""
    a = src.ravel()
    b = dst.ravel()
    for k in prange(a.size):
        b[k] = s * a[k]


# ------------------------------------------------------------------------------------ cases
# Each case builds its arrays once and returns (call to time, untimed reset or None).

Case = tuple[Callable[[], object], Callable[[], object] | None]


def _specs(nf: int) -> list[FieldSpec]:
    return [FieldSpec(f"f{k}", D_UM2_PER_H, DECAY_PER_H) for k in range(nf)]


def _case_stream(u0: np.ndarray, threads: int) -> Case:
    dst = np.empty_like(u0)
    kernel = stream_scale_parallel if threads > 1 else kernels.stream_scale

    def call() -> None:
        kernel(u0, dst, STREAM_SCALE)

    return call, None


def _case_numba_explicit(u0: np.ndarray, threads: int) -> Case:
    nf = u0.shape[0]
    out = np.empty_like(u0)
    r = np.full(nf, EXPLICIT_RATIO)
    q = np.full(nf, math.exp(-DECAY_PER_H * EXPLICIT_DT_H))
    fix = np.zeros((nf, 4))
    ghost = np.zeros((nf, 4))
    step = kernels.explicit_step_parallel if threads > 1 else kernels.explicit_step_serial

    def call() -> None:
        step(u0, out, r, q, fix, ghost)

    return call, None


def _case_numba_implicit(u0: np.ndarray, threads: int) -> Case:
    nf, nx, ny = u0.shape
    fs = FieldSet((nx, ny), DX_UM, _specs(nf), dt_h=DT_H, parallel=threads > 1)

    def reset() -> None:  # the tick works in place; restart from the same values each batch
        np.copyto(fs.values, u0)

    return fs.diffuse, reset


def _case_numpy_explicit(u0: np.ndarray, threads: int) -> Case:
    q = math.exp(-DECAY_PER_H * EXPLICIT_DT_H)

    def call() -> None:
        for f in range(u0.shape[0]):
            reference.explicit_step_numpy(u0[f], EXPLICIT_RATIO, q)

    return call, None


def _case_ndimage_explicit(u0: np.ndarray, threads: int) -> Case:
    q = math.exp(-DECAY_PER_H * EXPLICIT_DT_H)

    def call() -> None:
        for f in range(u0.shape[0]):
            reference.explicit_step_ndimage(u0[f], EXPLICIT_RATIO, q)

    return call, None


def _case_banded_implicit(u0: np.ndarray, threads: int) -> Case:
    def call() -> None:
        for f in range(u0.shape[0]):
            reference.implicit_tick_banded(u0[f], IMPLICIT_RATIO, DECAY_PER_H, DT_H)

    return call, None


CASES: dict[str, Callable[[np.ndarray, int], Case]] = {
    "stream": _case_stream,
    "numba_explicit": _case_numba_explicit,
    "numba_implicit": _case_numba_implicit,
    "numpy_explicit": _case_numpy_explicit,
    "ndimage_explicit": _case_ndimage_explicit,
    "banded_implicit": _case_banded_implicit,
}


# ------------------------------------------------------------------------------------ running


def _warm_up(threads: tuple[int, ...]) -> float:
    """Compile (or load from cache) every kernel on a tiny grid; return the seconds it took."""
    t0 = time.perf_counter()
    _util.settle_allocator()
    u0 = np.random.default_rng(0).random((2, 16, 16))
    for n in threads:
        numba.set_num_threads(n)
        for name, threaded in VARIANTS.items():
            if threaded or n == 1:
                call, reset = CASES[name](u0, n)
                if reset is not None:
                    reset()
                call()
    return time.perf_counter() - t0


def _grid_name(n: int) -> str:
    return f"{n}x{n}"


def _run_horizon(ticks: int) -> dict[str, Any]:
    """Advance four 512x512 fields ``ticks`` one-hour implicit ticks on one thread, timed once."""
    numba.set_num_threads(1)
    shape = (HORIZON_FIELDS, HORIZON_GRID, HORIZON_GRID)
    fs = FieldSet(shape[1:], DX_UM, _specs(HORIZON_FIELDS), dt_h=DT_H, parallel=False)
    fs.diffuse()  # warm-up (factors cached, kernels compiled)
    np.copyto(fs.values, np.random.default_rng(1).random(shape))
    t0 = time.perf_counter()
    for _ in range(ticks):
        fs.diffuse()
    elapsed = time.perf_counter() - t0
    return {
        "grid": _grid_name(HORIZON_GRID),
        "fields": HORIZON_FIELDS,
        "threads": 1,
        "ticks_run": ticks,
        "seconds": elapsed,
        "seconds_for_2016_ticks": elapsed * HORIZON_TICKS / ticks,
        "extrapolated": ticks != HORIZON_TICKS,
    }


def _measure_all(config: Config, threads: tuple[int, ...]) -> tuple[list[dict], list[dict]]:
    """Measure every (grid, fields, threads, variant), printing each row as it completes."""
    table = _row_table()
    _util.emit(table.header())
    rows: list[dict[str, Any]] = []
    details: list[dict[str, Any]] = []
    rng = np.random.default_rng(2024)
    for n in config.grids:
        for nf in FIELD_COUNTS:
            u0 = rng.random((nf, n, n))
            voxels = nf * n * n
            for nt in threads:
                numba.set_num_threads(nt)
                stream_ms = math.nan
                for name, threaded in VARIANTS.items():
                    if nt > 1 and not threaded:
                        continue
                    call, reset = CASES[name](u0, nt)
                    timing = _util.measure(
                        call, reset, target_s=config.target_s, repeats=config.repeats
                    )
                    del call, reset
                    if name == "stream":
                        stream_ms = timing.ms
                    row = {
                        "grid": _grid_name(n),
                        "fields": nf,
                        "threads": nt,
                        "variant": name,
                        "ms_per_tick": timing.ms,
                        "mvoxel_field_per_s": voxels / timing.median_s / 1e6,
                        "pct_stream": stream_ms / timing.ms * 100.0,
                    }
                    rows.append(row)
                    details.append(
                        {
                            **{k: row[k] for k in ("grid", "fields", "threads", "variant")},
                            "repeats": timing.repeats,
                            "calls_per_repeat": timing.inner,
                            "min_ms": timing.min_s * 1e3,
                            "max_ms": timing.max_s * 1e3,
                        }
                    )
                    _util.emit(table.row(_row_cells(row, timing)))
            del u0
    return rows, details


def _row_table() -> _util.Table:
    return _util.Table(
        [
            ("grid", 9, "<"),
            ("fields", 6, ">"),
            ("threads", 7, ">"),
            ("variant", 16, "<"),
            ("ms/tick", 9, ">"),
            ("Mvox*field/s", 12, ">"),
            ("% stream", 8, ">"),
            ("runs", 8, ">"),
            ("spread", 6, ">"),
        ]
    )


def _row_cells(row: dict[str, Any], timing: _util.Timing) -> list[object]:
    return [
        row["grid"],
        row["fields"],
        row["threads"],
        row["variant"],
        _util.fmt_num(row["ms_per_tick"]),
        _util.fmt_num(row["mvoxel_field_per_s"]),
        f"{row['pct_stream']:.0f}",
        f"{timing.repeats}x{timing.inner}",
        f"{timing.spread * 100:.0f}%",
    ]


# ------------------------------------------------------------------------------------ targets


_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
}


def _target(
    tid: str,
    check: str,
    where: tuple[str, int, int],
    value: float | None,
    op: str,
    threshold: float,
    note: str | None = None,
) -> dict[str, Any]:
    ok = None if value is None else bool(_OPS[op](value, threshold))
    out = {
        "id": tid,
        "check": check,
        "grid": where[0],
        "fields": where[1],
        "threads": where[2],
        "value": value,
        "op": op,
        "threshold": threshold,
        "pass": ok,
    }
    if note:
        out["note"] = note
    return out


def _targets(
    rows: list[dict[str, Any]], horizon: dict[str, Any], config: Config, threads: tuple[int, ...]
) -> list[dict[str, Any]]:
    """The issue's targets as ratios from this run's rows, each with a pass boolean."""
    index = {(r["grid"], r["fields"], r["threads"], r["variant"]): r for r in rows}

    def get(grid: str, nf: int, nt: int, variant: str, key: str = "ms_per_tick") -> float | None:
        row = index.get((grid, nf, nt, variant))
        return None if row is None else row[key]

    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b == 0 else a / b

    big = _grid_name(max(config.grids))
    note = None
    if big != _grid_name(GRIDS[-1]):
        note = f"quick run: {_grid_name(GRIDS[-1])} not measured, {big} used instead"
    mid = _grid_name(HORIZON_GRID)
    out = []
    for nf in FIELD_COUNTS:
        pct = get(big, nf, 1, "numba_explicit", "pct_stream")
        out.append(_target("1a", "numba_explicit % of stream", (big, nf, 1), pct, ">=", 75, note))
    for nf in FIELD_COUNTS:
        speedup = ratio(get(big, nf, 1, "numpy_explicit"), get(big, nf, 1, "numba_explicit"))
        check = "numpy_explicit / numba_explicit"
        out.append(_target("1b", check, (big, nf, 1), speedup, ">=", 5, note))
    for n in config.grids:
        for nf in FIELD_COUNTS:
            for nt in threads:
                g = _grid_name(n)
                cost = ratio(get(g, nf, nt, "numba_implicit"), get(g, nf, nt, "numba_explicit"))
                check = "numba_implicit / numba_explicit"
                out.append(_target("2a", check, (g, nf, nt), cost, "<=", 5))
    for nf in FIELD_COUNTS:
        speedup = ratio(get(mid, nf, 1, "banded_implicit"), get(mid, nf, 1, "numba_implicit"))
        check = "banded_implicit / numba_implicit"
        out.append(_target("2b", check, (mid, nf, 1), speedup, ">=", 20))
    hnote = None
    if horizon["extrapolated"]:
        hnote = f"quick run: {horizon['ticks_run']} ticks timed, scaled to {HORIZON_TICKS}"
    out.append(
        _target(
            "3",
            f"seconds for {HORIZON_TICKS} implicit ticks",
            (horizon["grid"], horizon["fields"], horizon["threads"]),
            horizon["seconds_for_2016_ticks"],
            "<",
            HORIZON_LIMIT_S,
            hnote,
        )
    )
    return out


# ------------------------------------------------------------------------------------ entry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``fields`` benchmark's command-line options."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            f"smoke test: grids {', '.join(_grid_name(n) for n in QUICK_GRIDS)} only, short "
            f"measurements, {QUICK_HORIZON_TICKS} of the {HORIZON_TICKS} ticks (scaled); "
            "writes fields-quick.json unless --out is given"
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the JSON (default benchmarks/results/fields.json)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the tables and write the JSON; return the exit status."""
    config = QUICK if args.quick else FULL
    out_path = args.out or _util.RESULTS_DIR / (
        "fields-quick.json" if config.quick else "fields.json"
    )
    original_threads = numba.get_num_threads()
    threads = tuple(n for n in THREAD_COUNTS if n <= numba.config.NUMBA_NUM_THREADS)
    notes = [
        "numpy/scipy references are single-threaded: measured at threads=1 only",
        "malloc is settled first (see benchmarks._util.settle_allocator), so numpy/scipy "
        "temporaries below 31 MiB reuse heap pages as in a long run; 2048² ones are mmap'd",
        "stream at threads=2 is a prange twin of kernels.stream_scale (defined in the benchmark)",
        "pct_stream = stream ms / variant ms * 100 at the same grid, fields and threads",
        "ms_per_tick is the median over batches ('runs' = batches x calls per batch); "
        "spread = (max - min) / median over the batches",
    ]
    if threads != THREAD_COUNTS:
        notes.append(f"NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}: threads {threads} only")
    started = _util.now_iso()
    try:
        compile_s = _warm_up(threads)
        machine = _util.machine_info()
        _util.emit(f"NerveSim field-engine benchmark{' (quick)' if config.quick else ''}")
        _util.emit(_util.machine_header(machine))
        _util.emit(
            f"D={D_UM2_PER_H:g} µm²/h, dx={DX_UM:g} µm, dt={DT_H:g} h, decay={DECAY_PER_H:g}/h "
            f"(implicit r={IMPLICIT_RATIO:g}); explicit r={EXPLICIT_RATIO:g}; "
            f"warm-up/compile {compile_s:.1f} s"
        )
        for note in notes:
            _util.emit(f"note: {note}")
        _util.emit()
        t0 = time.perf_counter()
        rows, details = _measure_all(config, threads)
        _util.emit()
        what = f"{config.horizon_ticks} implicit ticks"
        _util.emit(f"running {what} of {HORIZON_FIELDS} fields at {HORIZON_GRID}² on 1 thread...")
        horizon = _run_horizon(config.horizon_ticks)
        _util.emit(
            f"  {horizon['seconds']:.2f} s "
            f"({horizon['seconds'] / horizon['ticks_run'] * 1e3:.2f} ms/tick)"
        )
        _util.emit()
        targets = _targets(rows, horizon, config, threads)
        _util.print_targets(
            targets,
            check_width=34,
            extra=[
                ("grid", 9, "<", "grid"),
                ("fields", 6, ">", "fields"),
                ("threads", 7, ">", "threads"),
            ],
        )
        elapsed = time.perf_counter() - t0
    finally:
        numba.set_num_threads(original_threads)
    counts = {k: sum(t["pass"] is v for t in targets) for k, v in (("pass", True), ("miss", False))}
    counts["n/a"] = sum(t["pass"] is None for t in targets)
    payload = {
        "benchmark": NAME,
        "command": _util.command_line(),
        "started": started,
        "quick": config.quick,
        "seconds": round(elapsed + compile_s, 1),
        "machine": machine,
        "settings": {
            "grids": [_grid_name(n) for n in config.grids],
            "fields": list(FIELD_COUNTS),
            "threads": list(threads),
            "diffusion_um2_per_h": D_UM2_PER_H,
            "dx_um": DX_UM,
            "dt_h": DT_H,
            "decay_per_h": DECAY_PER_H,
            "implicit_ratio": IMPLICIT_RATIO,
            "explicit_ratio": EXPLICIT_RATIO,
            "target_seconds_per_measurement": config.target_s,
        },
        "notes": notes,
        "rows": _util.rounded(rows),
        "targets": _util.rounded(targets),
        "targets_summary": counts,
        "horizon": _util.rounded([horizon])[0],
        "timing": _util.rounded(details),
    }
    path = _util.write_json(out_path, payload)
    _util.emit()
    _util.emit(
        f"targets: {counts['pass']} PASS, {counts['miss']} MISS, {counts['n/a']} n/a; "
        f"{elapsed + compile_s:.0f} s in all; wrote {path}"
    )
    return 0
