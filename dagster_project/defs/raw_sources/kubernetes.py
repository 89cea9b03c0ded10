"""kubectl `List` snapshots per cluster and time → raw.k8s_objects (the label history's input)."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs, run_days
from dagster_project.lib.warehouse import replace_days
from ingest.kubernetes import kubectl as k8s
from ingest.schemas import K8S_OBJECTS, empty


@dg.multi_asset(specs=raw_specs("k8s_objects"), partitions_def=daily_partitions(), **RAW_ASSET_KW)
def kubernetes(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Every snapshot taken on the run's UTC days: `<cluster>/<YYYY-MM-DDTHH-MM-SSZ>/*.json`."""
    days = set(run_days(context))
    frames = [empty(K8S_OBJECTS)]
    snapshots = set()
    for source in project_config().sources_of("kubernetes"):
        landing = open_landing(source, context.log)
        if landing is None:
            continue
        for key in landing.list():
            parts = key.split("/")
            if len(parts) != 3 or not parts[2].endswith(".json"):
                continue
            snapshot_at = k8s.parse_snapshot_folder_name(parts[1])
            if snapshot_at.date() not in days:
                continue
            frames.append(k8s.parse_kubectl_list(landing.read_bytes(key), parts[0], snapshot_at, landing.describe(key)))
            snapshots.add((parts[0], parts[1]))
    df = pl.concat(frames)
    with duckdb.get_connection() as con:
        counts = replace_days(con, "k8s_objects", K8S_OBJECTS, "usage_date", sorted(days), df)
    yield materialized("k8s_objects", snapshots=len(snapshots), objects=df.height, rows_per_day=counts)
