"""Shared fixtures: the upstream reference samples, a real S3 API on loopback (moto's server mode) started once
per test session, and the demo's output (`unitcost demo`, built once per session: tests/demo_pipeline.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from loopback import free_port, stop, wait_until_listening

REFERENCE_DATA = Path(__file__).resolve().parent / "fixtures" / "reference"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo's landing zone, warehouse, serving copy and dbt docs, as `make demo` builds them (read only)."""
    from demo_pipeline import build_demo

    # under pytest-xdist each worker has its own base temp folder inside the session's: build in the session's
    base = tmp_path_factory.getbasetemp()
    return build_demo((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "unitcost-demo")


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """Real upstream samples of every input format, each with a .source.txt (tests/fixtures/reference/README.md)."""
    return REFERENCE_DATA


def _moto_server_command() -> str:
    beside_python = Path(sys.executable).parent / "moto_server"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server not found: install the dev extra (pip install -e '.[dev]')")
    return found


@pytest.fixture(scope="session")
def moto_server():
    """The endpoint URL of a moto S3 server on 127.0.0.1 (a free port), with dummy credentials in the env.

    The credentials are set with a MonkeyPatch owned by this fixture and removed at teardown, so no test can
    reach a real AWS account through this server's clients.
    """
    port = free_port()
    process = subprocess.Popen(
        [_moto_server_command(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(process, port, "moto_server", 30)
        with pytest.MonkeyPatch.context() as env:
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
                env.delenv(name, raising=False)
            env.setenv("AWS_ACCESS_KEY_ID", "testing")
            env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
            env.setenv("AWS_DEFAULT_REGION", "us-east-1")
            yield f"http://127.0.0.1:{port}"
    finally:
        stop(process, 10)


@pytest.fixture
def s3_bucket(moto_server, request):
    """A fresh, empty bucket on the moto server: (endpoint_url, bucket name, boto3 client)."""
    import boto3

    client = boto3.client("s3", endpoint_url=moto_server)
    slug = "".join(ch if ch.isalnum() else "-" for ch in request.node.name.lower())[:30].strip("-")
    name = f"unitcost-{slug}-{uuid.uuid4().hex[:8]}"
    client.create_bucket(Bucket=name)
    return moto_server, name, client


@pytest.fixture(scope="session")
def project_unit_tests(tmp_path_factory) -> dict[str, str]:
    """{name: status} of every dbt unit test of the project, built once per session under a config unlike the
    default (tests/dbt_build.py)."""
    from dbt_build import UNLIKE_THE_DEFAULT, dbt_build_unit_tests, empty_warehouse

    work = tmp_path_factory.mktemp("dbt_unit_tests")
    return dbt_build_unit_tests(work, empty_warehouse(work / "unit.duckdb"), "fqn:*", UNLIKE_THE_DEFAULT, check=False)
