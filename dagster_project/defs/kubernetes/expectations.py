"""The great-expectations suites of the Kubernetes raw tables (raw.opencost_allocations, raw.opencost_assets,
raw.k8s_objects), validated for the run's days only.

Blocking, because a wrong number would follow:
- `costs_not_negative`: OpenCost costs are the weights that divide a node's bill (int_pod_costs_reconciled); a
  negative weight hands other pods more than the node cost and makes a piece negative.
- `keys_present`: an unaggregated pod row without node, namespace or pod is taken for OpenCost's own bookkeeping and
  its share of the node silently becomes idle; a Node asset without a name or providerID cannot be matched, so its N
  is lost and its pods take the node's idle; an object without uid, kind or name (a namespaced one without its
  namespace) drops out of the label history and its pods change owner.
- `uids_unique_per_snapshot`: a uid twice in one snapshot makes two versions in force at once, and the pod's time is
  counted under both owners.
Warning only: `windows_inside_their_day` - a window (or a pod's running span) reaching outside its UTC day makes
that row's weight and seconds cover other days' time, but every dollar still lands once (the namespace-aggregated
reference dumps have 2- and 7-day windows).

Each (table, day) is read in bounded record batches of only the columns the rules need; the rules' derived columns
(the offending row's name where a rule is broken, null elsewhere) are computed by DuckDB so that a rule spanning
rows (uniqueness) holds across batch boundaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from dagster_project.lib import expectations as gx_runner
from dagster_project.lib.expectations import RuleOutcome
from dagster_project.lib.table_rules import TableRules, validate_table

BLOCKING_RULES = ("costs_not_negative", "keys_present", "uids_unique_per_snapshot")
WARNING_RULES = ("windows_inside_their_day",)
RULE_DESCRIPTIONS = {
    "costs_not_negative": "OpenCost costs (and cost + adjustment, the pod's weight) are not negative.",
    "keys_present": "The keys a row is joined on are there: node, namespace and pod on unaggregated /allocation "
                    "rows; name or providerID on Node assets; uid, kind, name (and namespace) on objects.",
    "uids_unique_per_snapshot": "No uid appears twice in one kubectl snapshot of a cluster.",
    "windows_inside_their_day": "Each row's window, and the pod's running span inside it, lie within its UTC day.",
}

_DAY_END = "usage_date + interval 1 day"
_OUTSIDE_DAY = (f"window_start < usage_date or window_end > {_DAY_END} "
                "or running_start < window_start or running_end > window_end")
# an unaggregated /allocation key is cluster/node/namespace/pod/container; OpenCost's own rows carry __name__
# costs as floats: only their sign matters to the rules, and Decimal objects are slow in pandas
_COSTS = {c: f"cast({c} as double)" for c in ("cpu_cost", "ram_cost", "gpu_cost")}
_POD_ROW = r"allocation_name like '%/%/%/%/%' and allocation_name not like '%\_\_%' escape '\'"
_NAMESPACED = "('Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob')"


ALLOCATION_RULES = TableRules(
    table="opencost_allocations",
    columns={
        **_COSTS,
        "compute_weight": "cast(coalesce(cpu_cost, 0) + coalesce(cpu_cost_adjustment, 0) + coalesce(ram_cost, 0)"
                          " + coalesce(ram_cost_adjustment, 0) + coalesce(gpu_cost, 0)"
                          " + coalesce(gpu_cost_adjustment, 0) as double)",
        "pod_row_missing_keys": f"case when {_POD_ROW} and (node is null or namespace is null or pod is null) "
                                "then allocation_name end",
        "row_outside_its_day": f"case when {_OUTSIDE_DAY} then allocation_name end",
    },
    not_negative=dict.fromkeys(("cpu_cost", "ram_cost", "gpu_cost", "compute_weight"), "costs_not_negative"),
    must_be_null={"pod_row_missing_keys": "keys_present", "row_outside_its_day": "windows_inside_their_day"},
)
ASSET_RULES = TableRules(
    table="opencost_assets",
    columns={
        **_COSTS,
        "total_cost": "cast(total_cost as double)",
        "node_missing_keys": "case when asset_type = 'Node' and coalesce(name, provider_id) is null "
                             "then asset_key end",
        "row_outside_its_day": f"case when window_start < usage_date or window_end > {_DAY_END} then asset_key end",
    },
    not_negative=dict.fromkeys(("cpu_cost", "ram_cost", "gpu_cost", "total_cost"), "costs_not_negative"),
    must_be_null={"node_missing_keys": "keys_present", "row_outside_its_day": "windows_inside_their_day"},
)
OBJECT_RULES = TableRules(
    table="k8s_objects",
    columns={
        "object_missing_keys": "case when uid is null or kind is null or name is null "
                               f"or (kind in {_NAMESPACED} and namespace is null) "
                               "then coalesce(kind, '?') || ' ' || coalesce(namespace || '/', '') "
                               "|| coalesce(name, '?') || ' in ' || source_file end",
        "uid_repeated_in_snapshot": "case when uid is not null and count(*) over "
                                    "(partition by cluster, snapshot_at, uid) > 1 "
                                    "then uid || ' in ' || source_file end",
    },
    must_be_null={"object_missing_keys": "keys_present", "uid_repeated_in_snapshot": "uids_unique_per_snapshot"},
)
TABLE_RULES = {r.table: r for r in (ALLOCATION_RULES, ASSET_RULES, OBJECT_RULES)}


def validate_days(
    con, table: str, days: Iterable[date], batch_rows: int = gx_runner.BATCH_ROWS
) -> dict[str, RuleOutcome]:
    """Validate each of `days` of raw.<table>; one outcome per rule (a table not created yet has nothing)."""
    return validate_table(con, TABLE_RULES[table], days, batch_rows)
