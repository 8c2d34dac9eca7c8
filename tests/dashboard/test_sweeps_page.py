"""The Sweeps page on a small sweep made here through the sweep API."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulation.validation.checks import SCENARIO_DIR

sweep_api = pytest.importorskip(
    "simulation.sweeps.sweep",
    reason="simulation.sweeps.sweep (batch sweeps) is not in this tree yet",
)

SWEEP = """
base = "{base}"
name = "dashboard_test_lhs"
description = "A 6-run Latin hypercube for the dashboard test"
design = "lhs"
samples = 6
replicates = 1
root_seed = 1
days = 2.0

[keep]
metrics = ["neutrophils_count", "inflammation_mean_au"]
days = [1.0, 2.0]

[[parameters]]
key = "neutrophil.lifespan_h"
lo = 10.0
hi = 40.0

[[parameters]]
key = "macrophage.recruit_per_mm2_per_h"
lo = 0.8
hi = 8.0
distribution = "loguniform"
"""


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished 6-run sweep of 2 days (one worker process)."""
    folder = tmp_path_factory.mktemp("sweep")
    spec = folder / "tiny.toml"
    spec.write_text(SWEEP.format(base=SCENARIO_DIR / "peripheral_crush_untreated.toml"))
    sweep_api.sweep(spec, folder / "out", workers=1)
    return folder / "out"


def test_sweeps_page_plots_each_parameter(app: AppTest, sweep_dir: Path) -> None:
    """Opening the folder plots the metric against both parameters and shows the plan."""
    app.switch_page("views/sweeps.py").run()
    app.text_input(key="swp_folder").input(str(sweep_dir)).run()
    assert not app.exception and not app.error
    assert len(app.get("vega_lite_chart")) >= 2
    plan = app.dataframe[0].value
    assert list(plan["setting"]) == ["neutrophil.lifespan_h", "macrophage.recruit_per_mm2_per_h"]
    assert any("Runs done: 6 of 6" in c.value for c in app.caption)
    app.selectbox(key="swp_metric").set_value("inflammation_mean_au").run()
    assert not app.exception


def test_manifest_upload_shows_the_plan(app: AppTest, sweep_dir: Path) -> None:
    """An uploaded manifest.json shows the sweep's plan."""
    app.switch_page("views/sweeps.py").run()
    data = (sweep_dir / "manifest.json").read_bytes()
    app.file_uploader(key="swp_upload").upload("manifest.json", data).run()
    assert not app.exception and not app.error
    assert any("dashboard_test_lhs" in m.value for m in app.markdown)
