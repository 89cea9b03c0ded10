"""The value rules every landing format shares: text, counts, money, timestamps, UTF-8, JSON, CSV headers, frames.

Each rule is written once here so that a JSON number, a timestamp or a missing CSV column means the same thing
whichever tool wrote the file. Two families of callers:

- rules that *raise* (``utf8_text``, ``load_json``, ``rfc3339``, ``unix_seconds``, ``require_columns``) give the
  LandingFileError that fails the whole file, naming it, the line or key (``where``) and what was expected;
- rules that *return None* for a bad value (``text``, ``count``, ``decimal_amount``, ``parse_rfc3339``) let a row
  format decide for itself whether a bad value is an error or a quarantine reason (the LLM formats quarantine).

Money: JSON numbers are read as exact decimals (``load_json(..., decimals=True)``), decimal text goes straight to
Decimal, never through a float, and ``to_nano`` rounds half away from zero to the raw tables' DECIMAL(38, 9).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import conform

NANO = Decimal("0.000000001")  # the 9th decimal of DECIMAL(38, 9)
_MAX_AMOUNT = Decimal(10) ** 29  # DECIMAL(38, 9) holds 29 digits before the point
_BOM = b"\xef\xbb\xbf"


# ------------------------------------------------------------------------------------------------ values of rows
def text(value: Any) -> str | None:
    """A value as text: empty → None; a boolean as JSON writes it; an object or list as compact sorted JSON."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def count(value: Any) -> int | None:
    """A token or request count: absent → 0, a whole number (``12`` or ``12.0``) → int, anything else → None."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, int) and abs(value) < 2**63:
        return value
    return None


def decimal_amount(value: Any) -> Decimal | None:
    """A JSON number (read as int or Decimal) or decimal text → Decimal; None if it is not a finite amount that
    DECIMAL(38, 9) can hold (a boolean, a float, an object, ``NaN``, 1e29 or more)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        return None
    try:
        amount = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
        return None
    return amount


def to_nano(amount: Decimal) -> Decimal:
    """Round to the 9 decimals of DECIMAL(38, 9), half away from zero."""
    return amount.quantize(NANO, rounding=ROUND_HALF_UP)


def dig(value: Any, *path: str) -> Any:
    """``value[path[0]][path[1]]...``; None as soon as a step is not an object."""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` for what the parsers read: exact decimals as JSON numbers, datetimes as ISO."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def frame(rows: Iterable[Mapping[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Row dicts → a frame of exactly ``schema`` (a key a row does not have is null)."""
    rows = list(rows)
    columns = {name: [row.get(name) for row in rows] for name in schema}
    return conform(pl.DataFrame(columns, schema=schema), schema)


# ------------------------------------------------------------------------------------------------ timestamps
def parse_rfc3339(value: str) -> datetime | None:
    """RFC 3339 text → datetime (naive when the text has no offset), None when it is not a timestamp."""
    try:
        # RFC 3339 allows a lower-case t/z; fromisoformat wants upper case
        return datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None


def rfc3339(value: Any, source_file: str, where: str, *, naive_is_utc: bool = False) -> datetime:
    """An RFC 3339 timestamp → UTC datetime, else LandingFileError at ``where``.

    A timestamp without an offset is refused rather than guessed, unless the format documents that it writes UTC
    (``naive_is_utc``): reading local time as UTC would silently move rows to another day, and the day is the
    partition.
    """
    parsed = parse_rfc3339(str(value))
    if parsed is None:
        raise LandingFileError(source_file, f"{where}: {value!r} is not an RFC 3339 timestamp")
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise LandingFileError(source_file, f"{where}: {value!r} has no UTC offset")
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def unix_seconds(value: Any, source_file: str, where: str) -> datetime:
    """Unix seconds (a JSON number or its text, fractions kept) → UTC datetime, else LandingFileError."""
    try:
        seconds = float(value)
        if isinstance(value, bool) or not math.isfinite(seconds):
            raise ValueError(value)
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} is not a unix timestamp in seconds") from exc


# ------------------------------------------------------------------------------------------------ whole files
def utf8_text(data: bytes, source_file: str) -> str:
    """UTF-8 bytes (a leading BOM, as Excel writes it, is dropped) → text; else an error naming the line."""
    body = data.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(body, source_file, exc) from exc


def _not_utf8(data: bytes, source_file: str, exc: UnicodeDecodeError) -> LandingFileError:
    """``data``: the bytes ``exc`` was raised on (after the BOM), so that its position counts the lines."""
    line = data.count(b"\n", 0, exc.start) + 1
    return LandingFileError(source_file, f"line {line}: not UTF-8 text ({exc})")


def load_json(
    data: bytes | str, source_file: str, *, where: str | None = None, decimals: bool = False, nan_as_null: bool = False
) -> Any:
    """A JSON document → Python values, else LandingFileError saying where the JSON breaks.

    Bytes may be UTF-8 (with or without a BOM), UTF-16 or UTF-32, as ``json.loads`` detects them. ``decimals``:
    numbers with a fraction become exact Decimals (money must never pass through a float). ``nan_as_null``:
    ``NaN``/``Infinity`` (not JSON, but some exporters write them) become None. ``where``: the document is one value
    inside the file (a JSONL line, a CSV cell), named in the message.
    """
    try:
        return json.loads(
            data,
            parse_float=Decimal if decimals else None,
            parse_constant=(lambda _: None) if nan_as_null else None,
        )
    except UnicodeDecodeError as exc:  # only bytes are decoded here
        raise _not_utf8(data.removeprefix(_BOM), source_file, exc) from exc
    except json.JSONDecodeError as exc:
        if where is None and not (data.removeprefix(_BOM) if isinstance(data, bytes) else data).strip():
            problem = "empty file: expected a JSON document"
        elif where is None:
            problem = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        else:
            problem = f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"
        raise LandingFileError(source_file, problem) from exc


# ------------------------------------------------------------------------------------------------ CSV
def require_columns(
    header: Iterable[str],
    required: Iterable[str],
    source_file: str,
    *,
    file_kind: str | None = None,
    shown: Mapping[str, str] | None = None,
) -> None:
    """Every ``required`` column must be in ``header``, else LandingFileError.

    Without ``file_kind``: names the first missing column and the header the file has (a business CSV with a typo).
    With it (a bill, whose header may belong to another format altogether): names every missing column, as
    ``shown`` spells it for the user, and asks whether the file is of that kind.
    """
    header = list(header)
    missing = [c for c in required if c not in header]
    if not missing:
        return
    if file_kind is None:
        raise LandingFileError(
            source_file, f"missing required column {missing[0]!r} (the header has: {', '.join(header)})"
        )
    names = ", ".join((shown or {}).get(c, c) for c in missing)
    raise LandingFileError(source_file, f"missing required {file_kind} column(s) {names}: is this a {file_kind} file?")


def csv_rows(
    data: bytes, source_file: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A small CSV with a header (UTF-8, order free, extra columns allowed) → (its header, stripped, and
    (line number, fields) of every line that is not blank). ``optional`` only names the columns in the message
    for an empty file."""
    reader = csv.reader(io.StringIO(utf8_text(data, source_file)))
    header = next(reader, None)
    if header is None:
        raise LandingFileError(source_file, f"empty file: expected a header with {', '.join(required + optional)}")
    header = [h.strip() for h in header]
    require_columns(header, required, source_file)
    rows = [(line, values) for line, values in enumerate(reader, start=2) if any(v.strip() for v in values)]
    return header, rows
