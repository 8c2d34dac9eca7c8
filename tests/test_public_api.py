"""The public API: every advertised name resolves, nothing else does."""

import pytest

import simulation


@pytest.mark.parametrize("name", simulation.__all__)
def test_every_public_name_resolves(name):
    """Each name in ``simulation.__all__`` is importable from the package."""
    assert getattr(simulation, name) is not None


def test_unknown_name_raises_attribute_error():
    """A name outside the public API is an AttributeError, not a silent None."""
    with pytest.raises(AttributeError, match="no attribute 'model_internals'"):
        simulation.model_internals  # noqa: B018
