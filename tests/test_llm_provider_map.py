"""seeds/llm_provider_map.csv: OTel gen_ai.provider.name -> genai-prices provider id (+ the invoicing provider).

The same CSV is a dbt seed (`ref('llm_provider_map')`) and is read by ingest.llm.prices.resolve_models.
"""

from __future__ import annotations

import csv

from ingest.llm.prices import PROVIDER_MAP_CSV, load_provider_map

REQUIRED = {
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "aws.bedrock": "aws",
    "azure.ai.openai": "azure",
    "openai": "openai",
    "anthropic": "anthropic",
}


def _rows() -> list[dict[str, str]]:
    with open(PROVIDER_MAP_CSV, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["otel_provider_name", "price_provider_id", "invoicing_provider"]
        return list(reader)


def test_seed_shape() -> None:
    rows = _rows()
    names = [r["otel_provider_name"] for r in rows]
    assert len(names) == len(set(names)), "one row per OTel provider name"
    for r in rows:
        assert all(v and v == v.strip() for v in r.values()), r
        assert r["otel_provider_name"] == r["otel_provider_name"].lower(), r
    assert {name: load_provider_map()[name] for name in REQUIRED} == REQUIRED


def test_every_otel_name_maps_to_a_provider_genai_prices_knows() -> None:
    from genai_prices.data import providers
    from genai_prices.data_snapshot import find_provider_by_id

    known = {p.id for p in providers}
    for r in _rows():
        assert r["price_provider_id"] in known, r
        # genai-prices' own lookup by id lands on that very provider (not on one whose provider_match catches it)
        found = find_provider_by_id(providers, r["price_provider_id"])
        assert found is not None and found.id == r["price_provider_id"], r
        assert r["invoicing_provider"], r


def test_raw_otel_names_would_be_misrouted_without_the_map() -> None:
    """Why the map exists: genai-prices' provider_match sends `azure.ai.openai` to openai, `gcp.*` nowhere."""
    from genai_prices.data import providers
    from genai_prices.data_snapshot import find_provider_by_id

    assert find_provider_by_id(providers, "azure.ai.openai").id == "openai"
    assert find_provider_by_id(providers, "gcp.gen_ai") is None
