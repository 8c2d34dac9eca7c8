"""The ODD protocol document is generated from the code and kept true by this test."""

from __future__ import annotations

from pathlib import Path

from simulation import odd
from simulation.cli import main
from simulation.runs.metrics import METRICS
from simulation.scenario.schema import parameter_rows
from simulation.tissue.model import ACTIVATION_ORDER, CHEMICAL_FIELDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "odd.md"


def test_committed_odd_document_is_current() -> None:
    """docs/odd.md equals what the code gives now (else: run `nervesim odd`)."""
    assert DOC.is_file(), f"docs/odd.md is missing: run `{odd.REGENERATE}`"
    assert DOC.read_text(encoding="utf-8") == odd.render(), (
        f"docs/odd.md is stale (the model, schema, metrics or anchors changed): run "
        f"`{odd.REGENERATE}` (or `python -m simulation odd`) and commit the result"
    )


def test_odd_lists_what_the_code_holds() -> None:
    """Every cell type, field, metric and parameter key appears, with the ODD headings."""
    text = odd.render()
    for heading in ("## 1. Overview", "## 2. Design concepts", "## 3. Details", "Submodels"):
        assert heading in text
    for kind in ACTIVATION_ORDER:
        assert f"`{kind.__name__}`" in text
    for name in (*CHEMICAL_FIELDS, *METRICS):
        assert f"`{name}`" in text
    for row in parameter_rows():
        assert f"`{row[0]}`" in text
    assert "not clinically validated" in text


def test_cli_odd_writes_and_checks(tmp_path: Path, capsys) -> None:
    """`nervesim odd --out` writes the document; --check exits 1 on a stale file, 0 after."""
    out = tmp_path / "odd.md"
    out.write_text("old\n", encoding="utf-8")
    assert main(["odd", "--out", str(out), "--check"]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["odd", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == odd.render()
    assert main(["odd", "--out", str(out), "--check"]) == 0
