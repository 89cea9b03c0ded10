"""Alerts delivered (docs/marts.md, Alerts): each new kill switch, cost alert and budget at risk (or over) is posted
once to the configured webhook - here an HTTP server on 127.0.0.1 started by the test - as Slack-compatible JSON,
never twice for the same row, across calls, re-runs and failures; the URL (a secret) is never logged."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from dagster_project.defs.alerts.assets import webhook_posts
from dagster_project.defs.resources import UnitcostConfigResource

SECRET = "T0000/B0000/s3cr3t-webhook-token"
HOOK_ENV = "UNITCOST_TEST_ALERT_WEBHOOK"


class Hook:
    """A webhook receiver: every POST body it got, and the status it answers with (a list, consumed in order)."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.statuses: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = hook.statuses.pop(0) if hook.statuses else 200
                if status == 200:
                    hook.bodies.append(body)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/{SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [b["text"] for b in self.bodies]


@pytest.fixture
def hook(monkeypatch):
    receiver = Hook()
    monkeypatch.setenv(HOOK_ENV, receiver.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield receiver
    receiver.server.shutdown()


ANOMALIES = """create table marts.cost_anomalies (usage_date date, scope_type varchar, scope_id varchar,
    cost_usd decimal(38,9), trailing_7d_avg_usd decimal(38,9), ratio double, severity varchar)"""
BUDGETS = """create table marts.budget_burn_quarterly (usage_quarter date, feature_id varchar, scope varchar,
    budget_usd decimal(38,9), spend_to_date_usd decimal(38,9), projected_spend_usd decimal(38,9),
    projected_pct_of_budget double, as_of_date date, status varchar)"""


@pytest.fixture
def company(tmp_path):
    """A warehouse with the two alerting marts, and a config naming the webhook's variable."""
    warehouse = tmp_path / "unitcost.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(ANOMALIES)
        con.execute(BUDGETS)
        con.execute("""insert into marts.cost_anomalies values
            ('2026-10-08', 'tenant', 't021', 80.5, 12.25, 6.571428571, 'kill_switch'),
            ('2026-10-08', 'model', 'gpt-4o', 3.1, 2.0, 1.55, 'alert'),
            ('2026-10-08', 'feature', 'chat', 1.0, 0, null, 'new_spend')""")
        con.execute("""insert into marts.budget_burn_quarterly values
            ('2026-10-01', 'chat', 'ai', 2100, 302.5, 1986.123456789, 0.945773075, '2026-10-14', 'at_risk'),
            ('2026-10-01', 'search', 'ai', 600, 8.6, 57.44, 0.0957, '2026-10-14', 'on_track')""")
    config = tmp_path / "unitcost.yaml"
    config.write_text(f"start_date: 2026-10-01\nwarehouse: {{path: {warehouse}}}\n"
                      f"alerts: {{webhook_url_env: {HOOK_ENV}, timeout_seconds: 5}}\n")
    return SimpleNamespace(warehouse=warehouse, config=config)


def post_new(company) -> dg.MaterializeResult:
    context = SimpleNamespace(log=logging.getLogger("unitcost.test.alerts"))
    return webhook_posts(context, DuckDBResource(database=str(company.warehouse)),
                         UnitcostConfigResource(path=str(company.config)))


def test_each_alerting_row_is_posted_once_as_slack_text_with_the_row(company, hook):
    post_new(company)
    assert hook.texts() == [
        ":rotating_light: *Kill-switch candidate*: tenant `t021` cost $80.50 on 2026-10-08, 6.6× its 7-day "
        "average of $12.25",
        ":warning: *Cost alert*: model `gpt-4o` cost $3.10 on 2026-10-08, 1.6× its 7-day average of $2.00",
        ":warning: *Budget at risk*: feature `chat` (ai cost), Q4 2026: projected $1,986.12 of $2,100.00 (95%), "
        "$302.50 spent by 2026-10-14",
    ]
    assert hook.bodies[0]["unitcost"] == {
        "kind": "anomaly", "alert_key": "anomaly|2026-10-08|tenant|t021|kill_switch", "usage_date": "2026-10-08",
        "scope_type": "tenant", "scope_id": "t021", "cost_usd": "80.500000000", "trailing_7d_avg_usd": "12.250000000",
        "ratio": 6.571428571, "severity": "kill_switch"}
    assert hook.bodies[2]["unitcost"]["projected_spend_usd"] == "1986.123456789"

    # the next run: nothing new, nothing posted
    post_new(company)
    assert len(hook.bodies) == 3

    # a new anomaly, and a budget whose status moves from at_risk to over: only those two
    with duckdb.connect(str(company.warehouse)) as con:
        con.execute("insert into marts.cost_anomalies values "
                    "('2026-10-09', 'tenant', 't021', 99, 20, 4.95, 'kill_switch')")
        con.execute("update marts.budget_burn_quarterly set status = 'over', projected_spend_usd = 2200 "
                    "where feature_id = 'chat'")
        posted = {r[0] for r in con.execute("select alert_key from alerts.webhook_deliveries").fetchall()}
    assert posted == {"anomaly|2026-10-08|tenant|t021|kill_switch", "anomaly|2026-10-08|model|gpt-4o|alert",
                      "budget|2026-10-01|chat|ai|at_risk"}
    post_new(company)
    assert [b["unitcost"]["alert_key"] for b in hook.bodies[3:]] == [
        "anomaly|2026-10-09|tenant|t021|kill_switch", "budget|2026-10-01|chat|ai|over"]
    assert hook.texts()[4].startswith(":fire: *Budget over*: feature `chat`")


def test_a_refused_post_stops_the_step_keeps_what_was_posted_and_never_shows_the_url(company, hook, caplog):
    hook.statuses = [200, 500]
    with caplog.at_level(logging.DEBUG), pytest.raises(dg.Failure) as excinfo:
        post_new(company)
    assert "the alert webhook answered HTTP 500: 1 of 3 new alerts posted" in str(excinfo.value.description)
    assert len(hook.bodies) == 1

    # the next run posts the two that were left, not the first again
    post_new(company)
    assert [b["unitcost"]["alert_key"] for b in hook.bodies] == [
        "anomaly|2026-10-08|tenant|t021|kill_switch", "anomaly|2026-10-08|model|gpt-4o|alert",
        "budget|2026-10-01|chat|ai|at_risk"]
    assert SECRET not in str(excinfo.value) and SECRET not in caplog.text


def test_an_unreachable_webhook_is_named_without_its_url(company, hook, monkeypatch):
    monkeypatch.setenv(HOOK_ENV, f"http://127.0.0.1:9/services/{SECRET}")  # the discard port: nothing listens
    with pytest.raises(dg.Failure) as excinfo:
        post_new(company)
    assert "the alert webhook could not be reached" in excinfo.value.description
    assert SECRET not in excinfo.value.description


def test_without_a_webhook_nothing_is_posted_or_remembered(company, hook, monkeypatch):
    monkeypatch.delenv(HOOK_ENV)
    result = post_new(company)
    assert result.metadata["not_posted"] == 3 and hook.bodies == []
    monkeypatch.setenv(HOOK_ENV, hook.url)
    post_new(company)
    assert len(hook.bodies) == 3


def write_spike_company(root: Path, alerts: str = "") -> Path:
    """One tenant (acme, pro, MRR 100) and one feature (chat, a total budget of 100 for October) on a cloud bill of
    10.00 a day from Oct 1 to 8 and 60.00 on Oct 9; the config, with `alerts` appended."""
    from test_bill_ingest import cur2_row, write_cur2_delivery
    from test_bill_pipeline import write_config

    config = write_config(root, "{uri: landing/cur, name: cur}")
    config.write_text(config.read_text() + "  business: {uri: landing/business}\n" + alerts)
    business = root / "landing" / "business"
    business.mkdir(parents=True)
    (business / "tenants.csv").write_text("tenant_id,tenant_name,plan\nacme,Acme,pro\n")
    (business / "revenue.csv").write_text("month,tenant_id,mrr_usd\n2026-10,acme,100\n")
    (business / "budgets.csv").write_text("month,feature_id,budget_usd,scope\n2026-10,chat,100,total\n")
    tags = [("user_tenant", "acme"), ("user_feature", "chat")]
    rows = [cur2_row("10.00" if day < 9 else "60.00", f"2026-10-{day:02d}T05:00:00", resource_tags=tags)
            for day in range(1, 10)]
    write_cur2_delivery(root / "landing" / "cur", "2026-10", "exec-1", [rows], "20261010T010000Z")
    return config


@pytest.mark.slow
def test_a_spike_is_posted_after_the_daily_run_and_a_rerun_posts_nothing_again(tmp_path, hook):
    from dagster_project.cli import run_pipeline

    config = write_spike_company(tmp_path / "company", f"alerts: {{webhook_url_env: {HOOK_ENV}}}\n")
    # 7 x 60 > 4 x 70 (the week before): a kill switch for acme and for chat
    first = run_pipeline(str(config), date(2026, 10, 1), date(2026, 10, 9), raise_on_error=False)
    assert first.success
    assert [b["unitcost"]["alert_key"] for b in hook.bodies] == [
        "anomaly|2026-10-09|feature|chat|kill_switch", "anomaly|2026-10-09|tenant|acme|kill_switch",
        "budget|2026-10-01|chat|total|over"]
    assert hook.bodies[1]["unitcost"]["cost_usd"] == "60.000000000"
    assert hook.bodies[1]["unitcost"]["trailing_7d_avg_usd"] == "10.000000000"
    # quarter to date 140; run rate over Oct 3 .. 9 = 120 / 7; 83 days to project: 140 + 120 x 83 / 7
    assert Decimal(hook.bodies[2]["unitcost"]["projected_spend_usd"]) == Decimal("1562.857142857")

    again = run_pipeline(str(config), date(2026, 10, 9), date(2026, 10, 9), raise_on_error=False)
    assert again.success and len(hook.bodies) == 3
    logged = " ".join(str(e) for run in (first, again) for e in run.all_events)
    assert SECRET not in logged
