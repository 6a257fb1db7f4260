# MODO Creator Verse — `make run` to start it, `make test` to test it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench install install-dev env migrate messages makemessages seed web worker check-deploy backup-drill clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

env: install
	@$(PY) -m modo.envfile

migrate: env
	$(PY) manage.py migrate --noinput

# Compiled catalogues (.mo) are build output, made from the committed .po files.
messages: install
	$(PY) manage.py compilemessages --ignore=$(VENV) -v0

makemessages: install
	$(PY) manage.py makemessages -l id --ignore=$(VENV) --ignore=staticfiles --ignore=var

seed: migrate
	$(PY) manage.py createsuperadmin
	$(PY) manage.py seed_demo

# Links in emails and callbacks point at the server being started (SITE_URL in .env wins).
SITE_ENV = set -a; source .env; set +a; export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"

# Web (Django's server) and a Celery worker with its beat, on SQLite, local files and an
# embedded broker: nothing else needs to run. Ctrl-C stops both.
run: migrate messages seed
	@set -a; source .env; set +a; \
	echo; \
	echo "  MODO Creator Verse is starting on http://$(HOST):$(PORT)/"; \
	echo "  Superadmin:    $$SUPERADMIN_EMAIL / $$SUPERADMIN_PASSWORD   (http://$(HOST):$(PORT)/admin/)"; \
	echo "  Demo creator:  $$DEMO_EMAIL / $$DEMO_PASSWORD   (http://$(HOST):$(PORT)/auth/)"; \
	echo "  Emails (verification, password reset) are printed in this terminal."; \
	echo
	@$(SITE_ENV); trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A modo worker -B -Q default,image,video --concurrency 2 --loglevel INFO \
		--schedule var/celerybeat-schedule & \
	$(PY) manage.py runserver $(HOST):$(PORT)

web: migrate messages
	@$(SITE_ENV); $(PY) manage.py runserver $(HOST):$(PORT)

worker: env
	@$(SITE_ENV); $(VENV)/bin/celery -A modo worker -B -Q default,image,video --concurrency 2 --loglevel INFO --schedule var/celerybeat-schedule

# PostgreSQL and Redis are used when they answer (required with CI=true); see conftest.py.
# One test process per core (TEST_WORKERS=0: this process alone, in order, for --pdb or -s);
# each worker has its own test database (test_<name>_gw0, …) and cache prefix. A worker that is
# done takes tests from the other (worksteal), so neither waits idle at the end.
TEST_WORKERS ?= auto
test: install-dev messages
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Measured speed against budgets (benchmarks/README.md): gunicorn, a Celery worker, PostgreSQL and
# Redis on this machine, a scratch database seeded at two sizes. Prints a table, writes var/bench/.
bench: install-dev
	$(PY) benchmarks/run.py $(BENCH_ARGS)

# Dump the configured PostgreSQL database, restore it into a new one, check the copy (secrets
# included) and drop it: `manage.py backup_drill` (README, "Backups"). Uses the environment's
# DATABASE_URL and FIELD_ENCRYPTION_KEYS; BACKUP_DRILL_ARGS="--keep" keeps the copy.
backup-drill: env
	$(PY) manage.py backup_drill $(BACKUP_DRILL_ARGS)

check-deploy: install
	DJANGO_SETTINGS_MODULE=modo.settings.production SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
	FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	DATABASE_URL=sqlite:///var/check.sqlite3 ALLOWED_HOSTS=example.com \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
