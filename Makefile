# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv when it is
# missing and installs what pyproject.toml pins; the stamp file reinstalls only when that changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve test bench lint

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The outbox worker (emails, the daily purge of old enquiries) runs beside the server and
# stops with it.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_photos
	$(PY) manage.py outbox & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# Production: migrations, static files, then gunicorn (settings from the environment; see README).
serve: install
	ops/serve

# axe-core for the browser tests, when npm is here; without it they are skipped, saying so.
node_modules/.installed-stamp: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $@; fi

test: install node_modules/.installed-stamp
	$(PY) -m pytest $(PYTEST_ARGS)

# The national-scale benchmark on PostgreSQL (see bench/README.md).
bench: install
	bench/run

# The hooks of .pre-commit-config.yaml (ruff, django-upgrade, djhtml) on every file: they fix
# what they can, and fail when they changed anything, so CI fails on an unformatted tree.
lint: install
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

