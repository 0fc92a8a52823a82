# Two commands: `make run` and `make test`. Each creates .venv when missing, installs
# the project, upgrades the database, then runs the bot / the whole suite. With no Slack
# tokens configured, `make run` starts the local sandbox: open http://127.0.0.1:3000.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: run test install lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/setback db upgrade
	$(VENV)/bin/setback run

test: install
	$(VENV)/bin/setback db upgrade
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

bench: install
	$(PY) benchmarks/ack.py
	$(PY) benchmarks/dispatch.py
	$(PY) benchmarks/web_api.py

clean:
	rm -rf $(VENV) .pytest_cache
