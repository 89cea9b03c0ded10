"""Business data CSVs from the landing zone: ``tenants.csv``, ``revenue.csv``, ``budgets.csv``,
``llm_key_owners.csv`` and ``price_overrides.csv``.

Headers name the columns (order free, extra columns ignored); a missing required column or an empty required
value is an error naming the file, the line and the column. Months are ``YYYY-MM`` (a full date is accepted and
means its month); amounts are decimal text parsed straight to DECIMAL(38, 9), rounded half away from zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import BUDGETS, LLM_KEY_OWNERS, LLM_PRICE_OVERRIDES, REVENUE, TENANTS
from ingest.values import csv_rows, decimal_amount, frame, to_nano

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_tenants_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``tenant_id,tenant_name,plan`` → TENANTS. The ``plan`` column is required (a file without it would leave every
    tenant's plan, and the margin marts by plan, silently empty); a tenant's plan and name may be empty."""
    rows = _rows(data, source_file, required=("tenant_id", "plan"), optional=("tenant_name",))
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
    return frame(out, TENANTS)


def parse_revenue_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``month,tenant_id,mrr_usd`` → REVENUE (usage_month = first day of the month)."""
    return _monthly_amounts(data, source_file, "tenant_id", "mrr_usd", REVENUE)


# What a feature's budget caps (docs/marts.md, budget_burn_quarterly): `ai` its ai_tokens cost, `total` all its cost.
BUDGET_SCOPES = ("ai", "total")


def parse_budgets_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``month,feature_id,budget_usd[,scope]`` → BUDGETS (usage_month = first day of the month).

    ``scope`` is ``ai`` (the feature's ai_tokens cost; the default when the column or the value is empty) or
    ``total`` (all of the feature's cost). One row per (month, feature, scope); a budget cannot be negative."""
    return _monthly_amounts(data, source_file, "feature_id", "budget_usd", BUDGETS, qualifier=("scope", _scope),
                            what="a budget")


def _scope(value: str, source_file: str, line: int) -> str:
    scope = (value or BUDGET_SCOPES[0]).lower()
    if scope not in BUDGET_SCOPES:
        raise LandingFileError(
            source_file, f"line {line}, column scope: {value!r} is not empty or one of {', '.join(BUDGET_SCOPES)}"
        )
    return scope


# OpenAI groups usage by project, Anthropic by workspace, LiteLLM by team; every provider also by API key.
KEY_TYPES = ("project", "workspace", "team", "api_key")
# The price keys the SQL pricing reads (dbt/models/intermediate/llm/int_llm_calls_priced.sql).
OVERRIDE_PRICE_KEYS = (
    "input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_5m_mtok", "cache_write_1h_mtok",
    "output_mtok", "output_reasoning_mtok", "requests_kcount",
)
OVERRIDE_VARIANTS = ("batch", "flex", "priority")
_PRICE_STEP = Decimal("0.000000000001")


def parse_llm_key_owners_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``provider,key_type,key_id,tenant_id,feature_id`` → LLM_KEY_OWNERS.

    Maps an OpenAI project, an Anthropic workspace, a LiteLLM team or an API key to the tenant and feature that
    own its usage. ``provider`` is ``openai``, ``anthropic`` or ``litellm`` (lower-cased); ``key_type`` one of
    project, workspace, team, api_key. A row needs a tenant or a feature (a feature without a tenant is a shared
    workload, split over tenants by requests like any other). One row per (provider, key_type, key_id).
    """
    rows = _rows(data, source_file, required=("provider", "key_type", "key_id"), optional=("tenant_id", "feature_id"))
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for line, values in rows:
        provider = _required(values, "provider", source_file, line).lower()
        key_type = _required(values, "key_type", source_file, line).lower()
        if key_type not in KEY_TYPES:
            raise LandingFileError(
                source_file, f"line {line}, column key_type: {key_type!r} is not one of {', '.join(KEY_TYPES)}"
            )
        key_id = _required(values, "key_id", source_file, line)
        tenant_id = values.get("tenant_id") or None
        feature_id = values.get("feature_id") or None
        if tenant_id is None and feature_id is None:
            raise LandingFileError(source_file, f"line {line}: a key owner needs a tenant_id or a feature_id")
        key = (provider, key_type, key_id)
        if key in seen:
            raise LandingFileError(
                source_file, f"line {line}: {provider} {key_type} {key_id!r} already appears on line {seen[key]}"
            )
        seen[key] = line
        out.append({"provider": provider, "key_type": key_type, "key_id": key_id, "tenant_id": tenant_id,
                    "feature_id": feature_id, "source_file": source_file})
    return frame(out, LLM_KEY_OWNERS)


def parse_price_overrides_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """``provider,model,price_key,usd_per_mtok,valid_from,valid_to[,variant][,tier_start_input_tokens]`` →
    LLM_PRICE_OVERRIDES.

    Negotiated prices that win over the list price of ``price_key`` for calls of ``model`` billed by ``provider``
    on UTC days valid_from..valid_to, both **inclusive** (an empty valid_to = open-ended). ``provider`` is the
    genai-prices id of the provider that bills the call (openai, anthropic, azure, google, ...), ``model`` the
    genai-prices model id (``claude-sonnet-4-5``, as in raw.llm_price_snapshot). ``usd_per_mtok`` is USD per
    million tokens, or per thousand units for a ``*_kcount`` key (genai-prices' unit block of that key).
    ``variant`` empty = the negotiated standard price (it replaces the list base price; batch / flex / priority
    calls keep their context's list price), ``batch``/``flex``/``priority`` = the price for calls in that context.
    ``tier_start_input_tokens`` (default 0) sets a long-context tier: an overridden key takes only the override's
    tiers. Overlapping periods are a data-test failure in dbt
    (stg_llm__price_overrides), not a parse error, so the whole file is visible in the warehouse.
    """
    rows = _rows(
        data, source_file, required=("provider", "model", "price_key", "usd_per_mtok", "valid_from"),
        optional=("valid_to", "variant", "tier_start_input_tokens"),
    )
    out = []
    for line, values in rows:
        price_key = _required(values, "price_key", source_file, line)
        if price_key not in OVERRIDE_PRICE_KEYS:
            raise LandingFileError(
                source_file,
                f"line {line}, column price_key: {price_key!r} is not one of {', '.join(OVERRIDE_PRICE_KEYS)}",
            )
        variant = (values.get("variant") or "").lower() or None
        if variant is not None and variant not in OVERRIDE_VARIANTS:
            raise LandingFileError(
                source_file, f"line {line}, column variant: {variant!r} is not empty or one of "
                f"{', '.join(OVERRIDE_VARIANTS)}",
            )
        tier_text = values.get("tier_start_input_tokens") or "0"
        if not tier_text.isdigit():
            raise LandingFileError(
                source_file, f"line {line}, column tier_start_input_tokens: {tier_text!r} is not a whole number >= 0"
            )
        price = _money(_required(values, "usd_per_mtok", source_file, line), source_file, line, "usd_per_mtok")
        raw_price = Decimal(values["usd_per_mtok"]).quantize(_PRICE_STEP, rounding=ROUND_HALF_UP)
        if price < 0:
            raise LandingFileError(source_file, f"line {line}, column usd_per_mtok: a price cannot be negative")
        valid_from = _day(_required(values, "valid_from", source_file, line), source_file, line, "valid_from")
        valid_to = _day(values["valid_to"], source_file, line, "valid_to") if values.get("valid_to") else None
        if valid_to is not None and valid_to < valid_from:
            raise LandingFileError(source_file, f"line {line}: valid_to {valid_to} is before valid_from {valid_from}")
        out.append({
            "provider": _required(values, "provider", source_file, line).lower(),
            "model": _required(values, "model", source_file, line),
            "price_key": price_key,
            "variant": variant,
            "tier_start_input_tokens": int(tier_text),
            "usd_per_unit_block": raw_price,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source_file": source_file,
        })
    return frame(out, LLM_PRICE_OVERRIDES)


def _day(value: str, source_file: str, line: int, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise LandingFileError(
            source_file, f"line {line}, column {column}: {value!r} is not a date YYYY-MM-DD"
        ) from exc


# ------------------------------------------------------------------------------------------------------------
def _monthly_amounts(
    data: bytes, source_file: str, key: str, amount: str, schema: dict[str, pl.DataType],
    qualifier: tuple[str, Callable[[str, str, int], str]] | None = None, what: str | None = None,
) -> pl.DataFrame:
    """One amount per month and `key` (and per `qualifier`, an optional column parsed by its function, when given):
    a repeated (month, key[, qualifier]) is an error naming both lines. With `what` (the name of the amount, e.g.
    "a budget") a negative amount is an error too."""
    optional = (qualifier[0],) if qualifier else ()
    rows = _rows(data, source_file, required=("month", key, amount), optional=optional)
    seen: dict[tuple, int] = {}
    out = []
    for line, values in rows:
        month = _month(_required(values, "month", source_file, line), source_file, line)
        key_value = _required(values, key, source_file, line)
        extra = {qualifier[0]: qualifier[1](values.get(qualifier[0], ""), source_file, line)} if qualifier else {}
        unit = (month, key_value, *extra.values())
        if unit in seen:
            what = f"{key} {key_value!r}" + "".join(f" {c} {v!r}" for c, v in extra.items())
            raise LandingFileError(
                source_file, f"line {line}: {what} in {month:%Y-%m} already appears on line {seen[unit]}"
            )
        seen[unit] = line
        value = _money(_required(values, amount, source_file, line), source_file, line, amount)
        if what and value < 0:
            raise LandingFileError(source_file, f"line {line}, column {amount}: {what} cannot be negative")
        out.append({"usage_month": month, key: key_value, **extra, amount: value, "source_file": source_file})
    return frame(out, schema)


def _rows(
    data: bytes, source_file: str, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[tuple[int, dict[str, str]]]:
    """(line number, column → stripped value) of every non-blank line; a short line's missing fields are empty."""
    header, lines = csv_rows(data, source_file, required, optional)
    wanted = {c: header.index(c) for c in required + optional if c in header}
    return [
        (line, {c: values[i].strip() if i < len(values) else "" for c, i in wanted.items()}) for line, values in lines
    ]


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
    amount = decimal_amount(value)
    if amount is None:
        raise LandingFileError(
            source_file, f"line {line}, column {column}: {value!r} is not a decimal amount (e.g. 1250.00)"
        )
    return to_nano(amount)
