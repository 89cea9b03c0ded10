"""The Kubernetes raw tables' great-expectations rules: each one fires on the row that breaks it, only the run's days
are validated, and the blocking ones are blocking asset checks of their raw assets."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.defs.kubernetes import expectations as gx_k8s
from dagster_project.lib.warehouse import replace_days
from ingest.schemas import K8S_OBJECTS, OPENCOST_ALLOCATIONS, OPENCOST_ASSETS, conform

DAY = date(2026, 10, 2)
SCHEMAS = {"opencost_allocations": OPENCOST_ALLOCATIONS, "opencost_assets": OPENCOST_ASSETS,
           "k8s_objects": K8S_OBJECTS}


def _at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).replace(hour=hour)


def allocation(**overrides) -> dict:
    row = {"cluster": "prod", "usage_date": DAY, "window_start": _at(0), "window_end": datetime(2026, 10, 3,
           tzinfo=timezone.utc), "running_start": _at(0), "running_end": _at(12),
           "allocation_name": "prod/n1/shop/api-1/app", "node": "n1", "namespace": "shop", "pod": "api-1",
           "container": "app", "cpu_cost": Decimal("1.5"), "cpu_cost_adjustment": Decimal("-0.1"),
           "ram_cost": Decimal("0.5"), "gpu_cost": Decimal(0), "total_cost": Decimal("2.0"), "source_file": "a.json"}
    return row | overrides


def asset(**overrides) -> dict:
    row = {"cluster": "prod", "usage_date": DAY, "window_start": _at(0),
           "window_end": datetime(2026, 10, 3, tzinfo=timezone.utc), "asset_key": "AWS/1/n1", "asset_type": "Node",
           "name": "n1", "provider_id": "i-1", "cpu_cost": Decimal(3), "ram_cost": Decimal(1), "gpu_cost": Decimal(0),
           "total_cost": Decimal(4), "source_file": "assets.json"}
    return row | overrides


def k8s_object(**overrides) -> dict:
    row = {"cluster": "prod", "snapshot_at": _at(6), "usage_date": DAY, "kind": "Pod", "namespace": "shop",
           "name": "api-1", "uid": "u-1", "labels": "{}", "source_file": "prod/2026-10-02T06-00-00Z/objects.json"}
    return row | overrides


def failing(con, table: str, rows: list[dict], days=(DAY,)) -> dict[str, list]:
    """Load `rows` as raw.<table> (the days they fall on) and return {failing rule: its failures}."""
    frame = conform(pl.DataFrame(rows, infer_schema_length=None), SCHEMAS[table])
    replace_days(con, table, SCHEMAS[table], "usage_date", sorted({r["usage_date"] for r in rows}), frame)
    outcomes = gx_k8s.validate_days(con, table, list(days))
    return {rule: o.failures for rule, o in outcomes.items() if not o.passed}


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as connection:
        yield connection


def test_good_rows_pass_every_rule(con):
    assert failing(con, "opencost_allocations", [allocation(), allocation(
        allocation_name="__idle__", node=None, namespace=None, pod=None, container=None)]) == {}
    assert failing(con, "opencost_assets", [asset(), asset(asset_type="Disk", name=None, provider_id=None,
                                                           asset_key="AWS/1/vol")]) == {}
    assert failing(con, "k8s_objects", [k8s_object(), k8s_object(snapshot_at=_at(12)),
                                        k8s_object(kind="Namespace", namespace=None, name="shop", uid="u-ns")]) == {}


@pytest.mark.parametrize(("row", "rule", "example"), [
    (allocation(ram_cost=Decimal("-0.5")), "costs_not_negative", "-0.5"),
    # cost + adjustment is the pod's weight on its node
    (allocation(cpu_cost_adjustment=Decimal("-2.5")), "costs_not_negative", "-0.5"),
    (allocation(node=None), "keys_present", "prod/n1/shop/api-1/app"),
    (allocation(running_end=datetime(2026, 10, 3, 1, tzinfo=timezone.utc)), "windows_inside_their_day",
     "prod/n1/shop/api-1/app"),
    (allocation(window_start=_at(0, date(2026, 10, 1))), "windows_inside_their_day", "prod/n1/shop/api-1/app"),
])
def test_each_allocation_rule_fires_on_the_row_that_breaks_it(con, row, rule, example):
    failures = failing(con, "opencost_allocations", [allocation(pod="api-2", allocation_name="prod/n1/shop/api-2/a"),
                                                     row])
    assert set(failures) == {rule}
    (day,) = failures[rule]
    assert day["usage_date"] == "2026-10-02"
    assert any(example in e for f in day["failed"] for e in f["examples"])


@pytest.mark.parametrize(("row", "rule", "example"), [
    (asset(total_cost=Decimal(-4)), "costs_not_negative", "-4"),
    (asset(name=None, provider_id=None), "keys_present", "AWS/1/n1"),
    (asset(window_end=datetime(2026, 10, 9, tzinfo=timezone.utc)), "windows_inside_their_day", "AWS/1/n1"),
])
def test_each_asset_rule_fires_on_the_row_that_breaks_it(con, row, rule, example):
    failures = failing(con, "opencost_assets", [row])
    assert set(failures) == {rule}
    assert any(example in e for f in failures[rule][0]["failed"] for e in f["examples"])


@pytest.mark.parametrize(("rows", "rule", "example"), [
    ([k8s_object(uid=None)], "keys_present", "Pod shop/api-1 in prod/2026-10-02T06-00-00Z/objects.json"),
    ([k8s_object(namespace=None)], "keys_present", "Pod api-1"),
    ([k8s_object(), k8s_object(name="api-2")], "uids_unique_per_snapshot", "u-1 in prod/"),
])
def test_each_object_rule_fires_on_the_row_that_breaks_it(con, rows, rule, example):
    failures = failing(con, "k8s_objects", rows)
    assert set(failures) == {rule}
    assert any(example in e for f in failures[rule][0]["failed"] for e in f["examples"])


def test_a_uid_repeated_across_batches_of_one_snapshot_still_fires(con):
    rows = [k8s_object(uid=f"u-{i}", name=f"p-{i}") for i in range(5)] + [k8s_object(uid="u-0", name="again")]
    frame = conform(pl.DataFrame(rows), K8S_OBJECTS)
    replace_days(con, "k8s_objects", K8S_OBJECTS, "usage_date", [DAY], frame)
    outcomes = gx_k8s.validate_days(con, "k8s_objects", [DAY], batch_rows=2)
    assert not outcomes["uids_unique_per_snapshot"].passed
    assert outcomes["uids_unique_per_snapshot"].rows == 6


def test_only_the_runs_days_are_validated(con):
    bad_yesterday = allocation(usage_date=date(2026, 10, 1), window_start=_at(0, date(2026, 10, 1)),
                               window_end=_at(0), running_start=_at(0, date(2026, 10, 1)),
                               running_end=_at(5, date(2026, 10, 1)), cpu_cost=Decimal(-1))
    assert failing(con, "opencost_allocations", [allocation(), bad_yesterday], days=(DAY,)) == {}
    assert set(failing(con, "opencost_allocations", [allocation(), bad_yesterday],
                       days=(date(2026, 10, 1),))) == {"costs_not_negative"}


@pytest.mark.parametrize("rule", gx_k8s.BLOCKING_RULES + gx_k8s.WARNING_RULES)
def test_every_rule_is_described(rule):
    assert gx_k8s.RULE_DESCRIPTIONS[rule]


def test_kubernetes_checks_are_asset_checks_of_the_raw_tables_blocking_where_numbers_would_go_wrong():
    import dagster as dg

    from dagster_project.definitions import build_definitions
    from dagster_project.defs.resources import UnitcostConfigResource

    example = Path(__file__).resolve().parents[1] / "unitcost.example.yaml"
    graph = build_definitions(UnitcostConfigResource(path=str(example))).resolve_asset_graph()
    for table, spec in gx_k8s.TABLE_RULES.items():
        for rule in spec.rules:
            check = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["raw", table]), rule))
            assert check.blocking == (rule in gx_k8s.BLOCKING_RULES), (table, rule)
    assert {r for s in gx_k8s.TABLE_RULES.values() for r in s.rules} == set(gx_k8s.BLOCKING_RULES
                                                                            + gx_k8s.WARNING_RULES)
