"""great-expectations over a run of many days (lib/table_rules.py): the days are validated together, and a rule that
fails there is reported day by day exactly as validating each day alone reports it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from dagster_project.defs.kubernetes import expectations as gx_k8s
from dagster_project.lib.warehouse import replace_days
from ingest.schemas import OPENCOST_ALLOCATIONS, conform
from test_kubernetes_checks import _at, allocation

DAYS = [date(2026, 10, 2) + timedelta(days=i) for i in range(3)]


def _load(con, rows):
    frame = conform(pl.DataFrame(rows, infer_schema_length=None), OPENCOST_ALLOCATIONS)
    replace_days(con, "opencost_allocations", OPENCOST_ALLOCATIONS, "usage_date", DAYS, frame)


def _day_rows(day: date, **overrides) -> list[dict]:
    return [allocation(usage_date=day, window_start=_at(0, day), window_end=_at(0, day + timedelta(days=1)),
                       running_start=_at(0, day), running_end=_at(12, day), pod=f"api-{i}",
                       allocation_name=f"prod/n1/shop/api-{i}/app", **overrides) for i in range(2)]


def _outcomes(con, days):
    return {rule: (o.passed, o.periods, o.rows, o.failures) for rule, o in gx_k8s.validate_days(
        con, "opencost_allocations", days).items()}


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        yield connection


def test_passing_days_count_every_day_and_row(con):
    _load(con, [row for day in DAYS for row in _day_rows(day)])
    outcomes = _outcomes(con, DAYS)
    assert set(outcomes) == {"costs_not_negative", "keys_present", "windows_inside_their_day"}
    assert all(o == (True, 3, 6, []) for o in outcomes.values())


def test_a_failure_on_one_day_names_that_day_as_a_per_day_validation_does(con):
    rows = _day_rows(DAYS[0]) + _day_rows(DAYS[1], ram_cost=Decimal("-0.25")) + _day_rows(DAYS[2])
    _load(con, rows)
    together = _outcomes(con, DAYS)
    passed, periods, counted, failures = together["costs_not_negative"]
    assert (passed, periods, counted) == (False, 3, 6)
    assert [f["usage_date"] for f in failures] == ["2026-10-03"]
    assert failures[0]["failed"][0]["column"] == "ram_cost" and failures[0]["failed"][0]["unexpected_count"] == 2
    # the same as validating the days one at a time
    alone = [_outcomes(con, [day]) for day in DAYS]
    for rule, (passed, periods, counted, failures) in together.items():
        assert passed == all(a[rule][0] for a in alone)
        assert periods == sum(a[rule][1] for a in alone) and counted == sum(a[rule][2] for a in alone)
        assert failures == [f for a in alone for f in a[rule][3]]
