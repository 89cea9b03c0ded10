"""What every bill file needs, whichever format it is in (CUR 2.0, CUR 1, FOCUS): the helpers the readers share.

- Opening: CSV may be plain, gzip or a one-file zip (``decompress``; AWS writes ``.csv.gz``/``.csv.zip``) and may
  start with a UTF-8 BOM (Excel); Parquet is read from the local file when there is one, else from the bytes.
- Identity: ``content_id`` (a bare file's delivery id) and ``file_fingerprints`` (what tells a rewritten file).
- Columns: money and timestamps arrive as text (CSV) or typed Arrow columns (Parquet). Text money goes straight
  to DECIMAL(38, 9), rounded half away from zero at the 9th decimal, never through a float; Parquet DOUBLE money
  becomes the nearest DECIMAL(38, 9) to its exact binary value. Timestamps are UTC (a bill without a zone is UTC).
- Tags: a MAP, a list of key/value structs, a struct or JSON text → one JSON object string, keys kept exactly.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zipfile
from collections.abc import Callable

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.schemas import MONEY
from ingest.values import utf8_text

_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S%.f%:z")
_NAIVE_TS_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d")
_WIDE_DECIMAL = pl.Decimal(38, 18)  # exact for any cost text with up to 18 decimals, before rounding to 9
_BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------------------------ identity
def content_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


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


# ------------------------------------------------------------------------------------------------ opening
def is_parquet(key: str) -> bool:
    return key.lower().endswith(".parquet")


def open_parquet(landing: Landing, key: str, where: str, data: bytes | None) -> pq.ParquetFile:
    """A Parquet file, from its local path when it has one (memory-mapped by Arrow), else from its bytes."""
    local = landing.local_path(key) if data is None else None
    source = str(local) if local is not None else pa.BufferReader(data if data is not None else landing.read_bytes(key))
    try:
        return pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise LandingFileError(where, f"not a readable Parquet file: {exc}") from exc


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


def csv_bytes(raw: bytes, where: str) -> bytes:
    """A CSV file's bytes, decompressed and without a BOM."""
    return decompress(raw, where).removeprefix(_BOM)


def csv_header(data: bytes, where: str) -> list[str]:
    """The column names on the first line of ``csv_bytes``, without reading the rest."""
    first_line = data.split(b"\n", 1)[0].rstrip(b"\r")
    if not first_line.strip():
        raise LandingFileError(where, "empty file: expected a CSV header line")
    return next(csv.reader([utf8_text(first_line, where)]))


def read_csv_strings(data: bytes, where: str, columns: list[str] | None) -> pl.DataFrame:
    """``columns`` of ``csv_bytes`` (every column if None) as strings, empty fields as nulls."""
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, columns=columns, empty_string_is_null=True)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise LandingFileError(where, f"not a readable CSV file: {exc}") from exc


# ------------------------------------------------------------------------------------------------ columns
def is_text(column: pa.ChunkedArray | pa.Array) -> bool:
    return pa.types.is_string(column.type) or pa.types.is_large_string(column.type)


def arrow_money(column: pa.ChunkedArray, name: str, where: str) -> pa.ChunkedArray:
    target = pa.decimal128(38, 9)
    try:
        if pa.types.is_decimal(column.type) and column.type.scale > 9:
            column = pc.round(column, ndigits=9, round_mode="half_towards_infinity")
        # Doubles: nearest DECIMAL(38, 9) to the exact binary value (the cast rounds; it never truncates).
        return pc.cast(column, target)
    except pa.ArrowException as exc:
        raise LandingFileError(where, f"column {name}: cannot convert {column.type} to DECIMAL(38, 9): {exc}") from exc


def utc_timestamp(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A typed (Parquet) date or timestamp column → UTC microseconds; a timestamp without a zone is UTC."""
    dtype = frame.schema[name]
    if isinstance(dtype, pl.Datetime):
        column = pl.col(name)
        utc = column.dt.replace_time_zone("UTC") if dtype.time_zone is None else column.dt.convert_time_zone("UTC")
        return utc.dt.cast_time_unit("us").alias(name)
    if isinstance(dtype, pl.Date):
        return pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias(name)
    return pl.col(name)


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


def json_string(expr: pl.Expr) -> pl.Expr:
    """A string expression as a JSON string literal (quoted, escaped): encode {"v": x} and keep the value."""
    return pl.struct(expr.alias("v")).struct.json_encode().str.slice(5).str.head(-1)


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
        json_string(pl.element().struct.field("key").cast(pl.String))
        + pl.lit(":")
        + json_string(pl.element().struct.field("value").cast(pl.String))
    )
    return pl.when(column.is_null()).then(pl.lit("{}")).otherwise(pl.lit("{") + pairs.list.join(",") + pl.lit("}"))
