"""A BigQuery API on loopback for the tests: `bqemulator` (PyPI) in its own virtualenv (.venv-bqemulator, made by
`make test` and .ci/run: it pins duckdb and sqlglot versions of its own), started once per test session on a free
port of 127.0.0.1 and stopped at the end."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BQEMULATOR = REPO / ".venv-bqemulator" / "bin" / "bqemulator"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def bigquery_emulator(tmp_path_factory):
    """The emulator's REST endpoint (http://127.0.0.1:<port>), answering; project `unitcost-test`."""
    if not BQEMULATOR.exists():
        pytest.fail(f"{BQEMULATOR} missing: run `make test` (its target bqemulator makes the virtualenv)")
    rest, grpc = _free_port(), _free_port()
    log = tmp_path_factory.mktemp("bqemulator") / "emulator.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BQEMULATOR), "start", "--rest-host", "127.0.0.1", "--rest-port", str(rest), "--grpc-host",
             "127.0.0.1", "--grpc-port", str(grpc), "--project", "unitcost-test", "--log-level", "warning"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{rest}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"bqemulator exited with code {process.returncode}: {log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", rest), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"bqemulator did not listen on 127.0.0.1:{rest} within 90 s")
                time.sleep(0.2)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
