"""The ``nervesim`` command: argument parsing and printing only."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from simulation._version import ILLUSTRATIVE_LABEL, __version__

#: Days shown in trend tables (those within the run's duration).
TABLE_DAYS = (0, 7, 14, 28, 56, 84)
#: Metrics shown in trend tables, in this order.
TABLE_METRICS = (
    "neuron_survival_fraction",
    "neutrophils_count",
    "macrophages_m1_count",
    "macrophages_m2_count",
    "inflammation_mean_au",
    "scar_area_fraction",
    "debris_remaining_fraction",
    "axons_bridged_fraction",
    "axon_length_mean_um",
    "myelinated_fraction",
    "schwann_repair_count",
    "muscle_mass_index",
    "function_index",
)
#: Metrics compared side by side by ``nervesim compare``: the trend table's plus the graft's.
COMPARE_METRICS = (*TABLE_METRICS, "grafted_cells_alive_count", "tumor_events_count")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _label() -> None:
    print(ILLUSTRATIVE_LABEL)


def trend_table(timeseries, days=TABLE_DAYS):
    """Metrics (rows) at the recorded days nearest to ``days`` and at the last day (columns)."""
    import pandas as pd

    last = float(timeseries["day"].max())
    cols = {}
    for d in (*(d for d in days if d < last - 1e-9), last):
        idx = (timeseries["day"] - d).abs().idxmin()
        cols[f"day {d:g}"] = timeseries.loc[idx, list(TABLE_METRICS)]
    return pd.DataFrame(cols)


def _file_stem(name: str) -> str:
    """A scenario name as a safe file-name stem (the name is free text)."""
    return re.sub(r"[^\w.-]+", "_", name) or "scenario"


def _cmd_run(args: argparse.Namespace) -> int:
    from simulation.scenario.schema import load_scenario

    paths = [Path(p) for p in args.scenario]
    scenarios = [load_scenario(p) for p in paths]
    if args.seeds is None and len(paths) == 1:
        return _run_one(args, scenarios[0])
    return _run_many(args, paths, scenarios)


def _run_one(args: argparse.Namespace, scenario) -> int:
    """One scenario, one seed: a progress bar in percent, the trend table, one Parquet file."""
    from tqdm import tqdm

    from simulation.runs.runner import run
    from simulation.runs.storage import write_parquet

    seed = args.seed or 0
    _label()
    print(f"scenario: {scenario.name} ({scenario.description})")
    with tqdm(
        total=100,
        desc=f"seed {seed}",
        unit="%",
        disable=args.quiet,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
    ) as bar:
        result = run(
            scenario,
            seed=seed,
            days=args.days,
            progress=lambda f: bar.update(round(100 * f) - bar.n),
            snapshots=False,
        )
    print(trend_table(result.timeseries).to_string(float_format=lambda v: f"{v:.3g}"))
    out = Path(args.out) / f"{_file_stem(scenario.name)}_seed{seed}.parquet"
    write_parquet(result.timeseries, out, result.metadata)
    print(f"time series written to {out}")
    return 0


def _run_many(args: argparse.Namespace, paths: list[Path], scenarios: list) -> int:
    """Several scenarios, or replicates: runs in a process pool, mean [95 % interval] tables."""
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.runs.storage import write_parquet
    from simulation.validation.checks import Arm, run_arms

    replicates = args.seeds is not None
    seeds = spawn_seeds(0, args.seeds) if replicates else [args.seed or 0]
    arms = [
        Arm(str(p.resolve()), args.days or s.time.duration_days)
        for p, s in zip(paths, scenarios, strict=True)
    ]
    labels = _arm_labels(paths)
    _label()
    what = (
        f"{len(seeds)} seeds each (SeedSequence(0).spawn({len(seeds)}))"
        if replicates
        else (f"seed {seeds[0]}")
    )
    print(f"running {len(paths)} scenario{'s' * (len(paths) != 1)}, {what}:")
    with tqdm(
        total=len(dict.fromkeys(arms)) * len(seeds), desc="run", unit="run", disable=args.quiet
    ) as bar:
        runs = run_arms(arms, seeds, args.workers or _default_workers(), progress=bar.update)
    stems: list[str] = []
    for label, path, scenario, arm in zip(labels, paths, scenarios, arms, strict=True):
        frame = compare.tidy({label: runs[arm]}, seeds)
        days = (*(d for d in TABLE_DAYS if d < arm.days - 1e-9), arm.days)
        summary = compare.summarize(frame, days, TABLE_METRICS)
        print(f"\nscenario: {scenario.name} ({scenario.description}), {arm.days:g} days")
        table = compare.by_day(summary, label)
        _print_columns([["", *table.columns], *([m, *table.loc[m]] for m in table.index)], "  ")
        stem = _file_stem(scenario.name)
        while stem in stems:
            stem += "_2"
        stems.append(stem)
        meta = {
            "scenario": scenario.name,
            "scenario_file": str(path),
            "scenario_digest": scenario.digest(),
            "scenario_toml": scenario.to_toml(),
            "seeds": seeds,
            "days": arm.days,
            "nervesim_version": __version__,
        }
        if replicates:
            out = Path(args.out) / f"{stem}_seeds{len(seeds)}.parquet"
            write_parquet(frame.drop(columns="scenario"), out, {**meta, "root_seed": 0})
        else:
            out = Path(args.out) / f"{stem}_seed{seeds[0]}.parquet"
            series = frame.drop(columns=["scenario", "seed"])
            write_parquet(series, out, {**meta, "seed": seeds[0]})
        print(f"  written to {out}")
    if replicates:
        print(
            f"\ncells: mean [95% t-interval of the mean over {len(seeds)} seeds]; a lone number "
            "where the interval rounds to it"
        )
    return 0


def _cmd_show_params(args: argparse.Namespace) -> int:
    from simulation.scenario.schema import Scenario, iter_parameters, parameter_info

    _label()
    defaults = Scenario().to_dict()
    rows = []
    for key, info in iter_parameters():
        if key.startswith("interventions."):
            value = info.default  # an intervention's own default
        else:
            value = defaults
            for part in key.split("."):
                value = value[part]
        units, lo, hi = parameter_info(key)
        rng = f"[{lo:g}, {hi:g}]" if lo is not None and hi is not None else ""
        rows.append((key, str(value), units, rng, info.description or ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        if args.filter and args.filter not in r[0]:
            continue
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)), r[4])
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from simulation.fields.demo import run_field_demo

    _label()
    table = run_field_demo(hours=args.hours)
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    print(f"({table.attrs['wall_s'] * 1e3:.0f} ms of field time)")
    return 0


def _one_line(err: Exception, path: Path) -> str:
    """An error as one line, without the file's own path in front."""
    text = " ".join(str(err).split()) or type(err).__name__
    for prefix in (f"{path}: ", f"{path.resolve()}: "):
        text = text.removeprefix(prefix)
    return text if isinstance(err, ValueError | OSError) else f"{type(err).__name__}: {text}"


def _cmd_list(args: argparse.Namespace) -> int:
    from simulation.scenario.schema import load_scenario

    if args.dir is None:
        from simulation.validation import checks as validation

        folder = validation.SCENARIO_DIR
    else:
        folder = Path(args.dir)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    files = sorted(folder.glob("*.toml"), key=lambda p: p.name)
    _label()
    if not files:
        print(f"no scenario files (*.toml) in {folder}")
        return 0
    print(f"{len(files)} scenario files in {folder}:")
    rows = []
    for path in files:
        try:
            lines = load_scenario(path).description.strip().splitlines()
            text = lines[0] if lines else "(no description)"
        except Exception as err:  # one bad file must not hide the others
            text = f"(invalid: {_one_line(err, path)})"
        rows.append((path.name, text))
    width = max(len(name) for name, _ in rows)
    for name, text in rows:
        print(f"  {name.ljust(width)}  {text}")
    return 0


def _arm_labels(paths: list[Path]) -> list[str]:
    """File stems, with ``#2``, ``#3`` added to repeats so every arm has its own column."""
    labels: list[str] = []
    for path in paths:
        label, k = path.stem, 1
        while label in labels:
            k += 1
            label = f"{path.stem}#{k}"
        labels.append(label)
    return labels


def _print_columns(rows: list[list[str]], indent: str = "") -> None:
    """Rows of text cells, each column padded to its widest cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print(indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


#: Image formats --plot writes.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def _check_figure_path(path: str | None) -> None:
    """Refuse a --plot file we cannot write, before any run starts."""
    if path is None:
        return
    suffix = Path(path).suffix.lower()
    if suffix not in FIGURE_SUFFIXES:
        raise ValueError(f"--plot: {path}: use a {', '.join(FIGURE_SUFFIXES)} file name")
    parent = Path(path).parent
    if parent.exists() and not parent.is_dir():
        raise ValueError(f"--plot: {parent}: not a folder")


def _default_workers() -> int:
    import os

    return min(2, os.cpu_count() or 1)


def _cmd_compare(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.runs.storage import write_parquet
    from simulation.scenario.schema import load_scenario
    from simulation.validation.checks import Arm, run_arms

    if not 2 <= len(args.scenarios) <= 4:
        raise ValueError(f"compare needs 2 to 4 scenario files, got {len(args.scenarios)}")
    _check_figure_path(args.plot)
    paths = [Path(p) for p in args.scenarios]
    scenarios = [load_scenario(p) for p in paths]
    days = args.days or max(s.time.duration_days for s in scenarios)
    shown = args.at_days or (*(d for d in (7.0, 28.0) if d < days - 1e-9), days)
    late = [d for d in shown if d > days + 1e-9]
    if late:
        raise ValueError(f"--at-days: day {late[0]:g} is after the runs end (day {days:g})")
    shown = tuple(dict.fromkeys(shown))
    labels = _arm_labels(paths)
    seeds = spawn_seeds(args.root_seed, args.seeds)
    workers = args.workers or _default_workers()
    arms = [Arm(str(p.resolve()), days) for p in paths]  # absolute: run_arms joins it as is

    _label()
    print(
        f"comparing {len(paths)} scenarios over {days:g} days, {len(seeds)} seeds each "
        f"(root seed {args.root_seed}):"
    )
    _print_columns([[lab, s.description] for lab, s in zip(labels, scenarios, strict=True)], "  ")
    shorter = [
        f"{lab} {s.time.duration_days:g} days"
        for lab, s in zip(labels, scenarios, strict=True)
        if args.days is None and s.time.duration_days != days
    ]
    if shorter:
        print(f"note: all scenarios run {days:g} days; the files give {', '.join(shorter)}")
    with tqdm(
        total=len(dict.fromkeys(arms)) * len(seeds),
        desc="compare",
        unit="run",
        disable=args.quiet,
    ) as bar:
        runs = run_arms(arms, seeds, workers=workers, progress=bar.update)
    frame = compare.tidy({lab: runs[a] for lab, a in zip(labels, arms, strict=True)}, seeds)
    metrics = [m for m in COMPARE_METRICS if m in frame.columns]
    summary = compare.summarize(frame, shown, metrics)
    for d in shown:
        table = compare.wide(summary, d)
        print()
        _print_columns([[f"day {d:g}", *labels], *([m, *table.loc[m]] for m in table.index)])
    print(
        f"\ncells: mean [95% t-interval of the mean over {len(seeds)} seeds (Student t, "
        f"{len(seeds) - 1} df), not clipped\nto a metric's range]; a lone number where the "
        "interval rounds to it; each run's recorded\ntime nearest the day"
    )
    meta = {
        "label": ILLUSTRATIVE_LABEL,
        "command": "compare",
        "scenarios": [
            {"arm": lab, "file": str(p), "name": s.name, "digest": s.digest()}
            for lab, p, s in zip(labels, paths, scenarios, strict=True)
        ],
        "seeds": seeds,
        "root_seed": args.root_seed,
        "days": days,
        "nervesim_version": __version__,
    }
    out = write_parquet(frame, Path(args.out) / "compare.parquet", meta)
    print(f"replicates written to {out}")
    if args.plot is not None:
        from simulation.sweeps.plots import plot_arms

        figure = plot_arms(frame, args.plot, title=" vs ".join(labels))
        print(f"figure written to {figure}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from simulation.runs import compare
    from simulation.runs.runner import spawn_seeds
    from simulation.validation.checks import measure, run_arms
    from simulation.validation.trends import ALL_TRENDS

    trends = list(ALL_TRENDS)
    if args.only is not None:
        keys = [k.strip() for k in args.only.split(",") if k.strip()]
        known = [t.key for t in trends]
        unknown = [k for k in keys if k not in known]
        if unknown or not keys:
            what = f"unknown trend key {unknown[0]!r}" if unknown else "no trend key given"
            raise ValueError(f"--only: {what} (known: {', '.join(known)})")
        trends = [t for t in trends if t.key in keys]
    seeds = spawn_seeds(0, args.seeds)
    arms = list(dict.fromkeys(a for t in trends for a in t.arms))

    _label()
    print(
        f"checking {len(trends)} trend{'s' * (len(trends) != 1)} over {len(seeds)} seeds "
        f"({len(arms)} arm{'s' * (len(arms) != 1)}):"
    )
    with tqdm(total=len(arms) * len(seeds), desc="validate", unit="run", disable=args.quiet) as bar:
        runs = run_arms(arms, seeds, args.workers or _default_workers(), progress=bar.update)
    results = measure(trends, runs)
    rows = [["trend", "result", "mean effect [95% CI]", "needs >", "units"]]
    notes = []
    for r in results:
        lo, hi = r.ci95
        arms_text = ", ".join(f"{a.label} {a.days:g} d" for a in r.trend.arms)
        rows.append(
            [
                r.trend.key,
                "PASS" if r.passed else "FAIL",
                compare.format_estimate(r.mean, lo, hi),
                compare.compact(r.trend.margin),
                r.trend.units,
            ]
        )
        notes.append(f"{r.trend.statement} [arms: {arms_text}]")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i:
            print(f"    {notes[i - 1]}")
    print(
        f"\n95% CI of the mean effect over {len(seeds)} seeds (normal approximation);\n"
        "a trend holds when its mean exceeds the margin and the interval's low end is above 0"
    )
    held = sum(r.passed for r in results)
    print(f"{held} of {len(results)} trends hold")
    return 0 if held == len(results) else 1


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def _default_sweep_out(path: Path) -> Path:
    return Path("results") / path.stem


def _sweep_executor(args: argparse.Namespace):
    """The executor the sweep flags ask for, and whether the command must close it."""
    from simulation.runs.pool import dask_client, local_pool

    if args.scheduler is not None:
        if args.workers is not None:
            raise ValueError("--workers: not used with --scheduler (the cluster has its workers)")
        return dask_client(scheduler=args.scheduler)
    workers = args.workers or _default_workers()
    if args.dask_local:
        return dask_client(workers=workers)
    return local_pool(workers)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from simulation.runs.pool import close_executor, describe
    from simulation.sweeps.spec import load_sweep
    from simulation.sweeps.sweep import execute, pending_runs, prepare

    sweep = load_sweep(args.sweep)
    out = Path(args.out) if args.out else _default_sweep_out(sweep.path)
    manifest = prepare(sweep, out)
    todo = len(pending_runs(manifest, out))
    total = len(manifest["runs"])
    executor = _sweep_executor(args) if todo else None
    try:
        _label()
        spec = sweep.spec
        print(
            f"sweep {spec.name}: {spec.design} design, {len(manifest['points'])} points x "
            f"{spec.replicates} replicate{'s' * (spec.replicates != 1)} = {total} runs of "
            f"{sweep.run_days:g} day{'s' * (sweep.run_days != 1)} of {sweep.base.name}"
        )
        for prm in sweep.parameters:
            if prm.spec.values is not None:
                what = ", ".join(map(str, prm.spec.values))
            else:
                what = f"[{prm.spec.lo:g}, {prm.spec.hi:g}] {prm.spec.distribution}"
            units = {"1": "", "choice": "", "on/off": ""}.get(prm.units, prm.units)
            print(f"  {prm.key}: {what} {units}".rstrip())
        if executor is not None:
            where = describe(executor)
            print(
                f"{total - todo} of {total} runs already done; {todo} to run on {where}; out {out}"
            )
        else:
            print(f"all {total} runs already done; out {out}")
        failed = 0
        with tqdm(
            total=total, initial=total - todo, desc="sweep", unit="run", disable=args.quiet
        ) as bar:

            def tick(result: dict) -> None:
                nonlocal failed
                failed += not result.get("ok")
                if failed:
                    bar.set_postfix(failed=failed, refresh=False)
                bar.update()

            try:
                summary = execute(sweep, out, executor=executor, progress=tick)
            except KeyboardInterrupt:
                bar.close()
                print("interrupted: re-run the same command to resume (finished runs are kept)")
                return 130
    finally:
        if executor is not None:
            close_executor(executor)
    done = summary.skipped + summary.done
    print(
        f"{done} of {total} runs done ({summary.done} now, {summary.skipped} before), "
        f"{len(summary.failed)} failed, in {_duration(summary.seconds)}"
    )
    if summary.failed:
        for run_id, error in summary.errors.items():
            print(f"  failed {run_id}: {error}")
        print(f"failed runs are in {out / 'failed'}; re-run the same command to try them again")
    print(
        f"results: {out / 'parts'} (simulation.sweeps.sweep.load_results('{out}') or "
        f"pandas.read_parquet('{out / 'parts'}'))"
    )
    return 1 if summary.failed else 0


def _sweep_folder(target: str, out: str | None) -> Path:
    """The results folder of a sweep folder, or of a sweep file (checked against it)."""
    from simulation.sweeps.spec import load_sweep
    from simulation.sweeps.sweep import load_manifest

    path = Path(target)
    if path.is_dir():
        if out is not None:
            raise ValueError("--out: only with a sweep file (the folder is given)")
        return path
    if not path.is_file():
        raise ValueError(f"{path}: no such sweep folder or file")
    sweep = load_sweep(path)
    folder = Path(out) if out else _default_sweep_out(sweep.path)
    manifest = load_manifest(folder)
    if manifest.get("digest") != sweep.digest():
        raise ValueError(f"{folder}: holds a different sweep than {path} (give its folder)")
    return folder


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from simulation.sweeps.sensitivity import analyze, format_table

    _check_figure_path(args.plot)
    folder = _sweep_folder(args.sweep, args.out)
    result = analyze(folder, args.metric, args.day)
    _label()
    total = len(result.points) + result.missing_points
    missing = f" ({result.missing_points} without results)" if result.missing_points else ""
    print(
        f"sweep {result.sweep}: {result.design} design, {total} points{missing}; "
        f"{result.method} sensitivity of {result.metric} on day {result.day:g} "
        f"(mean over replicates):"
    )
    _print_columns(format_table(result), "  ")
    notes = {
        "Sobol": "S1: share of the variance due to the parameter alone; ST: with all its "
        "interactions\n(*_conf: half-width of the 95% bootstrap interval); ST near 0: no effect",
        "Morris": "mu_star: mean absolute elementary effect over the unit-scaled range "
        "(*_conf: 95% half-width);\nsigma: its spread (non-linearity or interactions)",
        "RBD-FAST": "S1: first-order share of the variance (*_conf: 95% half-width); "
        "spearman_rho: rank correlation",
        "main effect": "main_effect: share of the variance explained by the parameter's level "
        "means",
    }
    print(notes[result.method])
    shares = [c for c in ("S1", "ST") if c in result.table.columns]
    if shares and (
        (result.table[shares] > 1).any().any() or (result.table[shares] < 0).any().any()
    ):
        print(
            "note: shares above 1 or below 0 are estimation noise of a small design; read the "
            "ranking and the intervals\n(more samples narrow them)"
        )
    if args.plot is not None:
        from simulation.sweeps.plots import plot_sensitivity

        print(f"figure written to {plot_sensitivity(result, args.plot)}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} must be >= 0")
    return value


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < value <= 365:
        raise argparse.ArgumentTypeError(f"{value} days is outside (0, 365]")
    return value


def _int_at_least(lo: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``lo``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < lo:
            raise argparse.ArgumentTypeError(f"{value} must be >= {lo}")
        return value

    return parse


def _day_list(text: str) -> tuple[float, ...]:
    days = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not a number of days") from None
        if not 0 <= value <= 365:
            raise argparse.ArgumentTypeError(f"{value:g} days is outside [0, 365]")
        days.append(value)
    return tuple(days)


def _day_list_one(text: str) -> float:
    """An argparse type: one day in [0, 365]."""
    days = _day_list(text)
    if len(days) != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give one day")
    return days[0]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nervesim`` command."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog="nervesim",
        description=f"NerveSim {__version__}: agent-based nerve repair.\n{ILLUSTRATIVE_LABEL}",
        epilog="examples:\n  nervesim run scenarios/spinal_cord_untreated.toml --seed 3\n"
        "  nervesim compare scenarios/spinal_cord_untreated.toml scenarios/spinal_cord_ev.toml\n"
        "  nervesim validate --only neutrophils_first\n"
        "  nervesim sweep scenarios/sweeps/toy_sobol.toml --workers 2\n"
        "  nervesim sensitivity results/toy_sobol --metric macrophages_m1_count --plot s.png\n"
        "  nervesim show-params --filter macrophage",
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"nervesim {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    p = sub.add_parser(
        "run",
        help="run scenarios (one seed, or replicates) and print their trend tables",
        description="Run scenario files and print the main metrics at days "
        f"{', '.join(map(str, TABLE_DAYS))} and the last day.\n"
        "With one file and --seed S (default 0): one run, its time series written as "
        "OUT/<name>_seed<S>.parquet.\n"
        "With --seeds N: N replicates of each file (seeds from SeedSequence(0).spawn(N), the "
        "same for every file),\nrun in a process pool; each cell is mean [95% interval over "
        "seeds]; every replicate written\nto OUT/<name>_seeds<N>.parquet (a seed column). "
        "Several files without --seeds: one run each.",
        epilog="example:\n  nervesim run scenarios/peripheral_crush_untreated.toml --seed 7 "
        "--out results/\n  nervesim run scenarios/spinal_cord_untreated.toml "
        "scenarios/spinal_cord_ev.toml --seeds 4 --days 28",
        formatter_class=fmt,
    )
    p.add_argument("scenario", nargs="+", help="scenario TOML file(s) (see scenarios/)")
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=_positive_int, default=None, help="random seed (default 0)")
    seeds.add_argument(
        "--seeds",
        type=_int_at_least(1),
        default=None,
        help="replicates per scenario, with mean and 95%% interval over them",
    )
    p.add_argument(
        "--days",
        type=_days,
        default=None,
        help="simulate this many days instead of the scenario's duration",
    )
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        help="worker processes for several runs (default min(2, CPUs))",
    )
    p.add_argument(
        "--out", default="results", help="folder for the Parquet files (default results/)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "show-params",
        help="list every parameter with units, default, range and description",
        description="Every tunable number of a scenario: dotted key, default, units, allowed "
        "range, and what it means.",
        epilog="example:\n  nervesim show-params --filter growth_cone",
        formatter_class=fmt,
    )
    p.add_argument("--filter", default="", help="only keys containing this text")
    p.set_defaults(func=_cmd_show_params)

    p = sub.add_parser(
        "demo",
        help="show the field engine: NGF from a stump, cytokine from a lesion",
        description="Diffuse NGF supplied at a nerve stump and cytokine secreted at a lesion on "
        "a 200x60 grid of 20 µm voxels; print the fields every 12 h.",
        epilog="example:\n  nervesim demo --hours 48",
        formatter_class=fmt,
    )
    p.add_argument("--hours", type=int, default=48, help="hours to simulate (default 48)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser(
        "list",
        help="list the scenario files with what each illustrates",
        description="Every scenario file (*.toml) in a folder, by name, with its description;\n"
        "files that do not load are marked invalid with the reason.",
        epilog="example:\n  nervesim list --dir scenarios/",
        formatter_class=fmt,
    )
    p.add_argument("--dir", default=None, help="scenario folder (default: the repo's scenarios/)")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "compare",
        help="run 2-4 scenarios over the same seeds and compare them side by side",
        description="Run 2 to 4 scenarios with the same seeds (derived from --root-seed) and print "
        "the main\nmetrics side by side as mean [95% interval over seeds] at a few days. All "
        "scenarios run\nfor the same number of days: --days, or else the longest duration among "
        "them. Every\nreplicate is written to one tidy Parquet file, OUT/compare.parquet.",
        epilog="example:\n  nervesim compare scenarios/spinal_cord_untreated.toml "
        "scenarios/spinal_cord_ev.toml --seeds 4 --at-days 14,56 --plot spinal_ev.png",
        formatter_class=fmt,
    )
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="2 to 4 scenario TOML files")
    p.add_argument(
        "--seeds", type=_int_at_least(2), default=4, help="runs per scenario (default 4, min 2)"
    )
    p.add_argument(
        "--root-seed", type=_positive_int, default=0, help="root of the run seeds (default 0)"
    )
    p.add_argument(
        "--days",
        type=_days,
        default=None,
        help="simulate this many days (default: the longest duration)",
    )
    p.add_argument(
        "--at-days",
        type=_day_list,
        default=None,
        metavar="D,D,...",
        help="days to show (default: 7, 28 and the last day)",
    )
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument("--out", default="results", help="folder for compare.parquet (default results/)")
    p.add_argument(
        "--plot",
        metavar="FILE.png",
        default=None,
        help="also draw the main metrics over time, one line and 95%% band per arm",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser(
        "validate",
        help="check the qualitative trends the model must show, over many seeds",
        description="Run every arm the trends need once per seed, measure each trend's effect per "
        "seed\nand print whether its mean exceeds the margin with the 95% interval above zero.\n"
        "Exit code 0 when every trend holds, 1 when any fails, 2 for bad input.",
        epilog="example:\n  nervesim validate --only neutrophils_first,scar_plateaus --seeds 10",
        formatter_class=fmt,
    )
    p.add_argument(
        "--seeds",
        type=_int_at_least(3),
        default=20,
        help="seeds per arm (default 20, as the tests: about 6 min on 2 cores)",
    )
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        help="worker processes (default min(2, CPUs))",
    )
    p.add_argument(
        "--only", metavar="KEY,...", default=None, help="only these trend keys (comma-separated)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "sweep",
        help="run a sweep file's design (grid, LHS, Sobol, Morris) on a pool or a Dask cluster",
        description="Run every point of a sweep file's design (see scenarios/sweeps/), each "
        "replicate with its own seed.\nEach run writes its own Parquet part to OUT/parts/; "
        "OUT/manifest.json lists the design.\nRunning the same command again resumes: finished "
        "runs are skipped, failed ones retried.\nRuns go to a local process pool (default), a "
        "new Dask LocalCluster (--dask-local) or\na running Dask scheduler (--scheduler). "
        "Exit code 0 when every run finished, 1 when\nsome failed (OUT/failed/), 2 for bad input.",
        epilog="example:\n  nervesim sweep scenarios/sweeps/toy_sobol.toml --workers 2 "
        "--out results/toy_sobol\n"
        "  nervesim sweep scenarios/sweeps/toy_sobol.toml --scheduler tcp://127.0.0.1:8786",
        formatter_class=fmt,
    )
    p.add_argument("sweep", metavar="SWEEP.toml", help="sweep file (see scenarios/sweeps/)")
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
        default=None,
        help="worker processes of the local pool or LocalCluster (default min(2, CPUs))",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        default=None,
        help="run on the Dask cluster of this scheduler (started with `dask scheduler`)",
    )
    where.add_argument(
        "--dask-local",
        action="store_true",
        help="run on a new Dask LocalCluster of --workers single-threaded processes",
    )
    p.add_argument(
        "--out",
        default=None,
        help="results folder (default results/<sweep file name>); Dask workers must see it",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "sensitivity",
        help="which varied parameters drive a metric (Sobol, Morris, RBD-FAST indices)",
        description="Sensitivity indices of one metric of a finished sweep, by the method its "
        "design calls for:\nSobol S1/ST (sobol), Morris mu*/sigma (morris), RBD-FAST S1 and "
        "Spearman rho (lhs),\nmain-effect variance shares (grid). Replicates are averaged per "
        "point. Prints a table,\nmost influential first; --plot draws the indices and the "
        "metric against each parameter.",
        epilog="example:\n  nervesim sensitivity results/toy_sobol --metric "
        "macrophages_m1_count --day 7 --plot toy_sobol.png",
        formatter_class=fmt,
    )
    p.add_argument(
        "sweep", metavar="SWEEP_DIR_OR_FILE", help="a sweep's results folder, or its sweep file"
    )
    p.add_argument("--metric", required=True, help="a metric the sweep kept")
    p.add_argument(
        "--day", type=_day_list_one, default=None, help="a kept day (default the last one)"
    )
    p.add_argument("--plot", metavar="FILE.png", default=None, help="also draw a figure")
    p.add_argument(
        "--out",
        default=None,
        help="with a sweep file: its results folder (default results/<sweep file name>)",
    )
    p.set_defaults(func=_cmd_sensitivity)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``nervesim`` command; return its exit code (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and bad arguments: return, do not raise
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return args.func(args)
    except ValueError as err:  # ScenarioError and range errors: one line, no traceback
        print(f"nervesim: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        print(f"nervesim: error: {where}{err.strerror or err}", file=sys.stderr)
        return 2
