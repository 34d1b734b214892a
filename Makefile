# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CELERY := $(VENV)/bin/celery
PORT ?= 8000
# Installs are hash-checked against the lock files (see `lock`): runtime
# packages for `run`, runtime and development ones for everything else.
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes
PIP_COMPILE := var/pip-tools/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: install run test lint format migrate load clean lock

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	touch $(RUNTIME)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $(STAMP) $(RUNTIME)

install: $(STAMP)

migrate: $(RUNTIME)
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
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	PY=$(PY) .ci/audit

# Re-pin after editing requirements*.in (needs PyPI): every dependency, hashed.
lock:
	test -x var/pip-tools/bin/pip-compile || { $(PYTHON) -m venv var/pip-tools && \
		var/pip-tools/bin/pip install --quiet pip-tools==7.6.2; }
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var/ .pytest_cache .ruff_cache
