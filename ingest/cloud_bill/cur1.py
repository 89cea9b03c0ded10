"""Legacy AWS Cost and Usage Reports (CUR 1) CSV files → ``raw.cur_line_items`` (CUR_LINE_ITEMS).

CUR 1 writes CSV (``.csv``, ``.csv.gz`` or ``.csv.zip``) with ``category/ColumnName`` headers
(``lineItem/UnblendedCost``). The reader renames them to the CUR 2.0 names the raw table uses by the rule AWS's
Athena integration applies (``cur1_column_name``), so one table and one staging model serve both formats.

Quirks undone here:
- tags are one column per key (``resourceTags/user:team``); they are folded into the CUR 2.0 ``resource_tags``
  JSON object with CUR 2.0 key style (``{"user_team": "ml"}``), the first non-empty value winning when two headers
  normalize to the same key (``user:Team`` and ``user:team``);
- older files carry only ``product/region`` (the region code) where CUR 2.0 has ``product_region_code``;
- errors name the column as the file spells it (``lineItem/UnblendedCost``), not by its CUR 2.0 name.
CUR 1 Parquet (the Athena layout) is refused: export CSV, or use CUR 2.0.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
import polars as pl

from ingest.cloud_bill.files import is_parquet, json_string
from ingest.cloud_bill.line_items import READ_COLUMNS, csv_line, finish, read_csv, require
from ingest.errors import LandingFileError
from ingest.landing import Landing

# The CUR 1 header of each required column, for the message when one is missing.
_CUR1_HEADERS = {
    "bill_payer_account_id": "bill/PayerAccountId",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_end_date": "lineItem/UsageEndDate",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
}


def read_cur1_file(
    landing: Landing, key: str, *, billing_period: str, delivery_id: str, source_id: str, data: bytes | None = None
) -> pl.DataFrame:
    """One legacy CUR CSV (``.csv``, ``.csv.gz`` or ``.csv.zip``) as a CUR_LINE_ITEMS frame, columns renamed."""
    where = landing.describe(key)
    if is_parquet(key):
        raise LandingFileError(where, "CUR 1 Parquet (Athena layout) is not supported: export CSV, or use CUR 2.0")
    raw = data if data is not None else landing.read_bytes(key)
    originals: dict[str, str] = {}

    def pick(column: str) -> str | None:
        if column.startswith("resourceTags/"):
            return column
        name = cur1_column_name(column)
        if name in READ_COLUMNS or name == "product_region":
            originals.setdefault(name, column)
            return name if originals[name] == column else None  # first of two columns that normalize alike
        return None

    frame = read_csv(raw, where, pick)
    require(frame.columns, where, shown=_CUR1_HEADERS)
    # Older CUR 1 files carry only product/region (the region code); CUR 2.0 calls it product_region_code.
    if "product_region_code" not in frame.columns and "product_region" in frame.columns:
        frame = frame.rename({"product_region": "product_region_code"})
        originals["product_region_code"] = originals.get("product_region", "product/region")
    tag_columns = [c for c in frame.columns if c.startswith("resourceTags/")]
    frame = frame.with_columns(_fold_tag_columns(tag_columns).alias("resource_tags")).drop(tag_columns)
    return finish(frame, where, csv_line, "cur1", billing_period, delivery_id, source_id, key, originals)


def cur1_column_name(name: str) -> str:
    """CUR 1 CSV header → Athena/CUR 2.0 name, as AWS's Athena integration does it.

    ``lineItem/UnblendedCost`` → ``line_item_unblended_cost``; ``savingsPlan/SavingsPlanARN`` →
    ``savings_plan_savings_plan_a_r_n``; ``resourceTags/user:Cost Center`` → ``resource_tags_user_cost_center``:
    an underscore before every capital, lower case, every run of other characters one underscore.
    """
    snake = re.sub(r"([A-Z])", r"_\1", name).lower()
    return re.sub(r"[^a-z0-9]+", "_", snake).strip("_")


def cur1_tag_key(column: str) -> str:
    """``resourceTags/user:team`` → ``user_team`` (the CUR 2.0 ``resource_tags`` key of the same tag)."""
    return cur1_column_name(column.removeprefix("resourceTags/"))


def _fold_tag_columns(tag_columns: list[str]) -> pl.Expr:
    """CUR 1 ``resourceTags/<key>`` columns → one JSON object of the non-empty values, CUR 2.0 key style."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for column in tag_columns:
        by_key[cur1_tag_key(column)].append(column)
    if not by_key:
        return pl.lit("{}")
    parts = []
    for key, columns in by_key.items():
        # Two headers that normalize to the same key (user:Team, user:team): the first non-empty value wins.
        value = pl.coalesce([pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)) for c in columns])
        parts.append(pl.when(value.is_not_null()).then(pl.lit(json.dumps(key) + ":") + json_string(value)))
    return pl.lit("{") + pl.concat_list(parts).list.drop_nulls().list.join(",") + pl.lit("}")
