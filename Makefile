# The two commands a newcomer runs: `make demo` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast lint format bench dev clean

$(STAMP): pyproject.toml
	@scripts/check-prereqs
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/createstudio demo

dev: setup
	$(VENV)/bin/createstudio dev

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every test: unit, emulator, FFmpeg and slow suites.
test: lint
	$(VENV)/bin/pytest

# Seconds: the pure core only (no emulators, no FFmpeg).
test-fast: setup
	$(VENV)/bin/pytest -m "not emulator and not ffmpeg and not slow"

bench: setup
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) bench/render.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
