"""The dashboard's pure helpers: statistics, arms, uploads, labels, PNG export."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, stats
from dashboard.common import chart_png
from dashboard.library import (
    DEFAULT_ARMS,
    MAX_UPLOAD_BYTES,
    ArmSpec,
    arm_labels,
    base_scenario,
    build_arm,
    header_comments,
    library,
    read_upload,
)
from simulation.runs.compare import summarize
from simulation.scenario.schema import Scenario, ScenarioError


def tidy(values: dict[str, list[float]], days=(0.0, 1.0)) -> pd.DataFrame:
    """A tidy frame: each arm's per-seed value of ``m`` on the last day (0 on day 0)."""
    rows = []
    for arm, per_seed in values.items():
        for seed, v in enumerate(per_seed):
            for d in days:
                rows.append({"day": d, "m": v if d == days[-1] else 0.0, "seed": seed,
                             "scenario": arm})  # fmt: skip
    return pd.DataFrame(rows)


def test_lead_is_paired_by_seed() -> None:
    """The lead's interval is the t-interval of the per-seed differences."""
    frame = tidy({"a": [1.0, 2.0, 3.0], "b": [1.5, 2.4, 3.7]})
    lead = stats.lead(frame, "m", 1.0)
    assert (lead.top, lead.runner_up) == ("b", "a")
    diffs = np.array([0.5, 0.4, 0.7])
    half = 4.30265 * diffs.std(ddof=1) / math.sqrt(3)
    assert lead.diff == pytest.approx(diffs.mean())
    assert (lead.lo, lead.hi) == pytest.approx((diffs.mean() - half, diffs.mean() + half))
    assert "**b** is highest" in lead.sentence() and "95 % CI" in lead.sentence()


def test_lead_says_when_seeds_cannot_separate_arms() -> None:
    """An interval that includes 0 is said in words."""
    frame = tidy({"a": [1.0, 2.0, 3.0], "b": [1.2, 1.9, 3.1]})
    assert "cannot separate them" in stats.lead(frame, "m", 1.0).sentence()


def test_lead_tie() -> None:
    """Identical arms read as the same in every arm."""
    frame = tidy({"a": [0.0, 0.0], "b": [0.0, 0.0]})
    assert "the same in every arm" in stats.lead(frame, "m", 1.0).sentence()


def test_bands_match_compare_summarize() -> None:
    """The chart bands equal simulation.runs.compare.summarize's intervals."""
    frame = tidy({"a": [1.0, 2.0, 4.0], "b": [0.5, 0.9, 1.1]})
    band = stats.bands(frame, ["m"])
    ref = summarize(frame, [1.0], ["m"])
    for arm in ("a", "b"):
        got = band[(band["scenario"] == arm) & (band["day"] == 1.0)].iloc[0]
        want = ref[ref["arm"] == arm].iloc[0]
        assert (got["mean"], got["lo"], got["hi"]) == pytest.approx(
            (want["mean"], want["lo"], want["hi"])
        )
    spread = stats.bands(frame, ["m"], stats.BAND_RANGE)
    row = spread[(spread["scenario"] == "a") & (spread["day"] == 1.0)].iloc[0]
    assert (row["lo"], row["hi"]) == (1.0, 4.0)


def test_binomial_and_wilson() -> None:
    """2 of 4 at a 50 % rate is 37.5 %; 2 of 4 observed fits rates of 15 % to 85 %."""
    pmf = stats.binomial_pmf(4, 0.5)
    assert sum(pmf) == pytest.approx(1.0)
    assert pmf[2] == pytest.approx(0.375)
    assert stats.wilson_interval(2, 4) == pytest.approx((0.150, 0.850), abs=1e-3)
    assert stats.wilson_interval(0, 8)[0] == 0.0


def test_metric_titles() -> None:
    """Units leave the title (they are shown beside it)."""
    assert stats.metric_title("neuron_survival_fraction") == "Neuron survival"
    assert stats.metric_title("macrophages_m2_count") == "Macrophages M2"
    assert stats.metric_title("function_index") == "Function index"
    assert stats.metric_title("sensory_velocity_m_per_s") == "Sensory velocity"
    assert stats.metric_title("cmap_amplitude_percent") == "CMAP amplitude"
    assert stats.metric_title("hba1c_percent") == "HbA1c"
    assert stats.metric_title("dieback_mean_mm") == "Dieback mean"


def test_library_reads_every_scenario_with_its_header() -> None:
    """Every library file loads, with a description and an opening comment."""
    entries = library()
    assert set(DEFAULT_ARMS) <= set(entries)
    assert all(e.description and e.illustrates for e in entries.values())
    assert "Keio" in entries["spinal_cord_ipsc_npc_day21"].source
    assert header_comments("# a\n# Source: b\n#   c\nname = 1") == ("a", "b c")


def test_build_arm_applies_every_edit() -> None:
    """Therapy, severity, mechanisms and other settings reach the scenario."""
    spec = ArmSpec(
        "spinal_cord_ev",
        therapy=((0, "day", 1.0), (0, "doses", 2)),
        mechanisms_off=("ev_anti_inflammatory",),
        extra_toml="macrophage.to_m2_per_h = 0.1",
    )
    sc = build_arm(spec, severity=0.5)
    iv = sc.interventions[0]
    assert (iv.day, iv.doses, sc.injury.severity) == (1.0, 2, 0.5)
    assert sc.mechanisms.ev_anti_inflammatory is False
    assert sc.macrophage.to_m2_per_h == 0.1
    assert build_arm(ArmSpec("spinal_cord_ev")) == build_arm(ArmSpec("spinal_cord_ev"))


def test_build_arm_errors_are_one_line() -> None:
    """Bad edits name the arm and the key."""
    with pytest.raises(ScenarioError, match=r"^x: neuron.count: 0 is out of range"):
        build_arm(ArmSpec("spinal_cord_ev", extra_toml="neuron.count = 0"), where="x")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        build_arm(ArmSpec("spinal_cord_ev", extra_toml="a = ["), where="x")


def test_labels_are_short_and_unique() -> None:
    """Shared group prefixes go; duplicates and edits are marked."""
    specs = [ArmSpec("spinal_cord_ev"), ArmSpec("spinal_cord_ev", mechanisms_off=("ev_x",)),
             ArmSpec("spinal_cord_ev")]  # fmt: skip
    assert arm_labels(specs) == ["EV", "EV *", "EV #2"]
    mixed = arm_labels([ArmSpec("spinal_cord_untreated"), ArmSpec("peripheral_crush_ev_ngf")])
    assert mixed == ["Spinal cord: untreated", "Peripheral: crush EV NGF"]


def test_read_upload_is_toml_only_and_capped() -> None:
    """Uploads: size cap, UTF-8 text, TOML, schema."""
    key, sc = read_upload("a.toml", Scenario(name="mine").to_toml().encode())
    assert (key, sc.name) == ("upload:mine", "mine")
    with pytest.raises(ScenarioError, match="too large"):
        read_upload("a.toml", b" " * (MAX_UPLOAD_BYTES + 1))
    with pytest.raises(ScenarioError, match="not a UTF-8 text file"):
        read_upload("a.toml", b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match="base: not allowed"):
        read_upload("a.toml", b'base = "x.toml"')


def test_chart_png_exports_a_png() -> None:
    """A chart exports as PNG bytes through vl-convert."""
    pytest.importorskip("vl_convert", reason="vl-convert-python is not installed")
    frame = tidy({"a": [1.0, 2.0], "b": [0.5, 1.5]})
    band = stats.bands(frame, ["m"])
    png = chart_png(charts.bands_figure(band, ["m"], ["a", "b"]))
    assert png is not None and png.startswith(b"\x89PNG")


def test_runs_of_one_seed_go_to_a_worker_together_when_seeds_fill_the_pool(monkeypatch) -> None:
    """Two seeds per worker: one task per (seed, horizon), arms in order; fewer: one per run."""
    from dashboard import inflight

    jobs = [inflight.Job(arm, seed, 42.0) for seed in (1, 2, 3, 4) for arm in ("a", "b", "c")]
    monkeypatch.setattr(inflight, "worker_count", lambda: 2)
    assert inflight.groups(jobs) == [jobs[0:3], jobs[3:6], jobs[6:9], jobs[9:12]]
    assert inflight.groups(jobs[:9]) == [[job] for job in jobs[:9]]  # 3 seeds, two workers
    monkeypatch.setattr(inflight, "worker_count", lambda: 0)
    assert inflight.groups(jobs[:6]) == [jobs[:3], jobs[3:6]]


def test_shared_worker_runs_equal_single_runs() -> None:
    """The dashboard worker's shared runs give each arm exactly its single run (short horizon)."""
    from dashboard.worker import simulate, simulate_shared

    tomls = tuple(
        base_scenario(stem).to_toml()
        for stem in ("spinal_cord_untreated", "spinal_cord_ev", "spinal_cord_ipsc_npc_acute")
    )
    shared = simulate_shared(tomls, 5, 4.0)
    for toml, data in zip(tomls, shared, strict=True):
        alone = simulate(toml, 5, 4.0)
        assert data.timeseries.equals(alone.timeseries)
        assert data.metadata == alone.metadata
        assert sorted(data.snapshots) == sorted(alone.snapshots)


def test_runs_started_at_launch_are_the_ones_the_start_page_asks_for() -> None:
    """start_default builds Request(); the page passes the first arm's own severity and float
    days: the same scenarios, so the page claims the runs instead of starting others."""
    from dashboard.comparison import DEFAULT_DAYS, Request, build

    launch = build(Request())
    first = base_scenario(DEFAULT_ARMS[0])
    page = build(Request(severity=float(first.injury.severity), days=float(DEFAULT_DAYS)))
    assert [s.to_toml() for s in launch.values()] == [s.to_toml() for s in page.values()]


def test_a_run_in_flight_is_never_started_twice(monkeypatch) -> None:
    """start() hands back the future already in flight; only new jobs become new tasks."""
    from concurrent.futures import Future

    from dashboard import inflight

    calls: list[tuple] = []

    class Pool:
        def submit(self, fn, *args):
            calls.append(args)
            return Future()

    monkeypatch.setattr(inflight, "get_pool", Pool)
    monkeypatch.setattr(inflight, "worker_count", lambda: 1)
    monkeypatch.setattr(inflight, "_inflight", {})
    jobs = [inflight.Job(arm, seed, 7.0) for seed in (1, 2, 3, 4) for arm in ("a", "b")]
    first = inflight.start(jobs[:4])
    assert [c[:2] for c in calls] == [(("a", "b"), 1), (("a", "b"), 2)]  # a task per seed
    again = inflight.start(jobs)
    assert all(again[job] is first[job] for job in jobs[:4])
    assert [c[1] for c in calls] == [1, 2, 3, 4]  # seeds 3 and 4 only were started anew
    assert again[jobs[4]] is again[jobs[5]] is not again[jobs[6]]
