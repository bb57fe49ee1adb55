# Quick start: `make run` (embedded default) and `make test` (the whole suite, SQLite and PostgreSQL).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint services system-deps bench clean

$(BIN)/python:
	$(shell command -v $(PY) >/dev/null 2>&1 && echo $(PY) || echo python3) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing mingbai and its dependencies (pyproject.toml) into $(VENV)"
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	@echo "installing mingbai with its [dev] extras (pytest, ruff, mypy, playwright without a browser download) into $(VENV)"
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/mingbai serve

services:
	@bash scripts/services.sh

system-deps:
	@bash scripts/system-deps.sh

test: $(DEV_STAMP) services system-deps
	@echo "running the suite on SQLite, then the database tests on PostgreSQL (Redis and PostgreSQL on 127.0.0.1)"
	MINGBAI_TEST_DB=sqlite $(BIN)/python -m pytest -q
	MINGBAI_TEST_DB=postgres $(BIN)/python -m pytest -q -m db

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot handlers knowledge models services queries reports sheets demo tests bench
	$(BIN)/mypy bot handlers knowledge models services queries reports sheets demo

bench: $(DEV_STAMP)
	$(BIN)/python bench/callback.py

clean:
	rm -rf $(VENV) var .pytest_cache
