"""A BigQuery API on loopback for the tests: `bqemulator` (PyPI) in its own virtualenv (.venv-bqemulator, made by
`make test` and .ci/run: it pins duckdb and sqlglot versions of its own), started once per test session on a free
port of 127.0.0.1 and stopped at the end."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from loopback import free_port, stop, wait_until_listening

REPO = Path(__file__).resolve().parents[1]
BQEMULATOR = REPO / ".venv-bqemulator" / "bin" / "bqemulator"


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory):
    """The emulator's REST endpoint (http://127.0.0.1:<port>), answering; project `unitcost-test`."""
    if not BQEMULATOR.exists():
        pytest.fail(f"{BQEMULATOR} missing: run `make test` (its target bqemulator makes the virtualenv)")
    rest, grpc = free_port(), free_port()
    log = tmp_path_factory.mktemp("bqemulator") / "emulator.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BQEMULATOR), "start", "--rest-host", "127.0.0.1", "--rest-port", str(rest), "--grpc-host",
             "127.0.0.1", "--grpc-port", str(grpc), "--project", "unitcost-test", "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{rest}"
    try:
        wait_until_listening(process, rest, "bqemulator", 90, lambda: f": {log.read_text()[-2000:]}")
        yield endpoint
    finally:
        stop(process, 20)
