# Set-up and checks. `make run` serves the LRS on http://127.0.0.1:8000; `make test` runs
# everything CI runs. Both install into .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
E2E_JS := tests/e2e/js
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run test lint typecheck contracts unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The xapijs client the end-to-end tests drive the LRS with (needs node and npm).
$(E2E_JS)/node_modules: $(E2E_JS)/package-lock.json
	npm ci --prefix $(E2E_JS) --no-audit --no-fund
	touch $@

# The scheduler (polls of API integrations) runs beside the server and stops with it.
run: install
	$(BIN)/lrs db upgrade
	$(BIN)/lrs credentials demo
	$(BIN)/lrs scheduler --every 15 & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/lrs serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

unit: install $(E2E_JS)/node_modules
	$(BIN)/pytest -n 2

test: lint typecheck contracts unit

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
