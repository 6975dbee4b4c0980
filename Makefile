# Two commands do everything (see README.md):
#   make demo   set up, then serve the sample municipality on http://127.0.0.1:8000/
#   make test   set up, then run lint, type checks and the whole test suite
# Both install what they need themselves: Python packages into .venv, MapLibre GL from
# the npm registry into viewer/static/vendor, and (for tests) Debian's chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := viewer/static/vendor/maplibre-gl.js
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup demo serve test lint browser services benchmark clean

setup: $(VENV)/.installed $(VENDOR)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(VENDOR): package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m viewer.bundle_assets

demo: setup
	$(BIN)/twin demo --host $(HOST) --port $(PORT)

serve: setup
	$(BIN)/twin serve --host $(HOST) --port $(PORT)

browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# the MQTT broker the sensor tests talk to (Debian's Mosquitto, on 127.0.0.1:1883)
services:
	@command -v mosquitto >/dev/null || { apt-get update -qq && apt-get install -y -qq mosquitto >/dev/null; }
	@pgrep -x mosquitto >/dev/null || mosquitto -d -c /etc/mosquitto/mosquitto.conf

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup browser services lint
	$(BIN)/pytest -n 2 --doctest-modules twin layers scenarios viewer sample_data tests

benchmark: setup
	$(BIN)/python benchmarks/import_bench.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) workspace
