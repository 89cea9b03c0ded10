"""The allocation policy under `allocation:` in the config file: the default reproduces the rules the project shipped,
every mistake is a ConfigError naming the key, the value and what was expected, raised when the config is loaded
(before any asset runs), and the validated policy is written to raw.allocation_policy_* on every run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from dagster_duckdb import DuckDBResource

from dagster_project.cli import run_pipeline
from dagster_project.lib.allocation_policy import Condition, parse_allocation
from dagster_project.lib.config import ConfigError, default_config, load_config

SUPPORT = ["AWSSupportBusiness", "AWSSupportEnterprise", "AWSSupportDeveloper"]


def write_config(folder: Path, allocation: dict | None, name: str = "unitcost.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    raw = {"start_date": "2026-10-01", "warehouse": {"path": "warehouse/unitcost.duckdb"}}
    if allocation is not None:
        raw["allocation"] = allocation
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def rule(**kwargs) -> dict:
    return {"id": "r", "match": {"service": ["AWSSupportBusiness"]}, **kwargs}


def refused(allocation: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_allocation(allocation, "unitcost.yaml")
    return str(info.value)


def test_default_policy_is_the_shipped_rule_set():
    policy = default_config().allocation
    assert policy.idle == "keep" and policy.shared_workloads == "requests" and policy.shared_workload_features == ()
    assert [(r.id, r.method, r.scope, r.shares) for r in policy.rules] == [
        ("shared_namespaces", "proportional", "all", ()),
        *[("shared_services", "proportional", "all", ())] * 3,
    ]
    assert [r.conditions for r in policy.rules] == [
        (Condition("namespace", None, "kube-system"), Condition("namespace", None, "monitoring")),
        tuple(Condition("service", None, s) for s in SUPPORT),
        (Condition("line_item_type", None, "Tax"),),
        (Condition("usage_type", None, "%NatGateway%"),),
    ]


def test_missing_keys_take_their_default_and_an_empty_rule_list_means_no_rules():
    only_idle = parse_allocation({"idle": "share"}, "x")
    assert only_idle.idle == "share" and only_idle.rules == default_config().allocation.rules
    assert parse_allocation({"rules": []}, "x").rules == ()


def test_fixed_shares_that_do_not_sum_to_one_are_refused_naming_the_rule():
    message = refused({"rules": [rule(id="support", method="fixed", shares={"acme": 0.6, "globex": 0.3})]})
    assert message == "unitcost.yaml: allocation.rules[0] (support): shares sum to 0.9 (expected exactly 1)"
    # compared as decimals: 0.1 + 0.2 + 0.7 is exactly 1 (as floats it is 0.9999999999999999)
    ok = parse_allocation({"rules": [rule(method="fixed", shares={"a": 0.1, "b": 0.2, "c": 0.7})]}, "x")
    assert ok.rules[0].shares == (("a", Decimal("0.1")), ("b", Decimal("0.2")), ("c", Decimal("0.7")))


@pytest.mark.parametrize("allocation, expected", [
    ({"rules": [rule(method="weighted")]}, "allocation.rules[0] (r): method 'weighted' is not one of proportional, "
                                           "even, fixed, requests, tokens, llm_cost"),
    ({"rules": [rule(scope="region")]}, "allocation.rules[0] (r): scope 'region' is not one of all, account, cluster"),
    ({"rules": [rule(match={"product": ["x"]})]}, "allocation.rules[0] (r): match.product: unknown key (expected one "
                                                  "of namespace, label, service, line_item_type, usage_type)"),
    ({"rules": [rule(weight=2)]}, "allocation.rules[0]: rule.weight: unknown key (expected one of id, match, method, "
                                  "scope, shares)"),
    ({"ideal": "keep"}, "allocation.ideal: unknown key (expected one of idle, rules, shared_workloads)"),
    ({"idle": "spread"}, "allocation: idle 'spread' is not one of keep, share, share_by_node"),
    ({"rules": [rule(shares={"a": 1})]}, "allocation.rules[0] (r): shares {'a': 1} given for method proportional "
                                         "(only method fixed has shares)"),
    ({"rules": [rule(method="fixed")]}, "allocation.rules[0] (r): method fixed needs shares"),
    ({"rules": [rule(match={})]}, "allocation.rules[0] (r): match is {}, an empty match"),
    ({"rules": [rule(match={"namespace": []})]}, "allocation.rules[0] (r): match.namespace is an empty list"),
    ({"rules": [rule(scope="cluster")]}, "allocation.rules[0] (r): scope cluster with match {'service': "
                                         "['AWSSupportBusiness']}: only pods have a cluster"),
    ({"rules": [rule(method="tokens", scope="account")]}, "allocation.rules[0] (r): scope account with method tokens: "
                                                          "tokens has no account or cluster (expected scope all)"),
    ({"rules": [rule(match={"namespace": ["a"], "service": ["b"]})]}, "never hold for the same dollar"),
    ({"rules": [rule(), rule(method="even")]}, "allocation.rules[1] (r): method even, scope all differ from the "
                                               "earlier rule r"),
    ({"rules": [rule(id="no_driver")]}, "allocation.rules[0]: id 'no_driver' is a rule id the pipeline writes itself"),
    ({"rules": [rule(method="fixed", shares={"__idle__": 1})]}, "shares.__idle__: a sentinel is not a tenant"),
    ({"shared_workloads": "revenue"}, "allocation.shared_workloads: method 'revenue' is not one of requests, tokens, "
                                      "llm_cost"),
    ({"shared_workloads": {"features": {"search": "even"}}}, "allocation.shared_workloads.features: search 'even' is "
                                                             "not one of requests, tokens, llm_cost"),
])
def test_policy_mistakes_are_refused_naming_key_value_and_what_was_expected(allocation, expected):
    assert expected in refused(allocation)


def test_bad_shares_stop_the_run_before_anything_is_loaded(tmp_path):
    config = write_config(tmp_path, {"rules": [rule(id="support", method="fixed", shares={"acme": 0.9})]})
    with pytest.raises(ConfigError, match=r"allocation.rules\[0\] \(support\): shares sum to 0.9"):
        load_config(config)
    with pytest.raises(ConfigError, match=r"\(support\): shares sum to 0.9"):
        run_pipeline(str(config), date(2026, 10, 1), date(2026, 10, 1))
    assert not (tmp_path / "warehouse").exists(), "a refused policy must not reach the warehouse"


def _materialize_policy(config: Path, warehouse: Path) -> dg.ExecuteInProcessResult:
    from dagster_project.defs.allocation_policy.assets import allocation_policy_assets
    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.lib.partitions import daily_partitions

    return dg.materialize(
        [allocation_policy_assets(daily_partitions(date(2026, 10, 1)))],
        partition_key="2026-10-02",
        resources={"duckdb": DuckDBResource(database=str(warehouse)), "unitcost": UnitcostConfigResource(path=str(config))},
    )


def test_each_run_replaces_the_policy_tables_whole(tmp_path):
    warehouse = tmp_path / "unitcost.duckdb"
    first = write_config(tmp_path, {"idle": "share", "rules": [
        {"id": "support", "match": {"service": SUPPORT[:2]}, "method": "fixed", "shares": {"acme": 0.7, "globex": 0.3}},
        {"id": "team", "match": {"label": {"team": "platform"}, "namespace": "tools"}, "method": "even",
         "scope": "cluster"},
    ], "shared_workloads": {"default": "tokens", "features": {"search": "llm_cost"}}}, "first.yaml")
    assert _materialize_policy(first, warehouse).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select * from raw.allocation_policy_rules order by 1").fetchall() == [
            (1, "support", "fixed", "all"), (2, "team", "even", "cluster")]
        assert con.execute("select * from raw.allocation_policy_conditions order by 1, 2, 4").fetchall() == [
            (1, "service", None, "AWSSupportBusiness"), (1, "service", None, "AWSSupportEnterprise"),
            (2, "label", "team", "platform"), (2, "namespace", None, "tools")]
        assert con.execute("select * from raw.allocation_policy_shares order by 3").fetchall() == [
            (1, "support", "acme", Decimal("0.7")), (1, "support", "globex", Decimal("0.3"))]
        assert con.execute("select * from raw.allocation_policy_settings").fetchall() == [("share", "tokens")]
        assert con.execute("select * from raw.allocation_policy_feature_methods").fetchall() == [("search", "llm_cost")]

    second = write_config(tmp_path, None, "second.yaml")  # no allocation key: the default policy
    assert _materialize_policy(second, warehouse).success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select rule_order, rule_id from raw.allocation_policy_rules order by 1").fetchall() == [
            (1, "shared_namespaces"), (2, "shared_services"), (3, "shared_services"), (4, "shared_services")]
        assert con.execute("select count(*) from raw.allocation_policy_conditions").fetchone() == (7,)
        assert con.execute("select count(*) from raw.allocation_policy_shares").fetchone() == (0,)
        assert con.execute("select * from raw.allocation_policy_settings").fetchall() == [("keep", "requests")]
        assert con.execute("select count(*) from raw.allocation_policy_feature_methods").fetchone() == (0,)


def test_the_commented_policy_in_the_example_config_is_valid():
    text = (Path(__file__).resolve().parents[1] / "unitcost.example.yaml").read_text().splitlines()
    block = "\n".join(line[2:] for line in text if line.startswith(("# allocation:", "#   ")))
    policy = parse_allocation(yaml.safe_load(block)["allocation"], "unitcost.example.yaml")
    assert [(r.id, r.method, r.scope) for r in policy.rules] == [
        ("platform", "even", "cluster"), ("support", "fixed", "all"), ("network", "proportional", "all")]
