# make demo: set up and run monitor on the bundled news; make test: lint, types, tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint typecheck pytest bench clean

install: $(VENV)/.installed

# Each step shows its progress (issue 23: no silent wait over 5 s): venv's own call of ensurepip
# is silent for 5 s or more, so it runs on its own, with pip's output.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	$(BIN)/python -m ensurepip --upgrade --default-pip || \
	  { echo "no ensurepip in $(PYTHON): on Debian or Ubuntu, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	touch $@

demo: install
	$(BIN)/python demo/run_demo.py

lint: install
	$(BIN)/ruff check monitor tests bench demo

typecheck: install
	$(BIN)/mypy monitor

# The tests wait on servers, browsers and child processes more than they compute: 3 workers
# (pytest-xdist) take half the time of one on 2 cores; each worker starts its own PostgreSQL
# clusters, so not one a core on a large machine. `make test TEST_WORKERS=0` runs them in one.
TEST_WORKERS ?= 3

pytest: install
	$(BIN)/pytest -q -n $(TEST_WORKERS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) db/demo.db db/demo.db-wal db/demo.db-shm db/demo-feeds.yaml db/demo-feeds
