"""OpenAI costs and Anthropic cost report pages → ``raw.llm_cost_reports`` (LLM_COST_REPORTS, USD).

* **OpenAI costs** pages (``openai_costs/*.json``): ``GET /v1/organization/costs``; ``amount.value`` in dollars.
* **Anthropic cost report** pages (``anthropic_costs/*.json``): ``GET /v1/organizations/cost_report``; ``amount``
  is in **cents**, a decimal string ("123.45" = $1.2345): it is divided by 100 here, so every row is in dollars.

These are what the provider will invoice, the truth an LLM provider outside the cloud bills adds to the day
(docs/allocation.md). Amounts are exact decimals rounded half away from zero to the nano-dollar; a currency other than
USD, or an amount that is not a decimal number, fails the file (LandingFileError naming the bucket). Each row gets
an id derived from its bucket and line-item keys (pages.py), so a re-fetched page replaces rather than adds.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.llm.pages import anthropic_buckets, attributes, openai_buckets, row_id
from ingest.schemas import LLM_COST_REPORTS
from ingest.values import decimal_amount, frame, text, to_nano

_CENTS_PER_DOLLAR = Decimal(100)
# The keys that tell two lines of one bucket apart (a re-fetched line keeps its id).
_IDENTITY_KEYS = ("line_item", "description", "project_id", "workspace_id", "api_key_id", "cost_type",
                  "token_type", "model", "service_tier", "context_window", "inference_geo", "quantity_unit")
# LLM_COST_REPORTS text columns copied from the result's key of the same name
_TEXT_COLUMNS = ("cost_type", "token_type", "model", "service_tier", "context_window", "project_id", "workspace_id",
                 "api_key_id", "quantity_unit")


def parse_openai_costs_page(data: bytes, source_file: str) -> pl.DataFrame:
    """An OpenAI ``/organization/costs`` page → LLM_COST_REPORTS rows (``amount.value`` is in dollars)."""
    rows = []
    for bucket, start, end, result in openai_buckets(data, source_file, "organization.costs.result"):
        amount = result.get("amount")
        if not isinstance(amount, dict):
            raise LandingFileError(
                source_file, f"bucket {start.isoformat()}: a costs result without an 'amount' object"
            )
        value = _decimal(amount.get("value"), source_file, f"bucket {start.isoformat()}: amount.value")
        rows.append(_cost_row(
            "openai_costs", "openai", start, end, result, bucket,
            amount_usd=value, as_reported=amount.get("value"), currency=amount.get("currency"),
            line_item=result.get("line_item"), source_file=source_file,
        ))
    return frame(rows, LLM_COST_REPORTS)


def parse_anthropic_cost_report(data: bytes, source_file: str) -> pl.DataFrame:
    """An Anthropic ``cost_report`` page → LLM_COST_REPORTS rows; ``amount`` is in cents (a decimal string)."""
    rows = []
    for bucket, start, end, result in anthropic_buckets(data, source_file):
        cents = _decimal(result.get("amount"), source_file, f"bucket {start.isoformat()}: amount")
        rows.append(_cost_row(
            "anthropic_costs", "anthropic", start, end, result, bucket,
            amount_usd=cents / _CENTS_PER_DOLLAR, as_reported=result.get("amount"),
            currency=result.get("currency"), line_item=result.get("description"), source_file=source_file,
        ))
    return frame(rows, LLM_COST_REPORTS)


def _cost_row(source_format: str, provider: str, start: datetime, end: datetime | None, result: dict[str, Any],
              bucket: dict[str, Any], amount_usd: Decimal, as_reported: Any, currency: Any,
              line_item: Any, source_file: str) -> dict[str, Any]:
    currency_text = str(currency or "").strip().upper()
    if currency_text != "USD":
        raise LandingFileError(
            source_file, f"bucket {start.isoformat()}: currency {currency!r}; unitcost's LLM costs are in USD"
        )
    quantity = result.get("quantity")
    return {
        "report_row_id": row_id(source_format, start, end, {k: result.get(k) for k in _IDENTITY_KEYS}),
        "source_format": source_format,
        "provider": provider,
        "bucket_start": start,
        "bucket_end": end,
        "usage_date": start.date(),
        "amount_usd": to_nano(amount_usd),
        "amount_as_reported": None if as_reported is None else str(as_reported),
        "currency": currency_text,
        **{column: text(result.get(column)) for column in _TEXT_COLUMNS},
        "line_item": text(line_item),
        "quantity": (
            float(quantity) if isinstance(quantity, (int, Decimal)) and not isinstance(quantity, bool) else None
        ),
        "attributes": attributes(result, bucket),
        "source_file": source_file,
    }


def _decimal(value: Any, source_file: str, where: str) -> Decimal:
    amount = decimal_amount(value)
    if amount is None:
        raise LandingFileError(source_file, f"{where}: {value!r} is not a decimal amount")
    return amount
