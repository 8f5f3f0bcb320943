# Quick start:  make run   (set up and start the app on var/pmqa.db, demo department on first start)
#               make test  (set up and run lint and the whole test suite, browser tests included)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-postgres setup setup-dev system-deps bench load lint

# pip installs without byte-compiling, then compileall compiles every package on every core (pip compiles one
# file after another: 34 s in all, 28 s so). The .pyc files are needed: with PYTHONDONTWRITEBYTECODE=1 (as on
# these machines) nothing else writes them, and each process would import Streamlit, pandas and Plotly from
# source (2.7 s of CPU instead of 0.9 s).
PIP_INSTALL = $(PY) -m pip install --quiet --disable-pip-version-check --no-compile
COMPILE = $(PY) -m compileall -q -j 0 $(VENV)/lib

$(VENV)/.app: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	$(COMPILE)
	touch $@

$(VENV)/.dev: $(VENV)/.app requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	$(COMPILE)
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
	scripts/install-system-deps.sh nginx
	$(PY) -m pytest -n auto

# The same suite with every store on PostgreSQL: a throw-away cluster from Debian's package (installed when missing),
# started as an unprivileged user on a free local port and removed afterwards (tests/postgres_cluster.py).
test-postgres: setup-dev system-deps
	scripts/install-system-deps.sh postgresql nginx
	$(PY) tests/postgres_cluster.py -- $(PY) -m pytest -n auto

bench: setup-dev system-deps
	scripts/install-system-deps.sh postgresql
	$(PY) bench/bench_scoring.py --engines sqlite,postgresql
	$(PY) bench/bench_form.py
	$(PY) bench/bench_pages.py --engines sqlite,postgresql
	$(PY) bench/bench_browser.py
	$(PY) bench/bench_reports.py
	$(PY) bench/bench_signin.py
	$(PY) bench/bench_uploads.py

load: setup-dev system-deps
	scripts/install-system-deps.sh postgresql
	$(PY) bench/load.py
	$(PY) bench/load.py --engine postgresql --storage-users 100 --processes 5
