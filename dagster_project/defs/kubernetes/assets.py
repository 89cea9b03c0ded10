"""Kubernetes cost and labels, per cluster and UTC day:
- OpenCost `/allocation` and `/assets` dumps (`<cluster>/<YYYY-MM-DD>/allocation*.json`, `assets*.json`)
  → raw.opencost_allocations, raw.opencost_assets; an entry with a `url` first pulls the missing days from the
  OpenCost API into that layout (opencost_api.py);
- kubectl `List` snapshots (`<cluster>/<YYYY-MM-DDTHH-MM-SSZ>/*.json`) → raw.k8s_objects, the label history's input,
  and raw.k8s_object_refs, what matching volumes and load balancers to pods needs.
Layouts: docs/landing-zone.md."""

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.defs.kubernetes.opencost_api import pull_missing_days
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days, source_files
from dagster_project.lib.warehouse import replace_days, replace_days_streamed
from ingest.kubernetes import kubectl as k8s
from ingest.kubernetes import opencost as oc
from ingest.schemas import K8S_OBJECT_REFS, K8S_OBJECTS, OPENCOST_ALLOCATIONS, OPENCOST_ASSETS, empty

PARSE_THREADS = min(4, os.cpu_count() or 1)


def _cluster_files(config, kind: str, log):
    """(landing, key, cluster, folder, file name) of every `<cluster>/<folder>/<name>.json` of a source kind."""
    for landing, key in source_files(config, kind, log):
        parts = key.split("/")
        if len(parts) == 3 and parts[2].endswith(".json"):
            yield landing, key, *parts


def opencost(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """OpenCost /allocation and /assets dumps of the run's days, per cluster."""
    days = run_days(context)
    wanted = {d.isoformat() for d in days}
    pulled = 0
    for source in unitcost.config.sources_of("opencost"):
        if source.url:
            pulled += len(pull_missing_days(source, days, datetime.now(timezone.utc), context.log))
    wanted_files = [(landing, key, cluster, folder, name)
                    for landing, key, cluster, folder, name in _cluster_files(unitcost.config, "opencost", context.log)
                    if folder in wanted and name.startswith(("allocation", "assets"))]
    outside: dict[str, int] = {}

    def frames():
        for (*_, name), frame in _parsed_in_order(wanted_files):
            table = "opencost_allocations" if name.startswith("allocation") else "opencost_assets"
            # a row belongs to the day its window starts on: a dump whose window began the day before keeps only
            # its rows of the run's days (the other day's rows are that day's run's to load, from its own folder)
            for where in frame.filter(~pl.col("usage_date").is_in(days))["source_file"].to_list():
                outside[where] = outside.get(where, 0) + 1
            yield table, frame

    schemas = {"opencost_allocations": OPENCOST_ALLOCATIONS, "opencost_assets": OPENCOST_ASSETS}
    with duckdb.get_connection() as con:
        counts = replace_days_streamed(con, schemas, "usage_date", days, frames())
    if outside:
        context.log.warning(f"{sum(outside.values())} OpenCost rows have windows starting outside the run's days "
                            f"and were not loaded (files: {', '.join(sorted(outside))[:500]})")
    alloc_counts, asset_counts = counts["opencost_allocations"], counts["opencost_assets"]
    files = len(wanted_files)
    yield materialized("opencost_allocations", files=files, pulled_from_api=pulled, rows_per_day=alloc_counts)
    yield materialized("opencost_assets", rows_per_day=asset_counts)


def _parse_file(found) -> pl.DataFrame:
    landing, key, cluster, folder, name = found
    parse = oc.parse_allocation if name.startswith("allocation") else oc.parse_assets
    return parse(landing.read_bytes(key), cluster, date.fromisoformat(folder), landing.describe(key))


def _parsed_in_order(files: list) -> Iterator[tuple[tuple, pl.DataFrame]]:
    """(file, frame) in the files' order, parsed on PARSE_THREADS threads (the allocation reader spends its time in
    DuckDB, outside the GIL) with at most two files per thread parsed ahead: memory holds a few files, not the run."""
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        ahead: deque = deque()
        for found in files:
            ahead.append((found, pool.submit(_parse_file, found)))
            if len(ahead) >= 2 * PARSE_THREADS:
                done, future = ahead.popleft()
                yield done, future.result()
        while ahead:
            done, future = ahead.popleft()
            yield done, future.result()


def kubernetes(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """Every kubectl snapshot taken on the run's UTC days, per cluster."""
    days = set(run_days(context))
    frames, ref_frames = [empty(K8S_OBJECTS)], [empty(K8S_OBJECT_REFS)]
    snapshots = set()
    for landing, key, cluster, folder, _name in _cluster_files(unitcost.config, "kubernetes", context.log):
        snapshot_at = k8s.parse_snapshot_folder_name(folder)
        if snapshot_at.date() not in days:
            continue
        objects, refs = k8s.parse_kubectl_snapshot(landing.read_bytes(key), cluster, snapshot_at, landing.describe(key))
        frames.append(objects)
        ref_frames.append(refs)
        snapshots.add((cluster, folder))
    df, refs_df = pl.concat(frames), pl.concat(ref_frames)
    with duckdb.get_connection() as con:
        counts = replace_days(con, "k8s_objects", K8S_OBJECTS, "usage_date", sorted(days), df)
        ref_counts = replace_days(con, "k8s_object_refs", K8S_OBJECT_REFS, "usage_date", sorted(days), refs_df)
    yield materialized("k8s_objects", snapshots=len(snapshots), objects=df.height, rows_per_day=counts)
    yield materialized("k8s_object_refs", refs=refs_df.height, rows_per_day=ref_counts)


def kubernetes_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [
        raw_multi_asset(opencost, ("opencost_allocations", "opencost_assets"), partitions),
        raw_multi_asset(kubernetes, ("k8s_objects", "k8s_object_refs"), partitions),
    ]
