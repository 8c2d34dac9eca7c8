"""The ``nervesim`` command."""

from simulation.cli.main import main

__all__ = ["main"]
