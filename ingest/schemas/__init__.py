"""The raw-table contract between ingest/ (which produces these frames; the allocation policy's come from the config
file) and dbt staging (which reads them).

Every parser returns a polars DataFrame with exactly the columns of one schema below, in this order
(`conform(df, SCHEMA)` adds missing optional columns as nulls and casts). Money is Decimal(38, 9);
token and request counts are integers or floats as the source gives them; JSON blobs are UTF-8 strings.

Warehouse tables are named `raw.<name>` after the dict key in RAW_TABLES.
"""

import polars as pl

from ingest.schemas.types import MONEY, TS  # noqa: F401
from ingest.schemas.cloud_bill import CUR_LINE_ITEMS, FOCUS_LINE_ITEMS  # noqa: F401
from ingest.schemas.kubernetes import OPENCOST_ALLOCATIONS, OPENCOST_ASSETS, K8S_OBJECTS, K8S_OBJECT_REFS  # noqa: F401
from ingest.schemas.llm import LLM_EVENTS, LLM_EVENTS_QUARANTINE, LLM_COST_REPORTS  # noqa: F401
from ingest.schemas.request_counts import REQUEST_COUNTS, REQUEST_COUNTS_QUARANTINE  # noqa: F401
from ingest.schemas.business import TENANTS, REVENUE, BUDGETS, LLM_KEY_OWNERS, LLM_PRICE_OVERRIDES  # noqa: F401
from ingest.schemas.allocation_policy import ALLOCATION_POLICY_RULES, ALLOCATION_POLICY_CONDITIONS, ALLOCATION_POLICY_SHARES, ALLOCATION_POLICY_SETTINGS, ALLOCATION_POLICY_FEATURE_METHODS  # noqa: F401

RAW_TABLES: dict[str, dict[str, pl.DataType]] = {
    "cur_line_items": CUR_LINE_ITEMS,
    "focus_line_items": FOCUS_LINE_ITEMS,
    "opencost_allocations": OPENCOST_ALLOCATIONS,
    "opencost_assets": OPENCOST_ASSETS,
    "k8s_objects": K8S_OBJECTS,
    "k8s_object_refs": K8S_OBJECT_REFS,
    "llm_events": LLM_EVENTS,
    "llm_events_quarantine": LLM_EVENTS_QUARANTINE,
    "llm_cost_reports": LLM_COST_REPORTS,
    "request_counts": REQUEST_COUNTS,
    "request_counts_quarantine": REQUEST_COUNTS_QUARANTINE,
    "tenants": TENANTS,
    "revenue": REVENUE,
    "budgets": BUDGETS,
    "llm_key_owners": LLM_KEY_OWNERS,
    "llm_price_overrides": LLM_PRICE_OVERRIDES,
    "allocation_policy_rules": ALLOCATION_POLICY_RULES,
    "allocation_policy_conditions": ALLOCATION_POLICY_CONDITIONS,
    "allocation_policy_shares": ALLOCATION_POLICY_SHARES,
    "allocation_policy_settings": ALLOCATION_POLICY_SETTINGS,
    "allocation_policy_feature_methods": ALLOCATION_POLICY_FEATURE_METHODS,
}


def conform(df: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Return df with exactly `schema`'s columns in order: missing ones as typed nulls, others cast strictly."""
    exprs = []
    for name, dtype in schema.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype, strict=True).alias(name))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    return df.select(exprs)


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
