# IMR Desktop — every set-up step is a target here; README and CI call these.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run demo test lint format system-deps bench package clean

# Install (first time) and launch the app.
run: $(STAMP)
	$(PY) -m imrdesktop

# Launch straight into a throwaway training vault with fictional clients.
demo: $(STAMP)
	$(PY) -m imrdesktop --demo

# Install (first time) and run the whole test suite headless, then the linters.
test: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider
	$(VENV)/bin/ruff check imrdesktop tests bench
	$(VENV)/bin/ruff format --check imrdesktop tests bench

lint: $(STAMP)
	$(VENV)/bin/ruff check imrdesktop tests bench
	$(VENV)/bin/ruff format --check imrdesktop tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format imrdesktop tests bench
	$(VENV)/bin/ruff check --fix imrdesktop tests bench

bench: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# Build the Linux bundle and tarball (scripts/build-linux.sh), then smoke-test the bundle.
package: system-deps $(STAMP)
	bash scripts/build-linux.sh
	dist/imrdesktop/imrdesktop --version
	QT_QPA_PLATFORM=offscreen dist/imrdesktop/imrdesktop --self-test

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info
