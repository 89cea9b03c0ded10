"""Pulling a day from a live OpenCost API: a small HTTP server on 127.0.0.1 serves the real reference responses and
records what it was asked; the asset saves them in the landing layout and loads them like any dump."""

from __future__ import annotations

import threading
import time
import urllib.parse
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from dagster_project.defs.kubernetes.opencost_api import OpenCostApiError, pull_missing_days
from dagster_project.lib.config import SourceConfig

DAY = date(2023, 7, 12)  # the day the reference /allocation sample's window starts


class _OpenCost(BaseHTTPRequestHandler):
    responses: dict[str, tuple[int, bytes]] = {}
    queries: list[tuple[str, dict[str, list[str]]]] = []
    headers_seen: list[str | None] = []
    delay = 0.0

    def do_GET(self):  # noqa: N802 (http.server's name)
        path, _, query = self.path.partition("?")
        type(self).queries.append((path, urllib.parse.parse_qs(query)))
        type(self).headers_seen.append(self.headers.get("Authorization"))
        time.sleep(type(self).delay)
        status, body = type(self).responses.get(path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # the timeout test hangs up on purpose
        pass


@pytest.fixture
def opencost_server(reference_data):
    handler = type("Handler", (_OpenCost,), {"queries": [], "headers_seen": [], "delay": 0.0, "responses": {
        "/allocation": (200, (reference_data / "opencost" / "allocation_7d_namespace.json").read_bytes()),
        "/assets": (200, (reference_data / "opencost" / "assets_7d_gke.json").read_bytes()),
    }})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _source(landing: Path, url: str, timeout: float = 5.0, basic_auth_env: str | None = None) -> SourceConfig:
    return SourceConfig(kind="opencost", uri=str(landing), name="opencost", url=url, cluster="eks-prod",
                        timeout_seconds=timeout, basic_auth_env=basic_auth_env)


def test_the_asset_pulls_the_day_saves_it_as_a_dump_and_loads_it(tmp_path, opencost_server, reference_data):
    url, handler = opencost_server
    config = tmp_path / "unitcost.yaml"
    config.write_text(f"start_date: 2023-07-01\nwarehouse: {{path: wh.duckdb}}\n"
                      f"sources:\n  opencost: {{uri: landing, url: '{url}', cluster: eks-prod, timeout_seconds: 5}}\n")
    from dagster_project.defs.kubernetes.assets import kubernetes_assets
    from dagster_project.defs.kubernetes.checks import kubernetes_expectation_checks
    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.lib.partitions import daily_partitions

    partitions = daily_partitions(date(2023, 7, 1))

    def materialize():
        return dg.materialize(
            [*kubernetes_assets(partitions), kubernetes_expectation_checks(partitions)], partition_key=DAY.isoformat(),
            resources={"duckdb": DuckDBResource(database=str(tmp_path / "wh.duckdb")),
                       "unitcost": UnitcostConfigResource(path=str(config))})

    first = materialize()
    assert first.success
    # the reference dump spans 7 days from 11:02: only the (non-blocking) window rule objects to it
    checks = {(e.asset_key.path[-1], e.check_name): e.passed for e in first.get_asset_check_evaluations()}
    assert {k for k, passed in checks.items() if not passed} == {("opencost_allocations", "windows_inside_their_day"),
                                                                 ("opencost_assets", "windows_inside_their_day")}
    # the day's window, unaggregated, accumulated to one set
    assert [(path, q) for path, q in handler.queries] == [
        (endpoint, {"window": ["2023-07-12T00:00:00Z,2023-07-13T00:00:00Z"], "accumulate": ["true"]})
        for endpoint in ("/allocation", "/assets")]
    saved = tmp_path / "landing" / "eks-prod" / "2023-07-12"
    assert (saved / "allocation.json").read_bytes() == handler.responses["/allocation"][1]
    assert (saved / "assets.json").read_bytes() == handler.responses["/assets"][1]
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        allocations = con.execute("select cluster, usage_date, allocation_name from raw.opencost_allocations "
                                  "order by allocation_name").fetchall()
        assets = con.execute("select count(*), sum(total_cost) from raw.opencost_assets").fetchone()
    assert allocations == [("eks-prod", DAY, n) for n in ("kube-system", "opencost", "prometheus")]
    assert assets[0] == 2 and str(assets[1]) == "0.532087000"

    # a re-run reads the saved bytes and asks the API nothing
    assert materialize().success
    assert len(handler.queries) == 2


def test_a_day_not_over_yet_is_not_pulled(tmp_path, opencost_server):
    url, handler = opencost_server
    now = datetime(2023, 7, 12, 18, tzinfo=timezone.utc)
    assert pull_missing_days(_source(tmp_path, url), [DAY], now, _Log()) == []
    assert handler.queries == []


def test_an_error_answer_names_the_endpoint_without_credentials_and_saves_nothing(tmp_path, opencost_server,
                                                                                  monkeypatch):
    url, handler = opencost_server
    handler.responses["/allocation"] = (500, b'{"code": 500, "message": "boom"}')
    monkeypatch.setenv("OPENCOST_AUTH", "admin:s3cret")
    with pytest.raises(OpenCostApiError) as excinfo:
        pull_missing_days(_source(tmp_path, url, basic_auth_env="OPENCOST_AUTH"), [DAY], datetime.now(timezone.utc),
                          _Log())
    message = str(excinfo.value)
    assert handler.headers_seen[-1] == "Basic YWRtaW46czNjcmV0"  # admin:s3cret, sent as HTTP basic auth
    assert f"{url}/allocation" in message and "HTTP 500" in message
    assert "s3cret" not in message and "admin" not in message and "window" not in message
    assert not any(tmp_path.rglob("*.json"))


def test_an_error_envelope_with_http_200_is_not_saved_as_a_dump(tmp_path, opencost_server):
    url, handler = opencost_server
    handler.responses["/allocation"] = (200, b'{"code": 400, "message": "Error parsing window"}')
    with pytest.raises(OpenCostApiError, match="code 400.*Error parsing window"):
        pull_missing_days(_source(tmp_path, url), [DAY], datetime.now(timezone.utc), _Log())
    assert not any(tmp_path.rglob("*.json"))


def test_a_slow_api_times_out_naming_the_endpoint(tmp_path, opencost_server):
    url, handler = opencost_server
    handler.delay = 2.0
    with pytest.raises(OpenCostApiError, match=r"cannot reach OpenCost at http://127\.0\.0\.1:\d+/allocation .*"
                                                r"timeout 0\.3 s"):
        pull_missing_days(_source(tmp_path, url, timeout=0.3), [DAY], datetime.now(timezone.utc), _Log())


def test_url_needs_an_opencost_entry_with_a_cluster(tmp_path):
    from dagster_project.lib.config import ConfigError, parse_config

    with pytest.raises(ConfigError, match="cluster"):
        parse_config({"sources": {"opencost": {"uri": "x", "url": "http://opencost:9003"}}}, tmp_path)
    with pytest.raises(ConfigError, match="opencost entry"):
        parse_config({"sources": {"kubernetes": {"uri": "x", "url": "http://opencost:9003", "cluster": "c"}}},
                     tmp_path)
    source = parse_config({"sources": {"opencost": {"uri": "x", "url": "http://opencost:9003/", "cluster": "c"}}},
                          tmp_path).sources_of("opencost")[0]
    assert (source.url, source.cluster, source.timeout_seconds) == ("http://opencost:9003", "c", 120.0)


class _Log:
    def info(self, message):
        pass

    def warning(self, message):
        pass


def test_credentials_written_into_the_url_are_refused_without_echoing_them(tmp_path):
    from dagster_project.lib.config import ConfigError, parse_config

    raw = {"start_date": "2023-07-01", "sources": {"opencost": {
        "uri": "landing/opencost", "url": "http://admin:s3cret@opencost:9003", "cluster": "eks-prod"}}}
    with pytest.raises(ConfigError, match="basic_auth_env") as excinfo:
        parse_config(raw, tmp_path, tmp_path / "unitcost.yaml")
    assert "s3cret" not in str(excinfo.value)
