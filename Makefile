# NerveSim: `make run` and `make test` do all set-up on a fresh machine.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev

.PHONY: run test bench lint format clean

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

run: $(STAMP)
	$(BIN)/python -m simulation run scenarios/spinal_cord_untreated.toml --seed 1

test: $(DEVSTAMP)
	$(BIN)/python -m pytest

bench: $(DEVSTAMP)
	$(BIN)/python -m benchmarks fields

lint: $(DEVSTAMP)
	$(BIN)/ruff check simulation benchmarks tests dashboard
	$(BIN)/ruff format --check simulation benchmarks tests dashboard

format: $(DEVSTAMP)
	$(BIN)/ruff format simulation benchmarks tests dashboard
	$(BIN)/ruff check --fix simulation benchmarks tests dashboard

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
