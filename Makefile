# Two commands do everything (see README.md):
#   make demo   set up, then serve the sample municipality (with live sensors) on http://127.0.0.1:8000/
#   make test   set up, then run lint, type checks and the whole test suite
# Both install what they need themselves: Python packages into .venv, MapLibre GL from
# the npm registry into viewer/static/vendor, and (for tests) Debian's chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := viewer/static/vendor/maplibre-gl.js
HOST ?= 127.0.0.1
PORT ?= 8000

INVEST_VENV := .venv-invest
INVEST_BIN := $(INVEST_VENV)/bin

.PHONY: setup demo serve test lint browser services invest benchmark clean

setup: $(VENV)/.installed $(VENDOR)

$(VENV)/.installed: pyproject.toml
	@# Pango, which WeasyPrint needs to write decision briefs as PDF
	@ldconfig -p | grep -q libpangoft2-1.0 || { apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }
	@# EGL with Mesa, which VTK renders 3D pictures with where there is no display
	@ldconfig -p | grep -q libEGL_mesa.so.0 || { apt-get update -qq && apt-get install -y -qq libegl1 libegl-mesa0 >/dev/null; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(VENDOR): package.json package-lock.json $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m viewer.bundle_assets

demo: setup
	@$(MAKE) --no-print-directory services || echo "No MQTT broker could be started: the demo runs without live sensors."
	$(BIN)/twin demo --live --host $(HOST) --port $(PORT)

serve: setup
	$(BIN)/twin serve --host $(HOST) --port $(PORT)

browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# the MQTT broker the sensor tests talk to (Debian's Mosquitto, on 127.0.0.1:1883)
services:
	@command -v mosquitto >/dev/null || { apt-get update -qq && apt-get install -y -qq mosquitto >/dev/null; }
	@pgrep -x mosquitto >/dev/null || mosquitto -d -c /etc/mosquitto/mosquitto.conf

# natcap.invest in its own venv, to compare the heat model with InVEST cell by cell
# (tests/scenarios/test_heat_invest.py, benchmarks/heat_bench.py). InVEST needs GDAL's
# Python bindings, built against Debian's libgdal-dev; pygeoprocessing builds from source.
invest: $(INVEST_VENV)/.installed

$(INVEST_VENV)/.installed:
	@command -v gdal-config >/dev/null || { apt-get update -qq && apt-get install -y -qq libgdal-dev >/dev/null; }
	test -x $(INVEST_BIN)/python || $(PYTHON) -m venv $(INVEST_VENV)
	$(INVEST_BIN)/pip install --quiet --upgrade pip 'setuptools>=77' wheel 'cython<3.1' babel numpy setuptools_scm
	PATH="$(CURDIR)/$(INVEST_BIN):$$PATH" $(INVEST_BIN)/pip install --quiet --no-build-isolation "GDAL==$$(gdal-config --version)"
	# two steps: natcap.invest's setup imports pygeoprocessing, so it must be installed first
	PATH="$(CURDIR)/$(INVEST_BIN):$$PATH" $(INVEST_BIN)/pip install --quiet --no-build-isolation 'pygeoprocessing>=2.4.10'
	PATH="$(CURDIR)/$(INVEST_BIN):$$PATH" $(INVEST_BIN)/pip install --quiet --no-build-isolation natcap.invest==3.20.2
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup browser services invest lint
	TWIN_REQUIRE_INVEST=1 $(BIN)/pytest -n 2 --doctest-modules twin layers scenarios viewer sample_data tests

benchmark: setup invest
	$(BIN)/python benchmarks/import_bench.py
	$(BIN)/python benchmarks/heat_bench.py
	$(BIN)/python benchmarks/landuse_bench.py

clean:
	rm -rf $(VENV) $(INVEST_VENV) node_modules $(VENDOR) workspace
