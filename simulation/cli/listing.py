"""``nervesim list``: the scenario files of a folder with what each illustrates."""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.cli.common import one_line, print_label


def add_parser(sub: argparse._SubParsersAction, fmt: type[argparse.HelpFormatter]) -> None:
    """Add ``list`` to the subcommands ``sub``."""
    p = sub.add_parser(
        "list",
        help="list the scenario files with what each illustrates",
        description="Every scenario file (*.toml) in a folder, by name, with its description;\n"
        "files that do not load are marked invalid with the reason.",
        epilog="example:\n  nervesim list --dir scenarios/",
        formatter_class=fmt,
    )
    p.add_argument("--dir", default=None, help="scenario folder (default: the repo's scenarios/)")
    p.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Run ``nervesim list`` with the parsed ``args``; return its exit code."""
    from simulation.scenario.schema import load_scenario

    if args.dir is None:
        from simulation.validation import checks as validation

        folder = validation.SCENARIO_DIR
    else:
        folder = Path(args.dir)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    files = sorted(folder.glob("*.toml"), key=lambda p: p.name)
    print_label()
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
            text = f"(invalid: {one_line(err, path)})"
        rows.append((path.name, text))
    width = max(len(name) for name, _ in rows)
    for name, text in rows:
        print(f"  {name.ljust(width)}  {text}")
    return 0
