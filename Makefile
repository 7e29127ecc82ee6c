# make demo: set up and run monitor on the bundled news; make test: lint, types, tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint typecheck pytest bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/python demo/run_demo.py

lint: install
	$(BIN)/ruff check monitor tests bench demo

typecheck: install
	$(BIN)/mypy monitor

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

clean:
	rm -rf $(VENV) db/demo.db db/demo.db-wal db/demo.db-shm db/demo-feeds.yaml db/demo-feeds
