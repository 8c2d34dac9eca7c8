"""Fixtures for the dashboard tests: the app under AppTest, with small settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
#: Generous: the first run starts the worker processes, and the machine may be shared.
TIMEOUT = 240


def make_app(seeds: int = 2, days: int = 7) -> AppTest:
    """The dashboard under AppTest, starting Compare with few seeds and days."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["seeds"] = str(seeds)
    at.query_params["days"] = str(days)
    return at


@pytest.fixture
def app() -> AppTest:
    """The dashboard, run once (Compare, 2 seeds x 7 days)."""
    at = make_app()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
