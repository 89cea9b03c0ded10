# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := demo

.PHONY: setup bqemulator demo test check-defs bench clean

$(BIN)/unitcost: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/unitcost

setup: $(BIN)/unitcost

# The BigQuery API on loopback the tests run against (tests/bigquery_emulator.py), in a virtualenv of its own: it
# pins duckdb 1.5.5 and sqlglot < 30.12. DuckDB's spatial extension ships as a package (nothing is downloaded).
BQEMU := .venv-bqemulator
$(BQEMU)/bin/bqemulator:
	$(PYTHON) -m venv $(BQEMU)
	$(BQEMU)/bin/pip install --quiet --upgrade pip
	$(BQEMU)/bin/pip install --quiet bqemulator==1.4.0 duckdb==1.5.5 duckdb-extension-spatial==1.5.5 \
		duckdb-extensions==1.5.5 numpy
	$(BQEMU)/bin/python -c "import duckdb_extensions; duckdb_extensions.import_extension('spatial')"
	touch $@

bqemulator: $(BQEMU)/bin/bqemulator

demo: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/unitcost demo --out $(DEMO_DIR)

test: setup bqemulator
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pytest -q -n 2

check-defs: setup
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/unitcost check

# issue 13's benchmark (benchmarks/run.py): generates the M month (90 days of history) under /tmp/unitcost-bench,
# runs the pipeline on it as a user would and rewrites BENCHMARKS.md; `make bench STAGES=floor,m` runs some stages
STAGES ?= floor,m,alloc,daily,l,bq,demo
bench: setup
	$(BIN)/python -c "import psutil" 2>/dev/null || $(BIN)/pip install --quiet -e '.[bench]'
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python benchmarks/run.py --stages $(STAGES)

clean:
	rm -rf $(VENV) $(BQEMU) $(DEMO_DIR) dbt/target dbt/logs
