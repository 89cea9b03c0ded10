"""LLM usage, cost and list prices, from every format a SaaS company's LLM calls are logged or billed in.

Usage → ``raw.llm_events`` / ``raw.llm_events_quarantine`` (OTel-inclusive token counts, tokens.py; the
event/quarantine split, events.py):
- native.py: unitcost's own JSONL, one OTel GenAI event per line;
- litellm.py: LiteLLM proxy SpendLogs exports (JSON or CSV);
- usage_pages.py: OpenAI Usage API and Anthropic usage report pages.
Cost → ``raw.llm_cost_reports``: cost_reports.py (OpenAI costs, Anthropic cost report pages); pages.py walks the
pages both APIs share and keeps the latest of a re-fetched bucket.
Prices → ``raw.llm_price_snapshot`` / ``raw.llm_model_resolution``: prices.py (genai-prices' data, model matching).
"""
