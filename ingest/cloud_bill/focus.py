"""FOCUS 1.0–1.2 cost and usage files from any provider (AWS, Azure, GCP, OCI) → ``raw.focus_line_items``.

FOCUS has no manifest: every file under a source's URI belongs to it, and each row names its own billing account
(``BillingAccountId``) and billing period (``BillingPeriodStart``). The unit replaced atomically is therefore
(source, billing account, billing period), found by reading those two columns of each file (``scan_focus_file``):
one file may hold several providers and accounts, and loading Azure rows never touches AWS rows.

What real FOCUS files do that the parser undoes (all seen in the FinOps Foundation's sample data):
- nulls written as the text ``NULL`` (or ``null``), and as empty strings, in the same file;
- enumerations in several cases (``Usage-Based`` and ``Usage-based``): normalized to the spec's spelling;
- header names in PascalCase, lower case or snake_case (``SkuPriceid`` in a spec example): matched ignoring case
  and underscores;
- dates as ``2024-09-01 00:00:00``, ``2024-09-01T00:00:00Z`` or, in the spec's SaaS examples, ``4/1/25``
  (month first); all are UTC.

Money (BilledCost, EffectiveCost, ListCost, ContractedCost) becomes DECIMAL(38, 9) straight from the decimal text,
rounded half away from zero at the 9th decimal, never through a float. ``Tags`` stays the provider's JSON object
exactly (keys unchanged; a Parquet MAP becomes the same JSON). Every other column (``x_*`` custom columns, a row
``Id``, FOCUS columns the raw table does not keep) is kept in ``extra_columns`` as a JSON object by its own name.
"""

from __future__ import annotations

import json
import re

import polars as pl
import pyarrow as pa

from ingest.cloud_bill.files import (
    arrow_money,
    convert_text_columns,
    csv_bytes,
    csv_header,
    is_parquet,
    is_text,
    open_parquet,
    read_csv_strings,
    tags_json_expression,
    utc_timestamp,
)
from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import FOCUS_LINE_ITEMS, MONEY, TS, conform
from ingest.values import require_columns

# FOCUS column name → raw column (FOCUS_LINE_ITEMS); the FOCUS names are the spec's PascalCase.
FOCUS_COLUMNS: dict[str, str] = {
    "BillingAccountId": "billing_account_id",
    "BillingAccountName": "billing_account_name",
    "BillingPeriodStart": "billing_period_start",
    "BillingPeriodEnd": "billing_period_end",
    "BillingCurrency": "billing_currency",
    "ProviderName": "provider_name",
    "PublisherName": "publisher_name",
    "InvoiceIssuerName": "invoice_issuer_name",
    "InvoiceId": "invoice_id",
    "SubAccountId": "sub_account_id",
    "SubAccountName": "sub_account_name",
    "ChargeCategory": "charge_category",
    "ChargeClass": "charge_class",
    "ChargeFrequency": "charge_frequency",
    "ChargeDescription": "charge_description",
    "ChargePeriodStart": "charge_period_start",
    "ChargePeriodEnd": "charge_period_end",
    "BilledCost": "billed_cost",
    "EffectiveCost": "effective_cost",
    "ListCost": "list_cost",
    "ContractedCost": "contracted_cost",
    "ConsumedQuantity": "consumed_quantity",
    "ConsumedUnit": "consumed_unit",
    "PricingQuantity": "pricing_quantity",
    "PricingUnit": "pricing_unit",
    "PricingCategory": "pricing_category",
    "ServiceName": "service_name",
    "ServiceCategory": "service_category",
    "ServiceSubcategory": "service_subcategory",
    "ResourceId": "resource_id",
    "ResourceName": "resource_name",
    "ResourceType": "resource_type",
    "RegionId": "region_id",
    "RegionName": "region_name",
    "AvailabilityZone": "availability_zone",
    "SkuId": "sku_id",
    "SkuPriceId": "sku_price_id",
    "SkuMeter": "sku_meter",
    "CommitmentDiscountId": "commitment_discount_id",
    "CommitmentDiscountType": "commitment_discount_type",
    "CommitmentDiscountCategory": "commitment_discount_category",
    "CommitmentDiscountStatus": "commitment_discount_status",
    "CommitmentDiscountName": "commitment_discount_name",
    "Tags": "tags",
}
# Without these a file cannot be placed in its (account, period) partition, costed or spread over days.
REQUIRED_COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
)
# A file is FOCUS when its header has all of these (CUR headers have none of them).
SIGNATURE_COLUMNS = ("BilledCost", "ChargePeriodStart", "BillingPeriodStart", "ChargeCategory")

MONEY_COLUMNS = tuple(c for c, t in FOCUS_LINE_ITEMS.items() if t == MONEY)
TIMESTAMP_COLUMNS = tuple(c for c, t in FOCUS_LINE_ITEMS.items() if t == TS)
FLOAT_COLUMNS = tuple(c for c, t in FOCUS_LINE_ITEMS.items() if t == pl.Float64)
# Month first, as the FOCUS 1.2 SaaS examples write them; tried only after every ISO 8601 form.
_US_DATE_FORMATS = ("%m/%d/%y", "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
# The spec's allowed values, by their case-folded spelling.
_CANONICAL = {
    "charge_category": ("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
    "charge_class": ("Correction",),
    "charge_frequency": ("One-Time", "Recurring", "Usage-Based"),
    "commitment_discount_status": ("Used", "Unused"),
    "commitment_discount_category": ("Spend", "Usage"),
}
_NULL_TEXT = ("", "NULL")
_DATA_SUFFIXES = (".csv", ".csv.gz", ".csv.zip", ".parquet")


def column_key(name: str) -> str:
    """``BilledCost``, ``billedcost``, ``billed_cost`` and ``Billed Cost`` all match: lower case, letters and digits."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


_BY_KEY = {column_key(name): name for name in FOCUS_COLUMNS}


def match_columns(header: list[str]) -> tuple[dict[str, str], list[str]]:
    """The file's columns → (original name → raw column for FOCUS columns, the other columns in file order).

    ``x_``-prefixed columns are custom by definition and never match a FOCUS name. Of two headers that match the
    same FOCUS column, the first wins and the second is kept as an extra column.
    """
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    extras: list[str] = []
    for name in header:
        focus = None if name.lower().startswith("x_") else _BY_KEY.get(column_key(name))
        if focus is not None and focus not in taken:
            mapping[name] = FOCUS_COLUMNS[focus]
            taken.add(focus)
        else:
            extras.append(name)
    return mapping, extras


def looks_like_focus(header: list[str]) -> bool:
    keys = {column_key(name) for name in header}
    return all(column_key(c) in keys for c in SIGNATURE_COLUMNS)


def is_data_file(key: str) -> bool:
    """A file a FOCUS folder may hold as a bill (manifests, notes and sidecars are not)."""
    return key.lower().endswith(_DATA_SUFFIXES)


def file_header(landing: Landing, key: str, data: bytes | None = None) -> list[str]:
    """The column names of a CSV or Parquet file, reading as little as the format allows."""
    where = landing.describe(key)
    if is_parquet(key):
        return open_parquet(landing, key, where, data).schema_arrow.names
    return csv_header(csv_bytes(data if data is not None else landing.read_bytes(key), where), where)


# ------------------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------------------
def read_focus_file(
    landing: Landing, key: str, *, source_id: str, delivery_id: str, data: bytes | None = None
) -> pl.DataFrame:
    """One FOCUS file (CSV, CSV.gz/zip or Parquet) as a FOCUS_LINE_ITEMS frame: every row, every account and
    billing period it holds (the caller filters to the partitions it replaces)."""
    where = landing.describe(key)
    frame = _read_raw(landing, key, where, data)
    mapping, extras = match_columns([c for c in frame.columns if c != "__row"])
    _require(mapping, REQUIRED_COLUMNS, where)
    originals = {raw: original for original, raw in mapping.items()}
    row_label = _row_label(key, frame)
    extra_json = (
        pl.struct([pl.col(c) for c in extras]).struct.json_encode() if extras else pl.lit("{}")
    )
    frame = frame.with_columns(extra_json.alias("__extra")).rename(mapping)
    frame = convert_text_columns(
        frame,
        where,
        row_label,
        MONEY_COLUMNS,
        TIMESTAMP_COLUMNS,
        FLOAT_COLUMNS,
        originals=originals,
        extra_naive_formats=_US_DATE_FORMATS,
    )
    _check_placed(frame, where, row_label, originals)
    tags = tags_json_expression(frame, "tags", where)
    frame = frame.with_columns(
        *[_canonical(name, values) for name, values in _CANONICAL.items() if name in frame.columns],
        tags.alias("tags"),
    )
    _check_tags(frame, where, row_label, originals.get("tags", "Tags"))
    frame = frame.with_columns(
        pl.lit(source_id, pl.String).alias("source_id"),
        pl.lit("focus", pl.String).alias("bill_format"),
        pl.col("billing_period_start").dt.strftime("%Y-%m").alias("billing_period"),
        pl.lit(delivery_id, pl.String).alias("delivery_id"),
        pl.lit(key, pl.String).alias("source_file"),
        pl.col("__row").alias("source_row"),
        pl.col("__extra").alias("extra_columns"),
    )
    try:
        return conform(frame, FOCUS_LINE_ITEMS)
    except pl.exceptions.PolarsError as exc:
        raise LandingFileError(where, f"columns do not fit the FOCUS line-item schema: {exc}") from exc


def scan_focus_file(landing: Landing, key: str, data: bytes | None = None) -> list[tuple[str, str]]:
    """The (billing account, billing period) partitions a FOCUS file holds, reading only those two columns."""
    where = landing.describe(key)
    wanted = ("BillingAccountId", "BillingPeriodStart")
    frame = _read_raw(landing, key, where, data, only=wanted)
    mapping, _ = match_columns([c for c in frame.columns if c != "__row"])
    _require(mapping, wanted, where)
    frame = frame.rename(mapping)
    originals = {raw: original for original, raw in mapping.items()}
    row_label = _row_label(key, frame)
    frame = convert_text_columns(
        frame, where, row_label, (), ("billing_period_start",), (), originals, _US_DATE_FORMATS
    )
    _check_placed(frame, where, row_label, originals)
    units = frame.select(
        pl.col("billing_account_id").cast(pl.String), pl.col("billing_period_start").dt.strftime("%Y-%m")
    ).unique()
    return sorted(units.iter_rows())


# ------------------------------------------------------------------------------------------------------------
# internals
# ------------------------------------------------------------------------------------------------------------
def _read_raw(
    landing: Landing, key: str, where: str, data: bytes | None, only: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """The file's columns by their own names plus ``__row`` (1-based data row); text nulls already nulls.

    ``only``: read just the columns matching these FOCUS names (the partition scan)."""
    if is_parquet(key):
        parquet = open_parquet(landing, key, where, data)
        names = parquet.schema_arrow.names
        mapping, _ = match_columns(names)
        if only is not None:
            keep = {column_key(c) for c in only}
            names = [n for n in names if n in mapping and column_key(n) in keep]
        try:
            table = parquet.read(columns=names)
        except (pa.ArrowException, OSError) as exc:
            raise LandingFileError(where, f"not a readable Parquet file: {exc}") from exc
        columns = {}
        for name in table.column_names:
            column = table.column(name)
            raw = mapping.get(name)
            if raw in MONEY_COLUMNS and not is_text(column):
                column = arrow_money(column, name, where)
            columns[name] = column
        frame = pl.from_arrow(pa.table(columns)) if columns else pl.DataFrame()
        frame = frame.with_columns(
            utc_timestamp(frame, c) for c in frame.columns if mapping.get(c) in TIMESTAMP_COLUMNS
        )
    else:
        text = csv_bytes(data if data is not None else landing.read_bytes(key), where)
        header = csv_header(text, where)
        if len(set(header)) != len(header):
            duplicate = next(c for c in header if header.count(c) > 1)
            raise LandingFileError(where, f"line 1: column {duplicate!r} appears twice in the header")
        columns = header
        if only is not None:
            mapping, _ = match_columns(header)
            keep = {column_key(c) for c in only}
            columns = [n for n in header if n in mapping and column_key(n) in keep]
        frame = read_csv_strings(text, where, columns or None)
        if frame.columns and frame.columns[0].startswith("\ufeff"):
            frame = frame.rename({frame.columns[0]: frame.columns[0].lstrip("\ufeff")})
    frame = frame.with_row_index("__row", offset=1).with_columns(pl.col("__row").cast(pl.Int64))
    strings = [c for c, t in frame.schema.items() if t == pl.String]
    if strings:
        frame = frame.with_columns(
            pl.when(pl.col(c).str.strip_chars().str.to_uppercase().is_in(_NULL_TEXT)).then(None).otherwise(pl.col(c))
            .alias(c)
            for c in strings
        )
    if not is_parquet(key):
        # a blank line in a CSV reads as a row of nulls
        data_columns = [c for c in frame.columns if c != "__row"]
        if data_columns:
            frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in data_columns))
    return frame


def _row_label(key: str, frame: pl.DataFrame):
    rows = frame["__row"]
    if is_parquet(key):
        return lambda i: f"row {rows[i]}"
    return lambda i: f"line {rows[i] + 1}"  # line 1 is the header


def _require(mapping: dict[str, str], required: tuple[str, ...], where: str) -> None:
    """``required`` FOCUS columns (by their spec names) must each match a column of the file."""
    present = set(mapping.values())
    matched = [c for c in required if FOCUS_COLUMNS[c] in present]
    require_columns(matched, required, where, file_kind="FOCUS")


def _check_placed(frame: pl.DataFrame, where: str, row_label, originals: dict[str, str]) -> None:
    """Every row must name its billing account and billing period: they decide which partition it replaces."""
    for name in ("billing_account_id", "billing_period_start"):
        if name not in frame.columns:
            continue
        missing = frame[name].is_null()
        if missing.any():
            i = int(missing.arg_true()[0])
            raise LandingFileError(
                where, f"{row_label(i)}, column {originals.get(name, name)}: empty, but every FOCUS row needs one"
            )


def _canonical(name: str, values: tuple[str, ...]) -> pl.Expr:
    folded = {v.lower(): v for v in values}
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return text.str.to_lowercase().replace_strict(folded, default=text, return_dtype=pl.String).alias(name)


def _check_tags(frame: pl.DataFrame, where: str, row_label, column: str) -> None:
    """Tags must be a JSON object: staging reads keys out of it on every warehouse."""
    values = frame["tags"]
    for text in values.unique().drop_nulls().to_list():
        try:
            ok = isinstance(json.loads(text), dict)
        except json.JSONDecodeError:
            ok = False
        if not ok:
            i = int((values == text).arg_true()[0])
            raise LandingFileError(where, f"{row_label(i)}, column {column}: {text[:80]!r} is not a JSON object")
