# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := demo

.PHONY: setup demo test check-defs clean

$(BIN)/unitcost: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/unitcost

setup: $(BIN)/unitcost

demo: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/unitcost demo --out $(DEMO_DIR)

test: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest -q -n 2

check-defs: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/unitcost check

clean:
	rm -rf $(VENV) $(DEMO_DIR) dbt/target dbt/logs
