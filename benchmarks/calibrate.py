"""Calibration (ABC-SMC with pyabc): simulations per second on 1 and 2 local workers and a
2-worker Dask LocalCluster, acceptance rate per generation, the sampler's overhead as a share of
simulation time, and a projection of the default calibration's wall time (or, with
``--full DIR``, that calibration run and timed).

  throughput  one small real-model calibration (growth_cone.speed_um_per_h against
              pni.regrowth_rate on the library's peripheral crush, 14-day runs; P particles,
              G generations, one seed per particle) run by simulation.calibration.abc.calibrate
              into a fresh folder on each executor: a local spawn pool of 1 and of 2 processes
              and a Dask LocalCluster of 2 single-threaded worker processes. Each executor is
              started and warmed (every worker imports NerveSim and pyabc and runs a short
              model) before the clock starts; start-up seconds are reported apart. The three
              executors take turns for R rounds (3; 1 with --quick) and each one's fastest
              round counts (other work on a shared machine only ever slows a round down).
              The posteriors are checked to be identical (one root seed, any executor).
  overhead    on the 1-process pool: (calibration wall - the seconds the worker spent in
              pyabc's simulate_one, proposals and distance included) / those seconds. It holds
              everything the calibration adds around the simulations: pickling the
              generation's closure, IPC, pyabc's work between generations (transitions,
              weights, tolerance, the SQLite history) and this package's bookkeeping.
              Proposals finished past a generation's n-th acceptance (the price of a
              deterministic sampler) count as simulation time and are reported apart as
              "discarded"; those still queued or running then are "abandoned" (cancelled, or
              left to finish unread). The overhead splits into seconds
              per sampling phase (pyabc between generations) and per simulation (pickling,
              IPC); 3b projects both onto the default calibration's particles.
  projection  one particle of scenarios/calibrations/untreated_default.toml (every target
              anchor's arms, at the library defaults, seeds_per_particle seeds) timed in this
              process; projected wall time = particles x seconds per particle / 2 workers, with
              particles = population x (1 + generations / acceptance) at the acceptance rate the
              throughput runs measured (a projection, not the default calibration's own time:
              that is run once the biology of issue 13 has settled).

Targets (PASS/MISS, never asserted): 2 workers >= 1.8x the simulations/s of 1; Dask >= 0.9x
the 2-worker pool; sampler overhead <= 5 % of simulation time; projected default calibration
<= 30 minutes (with --full, its measured wall time). Results go to
benchmarks/results/calibrate.json (calibrate-quick.json with --quick).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import _util

NAME = "calibrate"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CALIBRATION = ROOT / "scenarios" / "calibrations" / "untreated_default.toml"

SPEEDUP_MIN = 1.8
DASK_RATIO_MIN = 0.9
OVERHEAD_PCT_MAX = 5.0
PROJECTED_MIN_MAX = 30.0

CALIBRATION = """
name = "bench_throughput"
scenarios = ["peripheral_crush_untreated.toml"]
targets = ["pni.regrowth_rate"]
seeds_per_particle = 1
population_size = {population}
generations = {generations}
root_seed = 2026
predictive_draws = 0

[[parameters]]
key = "growth_cone.speed_um_per_h"
lo = 20.0
hi = 400.0
"""

#: The executors compared: local pools of 1 and 2 processes, a 2-worker Dask LocalCluster.
KINDS = ("pool-1", "pool-2", "dask-2")


def warm_worker() -> bool:
    """Import pyabc and NerveSim's calibration and run a one-day model (loads the kernels)."""
    import pyabc  # noqa: F401

    import simulation.calibration.bridge  # noqa: F401
    from simulation.runs.pool import warm_up

    return warm_up()


def _make(kind: str) -> Any:
    from simulation.runs.pool import dask_client, local_pool

    return dask_client(workers=2) if kind == "dask-2" else local_pool(int(kind.split("-")[1]))


def _warm(executor: Any) -> None:
    from simulation.runs.pool import capacity, is_dask

    if is_dask(executor):
        executor.run(warm_worker)
        return
    for f in [executor.submit(warm_worker) for _ in range(2 * capacity(executor))]:
        f.result()


def _timed(kind: str, path: Path, out: Path) -> tuple[dict[str, Any], Any]:
    """Start and warm an executor, then time the whole calibration on it."""
    from simulation.calibration.abc import calibrate
    from simulation.calibration.spec import load_calibration
    from simulation.runs.pool import close_executor

    cal = load_calibration(path)
    t0 = time.perf_counter()
    executor = _make(kind)
    try:
        _warm(executor)
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = calibrate(cal, out, executor)
        wall = time.perf_counter() - t1
    finally:
        close_executor(executor)
    evaluated = sum(s.evaluated for s in result.sampled)
    used = sum(s.used for s in result.sampled)
    sim_s = sum(s.simulation_s for s in result.sampled)
    sampling_s = sum(s.wall_s for s in result.sampled)
    row = {
        "executor": kind,
        "startup_s": startup,
        "wall_s": wall,
        "simulations": evaluated,
        "discarded": evaluated - used,
        "abandoned": sum(s.abandoned for s in result.sampled),
        "phases": len(result.sampled),
        "sampling_s": sampling_s,
        "sims_per_s": evaluated / wall,
        "worker_sim_s": sim_s,
        "between_generations_s": wall - sampling_s,
        "acceptance_per_generation": [
            round(s.acceptance_rate, 3) for s in result.sampled if s.t >= 0
        ],
    }
    return row, result.posterior


def _particle_seconds(seeds_override: int | None = None) -> dict[str, Any]:
    """One particle of the default calibration, at the library defaults, in this process."""
    from simulation.calibration.bridge import NerveSimModel
    from simulation.calibration.spec import load_calibration

    cal = load_calibration(DEFAULT_CALIBRATION)
    seeds = seeds_override or cal.spec.seeds_per_particle
    model = NerveSimModel(cal)
    values = {p.key: p.default for p in cal.parameters}
    t0 = time.perf_counter()
    stats = model.statistics(values, list(range(seeds)))
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "seeds": seeds, "statistics": stats, "spec": cal.spec}


def _full_calibration(out: Path) -> dict[str, Any]:
    """Run the default calibration into ``out`` (a fresh run: an earlier one there is moved
    aside) on a warmed 2-process pool; its wall time from the first proposal to the last
    figure and report written."""
    import shutil

    from simulation.calibration.abc import calibrate as run_abc
    from simulation.calibration.outputs import write_outputs
    from simulation.calibration.spec import load_calibration
    from simulation.runs.pool import close_executor

    if out.exists():
        shutil.rmtree(out)
    cal = load_calibration(DEFAULT_CALIBRATION)
    executor = _make("pool-2")
    try:
        _warm(executor)
        t0 = time.perf_counter()
        result = run_abc(cal, out, executor)
        sampled = time.perf_counter() - t0
        write_outputs(cal, result, executor)
        wall = time.perf_counter() - t0
    finally:
        close_executor(executor)
    return {
        "folder": str(out),
        "minutes": wall / 60.0,
        "sampling_minutes": sampled / 60.0,
        "simulations": sum(s.evaluated for s in result.sampled),
        "acceptance_per_generation": [
            round(s.acceptance_rate, 3) for s in result.sampled if s.t >= 0
        ],
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options."""
    parser.add_argument(
        "--quick", action="store_true", help="4 particles x 1 generation; no projection"
    )
    parser.add_argument("--population", type=int, default=8, help="particles (default 8)")
    parser.add_argument("--generations", type=int, default=2, help="generations (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each executor runs, interleaved (default 3)"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON path")
    parser.add_argument(
        "--full",
        type=Path,
        default=None,
        metavar="DIR",
        help="also run the default calibration itself into DIR on a 2-process pool and time "
        "it (about 20 min; target 4 becomes its measured wall time; the library's shipped "
        "run: benchmarks/results/calibration-default)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the tables and write the JSON; return the exit status."""
    population, generations = (4, 1) if args.quick else (args.population, args.generations)
    rounds = 1 if args.quick else args.rounds
    out_path = args.out or _util.RESULTS_DIR / f"calibrate{'-quick' if args.quick else ''}.json"
    started = _util.now_iso()
    _util.settle_allocator()
    warm_worker()
    machine = _util.machine_info()
    _util.emit(f"NerveSim calibration benchmark{' (quick)' if args.quick else ''}")
    _util.emit(_util.machine_header(machine))
    _util.emit(
        f"throughput calibration: {population} particles x {generations} generation(s), 1 seed, "
        "14-day runs of peripheral_crush_untreated (100 x 30 voxels)"
    )
    posteriors = []
    with tempfile.TemporaryDirectory(prefix="nervesim-bench-calibrate-") as tmp:
        folder = Path(tmp)
        path = folder / "bench.toml"
        path.write_text(
            CALIBRATION.format(population=population, generations=generations), encoding="utf-8"
        )
        every: list[dict[str, Any]] = []
        for k in range(rounds):
            for kind in KINDS:
                row, post = _timed(kind, path, folder / f"{kind}-{k}")
                row["round"] = k + 1
                every.append(row)
                posteriors.append(post)
                _util.emit(
                    f"  round {k + 1} {kind}: {row['simulations']} simulations in "
                    f"{row['wall_s']:.1f} s ({row['sims_per_s']:.2f}/s; start-up "
                    f"{row['startup_s']:.1f} s)"
                )
    identical = all(p.equals(posteriors[0]) for p in posteriors[1:])
    # Each executor's fastest round counts: other work on a shared machine only slows a round.
    by = {
        kind: max((r for r in every if r["executor"] == kind), key=lambda r: r["sims_per_s"])
        for kind in KINDS
    }
    rows = [by[kind] for kind in KINDS]
    speedup = by["pool-2"]["sims_per_s"] / by["pool-1"]["sims_per_s"]
    dask_ratio = by["dask-2"]["sims_per_s"] / by["pool-2"]["sims_per_s"]
    one = by["pool-1"]
    overhead_pct = 100.0 * (one["wall_s"] - one["worker_sim_s"]) / one["worker_sim_s"]
    # The overhead in seconds, split into a cost per sampling phase (pyabc between generations:
    # history, transitions, distance, tolerance) and a cost per simulation (pickling, IPC).
    per_phase_s = one["between_generations_s"] / one["phases"]
    per_sim_s = (one["sampling_s"] - one["worker_sim_s"]) / one["simulations"]
    _util.emit()
    table = _util.Table(
        [
            ("executor", 8, "<"),
            ("sims", 5, ">"),
            ("discarded", 9, ">"),
            ("abandoned", 9, ">"),
            ("wall s", 7, ">"),
            ("sims/s", 7, ">"),
            ("between gens s", 14, ">"),
            ("acceptance per generation", 26, "<"),
        ]
    )
    _util.emit(
        table.render(
            [
                [
                    r["executor"],
                    str(r["simulations"]),
                    str(r["discarded"]),
                    str(r["abandoned"]),
                    f"{r['wall_s']:.1f}",
                    f"{r['sims_per_s']:.2f}",
                    f"{r['between_generations_s']:.2f}",
                    ", ".join(f"{a:.2f}" for a in r["acceptance_per_generation"]),
                ]
                for r in rows
            ]
        )
    )
    _util.emit(f"posteriors identical on all three executors: {identical}")
    projection: dict[str, Any] = {}
    if not args.quick:
        particle = _particle_seconds()
        spec = particle["spec"]
        rates = [a for r in rows for a in r["acceptance_per_generation"]]
        acceptance = sum(rates) / len(rates)
        particles = spec.population_size * (1 + spec.generations / acceptance)
        minutes = particles * particle["seconds"] / 2 / 60.0
        overhead_s = (spec.generations + 1) * per_phase_s + particles * per_sim_s
        projected_overhead_pct = 100.0 * overhead_s / (particles * particle["seconds"])
        projection = {
            "particle_s": particle["seconds"],
            "seeds_per_particle": particle["seeds"],
            "population_size": spec.population_size,
            "generations": spec.generations,
            "acceptance_assumed": acceptance,
            "particles": particles,
            "projected_minutes_2_workers": minutes,
            "projected_overhead_pct": projected_overhead_pct,
            "statistics_at_defaults": particle["statistics"],
        }
        _util.emit(
            f"default calibration: one particle ({particle['seeds']} seeds, every arm) "
            f"{particle['seconds']:.1f} s; at acceptance {acceptance:.2f}, about "
            f"{particles:.0f} particles -> {minutes:.1f} min on 2 workers (projection); "
            f"sampler overhead {per_phase_s:.2f} s per generation + {per_sim_s * 1000:.0f} ms per "
            f"simulation -> {projected_overhead_pct:.1f} % of its simulation time"
        )
    full: dict[str, Any] = {}
    if args.full is not None:
        full = _full_calibration(args.full)
        _util.emit(
            f"default calibration, run into {args.full}: {full['minutes']:.1f} min wall on a "
            f"2-process pool ({full['simulations']} simulations, acceptance per generation "
            f"{', '.join(f'{a:.2f}' for a in full['acceptance_per_generation'])})"
        )
    targets = [
        _util.target("1", "2 local workers vs 1, simulations/s", speedup, ">=", SPEEDUP_MIN),
        _util.target(
            "2", "Dask LocalCluster (2) vs local pool (2)", dask_ratio, ">=", DASK_RATIO_MIN
        ),
        _util.target(
            "3",
            "sampler overhead, % of simulation time (1 worker)",
            overhead_pct,
            "<=",
            OVERHEAD_PCT_MAX,
        ),
        _util.target(
            "3b",
            "sampler overhead, % (projected on the default calibration)",
            projection.get("projected_overhead_pct"),
            "<=",
            OVERHEAD_PCT_MAX,
        ),
        _util.target(
            "4",
            "default calibration, projected minutes (2 workers)",
            projection.get("projected_minutes_2_workers"),
            "<=",
            PROJECTED_MIN_MAX,
        )
        if not full
        else _util.target(
            "4",
            "default calibration, measured minutes (2 workers, whole run with outputs)",
            full["minutes"],
            "<=",
            PROJECTED_MIN_MAX,
        ),
    ]
    _util.emit()
    _util.print_targets(targets)
    _util.write_json(
        out_path,
        {
            "benchmark": NAME,
            "started": started,
            "finished": _util.now_iso(),
            "command": _util.command_line(),
            "machine": machine,
            "config": {
                "population": population,
                "generations": generations,
                "seeds": 1,
                "rounds": rounds,
            },
            "executors": _util.rounded(rows),
            "every_round": _util.rounded(every),
            "posteriors_identical": identical,
            "speedup_2_vs_1": _util.sig(speedup),
            "dask_vs_pool_2": _util.sig(dask_ratio),
            "overhead_pct_1_worker": _util.sig(overhead_pct),
            "overhead_per_generation_s": _util.sig(per_phase_s),
            "overhead_per_simulation_s": _util.sig(per_sim_s),
            "projection": {
                k: (_util.sig(v) if isinstance(v, float) else v) for k, v in projection.items()
            },
            "full": {k: (_util.sig(v) if isinstance(v, float) else v) for k, v in full.items()},
            "targets": targets,
        },
    )
    _util.emit(f"wrote {out_path}")
    return 0
