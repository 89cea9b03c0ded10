"""The cloud bill → raw.cur_line_items (AWS CUR 2.0 / CUR 1), raw.focus_line_items (FOCUS, any provider) and
raw.bill_deliveries (what is loaded). The loading rules are in loading.py; the transaction in lib/bill_deliveries.py."""

from collections import defaultdict

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.cloud_bill.loading import load_bill_source
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.bill_deliveries import cur_periods_in_two_sources, days_touched_by_run, ensure_bill_tables
from dagster_project.lib.raw_assets import materialized, raw_multi_asset, run_days
from dagster_project.lib.run_steps import count_rows
from dagster_project.lib.touched_days import record_touched_days
from ingest.errors import LandingFileError

TABLES = ("cur_line_items", "focus_line_items", "bill_deliveries")


def cloud_bill(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """Each run checks the current delivery of every billing period of every bill source up to its last day
    (restatements arrive for past months) and re-ingests each (source, account, period) whose delivery changed."""
    cfg = unitcost.config
    run_id = context.run.run_id
    through = max(run_days(context))
    loaded: list[dict] = []
    failures: list[Exception] = []
    with duckdb.get_connection() as con:
        ensure_bill_tables(con)
        for source in cfg.sources_of("cur"):
            try:
                loaded += load_bill_source(con, source, cfg.currency, run_id, context.log, through)
            except LandingFileError as exc:
                context.log.error(f"bill source '{source.name}': {exc}")
                failures.append(exc)
        record_touched_days(con, run_id, "cloud_bill", days_touched_by_run(con, run_id))
        # a CUR 1 and a CUR 2.0 export of the same account and month in two sources: refused, never summed
        failures += cur_periods_in_two_sources(con, [s.name for s in cfg.sources_of("cur")])
    count_rows(sum(r["row_count"] for r in loaded))
    if failures:
        # the periods that did load are committed and recorded with this run; the next run's checks pick them up
        raise failures[0] if len(failures) == 1 else LandingFileError(
            "bill sources", "\n".join(str(f) for f in failures)
        )
    summary = [f"{r['source_id']}/{r['billing_account_id']}/{r['billing_period']}: {r['delivery_id']} "
               f"({r['row_count']} rows)" for r in loaded]
    by_format = defaultdict(int)
    for r in loaded:
        by_format[r["bill_format"]] += r["row_count"]
    yield materialized("cur_line_items", reingested=summary,
                       rows_loaded=by_format["cur2"] + by_format["cur1"])
    yield materialized("focus_line_items", rows_loaded=by_format["focus"])
    yield materialized("bill_deliveries", deliveries_loaded=len(loaded))


def cloud_bill_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return raw_multi_asset(cloud_bill, TABLES, partitions)
