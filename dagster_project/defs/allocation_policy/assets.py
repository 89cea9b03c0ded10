"""The allocation policy of the config file (`allocation:`, validated when the config was loaded) →
raw.allocation_policy_* tables, which the dbt models read (docs/allocation.md, "The policy").

Each run replaces the tables whole: the ledger days a run rebuilds follow the policy in force for that run, and the
days it does not rebuild keep the numbers the policy of their own run gave them."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.allocation_policy import AllocationPolicy
from dagster_project.lib.raw_assets import materialized, raw_multi_asset
from dagster_project.lib.warehouse import replace_rows
from ingest.schemas import RAW_TABLES

TABLES = ("allocation_policy_rules", "allocation_policy_conditions", "allocation_policy_shares",
          "allocation_policy_settings", "allocation_policy_feature_methods")


def policy_tables(policy: AllocationPolicy) -> dict[str, pl.DataFrame]:
    """The policy as rows: rules in order (rule_order from 1), one condition row per match value, one share row
    per tenant of a fixed rule, one settings row, one row per feature with its own workload method."""
    rules, conditions, shares = [], [], []
    for order, rule in enumerate(policy.rules, start=1):
        rules.append({"rule_order": order, "rule_id": rule.id, "method": rule.method, "scope": rule.scope})
        conditions += [{"rule_order": order, "match_key": c.match_key, "label_key": c.label_key,
                        "pattern": c.pattern} for c in rule.conditions]
        shares += [{"rule_order": order, "rule_id": rule.id, "tenant_id": t, "share": s} for t, s in rule.shares]
    rows = {
        "allocation_policy_rules": rules,
        "allocation_policy_conditions": conditions,
        "allocation_policy_shares": shares,
        "allocation_policy_settings": [{"idle": policy.idle, "shared_workloads": policy.shared_workloads}],
        "allocation_policy_feature_methods": [{"feature_id": f, "method": m}
                                              for f, m in policy.shared_workload_features],
    }
    return {table: pl.DataFrame(rows[table], schema=RAW_TABLES[table])
            for table in TABLES}


def allocation_policy(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """The config's allocation policy, replaced whole on every run."""
    tables = policy_tables(unitcost.config.allocation)
    with duckdb.get_connection() as con:
        for table, frame in tables.items():
            replace_rows(con, table, RAW_TABLES[table], {}, frame)
    for table, frame in tables.items():
        yield materialized(table, rows=frame.height)


def allocation_policy_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return raw_multi_asset(allocation_policy, TABLES, partitions)
