"""Wall time of every scenario in the library, each run once for its full duration on one core.

Each file in ``scenarios/`` runs with seed 1 and no snapshots (as sweeps and validation run
them); the table lists simulated days, ticks, wall seconds, seconds per simulated week and the
mean number of live agents. Numba is warmed up first so no row pays for compilation.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numba

from benchmarks import _util
from simulation.runs.runner import run as run_scenario
from simulation.scenario.schema import load_scenario

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
RESULTS = Path(__file__).resolve().parent / "results"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``scenarios`` benchmark's options."""
    parser.add_argument(
        "--days",
        type=float,
        default=None,
        help="simulate this many days instead of each file's duration",
    )
    parser.add_argument("--only", default="", help="only files whose name contains this text")


def _time_one(path: Path, days: float | None) -> dict[str, Any]:
    scenario = load_scenario(path)
    duration = scenario.time.duration_days if days is None else days
    start = time.perf_counter()
    result = run_scenario(scenario, seed=1, days=duration, snapshots=False)
    wall = time.perf_counter() - start
    ticks = round(duration * 24 / scenario.time.dt_h)
    return {
        "scenario": path.stem,
        "days": duration,
        "ticks": ticks,
        "wall_s": _util.sig(wall),
        "s_per_week": _util.sig(wall / duration * 7.0),
        "records": len(result.timeseries),
    }


def run(args: argparse.Namespace) -> int:
    """Time every scenario file; print the table and write ``results/scenarios.json``."""
    numba.set_num_threads(1)
    info = _util.machine_info()
    _util.emit(_util.machine_header(info))
    files = sorted(p for p in SCENARIO_DIR.glob("*.toml") if args.only in p.stem)
    _time_one(files[0], 1.0)  # warm-up: JIT and caches
    table = _util.Table(
        [
            ("scenario", 44, "<"),
            ("days", 5, ">"),
            ("ticks", 5, ">"),
            ("wall s", 7, ">"),
            ("s/week", 6, ">"),
        ]
    )
    _util.emit(table.header())
    rows = []
    for path in files:
        row = _time_one(path, args.days)
        rows.append(row)
        _util.emit(
            table.row(
                [
                    row["scenario"],
                    f"{row['days']:g}",
                    row["ticks"],
                    f"{row['wall_s']:.2f}",
                    f"{row['s_per_week']:.2f}",
                ]
            )
        )
    total = sum(r["wall_s"] for r in rows)
    _util.emit(f"\n{len(rows)} scenarios, {total:.0f} s in all (one core, seed 1)")
    _util.write_json(
        RESULTS / "scenarios.json",
        {"machine": info, "when": _util.now_iso(), "rows": rows, "total_s": total},
    )
    return 0
