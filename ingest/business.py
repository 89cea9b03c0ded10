"""Business data CSVs from the landing zone: ``tenants.csv``, ``revenue.csv``, ``budgets.csv``.

Headers name the columns (order free, extra columns ignored); a missing required column or an empty required
value is an error naming the file, the line and the column. Months are ``YYYY-MM`` (a full date is accepted and
means its month); amounts are decimal text parsed straight to DECIMAL(38, 9), rounded half away from zero.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import BUDGETS, REVENUE, TENANTS, conform

_NANO = Decimal("0.000000001")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_tenants_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``tenant_id,tenant_name,plan`` → TENANTS (name and plan may be empty)."""
    rows = _rows(data, source_file, required=("tenant_id",), optional=("tenant_name", "plan"))
    seen: dict[str, int] = {}
    out = []
    for line, values in rows:
        tenant_id = _required(values, "tenant_id", source_file, line)
        if tenant_id in seen:
            raise LandingFileError(
                source_file, f"line {line}, column tenant_id: {tenant_id!r} already appears on line {seen[tenant_id]}"
            )
        seen[tenant_id] = line
        out.append(
            {
                "tenant_id": tenant_id,
                "tenant_name": values.get("tenant_name") or None,
                "plan": values.get("plan") or None,
                "source_file": source_file,
            }
        )
    return _frame(out, TENANTS)


def parse_revenue_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``month,tenant_id,mrr_usd`` → REVENUE (usage_month = first day of the month)."""
    return _monthly_amounts(data, source_file, "tenant_id", "mrr_usd", REVENUE)


def parse_budgets_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``month,feature_id,budget_usd`` → BUDGETS (usage_month = first day of the month)."""
    return _monthly_amounts(data, source_file, "feature_id", "budget_usd", BUDGETS)


# ------------------------------------------------------------------------------------------------------------
def _monthly_amounts(
    data: bytes, source_file: str, key: str, amount: str, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    rows = _rows(data, source_file, required=("month", key, amount), optional=())
    seen: dict[tuple[date, str], int] = {}
    out = []
    for line, values in rows:
        month = _month(_required(values, "month", source_file, line), source_file, line)
        key_value = _required(values, key, source_file, line)
        if (month, key_value) in seen:
            raise LandingFileError(
                source_file,
                f"line {line}: {key} {key_value!r} in {month:%Y-%m} already appears on line {seen[(month, key_value)]}",
            )
        seen[(month, key_value)] = line
        out.append(
            {
                "usage_month": month,
                key: key_value,
                amount: _money(_required(values, amount, source_file, line), source_file, line, amount),
                "source_file": source_file,
            }
        )
    return _frame(out, schema)


def _rows(
    data: bytes, source_file: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LandingFileError(source_file, f"not UTF-8 text: {exc}") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise LandingFileError(source_file, f"empty file: expected a header with {', '.join(required + optional)}")
    header = [h.strip() for h in header]
    for column in required:
        if column not in header:
            raise LandingFileError(
                source_file, f"missing required column {column!r} (the header has: {', '.join(header)})"
            )
    wanted = {c: header.index(c) for c in required + optional if c in header}
    rows = []
    for line, values in enumerate(reader, start=2):
        if not values or all(not v.strip() for v in values):
            continue
        rows.append((line, {c: values[i].strip() if i < len(values) else "" for c, i in wanted.items()}))
    return rows


def _required(values: dict[str, str], column: str, source_file: str, line: int) -> str:
    value = values.get(column, "")
    if not value:
        raise LandingFileError(source_file, f"line {line}, column {column}: empty (a value is required)")
    return value


def _month(value: str, source_file: str, line: int) -> date:
    match = _MONTH.match(value)
    try:
        if not match:
            raise ValueError(value)
        year, month, day = match.groups()
        if day:
            date(int(year), int(month), int(day))  # a real date, or an error
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise LandingFileError(source_file, f"line {line}, column month: {value!r} is not YYYY-MM") from exc


def _money(value: str, source_file: str, line: int, column: str) -> Decimal:
    try:
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) >= Decimal(10) ** 29:
            raise InvalidOperation(value)
    except InvalidOperation as exc:
        raise LandingFileError(
            source_file, f"line {line}, column {column}: {value!r} is not a decimal amount (e.g. 1250.00)"
        ) from exc
    return amount.quantize(_NANO, rounding=ROUND_HALF_UP)


def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    columns = {name: [row[name] for row in rows] for name in schema}
    return conform(pl.DataFrame(columns, schema=schema), schema)
