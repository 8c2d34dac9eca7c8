"""'Include parameter uncertainty': virtual animals that also draw their parameters.

The library's default calibration (``benchmarks/results/calibration-default``, made by
``nervesim calibrate scenarios/calibrations/untreated_default.toml``) leaves a posterior: the
parameter values that let the model meet the published anchors, weighted by how well. With
the option on, the virtual animal of each seed draws one of them
(:meth:`simulation.calibration.posterior.Posterior.draw`), the same in every arm, so the
spread of the runs shows chance *and* what the anchors leave uncertain.
"""

from __future__ import annotations

import streamlit as st

from simulation.calibration.posterior import DEFAULT_POSTERIOR_DIR, Posterior, load_posterior
from simulation.scenario.schema import Scenario

#: What the option means, in one paragraph a student can read.
EXPLAIN = (
    "Without it, the virtual animals differ only by chance: every one runs the library's "
    "parameter values. With it, each animal also draws its parameter values from what the "
    "calibration against the published anchors allows (the posterior), so the bands also show "
    "how uncertain those values are. Arms compared seed by seed share each animal's draw, so a "
    "difference between them is still the therapy's."
)


@st.cache_resource(show_spinner=False)
def library_posterior() -> Posterior | None:
    """The default calibration's posterior, or None when it is not in this checkout."""
    try:
        return load_posterior(DEFAULT_POSTERIOR_DIR)
    except ValueError:
        return None


def toggle(key: str, container=st) -> bool:
    """The checkbox; off (and disabled) when the posterior is missing."""
    posterior = library_posterior()
    help_text = EXPLAIN
    if posterior is not None:
        help_text += f" Parameters drawn: {', '.join(f'`{k}`' for k in posterior.keys)}."
    return bool(
        container.checkbox(
            "Include parameter uncertainty",
            key=key,
            disabled=posterior is None,
            help=help_text if posterior is not None else "No calibration posterior found.",
        )
    )


def for_seed(scenario: Scenario, seed: int, include: bool) -> Scenario:
    """``scenario`` as the virtual animal of ``seed`` runs it."""
    posterior = library_posterior() if include else None
    if posterior is None:
        return scenario
    from simulation.calibration.posterior import apply_draw

    return apply_draw(scenario, posterior.draw(seed))
