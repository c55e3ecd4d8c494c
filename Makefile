# The two commands a newcomer runs: `make demo` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TOOLS := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed
WEB_STAMP := web/node_modules/.installed

.PHONY: setup demo test test-soak test-fast lint format bench bench-editor bench-longform dev clean web

# The gpu extra (torch, the CPU build on these machines; diffusers; transformers) too: the model
# links' tests run their real pipelines with tiny weights.
$(STAMP): pyproject.toml
	@scripts/install-system-deps
	@scripts/check-prereqs
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,gpu]'
	@touch $(STAMP)

# The web editor's toolchain (esbuild, tsc) and its bundle, web/dist/app.js.
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund && npm run build
	@touch $(WEB_STAMP)

# checkov and hadolint (terraform/ and docker/ checks) in a venv of their own: checkov pins
# packages older than the project's dependencies allow.
$(TOOLS_STAMP): scripts/iac-tools.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q -r scripts/iac-tools.txt
	@touch $(TOOLS_STAMP)

setup: $(STAMP) $(WEB_STAMP) $(TOOLS_STAMP)

# Rebuild the editor's bundle after changing web/src/.
web: $(WEB_STAMP)
	cd web && npm run build

demo: setup
	$(VENV)/bin/createstudio demo

dev: setup web
	$(VENV)/bin/createstudio dev

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd web && npm run check

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every test but the soak runs: unit, emulator, FFmpeg, browser and slow suites (the bundle
# rebuilt first).
test: lint web
	cd web && npm test
	$(VENV)/bin/pytest -m "not soak"

# Production-size runs (a 3-hour programme's audio tasks under the memory ceiling): minutes each.
test-soak: setup
	$(VENV)/bin/pytest -m soak

# Seconds: the pure core only (no emulators, no FFmpeg).
test-fast: setup
	cd web && npm test
	$(VENV)/bin/pytest -m "not emulator and not ffmpeg and not slow"

bench: setup
	$(PY) -m pip install -q -e '.[dev,bench]'
	$(PY) bench/render.py

# A long timeline on 1 and 2 worker processes: speed-up, kills, re-use (docs/performance.md).
bench-longform: setup
	$(PY) bench/longform.py

# Frame times in the editor while dragging, scrubbing and playing (docs/performance.md).
bench-editor: setup web
	$(PY) bench/editor.py

clean:
	rm -rf $(VENV) $(TOOLS) out .pytest_cache .mypy_cache .ruff_cache .hypothesis web/node_modules web/dist
