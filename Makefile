# NerveSim: `make run` and `make test` do all set-up on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev

.PHONY: run validate test bench lint typecheck format clean dashboard

# The venv is (re)installed only when it is missing or pyproject.toml changed.
$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $@

# The headline comparison: spinal cord untreated vs. iPSC neural progenitors vs. EVs, then a
# peripheral crush untreated vs. NGF-gene EVs (3 seeds each; see `nervesim compare --help`).
# Each writes compare.parquet into its own folder, so the second does not overwrite the first.
run: $(STAMP)
	$(BIN)/nervesim compare scenarios/spinal_cord_untreated.toml \
		scenarios/spinal_cord_ipsc_npc_day21.toml scenarios/spinal_cord_ev.toml --seeds 3 \
		--at-days 0,7,14,28,56,84 --out results/spinal_cord
	$(BIN)/nervesim compare scenarios/peripheral_crush_untreated.toml \
		scenarios/peripheral_crush_ev_ngf.toml --seeds 3 \
		--at-days 0,7,14,28,56 --out results/peripheral_crush

# Every qualitative trend over 20 seeds; exits 1 if any fails.
validate: $(STAMP)
	$(BIN)/nervesim validate

# The teaching dashboard on http://127.0.0.1:8501 (local only; PNG export needs the dev extra).
dashboard: $(DEVSTAMP)
	$(BIN)/python -m dashboard

test: $(DEVSTAMP)
	$(BIN)/python -m pytest

# Every benchmark, one after the other (about 10 minutes; the dashboard one needs chromium).
bench: $(DEVSTAMP)
	$(BIN)/python -m benchmarks fields
	$(BIN)/python -m benchmarks model
	$(BIN)/python -m benchmarks sweep
	$(BIN)/python -m benchmarks dashboard

# Ruff (lint + format check) and the mypy type check; CI runs this before the tests.
lint: $(DEVSTAMP) typecheck
	$(BIN)/ruff check simulation benchmarks tests dashboard
	$(BIN)/ruff format --check simulation benchmarks tests dashboard

# mypy on simulation/ (settings in pyproject.toml's [tool.mypy]).
typecheck: $(DEVSTAMP)
	$(BIN)/mypy

format: $(DEVSTAMP)
	$(BIN)/ruff format simulation benchmarks tests dashboard
	$(BIN)/ruff check --fix simulation benchmarks tests dashboard

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
