# make demo   - the whole product once, on the built-in emulator (or Meshy with MESHY_API_KEY)
# make test   - install what the tests need, then run every tier
# make bench  - benchmarks, printing figures and ratios
# make build  - the extension zips, with Blender's own builder
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV42 := .venv-bpy42
PY := $(VENV)/bin/python
PY42 := $(VENV42)/bin/python
PYTEST_FLAGS ?= -q -p no:cacheprovider

.PHONY: demo test test-fast test-client test-blender test-blender42 test-package lint bench build sid-smoke clean venv

$(PY): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(PY)

$(PY42): requirements-bpy42.txt
	$(PYTHON) -m venv $(VENV42)
	$(PY42) -m pip install -q --disable-pip-version-check -r requirements-bpy42.txt
	touch $(PY42)

venv: $(PY) $(PY42)

demo: $(PY)
	$(PY) tools/demo.py

lint: $(PY)
	$(PY) -m ruff check .

# Tier 1: client, engine and emulator (plain Python, seconds).
test-client: $(PY)
	$(PY) -m pytest $(PYTEST_FLAGS) tests --ignore=tests/blender --ignore=tests/test_package.py

# Tier 2: the add-on in real Blender, newest and oldest supported lines.
test-blender: $(PY)
	$(PY) -m pytest $(PYTEST_FLAGS) tests/blender

test-blender42: $(PY42) $(PY)
	$(PY42) -m pytest $(PYTEST_FLAGS) tests/blender

test-package: $(PY)
	$(PY) -m pytest $(PYTEST_FLAGS) tests/test_package.py

test: lint test-client test-blender test-blender42 test-package

bench: $(PY)
	$(PY) bench/run.py

build: $(PY)
	$(PY) tools/build_extension.py

sid-smoke: build
	$(PY) tools/sid_smoke.py

clean:
	rm -rf build dist out .pytest_cache .ruff_cache
