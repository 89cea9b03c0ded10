"""Every LLM usage format, from the raw payload to the normalized token vector and its cost.

Each test parses a payload with the format's parser (ingest/llm/: native, litellm, usage_pages, cost_reports), checks the OTel-inclusive
vector by hand, then runs the project's own staging and pricing SQL on it (dbt compiles stg_llm__events,
stg_llm__price_overrides and int_llm_calls_priced from the real project; DuckDB runs them over raw tables built
here, with the repo's seeds) and checks the cost against a hand computation from the list prices quoted in the
comments (genai-prices 0.2.3, USD per million tokens).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.errors import LandingFileError
from ingest.llm.cost_reports import parse_anthropic_cost_report, parse_openai_costs_page
from ingest.llm.litellm import parse_litellm_spend_logs
from ingest.llm.native import parse_native_jsonl
from ingest.llm.pages import keep_latest
from ingest.llm.prices import resolve_models, snapshot_price_table
from ingest.llm.tokens import TOKEN_KEYS, otel_usage_from_response, token_problems
from ingest.llm.usage_pages import parse_anthropic_usage_page, parse_openai_usage_page
from ingest.schemas import LLM_COST_REPORTS, LLM_EVENTS, LLM_EVENTS_QUARANTINE, LLM_PRICE_OVERRIDES, conform

REPO = Path(__file__).resolve().parents[1]
VECTOR = ["input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation_1h_input_tokens",
          "output_tokens", "reasoning_output_tokens"]


# ------------------------------------------------------------------------------------------------ SQL harness


@pytest.fixture(scope="session")
def project_sql(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """stg_llm__events, stg_llm__price_overrides and int_llm_calls_priced compiled by dbt from the real project."""
    work = tmp_path_factory.mktemp("llm_formats_dbt")
    dbt = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))
    models = ["stg_llm__events", "stg_llm__price_overrides", "int_llm_calls_priced"]
    subprocess.run(
        [dbt, "compile", "--select", *models, "--project-dir", str(REPO / "dbt"), "--profiles-dir",
         str(REPO / "dbt"), "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--quiet",
         "--vars", json.dumps({"duckdb_path": str(work / "fmt.duckdb")})],
        check=True, cwd=REPO / "dbt", stdout=subprocess.DEVNULL,
    )
    return {m: next((work / "target").glob(f"compiled/**/{m}.sql")).read_text() for m in models}


@pytest.fixture(scope="session")
def price_table() -> pl.DataFrame:
    return snapshot_price_table()[0]


def price_raw(project_sql: dict[str, str], price_table: pl.DataFrame, events: pl.DataFrame,
              overrides: pl.DataFrame | None = None) -> dict[str, dict]:
    """Raw LLM_EVENTS rows → {event_id: the int_llm_calls_priced row}, through the real staging view."""
    events = conform(events, LLM_EVENTS)
    pairs = {(p or "", m) for p, a, b in events.select("provider_name", "response_model", "request_model").rows()
             for m in (a, b) if m}
    resolution = resolve_models(sorted(pairs))
    con = duckdb.connect()
    try:
        con.execute("attach ':memory:' as fmt")
        con.execute("use fmt")
        for schema in ("raw", "staging", "reference"):
            con.execute(f"create schema {schema}")
        tables = {
            "raw.llm_events": events,
            "raw.llm_price_snapshot": price_table,
            "raw.llm_model_resolution": resolution,
            "raw.llm_price_overrides": overrides if overrides is not None else pl.DataFrame(schema=LLM_PRICE_OVERRIDES),
        }
        for name, frame in tables.items():
            con.register("frame_view", frame.to_arrow())
            con.execute(f"create table {name} as select * from frame_view")
            con.unregister("frame_view")
        seeds = REPO / "seeds"
        con.execute(f"create table reference.llm_service_tiers as select * from read_csv('{seeds}/llm_service_tiers.csv', "
                    "header=true, types={'is_batch': 'boolean', 'price_service_tier': 'varchar'})")
        con.execute(f"create table reference.llm_published_discounts as select * from read_csv("
                    f"'{seeds}/llm_published_discounts.csv', header=true, "
                    "types={'price_multiplier': 'decimal(9,6)', 'valid_from': 'date', 'valid_to': 'date'})")
        con.execute(f"create view staging.stg_llm__events as {project_sql['stg_llm__events']}")
        con.execute(f"create view staging.stg_llm__price_overrides as {project_sql['stg_llm__price_overrides']}")
        out = con.execute(project_sql["int_llm_calls_priced"]).pl()
    finally:
        con.close()
    return {r["event_id"]: r for r in out.to_dicts()}


def vector(row: dict) -> tuple:
    return tuple(row[c] for c in VECTOR)


def native_line(event_id: str, timestamp: str, provider: str, model: str, usage: dict, **extra) -> dict:
    return {"timestamp": timestamp, "event_id": event_id, "gen_ai.provider.name": provider,
            "gen_ai.request.model": model, "gen_ai.response.model": model, **usage, **extra}


def jsonl(*records: dict) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def page(payload: dict) -> bytes:
    return json.dumps(payload).encode()


# ------------------------------------------------------------------------------------------------ native format


def test_real_openai_responses_call_with_cached_and_reasoning_tokens(reference_data, project_sql, price_table):
    # genai-prices' recorded gpt-5 Responses call: input 9,703 of which 8,576 cached, output 638 of which 576 reasoning
    dataset = json.loads((reference_data / "llm" / "real_provider_usage_payloads_genai_prices_dataset.json").read_text())
    body = next(e["body"] for e in dataset if e["body"].get("usage", {}).get("input_tokens") == 9703)
    usage = otel_usage_from_response(body["usage"], "openai_responses")
    events, quarantine = parse_native_jsonl(
        jsonl(native_line("resp-1", "2025-09-01T10:00:00Z", "openai", body["model"], usage)), "2025-09-01/a.jsonl")
    assert quarantine.height == 0
    assert vector(events.row(0, named=True)) == (9703, 8576, 0, 0, 638, 576)
    priced = price_raw(project_sql, price_table, events)["resp-1"]
    assert priced["uncached_input_tokens"] == 1127
    # gpt-5: 1,127 uncached x $1.25 + 8,576 cached x $0.125 + 638 output (reasoning billed as output) x $10
    assert priced["priced_cost_usd"] == Decimal("0.00886075")
    assert priced["price_model_id"] == "gpt-5"


def test_real_anthropic_call_with_cache_reads(reference_data, project_sql, price_table):
    # recorded claude-sonnet-4-5 call: Anthropic's input_tokens (3) EXCLUDES the 1,111 cache reads
    dataset = json.loads((reference_data / "llm" / "real_provider_usage_payloads_genai_prices_dataset.json").read_text())
    body = next(e["body"] for e in dataset if e["body"].get("usage", {}).get("cache_read_input_tokens") == 1111)
    usage = otel_usage_from_response(body["usage"], "anthropic")
    assert usage["gen_ai.usage.input_tokens"] == 1114
    events, _ = parse_native_jsonl(
        jsonl(native_line("msg-1", "2025-10-01T08:00:00Z", "anthropic", body["model"], usage)), "x.jsonl")
    # claude-sonnet-4-5: 3 x $3 + 1,111 x $0.30 + 406 x $15
    assert price_raw(project_sql, price_table, events)["msg-1"]["priced_cost_usd"] == Decimal("0.0064323")


def test_anthropic_call_with_cache_reads_and_5_minute_and_1_hour_cache_writes(project_sql, price_table):
    usage = otel_usage_from_response({
        "input_tokens": 20_000, "cache_read_input_tokens": 20_000, "cache_creation_input_tokens": 10_000,
        "cache_creation": {"ephemeral_5m_input_tokens": 6_000, "ephemeral_1h_input_tokens": 4_000},
        "output_tokens": 1_000,
    }, "anthropic")
    events, _ = parse_native_jsonl(jsonl(
        native_line("c-1", "2025-10-01T08:00:00Z", "anthropic", "claude-sonnet-4-5-20250929", usage),
        native_line("c-batch", "2025-10-01T08:00:00Z", "anthropic", "claude-sonnet-4-5-20250929", usage, batch=True),
    ), "x.jsonl")
    assert vector(events.row(0, named=True)) == (50_000, 20_000, 10_000, 4_000, 1_000, 0)
    priced = price_raw(project_sql, price_table, events)
    # 20,000 uncached x $3 + 20,000 read x $0.30 + 6,000 5m-write x $3.75 + 4,000 1h-write x $6 + 1,000 out x $15
    assert priced["c-1"]["priced_cost_usd"] == Decimal("0.1275")
    # the batch call: every rate halved (genai-prices' batch variant, applied on every date)
    assert priced["c-batch"]["priced_cost_usd"] == Decimal("0.06375")
    assert priced["c-batch"]["priced_as_batch"] is True


def test_long_context_call_and_o3_either_side_of_its_price_cut(project_sql, price_table):
    events, _ = parse_native_jsonl(jsonl(
        native_line("long", "2025-11-05T12:00:00Z", "anthropic", "claude-sonnet-4-5",
                    {"gen_ai.usage.input_tokens": 250_000, "gen_ai.usage.output_tokens": 2_000}),
        native_line("o3-before", "2025-06-09T23:59:59Z", "openai", "o3",
                    {"gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000}),
        native_line("o3-after", "2025-06-10T00:00:00Z", "openai", "o3",
                    {"gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000}),
        # 01:30 at +02:00 is still 2025-06-09 in UTC: the old price
        native_line("o3-local", "2025-06-10T01:30:00+02:00", "openai", "o3-2025-04-16",
                    {"gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 100_000}),
    ), "x.jsonl")
    priced = price_raw(project_sql, price_table, events)
    # above 200k input every token is at the long-context rate: 250,000 x $6 + 2,000 x $22.50
    assert priced["long"]["priced_cost_usd"] == Decimal("1.545")
    # o3: $10 / $40 per M before 2025-06-10 (UTC day), $2 / $8 from then on
    assert priced["o3-before"]["priced_cost_usd"] == Decimal("14")
    assert priced["o3-after"]["priced_cost_usd"] == Decimal("2.8")
    assert priced["o3-local"]["priced_cost_usd"] == Decimal("14")


def test_gemini_thoughts_are_added_to_output(reference_data):
    dataset = json.loads((reference_data / "llm" / "real_provider_usage_payloads_genai_prices_dataset.json").read_text())
    body = next(e["body"] for e in dataset if "usageMetadata" in e["body"])
    usage = otel_usage_from_response(body["usageMetadata"], "gemini")
    # candidates 12 + thoughts 30: Gemini reports thoughts beside the candidates, OTel inside the output
    assert (usage["gen_ai.usage.output_tokens"], usage["gen_ai.usage.reasoning.output_tokens"]) == (42, 30)


# ------------------------------------------------------------------------------------------------------ LiteLLM

LITELLM_ROWS = [
    {   # OpenAI through the proxy: prompt_tokens includes the 8,000 cached tokens, completion the 1,200 reasoning
        "request_id": "chatcmpl-1", "call_type": "acompletion", "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": 0.0259, "total_tokens": 14000, "prompt_tokens": 12000, "completion_tokens": 2000,
        "startTime": "2025-09-01T12:00:00.123000+00:00", "endTime": "2025-09-01T12:00:04.500000+00:00",
        "model": "gpt-5-2025-08-07", "model_group": "gpt-5", "custom_llm_provider": "openai",
        "metadata": {"usage_object": {"prompt_tokens": 12000, "completion_tokens": 2000,
                                      "prompt_tokens_details": {"cached_tokens": 8000},
                                      "completion_tokens_details": {"reasoning_tokens": 1200}},
                     "spend_logs_metadata": {"feature_id": "chat"}},
        "request_tags": ["tenant:acme", "env:prod"], "team_id": "team-a", "end_user": "someone-else",
        "cache_hit": "False", "session_id": "sess-1",
    },
    {   # Anthropic through the proxy: LiteLLM adds cache reads and writes into prompt_tokens (OpenAI convention)
        "request_id": "chatcmpl-2", "call_type": "acompletion", "spend": 0.13, "prompt_tokens": 50000,
        "completion_tokens": 1000, "startTime": "2025-10-01 08:00:00.000",  # naive: Prisma stores UTC
        "model": "anthropic/claude-sonnet-4-5-20250929", "custom_llm_provider": "anthropic",
        "metadata": {"usage_object": {"cache_read_input_tokens": 20000, "cache_creation_input_tokens": 10000,
                                      "cache_creation_token_details": {"ephemeral_5m_input_tokens": 6000,
                                                                       "ephemeral_1h_input_tokens": 4000}}},
        "request_tags": [], "team_id": "team-b", "end_user": "globex",
    },
    {   # Bedrock through the proxy: the OTel provider name, so seeds/llm_provider_map.csv routes it to AWS
        "request_id": "chatcmpl-3", "prompt_tokens": 100, "completion_tokens": 10, "startTime": "2025-10-01T09:00:00Z",
        "model": "anthropic.claude-haiku-4-5-20251001-v1:0", "custom_llm_provider": "bedrock",
    },
    {"request_id": "chatcmpl-4", "prompt_tokens": 100, "completion_tokens": 10, "startTime": "2025-10-01T09:00:00Z",
     "model": "gpt-5", "custom_llm_provider": "openai", "cache_hit": "True"},
    {"request_id": "chatcmpl-5", "prompt_tokens": -3, "completion_tokens": 10, "startTime": "2025-10-01T09:00:00Z",
     "model": "gpt-5", "custom_llm_provider": "openai"},
    {"request_id": "chatcmpl-6", "prompt_tokens": 3, "completion_tokens": 10, "startTime": "2025-10-01T09:00:00Z",
     "model": "", "custom_llm_provider": "openai"},
]


def test_litellm_json_export(project_sql, price_table):
    events, quarantine = parse_litellm_spend_logs(json.dumps(LITELLM_ROWS).encode(), "litellm/2025-10-01/logs.json")
    assert events.schema == pl.Schema(LLM_EVENTS) and quarantine.schema == pl.Schema(LLM_EVENTS_QUARANTINE)
    assert dict(quarantine.select("event_id", "reason").rows()) == {
        "chatcmpl-4": "gateway_cache_hit", "chatcmpl-5": "negative_token_count", "chatcmpl-6": "missing_model"}
    rows = {r["event_id"]: r for r in events.to_dicts()}
    openai_row, anthropic_row, bedrock_row = rows["chatcmpl-1"], rows["chatcmpl-2"], rows["chatcmpl-3"]
    assert vector(openai_row) == (12000, 8000, 0, 0, 2000, 1200)
    assert vector(anthropic_row) == (50000, 20000, 10000, 4000, 1000, 0)
    # tags win over end_user; spend_logs_metadata gives the feature; the naive startTime is UTC
    assert (openai_row["tenant_id"], openai_row["feature_id"], openai_row["conversation_id"]) == ("acme", "chat", "sess-1")
    assert (anthropic_row["tenant_id"], anthropic_row["feature_id"]) == ("globex", None)
    assert anthropic_row["event_at"] == datetime(2025, 10, 1, 8, tzinfo=UTC)
    assert (anthropic_row["provider_name"], anthropic_row["response_model"]) == ("anthropic", "claude-sonnet-4-5-20250929")
    assert bedrock_row["provider_name"] == "aws.bedrock"
    # LiteLLM's spend is its own estimate: kept in attributes, never the provider-reported cost_usd
    assert openai_row["cost_usd"] is None and json.loads(openai_row["attributes"])["spend"] == 0.0259
    priced = price_raw(project_sql, price_table, events)
    assert priced["chatcmpl-1"]["priced_cost_usd"] == Decimal("0.026")  # 4,000 x $1.25 + 8,000 x $0.125 + 2,000 x $10
    assert priced["chatcmpl-2"]["priced_cost_usd"] == Decimal("0.1275")
    assert priced["chatcmpl-1"]["owner_group_key_id"] == "team-a"
    assert priced["chatcmpl-1"]["owner_api_key_id"] == LITELLM_ROWS[0]["api_key"]
    assert priced["chatcmpl-1"]["owner_key_provider"] == "litellm"


def test_litellm_csv_export_gives_the_same_rows():
    header = ["request_id", "prompt_tokens", "completion_tokens", "startTime", "model", "custom_llm_provider",
              "metadata", "request_tags", "end_user", "team_id", "spend"]
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for r in LITELLM_ROWS[:2]:
        writer.writerow([json.dumps(r.get(h)) if h in ("metadata", "request_tags") else r.get(h, "") for h in header])
    events, quarantine = parse_litellm_spend_logs(buf.getvalue().encode(), "litellm/2025-10-01/logs.csv")
    assert quarantine.height == 0
    got = {r["event_id"]: r for r in events.to_dicts()}
    assert vector(got["chatcmpl-1"]) == (12000, 8000, 0, 0, 2000, 1200)
    assert vector(got["chatcmpl-2"]) == (50000, 20000, 10000, 4000, 1000, 0)
    assert got["chatcmpl-1"]["tenant_id"] == "acme"


def test_litellm_bad_file_names_the_file():
    with pytest.raises(LandingFileError, match="logs.json"):
        parse_litellm_spend_logs(b'[{"request_id": 1}', "litellm/2025-10-01/logs.json")
    with pytest.raises(LandingFileError, match="metadata"):
        parse_litellm_spend_logs(b"request_id,metadata\nr1,{not json\n", "x.csv")


# ------------------------------------------------------------------------------------------- OpenAI usage pages

GROUPED_RESULT = {
    "object": "organization.usage.completions.result", "input_tokens": 5000, "input_cached_tokens": 1800,
    "input_cache_write_tokens": 200, "input_uncached_tokens": 3000, "output_tokens": 1000, "num_model_requests": 5,
    "project_id": "proj_abc", "user_id": "user-abc", "api_key_id": "key_abc", "model": "gpt-4o-mini-2024-07-18",
    "batch": False, "service_tier": "default",
}


def openai_page(*results: dict, start: int = 1759276800) -> bytes:  # 2025-10-01T00:00:00Z
    return page({"object": "page", "has_more": False, "next_page": None, "data": [
        {"object": "bucket", "start_time": start, "end_time": start + 86400, "results": list(results)}]})


def test_openai_usage_bucket_to_vector_and_cost(project_sql, price_table):
    events, quarantine = parse_openai_usage_page(
        openai_page(GROUPED_RESULT, {**GROUPED_RESULT, "batch": True, "project_id": "proj_batch"},
                    {**GROUPED_RESULT, "input_uncached_tokens": 2999, "project_id": "proj_bad"}),
        "openai_usage/2025-10-02T06-00-00Z.json")
    assert quarantine["reason"].to_list() == ["input_buckets_disagree"]
    rows = events.to_dicts()
    assert [vector(r) for r in rows] == [(5000, 1800, 200, 0, 1000, 0)] * 2
    assert [(r["calls"], r["is_batch"], r["usage_date"]) for r in rows] == [
        (5, False, date(2025, 10, 1)), (5, True, date(2025, 10, 1))]
    assert rows[0]["event_id"].startswith("openai_usage:2025-10-01T00:00:00Z:") and rows[0]["event_id"] != rows[1]["event_id"]
    assert rows[0]["tenant_id"] is None
    priced = price_raw(project_sql, price_table, events)
    standard, batch = priced[rows[0]["event_id"]], priced[rows[1]["event_id"]]
    assert standard["uncached_input_tokens"] == 3000
    assert (standard["owner_group_key_type"], standard["owner_group_key_id"], standard["owner_api_key_id"]) == (
        "project", "proj_abc", "key_abc")
    # gpt-4o-mini prices no cache writes, so they stay input (genai-prices' leaves):
    # 3,200 x $0.15 + 1,800 cached x $0.075 + 1,000 out x $0.60
    assert standard["priced_cost_usd"] == Decimal("0.001215")
    # batch: input $0.075, output $0.30; the batch variant has no cached rate, so cache reads keep $0.075
    assert batch["priced_cost_usd"] == Decimal("0.000675")


def test_refetched_usage_page_replaces_the_earlier_one():
    first, _ = parse_openai_usage_page(openai_page(GROUPED_RESULT), "openai_usage/1.json")
    again, _ = parse_openai_usage_page(openai_page({**GROUPED_RESULT, "output_tokens": 1100}), "openai_usage/2.json")
    kept, replaced = keep_latest([first, again], "event_id")
    assert kept["output_tokens"].to_list() == [1100] and replaced["output_tokens"].to_list() == [1000]
    assert kept["source_file"].to_list() == ["openai_usage/2.json"]


# -------------------------------------------------------------------------------------- Anthropic usage reports


def anthropic_page(*results: dict) -> bytes:
    return page({"has_more": False, "next_page": None, "data": [
        {"starting_at": "2025-10-01T00:00:00Z", "ending_at": "2025-10-02T00:00:00Z", "results": list(results)}]})


def test_anthropic_usage_rows_batch_and_long_context(reference_data, project_sql, price_table):
    ref_events, ref_quarantine = parse_anthropic_usage_page(
        (reference_data / "llm" / "anthropic_messages_usage_report.json").read_bytes(), "ref.json")
    assert ref_quarantine.height == 0
    ref = ref_events.row(0, named=True)
    # disjoint buckets: 1,500 uncached + 200 read + 500 5m-write + 1,000 1h-write = 3,200 input
    assert vector(ref) == (3200, 200, 1500, 1000, 500, 0)
    assert ref["calls"] is None  # the usage report has no request count
    row = {"uncached_input_tokens": 100_000, "cache_read_input_tokens": 0, "output_tokens": 10_000,
           "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
           "model": "claude-sonnet-4-5-20250929", "workspace_id": "wrkspc_1"}
    events, _ = parse_anthropic_usage_page(anthropic_page(
        {**row, "service_tier": "standard", "context_window": "0-200k", "api_key_id": "k-std"},
        {**row, "service_tier": "batch", "context_window": "0-200k", "api_key_id": "k-batch"},
        {**row, "service_tier": "standard", "context_window": "200k-1M", "api_key_id": "k-long"},
    ), "anthropic_usage/p.json")
    by_key = {json.loads(r["attributes"])["api_key_id"]: r for r in events.to_dicts()}
    assert by_key["k-batch"]["is_batch"] is True
    priced = price_raw(project_sql, price_table, pl.concat([ref_events, events]))
    # claude-opus-5: 1,500 x $5 + 200 x $0.50 + 500 x $6.25 + 1,000 x $10 (1-hour write) + 500 x $25
    assert priced[ref["event_id"]]["priced_cost_usd"] == Decimal("0.033225")
    assert priced[ref["event_id"]]["owner_group_key_type"] == "workspace"
    # an aggregated row takes its tier from context_window: 100,000 x $3 + 10,000 x $15, batch halves it, and
    # the 200k-1M window prices every token at the long-context rate ($6 / $22.50)
    assert priced[by_key["k-std"]["event_id"]]["priced_cost_usd"] == Decimal("0.45")
    assert priced[by_key["k-batch"]["event_id"]]["priced_cost_usd"] == Decimal("0.225")
    assert priced[by_key["k-long"]["event_id"]]["priced_cost_usd"] == Decimal("0.825")


def test_usage_rows_without_a_model_or_with_negative_tokens_are_quarantined(reference_data):
    # the reference OpenAI page is ungrouped (model null): it loads, into the quarantine, tokens kept
    events, quarantine = parse_openai_usage_page(
        (reference_data / "llm" / "openai_usage_completions_page.json").read_bytes(), "openai_usage/ref.json")
    assert events.height == 0
    assert quarantine.select("reason", "input_tokens", "calls").rows() == [("missing_model", 1000, 5)]
    _, bad = parse_anthropic_usage_page(anthropic_page(
        {"uncached_input_tokens": -1, "output_tokens": 5, "model": "claude-opus-5"}), "p.json")
    assert bad["reason"].to_list() == ["negative_token_count"]


# ------------------------------------------------------------------------------------------------ cost reports


def test_anthropic_cost_report_amount_is_in_cents(reference_data):
    frame = parse_anthropic_cost_report((reference_data / "llm" / "anthropic_cost_report.json").read_bytes(), "ref.json")
    assert frame.schema == pl.Schema(LLM_COST_REPORTS)
    row = frame.row(0, named=True)
    assert (row["amount_as_reported"], row["amount_usd"]) == ("123.78912", Decimal("1.237891200"))
    assert (row["provider"], row["usage_date"], row["token_type"]) == ("anthropic", date(2025, 8, 1), "uncached_input_tokens")
    assert row["line_item"] == "Claude Sonnet 4 Usage - Input Tokens" and row["workspace_id"].startswith("wrkspc_")


def test_openai_costs_amount_is_in_dollars_and_exact(reference_data):
    ref = parse_openai_costs_page((reference_data / "llm" / "openai_costs_page.json").read_bytes(), "ref.json")
    assert ref["amount_usd"].to_list() == [Decimal("0.06")] and ref["usage_date"].to_list() == [date(2024, 11, 1)]
    frame = parse_openai_costs_page(page({"object": "page", "data": [{
        "object": "bucket", "start_time": 1759276800, "end_time": 1759363200, "results": [
            {"object": "organization.costs.result", "amount": {"value": 0.1000000004, "currency": "usd"},
             "line_item": "gpt-5, input", "project_id": "proj_a"},
            {"object": "organization.costs.result", "amount": {"value": 12.3456789015, "currency": "usd"},
             "line_item": "gpt-5, output", "project_id": "proj_a"}]}]}), "openai_costs/p.json")
    # read from the JSON text, never through a float; rounded once to 9 decimals, half away from zero
    assert frame["amount_usd"].to_list() == [Decimal("0.100000000"), Decimal("12.345678902")]
    assert frame["report_row_id"].n_unique() == 2
    with pytest.raises(LandingFileError, match="currency"):
        parse_openai_costs_page(page({"data": [{"start_time": 1759276800, "results": [
            {"amount": {"value": 1, "currency": "eur"}}]}]}), "openai_costs/eur.json")


# --------------------------------------------------------------------------------- every reference payload loads


def test_every_reference_llm_payload_loads(reference_data):
    folder = reference_data / "llm"
    loaded = set()
    for name, parse in {"openai_usage_completions_page.json": parse_openai_usage_page,
                        "anthropic_messages_usage_report.json": parse_anthropic_usage_page}.items():
        events, quarantine = parse((folder / name).read_bytes(), name)
        assert events.height + quarantine.height == 1, name
        loaded.add(name)
    for name, parse in {"openai_costs_page.json": parse_openai_costs_page,
                        "anthropic_cost_report.json": parse_anthropic_cost_report}.items():
        assert parse((folder / name).read_bytes(), name).height == 1, name
        loaded.add(name)
    # the schema-level example objects, as the pages that carry them
    objects = json.loads((folder / "openai_usage_and_cost_result_objects.json").read_text())
    usage, _ = parse_openai_usage_page(openai_page(objects["UsageCompletionsResult_grouped_example"]), "o.json")
    assert vector(usage.row(0, named=True)) == (5000, 1800, 200, 0, 1000, 0)
    costs = parse_openai_costs_page(page({"data": [{"start_time": 1730419200, "end_time": 1730505600, "results": [
        objects["CostsResult_line_item_example"]]}]}), "c.json")
    assert costs.select("line_item", "quantity", "quantity_unit").rows() == [("input_tokens", 10000.0, "tokens")]
    loaded.add("openai_usage_and_cost_result_objects.json")
    # provider responses, as a native-format writer logs them (OTel-inclusive)
    for name, flavor, expected in [
        ("openai_chat_completion_response.json", "openai_chat", (19, 10, 0, 0, 0, 0)),
        ("openai_responses_api_response.json", "openai_responses", (8438, 398, 0, 0, 0, 0)),
    ]:
        body = json.loads((folder / name).read_text())
        usage = otel_usage_from_response(body["usage"], flavor)
        assert tuple(usage.values()) == expected, name
        events, quarantine = parse_native_jsonl(
            jsonl(native_line(body["id"], "2026-10-01T00:00:00Z", "openai", body["model"], usage)), name)
        assert (events.height, quarantine.height) == (1, 0), name
        loaded.add(name)
    span = json.loads((folder / "otel_genai_client_span_example.json").read_text())["attributes"]
    events, quarantine = parse_native_jsonl(
        jsonl({**span, "timestamp": "2026-10-01T00:00:00Z", "event_id": span["gen_ai.response.id"]}), "span.jsonl")
    assert (events.height, quarantine.height) == (1, 0)
    assert (events["input_tokens"][0], events["output_tokens"][0], events["response_model"][0]) == (52, 47, "gpt-4-0613")
    loaded.add("otel_genai_client_span_example.json")
    flavors = {"anthropic": "anthropic", "openai": "openai_responses"}
    for entry in json.loads((folder / "real_provider_usage_payloads_genai_prices_dataset.json").read_text()):
        body = entry["body"]
        if "usageMetadata" in body:
            usage = otel_usage_from_response(body["usageMetadata"], "gemini")
        elif "prompt_tokens" in body["usage"]:
            usage = otel_usage_from_response(body["usage"], "openai_chat")
        else:
            usage = otel_usage_from_response(body["usage"], flavors["anthropic" if "cache_creation" in body["usage"]
                                                                     or "server_tool_use" in body["usage"] else "openai"])
        assert not token_problems(dict(zip(TOKEN_KEYS, usage.values(), strict=True))), entry["model"]
    loaded.add("real_provider_usage_payloads_genai_prices_dataset.json")
    payloads = {p.name for p in folder.glob("*.json") if not p.name.startswith(("litellm_", "langfuse_"))}
    # price maps (LiteLLM's, Langfuse's, genai-prices' CSV) are reference tables, not usage payloads
    assert payloads <= loaded, payloads - loaded
