"""The cloud bill (AWS CUR 2.0 / CUR 1) → raw.cur_line_items, one (source, billing account, billing period)
replaced atomically per delivery, driven by the manifests (never a glob)."""


from datetime import date, datetime, timezone

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from dagster_project.lib.config import SourceConfig
from dagster_project.lib.project import daily_partitions, project_config
from dagster_project.lib.raw import RAW_ASSET_KW, materialized, open_landing, raw_specs, run_days
from dagster_project.lib.warehouse import ensure_table, replace_rows
from ingest import cur
from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import CUR_LINE_ITEMS

BILL_DELIVERIES = {
    "source_id": pl.String,
    "billing_account_id": pl.String,
    "billing_period": pl.String,
    "delivery_id": pl.String,
    "manifest": pl.String,
    "row_count": pl.Int64,
    "loaded_at": pl.Datetime("us", "UTC"),
}


def _periods(days: list[date]) -> set[str]:
    return {d.strftime("%Y-%m") for d in days}


def _check_currency(df: pl.DataFrame, currency: str, where: str) -> None:
    found = set(df.get_column("line_item_currency_code").drop_nulls().unique().to_list())
    other = sorted(found - {currency})
    if other:
        raise LandingFileError(
            where, f"bill in currency {', '.join(other)}; unitcost is configured for {currency} (currency: in unitcost.yaml)"
        )


def _loaded_delivery(con, source_id: str, period: str):
    ensure_table(con, "bill_deliveries", BILL_DELIVERIES)
    row = con.execute(
        "select max(delivery_id) from raw.bill_deliveries where source_id = ? and billing_period = ?",
        [source_id, period],
    ).fetchone()
    return row[0] if row else None


def _replace_period(con, source_id: str, period: str, delivery_id: str, manifest: str, df: pl.DataFrame) -> int:
    """Swap the period's rows for every billing account in the delivery, and record the delivery."""
    accounts = sorted(set(df.get_column("billing_account_id").drop_nulls().to_list())) or [None]
    inserted = 0
    for account in accounts:
        part = df.filter(pl.col("billing_account_id") == account) if account else df
        where = {"source_id": source_id, "billing_period": period}
        if account:
            where["billing_account_id"] = account
        inserted += replace_rows(con, "cur_line_items", CUR_LINE_ITEMS, where, part)
        record = pl.DataFrame(
            [{"source_id": source_id, "billing_account_id": account, "billing_period": period,
              "delivery_id": delivery_id, "manifest": manifest, "row_count": part.height,
              "loaded_at": datetime.now(timezone.utc)}],
            schema=BILL_DELIVERIES,
        )
        replace_rows(con, "bill_deliveries", BILL_DELIVERIES,
                     {"source_id": source_id, "billing_period": period}, record)
    return inserted


def _load_source(context, con, source: SourceConfig, periods: set[str], currency: str) -> dict:
    loaded: dict[str, str] = {}
    if source.format:
        # a single bill file without a manifest: the config names its format and billing period
        folder, _, name = source.uri.rstrip("/").rpartition("/")
        landing = Landing(folder, endpoint_url=source.endpoint_url)
        if source.billing_period not in periods:
            return loaded
        df = cur.read_bare_bill(landing, name, source.format, source.billing_period, source.name)
        _check_currency(df, currency, landing.describe(name))
        delivery_id = df.get_column("delivery_id")[0] if df.height else "empty"
        if _loaded_delivery(con, source.name, source.billing_period) != delivery_id:
            _replace_period(con, source.name, source.billing_period, delivery_id, name, df)
            loaded[source.billing_period] = delivery_id
        return loaded

    landing = open_landing(source, context.log)
    if landing is None:
        return loaded
    deliveries = cur.find_cur2_deliveries(landing) or cur.find_cur1_deliveries(landing)
    if not deliveries:
        context.log.warning(f"bill source '{source.name}' at {source.uri}: no CUR manifest found; skipped")
    for delivery in deliveries:
        if delivery.billing_period not in periods:
            continue
        if _loaded_delivery(con, source.name, delivery.billing_period) == delivery.delivery_id:
            context.log.info(f"{source.name} {delivery.billing_period}: delivery {delivery.delivery_id} already loaded")
            continue
        if delivery.bill_format == "cur2":
            df = cur.read_cur2_delivery(landing, delivery, source.name)
        else:
            df = cur.read_cur1_delivery(landing, delivery, source.name)
        _check_currency(df, currency, landing.describe(delivery.manifest_key))
        _replace_period(con, source.name, delivery.billing_period, delivery.delivery_id, delivery.manifest_key, df)
        loaded[delivery.billing_period] = delivery.delivery_id
    return loaded


@dg.multi_asset(
    specs=raw_specs("cur_line_items", "bill_deliveries"), partitions_def=daily_partitions(), **RAW_ASSET_KW
)
def cloud_bill(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
    """A CUR delivery is a full snapshot of its billing period: each run loads the current delivery of every
    period its days touch, unless that delivery is already the loaded one."""
    cfg = project_config()
    periods = _periods(run_days(context))
    loaded = {}
    with duckdb.get_connection() as con:
        ensure_table(con, "cur_line_items", CUR_LINE_ITEMS)
        ensure_table(con, "bill_deliveries", BILL_DELIVERIES)
        for source in cfg.sources_of("cur"):
            loaded[source.name] = _load_source(context, con, source, periods, cfg.currency)
    yield materialized("cur_line_items", periods=sorted(periods), loaded_deliveries=loaded)
    yield materialized("bill_deliveries")
