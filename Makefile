# Peerlift — the two commands: `make run` (tool + sandbox LMS demo) and `make test`.
# Both create .venv and install the pinned dependencies (requirements.lock) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)
PORT ?= 5000
export FLASK_APP := lti_app

.PHONY: run test lint bench install db clean-demo screenshots

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

## Run the tool with the built-in sandbox LMS on http://localhost:$(PORT)/
run: install
	@export PEERLIFT_BASE_URL=$${PEERLIFT_BASE_URL:-http://localhost:$(PORT)} && \
	$(BIN)/flask db upgrade && \
	$(BIN)/flask sandbox register && \
	echo "Peerlift: $$PEERLIFT_BASE_URL/  — the sandbox course: $$PEERLIFT_BASE_URL/sandbox/" && \
	$(BIN)/flask run --port $(PORT) --with-threads

## Run the whole test suite (PostgreSQL/Redis tests skip when those are absent, except in CI)
## on every core (PYTEST_WORKERS=0: in one process); PYTEST_ARGS adds pytest options.
PYTEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Lint and type-check
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Launch benchmark (needs PostgreSQL and Redis; see bench/README.md)
bench: install
	bench/launch $(BENCH_ARGS)

## Screenshots of every page type in the sandbox LMS frame at 800 and 1280 px (docs/screenshots/)
screenshots: install
	$(BIN)/python docs/screenshots/capture.py

## Forget the demo data (tool database and sandbox state) for a fresh start
clean-demo:
	rm -f instance/peerlift.db instance/sandbox-state.json
