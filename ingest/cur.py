"""AWS Cost and Usage Reports: CUR 2.0 (Data Exports) and legacy CUR 1, to ``raw.cur_line_items`` (CUR_LINE_ITEMS).

A CUR delivery is a full snapshot of one billing period, re-delivered several times a day and restated after
month end, so the unit of work is a *delivery*: the files one manifest names. Files the manifest does not name
(older executions, stale assemblies) are never read.

- CUR 2.0: ``<uri>/metadata/BILLING_PERIOD=YYYY-MM/[...]/<export>-Manifest.json`` lists its ``dataFiles`` as
  ``s3://bucket/<prefix>/<export>/data/...``; each is resolved by its suffix from ``data/`` onward under the
  configured URI (the prefix the export was written to need not match where the files were copied).
- CUR 1: only ``<uri>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json`` counts (AWS overwrites it at each delivery; the
  copies in ``<assemblyId>/`` folders are stale); ``reportKeys`` resolve by suffix from the date-range folder.

Money: CUR 2.0 Parquet stores costs as DOUBLE; they become DECIMAL(38, 9) rounded to nearest from the exact binary
value (pyarrow's cast). CSV costs are decimal text (``7.20216E-5``) and go straight to DECIMAL, never through a
float, rounded half away from zero at the 9th decimal. Tags become one JSON object string with CUR 2.0 keys
(``{"user_team": "ml"}``): the CUR 2.0 ``resource_tags`` MAP as is, CUR 1 ``resourceTags/user:team`` columns
folded in under Athena's column-name rule. Every frame is built with polars/pyarrow column operations (no
Python loop per row), one file at a time and a Parquet file in batches of rows (iter_cur2_file), so a caller can
write a 5 M-row month without holding it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import CUR_LINE_ITEMS, MONEY, TS, conform, empty

LINEAGE_COLUMNS = ("source_id", "bill_format", "billing_account_id", "billing_period", "delivery_id", "source_file")
BILL_COLUMNS = tuple(c for c in CUR_LINE_ITEMS if c not in LINEAGE_COLUMNS)
MONEY_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == MONEY)
TIMESTAMP_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == TS)
FLOAT_COLUMNS = tuple(c for c, t in CUR_LINE_ITEMS.items() if t == pl.Float64)
# Without these a file is not a CUR at all (or cannot be placed in its (account, period) partition).
REQUIRED_COLUMNS = (
    "bill_payer_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_unblended_cost",
)
_READ_COLUMNS = frozenset(BILL_COLUMNS) | {"bill_payer_account_id"}
# AWS's CUR 2.0 data dictionary (the columns a Data Exports query can select). A column outside it is unknown to
# unitcost: it is loaded into `extra_columns` rather than dropped; a known column we do not model is skipped.
CUR2_DICTIONARY = frozenset("""
bill_bill_type bill_billing_entity bill_billing_period_end_date bill_billing_period_start_date bill_invoice_id
bill_invoicing_entity bill_payer_account_id bill_payer_account_name cost_category discount discount_bundled_discount
discount_total_discount identity_line_item_id identity_time_interval line_item_availability_zone
line_item_blended_cost line_item_blended_rate line_item_currency_code line_item_legal_entity
line_item_line_item_description line_item_line_item_type line_item_net_unblended_cost line_item_net_unblended_rate
line_item_normalization_factor line_item_normalized_usage_amount line_item_operation line_item_product_code
line_item_resource_id line_item_tax_type line_item_unblended_cost line_item_unblended_rate
line_item_usage_account_id line_item_usage_account_name line_item_usage_amount line_item_usage_end_date
line_item_usage_start_date line_item_usage_type line_item_iam_principal line_item_user_identifier pricing_currency
pricing_lease_contract_length pricing_offering_class pricing_public_on_demand_cost pricing_public_on_demand_rate
pricing_purchase_option pricing_rate_code pricing_rate_id pricing_term pricing_unit product product_comment
product_fee_code product_fee_description product_from_location product_from_location_type product_from_region_code
product_instance_family product_instance_type product_instancesku product_location product_location_type
product_operation product_pricing_unit product_product_family product_region_code product_servicecode product_sku
product_to_location product_to_location_type product_to_region_code product_usagetype
reservation_amortized_upfront_cost_for_usage reservation_amortized_upfront_fee_for_billing_period
reservation_availability_zone reservation_effective_cost reservation_end_time reservation_modification_status
reservation_net_amortized_upfront_cost_for_usage reservation_net_amortized_upfront_fee_for_billing_period
reservation_net_effective_cost reservation_net_recurring_fee_for_usage
reservation_net_unused_amortized_upfront_fee_for_billing_period reservation_net_unused_recurring_fee
reservation_net_upfront_value reservation_normalized_units_per_reservation reservation_number_of_reservations
reservation_recurring_fee_for_usage reservation_reservation_a_r_n reservation_start_time reservation_subscription_id
reservation_total_reserved_normalized_units reservation_total_reserved_units reservation_units_per_reservation
reservation_unused_amortized_upfront_fee_for_billing_period reservation_unused_normalized_unit_quantity
reservation_unused_quantity reservation_unused_recurring_fee reservation_upfront_value resource_tags
savings_plan_amortized_upfront_commitment_for_billing_period savings_plan_end_time savings_plan_instance_type_family
savings_plan_net_amortized_upfront_commitment_for_billing_period savings_plan_net_recurring_commitment_for_billing_period
savings_plan_net_savings_plan_effective_cost savings_plan_offering_type savings_plan_payment_option
savings_plan_purchase_term savings_plan_recurring_commitment_for_billing_period savings_plan_region
savings_plan_savings_plan_a_r_n savings_plan_savings_plan_effective_cost savings_plan_savings_plan_rate
savings_plan_start_time savings_plan_total_commitment_to_date savings_plan_used_commitment
split_line_item_actual_usage split_line_item_net_split_cost split_line_item_net_unused_cost
split_line_item_parent_resource_id split_line_item_public_on_demand_split_cost
split_line_item_public_on_demand_unused_cost split_line_item_reserved_usage split_line_item_split_cost
split_line_item_split_usage split_line_item_split_usage_ratio split_line_item_unused_cost tags
capacity_reservation_capacity_reservation_arn capacity_reservation_capacity_reservation_status
capacity_reservation_capacity_reservation_type
""".split())


def _is_unknown_cur2_column(name: str) -> bool:
    return name not in CUR2_DICTIONARY and name not in _READ_COLUMNS and name not in LINEAGE_COLUMNS


def _pack_unknown_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Fold the columns AWS's dictionary does not name into one JSON object column, `extra_columns`."""
    unknown = [c for c in frame.columns if _is_unknown_cur2_column(c)]
    if not unknown:
        return frame
    packed = pl.struct([pl.col(c).cast(pl.String) for c in unknown]).struct.json_encode()
    return frame.with_columns(packed.alias("extra_columns")).drop(unknown)

_PERIOD_DIR = re.compile(r"^BILLING_PERIOD=(\d{4}-\d{2})$")
_RANGE_DIR = re.compile(r"^(\d{4})(\d{2})\d{2}-\d{8}$")
_BILLING_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# "<timestamp>-<executionId>" folders of create-new exports: 20261015T031522Z-… or 2024-05-18T20:16:37.306Z-…
_EXECUTION_DIR = re.compile(r"^(\d{8}T\d{6}(?:\.\d+)?Z|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)-")
_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S%.f%:z")
_NAIVE_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d")
PARQUET_BATCH_ROWS = 122_880  # rows per frame when a Parquet file is streamed (one DuckDB row group)
_WIDE_DECIMAL = pl.Decimal(38, 18)  # exact for any CSV cost text with up to 18 decimals, before rounding to 9


@dataclass(frozen=True)
class Delivery:
    """One billing period's current snapshot: the files its manifest names.

    ``delivery_id`` is the manifest's ``executionId`` (CUR 2.0) or ``assemblyId`` (CUR 1), or a content hash
    for a bare file; ``data_keys`` are landing keys, already resolved and checked to exist.
    """

    bill_format: str  # cur2 | cur1
    billing_period: str  # YYYY-MM
    delivery_id: str
    manifest_key: str | None
    data_keys: tuple[str, ...]
    name: str | None = None  # exportName / reportName


# ------------------------------------------------------------------------------------------------------------
# Finding deliveries
# ------------------------------------------------------------------------------------------------------------
def find_cur2_deliveries(landing: Landing, errors: list[LandingFileError] | None = None) -> list[Delivery]:
    """One Delivery per billing period (per export root, if the URI holds several) from CUR 2.0 manifests.

    When a period has several manifests (create-new exports keep one per execution), the newest wins: the one
    whose own folder or whose data files' folder carries the latest ``<timestamp>-<executionId>`` timestamp;
    without timestamps, the manifest directly in ``metadata/BILLING_PERIOD=…/`` (the one AWS overwrites), then
    the last key. Each listed data file must exist under the URI, else LandingFileError naming the manifest.
    With ``errors`` given, a period whose manifest is broken is left out and its error appended instead, so one
    bad period does not stop the others from loading.
    """
    keys = landing.list()
    present = set(keys)
    groups: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for key in keys:
        if not key.endswith("Manifest.json"):
            continue
        parts = key.split("/")
        for i in range(len(parts) - 2, 0, -1):
            match = _PERIOD_DIR.match(parts[i])
            if match and parts[i - 1] == "metadata":
                base = "/".join(parts[: i - 1])
                groups[(base + "/" if base else "", match.group(1))].append((key, len(parts) - 1 - i))
                break

    deliveries = []
    for (base, period), manifests in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        try:
            deliveries.append(_cur2_delivery(landing, present, base, period, manifests))
        except LandingFileError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return deliveries


def _cur2_delivery(
    landing: Landing, present: set[str], base: str, period: str, manifests: list[tuple[str, int]]
) -> Delivery:
    parsed = []
    for key, depth in manifests:
        manifest = _read_manifest(landing, key)
        entries = _string_list(landing, key, manifest, "dataFiles")
        data_keys = [_resolve_cur2_entry(landing, key, base, entry) for entry in entries]
        stamp = _execution_timestamp(key.split("/"))
        if stamp is None:
            data_stamps = [ts for k in data_keys if (ts := _execution_timestamp(k.split("/"))) is not None]
            stamp = max(data_stamps, default=None)
        rank = (stamp or datetime.min.replace(tzinfo=timezone.utc), depth == 1, key)
        parsed.append((rank, key, manifest, data_keys))
    _, key, manifest, data_keys = max(parsed, key=lambda p: p[0])
    _check_period(landing, key, manifest, period)
    for data_key in data_keys:
        if data_key not in present:
            raise LandingFileError(
                landing.describe(key),
                f"the manifest lists {data_key!r}, which is not under {landing.describe()} (an incomplete copy?)",
            )
    return Delivery(
        bill_format="cur2",
        billing_period=period,
        delivery_id=str(manifest.get("executionId") or content_id(landing.read_bytes(key))),
        manifest_key=key,
        data_keys=tuple(data_keys),
        name=manifest.get("exportName"),
    )


def find_cur1_deliveries(landing: Landing, errors: list[LandingFileError] | None = None) -> list[Delivery]:
    """One Delivery per ``yyyymmdd-yyyymmdd/`` folder from its top-level manifest (assembly copies are stale).

    ``errors``: as for find_cur2_deliveries.
    """
    keys = landing.list()
    present = set(keys)
    deliveries = []
    for key in keys:
        parts = key.split("/")
        if len(parts) < 2 or not parts[-1].endswith("Manifest.json"):
            continue
        folder = _RANGE_DIR.match(parts[-2])
        if not folder:
            continue  # a copy inside <assemblyId>/, or not a CUR manifest
        try:
            deliveries.append(_cur1_delivery(landing, present, key, f"{folder.group(1)}-{folder.group(2)}"))
        except LandingFileError as exc:
            if errors is None:
                raise
            errors.append(exc)
    return sorted(deliveries, key=lambda d: (d.billing_period, d.manifest_key or ""))


def _cur1_delivery(landing: Landing, present: set[str], key: str, period: str) -> Delivery:
    parts = key.split("/")
    base = "/".join(parts[:-2])
    base = base + "/" if base else ""
    manifest = _read_manifest(landing, key)
    _check_period(landing, key, manifest, period)
    data_keys = []
    for entry in _string_list(landing, key, manifest, "reportKeys"):
        resolved = _resolve_by_anchor(entry, base, lambda ps, i: bool(_RANGE_DIR.match(ps[i])))
        if resolved is None:
            raise LandingFileError(
                landing.describe(key), f"reportKeys entry {entry!r} has no yyyymmdd-yyyymmdd/ folder to resolve by"
            )
        if resolved not in present:
            raise LandingFileError(
                landing.describe(key),
                f"the manifest lists {resolved!r}, which is not under {landing.describe()} (an incomplete copy?)",
            )
        data_keys.append(resolved)
    return Delivery(
        bill_format="cur1",
        billing_period=period,
        delivery_id=str(manifest.get("assemblyId") or content_id(landing.read_bytes(key))),
        manifest_key=key,
        data_keys=tuple(data_keys),
        name=manifest.get("reportName"),
    )


def file_fingerprints(landing: Landing) -> dict[str, str]:
    """Every file key under the landing → a fingerprint that changes when the file is rewritten.

    S3: the object's ETag and size (one paginated listing); folders: size and modification time in ns. A
    delivery's fingerprint combines those of its manifest and data files, so a restatement that rewrites a
    file in place (an overwrite-mode export) is noticed even when the manifest's ids did not change.
    """
    if not landing.is_s3:
        out = {}
        for key in landing.list():
            path = landing.local_path(key)
            stat = path.stat() if path is not None else None
            out[key] = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else ""
        return out
    # Landing lists keys only; the ETags come from the same ListObjectsV2 pages, with Landing's own client.
    client = landing._s3()  # noqa: SLF001 - see the report: Landing could expose a listing with ETags
    out = {}
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=landing.bucket, Prefix=landing.prefix, PaginationConfig={"PageSize": landing.page_size}
        )
        for page in pages:
            for obj in page.get("Contents", []):
                if not obj["Key"].endswith("/"):
                    out[obj["Key"][len(landing.prefix) :]] = f"{obj.get('ETag', '')}:{obj.get('Size', '')}"
    except Exception as exc:  # botocore errors: never echo request details
        raise LandingFileError(landing.describe(), f"cannot list objects ({type(exc).__name__})") from exc
    return out


def delivery_fingerprint(parts: list[tuple[str, str]]) -> str:
    """A short stable hash of (key, file fingerprint) pairs (and ids) that together identify one delivery."""
    text = json.dumps(sorted(parts), separators=(",", ":"))
    return "fp:" + hashlib.sha256(text.encode()).hexdigest()[:24]


# ------------------------------------------------------------------------------------------------------------
# Reading deliveries (one frame per data file; the read_* helpers concatenate)
# ------------------------------------------------------------------------------------------------------------
def iter_cur2_delivery(landing: Landing, delivery: Delivery, source_id: str) -> Iterator[pl.DataFrame]:
    """Yield one CUR_LINE_ITEMS frame per data file of a CUR 2.0 delivery, in manifest order."""
    for key in delivery.data_keys:
        yield read_cur2_file(
            landing, key, billing_period=delivery.billing_period, delivery_id=delivery.delivery_id, source_id=source_id
        )



def read_cur2_delivery(landing: Landing, delivery: Delivery, source_id: str) -> pl.DataFrame:
    """All line items of a CUR 2.0 delivery as one CUR_LINE_ITEMS frame (see iter_cur2_delivery to stream)."""
    return _concat(iter_cur2_delivery(landing, delivery, source_id))


def iter_cur1_delivery(landing: Landing, delivery: Delivery, source_id: str) -> Iterator[pl.DataFrame]:
    """Yield one CUR_LINE_ITEMS frame per CSV file of a CUR 1 delivery, in manifest order."""
    for key in delivery.data_keys:
        yield read_cur1_file(
            landing, key, billing_period=delivery.billing_period, delivery_id=delivery.delivery_id, source_id=source_id
        )


def read_cur1_delivery(landing: Landing, delivery: Delivery, source_id: str) -> pl.DataFrame:
    """All line items of a CUR 1 delivery as one CUR_LINE_ITEMS frame (see iter_cur1_delivery to stream)."""
    return _concat(iter_cur1_delivery(landing, delivery, source_id))


def iter_delivery(landing: Landing, delivery: Delivery, source_id: str) -> Iterator[pl.DataFrame]:
    """Yield the frames of any delivery, CUR 2.0 or CUR 1."""
    if delivery.bill_format == "cur2":
        return iter_cur2_delivery(landing, delivery, source_id)
    if delivery.bill_format == "cur1":
        return iter_cur1_delivery(landing, delivery, source_id)
    raise ValueError(f"unknown bill format {delivery.bill_format!r} (expected cur2 or cur1)")


def read_bare_bill(landing: Landing, key: str, fmt: str, billing_period: str, source_id: str) -> pl.DataFrame:
    """A single bill file without a manifest (its config names ``format`` and ``billing_period``).

    ``delivery_id`` is a hash of the file's bytes, so re-loading an unchanged file is recognisable.
    """
    if not _BILLING_PERIOD.match(billing_period or ""):
        raise ValueError(f"{landing.describe(key)}: billing_period {billing_period!r} is not YYYY-MM")
    if fmt == "focus":
        # FOCUS rows carry their own account and billing period and land in another table
        raise ValueError(f"{landing.describe(key)}: a FOCUS file is read by ingest.focus.read_focus_file")
    if fmt not in ("cur1", "cur2"):
        raise ValueError(f"{landing.describe(key)}: format {fmt!r} is not one of cur1, cur2, focus")
    data = landing.read_bytes(key)
    reader = read_cur2_file if fmt == "cur2" else read_cur1_file
    return reader(
        landing, key, billing_period=billing_period, delivery_id=content_id(data), source_id=source_id, data=data
    )


def read_cur2_file(
    landing: Landing,
    key: str,
    *,
    billing_period: str,
    delivery_id: str,
    source_id: str,
    data: bytes | None = None,
) -> pl.DataFrame:
    """One CUR 2.0 data file (Parquet, or CSV/CSV.gz with the same column names) as a CUR_LINE_ITEMS frame."""
    frames = list(iter_cur2_file(landing, key, billing_period=billing_period, delivery_id=delivery_id,
                                 source_id=source_id, data=data))
    return pl.concat(frames, how="vertical") if frames else empty(CUR_LINE_ITEMS)


def iter_cur2_file(
    landing: Landing,
    key: str,
    *,
    billing_period: str,
    delivery_id: str,
    source_id: str,
    data: bytes | None = None,
    batch_rows: int = PARQUET_BATCH_ROWS,
) -> Iterator[pl.DataFrame]:
    """One CUR 2.0 data file as CUR_LINE_ITEMS frames: a Parquet file in batches of at most ``batch_rows`` rows
    (AWS writes files of any size; memory stays that of one batch), a CSV file as one frame."""
    where = landing.describe(key)
    if not is_parquet(key):
        raw = data if data is not None else landing.read_bytes(key)
        frame = _read_csv(
            raw, where,
            lambda c: c if c in _READ_COLUMNS or c == "resource_tags" or _is_unknown_cur2_column(c) else None,
        )
        _require(frame, where, REQUIRED_COLUMNS)
        frame = _pack_unknown_columns(frame.with_columns(_tags_expression(frame, where).alias("resource_tags")))
        yield _finish(frame, where, _csv_line, "cur2", billing_period, delivery_id, source_id, key)
        return
    offset = 0
    for frame in _iter_parquet(landing, key, where, data, batch_rows):
        frame = _pack_unknown_columns(frame.with_columns(_tags_expression(frame, where).alias("resource_tags")))
        yield _finish(frame, where, lambda i, first=offset: f"row {first + i + 1}", "cur2", billing_period,
                      delivery_id, source_id, key)
        offset += frame.height


def read_cur1_file(
    landing: Landing,
    key: str,
    *,
    billing_period: str,
    delivery_id: str,
    source_id: str,
    data: bytes | None = None,
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
        if name in _READ_COLUMNS or name == "product_region":
            originals.setdefault(name, column)
            return name if originals[name] == column else None  # first of two columns that normalize alike
        return None

    frame = _read_csv(raw, where, pick)
    _require(frame, where, REQUIRED_COLUMNS, originals)
    # Older CUR 1 files carry only product/region (the region code); CUR 2.0 calls it product_region_code.
    if "product_region_code" not in frame.columns and "product_region" in frame.columns:
        frame = frame.rename({"product_region": "product_region_code"})
        originals["product_region_code"] = originals.get("product_region", "product/region")
    tag_columns = [c for c in frame.columns if c.startswith("resourceTags/")]
    frame = frame.with_columns(_fold_tag_columns(tag_columns).alias("resource_tags")).drop(tag_columns)
    return _finish(frame, where, _csv_line, "cur1", billing_period, delivery_id, source_id, key, originals)


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


# ------------------------------------------------------------------------------------------------------------
# internals
# ------------------------------------------------------------------------------------------------------------
def _concat(frames: Iterator[pl.DataFrame]) -> pl.DataFrame:
    collected = list(frames)
    return pl.concat(collected, how="vertical") if collected else empty(CUR_LINE_ITEMS)


def content_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def _read_manifest(landing: Landing, key: str) -> dict:
    try:
        manifest = json.loads(landing.read_bytes(key))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LandingFileError(landing.describe(key), f"not a valid JSON manifest: {exc}") from exc
    if not isinstance(manifest, dict):
        raise LandingFileError(landing.describe(key), "expected a JSON object (a CUR manifest)")
    return manifest


def _string_list(landing: Landing, key: str, manifest: dict, field: str) -> list[str]:
    value = manifest.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LandingFileError(landing.describe(key), f"expected {field!r} to be a list of object keys")
    return value


def _check_period(landing: Landing, key: str, manifest: dict, period: str) -> None:
    billing_period = manifest.get("billingPeriod")
    start = billing_period.get("start") if isinstance(billing_period, dict) else None
    match = re.match(r"^(\d{4})-?(\d{2})", str(start)) if start else None
    if match and f"{match.group(1)}-{match.group(2)}" != period:
        raise LandingFileError(
            landing.describe(key), f"billingPeriod.start {start!r} does not match its folder's period {period}"
        )


def _resolve_by_anchor(entry: str, base: str, is_anchor: Callable[[list[str], int], bool]) -> str | None:
    path = entry.split("/", 3)[3] if entry.startswith("s3://") and entry.count("/") >= 3 else entry
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):  # the last anchor: a prefix may itself contain the anchor's name
        if is_anchor(parts, i):
            return base + "/".join(parts[i:])
    return None


def _resolve_cur2_entry(landing: Landing, manifest_key: str, base: str, entry: str) -> str:
    resolved = _resolve_by_anchor(
        entry, base, lambda ps, i: ps[i] == "data" and bool(_PERIOD_DIR.match(ps[i + 1]))
    ) or _resolve_by_anchor(entry, base, lambda ps, i: ps[i] == "data")
    if resolved is None:
        raise LandingFileError(
            landing.describe(manifest_key), f"dataFiles entry {entry!r} has no data/ folder to resolve by"
        )
    return resolved


def _execution_timestamp(parts: list[str]) -> datetime | None:
    for part in reversed(parts):
        match = _EXECUTION_DIR.match(part)
        if match:
            text = match.group(1)
            for fmt in ("%Y%m%dT%H%M%S.%fZ", "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
                try:
                    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
                except ValueError:
                    continue
    return None


def is_parquet(key: str) -> bool:
    return key.lower().endswith(".parquet")


def _csv_line(i: int) -> str:
    return f"line {i + 2}"  # line 1 is the header


def _iter_parquet(
    landing: Landing, key: str, where: str, data: bytes | None, batch_rows: int
) -> Iterator[pl.DataFrame]:
    """The CUR columns of a Parquet file, ``batch_rows`` rows at a time, money already DECIMAL(38, 9)."""
    local = landing.local_path(key) if data is None else None
    source = str(local) if local is not None else pa.BufferReader(data if data is not None else landing.read_bytes(key))
    try:
        parquet = pq.ParquetFile(source)
        names = [c for c in parquet.schema_arrow.names
                 if c in _READ_COLUMNS or c == "resource_tags" or _is_unknown_cur2_column(c)]
        _require(pl.DataFrame(schema={c: pl.Null for c in names}), where, REQUIRED_COLUMNS)
        batches = parquet.iter_batches(batch_size=batch_rows, columns=names)
        for batch in batches:
            columns = {}
            for name, column in zip(batch.schema.names, batch.columns):
                text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                if name in MONEY_COLUMNS and not text:
                    column = arrow_money(column, name, where)
                columns[name] = column
            yield pl.from_arrow(pa.table(columns))
    except (pa.ArrowException, OSError) as exc:
        raise LandingFileError(where, f"not a readable Parquet file: {exc}") from exc


def arrow_money(column: pa.ChunkedArray, name: str, where: str) -> pa.ChunkedArray:
    target = pa.decimal128(38, 9)
    try:
        if pa.types.is_decimal(column.type) and column.type.scale > 9:
            column = pc.round(column, ndigits=9, round_mode="half_towards_infinity")
        # Doubles: nearest DECIMAL(38, 9) to the exact binary value (the cast rounds; it never truncates).
        return pc.cast(column, target)
    except pa.ArrowException as exc:
        raise LandingFileError(where, f"column {name}: cannot convert {column.type} to DECIMAL(38, 9): {exc}") from exc


def _read_csv(raw: bytes, where: str, pick: Callable[[str], str | None]) -> pl.DataFrame:
    """All wanted columns as strings; ``pick`` maps a header to its output name, or None to skip it."""
    data = decompress(raw, where)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_line = data.split(b"\n", 1)[0].rstrip(b"\r")
    if not first_line.strip():
        raise LandingFileError(where, "empty file: expected a CSV header line")
    try:
        header = next(csv.reader([first_line.decode("utf-8")]))
    except UnicodeDecodeError as exc:
        raise LandingFileError(where, f"line 1: not UTF-8 text: {exc}") from exc
    wanted: dict[str, str] = {}
    for column in header:
        out = pick(column)
        if out is not None and column not in wanted:
            wanted[column] = out
    if not wanted:
        return pl.DataFrame()
    try:
        frame = pl.read_csv(
            io.BytesIO(data), infer_schema=False, columns=list(wanted), empty_string_is_null=True
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise LandingFileError(where, f"not a readable CSV file: {exc}") from exc
    return frame.rename(wanted)


def decompress(raw: bytes, where: str) -> bytes:
    try:
        if raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
        if raw[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                members = [m for m in archive.namelist() if not m.endswith("/")]
                if len(members) != 1:
                    raise LandingFileError(where, f"expected one CSV inside the zip archive, found {len(members)}")
                return archive.read(members[0])
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise LandingFileError(where, f"cannot decompress: {exc}") from exc
    return raw


def _require(
    frame: pl.DataFrame, where: str, required: tuple[str, ...], originals: dict[str, str] | None = None
) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        if originals is not None:
            # name the CUR 1 header the user would look for
            names = [_CUR1_HINTS.get(c, c) for c in missing]
        else:
            names = missing
        raise LandingFileError(where, f"missing required column(s) {', '.join(names)}: is this a CUR file?")


_CUR1_HINTS = {
    "bill_payer_account_id": "bill/PayerAccountId",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_end_date": "lineItem/UsageEndDate",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
}


def _json_string(expr: pl.Expr) -> pl.Expr:
    """A string expression as a JSON string literal (quoted, escaped): encode {"v": x} and keep the value."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.slice(5).str.head(-1)


def _tags_expression(frame: pl.DataFrame, where: str) -> pl.Expr:
    """CUR 2.0 ``resource_tags`` (MAP, list of key/value structs, or JSON text in CSV) → JSON object string."""
    return tags_json_expression(frame, "resource_tags", where)


def tags_json_expression(frame: pl.DataFrame, name: str, where: str) -> pl.Expr:
    """A tag column (MAP, list of key/value structs, struct, or JSON text) → a JSON object string, "{}" if empty.

    Keys and values are kept exactly; a MAP becomes ``{"key": "value", ...}`` in the file's order.
    """
    if name not in frame.columns:
        return pl.lit("{}")
    dtype = frame.schema[name]
    column = pl.col(name)
    if dtype == pl.String:
        text = column.str.strip_chars()
        return pl.when(text.is_null() | (text == "")).then(pl.lit("{}")).otherwise(text)
    if isinstance(dtype, pl.Struct):
        return pl.when(column.is_null()).then(pl.lit("{}")).otherwise(column.struct.json_encode())
    if dtype.__class__.__name__ == "Map":
        entries = column.map.entries()
    elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        entries = column
    else:
        raise LandingFileError(where, f"column {name}: expected a MAP<string, string>, found {dtype}")
    pairs = entries.list.eval(
        _json_string(pl.element().struct.field("key").cast(pl.String))
        + pl.lit(":")
        + _json_string(pl.element().struct.field("value").cast(pl.String))
    )
    return pl.when(column.is_null()).then(pl.lit("{}")).otherwise(pl.lit("{") + pairs.list.join(",") + pl.lit("}"))


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
        parts.append(pl.when(value.is_not_null()).then(pl.lit(json.dumps(key) + ":") + _json_string(value)))
    return pl.lit("{") + pl.concat_list(parts).list.drop_nulls().list.join(",") + pl.lit("}")


def _finish(
    frame: pl.DataFrame,
    where: str,
    row_label: Callable[[int], str],
    bill_format: str,
    billing_period: str,
    delivery_id: str,
    source_id: str,
    key: str,
    originals: dict[str, str] | None = None,
) -> pl.DataFrame:
    originals = originals or {}
    frame = convert_text_columns(
        frame, where, row_label, MONEY_COLUMNS, TIMESTAMP_COLUMNS, FLOAT_COLUMNS, originals=originals
    )
    frame = frame.with_columns(
        pl.lit(source_id, pl.String).alias("source_id"),
        pl.lit(bill_format, pl.String).alias("bill_format"),
        pl.col("bill_payer_account_id").cast(pl.String).alias("billing_account_id"),
        pl.lit(billing_period, pl.String).alias("billing_period"),
        pl.lit(delivery_id, pl.String).alias("delivery_id"),
        pl.lit(key, pl.String).alias("source_file"),
    )
    try:
        return conform(frame, CUR_LINE_ITEMS)
    except pl.exceptions.PolarsError as exc:
        raise LandingFileError(where, f"columns do not fit the CUR line-item schema: {exc}") from exc


def convert_text_columns(
    frame: pl.DataFrame,
    where: str,
    row_label: Callable[[int], str],
    money: tuple[str, ...],
    timestamps: tuple[str, ...],
    floats: tuple[str, ...],
    originals: dict[str, str] | None = None,
    extra_naive_formats: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Text columns among ``money``/``timestamps``/``floats`` → DECIMAL(38, 9) / UTC timestamp / float.

    A value that does not convert is an error naming the file, the row (``row_label`` of its index) and the
    column as the file calls it (``originals``); typed columns (Parquet) pass through unchanged.
    """
    originals = originals or {}
    conversions = []
    for name in frame.columns:
        dtype = frame.schema[name]
        if dtype != pl.String:
            continue
        if name in money:
            conversions.append((name, money_from_text(pl.col(name)), "a decimal number"))
        elif name in timestamps:
            conversions.append(
                (name, timestamp_from_text(pl.col(name), extra_naive_formats), "an ISO 8601 UTC timestamp")
            )
        elif name in floats:
            conversions.append((name, pl.col(name).str.strip_chars().cast(pl.Float64, strict=False), "a number"))
    if not conversions:
        return frame
    converted = frame.with_columns([expr.alias(name) for name, expr, _ in conversions])
    for name, _, expected in conversions:
        text = frame[name].str.strip_chars()
        bad = text.is_not_null() & (text != "") & converted[name].is_null()
        if bad.any():
            i = int(bad.arg_true()[0])
            raise LandingFileError(
                where,
                f"{row_label(i)}, column {originals.get(name, name)}: {frame[name][i]!r} is not {expected}",
            )
    return converted


def money_from_text(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars()
    return (
        pl.when(text != "")
        .then(text.cast(_WIDE_DECIMAL, strict=False).round(9, mode="half_away_from_zero").cast(MONEY))
        .otherwise(None)
    )


def timestamp_from_text(expr: pl.Expr, extra_naive_formats: tuple[str, ...] = ()) -> pl.Expr:
    """ISO 8601 text → UTC timestamp; text without a zone is read as UTC (CUR and FOCUS are UTC throughout).

    ``extra_naive_formats`` are tried last (FOCUS spec examples write US dates such as ``4/1/25``)."""
    text = expr.str.strip_chars()
    aware = [text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC") for f in _TS_FORMATS]
    # CUR is UTC throughout; a timestamp written without a zone (some CSV tools) is read as UTC.
    naive = [
        text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        for f in (*_NAIVE_TS_FORMATS, *extra_naive_formats)
    ]
    return pl.coalesce(aware + naive)
