"""Fuzz the scenario loader: hostile files in, one clean line (or a scenario) out, never a hang.

Writes ``--files`` hostile scenario files, deterministically from ``--seed``: the pathological
ones of :func:`tests.hostile_files.extreme_cases` (nesting 1000 deep, a 200 kB dotted key, a
chain of 1000 ``base`` files, a symlink loop, 1 MB, binary, ...) and random mutations of the
library's scenarios (:func:`tests.hostile_files.mutate`, as the property test). Each is loaded
in this process under a per-file timeout (``SIGALRM``), and ``--subprocess`` of them (the
pathological ones first) through ``python -m simulation run FILE --days 0.1``. Every outcome is
counted as accepted, a clean one-line error, a traceback (any other exception, or stderr that
is not one ``nervesim:`` line) or a hang (over the timeout), with the longest message and the
slowest file. Target: 0 tracebacks and 0 hangs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import _util
from simulation.scenario.schema import Scenario, ScenarioError, load_scenario
from tests.hostile_files import ROOT, copy_library, extreme_cases, mutate

RESULTS = Path(__file__).resolve().parent / "results"
#: A clean message is one line of at most this many characters (the loader's cap is 500).
MAX_CLEAN_CHARS = 500
#: Longest stderr text kept for a failure in the JSON, characters.
KEPT_CHARS = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``fuzz`` benchmark's options."""
    parser.add_argument("--files", type=int, default=1000, help="hostile files (default 1000)")
    parser.add_argument(
        "--subprocess",
        type=int,
        default=100,
        help="of them, how many also go through `python -m simulation run` (default 100)",
    )
    parser.add_argument("--seed", type=int, default=15, help="seed of the mutations (default 15)")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds per file in process (default 10)"
    )
    parser.add_argument(
        "--subprocess-timeout",
        type=float,
        default=120.0,
        help="seconds per `nervesim run` (default 120)",
    )


class _HangError(Exception):
    """The per-file alarm went off."""


def _alarm(signum: int, frame: Any) -> None:
    raise _HangError


def _load(path: Path, timeout: float) -> tuple[str, str, float]:
    """(outcome, message, seconds) of loading ``path`` in process."""
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        accepted = isinstance(load_scenario(path), Scenario)
        outcome, message = ("accepted" if accepted else "traceback"), ""
    except _HangError:
        outcome, message = "hang", f"over {timeout:g} s"
    except ScenarioError as exc:
        message = str(exc)
        clean = "\n" not in message and len(message) <= MAX_CLEAN_CHARS
        outcome = "clean" if clean else "traceback"
    except Exception as exc:  # what the fuzz hunts for
        outcome, message = "traceback", f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return outcome, message, time.perf_counter() - start


def _run(path: Path, out: Path, timeout: float) -> tuple[str, str, float]:
    """(outcome, stderr, seconds) of ``python -m simulation run path --days 0.1``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    argv = [sys.executable, "-m", "simulation", "run", str(path), "--days", "0.1", "--quiet"]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [*argv, "--out", str(out)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "hang", f"over {timeout:g} s", time.perf_counter() - start
    seconds = time.perf_counter() - start
    err = proc.stderr.strip()
    if proc.returncode == 0:
        return ("accepted" if not err else "traceback"), err, seconds
    lines = err.splitlines()
    clean = (
        proc.returncode in (1, 2)
        and len(lines) == 1
        and lines[0].startswith("nervesim")
        and len(lines[0]) <= MAX_CLEAN_CHARS
    )
    return ("clean" if clean else "traceback"), err, seconds


def _tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {k: sum(r["outcome"] == k for r in rows) for k in ("accepted", "clean", "traceback")}
    counts["hang"] = sum(r["outcome"] == "hang" for r in rows)
    errors = [r for r in rows if r["outcome"] == "clean"]
    slowest = max(rows, key=lambda r: r["seconds"], default=None)
    return {
        "files": len(rows),
        **counts,
        "max_message_chars": max((len(r["message"]) for r in errors), default=0),
        "max_seconds": _util.sig(slowest["seconds"]) if slowest else None,
        "slowest_file": slowest["file"] if slowest else None,
        "total_seconds": _util.sig(sum(r["seconds"] for r in rows)),
        "failures": [
            {**r, "message": r["message"][:KEPT_CHARS]}
            for r in rows
            if r["outcome"] in ("traceback", "hang")
        ],
    }


def run(args: argparse.Namespace) -> int:
    """Write the hostile files, load each, print the table and write ``results/fuzz.json``."""
    signal.signal(signal.SIGALRM, _alarm)
    _util.emit(f"fuzz: {args.files} hostile files from seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="nervesim-fuzz-") as tmp:
        folder = Path(tmp)
        copy_library(folder)
        files = extreme_cases(folder)[: args.files]
        rng = random.Random(args.seed)
        for k in range(args.files - len(files)):
            path = folder / f"fuzz_{k:04d}.toml"
            path.write_text(mutate(rng), encoding="utf-8")
            files.append(path)
        load_scenario(ROOT / "scenarios" / "spinal_cord_untreated.toml")  # warm imports
        in_process = []
        for path in files:
            outcome, message, seconds = _load(path, args.timeout)
            in_process.append(
                {"file": path.name, "outcome": outcome, "message": message, "seconds": seconds}
            )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        step = max(1, (len(files) - 30) // max(1, args.subprocess - 30))
        chosen = (files[:30] + files[30::step])[: args.subprocess]
        via_cli = []
        for k, path in enumerate(chosen):
            outcome, message, seconds = _run(path, folder / "out", args.subprocess_timeout)
            via_cli.append(
                {"file": path.name, "outcome": outcome, "message": message, "seconds": seconds}
            )
            if (k + 1) % 20 == 0:
                _util.emit(f"  nervesim run: {k + 1} of {len(chosen)} files")
    results = {"in process": _tally(in_process), "nervesim run": _tally(via_cli)}
    table = _util.Table([("", 24, "<"), *((name, 12, ">") for name in results)])
    _util.emit(table.header())
    labels = {
        "files": "files",
        "accepted": "accepted",
        "clean": "clean one-line errors",
        "traceback": "tracebacks",
        "hang": "hangs",
        "max_message_chars": "max message chars",
        "max_seconds": "max s per file",
        "total_seconds": "total s",
    }
    for key, label in labels.items():
        _util.emit(table.row([label, *(results[name][key] for name in results)]))
    for name, tally in results.items():
        _util.emit(f"slowest {name}: {tally['slowest_file']}")
        for failure in tally["failures"][:10]:
            _util.emit(f"  {failure['outcome']}: {failure['file']}: {failure['message'][:200]}")
    _util.emit(f"peak memory of the in-process loads: {peak_mb:.0f} MB")
    _util.write_json(
        RESULTS / "fuzz.json",
        {
            "when": _util.now_iso(),
            "args": {k: v for k, v in vars(args).items() if k != "run"},
            "peak_rss_mb": round(peak_mb),
            "results": results,
        },
    )
    bad = sum(t["traceback"] + t["hang"] for t in results.values())
    return 1 if bad else 0
