# tierdesk — two commands for a fresh machine:
#   make demo   build the demo organisation on SQLite and serve it at http://127.0.0.1:8000
#   make test   ruff, the layering contract, mypy and the whole pytest suite (browser
#               tests and the API schema fuzzing included)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo serve test lint typecheck pytest messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/tierdesk demo --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	$(BIN)/tierdesk serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/ruff format --check src tests bench conftest.py
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src

pytest: $(VENV)/.installed-dev
	scripts/ensure-chromium
	scripts/ensure-axe
	scripts/ensure-dovecot
	scripts/ensure-oidc-provider
	TIERDESK_DATA_DIR=$${TIERDESK_DATA_DIR:-$(CURDIR)/var}/test $(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

messages: $(VENV)/.installed-dev
	cd src/tierdesk && ../../$(BIN)/tierdesk makemessages -l ko --no-obsolete --ignore 'demo/*' && ../../$(BIN)/tierdesk compilemessages -l ko

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/inventory_pages.py

clean:
	rm -rf $(VENV) var build *.egg-info
