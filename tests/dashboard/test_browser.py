"""End to end: `streamlit run` on 127.0.0.1, driven in Debian's Chromium by Playwright."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.common import BANNER
from dashboard.serve import CHROMIUM, CHROMIUM_ARGS, serve

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: Small enough for CI: the default 3 arms, 2 seeds, 28 days.
QUERY = "?seeds=2&days=28"
RUN_TIMEOUT_MS = 300_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's /usr/bin/chromium is not installed (apt-get install -y chromium; "
    ".ci/run installs it)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard served on a free loopback port; terminated afterwards, whatever happens."""
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        with serve(log) as url:
            yield url
    except RuntimeError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="module")
def page(server: str) -> Iterator:
    """A Chromium page (tall, as Streamlit scrolls an inner container)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 3000})
        finally:
            browser.close()


def shot(page, name: str) -> None:
    """Save a screenshot artifact for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_compare_runs_and_draws_charts(server: str, page) -> None:
    """The default comparison runs in the browser: banner, sentences and rendered charts."""
    page.goto(f"{server}/{QUERY}")
    page.get_by_text("from the cache) in").wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text(BANNER).first.is_visible()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(3).wait_for(timeout=60_000)  # the text can paint before vega mounts on a busy CPU
    assert charts.count() >= 4
    for k in range(charts.count()):  # vega drew something: a canvas or svg with a size
        drawn = charts.nth(k).locator("canvas, svg").first
        drawn.wait_for(timeout=30_000)
        box = drawn.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
    assert page.get_by_text("What the runs show at day 28").is_visible()
    assert page.get_by_text("95 % CI").first.is_visible()
    time.sleep(1.0)  # let the charts finish their first paint
    shot(page, "compare")


def test_compare_with_parameter_uncertainty_in_the_browser(server: str, page) -> None:
    """The 'Include parameter uncertainty' box: tick it, run, and the caption says the bands
    now show chance and parameter uncertainty."""
    page.goto(f"{server}/{QUERY}")
    page.get_by_text("from the cache) in").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_text("Root seed and parameter uncertainty").click()
    page.get_by_text("Include parameter uncertainty").click()
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_text("differ by chance and parameter uncertainty").wait_for(timeout=RUN_TIMEOUT_MS)
    page.get_by_text("from the cache) in").wait_for(timeout=RUN_TIMEOUT_MS)
    time.sleep(1.0)
    shot(page, "compare_uncertainty")


def test_tissue_day_slider_moves(server: str, page) -> None:
    """Tissue shows two maps; the keyboard moves the day slider to an earlier snapshot."""
    page.goto(f"{server}/tissue{QUERY}")
    page.get_by_text("Cells at day 28").wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text(BANNER).first.is_visible()
    maps = page.locator("[data-testid='stVegaLiteChart']")
    maps.nth(1).wait_for(timeout=60_000)  # the text can paint before vega mounts on a busy CPU
    assert maps.count() == 2
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowLeft")
    page.get_by_text("Cells at day 21").wait_for(timeout=60_000)
    time.sleep(1.0)
    shot(page, "tissue")


def test_learn_button_loads_compare(server: str, page) -> None:
    """A 'Try it in Compare' button on Learn opens Compare with that comparison."""
    page.goto(f"{server}/learn{QUERY}")
    page.get_by_role("tab", name="Therapies").click()
    page.get_by_role("button", name="Try it in Compare").first.click()
    page.get_by_text("Loaded from Learn: Transplant on day 1 instead of day 21").wait_for(
        timeout=60_000
    )
    page.get_by_text("from the cache) in").wait_for(timeout=RUN_TIMEOUT_MS)
    assert page.get_by_text("transplant day 1").first.is_visible()
    shot(page, "learn_to_compare")


def test_evidence_page_checks_anchors_in_the_browser(server: str, page) -> None:
    """Evidence in Chromium: 2 seeds, the button, then the counts, the misses and a figure."""
    page.goto(f"{server}/evidence{QUERY}")
    page.get_by_text(BANNER).first.wait_for(timeout=60_000)
    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(4):  # 6 -> 2 seeds
        slider.press("ArrowLeft")
    page.get_by_role("button", name="Check the anchors").click()
    page.get_by_text("Every anchor (2 seeds)").wait_for(timeout=RUN_TIMEOUT_MS)
    # Streamlit paints a rerun's elements one by one: wait for the counts too.
    page.get_by_test_id("stMetric").first.wait_for(state="visible", timeout=60_000)
    assert "Anchors met" in page.get_by_test_id("stMetric").first.inner_text()
    page.locator("[data-testid='stExpander']").first.click()
    page.locator("[data-testid='stImage'] img, [data-testid='stPyplot'] img").first.wait_for(
        timeout=60_000
    )
    page.get_by_text("Calibration: how sure are the parameters?").wait_for(timeout=60_000)
    page.locator("[data-testid='stImage'] img").last.wait_for(timeout=60_000)
    time.sleep(1.0)
    shot(page, "evidence")


@pytest.mark.skipif(os.environ.get("NERVESIM_SHOTS") is None, reason="set NERVESIM_SHOTS=1")
def test_screenshots_of_every_page(server: str, page) -> None:
    """By hand: screenshots of Learn, Cohort and Sweeps too."""
    for name in ("learn", "cohort", "sweeps"):
        page.goto(f"{server}/{name}{QUERY}")
        page.get_by_text(BANNER).first.wait_for(timeout=60_000)
        time.sleep(2.0)
        shot(page, name)
