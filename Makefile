# PVD Pilot — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format venv migrate demo worker beat bench bench-convention clean help

help:
	@echo "make run    — installe, migre, charge la démo et sert http://127.0.0.1:8000"
	@echo "make test   — toute la suite de tests"
	@echo "make lint   — ruff (règles et format) et migrations à jour"
	@echo "make bench  — mesures de performance (bench/)"
	@echo "make bench-convention — rendu PDF d'une convention-cadre comparé à WeasyPrint seul"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@PYTHON_BIN=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Création de $(VENV) avec $$PYTHON_BIN"; "$$PYTHON_BIN" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	@mkdir -p var
	DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=true $(PY) manage.py load_demo --if-empty

run: demo
	@echo ""
	@echo "PVD Pilot : http://127.0.0.1:8000  (Ctrl+C pour arrêter)"
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs on every core (pytest-xdist): `make test PYTEST_WORKERS=0` runs it in one process.
# Each process has its own Celery queue for the real-worker tests (pvd/settings_test.py).
PYTEST_WORKERS ?= auto

test: venv
	$(PY) -m pytest --numprocesses=$(PYTEST_WORKERS)

lint: venv
	@mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: venv
	$(VENV)/bin/celery -A pvd worker --loglevel=INFO

beat: venv
	$(VENV)/bin/celery -A pvd beat --loglevel=INFO --schedule var/celerybeat-schedule

bench: venv
	$(PY) bench/run.py

bench-convention: venv
	$(PY) bench/convention_render.py

clean:
	rm -rf $(VENV) var/db.sqlite3 var/static
