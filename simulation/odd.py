"""The model describes itself: an ODD protocol document generated from the code.

ODD (Overview, Design concepts, Details) is the standard description of agent-based models
(Grimm et al. 2020, "The ODD protocol for describing agent-based and other simulation models: a
second update to improve clarity, replication, and structural realism", JASSS 23(2):7). The
prose that no code can say (purpose, design concepts) lives here as text; every list and table
(cell types, their state, the schedule, fields, parameters with units, ranges and sources, the
mechanism switches, the recorded metrics, the anchors, the scenario library) is read from the
code each time, so ``nervesim odd`` rewrites ``docs/odd.md`` and a test fails when the committed
file has fallen behind.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from simulation._version import ILLUSTRATIVE_LABEL

#: Where ``nervesim odd`` writes by default (relative to the working directory).
DEFAULT_OUT = Path("docs/odd.md")
#: The command that regenerates the document (the staleness test names it).
REGENERATE = "nervesim odd --out docs/odd.md"

# ------------------------------------------------------------------------------ hand-written
PURPOSE = """\
NerveSim simulates, for teaching and exploration, what happens in injured nerve tissue after a
spinal cord contusion (central nervous system) or a peripheral nerve crush or transection, and
how regenerative therapies change it: above all cell transplants (iPSC-derived neural
progenitors, mesenchymal stromal cells) against extracellular-vesicle (EV) therapy, and the
adjuncts they are combined with (chondroitinase ABC, rehabilitation, scaffolds). It is
**illustrative**: it reproduces qualitative trends and time courses reported in animal and
human studies (the patterns below) and is not a clinical prediction for any patient.

Patterns the model is held to (each an anchor of `nervesim evidence` or a trend of
`nervesim validate`, emergent, never written into a rule): neutrophils peak before
macrophages; in the spinal cord the M1:M2 ratio rises after the first week; the glial scar
forms between days 5 and 14; untreated peripheral axons regrow far better than spinal ones;
EVs lower inflammation without engrafting cells; grafted cells survive poorly, worst when given
acutely; combinations add rather than multiply; and a four-patient trial can show 2 of 4
responders by chance. The anchors with their published bands are listed under *Observation*."""

DESIGN_CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "Basic principles",
        "Wound healing as interacting cell populations coupled through diffusing signals "
        "(cytokine, trophic factor, vesicles) and structural matter (debris, CSPG scar, axons, "
        "myelin). A therapy acts only through mechanisms: cells it delivers, what they secrete, "
        "fields it changes, rates it alters; no rule names a therapy's outcome. Numbers are in "
        "physical units (µm, hours, cells per mm²) so a finer grid tells the same story.",
    ),
    (
        "Emergence",
        "Time courses of cell counts, the scar, debris clearance, axon crossing, the function "
        "index, the BBB score and the AIS grade emerge from the cells' rules; the mappings from "
        "descending connectivity to BBB and AIS are documented, illustrative scoring rules.",
    ),
    (
        "Adaptation",
        "Cells change state in response to what they sense: macrophages polarize between M1 "
        "and M2 with the balance of local drives, astrocytes become reactive, Schwann cells "
        "enter a repair state, grafted progenitors differentiate, growth cones steer up "
        "gradients and stall in scar.",
    ),
    (
        "Objectives",
        "None: cells follow rules, they do not optimise.",
    ),
    (
        "Learning",
        "None.",
    ),
    (
        "Prediction",
        "None: no cell anticipates future states.",
    ),
    (
        "Sensing",
        "A cell reads the fields over its territory (a 625 µm² patch, about one cell body) and "
        "their local gradients; growth cones sense guidance bands, scar and relays at their tip. "
        "Cells do not sense beyond their neighbourhood.",
    ),
    (
        "Interaction",
        "Mostly indirect, through the fields (secretion, uptake, phagocytosis of debris, laying "
        "scar); direct where biology is contact: macrophages eat apoptotic neutrophils, Schwann "
        "cells and oligodendrocytes myelinate axons, graft neurons relay host axons, crowding "
        "limits how many cells share a patch.",
    ),
    (
        "Stochasticity",
        "Recruitment sites, the order cells act within a type, and every rate-based event "
        "(death, division, polarization, moves; p = 1 - exp(-rate x dt)) are random. Each cell "
        "draws from its own hashed stream keyed by seed, type and serial number, so two arms "
        "with the same seed share random numbers until they differ (common random numbers, a "
        "matched twin). Results are reported over seeds with 95 % intervals.",
    ),
    (
        "Collectives",
        "A graft cluster is one agent standing for many cells (counts per state); one neuron "
        "agent stands for a bundle of axons; the lung depot holds intravenously given cells as "
        "counts off the grid.",
    ),
    (
        "Observation",
        "The runner records the metrics below every `time.record_every_h` hours; "
        "`nervesim evidence` holds their shapes and timing to published anchors (listed below), "
        "and `nervesim validate` to the qualitative trends.",
    ),
)


# ---------------------------------------------------------------------------------- helpers
def _cell(text: Any) -> str:
    """One Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _doc(obj: Any, first_paragraph: bool = True) -> str:
    """The docstring of ``obj`` (its first paragraph by default), on one line per paragraph."""
    doc = inspect.getdoc(getattr(obj, "py_func", obj)) or ""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n") if p.strip()]
    if not paragraphs:
        return ""
    return paragraphs[0] if first_paragraph else "\n\n".join(paragraphs)


def _rules(module: ModuleType) -> list[tuple[str, str]]:
    """The public functions (compiled rules included) a module defines, with their summaries."""
    out = []
    for name, obj in vars(module).items():
        func = getattr(obj, "py_func", obj)
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        if func.__module__ == module.__name__:
            out.append((name, _doc(func)))
    return out


def _group_of(params: Sequence[str]) -> str:
    """The scenario group whose keys hold every name in ``params`` (a cell's parameter row)."""
    from simulation.scenario.schema import Scenario

    for name, info in Scenario.model_fields.items():
        fields = getattr(info.annotation, "model_fields", None)
        if fields and params and set(params) <= set(fields):
            return name
    return ""


# ---------------------------------------------------------------------------------- sections
def _entities() -> str:
    from simulation.engine.sheet import CellSheet
    from simulation.tissue.model import ACTIVATION_ORDER

    base = list(CellSheet()._columns())  # every sheet's columns
    rows = []
    for kind in ACTIVATION_ORDER:
        sheet = kind.SHEET
        own = [c for c in sheet()._columns() if c not in base]
        group = _group_of(sheet.PARAMS)
        rows.append(
            (
                f"`{kind.__name__}`",
                _doc(inspect.getmodule(kind)),
                ", ".join(f"`{c}`" for c in own) or "-",
                f"`[{group}]`: " + ", ".join(f"`{p}`" for p in sheet.PARAMS) if group else "-",
            )
        )
    cells = table(("cell type", "what it is", "own state (sheet columns)", "parameter row"), rows)
    return (
        "**Cell agents.** Every cell is a Mesa `CellAgent` on an `OrthogonalMooreGrid`; its "
        "state lives in its type's sheet (per-cell NumPy arrays by slot). Columns every sheet "
        "has: " + ", ".join(f"`{c}`" for c in base) + ". In the order they act:\n\n" + cells
    )


def _others() -> str:
    from simulation.agents.graft import LungDepot
    from simulation.agents.muscle import TargetMuscle
    from simulation.tissue.model import NerveRepairModel

    rows = [
        ("`NerveRepairModel`", _doc(NerveRepairModel)),
        ("`TargetMuscle`", _doc(TargetMuscle)),
        ("`LungDepot`", _doc(LungDepot)),
    ]
    return "**Entities off the grid.**\n\n" + table(("entity", "what it is"), rows)


def _fields() -> str:
    from simulation.scenario.schema import Scenario, parameter_source
    from simulation.tissue.model import CHEMICAL_FIELDS, LAID_IN_BLOCKS, TISSUE_LAYERS

    fields = Scenario().fields
    rows = []
    for name in CHEMICAL_FIELDS:
        f = getattr(fields, name)
        rows.append(
            (
                f"`{name}`",
                f"{f.diffusion_um2_per_h:g}",
                f"{f.decay_per_h:.3g}",
                "yes" if name in LAID_IN_BLOCKS else "no",
                parameter_source(f"fields.{name}.diffusion_um2_per_h") or "-",
            )
        )
    chem = table(
        ("field", "diffusion µm²/h", "decay 1/h", "laid in blocks", "source of diffusion"), rows
    )
    layers = ", ".join(f"`{n}`" for n in TISSUE_LAYERS)
    return (
        "**Fields** (2-D, one value per voxel, arbitrary units; Mesa PropertyLayers sharing one "
        "array; advanced by an implicit LOD diffusion-decay step each tick):\n\n"
        + chem
        + f"\n\nStructural layers that never diffuse: {layers}."
    )


def _scales() -> str:
    from simulation.scenario.schema import Scenario, iter_parameters, parameter_info

    s = Scenario()
    rows = []
    for key, info in iter_parameters():
        if key.split(".")[0] in ("grid", "time"):
            units = parameter_info(key)[0]
            value: Any = s
            for part in key.split("."):
                value = getattr(value, part)
            rows.append((f"`{key}`", value, units, info.description or ""))
    g, t = s.grid, s.time
    return (
        f"**Scales.** Default grid {g.width_voxels} x {g.height_voxels} voxels of "
        f"{g.dx_um:g} µm ({g.width_voxels * g.dx_um / 1000:g} mm x "
        f"{g.height_voxels * g.dx_um / 1000:g} mm, a longitudinal slice), one tick "
        f"{t.dt_h:g} h, default duration {t.duration_days:g} days.\n\n"
        + table(("key", "default", "units", "meaning"), rows)
    )


def _schedule() -> str:
    from simulation.scenario.schema import Scenario
    from simulation.tissue.model import ACTIVATION_ORDER, NerveRepairModel

    tree = ast.parse(textwrap.dedent(inspect.getsource(NerveRepairModel.step)))
    model = NerveRepairModel(Scenario(), seed=0)  # to find the classes of its parts
    steps = []
    for node in ast.walk(tree.body[0]):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
                if f.value.id == "self":
                    method = getattr(NerveRepairModel, f.attr)
                    steps.append((node.lineno, f"`self.{f.attr}()`", method))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Attribute):
                owner = f.value.attr
                method = getattr(type(getattr(model, owner)), f.attr, None)
                steps.append((node.lineno, f"`self.{owner}.{f.attr}()`", method))
    steps.sort(key=lambda s: s[0])
    rows = []
    for k, (_, call, method) in enumerate(steps, 1):
        what = _doc(method) if method is not None else ""
        if call == "`self.activate()`":
            what += " In order: " + ", ".join(f"`{c.__name__}`" for c in ACTIVATION_ORDER) + "."
        rows.append((k, call, what or "-"))
    body = (inspect.getdoc(NerveRepairModel) or "").split("\n\n")
    order = "\n\n".join(body[1:])
    return (
        "Time is discrete (one tick is `time.dt_h` hours). From `NerveRepairModel`'s "
        "docstring:\n\n"
        + textwrap.indent(order, "> ", lambda _line: True)
        + "\n\n`NerveRepairModel.step()`, call by call (read from its source):\n\n"
        + table(("#", "call", "what it does"), rows)
        + "\n\nWithin a type, cells act in a shuffled order; every cell type reads the fields "
        "of the previous tick and writes secretion and uptake into buffers applied once per tick."
    )


INITIALIZATION = """\
A run starts at the moment of injury (day 0). The lesion is a block of the slice: it starts
at `injury.lesion_start_fraction` of the length, is `injury.lesion_length_um` long and spans
`injury.severity` of the cross-section (the rest is spared tissue whose fibres were never cut;
in a nerve, the distal stump beyond it is denervated). The host's age, diabetes and
chemotherapy set the tissue's growth capacity, Schwann-cell support, monocyte recruitment and
baseline inflammation. Necrotic debris fills the lesion in proportion to the severity; the
injured neurons stand proximal to the lesion, each with its growth cone at the lesion's
proximal edge; resident glia are placed at random at their densities per mm² (astrocytes and
oligodendrocyte precursors outside the lesion in the spinal cord, Schwann cells in a nerve,
outside the gap of a transection). Leukocytes are not present at first: they are recruited
from the first tick. Therapies are scheduled from the scenario's `[[interventions]]` and
delivered on their days."""


def _initialization() -> str:
    from simulation.scenario.schema import parameter_rows
    from simulation.tissue.model import NerveRepairModel

    doc = (inspect.getdoc(NerveRepairModel.__init__) or "").split("\n\n", 1)
    args = f"```text\n{doc[-1]}\n```" if len(doc) > 1 else ""
    wanted = ("injury.", "host.")
    rows = [
        (f"`{k}`", v, u, r, d)
        for k, v, u, r, _, d in parameter_rows()
        if k.startswith(wanted) or k.endswith(("density_per_mm2", "neuron.count"))
    ]
    return (
        INITIALIZATION
        + "\n\n`NerveRepairModel(scenario, seed)`:\n\n"
        + args
        + "\n\nThe settings that shape the start (defaults of the schema):\n\n"
        + table(("key", "default", "units", "range", "meaning"), rows)
        + "\n\n"
        + _library()
    )


def _library() -> str:
    from simulation.validation.checks import SCENARIO_DIR

    rows = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = []
        for line in lines:
            if not line.startswith("#"):
                break
            head.append(line.lstrip("# ").strip())
        rows.append((f"`{path.name}`", " ".join(head) or "-"))
    return "The scenario library (`scenarios/`, each file's opening comment):\n\n" + table(
        ("scenario", "what it illustrates, and its source"), rows
    )


def _input_data() -> str:
    from simulation.scenario.schema import iter_parameters

    rows = []
    for key, info in iter_parameters():
        if key.startswith("interventions."):
            _, kind, name = key.split(".", 2)
            rows.append((f"`{kind}`", f"`{name}`", info.description or ""))
    return (
        "No external time series drive the model. Therapies are scheduled deliveries, "
        "`[[interventions]]` tables of a scenario, each of one kind:\n\n"
        + table(("kind", "key", "meaning"), rows)
    )


def _methods(cls: type) -> list[tuple[str, str]]:
    """The public methods of ``cls`` defined in its own module, with their summaries."""
    return [
        (f"{cls.__name__}.{name}", _doc(obj))
        for name, obj in vars(cls).items()
        if not name.startswith("_") and inspect.isfunction(obj) and _doc(obj)
    ]


def _submodel(module: ModuleType, extra: Sequence[tuple[str, str]] = ()) -> str:
    """One module's docstring and its rules (functions, and any methods given)."""
    title = module.__name__.removeprefix("simulation.")
    part = f"#### `{title}`\n\n{_doc(module, first_paragraph=False)}"
    rules = [*_rules(module), *extra]
    if rules:
        part += "\n\n" + table(("rule", "what it does"), [(f"`{n}`", d) for n, d in rules])
    return part


def _submodels() -> str:
    from simulation import agents
    from simulation.agents import mechanisms, muscle
    from simulation.fields import fieldset
    from simulation.tissue import model, therapies

    parts = [_submodel(model, _methods(model.NerveRepairModel)), _submodel(therapies)]
    shown: set[str] = set()
    for kind in model.ACTIVATION_ORDER:  # the cell types, in the order they act
        module = inspect.getmodule(kind)
        assert module is not None
        parts.append(_submodel(module))
        shown.add(module.__name__)
    parts.append(_submodel(muscle, _methods(muscle.TargetMuscle)))
    shown |= {muscle.__name__, "simulation.agents.base"}
    for package in (agents, mechanisms):  # every other agent and shared-mechanism module
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if not info.ispkg and info.name not in shown:
                parts.append(_submodel(importlib.import_module(info.name)))
    parts.append(_submodel(fieldset, _methods(fieldset.FieldSet)))
    return "\n\n".join(parts)


def _switches() -> str:
    from simulation.scenario.schema import Scenario, iter_parameters, parameter_source

    on = Scenario().mechanisms
    rows = []
    for key, info in iter_parameters():
        if key.startswith("mechanisms."):
            default = "on" if getattr(on, key.split(".")[1]) else "off"
            rows.append((f"`{key}`", default, info.description, parameter_source(key)))
    return "**Mechanism switches** (`[mechanisms]`, for teaching and ablation):\n\n" + table(
        ("switch", "default", "what it turns off when off", "source"), rows
    )


def _parameters() -> str:
    from simulation.scenario.schema import parameter_rows

    groups: dict[str, list[tuple[str, ...]]] = {}
    for row in parameter_rows():
        key = row[0]
        if key.startswith("mechanisms."):
            continue  # the switches have their own table
        if "." not in key:
            heading = "Top-level keys"
        elif key.startswith("interventions."):
            heading = f'`[[interventions]]` of kind `"{key.split(".")[1]}"`'
        else:
            heading = f"`[{key.split('.')[0]}]`"
        groups.setdefault(heading, []).append(row)
    parts = []
    for heading, rows in groups.items():
        parts.append(
            f"{heading}\n\n"
            + table(
                ("key", "default", "units", "range", "source", "meaning"),
                [(f"`{k}`", v, u, r, s, d) for k, v, u, r, s, d in rows],
            )
        )
    return "\n\n".join(parts)


def _observation() -> str:
    from simulation.evidence.anchors import all_anchors
    from simulation.runs.metrics import METRICS

    metrics = table(
        ("metric", "units", "what it measures"),
        [(f"`{name}`", m.units, m.description) for name, m in METRICS.items()],
    )
    rows = []
    for a in all_anchors():
        if a.encodable:
            held = f"{a.statistic['kind']} {a.band_text()} {a.units}".strip()
        else:
            held = f"not encodable: {a.reason}"
        rows.append((f"`{a.id}`", a.statement, a.species, held, a.citation))
    anchors = table(("anchor", "statement", "species", "model held to", "citation"), rows)
    return (
        "**Recorded metrics** (`simulation/runs/metrics.py`, one column each in a run's time "
        "series):\n\n" + metrics + "\n\n**Published anchors** (`simulation/evidence/anchors/`, "
        "judged by `nervesim evidence` on the mean over seeds):\n\n" + anchors
    )


# ---------------------------------------------------------------------------------- document
def render() -> str:
    """The whole ODD document as Markdown (deterministic: the same code gives the same text)."""
    concepts = "\n".join(f"- **{name}.** {text}" for name, text in DESIGN_CONCEPTS)
    sections = [
        "# NerveSim: model description (ODD protocol)",
        f"> **{ILLUSTRATIVE_LABEL}**",
        "Generated from the code by `nervesim odd`; do not edit by hand (run `"
        + REGENERATE
        + "` after changing the model). Structure: the ODD protocol of Grimm et al. 2020, JASSS "
        "23(2):7. Prose sections are text in `simulation/odd.py`; every list and table is read "
        "from the code.",
        "## 1. Overview",
        "### 1.1 Purpose and patterns",
        PURPOSE,
        "### 1.2 Entities, state variables and scales",
        _entities(),
        _others(),
        _fields(),
        _scales(),
        "### 1.3 Process overview and scheduling",
        _schedule(),
        "## 2. Design concepts",
        concepts,
        _observation(),
        "## 3. Details",
        "### 3.1 Initialization",
        _initialization(),
        "### 3.2 Input data",
        _input_data(),
        "### 3.3 Submodels",
        "The tissue (recruitment, injury signals, therapies), each cell type's module, the "
        "shared vesicle mechanism, the muscle and the fields: each module's docstring and its "
        "rules (cell rules are small compiled functions; the readable and the fast version are "
        "the same code).",
        _submodels(),
        "### 3.4 Parameters",
        "Every tunable number of a scenario (`nervesim show-params` prints the same table): "
        "dotted key, default, units, allowed range, where its default comes from (a citation, "
        "'assumed' for a modelling choice, or 'calibrated') and what it means.",
        _switches(),
        _parameters(),
    ]
    return "\n\n".join(s.strip() for s in sections) + "\n"


def write(out: Path = DEFAULT_OUT) -> Path:
    """Write the document to ``out`` (creating its folder); return the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    return out
