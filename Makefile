# Dispatch: `make run` (fresh machine to running site) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test bench bench-peers-setup load lint check-deploy clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

# A local checkout's settings: development mode and a secret key, written once.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@chmod 600 $@
	@echo "wrote .env (DEBUG=1, a new SECRET_KEY) for this checkout"

run: $(VENV)/.installed .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH exec $(PY) -m config.supervise Procfile

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark, or BENCH="side_by_side ..." for some. side_by_side prints the table of
# Dispatch beside WordPress and django-comments-xtd (JSON in var/bench/, docs/benchmarks.md);
# peers not set up are reported missing.
bench: $(VENV)/.installed
	$(PY) -m tests.benchmarks $(BENCH)

# Once, as root (apt-get): the peers of `make bench` under var/bench-peers/, loopback only.
# Run again after a reboot to start their servers.
bench-peers-setup: $(VENV)/.installed
	tests/benchmarks/peers/setup.sh

# 50 readers and 10 commenters for 60 s against gunicorn + PostgreSQL + Redis + 2 workers, all
# private and on loopback (tests/benchmarks/load.py): no 5xx, every accepted comment decided.
load: $(VENV)/.installed
	$(PY) -m tests.benchmarks.load $(LOAD)

# Style (ruff), the apps' one-way imports (import-linter contracts in pyproject.toml), and
# models that match their migrations. All three run; any failure fails the target.
lint: $(VENV)/.installed
	@rc=0; \
	echo "ruff check ."; $(VENV)/bin/ruff check . || rc=1; \
	echo "lint-imports"; $(VENV)/bin/lint-imports || rc=1; \
	echo "makemigrations --check"; \
	DEBUG=1 DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run || rc=1; \
	exit $$rc

check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=example.com $(PY) manage.py check --deploy --fail-level WARNING

# The venv, caches and var/'s local state (database, broker, mail, static, logs). Never
# var/media/: uploads (MEDIA_ROOT) are not ours to delete.
clean:
	rm -rf $(VENV) *.egg-info .ruff_cache .import_linter_cache .pytest_cache
	if [ -d var ]; then find var -mindepth 1 -maxdepth 1 ! -name media -exec rm -rf -- {} +; fi
