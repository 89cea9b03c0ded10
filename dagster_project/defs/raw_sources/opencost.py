"""OpenCost /allocation and /assets dumps per cluster and day → raw.opencost_allocations, raw.opencost_assets."""

from datetime import date

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs, run_days
from dagster_project.lib.warehouse import replace_days
from ingest.kubernetes import opencost as oc
from ingest.schemas import OPENCOST_ALLOCATIONS, OPENCOST_ASSETS, empty


@dg.multi_asset(
    specs=raw_specs("opencost_allocations", "opencost_assets"), partitions_def=daily_partitions(), **RAW_ASSET_KW
)
def opencost(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """Per cluster and UTC day: `<cluster>/<YYYY-MM-DD>/allocation*.json` and `assets*.json`."""
    days = run_days(context)
    wanted = {d.isoformat() for d in days}
    allocations, assets = [empty(OPENCOST_ALLOCATIONS)], [empty(OPENCOST_ASSETS)]
    files = 0
    for source in project_config().sources_of("opencost"):
        landing = open_landing(source, context.log)
        if landing is None:
            continue
        for key in landing.list():
            parts = key.split("/")
            if len(parts) != 3 or parts[1] not in wanted or not parts[2].endswith(".json"):
                continue
            cluster, day, name = parts[0], date.fromisoformat(parts[1]), parts[2]
            if name.startswith("allocation"):
                allocations.append(oc.parse_allocation(landing.read_bytes(key), cluster, day, landing.describe(key)))
            elif name.startswith("assets"):
                assets.append(oc.parse_assets(landing.read_bytes(key), cluster, day, landing.describe(key)))
            else:
                continue
            files += 1
    alloc_df, assets_df = pl.concat(allocations), pl.concat(assets)
    with duckdb.get_connection() as con:
        alloc_counts = replace_days(con, "opencost_allocations", OPENCOST_ALLOCATIONS, "usage_date", days, alloc_df)
        asset_counts = replace_days(con, "opencost_assets", OPENCOST_ASSETS, "usage_date", days, assets_df)
    yield materialized("opencost_allocations", files=files, rows_per_day=alloc_counts)
    yield materialized("opencost_assets", rows_per_day=asset_counts)
