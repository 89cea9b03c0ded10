"""Tenants, monthly revenue and feature budgets (CSV in the landing zone) → raw.tenants, raw.revenue, raw.budgets.

These are small reference tables: each run replaces them whole. A missing file keeps what was loaded before."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.raw_assets import materialized, open_landing, raw_multi_asset
from dagster_project.lib.warehouse import ensure_table, replace_rows
from ingest import business as biz
from ingest.schemas import BUDGETS, LLM_KEY_OWNERS, LLM_PRICE_OVERRIDES, REVENUE, TENANTS

FILES = {
    "tenants.csv": ("tenants", TENANTS, biz.parse_tenants_csv),
    "revenue.csv": ("revenue", REVENUE, biz.parse_revenue_csv),
    "budgets.csv": ("budgets", BUDGETS, biz.parse_budgets_csv),
    "llm_key_owners.csv": ("llm_key_owners", LLM_KEY_OWNERS, biz.parse_llm_key_owners_csv),
    "price_overrides.csv": ("llm_price_overrides", LLM_PRICE_OVERRIDES, biz.parse_price_overrides_csv),
}


def business(context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource):
    """Each run replaces each table whose file is present."""
    loaded = {}
    with duckdb.get_connection() as con:
        # every table exists (empty) even before its file first arrives, so dbt can always read it
        for table, schema, _parse in FILES.values():
            ensure_table(con, table, schema)
    for source in unitcost.config.sources_of("business"):
        landing = open_landing(source, context.log)
        if landing is None:
            continue
        for name, (table, schema, parse) in FILES.items():
            if not landing.exists(name):
                context.log.warning(f"{landing.describe(name)} not found; raw.{table} keeps its previous rows")
                continue
            df = parse(landing.read_bytes(name), landing.describe(name))
            with duckdb.get_connection() as con:
                replace_rows(con, table, schema, {}, df)
            loaded[table] = df.height
    for table, _schema, _parse in FILES.values():
        yield materialized(table, rows=loaded.get(table, "unchanged (file missing)"))


def business_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return raw_multi_asset(business, tuple(table for table, _schema, _parse in FILES.values()), partitions)
