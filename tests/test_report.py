"""The daily report (docs/report.md): built from the demo's serving copy, opened from disk in headless Chromium,
and read back against the marts; the money formatter and the report day it defaults to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from report_browser import open_report

from dagster_project.cli import main
from dagster_project.lib.config import parse_config
from dagster_project.lib.errors import ConfigError
from dagster_project.report.build import build_report
from dagster_project.report.data import ReportDateError, report_day
from dagster_project.report.money import money

# every chart the page draws from the demo (each section has data there)
DEMO_CHARTS = {"cost-by-category", "cost-by-type", "top-tenants", "losing-money", "plan-margin", "ai-by-feature",
               "ai-by-model", "cost-per-1k-tokens", "cache-hit-rate", "cost-per-request", "budget-burn",
               "unattributed-cost"}


def _marts_figures(serving: Path) -> dict:
    """The headline figures, read straight from the marts the page does not read them from where possible."""
    with duckdb.connect(str(serving), read_only=True) as con:
        day = con.execute("select max(usage_date) from marts.cost_ledger").fetchone()[0]
        month = day.replace(day=1)
        total = con.execute("select sum(amount_usd) from marts.cost_ledger where usage_date between ? and ?",
                            [month, day]).fetchone()[0]
        ledger, bill, off = con.execute(
            "select sum(ledger_total_usd), sum(effective_cost_usd), count(*) filter (where diff_usd <> 0) "
            "from marts.bill_reconciliation_daily where usage_date between ? and ?", [month, day]).fetchone()
        top = con.execute(
            "select tenant_id, sum(amount_usd) from marts.cost_ledger where usage_date between ? and ? "
            "and tenant_id not in ('__idle__', '__unallocated__') group by 1 order by 2 desc limit 1",
            [month, day]).fetchone()
    return {"day": day, "total": total, "ledger": ledger, "bill": bill, "days_off": off, "top": top}


def test_report_opens_offline_in_chromium_with_every_chart_and_the_marts_numbers(demo, tmp_path):
    # the run itself wrote the demo's report (the report step after the serving copy), and the demo said where
    assert f"open {demo.root / 'report' / 'index.html'} in a browser" in demo.summary
    assert (demo.root / "report" / "index.html").stat().st_size > 0

    path = build_report(demo.serving, tmp_path / "report")
    figures = _marts_figures(demo.serving)
    with open_report(path) as opened:
        page = opened.page
        assert opened.console_errors == []
        assert all(url.startswith("file://") for url in opened.requests), opened.requests  # nothing fetched
        charts = page.locator("figure.chart")
        assert {charts.nth(i).get_attribute("id") for i in range(charts.count())} == DEMO_CHARTS
        for i in range(charts.count()):
            svg = charts.nth(i).locator("svg").first
            box = svg.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50, charts.nth(i).get_attribute("id")
            assert svg.locator("path, rect, line").count() > 0  # marks drawn, not an empty frame

        assert f"daily report: {figures['day']}" in page.locator("h1").inner_text()
        assert page.locator("#total-cost").inner_text() == money(figures["total"])
        tie = page.locator("#ledger-vs-bill")
        assert figures["days_off"] == 0 and "ok" in tie.get_attribute("class").split()
        assert tie.inner_text().startswith(
            f"Ledger {money(figures['ledger'])} vs bill {money(figures['bill'])}: difference $0.00")
        first = page.locator("#top-tenants-table tbody tr").first.locator("td")
        tenant_id, cost = figures["top"]
        assert (first.nth(0).inner_text(), first.nth(3).inner_text()) == (tenant_id, money(cost))
        page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000


@pytest.mark.parametrize(("amount", "places", "text"), [
    (Decimal("3824.155"), 2, "$3,824.16"),  # half away from zero, like the invoice
    (Decimal("-12.345"), 2, "-$12.35"),
    (Decimal("1234567.004999999"), 2, "$1,234,567.00"),  # never abbreviated ($1.2M)
    (Decimal("-0.004"), 2, "$0.00"),  # no "-$0.00"
    (0, 2, "$0.00"),
    (Decimal("0.000412345"), 6, "$0.000412"),  # a unit cost, in full
    (None, 2, "–"),
])
def test_money_is_written_in_full_to_the_cent(amount, places, text):
    assert money(amount, places) == text


def _serving_with_days(path: Path, days: list[str]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.cost_ledger (usage_date date, amount_usd decimal(38, 9))")
        for day in days:
            con.execute("insert into marts.cost_ledger values (?, 1)", [day])
    return path


def test_report_day_defaults_to_the_latest_built_usage_date_not_the_clock(tmp_path):
    serving = _serving_with_days(tmp_path / "serving.duckdb", ["2026-10-01", "2026-10-03"])
    with duckdb.connect(str(serving), read_only=True) as con:
        assert report_day(con, None) == date(2026, 10, 3)
        assert report_day(con, date(2026, 10, 1)) == date(2026, 10, 1)
        with pytest.raises(ReportDateError, match=r"--date 2026-10-02: not a built day .*2026-10-01 \.\. 2026-10-03"):
            report_day(con, date(2026, 10, 2))


def test_report_of_an_empty_serving_copy_says_to_run_the_pipeline(tmp_path):
    serving = _serving_with_days(tmp_path / "serving.duckdb", [])
    with duckdb.connect(str(serving), read_only=True) as con, pytest.raises(ReportDateError, match="no built day"):
        report_day(con, None)


def test_unitcost_report_refuses_a_day_the_ledger_has_not_built(demo, capsys):
    with pytest.raises(SystemExit, match=r"--date 2027-01-01: not a built day \(the ledger has 2026-10-01"):
        main(["report", "--config", str(demo.config_path), "--date", "2027-01-01"])


def test_report_path_is_relative_to_the_config_folder_and_defaults_to_report(tmp_path):
    config = tmp_path / "unitcost.yaml"

    def folder(**raw) -> Path:
        return parse_config({"start_date": "2026-10-01", **raw}, tmp_path, config).report_folder

    assert folder() == tmp_path / "report"
    assert folder(report={"path": "site/daily"}) == tmp_path / "site" / "daily"
    assert folder(report={"path": "/srv/report"}) == Path("/srv/report")
    with pytest.raises(ConfigError, match=r"report\.title: unknown key"):
        folder(report={"title": "x"})
    with pytest.raises(ConfigError, match=r"report\.path is 3 \(expected a string\)"):
        folder(report={"path": 3})


def test_report_step_of_a_run_that_built_no_day_writes_nothing_and_does_not_fail(tmp_path):
    import dagster as dg

    from dagster_project.defs.report.assets import daily_report
    from dagster_project.defs.resources import UnitcostConfigResource

    config = tmp_path / "unitcost.yaml"
    config.write_text("start_date: 2026-10-01\nwarehouse: {serving_path: serving.duckdb}\nreport: {path: site}\n")
    _serving_with_days(tmp_path / "serving.duckdb", [])
    result = daily_report(dg.build_asset_context(), UnitcostConfigResource(path=str(config)))
    assert result.metadata == {"written": False}
    assert not (tmp_path / "site").exists()


def test_a_value_the_mart_leaves_empty_is_an_en_dash_in_a_table():
    from dagster_project.report.page import _table
    from dagster_project.report.sections import Table

    html = _table(Table("plans-table", "Plans", ("plan", "role", "margin"), [("free", None, "-$76.59")], "none"))
    assert "<td>free</td><td class=num>–</td><td class=num>-$76.59</td>" in html
