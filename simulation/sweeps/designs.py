"""Design points of a sweep: full-factorial grids, Latin hypercubes, Sobol and Morris samples.

Samples are drawn in a *sampling space*: the parameter's range, or its log10 for a loguniform
parameter, as SALib's ``problem`` describes it; :func:`sample` returns both the sampling-space
matrix (the sensitivity analysis needs it) and each point's parameter values. The same sweep
file and root seed always give the same points.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from simulation.sweeps.spec import Parameter, Sweep, SweepError


def problem(parameters: tuple[Parameter, ...]) -> dict[str, Any]:
    """SALib's description of the sampling space."""
    return {
        "num_vars": len(parameters),
        "names": [p.key for p in parameters],
        "bounds": [list(p.bounds()) for p in parameters],
    }


def _grid_levels(p: Parameter) -> list[Any]:
    """A grid parameter's values: the listed ones, or ``levels`` evenly over the range."""
    if p.spec.values is not None:
        if p.kind == "float":
            return [float(v) for v in p.spec.values]
        if p.kind == "int":
            return [int(v) for v in p.spec.values]
        return list(p.spec.values)
    lo, hi = p.bounds()
    levels = [p.from_unit(x) for x in np.linspace(lo, hi, int(p.spec.levels or 2)).tolist()]
    if len(set(levels)) != len(levels):
        raise SweepError(
            f"{p.key}: {p.spec.levels} levels over [{p.spec.lo:g}, {p.spec.hi:g}] repeat a "
            "whole number; use fewer levels or list the values"
        )
    return levels


def sample(sweep: Sweep) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """The design's points.

    Returns:
        ``(values, x)``: one ``{key: value}`` per point, in design order, and the points in the
        sampling space (rows are points; ``None`` for grids, which need no sampling space).
    """
    spec = sweep.spec
    params = sweep.parameters
    if spec.design == "grid":
        levels = [_grid_levels(p) for p in params]
        points = [dict(zip(sweep.keys, combo, strict=True)) for combo in itertools.product(*levels)]
        return points, None
    prob = problem(params)
    n = int(spec.samples or 1)
    seed = spec.root_seed
    if spec.design == "lhs":
        from SALib.sample import latin

        x = latin.sample(prob, n, seed=seed)
    elif spec.design == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(prob, n, calc_second_order=spec.second_order, seed=seed)
    else:
        from SALib.sample import morris

        x = morris.sample(prob, n, num_levels=spec.morris_levels, seed=seed)
    x = np.asarray(x, dtype=float)
    points = [
        {p.key: p.from_unit(v) for p, v in zip(params, row, strict=True)} for row in x.tolist()
    ]
    return points, x
