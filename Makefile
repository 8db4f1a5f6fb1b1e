# newsroom: `make run` brings the system up on 127.0.0.1:$(PORT), `make test` runs the whole suite.
# PostgreSQL and Redis: DATABASE_URL / REDIS_URL when given, else the local servers (started if
# installed but down), else the embedded ones under .data/. NEWSROOM_EMBEDDED=1 forces the embedded.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# The stamp holds pyproject.toml's checksum: pip runs again only when it changed.
STAMP := $(VENV)/.installed
# Any Python runs launcher/services.py find-python, which picks the 3.12+ to build .venv from.
BOOTSTRAP_PYTHON := $(firstword $(shell command -v python3 python 2>/dev/null))
PYTEST_ARGS ?=
BENCH_ARGS ?=
# The suite runs in 3 processes (pytest-xdist, a module at a time; each process has its own test
# database and Redis database); PYTEST_PARALLEL= runs it in one.
PYTEST_PARALLEL ?= -n 3 --dist loadfile

.PHONY: help venv run services test chromium lint typecheck bench clean distclean

help:
	@echo "make run        set up .venv, PostgreSQL and Redis, then web + worker + beat on 127.0.0.1:$${PORT:-8000}"
	@echo "                (PORT=8001 make run; NEWSROOM_EMBEDDED=1 make run uses the embedded servers)"
	@echo "make test       the whole suite (PYTEST_ARGS='-k ingest' to narrow it)"
	@echo "make services   make PostgreSQL and Redis reachable and print their exports"
	@echo "make lint | typecheck | bench | clean | distclean"

venv:
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  if [ -z "$(BOOTSTRAP_PYTHON)" ]; then \
	    echo "make: no python3 on PATH; install Python 3.12 (or set NEWSROOM_PYTHON and BOOTSTRAP_PYTHON)" >&2; exit 1; \
	  fi; \
	  py="$$($(BOOTSTRAP_PYTHON) launcher/services.py find-python)" || exit 1; \
	  echo "make: creating $(VENV) with $$py ($$("$$py" -c 'import sys; print(sys.version.split()[0])'))"; \
	  rm -rf $(VENV) && "$$py" -m venv $(VENV) || exit 1; \
	fi
	@if ! sha256sum pyproject.toml | cmp -s - $(STAMP); then \
	  echo "make: installing newsroom with its test and embedded extras into $(VENV) (log: $(VENV)/pip.log) ..."; \
	  { $(PY) -m pip install --disable-pip-version-check --upgrade pip && \
	    $(PY) -m pip install --disable-pip-version-check -e ".[test,embedded]"; } > $(VENV)/pip.log 2>&1 \
	    || { tail -n 30 $(VENV)/pip.log; echo "make: pip install failed; the full log: $(VENV)/pip.log" >&2; exit 1; }; \
	  sha256sum pyproject.toml > $(STAMP); \
	fi

run: venv
	@$(PY) -m launcher.run

services: venv
	@$(PY) -m launcher.run --services-only

test: venv chromium
	@$(PY) -m launcher.run --services-only -- $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

# The browser tests drive Debian's chromium through Playwright (`playwright install` cannot work here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "make: installing Debian's chromium for the browser tests ..."; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
	      || { echo "make: apt-get install chromium failed" >&2; exit 1; }; \
	  else \
	    echo "make: /usr/bin/chromium is missing, so the browser tests cannot run: sudo apt-get install chromium" >&2; \
	  fi; \
	fi

lint: venv
	$(PY) -m ruff check .

typecheck: venv
	$(PY) -m mypy .

# bench/run_all.py runs every benchmark (load_bench.py for a short bounded minute) and writes their
# JSON to one file, bench/results/bench-<time>.json, printing the table of targets; BENCH_ARGS='--only
# passes_bench,story_bench' narrows it. bench/load_bench.py drives the system with Locust (the bench
# extra); bench/locustfile.py is its part. bench/chaos_run.py is a reliability run, not a speed benchmark.
bench: venv
	@$(PY) -c 'import locust' 2>/dev/null || $(PY) -m pip install --disable-pip-version-check -q -e ".[bench]"
	@$(PY) -m launcher.run --services-only -- $(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# Also the virtualenv and .data/ (the embedded servers' databases): refused while make run runs.
distclean: clean
	@for f in .data/run/owner-*.json; do \
	  [ -e "$$f" ] || continue; pid=$${f##*owner-}; pid=$${pid%.json}; \
	  if kill -0 "$$pid" 2>/dev/null; then echo "make: a run (pid $$pid) still uses .data; stop it first" >&2; exit 1; fi; \
	done
	rm -rf $(VENV) .data
