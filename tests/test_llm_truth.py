"""One truth per (LLM provider, day), through the real pipeline (dagster_project.cli.run_pipeline on a generated
landing zone plus the files written here): the provider's cost report, else the calls' cost_usd, else priced tokens;
the other sources only allocate it, and the ledger's LLM cost equals it. Also the LLM bad-input rules end to end and
the blocking check on calls that cannot be costed. Two pipeline runs in all.

Days (the generator writes native events for 2026-10-01 and -02 only):
- 2026-10-01 anthropic: the Anthropic cost report (cents, re-fetched once) is the truth; its native events allocate it.
  openai: an OpenAI usage page exists but native events win (never both): priced native events are the truth.
- 2026-10-02 openai: the OpenAI costs page (dollars) is the truth.
- 2026-10-03 anthropic: only Anthropic usage-report rows (owned through llm_key_owners.csv, one at a negotiated
  price from price_overrides.csv); openai: LiteLLM calls (an OpenAI usage page for the day is ignored); google:
  native events that carry cost_usd, plus bad lines (duplicate id, naive timestamp, negative tokens).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.cli import run_pipeline
from synthetic import generate

pytestmark = pytest.mark.slow

D1, D2, D3 = date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)
UNIX = {D1: 1790812800, D2: 1790899200, D3: 1790985600}

# Anthropic cost report for D1 in cents: fetched twice; the later file restates the bucket
ANTHROPIC_REPORT_CENTS = ["412.3456789", "250.5", "37.25"]
ANTHROPIC_REPORT_USD = sum(Decimal(c) for c in ANTHROPIC_REPORT_CENTS) / 100  # 7.001456789
OPENAI_COSTS_D2 = ["3.25", "0.5125"]  # dollars

KEY_OWNERS = """provider,key_type,key_id,tenant_id,feature_id
anthropic,workspace,wrkspc_A,t001,chat
anthropic,api_key,apikey_B,t002,search
litellm,team,team-x,t003,api
"""
OVERRIDES = """provider,model,price_key,usd_per_mtok,valid_from,valid_to,variant
anthropic,claude-sonnet-4-5,input_mtok,2.00,2026-10-03,2026-10-03,
anthropic,claude-sonnet-4-5,input_mtok,3.00,2026-10-04,,
"""


def _anthropic_cost_page(amounts: list[str]) -> dict:
    lines = ["Claude Sonnet 4.5 Usage - Input Tokens", "Claude Sonnet 4.5 Usage - Output Tokens", "Web Search"]
    return {"has_more": False, "next_page": None, "data": [{
        "starting_at": "2026-10-01T00:00:00Z", "ending_at": "2026-10-02T00:00:00Z",
        "results": [{"amount": a, "currency": "USD", "description": d, "workspace_id": "wrkspc_A",
                     "cost_type": "web_search" if d == "Web Search" else "tokens", "model": None,
                     "service_tier": "standard", "token_type": None, "context_window": None}
                    for a, d in zip(amounts, lines, strict=True)]}]}


def _openai_bucket(day: date, results: list[dict]) -> dict:
    return {"object": "bucket", "start_time": UNIX[day], "end_time": UNIX[day] + 86400, "results": results}


def _usage_result(model: str, project: str, input_tokens: int, output_tokens: int, requests: int) -> dict:
    return {"object": "organization.usage.completions.result", "input_tokens": input_tokens, "input_cached_tokens": 0,
            "input_cache_write_tokens": 0, "input_uncached_tokens": input_tokens, "output_tokens": output_tokens,
            "num_model_requests": requests, "project_id": project, "user_id": None, "api_key_id": None,
            "model": model, "batch": False, "service_tier": "default"}


def _anthropic_usage_row(workspace: str, api_key: str, uncached: int, output: int, model: str) -> dict:
    return {"uncached_input_tokens": uncached, "cache_read_input_tokens": 0, "output_tokens": output,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "workspace_id": workspace, "api_key_id": api_key, "model": model, "service_tier": "standard",
            "context_window": "0-200k"}


def _write(path: Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))


def _add_llm_files(landing: Path) -> None:
    llm = landing / "llm"
    # Anthropic cost report for D1: an early fetch, then the restated one (file names sort by fetch time)
    _write(llm / "anthropic_costs" / "2026-10-01T20-00-00Z.json", _anthropic_cost_page(["100", "100", "0"]))
    _write(llm / "anthropic_costs" / "2026-10-02T06-00-00Z.json", _anthropic_cost_page(ANTHROPIC_REPORT_CENTS))
    # OpenAI costs for D2, in dollars
    _write(llm / "openai_costs" / "2026-10-03T06-00-00Z.json", {"object": "page", "has_more": False, "data": [
        _openai_bucket(D2, [{"object": "organization.costs.result", "amount": {"value": float(v), "currency": "usd"},
                             "line_item": li, "project_id": "proj_main"}
                            for v, li in zip(OPENAI_COSTS_D2, ["gpt-4.1-2025-04-14, input", "web search"], strict=True)])]})
    # OpenAI usage for D1 and D3: both days have call-level OpenAI rows, so these are never used
    _write(llm / "openai_usage" / "2026-10-04T06-00-00Z.json", {"object": "page", "has_more": False, "data": [
        _openai_bucket(D1, [_usage_result("gpt-4o-mini-2024-07-18", "proj_main", 9_000_000, 1_000_000, 900)]),
        _openai_bucket(D3, [_usage_result("gpt-4o-mini-2024-07-18", "proj_main", 9_000_000, 1_000_000, 900)])]})
    # Anthropic usage for D3: the only Anthropic source that day
    _write(llm / "anthropic_usage" / "2026-10-04T06-00-00Z.json", {"has_more": False, "data": [{
        "starting_at": "2026-10-03T00:00:00Z", "ending_at": "2026-10-04T00:00:00Z", "results": [
            _anthropic_usage_row("wrkspc_A", "apikey_other", 1_000_000, 100_000, "claude-sonnet-4-5-20250929"),
            _anthropic_usage_row("wrkspc_A", "apikey_B", 2_000_000, 0, "claude-haiku-4-5-20251001"),
            _anthropic_usage_row("wrkspc_Z", "apikey_Z", 500_000, 0, "claude-haiku-4-5-20251001")]}]})
    # LiteLLM calls for D3 (OpenAI through the proxy)
    _write(llm / "litellm" / "2026-10-03" / "spend-logs.json", [
        {"request_id": "ll-1", "startTime": "2026-10-03T10:00:00Z", "model": "gpt-4o-mini-2024-07-18",
         "custom_llm_provider": "openai", "prompt_tokens": 100_000, "completion_tokens": 10_000,
         "request_tags": ["tenant:t004", "feature:chat"], "spend": 0.02},
        {"request_id": "ll-2", "startTime": "2026-10-03 11:00:00", "model": "gpt-4o-mini-2024-07-18",
         "custom_llm_provider": "openai", "prompt_tokens": 200_000, "completion_tokens": 0, "team_id": "team-x"},
    ])
    # Gemini calls for D3 that carry the provider-reported charge, and three bad lines
    good = {"timestamp": "2026-10-03T09:00:00Z", "gen_ai.provider.name": "gcp.gemini",
            "gen_ai.request.model": "gemini-2.5-flash", "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 100, "tenant.id": "t005", "feature.id": "search"}
    lines = [
        {**good, "event_id": "g-1", "cost_usd": "0.123456789"},
        {**good, "event_id": "g-2", "cost_usd": 0.5},
        {**good, "event_id": "g-1", "cost_usd": "9.99"},  # duplicate id: kept once, counted
        {**good, "event_id": "g-3", "timestamp": "2026-10-03T09:00:00"},  # naive: refused
        {**good, "event_id": "g-4", "gen_ai.usage.output_tokens": -5},
    ]
    _write(llm / "2026-10-03" / "app-extra.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    _write(landing / "business" / "llm_key_owners.csv", KEY_OWNERS)
    _write(landing / "business" / "price_overrides.csv", OVERRIDES)


def _q(root: Path, sql: str, params=None):
    with duckdb.connect(str(root / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("llm_truth")
    config = generate(root, D1, 2, 6, seed=5)
    _add_llm_files(root / "landing")
    result = run_pipeline(str(config), D1, D3, raise_on_error=False)
    assert result.success, [str(e.event_specific_data.error)[:2000] for e in result.all_events
                             if e.event_type_value == "STEP_FAILURE"]
    return root


def _ledger(root: Path, day: date, source: str):
    return _q(root, "select tenant_id, feature_id, rule_id, cost_type, sum(amount_usd) from marts.cost_ledger "
                    "where usage_date = ? and source_id = ? group by all", [day, source])


def test_cost_report_is_the_truth_and_the_residual_is_split_by_priced_cost(pipeline):
    root = pipeline
    truth = _q(root, "select truth_source, truth_usd, calls_cost_usd, residual_usd from intermediate.int_llm_truths_selected "
                     "where usage_date = ? and invoicing_provider = 'anthropic'", [D1])
    assert truth[0][0] == "cost_report" and truth[0][1] == ANTHROPIC_REPORT_USD
    priced_total, residual = truth[0][2], truth[0][3]
    assert priced_total != ANTHROPIC_REPORT_USD and residual == ANTHROPIC_REPORT_USD - priced_total
    rows = _ledger(root, D1, "llm:anthropic")
    assert sum(r[4] for r in rows) == ANTHROPIC_REPORT_USD  # the ledger holds the invoice, to the nano-dollar
    assert sum(r[4] for r in rows if r[2] == "llm_invoice_residual") == residual
    # Σ per tenant = the report; each tenant's residual is in proportion to its priced cost
    per_tenant: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for tenant, _feature, rule, _type, amount in rows:
        per_tenant[tenant]["residual" if rule == "llm_invoice_residual" else "own"] += amount
    assert sum(sum(v.values()) for v in per_tenant.values()) == ANTHROPIC_REPORT_USD
    ratio = residual / priced_total
    for tenant, parts in per_tenant.items():
        if parts["own"] > 0:
            assert abs(parts["residual"] - parts["own"] * ratio) < Decimal("0.00001"), tenant
    assert len(per_tenant) >= 4
    # the ledger's LLM cost for the provider-day is what bill_reconciliation reads as the ledger total
    assert _q(root, "select count(*) from raw.llm_cost_reports where usage_date = ? and source_format = "
                    "'anthropic_costs' and source_file like '%2026-10-02T06%'", [D1])[0][0] == 3


def test_anthropic_cents_and_openai_dollars(pipeline):
    root = pipeline
    # only the restated fetch is kept; its amounts are cents, landed as dollars
    raw = _q(root, "select amount_as_reported, amount_usd from raw.llm_cost_reports where source_format = "
                   "'anthropic_costs' order by 1")
    assert raw == sorted((c, (Decimal(c) / 100).quantize(Decimal("0.000000001"))) for c in ANTHROPIC_REPORT_CENTS)
    openai_d2 = sum(Decimal(v) for v in OPENAI_COSTS_D2)
    assert _q(root, "select truth_source, truth_usd from intermediate.int_llm_truths_selected "
                    "where usage_date = ? and invoicing_provider = 'openai'", [D2]) == [("cost_report", openai_d2)]
    assert sum(r[4] for r in _ledger(root, D2, "llm:openai")) == openai_d2


def test_usage_pages_never_add_to_a_provider_day_with_calls(pipeline):
    root = pipeline
    raw = _q(root, "select usage_date, count(*) from raw.llm_events where source_format = 'openai_usage' group by 1 "
                   "order by 1")
    assert raw == [(D1, 1), (D3, 1)]  # loaded ...
    assert _q(root, "select count(*) from intermediate.int_llm_calls_priced where source_format = 'openai_usage'") \
        == [(0,)]  # ... and never priced: the day's calls describe it
    for day in (D1, D3):
        truth = _q(root, "select truth_source, truth_usd, calls_cost_usd from intermediate.int_llm_truths_selected "
                         "where usage_date = ? and invoicing_provider = 'openai'", [day])[0]
        assert truth[0] == "priced_tokens" and truth[1] == truth[2]
    # D3 OpenAI = the two LiteLLM calls: 100,000 x $0.15 + 10,000 x $0.60, and 200,000 x $0.15 (gpt-4o-mini)
    assert _q(root, "select truth_usd from intermediate.int_llm_truths_selected where usage_date = ? "
                    "and invoicing_provider = 'openai'", [D3]) == [(Decimal("0.051"),)]
    owners = dict(((t, f), a) for t, f, _r, _c, a in _ledger(root, D3, "llm:openai"))
    assert owners == {("t004", "chat"): Decimal("0.021"), ("t003", "api"): Decimal("0.03")}


def test_usage_report_rows_allocate_through_key_owners_at_negotiated_prices(pipeline):
    root = pipeline
    rows = _q(root, "select owner_source, tenant_id, feature_id, model, call_cost_usd from "
                    "intermediate.int_llm_calls_invoiced where usage_date = ? and invoicing_provider = 'anthropic' "
                    "order by call_cost_usd", [D3])
    assert rows == [
        # claude-haiku-4-5: 500,000 x $1 (an unknown workspace and key: no owner)
        (None, None, None, "claude-haiku-4-5-20251001", Decimal("0.5")),
        # the API key's owner wins over the workspace's: 2,000,000 x $1
        ("api_key", "t002", "search", "claude-haiku-4-5-20251001", Decimal("2")),
        # negotiated input $2.00 on 2026-10-03 (list $3): 1,000,000 x $2 + 100,000 x $15
        ("workspace", "t001", "chat", "claude-sonnet-4-5-20250929", Decimal("3.5")),
    ]
    assert _q(root, "select price_basis from intermediate.int_llm_calls_priced where usage_date = ? "
                    "and model = 'claude-sonnet-4-5-20250929'", [D3]) == [("override",)]
    ledger = {(t, f, r): a for t, f, r, _c, a in _ledger(root, D3, "llm:anthropic")}
    assert ledger == {("t001", "chat", "direct"): Decimal("3.5"), ("t002", "search", "direct"): Decimal("2"),
                      ("__unallocated__", "__unallocated__", "untagged"): Decimal("0.5")}


def test_provider_reported_cost_is_the_truth_without_a_report_and_bad_lines_are_counted(pipeline):
    root = pipeline
    assert _q(root, "select truth_source, truth_usd from intermediate.int_llm_truths_selected where usage_date = ? "
                    "and invoicing_provider = 'google'", [D3]) == [("reported_cost", Decimal("0.623456789"))]
    # the computed cost stays beside the reported one: 1,000 x $0.30 + 100 x $2.50 per call
    assert _q(root, "select event_id, reported_cost_usd, priced_cost_usd from intermediate.int_llm_calls_invoiced "
                    "where usage_date = ? and invoicing_provider = 'google' order by 1", [D3]) == [
        ("g-1", Decimal("0.123456789"), Decimal("0.00055")), ("g-2", Decimal("0.5"), Decimal("0.00055"))]
    reasons = dict(_q(root, "select reason, count(*) from raw.llm_events_quarantine where usage_date = ? "
                            "and source_file like '%app-extra.jsonl' group by 1", [D3]))
    assert reasons == {"duplicate_event_id": 1, "naive_timestamp": 1, "negative_token_count": 1}


def test_ledger_llm_cost_equals_the_truth_every_day_and_the_token_economics_mart_ties_out(pipeline):
    root = pipeline
    truth = dict(_q(root, "select usage_date, sum(truth_usd) from intermediate.int_llm_truths_selected group by 1"))
    ledger = dict(_q(root, "select usage_date, sum(amount_usd) from marts.cost_ledger where cost_source = 'llm' "
                           "group by 1"))
    mart = dict(_q(root, "select usage_date, sum(cost_usd) from marts.llm_token_economics_daily group by 1"))
    assert set(truth) == {D1, D2, D3}
    assert truth == ledger == mart
    row = _q(root, "select input_tokens, output_tokens, cache_read_input_tokens, cost_usd, cost_per_1k_tokens_usd, "
                   "cache_hit_rate, token_efficiency_ratio, conversations, cost_per_conversation_usd, calls "
                   "from marts.llm_token_economics_daily where usage_date = ? and provider = 'anthropic' "
                   "and cache_read_input_tokens > 0 and conversations > 0 order by cost_usd desc limit 1", [D1])[0]
    inp, out, read, cost, per_1k, hit, eff, convs, per_conv, calls = row
    assert calls > 0 and per_1k == (cost * 1000 / (inp + out)).quantize(Decimal("0.000000001"))
    assert hit == pytest.approx(read / inp) and eff == pytest.approx(out / inp)
    assert abs(per_conv - cost / convs) < Decimal("0.000000001")
    # cost in the mart includes each call's share of the invoice residual
    assert _q(root, "select count(*) from marts.llm_token_economics_daily where model = '__unallocated__'") == [(0,)]
    served = duckdb.connect(str(root / "warehouse" / "unitcost_serving.duckdb"), read_only=True)
    try:
        assert served.execute("select count(*) from marts.llm_token_economics_daily").fetchone()[0] > 0
    finally:
        served.close()


def _failed_run(root: Path, config: Path):
    result = run_pipeline(str(config), D1, D1, raise_on_error=False)
    assert not result.success
    checks = {e.event_specific_data.check_name: e.event_specific_data
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    # nothing downstream was built, and nothing was served
    tables = {t for (t,) in _q(root, "select table_name from information_schema.tables where table_schema = 'marts'")}
    assert "cost_ledger" not in tables
    assert not (root / "warehouse" / "unitcost_serving.duckdb").exists()
    return checks, str(failure.event_specific_data.error), result


def test_unknown_model_blocks_the_run_and_waits_in_the_quarantine(tmp_path):
    root = tmp_path / "zone"
    config = generate(root, D1, 1, 2, seed=3)
    unknown = {"timestamp": "2026-10-01T12:00:00Z", "gen_ai.provider.name": "openai",
               "gen_ai.request.model": "acme-finetune-v7", "gen_ai.usage.input_tokens": 10,
               "gen_ai.usage.output_tokens": 5, "tenant.id": "t001"}
    _write(root / "landing" / "llm" / "2026-10-01" / "finetune.jsonl",
           "".join(json.dumps({**unknown, "event_id": f"ft-{i}"}) + "\n" for i in range(3)))
    checks, error, result = _failed_run(root, config)
    assert checks["llm_calls_have_a_cost"].passed is False
    assert "llm_calls_have_a_cost" in error
    # the failing rows - the quarantine - name the model string and its call count, with every call's tokens
    assert _q(root, "select provider_name, model_string, model_calls, count(*), sum(input_tokens), "
                    "sum(output_tokens) from intermediate.llm_calls_unpriced group by all") == [
        ("openai", "acme-finetune-v7", 3, 3, 30, 15)]
    # and Dagster's metadata names it, as the run's output does
    resolution = next(m for m in result.get_asset_materialization_events()
                      if m.asset_key.path == ["raw", "llm_model_resolution"]).materialization.metadata
    assert "openai/acme-finetune-v7" in resolution["unknown_models"].value
    # never priced $0: the calls have no cost at all
    assert _q(root, "select count(*) from intermediate.int_llm_calls_priced where model = 'acme-finetune-v7' "
                    "and not is_priced and priced_cost_usd is null") == [(3,)]


def test_overlapping_negotiated_price_periods_block_the_run(tmp_path):
    root = tmp_path / "zone"
    config = generate(root, D1, 1, 2, seed=3)
    _write(root / "landing" / "business" / "price_overrides.csv",
           "provider,model,price_key,usd_per_mtok,valid_from,valid_to\n"
           "openai,gpt-4.1,input_mtok,1.5,2026-09-01,2026-10-15\n"
           "openai,gpt-4.1,input_mtok,1.4,2026-10-15,\n")  # both claim 2026-10-15
    checks, error, result = _failed_run(root, config)
    assert checks["llm_price_override_periods_do_not_overlap"].passed is False
    assert "llm_price_override_periods_do_not_overlap" in error
