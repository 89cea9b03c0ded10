"""Business data for LLM cost: price_overrides.csv (negotiated prices that win over list prices on their dates) and
llm_key_owners.csv (project / workspace / team / API key → tenant, feature): parsers, and overrides in the pricing
SQL (harness in tests/test_llm_pricing.py). The overlap rule is a dbt data test, checked in test_llm_truth.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from test_llm_pricing import OVERRIDES, make_event, price, pricing_sql, snapshot, utc  # noqa: F401  (fixtures)

from ingest.business import parse_llm_key_owners_csv, parse_price_overrides_csv
from ingest.errors import LandingFileError
from ingest.schemas import LLM_KEY_OWNERS, LLM_PRICE_OVERRIDES

OVERRIDES_CSV = b"""provider,model,price_key,usd_per_mtok,valid_from,valid_to,variant
anthropic,claude-sonnet-4-5,input_mtok,2.40,2025-11-01,2025-11-30,
Anthropic,claude-sonnet-4-5,output_mtok,12,2025-11-01,,
anthropic,claude-sonnet-4-5,input_mtok,1.00,2025-11-01,2025-11-30,batch
"""


def test_price_overrides_csv() -> None:
    frame = parse_price_overrides_csv(OVERRIDES_CSV, "business/price_overrides.csv")
    assert frame.schema == pl.Schema(LLM_PRICE_OVERRIDES)
    assert frame.select("provider", "model", "price_key", "usd_per_unit_block", "valid_from", "valid_to",
                        "variant", "tier_start_input_tokens").rows() == [
        ("anthropic", "claude-sonnet-4-5", "input_mtok", Decimal("2.4"), date(2025, 11, 1), date(2025, 11, 30), None, 0),
        ("anthropic", "claude-sonnet-4-5", "output_mtok", Decimal("12"), date(2025, 11, 1), None, None, 0),
        ("anthropic", "claude-sonnet-4-5", "input_mtok", Decimal("1"), date(2025, 11, 1), date(2025, 11, 30), "batch", 0),
    ]


@pytest.mark.parametrize(("line", "message"), [
    (b"openai,gpt-5,input_tokens,1,2025-01-01,,", "price_key"),
    (b"openai,gpt-5,input_mtok,cheap,2025-01-01,,", "usd_per_mtok"),
    (b"openai,gpt-5,input_mtok,-1,2025-01-01,,", "negative"),
    (b"openai,gpt-5,input_mtok,1,2025-02-01,2025-01-01,", "before valid_from"),
    (b"openai,gpt-5,input_mtok,1,01/02/2025,,", "valid_from"),
    (b"openai,gpt-5,input_mtok,1,2025-01-01,,scale", "variant"),
])
def test_price_overrides_csv_errors_name_line_and_column(line, message) -> None:
    data = b"provider,model,price_key,usd_per_mtok,valid_from,valid_to,variant\n" + line + b"\n"
    with pytest.raises(LandingFileError, match=message) as excinfo:
        parse_price_overrides_csv(data, "business/price_overrides.csv")
    assert "line 2" in str(excinfo.value) and excinfo.value.path == "business/price_overrides.csv"


def test_llm_key_owners_csv() -> None:
    data = (b"provider,key_type,key_id,tenant_id,feature_id\n"
            b"openai,project,proj_abc,acme,chat\n"
            b"Anthropic,Workspace,wrkspc_1,,search\n"
            b"litellm,team,team-a,globex,\n")
    frame = parse_llm_key_owners_csv(data, "business/llm_key_owners.csv")
    assert frame.schema == pl.Schema(LLM_KEY_OWNERS)
    assert frame.drop("source_file").rows() == [
        ("openai", "project", "proj_abc", "acme", "chat"),
        ("anthropic", "workspace", "wrkspc_1", None, "search"),
        ("litellm", "team", "team-a", "globex", None),
    ]
    with pytest.raises(LandingFileError, match="key_type"):
        parse_llm_key_owners_csv(b"provider,key_type,key_id,tenant_id\nopenai,org,o1,acme\n", "k.csv")
    with pytest.raises(LandingFileError, match="needs a tenant_id or a feature_id"):
        parse_llm_key_owners_csv(b"provider,key_type,key_id,tenant_id\nopenai,project,p1,\n", "k.csv")
    with pytest.raises(LandingFileError, match="already appears on line 2"):
        parse_llm_key_owners_csv(b"provider,key_type,key_id,tenant_id\nopenai,project,p1,a\nopenai,project,p1,b\n",
                                 "k.csv")


def _overrides(frame: pl.DataFrame) -> pl.DataFrame:
    """raw rows as stg_llm__price_overrides gives them to the pricing model."""
    return frame.rename({"provider": "provider_id", "model": "model_id"}).select(list(OVERRIDES))


def test_negotiated_prices_win_on_their_dates_only(pricing_sql, snapshot) -> None:
    df, _ = snapshot
    overrides = _overrides(parse_price_overrides_csv(OVERRIDES_CSV, "o.csv"))
    rows = [
        make_event("before", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 10, 31, 23, 59), 10_000, 500),
        make_event("first_day", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 11, 1), 10_000, 500),
        make_event("last_day", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 11, 30, 23), 10_000, 500),
        make_event("after", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 12, 1), 10_000, 500),
        make_event("batch", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 11, 15), 10_000, 500, batch=True),
        # a long-context call: an overridden key is flat (no tier of its own), the others keep their tiers
        make_event("long", "anthropic", "claude-sonnet-4-5-20250929", utc(2025, 11, 15), 250_000, 0, cache_read=50_000),
        # Claude on Vertex is billed by Google: an Anthropic contract does not apply
        make_event("vertex", "gcp.vertex_ai", "claude-sonnet-4-5@20250929", utc(2025, 11, 15), 10_000, 500),
    ]
    out = price(pricing_sql, df, rows, overrides=overrides)
    assert {k: out[k]["priced_cost_usd"] for k in out} == {
        "before": Decimal("0.0375"),  # list: 10,000 x $3 + 500 x $15
        "first_day": Decimal("0.03"),  # negotiated: 10,000 x $2.40 + 500 x $12
        "last_day": Decimal("0.03"),  # valid_to is inclusive
        "after": Decimal("0.036"),  # input back to $3 list, output $12 open-ended
        # a batch call: the batch-only input override ($1.00); its output keeps the list batch price ($7.50), as an
        # override without a variant is the standard price
        "batch": Decimal("0.01375"),
        "long": Decimal("0.51"),  # 200,000 x $2.40 + 50,000 read x $0.60 (long-context list rate)
        "vertex": Decimal("0.0375"),
    }
    assert out["first_day"]["price_basis"] == "override" and out["before"]["price_basis"] == "list"
