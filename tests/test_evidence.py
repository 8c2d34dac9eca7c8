"""Evidence: the anchors load, each statistic gives the known answer on made-up series, bad
anchor files are one line, and ``nervesim evidence`` reports with citations."""

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulation.cli import main
from simulation.evidence import statistics
from simulation.evidence.anchors import AnchorError, all_anchors, load_anchor_file
from simulation.evidence.check import AnchorResult

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "REFERENCE.md"


def _series(days, **columns):
    return pd.DataFrame({"day": np.asarray(days, dtype=float), **columns})


DAYS = np.arange(0, 57, 0.5)
#: A pulse peaking at day 7 that decays, and a saturating rise to 1 by ~day 20.
PULSE = np.exp(-((DAYS - 7.0) ** 2) / 8.0)
RISE = 1.0 - np.exp(-DAYS / 5.0)


def test_every_anchor_file_loads_with_unique_ids_and_a_citation():
    """All anchor files validate; ids are unique; each has a citation; encodable ones name arms."""
    anchors = all_anchors()
    assert len({a.id for a in anchors}) == len(anchors) >= 20
    for a in anchors:
        assert a.citation and a.species and a.measure
        assert a.encodable == bool(a.arms)


def test_every_reference_anchor_is_listed():
    """Each anchor id of shared/REFERENCE.md has an anchor here (the id or id.part / id_part),
    encoded or listed with the reason it cannot be yet."""
    if not REFERENCE.is_file():
        pytest.skip("shared/REFERENCE.md is not beside the checkout")
    text = REFERENCE.read_text(encoding="utf-8")
    reference = re.findall(r"^\| ([a-z]+\.[a-z_0-9]+) \|", text, flags=re.M)
    ids = [a.id for a in all_anchors()]
    assert len(reference) >= 20
    for r in reference:
        assert any(i == r or i.startswith((f"{r}.", f"{r}_")) for i in ids), r


@pytest.mark.parametrize(
    ("kind", "runs", "params", "expected"),
    [
        ("peak_day", [_series(DAYS, a=PULSE)], {"metric": ["a"], "window": [0, 56]}, 7.0),
        ("peak_day", [_series(DAYS, a=PULSE)], {"metric": ["a"], "window": [10, 56]}, 10.0),
        (
            "fraction_of_peak",
            [_series(DAYS, a=PULSE)],
            {"metric": ["a"], "day": 9.0, "window": [0, 56]},
            math.exp(-0.5),
        ),
        (
            "ratio_of_days",
            [_series(DAYS, a=RISE)],
            {"metric": ["a"], "day": 5.0, "reference_day": 50.0},
            (1 - math.exp(-1)) / (1 - math.exp(-10)),
        ),
        (
            "ratio_change",
            [_series(DAYS, m1=1.0 + DAYS, m2=np.full_like(DAYS, 2.0))],
            {"numerator": ["m1"], "denominator": ["m2"], "day": 21.0, "reference_day": 5.0},
            22.0 / 6.0,
        ),
        (
            "arm_ratio",
            [_series(DAYS, a=np.full_like(DAYS, 2.0)), _series(DAYS, a=np.full_like(DAYS, 3.0))],
            {"metric": ["a"], "window": [1, 56]},
            1.5,
        ),
        (
            "rate_mm_per_day",
            [_series(DAYS, a=1500.0 * DAYS)],
            {"metric": ["a"], "from_day": 4.0, "to_day": 10.0},
            1.5,
        ),
        ("value_at_day", [_series(DAYS, a=RISE)], {"metric": ["a"], "day": 20.2}, 1 - math.exp(-4)),
        (
            "half_life_days",
            [_series(DAYS, a=np.where(DAYS < 2, 0.0, 0.5 ** ((DAYS - 2) / 1.5)))],
            {"metric": ["a"], "after_day": 0.0},
            1.5,
        ),
        (
            "peak_day",
            [_series(DAYS, a=PULSE, b=np.where(DAYS == 30, 5.0, 0.0))],
            {"metric": ["a", "b"], "window": [0, 56]},
            30.0,
        ),
    ],
)
def test_each_statistic_gives_the_known_answer(kind, runs, params, expected):
    """Analytic series: the statistic equals its closed form (to the record spacing)."""
    assert statistics.compute(kind, runs, params) == pytest.approx(expected, rel=1e-9)


def test_a_level_that_never_halves_has_no_half_life():
    """A rising series gives nan, and an anchor with a nan seed is missed, not passed."""
    value = statistics.compute(
        "half_life_days", [_series(DAYS, a=RISE)], {"metric": ["a"], "after_day": 0}
    )
    assert math.isnan(value)
    anchor = next(a for a in all_anchors() if a.id == "ev.pk_local")
    assert not AnchorResult(anchor, np.array([0.5, value])).passed
    assert AnchorResult(anchor, np.array([0.5, 0.6])).passed


def test_direction_anchors_need_the_whole_interval_beyond_one():
    """interval_inside: a mean above 1 is not enough when the interval reaches below it."""
    anchor = next(a for a in all_anchors() if a.id == "ev.konkuk.survival")
    assert AnchorResult(anchor, np.array([1.05, 1.06, 1.07, 1.08])).passed
    assert not AnchorResult(anchor, np.array([0.9, 1.3, 0.95, 1.2])).passed


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("[[anchor]]\nid = 'x.y'\n", "statement"),
        ("[[anchor]]\nid = 'x.y'\nstatement='s'\ncitation='c'\nspecies='r'\nmeasure='m'\n"
         "arms=[{scenario='spinal_cord_untreated.toml', days=5}]\n"
         "statistic={kind='nope'}\nlow=1\n", "statistic.kind"),
        ("[[anchor]]\nid = 'x.y'\nstatement='s'\ncitation='c'\nspecies='r'\nmeasure='m'\n"
         "arms=[{scenario='missing.toml', days=5}]\nstatistic={kind='value_at_day'}\nlow=1\n",
         "missing.toml"),
        ("[[anchor]]\nid = 'x.y'\nstatement='s'\ncitation='c'\nspecies='r'\nmeasure='m'\n"
         "arms=[{scenario='spinal_cord_untreated.toml', days=5}]\n"
         "statistic={kind='value_at_day'}\nlow=2\nhigh=1\n", "empty"),
        ("[[anchor]]\nid = 'x.y'\nstatement='s'\ncitation='c'\nspecies='r'\nmeasure='m'\n"
         "encodable=false\n", "reason"),
        ("[[anchor]]\nid = 'x.y'\nstatment='typo'\n", "statment"),
        ("[anchor]\nid='x'\n", "[[anchor]]"),
        ("not toml [", "Expected"),
    ],
)  # fmt: skip
def test_bad_anchor_files_are_one_line_naming_file_and_key(tmp_path, body, says):
    """Each malformed anchor file raises one line naming the file and what is wrong."""
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(AnchorError) as err:
        load_anchor_file(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and says in message


def test_cli_reports_anchors_with_citations_and_draws_them(tmp_path, capsys):
    """Two anchors over 2 seeds: the table, the citation, the verdict count and the figures."""
    code = main(
        ["evidence", "--only", "sci.neutrophil_fall,pni.muscle_atrophy", "--seeds", "2",
         "--workers", "1", "--quiet", "--plot", str(tmp_path / "fig")]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code in (0, 1)
    assert "not clinically validated" in out.lower() or "ILLUSTRATIVE" in out
    assert "Hellenbrand et al. 2021" in out and "of 2 encodable anchors met" in out
    assert sorted(p.name for p in (tmp_path / "fig").iterdir()) == [
        "pni.muscle_atrophy.png",
        "sci.neutrophil_fall.png",
        "summary.png",
    ]


def test_cli_unknown_anchor_is_one_line_exit_2(capsys):
    """--only with an unknown id: exit 2 and one line naming it."""
    assert main(["evidence", "--only", "sci.nope", "--seeds", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "sci.nope" in err


def test_the_help_example_names_real_anchors(capsys):
    """The ids in ``nervesim evidence --help``'s example are anchors of the files."""
    assert main(["evidence", "--help"]) == 0
    text = capsys.readouterr().out
    named = re.findall(r"--only ([a-z][a-z0-9_.]*(?:,[a-z][a-z0-9_.]*)*)", text)
    ids = {a.id for a in all_anchors()}
    assert named and all(i in ids for group in named for i in group.split(","))


def test_the_table_names_the_anchors_the_library_was_fitted_to():
    """Anchors targeted by the library's calibration are marked 'fitted by' it; the others are
    independent checks (blank)."""
    import tomllib

    from simulation.evidence.anchors import all_anchors
    from simulation.evidence.check import table
    from simulation.validation.checks import SCENARIO_DIR

    text = (SCENARIO_DIR / "calibrations" / "untreated_default.toml").read_text(encoding="utf-8")
    targets = set(tomllib.loads(text)["targets"])
    anchors = {a.id: a for a in all_anchors()}
    frame = table([], list(anchors.values())).set_index("anchor")
    for anchor_id, row in frame.iterrows():
        by_hand = anchors[anchor_id].fitted_by_hand
        expected = [*(["untreated_default"] if anchor_id in targets else []),
                    *(["by hand: " + ", ".join(by_hand)] if by_hand else [])]  # fmt: skip
        assert row["fitted by"] == "; ".join(expected)


def test_parameters_fitted_by_hand_are_named_and_exist():
    """An anchor met by placing parameters by hand names them, and they are real keys."""
    from simulation.evidence.anchors import all_anchors
    from simulation.scenario.schema import parameter_info

    by_hand = {a.id: a.fitted_by_hand for a in all_anchors() if a.fitted_by_hand}
    assert set(by_hand) == {"sci.bbb_mild", "sci.bbb_moderate", "sci.bbb_severe",
                            "sci.natural_conversion", "msc.neuropathy_case.baseline",
                            "msc.iv.lungs", "msc.iv.gone"}  # fmt: skip
    for keys in by_hand.values():
        for key in keys:
            assert parameter_info(key)[1] is not None, key
