"""What the test servers on 127.0.0.1 share (moto's S3, the BigQuery emulator): a free port, and waiting until the
started process listens on it."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(process: subprocess.Popen, port: int, name: str, seconds: float, detail=lambda: "") -> None:
    """Return once `process` accepts connections on 127.0.0.1:`port`; fail the test if it exits or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with code {process.returncode} before listening on port {port}{detail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not listen on 127.0.0.1:{port} within {seconds:g} s")
            time.sleep(0.1)


def stop(process: subprocess.Popen, seconds: float) -> None:
    """Terminate `process`, and kill it if it has not exited within `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
