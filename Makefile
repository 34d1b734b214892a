# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CELERY := $(VENV)/bin/celery
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint format migrate load clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

load: migrate
	$(PY) manage.py load_review

# Web, Celery worker and beat together on the embedded defaults; Ctrl-C stops all three.
run: load
	$(PY) manage.py create_demo_editor
	$(PY) manage.py create_demo_curator
	$(PY) manage.py refresh_citations  # queue papers due a PubMed refresh; offline it fails cleanly and retries
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin at /admin/)"
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(CELERY) -A portal worker --loglevel INFO --concurrency 1 -Q celery,ncbi & \
	$(CELERY) -A portal beat --loglevel INFO --schedule var/celerybeat-schedule & \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var/ .pytest_cache .ruff_cache
