"""Raw tables of the allocation policy the config file sets."""

from __future__ import annotations

import polars as pl

# The allocation policy of the config file (`allocation:`, docs/allocation.md), written whole each run by
# dagster_project/defs/allocation_policy: the rules in order, each rule's match values (one row per value), the
# shares of fixed rules, and the settings (idle, shared workloads) with per-feature workload methods.
ALLOCATION_POLICY_RULES: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,  # 1, 2, ... as listed: the first rule that matches a dollar moves it
    "rule_id": pl.String,  # may repeat: rules with one id are one pool
    "method": pl.String,  # proportional | even | fixed | requests | tokens | llm_cost
    "scope": pl.String,  # all | account | cluster
}
ALLOCATION_POLICY_CONDITIONS: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,
    "match_key": pl.String,  # namespace | label | service | line_item_type | usage_type
    "label_key": pl.String,  # label only: the label (pod) or tag (bill row, stored key) to compare
    "pattern": pl.String,  # the value; a LIKE pattern for usage_type
}
ALLOCATION_POLICY_SHARES: dict[str, pl.DataType] = {
    "rule_order": pl.Int64,
    "rule_id": pl.String,
    "tenant_id": pl.String,
    "share": pl.Decimal(38, 18),  # a fixed rule's shares sum to exactly 1
}
ALLOCATION_POLICY_SETTINGS: dict[str, pl.DataType] = {
    "idle": pl.String,  # keep | share | share_by_node
    "shared_workloads": pl.String,  # the default method of a feature without a tenant: requests | tokens | llm_cost
}
ALLOCATION_POLICY_FEATURE_METHODS: dict[str, pl.DataType] = {
    "feature_id": pl.String,
    "method": pl.String,
}
