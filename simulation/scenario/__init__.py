"""Scenarios: the validated schema of every tunable number (units, range, source), TOML I/O with
``base`` inheritance, and the one translator from validation errors to one-line messages."""

from simulation.scenario.schema import Scenario, ScenarioError, load_scenario, loads_scenario

__all__ = ["Scenario", "ScenarioError", "load_scenario", "loads_scenario"]
