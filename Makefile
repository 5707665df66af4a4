# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/agentbot demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

# Every bench at real sizes (about 6 minutes in all: updates 6 s, broadcast ~160 s, agents ~170 s,
# flood ~30 s); each prints figure, target, PASS/FAIL.
# A bench that fails does not stop the others (the leading "-").
bench: $(STAMP)
	-$(BIN)/python bench/updates.py
	-$(BIN)/python bench/broadcast.py
	-$(BIN)/python bench/agents.py
	-$(BIN)/python bench/flood.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
