# Quick start:  make run   (set up and start the app on var/pmqa.db, demo department on first start)
#               make test  (set up and run lint and the whole test suite, browser tests included)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test setup setup-dev system-deps bench load lint

$(VENV)/.app: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.app requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.app
setup-dev: $(VENV)/.dev

run: setup system-deps
	$(PY) -m streamlit run streamlit_app.py

system-deps:
	scripts/install-system-deps.sh

lint: setup-dev
	$(PY) -m ruff check .

# The suite on every core, with one worker more than cores, at most 5 (tests/conftest.py says why); `pytest`
# alone runs it in one process.
test: setup-dev system-deps lint
	$(PY) -m pytest -n auto

bench: setup-dev system-deps
	$(PY) bench/bench_scoring.py
	$(PY) bench/bench_form.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_browser.py
	$(PY) bench/bench_reports.py

load: setup-dev system-deps
	$(PY) bench/load.py
