# regioLab portal — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/regiolab
export REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_WORKERS ?= 2

APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils gettext chromium wrk libreoffice-calc-nogui

.PHONY: run test lint bench venv system-deps messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# WeasyPrint's libraries, pdftotext, msgfmt and Debian's Chromium; installed only when missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages:$$missing (run as root or: sudo apt-get install -y$$missing)"; exit 1; fi; \
	fi

# The embedded default: SQLite, eager Celery, console e-mail, demo data. E-mail links point at
# the address runserver listens on, unless SITE_URL is set. The journeys' second test run uses
# the same environment (tests/journeys).
EMBEDDED_DB ?= $(CURDIR)/db.sqlite3
SITE_URL ?= http://$(HOST):$(PORT)
EMBEDDED_ENV = DATABASE_URL=sqlite:///$(EMBEDDED_DB) REDIS_URL= DJANGO_DEBUG=true SITE_URL=$(SITE_URL)
# Celery beat with the production schedule (settings.CELERY_BEAT_SCHEDULE). Tasks are eager
# (memory broker), so beat runs each one in its own process against the same SQLite file.
BEAT_SCHEDULE ?= $(VENV)/celerybeat-schedule
BEAT = $(VENV)/bin/celery -A regiolab beat --loglevel=INFO --schedule=$(BEAT_SCHEDULE)

run: $(STAMP)
	$(PY) manage.py compilemessages -v 0 --ignore=.venv 2>/dev/null || true
	env $(EMBEDDED_ENV) $(PY) manage.py migrate --no-input -v 0
	env $(EMBEDDED_ENV) $(PY) manage.py seed_demo
	env $(EMBEDDED_ENV) $(PY) manage.py createcoordinator coordinator@regiolab.example --password regiolab-demo
	@# Beat in the background; it stops when runserver does (Ctrl-C).
	env $(EMBEDDED_ENV) $(BEAT) & beat=$$!; trap 'kill $$beat 2>/dev/null; wait $$beat' EXIT; \
	env $(EMBEDDED_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@# Models against migrations only; the history check needs no database (it may not exist yet).
	DATABASE_URL=sqlite:// $(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) manage.py compilemessages -v 0 --ignore=.venv
	@# Two workers (CI has two cores), a test file each at a time: module fixtures are built once.
	$(VENV)/bin/pytest --create-db -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)
	@# The journeys again on the embedded default, in make run's environment (SQLite, no Redis).
	env $(EMBEDDED_ENV) DATABASE_URL=sqlite:///$(VENV)/journeys.sqlite3 $(VENV)/bin/pytest --create-db -m embedded tests/journeys

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

messages: $(STAMP)
	$(PY) manage.py makemessages -l de --ignore=.venv --ignore=tests --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Load test (README "Benchmark"): a fresh database next to DATABASE_URL (…_bench), seed_scale,
# gunicorn, wrk, a Celery worker; prints one table. Smaller runs: make bench BENCH_COMPANIES=500
bench: $(STAMP) system-deps
	$(PY) tests/perf/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
