"""Whole model: wall time of the default spinal-cord run, where the time goes, cost per agent-step.

All on one Numba thread, after a short warm-up run (JIT compilation, first-touch allocations):

  runs       runner.run(scenario, seed, snapshots=False) end to end for the scenario's 12 weeks
             (2016 one-hour ticks), seeds 1, 2, 3; the median is the headline number.
  stages     the runner's loop re-run by hand (seed 1, same days) with the model's stage clock
             on: seconds in "tissue" (injury signals, recruitment, muscle), in each cell type's
             shuffle_do, in "fields" (sources + implicit diffusion), and in metrics.collect at
             the runner's recording cadence ("recording"); "setup" is building the model and
             "other" the rest of the loop. Percentages are of that run's wall time.
  agents     agent-steps per cell type, their seconds, agent-steps per second, and the cost per
             agent-step as a multiple of Mesa's floor below.
  no-op      Mesa's own AgentSet.shuffle_do("step") over N no-op CellAgents on an
             OrthogonalMooreGrid of the model's size, N = the model's mean live agent count over
             the stage run; median over many batches, divided per agent.

Targets (PASS/MISS, never asserted; issue 11): the 12-week run <= 0.25 s; fields <= 25 % of run
time; the mean cost per agent-step <= 0.5x the no-op shuffle_do step. Stage timing is installed
from here (:func:`install_stage_clock` wraps the stage methods of one model instance).
--profile adds a pyinstrument profile of a 28-day run (text report in
benchmarks/results/model-profile.txt). Results go to benchmarks/results/model.json.
"""

from __future__ import annotations

import argparse
import linecache
import math
import os
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
from mesa import Model
from mesa.discrete_space import CellAgent, OrthogonalMooreGrid

from benchmarks import _util
from simulation.runs import runner
from simulation.runs.metrics import collect
from simulation.scenario.schema import Scenario, load_scenario
from simulation.tissue.model import ACTIVATION_ORDER, NerveRepairModel

NAME = "model"

#: The default spinal-cord scenario (12 weeks, 1 h tick, 100x30 voxels of 25 µm).
SCENARIO_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "spinal_cord_untreated.toml"

SEEDS = (1, 2, 3)
WARMUP_DAYS = 2.0
QUICK_DAYS = 14.0
PROFILE_DAYS = 28.0

RUN_LIMIT_S = 0.25  # issue 11: the 84-day default spinal run on one core
FIELDS_LIMIT_PCT = 25.0
NOOP_RATIO_LIMIT = 0.5  # issue 11: cheaper than Mesa calling empty step()s

#: Lines of pyinstrument's flat (self-time) listing printed to the console.
PROFILE_TOP_LINES = 25

AGENT_STAGES = tuple(kind.__name__ for kind in ACTIVATION_ORDER)


@dataclass(frozen=True)
class Config:
    """What one run measures: run length (None: the scenario's), seeds, no-op timing effort."""

    days: float | None
    seeds: tuple[int, ...]
    profile_days: float
    noop_target_s: float
    noop_repeats: int
    quick: bool


FULL = Config(None, SEEDS, PROFILE_DAYS, noop_target_s=1.0, noop_repeats=21, quick=False)
QUICK = Config(QUICK_DAYS, SEEDS[:1], QUICK_DAYS, noop_target_s=0.2, noop_repeats=7, quick=True)


def _ticks(scenario: Scenario, days: float) -> int:
    """Ticks in ``days``, as :func:`simulation.runs.runner.run` counts them."""
    return math.ceil(days * 24.0 / scenario.time.dt_h - 1e-9)


def _live_agents(model: NerveRepairModel) -> int:
    """Cell agents that the next tick's shuffle_do calls will step."""
    by_type = model.agents_by_type
    return sum(len(agents) for kind in ACTIVATION_ORDER if (agents := by_type.get(kind)))


# ------------------------------------------------------------------------------------ runs


def _warm_up(scenario: Scenario) -> float:
    """A short run (compiles or loads the Numba kernels); return the seconds it took."""
    t0 = time.perf_counter()
    _util.settle_allocator()
    runner.run(scenario, 0, days=WARMUP_DAYS, snapshots=False)
    return time.perf_counter() - t0


def _timed_runs(scenario: Scenario, days: float, seeds: tuple[int, ...]) -> list[dict[str, Any]]:
    """``runner.run`` end to end once per seed: wall and CPU seconds, printed as they finish."""
    table = _run_table()
    _util.emit(table.header())
    rows = []
    for seed in seeds:
        c0, t0 = time.process_time(), time.perf_counter()
        result = runner.run(scenario, seed, days=days, snapshots=False)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        last = result.timeseries.iloc[-1]
        row = {
            "seed": seed,
            "days": days,
            "seconds": wall,
            "cpu_seconds": cpu,
            "cpu_pct_of_wall": cpu / wall * 100.0,
            "recorded_rows": len(result.timeseries),
            "final_macrophages": int(last["macrophages_m1_count"] + last["macrophages_m2_count"]),
        }
        rows.append(row)
        _util.emit(
            table.row(
                [
                    seed,
                    f"{days:g}",
                    f"{wall:.2f}",
                    f"{cpu:.2f}",
                    f"{row['cpu_pct_of_wall']:.0f}",
                    row["final_macrophages"],
                ]
            )
        )
    return rows


def _run_table() -> _util.Table:
    return _util.Table(
        [
            ("seed", 4, ">"),
            ("days", 4, ">"),
            ("wall s", 7, ">"),
            ("cpu s", 7, ">"),
            ("cpu %", 5, ">"),
            ("macrophages at end", 18, ">"),
        ]
    )


# ------------------------------------------------------------------------------------ stages


def install_stage_clock(model: NerveRepairModel) -> tuple[dict[str, float], dict[str, int]]:
    """Time each stage of ``model.step()`` from outside: the stage methods are wrapped on this
    one model instance (the model has no timing code). Returns the seconds per stage and the
    agent-steps per cell type (living cells when their type's turn starts)."""
    clock: dict[str, float] = defaultdict(float)
    steps: dict[str, int] = defaultdict(int)
    perf = time.perf_counter

    def timed(owner: Any, name: str, stage: str) -> None:
        inner = getattr(owner, name)

        def wrapper(*args: Any) -> Any:
            t0 = perf()
            try:
                return inner(*args)
            finally:
                clock[stage] += perf() - t0

        setattr(owner, name, wrapper)

    for name in ("apply_therapies", "release_injury_signals", "recruit_leukocytes"):
        timed(model, name, "tissue")
    timed(model, "update_distal_support", "tissue")
    timed(model, "advance_clock", "tissue")
    timed(model.muscle, "step", "tissue")
    timed(model.fields, "apply_sources", "fields")
    timed(model.fields, "diffuse", "fields")
    activate = model.activate

    def activate_timed(kind: Any) -> None:
        t0 = perf()
        if kind.KERNEL is not None:
            steps[kind.__name__] += int(model.sheet_of(kind).live_slots().size)
        else:
            steps[kind.__name__] += len(model.agents_by_type.get(kind, ()))
        activate(kind)
        clock[kind.__name__] += perf() - t0

    model.activate = activate_timed  # type: ignore[method-assign]
    return clock, steps


def _stage_run(scenario: Scenario, seed: int, days: float) -> dict[str, Any]:
    """The runner's loop (snapshots off) with the stage clock on and ``collect`` timed apart."""
    t = scenario.time
    ticks = _ticks(scenario, days)
    record_every = max(1, round(t.record_every_h / t.dt_h))
    perf = time.perf_counter
    c0 = time.process_time()
    t_start = perf()
    model = NerveRepairModel(scenario, seed=seed)
    clock, agent_steps = install_stage_clock(model)
    setup_s = perf() - t_start
    t0 = perf()
    collect(model)
    recording_s = perf() - t0
    records = 1
    live_sum = 0
    live_peak = 0
    for tick in range(1, ticks + 1):
        live = _live_agents(model)
        live_sum += live
        live_peak = max(live_peak, live)
        model.step()
        if tick % record_every == 0 or tick == ticks:
            t0 = perf()
            collect(model)
            recording_s += perf() - t0
            records += 1
    wall = perf() - t_start
    cpu = time.process_time() - c0
    stages = {"tissue": clock.get("tissue", 0.0)}
    stages.update({name: clock.get(name, 0.0) for name in AGENT_STAGES})
    stages["fields"] = clock.get("fields", 0.0)
    stages["recording"] = recording_s
    stages["setup"] = setup_s
    stages["other"] = wall - sum(stages.values())
    return {
        "seed": seed,
        "days": days,
        "ticks": ticks,
        "records": records,
        "seconds": wall,
        "cpu_seconds": cpu,
        "stages": stages,
        "agent_steps": {name: int(agent_steps.get(name, 0)) for name in AGENT_STAGES},
        "live_agents_mean": live_sum / ticks,
        "live_agents_peak": live_peak,
        "live_agents_end": _live_agents(model),
        "fieldset_parallel": model.fields.parallel,
        "grid": (model.width, model.height),
    }


def _stage_rows(stage_run: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per stage (seconds, % of the run, ms per tick), agent subtotal and total."""
    total = stage_run["seconds"]
    ticks = stage_run["ticks"]
    stages = stage_run["stages"]

    def row(name: str, seconds: float) -> dict[str, Any]:
        return {
            "stage": name,
            "seconds": seconds,
            "pct_of_total": seconds / total * 100.0,
            "ms_per_tick": seconds / ticks * 1e3,
        }

    rows = [row(name, s) for name, s in stages.items()]
    rows.append(row("agents (all types)", sum(stages[name] for name in AGENT_STAGES)))
    rows.append(row("total", total))
    return rows


def _agent_rows(stage_run: dict[str, Any], noop_s_per_agent: float) -> list[dict[str, Any]]:
    """Agent-steps, seconds, steps/s, µs per step and multiple of the no-op step, per type."""
    steps = stage_run["agent_steps"]
    stages = stage_run["stages"]
    ticks = stage_run["ticks"]

    def row(name: str, n: int, seconds: float) -> dict[str, Any]:
        per_step = seconds / n if n else None
        return {
            "agent_type": name,
            "agent_steps": n,
            "mean_per_tick": n / ticks,
            "seconds": seconds,
            "agent_steps_per_s": n / seconds if seconds > 0 else None,
            "us_per_agent_step": None if per_step is None else per_step * 1e6,
            "x_noop_step": None if per_step is None else per_step / noop_s_per_agent,
        }

    rows = [row(name, steps[name], stages[name]) for name in AGENT_STAGES]
    rows.append(
        row(
            "all",
            sum(steps[name] for name in AGENT_STAGES),
            sum(stages[name] for name in AGENT_STAGES),
        )
    )
    return rows


def _print_stages(rows: list[dict[str, Any]]) -> None:
    table = _util.Table(
        [("stage", 18, "<"), ("seconds", 8, ">"), ("% total", 7, ">"), ("ms/tick", 8, ">")]
    )
    lines = [
        [r["stage"], f"{r['seconds']:.3f}", f"{r['pct_of_total']:.1f}", f"{r['ms_per_tick']:.3f}"]
        for r in rows
    ]
    _util.emit(table.render(lines))


def _print_agents(rows: list[dict[str, Any]]) -> None:
    table = _util.Table(
        [
            ("agent type", 15, "<"),
            ("agent-steps", 11, ">"),
            ("per tick", 8, ">"),
            ("seconds", 8, ">"),
            ("steps/s", 9, ">"),
            ("µs/step", 7, ">"),
            ("x no-op", 7, ">"),
        ]
    )
    lines = [
        [
            r["agent_type"],
            r["agent_steps"],
            f"{r['mean_per_tick']:.1f}",
            f"{r['seconds']:.3f}",
            _util.fmt_num(r["agent_steps_per_s"]),
            _util.fmt_num(r["us_per_agent_step"]),
            _util.fmt_num(r["x_noop_step"]),
        ]
        for r in rows
    ]
    _util.emit(table.render(lines))


# ------------------------------------------------------------------------------------ no-op


class NoOpAgent(CellAgent):
    """A cell agent whose step does nothing: the framework's floor per agent-step."""

    def step(self) -> None:
        """Do nothing."""


def _noop_model(width: int, height: int, n: int, seed: int) -> Model:
    """A bare Mesa model: an OrthogonalMooreGrid of ``width`` x ``height``, ``n`` no-op agents."""
    model = Model(seed=seed)
    grid = OrthogonalMooreGrid((width, height), torus=False, random=model.random)
    cells = list(grid.all_cells)
    for _ in range(n):
        agent = NoOpAgent(model)
        agent.cell = model.random.choice(cells)
    return model


def _measure_noop(width: int, height: int, n: int, config: Config) -> dict[str, Any]:
    """Median seconds of ``agents_by_type[NoOpAgent].shuffle_do("step")``, and per agent."""
    model = _noop_model(width, height, n, seed=1)
    agents = model.agents_by_type[NoOpAgent]

    def call() -> None:
        agents.shuffle_do("step")

    timing = _util.measure(call, target_s=config.noop_target_s, repeats=config.noop_repeats)
    return {
        "agents": n,
        "grid": f"{width}x{height}",
        "seconds_per_call": timing.median_s,
        "seconds_per_agent": timing.median_s / n,
        "us_per_agent": timing.median_s / n * 1e6,
        "repeats": timing.repeats,
        "calls_per_repeat": timing.inner,
        "spread": timing.spread,
    }


# ------------------------------------------------------------------------------------ profile


#: Source files whose frames count as the model's own code in the profile listings.
_SIM_DIR = str(Path(runner.__file__).resolve().parents[1]) + os.sep


@dataclass
class _Hot:
    """Seconds attributed to one function or line, and what it is."""

    seconds: float = 0.0
    label: str = ""


def _hot_spots(frame_records: list[tuple[list[str], float]]) -> tuple[dict, dict]:
    """Seconds per model function and per model line from pyinstrument's raw samples.

    Each sample goes to the innermost frame on its stack in ``simulation/`` (its function and the
    line it was executing), so a function's or line's time includes the library and built-in code
    it calls (Mesa, random, numpy, Numba kernels) but not other model functions. Samples with no
    model frame go to "(outside simulation/)".
    """
    from pyinstrument.frame_info import IDENTIFIER_SEP, parse_frame_info

    functions: dict[tuple, _Hot] = {}
    lines: dict[tuple, _Hot] = {}
    for stack, seconds in frame_records:
        for info in reversed(stack):
            identifier, attributes = parse_frame_info(info)
            function, file, def_line = [*identifier.split(IDENTIFIER_SEP), "", "", ""][:3]
            if file.startswith(_SIM_DIR):
                break
        else:
            key = ("(outside simulation/)",)
            functions.setdefault(key, _Hot(label=key[0])).seconds += seconds
            lines.setdefault(key, _Hot(label=key[0])).seconds += seconds
            continue
        cls = next((a[1:] for a in attributes if a.startswith("c")), None)
        line = next((int(a[1:]) for a in attributes if a.startswith("l")), None)
        short = os.path.relpath(file, Path(_SIM_DIR).parent)
        name = f"{cls}.{function}" if cls else function
        fkey = (name, file, def_line)
        functions.setdefault(fkey, _Hot(label=f"{name}  {short}:{def_line}")).seconds += seconds
        lkey = (file, line)
        if lkey not in lines:
            code = linecache.getline(file, line).strip() if line else ""
            lines[lkey] = _Hot(label=f"{short}:{line}  {code}")
        lines[lkey].seconds += seconds
    return functions, lines


def _listing(hot: dict[tuple, _Hot], total: float, top: int) -> list[str]:
    """The ``top`` entries, slowest first: seconds, % of the profiled run, label."""
    ranked = sorted(hot.values(), key=lambda h: h.seconds, reverse=True)[:top]
    return [f"{h.seconds:7.3f} s {h.seconds / total * 100:5.1f}%  {h.label}" for h in ranked]


def _pyinstrument_profile(scenario: Scenario, seed: int, days: float, path: Path) -> dict[str, Any]:
    """Profile one ``runner.run`` with pyinstrument; write hot spots and call tree to ``path``."""
    from pyinstrument import Profiler

    t0 = time.perf_counter()
    runner.run(scenario, seed, days=days, snapshots=False)
    plain_s = time.perf_counter() - t0
    profiler = Profiler()
    t0 = time.perf_counter()
    profiler.start()
    try:
        runner.run(scenario, seed, days=days, snapshots=False)
    finally:
        session = profiler.stop()
    profiled_s = time.perf_counter() - t0
    sampled = sum(t for _, t in session.frame_records)
    functions, lines = _hot_spots(session.frame_records)
    top_functions = _listing(functions, sampled, PROFILE_TOP_LINES)
    top_lines = _listing(lines, sampled, PROFILE_TOP_LINES)
    header = (
        f"pyinstrument profile: runner.run({scenario.name}, seed={seed}, days={days:g}, "
        f"snapshots=False), 1 Numba thread\n"
        f"wall {profiled_s:.2f} s profiled vs {plain_s:.2f} s unprofiled "
        f"(x{profiled_s / plain_s:.2f}: the profiler inflates code made of many small Python "
        f"calls, so read shares, not seconds); {session.sample_count} samples, "
        f"{sampled:.2f} s sampled\n"
        "Hot functions and lines: each sample is charged to the innermost frame in simulation/ "
        "(its function and the line it was executing), so the time includes the Mesa, random, "
        "numpy and Numba code it calls but not other model functions; e.g."
        " simulation/tissue/model.py's "
        "shuffle_do line holds Mesa's own loop and shuffle.\n"
    )
    text = "\n".join(
        [
            header,
            "=" * 24 + " hot model functions (self + library calls) " + "=" * 24,
            *_listing(functions, sampled, 80),
            "",
            "=" * 24 + " hot model lines (self + library calls) " + "=" * 24,
            *_listing(lines, sampled, 120),
            "",
            "=" * 24 + " pyinstrument call tree " + "=" * 24,
            profiler.output_text(),
        ]
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return {
        "seed": seed,
        "days": days,
        "seconds_unprofiled": plain_s,
        "seconds_profiled": profiled_s,
        "overhead_x": profiled_s / plain_s,
        "samples": session.sample_count,
        "path": str(path),
        "top_functions": top_functions,
        "top_lines": top_lines,
    }


# ------------------------------------------------------------------------------------ targets


def _target(
    tid: str, check: str, value: float | None, threshold: float, note: str | None = None
) -> dict[str, Any]:
    """One target: ``value <= threshold`` (every target here is an upper limit)."""
    return _util.target(tid, check, value, "<=", threshold, note)


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# ------------------------------------------------------------------------------------ entry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``model`` benchmark's command-line options."""
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            f"smoke test: {QUICK_DAYS:g}-day runs, one seed, short no-op timing; "
            "writes model-quick.json unless --out is given"
        ),
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help=(
            f"also profile one {PROFILE_DAYS:g}-day run ({QUICK_DAYS:g} with --quick) with "
            "pyinstrument; the text report goes to benchmarks/results/model-profile.txt "
            "(model-profile-quick.txt with --quick)"
        ),
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        default=SCENARIO_PATH,
        help="scenario TOML (default scenarios/spinal_cord_untreated.toml)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the JSON (default benchmarks/results/model.json)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the tables and write the JSON; return the exit status."""
    config = QUICK if args.quick else FULL
    suffix = "-quick" if config.quick else ""
    out_path = args.out or _util.RESULTS_DIR / f"model{suffix}.json"
    scenario = load_scenario(args.scenario)
    days = scenario.time.duration_days if config.days is None else config.days
    ticks = _ticks(scenario, days)
    original_threads = numba.get_num_threads()
    notes = [
        "one Numba thread (numba.set_num_threads(1)); the FieldSet picks its serial kernels "
        "by grid size anyway",
        f"warm-up: one {WARMUP_DAYS:g}-day run (seed 0) before anything is timed",
        "runs: runner.run(snapshots=False) end to end, model construction and recording "
        "included; cpu % = process CPU time / wall time (well under 100 means the run was "
        "preempted)",
        "stages: seed 1 again, the runner's loop by hand with the stage clock on; 'other' is the "
        "loop itself and the live-agent count taken before each tick",
        "agent-steps are the model's own count (len of each type's AgentSet after its "
        "shuffle_do): cells that die in their step are not counted, cells born in it are",
        "x no-op = seconds per agent-step / seconds per agent of Mesa's shuffle_do('step') on "
        "no-op CellAgents (same grid, N = mean live agents over the stage run)",
    ]
    started = _util.now_iso()
    t_all = time.perf_counter()
    profile: dict[str, Any] | None = None
    try:
        numba.set_num_threads(1)
        warm_s = _warm_up(scenario)
        machine = _util.machine_info()
        _util.emit(f"NerveSim whole-model benchmark{' (quick)' if config.quick else ''}")
        _util.emit(_util.machine_header(machine))
        _util.emit(
            f"scenario {scenario.name}: {days:g} days = {ticks} ticks of {scenario.time.dt_h:g} h, "
            f"grid {scenario.grid.width_voxels}x{scenario.grid.height_voxels} voxels, recording "
            f"every {scenario.time.record_every_h:g} h; 1 Numba thread; warm-up {warm_s:.1f} s"
        )
        for note in notes:
            _util.emit(f"note: {note}")
        _util.emit()

        _util.emit(f"end-to-end runs ({len(config.seeds)} seeds):")
        runs = _timed_runs(scenario, days, config.seeds)
        run_seconds = [r["seconds"] for r in runs]
        median_s = statistics.median(run_seconds)
        _util.emit(
            f"median {median_s:.2f} s (min {min(run_seconds):.2f}, max {max(run_seconds):.2f}); "
            f"{ticks / median_s:.0f} ticks/s"
        )
        _util.emit()

        _util.emit(f"stage profile (seed {config.seeds[0]}, {ticks} ticks, stage clock on):")
        stage_run = _stage_run(scenario, config.seeds[0], days)
        stage_rows = _stage_rows(stage_run)
        _print_stages(stage_rows)
        _util.emit(
            f"live agents: mean {stage_run['live_agents_mean']:.1f}, "
            f"peak {stage_run['live_agents_peak']}, at end {stage_run['live_agents_end']}; "
            f"{stage_run['records']} records"
        )
        _util.emit()

        n_noop = max(1, round(stage_run["live_agents_mean"]))
        width, height = stage_run["grid"]
        noop = _measure_noop(width, height, n_noop, config)
        _util.emit(
            f"Mesa no-op floor: shuffle_do('step') over {n_noop} no-op CellAgents on "
            f"{noop['grid']}: {noop['seconds_per_call'] * 1e6:.1f} µs per call = "
            f"{noop['us_per_agent'] * 1e3:.1f} ns per agent "
            f"({noop['repeats']}x{noop['calls_per_repeat']} calls, "
            f"spread {noop['spread'] * 100:.0f}%)"
        )
        _util.emit()
        agent_rows = _agent_rows(stage_run, noop["seconds_per_agent"])
        _print_agents(agent_rows)
        _util.emit()

        all_agents = agent_rows[-1]
        fields_pct = next(r["pct_of_total"] for r in stage_rows if r["stage"] == "fields")
        note = None
        if config.quick:
            note = f"quick run: {days:g} days, not the {scenario.time.duration_days:g}-day run"
        targets = [
            _target(
                "1",
                f"median wall s of the {days:g}-day run, 1 thread",
                median_s,
                RUN_LIMIT_S,
                note,
            ),
            _target("2", "fields % of run time", fields_pct, FIELDS_LIMIT_PCT, note),
            _target(
                "3",
                "cost per agent-step / no-op Mesa shuffle_do step",
                all_agents["x_noop_step"],
                NOOP_RATIO_LIMIT,
                note,
            ),
        ]
        _util.print_targets(targets)
        load_after_timing = _loadavg()

        if args.profile:
            _util.emit()
            profile_days = config.profile_days
            profile_path = _util.RESULTS_DIR / f"model-profile{suffix}.txt"
            _util.emit(f"pyinstrument profile of one {profile_days:g}-day run (seed 1)...")
            profile = _pyinstrument_profile(scenario, config.seeds[0], profile_days, profile_path)
            _util.emit(
                f"  {profile['seconds_profiled']:.2f} s profiled vs "
                f"{profile['seconds_unprofiled']:.2f} s unprofiled "
                f"(x{profile['overhead_x']:.2f}); full report in {profile_path}"
            )
            _util.emit("hot model functions (incl. the library code they call), % of samples:")
            for line in profile["top_functions"]:
                _util.emit(f"  {line}")
            _util.emit("hot model lines (incl. the library code they call), % of samples:")
            for line in profile["top_lines"]:
                _util.emit(f"  {line}")
    finally:
        numba.set_num_threads(original_threads)
    elapsed = time.perf_counter() - t_all
    counts = {k: sum(t["pass"] is v for t in targets) for k, v in (("pass", True), ("miss", False))}
    counts["n/a"] = sum(t["pass"] is None for t in targets)
    payload: dict[str, Any] = {
        "benchmark": NAME,
        "command": _util.command_line(),
        "started": started,
        "quick": config.quick,
        "seconds": round(elapsed, 1),
        "machine": machine,
        "loadavg_after_timing": load_after_timing,
        "loadavg_end": _loadavg(),
        "settings": {
            "scenario": scenario.name,
            "scenario_digest": scenario.digest(),
            "days": days,
            "ticks": ticks,
            "dt_h": scenario.time.dt_h,
            "record_every_h": scenario.time.record_every_h,
            "grid": f"{stage_run['grid'][0]}x{stage_run['grid'][1]}",
            "seeds": list(config.seeds),
            "warmup_days": WARMUP_DAYS,
            "numba_threads": 1,
            "fieldset_parallel": stage_run["fieldset_parallel"],
        },
        "notes": notes,
        "runs": _util.rounded(runs),
        "run_median_seconds": _util.sig(median_s),
        "stages": _util.rounded(stage_rows),
        "stage_run": {
            k: _util.sig(v) if isinstance(v, float) else v
            for k, v in stage_run.items()
            if k not in ("stages", "grid")
        },
        "agents": _util.rounded(agent_rows),
        "noop_mesa": _util.rounded([noop])[0],
        "targets": _util.rounded(targets),
        "targets_summary": counts,
    }
    if profile is not None:
        payload["profile"] = {
            k: _util.sig(v) if isinstance(v, float) else v for k, v in profile.items()
        }
    path = _util.write_json(out_path, payload)
    _util.emit()
    _util.emit(
        f"targets: {counts['pass']} PASS, {counts['miss']} MISS, {counts['n/a']} n/a; "
        f"{elapsed:.0f} s in all; wrote {path}"
    )
    return 0
