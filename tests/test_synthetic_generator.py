"""The synthetic landing-zone generator: determinism, formats, and a ground truth that ties out exactly."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from synthetic import generate
from synthetic.ground_truth import effective_cost, spread
from synthetic.llm_reference_prices import price_call, resolve_model

START = date(2026, 9, 29)  # crosses a month end: two billing periods
DAYS = 4
TENANTS = 8
SEED = 11
WINDOW = [START + timedelta(days=i) for i in range(DAYS)]
SYNTHETIC_DIR = Path(__file__).resolve().parents[1] / "synthetic"


@pytest.fixture(scope="module")
def zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("zone_a")
    config = generate(out, START, DAYS, TENANTS, SEED)
    assert config == out / "unitcost.yaml"
    return out


def _tree_hash(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _truth_by_day(zone: Path) -> dict[tuple[str, str], Decimal]:
    return {(r["usage_date"], r["source_id"]): Decimal(r["amount_usd"])
            for r in _read_csv(zone / "ground_truth" / "daily_truth.csv")}


# ---------------------------------------------------------------------------------------------------------------
# determinism and isolation


def test_same_seed_same_bytes(zone, tmp_path):
    again = tmp_path / "zone_b"
    generate(again, START, DAYS, TENANTS, SEED)
    assert _tree_hash(zone) == _tree_hash(again)


def test_other_seed_other_data_and_regenerating_in_place(zone, tmp_path):
    other = tmp_path / "zone_c"
    generate(other, START, 2, TENANTS, SEED + 1)
    a = (zone / "landing" / "business" / "tenants.csv").read_text()
    b = (other / "landing" / "business" / "tenants.csv").read_text()
    assert a != b
    generate(other, START, DAYS, TENANTS, SEED)  # replaces what it wrote, leaves nothing stale
    assert _tree_hash(other) == _tree_hash(zone)


def test_refuses_a_landing_zone_it_did_not_write(tmp_path):
    (tmp_path / "landing" / "llm").mkdir(parents=True)
    (tmp_path / "landing" / "llm" / "keep.jsonl").write_text("{}\n")
    with pytest.raises(FileExistsError):
        generate(tmp_path, START, 1, 2, SEED)
    assert (tmp_path / "landing" / "llm" / "keep.jsonl").exists()


def test_generator_imports_nothing_from_the_pipeline():
    allowed = {"__future__", "copy", "csv", "json", "math", "random", "uuid", "dataclasses", "datetime", "decimal",
               "pathlib", "functools", "collections", "typing", "warnings", "shutil", "pyarrow", "polars", "numpy",
               "yaml", "genai_prices", "time", "types", "resource"}
    paths = sorted(SYNTHETIC_DIR.rglob("*.py"))  # the sub-packages (model/, writers/) too
    assert {p.parent.name for p in paths} >= {"synthetic", "model", "writers"}
    for path in paths:
        depth = len(path.relative_to(SYNTHETIC_DIR).parts)  # synthetic/x.py: 1, synthetic/model/x.py: 2
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: only within the synthetic package (never above synthetic/)
                    assert node.level <= depth, f"{path.relative_to(SYNTHETIC_DIR)}: {ast.dump(node)}"
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.relative_to(SYNTHETIC_DIR)} imports {name}"


# ---------------------------------------------------------------------------------------------------------------
# config and layout


def test_config(zone):
    cfg = yaml.safe_load((zone / "unitcost.yaml").read_text())
    assert cfg["start_date"] == START
    assert cfg["warehouse"]["path"] == "warehouse/unitcost.duckdb"
    assert cfg["warehouse"]["serving_path"] == "warehouse/unitcost_serving.duckdb"
    assert cfg["attribution"] == {"tenant_label": "tenant", "feature_label": "feature",
                                  "tenant_tag": "user_tenant", "feature_tag": "user_feature"}
    assert cfg["sources"]["cur"] == {"uri": "landing/cur/unitcost-demo", "name": "cur"}
    for src in ("opencost", "kubernetes", "llm", "requests", "business"):
        assert cfg["sources"][src] == {"uri": f"landing/{src}"}
        assert (zone / cfg["sources"][src]["uri"]).is_dir()


# ---------------------------------------------------------------------------------------------------------------
# CUR 2.0


CUR_ROOT = Path("landing/cur/unitcost-demo")


def test_manifest_lists_exactly_the_data_files(zone):
    root = zone / CUR_ROOT
    manifests = sorted((root / "metadata").glob("BILLING_PERIOD=*/unitcost-demo-Manifest.json"))
    assert [m.parent.name for m in manifests] == ["BILLING_PERIOD=2026-09", "BILLING_PERIOD=2026-10"]
    listed = set()
    for m in manifests:
        doc = json.loads(m.read_text())
        for key in ("executionId", "exportName", "exportArn", "bucket", "billingPeriod", "dataFiles", "columns"):
            assert key in doc
        assert doc["exportName"] == "unitcost-demo" and doc["bucket"] == "unitcost-demo-bucket"
        period = m.parent.name.split("=")[1]
        assert doc["billingPeriod"]["start"].startswith(f"{period}-01T00:00:00")
        for uri in doc["dataFiles"]:
            assert uri.startswith("s3://unitcost-demo-bucket/cur/unitcost-demo/data/")
            rel = uri[uri.index("/data/") + 1:]
            assert f"BILLING_PERIOD={period}/" in rel and doc["executionId"] in rel
            listed.add(rel)
    written = {str(p.relative_to(root)) for p in (root / "data").rglob("*") if p.is_file()}
    assert listed == written


def _cur_files(zone: Path) -> list[Path]:
    return sorted((zone / CUR_ROOT / "data").rglob("*.snappy.parquet"))


def test_cur_parquet_columns_and_types(zone):
    required = [
        "bill_billing_period_start_date", "bill_billing_period_end_date", "bill_invoice_id", "bill_bill_type",
        "identity_line_item_id", "line_item_usage_account_id", "line_item_line_item_type",
        "line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type",
        "line_item_operation", "line_item_resource_id", "line_item_availability_zone",
        "line_item_line_item_description", "line_item_usage_amount", "line_item_currency_code",
        "line_item_unblended_cost", "line_item_net_unblended_cost", "pricing_public_on_demand_cost", "pricing_unit",
        "product_region_code", "product_servicecode", "product_product_family", "product_instance_type",
        "reservation_reservation_a_r_n", "reservation_effective_cost",
        "reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee",
        "reservation_amortized_upfront_fee_for_billing_period", "savings_plan_savings_plan_a_r_n",
        "savings_plan_savings_plan_effective_cost", "savings_plan_total_commitment_to_date",
        "savings_plan_used_commitment", "savings_plan_amortized_upfront_commitment_for_billing_period",
        "split_line_item_parent_resource_id", "split_line_item_split_cost", "split_line_item_unused_cost",
        "resource_tags", "bill_payer_account_id", "bill_payer_account_name", "line_item_usage_account_name",
        "product",
    ]
    for f in _cur_files(zone):
        df = pl.read_parquet(f)
        assert set(required) <= set(df.columns)
        assert df.schema["line_item_unblended_cost"] == pl.Float64
        assert isinstance(df.schema["line_item_usage_start_date"], pl.Datetime)
        assert df["bill_payer_account_id"].n_unique() == 1
        types = set(df["line_item_line_item_type"])
        assert {"Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "SavingsPlanRecurringFee",
                "DiscountedUsage", "RIFee", "Fee", "Tax", "Credit"} <= types
        tag_keys = {k for tags in df["resource_tags"].to_list() for k, _ in
                    (tags.items() if isinstance(tags, dict) else [(e["key"], e["value"]) for e in tags])}
        assert {"user_tenant", "user_feature", "user_team"} <= tag_keys
        assert (df["line_item_operation"] == "EKSPod-EC2").any()


def test_cur_money_is_exact_and_sums_to_the_truth(zone):
    """Cast every money double to DECIMAL(38,9) like the pipeline, apply the effective-cost CASE and the nano-dollar
    spread: the per-day sums equal daily_truth `cur` exactly."""
    money = ["line_item_unblended_cost", "savings_plan_savings_plan_effective_cost",
             "savings_plan_total_commitment_to_date", "savings_plan_used_commitment", "reservation_effective_cost",
             "reservation_unused_amortized_upfront_fee_for_billing_period", "reservation_unused_recurring_fee"]
    con = duckdb.connect()
    per_day: dict[str, Decimal] = defaultdict(Decimal)
    for f in _cur_files(zone):
        casts = ", ".join(f"CAST({c} AS DECIMAL(38,9)) AS {c}" for c in money)
        # the double round-trips through DECIMAL(38,9): no value needs more than 9 decimals
        bad = con.execute(f"SELECT count(*) FROM read_parquet('{f}') WHERE "
                          + " OR ".join(f"CAST(CAST({c} AS DECIMAL(38,9)) AS DOUBLE) <> {c}" for c in money)
                          ).fetchone()[0]
        assert bad == 0
        rows = con.execute(
            f"SELECT line_item_line_item_type, line_item_product_code, line_item_line_item_description, "
            f"line_item_operation, reservation_reservation_a_r_n, line_item_usage_start_date, "
            f"line_item_usage_end_date, {casts} FROM read_parquet('{f}')").fetchall()
        cols = ["line_item_line_item_type", "line_item_product_code", "line_item_line_item_description",
                "line_item_operation", "reservation_reservation_a_r_n", "line_item_usage_start_date",
                "line_item_usage_end_date", *money]
        for r in rows:
            row = dict(zip(cols, r))
            if row["line_item_operation"] in ("EKSPod-EC2", "ECSTask-EC2"):
                assert row["line_item_unblended_cost"] == 0
                continue
            start = row["line_item_usage_start_date"].astimezone(UTC)
            end = row["line_item_usage_end_date"].astimezone(UTC)
            for d, share in spread(effective_cost(row), start, end):
                if d in WINDOW:
                    per_day[d.isoformat()] += share
    truth = _truth_by_day(zone)
    assert {d.isoformat() for d in WINDOW} == set(per_day)
    for d, amount in per_day.items():
        assert truth[(d, "cur")] == amount


def test_spread_rule():
    parts = spread(Decimal("10.000000001"), datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert len(parts) == 31 and parts[0][0] == date(2026, 10, 1) and parts[-1][0] == date(2026, 10, 31)
    assert all(p == Decimal("0.322580645") for _, p in parts[:-1])
    assert sum(p for _, p in parts) == Decimal("10.000000001")
    neg = spread(Decimal("-1"), datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 4, tzinfo=UTC))
    assert [p for _, p in neg] == [Decimal("-0.333333333"), Decimal("-0.333333333"), Decimal("-0.333333334")]


# ---------------------------------------------------------------------------------------------------------------
# ground truth


def test_tenant_days_sum_exactly_to_the_truth(zone):
    truth: dict[str, Decimal] = defaultdict(Decimal)
    for (d, _s), a in _truth_by_day(zone).items():
        truth[d] += a
    tenant_rows = _read_csv(zone / "ground_truth" / "tenant_daily_cost.csv")
    by_day: dict[str, Decimal] = defaultdict(Decimal)
    ids_per_day: dict[str, set[str]] = defaultdict(set)
    for r in tenant_rows:
        by_day[r["usage_date"]] += Decimal(r["amount_usd"])
        ids_per_day[r["usage_date"]].add(r["tenant_id"])
    assert set(by_day) == {d.isoformat() for d in WINDOW} == set(truth)
    tenants = {r["tenant_id"] for r in _read_csv(zone / "landing" / "business" / "tenants.csv")}
    for d in by_day:
        assert by_day[d] == truth[d]
        assert ids_per_day[d] == tenants | {"__idle__", "__unallocated__"}
    sources = {s for _, s in _truth_by_day(zone)}
    assert sources == {"cur", "llm:openai", "llm:anthropic", "llm:google"}
    assert (zone / "ground_truth" / "README.md").read_text().count("`") > 6


def test_node_b_equals_pods_plus_idle(zone):
    rows = _read_csv(zone / "ground_truth" / "node_daily.csv")
    assert rows and list(rows[0]) == ["usage_date", "instance_id", "billed_compute_usd", "pods_usd", "idle_usd"]
    nodes = set()
    for r in rows:
        b, pods, idle = (Decimal(r[k]) for k in ("billed_compute_usd", "pods_usd", "idle_usd"))
        assert b == pods + idle
        assert b > 0 and pods >= 0 and idle >= 0
        nodes.add(r["instance_id"])
    # only the GPU node has days without pods: idle whole after its training job's half of the first day
    all_idle = [r for r in rows if Decimal(r["pods_usd"]) == 0]
    assert len({r["instance_id"] for r in all_idle}) == 1 and len(all_idle) == DAYS - 1
    assert 7 <= len(nodes) <= 11
    assert len(rows) == len(nodes) * DAYS
    # B from the bill itself: the node's RunInstances compute rows, effective cost
    con = duckdb.connect()
    b_bill: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for f in _cur_files(zone):
        for (rid, t, d, eff_sp, eff_ri, unbl) in con.execute(
                f"SELECT line_item_resource_id, line_item_line_item_type, CAST(line_item_usage_start_date AS DATE),"
                f" CAST(savings_plan_savings_plan_effective_cost AS DECIMAL(38,9)),"
                f" CAST(reservation_effective_cost AS DECIMAL(38,9)), CAST(line_item_unblended_cost AS DECIMAL(38,9))"
                f" FROM read_parquet('{f}') WHERE line_item_operation LIKE 'RunInstances%'"
                f" AND line_item_usage_type NOT LIKE '%DataXfer%'").fetchall():
            if rid in nodes:
                eff = {"SavingsPlanCoveredUsage": eff_sp, "DiscountedUsage": eff_ri}.get(t, unbl)
                b_bill[(d.isoformat(), rid)] += eff
    assert {(r["usage_date"], r["instance_id"]): Decimal(r["billed_compute_usd"]) for r in rows} == dict(b_bill)


def test_heavy_tail_and_free_tenants_lose_money(zone):
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for r in _read_csv(zone / "ground_truth" / "tenant_daily_cost.csv"):
        if not r["tenant_id"].startswith("__"):
            cost[r["tenant_id"]] += Decimal(r["amount_usd"])
    ranked = sorted(cost.values(), reverse=True)
    top = math.ceil(0.1 * len(ranked))
    assert sum(ranked[:top]) >= Decimal("0.5") * sum(ranked)
    plans = {r["tenant_id"]: r["plan"] for r in _read_csv(zone / "landing" / "business" / "tenants.csv")}
    assert set(plans.values()) == {"free", "starter", "pro", "enterprise"}
    mrr = {(r["month"], r["tenant_id"]): Decimal(r["mrr_usd"])
           for r in _read_csv(zone / "landing" / "business" / "revenue.csv")}
    assert {m for m, _ in mrr} == {"2026-09", "2026-10"}
    assert len(mrr) == 2 * TENANTS
    losers = [t for t, p in plans.items() if p == "free" and cost[t] > 0 and mrr[("2026-10", t)] == 0]
    assert losers
    budgets = _read_csv(zone / "landing" / "business" / "budgets.csv")
    assert {b["feature_id"] for b in budgets} == {"chat", "search", "summarize", "api", "ingest"}


# ---------------------------------------------------------------------------------------------------------------
# OpenCost and kubectl


def _opencost_days(zone: Path) -> list[Path]:
    return sorted((zone / "landing" / "opencost" / "prod-eks").iterdir())


def _snapshots(zone: Path) -> list[dict]:
    return [json.loads((p / "objects.json").read_text())
            for p in sorted((zone / "landing" / "kubernetes" / "prod-eks").iterdir())]


def test_opencost_format(zone):
    days = _opencost_days(zone)
    assert [p.name for p in days] == [d.isoformat() for d in WINDOW]
    for folder in days:
        alloc = json.loads((folder / "allocation.json").read_text())
        assert alloc["code"] == 200 and alloc["status"] == "success"
        assert isinstance(alloc["data"], list) and len(alloc["data"]) == 1
        entries = alloc["data"][0]
        assert "__idle__" in entries
        lo = f"{folder.name}T00:00:00Z"
        for key, e in entries.items():
            assert e["window"]["start"] == lo
            for field in ("cpuCost", "cpuCostAdjustment", "ramCost", "ramCostAdjustment", "gpuCost", "totalCost",
                          "cpuCoreHours", "ramByteHours", "minutes"):
                assert isinstance(e[field], (int, float))
            assert round(e["cpuCost"], 5) == e["cpuCost"] and round(e["ramCost"], 5) == e["ramCost"]
            if key == "__idle__":
                continue
            props = e["properties"]
            assert key == "/".join([props["cluster"], props["node"], props["namespace"], props["pod"],
                                    props["container"]])
            assert props["providerID"].startswith("i-0")
            assert all(ch.isalnum() or ch == "_" for k in props["labels"] for ch in k)
        assets = json.loads((folder / "assets.json").read_text())
        assert assets["code"] == 200 and isinstance(assets["data"], dict)
        kinds = defaultdict(int)
        for a in assets["data"].values():
            kinds[a["type"]] += 1
            if a["type"] == "Node":
                assert a["properties"]["providerID"].startswith("i-0")
                assert a["totalCost"] == pytest.approx(a["cpuCost"] + a["ramCost"] + a["gpuCost"] + a["adjustment"])
        assert kinds["Node"] >= 6 and kinds["Disk"] == kinds["Node"]


def test_kubectl_snapshots(zone):
    folders = sorted((zone / "landing" / "kubernetes" / "prod-eks").iterdir())
    assert len(folders) == DAYS * 4
    assert folders[0].name == f"{START.isoformat()}T00-00-00Z" and folders[1].name == f"{START.isoformat()}T06-00-00Z"
    pod_uids = []
    for snap in _snapshots(zone):
        assert snap["kind"] == "List" and snap["apiVersion"] == "v1"
        kinds = {i["kind"] for i in snap["items"]}
        assert {"Pod", "Namespace", "Node", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
                "CronJob"} <= kinds
        for item in snap["items"]:
            meta = item["metadata"]
            assert meta["uid"] and meta["creationTimestamp"].endswith("Z")
            if item["kind"] == "Node":
                assert item["spec"]["providerID"].startswith("aws:///us-east-1")
            if item["kind"] == "Pod":
                owners = [o for o in meta["ownerReferences"] if o.get("controller")]
                assert len(owners) == 1
                assert item["spec"]["nodeName"] and item["status"]["phase"] in ("Running", "Succeeded")
                pod_uids.append(meta["uid"])
    # pods come and go between snapshots
    first, last = _snapshots(zone)[0], _snapshots(zone)[-1]
    uids = lambda s: {i["metadata"]["uid"] for i in s["items"] if i["kind"] == "Pod"}  # noqa: E731
    assert uids(first) != uids(last)
    ns = {i["metadata"]["name"]: i["metadata"].get("labels", {}) for i in first["items"] if i["kind"] == "Namespace"}
    assert any(n.startswith("tenant-") and labels.get("tenant") for n, labels in ns.items())
    pods = [i for i in first["items"] if i["kind"] == "Pod"]
    assert any("tenant" in p["metadata"]["labels"] for p in pods)  # labels on the pod template
    assert any(p["metadata"]["namespace"].startswith("tenant-") and "tenant" not in p["metadata"]["labels"]
               for p in pods)  # only the namespace names the tenant
    assert any(p["metadata"]["labels"].get("feature") == "api" and "tenant" not in p["metadata"]["labels"]
               for p in pods)  # shared workload
    deps = [i for i in first["items"] if i["kind"] == "Deployment"]
    assert any("tenant" in d["metadata"]["labels"] and "tenant" not in d["spec"]["template"]["metadata"]["labels"]
               for d in deps)  # labels only on the controller


def test_opencost_pods_match_snapshots(zone):
    seen = set()
    for snap in _snapshots(zone):
        seen |= {(i["metadata"]["namespace"], i["metadata"]["name"]) for i in snap["items"] if i["kind"] == "Pod"}
    missed = []
    for folder in _opencost_days(zone):
        for key, e in json.loads((folder / "allocation.json").read_text())["data"][0].items():
            if key == "__idle__":
                continue
            p = e["properties"]
            if (p["namespace"], p["pod"]) not in seen:
                missed.append(e)
    # only the short-lived backfill Jobs are missed by every snapshot, and OpenCost still carries their labels
    assert missed
    assert all(e["properties"]["controllerKind"] == "job" and "tenant" in e["properties"]["labels"] for e in missed)
    assert len({e["properties"]["pod"] for e in missed}) >= math.ceil(DAYS / 3)


# ---------------------------------------------------------------------------------------------------------------
# LLM events and requests


def _events(zone: Path) -> list[tuple[str, dict]]:
    out = []
    for f in sorted((zone / "landing" / "llm").glob("*/events-*.jsonl")):
        for line in f.read_text().splitlines():
            out.append((f.parent.name, json.loads(line)))
    return out


def test_llm_events_format(zone):
    events = _events(zone)
    assert len(events) > 100
    required = {"timestamp", "event_id", "tenant.id", "feature.id", "gen_ai.provider.name", "gen_ai.request.model",
                "gen_ai.response.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
                "gen_ai.usage.cache_read.input_tokens", "gen_ai.conversation.id", "service_tier", "batch"}
    ids = set()
    moved = 0
    offsets = set()
    for folder, e in events:
        assert required <= set(e) and "cost_usd" not in e
        assert e["event_id"] not in ids
        ids.add(e["event_id"])
        ts = datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))
        assert ts.tzinfo is not None
        offsets.add(e["timestamp"][-6:] if e["timestamp"][-6] in "+-" else "Z")
        assert ts.strftime("%Y-%m-%d") == folder  # the folder is the writer's local date
        if ts.astimezone(UTC).date().isoformat() != folder:
            moved += 1
        cr = e["gen_ai.usage.cache_read.input_tokens"]
        cw = e.get("gen_ai.usage.cache_creation.input_tokens", 0)
        assert cr + cw <= e["gen_ai.usage.input_tokens"] < 128_000
        assert e.get("cache_creation_1h.input_tokens", 0) <= cw
        assert e.get("gen_ai.usage.reasoning.output_tokens", 0) <= e["gen_ai.usage.output_tokens"]
        assert e["tenant.id"] and e["feature.id"]
        assert e["service_tier"] in ("default", "flex", "priority")
        if e["service_tier"] != "default":
            assert e["gen_ai.provider.name"] == "openai" and not e["batch"]
    assert moved >= DAYS  # near-midnight events whose UTC day is not their folder's
    assert "-02:00" in offsets and "+00:00" in offsets and "Z" in offsets
    providers = {e["gen_ai.provider.name"] for _, e in events}
    assert providers == {"openai", "anthropic", "gcp.gemini"}


def test_llm_truth_recomputed_from_the_files(zone):
    per: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    pid = {"openai": "openai", "anthropic": "anthropic", "gcp.gemini": "google"}
    for _, e in _events(zone):
        at = datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).astimezone(UTC)
        if at.date() not in WINDOW:
            continue
        cost = price_call(
            e["gen_ai.response.model"], e["gen_ai.provider.name"], at, e["gen_ai.usage.input_tokens"],
            e["gen_ai.usage.output_tokens"], e["gen_ai.usage.cache_read.input_tokens"],
            e.get("gen_ai.usage.cache_creation.input_tokens", 0), e.get("cache_creation_1h.input_tokens", 0),
            e.get("gen_ai.usage.reasoning.output_tokens", 0), e["service_tier"], e["batch"])
        per[(at.date().isoformat(), f"llm:{pid[e['gen_ai.provider.name']]}")] += cost
    truth = {k: v for k, v in _truth_by_day(zone).items() if k[1].startswith("llm:")}
    assert per == truth


def test_every_model_is_priced_and_request_and_response_models_agree(zone):
    pairs = {(e["gen_ai.provider.name"], e["gen_ai.request.model"], e["gen_ai.response.model"], e["service_tier"],
              e["batch"]) for _, e in _events(zone)}
    for provider, request_model, response_model, _tier, _batch in pairs:
        assert resolve_model(request_model, provider) == resolve_model(response_model, provider)
    assert {(p, m) for p, m, *_ in pairs} <= {
        ("openai", "gpt-4o-mini"), ("openai", "gpt-4.1"), ("openai", "o3"), ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-haiku-4-5"), ("gcp.gemini", "gemini-2.5-flash")}
    assert {(m, t) for _, m, _, t, _ in pairs if t != "default"} <= {
        ("o3", "flex"), ("gpt-4.1", "priority"), ("gpt-4o-mini", "priority")}
    assert {p for p, *_, b in pairs if b} == {"openai", "anthropic"}


def test_price_call_by_hand():
    ts = datetime(2026, 10, 1, 12, tzinfo=UTC)
    # gpt-4o-mini: $0.15 / M input, $0.60 / M output
    assert price_call("gpt-4o-mini-2024-07-18", "openai", ts, 1000, 500) == Decimal("0.000450000")
    # batch halves it, even before genai-prices' own variant start date (2026-10-14)
    assert price_call("gpt-4o-mini", "openai", ts, 1000, 500, batch=True) == Decimal("0.000225000")
    # claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 5-minute cache write, $6 1-hour cache write, $15 output
    by_hand = (Decimal(10_000 - 6_000 - 2_000) * 3 + Decimal(6_000) * Decimal("0.3")
               + Decimal(1_500) * Decimal("3.75") + Decimal(500) * 6 + Decimal(500) * 15) / 1_000_000
    assert price_call("claude-sonnet-4-5-20250929", "anthropic", ts, 10_000, 500, cache_read_tokens=6_000,
                      cache_write_tokens=2_000, cache_write_1h_tokens=500) == by_hand.quantize(Decimal("1e-9"))
    # o3 flex: $1 / M input, $4 / M output (reasoning is billed as output)
    assert price_call("o3", "openai", ts, 2_000, 1_000, reasoning_tokens=600, service_tier="flex") \
        == Decimal("0.006000000")
    # gemini-2.5-flash via the OTel provider name
    assert price_call("gemini-2.5-flash", "gcp.gemini", ts, 1_000_000, 0) == Decimal("0.300000000")


def test_requests_prometheus_matrix(zone):
    files = sorted((zone / "landing" / "requests").glob("*.json"))
    assert [f.stem for f in files] == [d.isoformat() for d in WINDOW]
    for f in files:
        doc = json.loads(f.read_text())
        assert doc["status"] == "success" and doc["data"]["resultType"] == "matrix"
        lo = datetime.fromisoformat(f.stem).replace(tzinfo=UTC).timestamp()
        features = set()
        non_integer = 0
        for series in doc["data"]["result"]:
            assert set(series["metric"]) == {"tenant", "feature"}
            features.add(series["metric"]["feature"])
            for ts, v in series["values"]:
                assert lo < float(ts) <= lo + 86400 and isinstance(v, str)
                non_integer += float(v) != int(float(v))
            assert series["values"][-1][0] == lo + 86400
        assert features == {"api", "search"} and non_integer > 0
