"""The JSON files of a bulk zone: OpenCost /allocation (24 hourly sets, `step=1h`) and /assets per cluster and day,
native LLM JSON lines per UTC day, and Prometheus query_range JSON of the request counts per day."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from ..model.common import GIB, LLM_FEATURES, iso_z
from ..model.llm_calls import MODELS
from ..model.opencost import sanitize_label_key
from ..writers.opencost import _ALLOCATION_FIELDS
from .llm import MODEL_NAMES, TIERS

LLM_LINES_PER_FILE = 100_000
_VALUES = ("cpuCores", "cpuCoreRequestAverage", "cpuCoreUsageAverage", "cpuCoreHours", "cpuCost", "cpuEfficiency",
           "ramBytes", "ramByteRequestAverage", "ramByteUsageAverage", "ramByteHours", "ramCost", "ramEfficiency",
           "totalCost", "totalEfficiency")


def _entry_template() -> tuple[list[str], list[str]]:
    """One container's /allocation entry as JSON split around its holes: (literal pieces, hole names), every
    other field as OpenCost writes it."""
    entry = {"name": "@name@", "properties": "@properties@", "window": "@window@", "start": "@start@",
             "end": "@end@", "minutes": 60.0}
    for key, absent in _ALLOCATION_FIELDS.items():
        entry[key] = f"@{key}@" if key in _VALUES else absent
    text = '"@name@":' + json.dumps(entry, separators=(",", ":"))
    for key in ("properties", "window", *_VALUES):
        text = text.replace(f'"@{key}@"', f"@{key}@")
    parts = text.split("@")
    return parts[0::2], parts[1::2]


def _decimal(col: str, places: int) -> pl.Expr:
    """An integer column in 10^-places units as a JSON decimal string."""
    unit = 10**places
    return pl.format("{}.{}", pl.col(col) // unit, (pl.col(col) % unit).cast(pl.Utf8).str.zfill(places))


def _entries(ph: pl.DataFrame, t0: datetime) -> pl.DataFrame:
    """hour (of day), entry: every pod-hour's `"name":{...}` text, built column-wise."""
    c = pl.col
    start = (pl.lit(t0) + pl.duration(hours=c("hour"))).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (pl.lit(t0) + pl.duration(hours=c("hour") + 1)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    cpu_eff, ram_eff = c("cpu_use") / (c("cpu_m") / 1000), c("ram_use") / (c("mem_mi") * 1048576.0)
    ram_bytes = (c("mem_mi") * 1048576).cast(pl.Utf8)
    values = {
        "name": pl.format("{}/{}/{}/{}/{}", "cluster", "node", "namespace", "pod", "container"),
        "properties": c("properties"),
        "window": pl.concat_str([pl.lit('{"start":"'), start, pl.lit('","end":"'), end, pl.lit('"}')]),
        "start": start, "end": end,
        "cpuCores": _decimal("cpu_m", 3), "cpuCoreRequestAverage": _decimal("cpu_m", 3),
        "cpuCoreUsageAverage": c("cpu_use").round(5).cast(pl.Utf8), "cpuCoreHours": _decimal("cpu_m", 3),
        "cpuCost": _decimal("cpu_cost", 5), "cpuEfficiency": cpu_eff.round(5).cast(pl.Utf8),
        "ramBytes": ram_bytes, "ramByteRequestAverage": ram_bytes,
        "ramByteUsageAverage": c("ram_use").round(5).cast(pl.Utf8), "ramByteHours": ram_bytes,
        "ramCost": _decimal("ram_cost", 5), "ramEfficiency": ram_eff.round(5).cast(pl.Utf8),
        "totalCost": _decimal("total_cost", 5),
        "totalEfficiency": ((cpu_eff * c("cpu_cost") + ram_eff * c("ram_cost")) / c("total_cost")).round(5)
        .fill_nan(0).cast(pl.Utf8),
    }
    literals, holes = _entry_template()
    pieces = [pl.lit(literals[0])]
    for hole, literal in zip(holes, literals[1:]):
        pieces += [values[hole], pl.lit(literal)]
    return ph.with_columns(total_cost=c("cpu_cost") + c("ram_cost")).select(
        hour=c("hour") % 24, entry=pl.concat_str(pieces))


def write_opencost(pod_hours: pl.DataFrame, nodes: pl.DataFrame, t0: datetime, days: int, root: Path) -> None:
    props = []
    for idx, cluster, node, iid, ns, pod, ctl, kind, app, tenant, feature in pod_hours.select(
            "pod_idx", "cluster", "node", "instance_id", "namespace", "pod", "controller", "kind", "app", "tenant",
            "feature").unique("pod_idx").sort("pod_idx").iter_rows():
        labels = {"app": app, **({"feature": feature} if feature else {}), **({"tenant": tenant} if tenant else {})}
        props.append((idx, json.dumps({
            "cluster": cluster, "node": node, "container": ctl, "controller": ctl, "controllerKind": kind,
            "namespace": ns, "pod": pod, "providerID": iid,
            "labels": {sanitize_label_key(k): v for k, v in sorted(labels.items())},
            "namespaceLabels": {"kubernetes_io_metadata_name": ns}}, separators=(",", ":"))))
    props_df = pl.DataFrame(props, orient="row", schema=[("pod_idx", pod_hours["pod_idx"].dtype),
                                                          ("properties", pl.Utf8)])
    ph = pod_hours.with_columns(day=pl.col("hour") // 24)
    for (cluster, d), part in ph.group_by("cluster", "day", maintain_order=True):  # one file's worth at a time
        part = (part.join(props_df, on="pod_idx").with_columns(pl.col(pl.Categorical).cast(pl.Utf8))
                .sort("hour", "node", "namespace", "pod"))
        sets = _entries(part, t0).group_by("hour", maintain_order=True).agg(pl.col("entry").str.join(","))
        by_hour = dict(zip((sets["hour"]).to_list(), sets["entry"].to_list()))
        folder = root / str(cluster) / (t0 + timedelta(days=d)).date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        body = ",\n".join("{" + by_hour.get(h, "") + "}" for h in range(24))
        (folder / "allocation.json").write_text('{"code":200,"status":"success","data":[' + body + "]}\n")
        _write_assets(folder / "assets.json", nodes.filter(pl.col("cluster") == str(cluster)), str(cluster),
                      t0 + timedelta(days=d))


def _write_assets(path: Path, nodes: pl.DataFrame, cluster: str, day: datetime) -> None:
    window = {"start": iso_z(day), "end": iso_z(day + timedelta(days=1))}
    data = {}
    for n in nodes.iter_rows(named=True):
        cpu = n["cores"] * 24 * n["cpu_e6"]
        ram = n["gib"] * 24 * n["ram_e6"]
        key = f"AWS/unitcost/__undefined__/Compute/{cluster}/Node/Kubernetes/{n['instance_id']}/{n['node']}"
        data[key] = {
            "type": "Node",
            "properties": {"category": "Compute", "provider": "AWS", "service": "Kubernetes", "cluster": cluster,
                           "name": n["node"], "providerID": n["instance_id"]},
            "labels": {"eks_amazonaws_com_nodegroup": n["nodegroup"],
                       "node_kubernetes_io_instance_type": n["instance_type"],
                       "topology_kubernetes_io_zone": n["zone"]},
            "window": window, "start": window["start"], "end": window["end"], "minutes": 1440.0,
            "nodeType": n["instance_type"], "pool": n["nodegroup"], "cpuCores": float(n["cores"]),
            "ramBytes": float(n["gib"] * GIB), "cpuCoreHours": float(n["cores"] * 24),
            "ramByteHours": float(n["gib"] * GIB * 24), "GPUHours": 0.0, "preemptible": 0.0, "discount": 0.0,
            "cpuCost": cpu / 1e6, "gpuCost": 0.0, "gpuCount": 0.0, "ramCost": ram / 1e6, "adjustment": 0.0,
            "totalCost": f"@{cpu + ram}@",
        }
    text = json.dumps({"code": 200, "status": "success", "data": data}, separators=(",", ":"))
    for n in nodes.iter_rows(named=True):
        total = n["cores"] * 24 * n["cpu_e6"] + n["gib"] * 24 * n["ram_e6"]
        text = text.replace(f'"@{total}@"', f"{total // 1000000}.{total % 1000000:06d}")
    path.write_text(text + "\n")


def write_llm(calls: pl.DataFrame, tenant_ids: list[str], root: Path, rng: np.random.Generator) -> None:
    n = calls.height
    raw = rng.bytes(16 * n).hex()
    hexes = pl.Series([raw[i:i + 32] for i in range(0, 32 * n, 32)])
    h = pl.col("_h")
    models = pl.Series(MODEL_NAMES)
    df = calls.with_columns(_h=hexes).sort("at_ms", "_h").select(
        timestamp=pl.from_epoch("at_ms", "ms").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"),
        event_id=pl.concat_str([h.str.slice(0, 8), h.str.slice(8, 4), pl.lit("4") + h.str.slice(13, 3),
                                pl.lit("a") + h.str.slice(17, 3), h.str.slice(20, 12)], separator="-"),
        **{"tenant.id": pl.col("tenant").replace_strict(list(range(len(tenant_ids))), tenant_ids),
           "feature.id": pl.col("feature").replace_strict(list(range(5)), list(LLM_FEATURES)),
           "gen_ai.provider.name": pl.col("provider"),
           "gen_ai.request.model": pl.col("model").replace_strict(list(range(len(models))), models.to_list()),
           "gen_ai.response.model": pl.col("model").replace_strict(list(range(len(models))),
                                                                   [MODELS[m][2] for m in MODEL_NAMES]),
           "gen_ai.usage.input_tokens": pl.col("input"), "gen_ai.usage.output_tokens": pl.col("output"),
           "gen_ai.usage.cache_read.input_tokens": pl.col("cache_read"),
           "gen_ai.usage.cache_creation.input_tokens": pl.col("cache_write"),
           "cache_creation_1h.input_tokens": pl.col("cache_write_1h"),
           "gen_ai.usage.reasoning.output_tokens": pl.col("reasoning"),
           "gen_ai.conversation.id": pl.format("conv_{}_{}", pl.col("tenant"), pl.col("at_ms") // 3_600_000 % 97),
           "service_tier": pl.col("tier").replace_strict(list(range(3)), list(TIERS)),
           "batch": pl.col("batch"), "gen_ai.operation.name": pl.lit("chat"), "_day": pl.col("at_ms") // 86_400_000})
    for (day,), part in df.group_by("_day", maintain_order=True):
        folder = root / datetime.utcfromtimestamp(day * 86400).date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        part = part.drop("_day")
        for i in range(0, part.height, LLM_LINES_PER_FILE):
            part.slice(i, LLM_LINES_PER_FILE).write_ndjson(folder / f"events-{i // LLM_LINES_PER_FILE + 1}.jsonl")


def write_requests(requests: pl.DataFrame, t0: datetime, days: int, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    t0s = int(t0.timestamp())
    req = requests.sort("feature", "tenant", "hour")
    for d in range(days):
        day = req.filter(pl.col("hour") // 24 == d)
        result = []
        for (feature, tenant), s in day.group_by("feature", "tenant", maintain_order=True):
            values = [[t0s + (hr + 1) * 3600, str(v)] for hr, v in zip(s["hour"].to_list(), s["value"].to_list())]
            result.append({"metric": {"feature": feature, "tenant": tenant}, "values": values})
        doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        (root / f"{(t0 + timedelta(days=d)).date().isoformat()}.json").write_text(
            json.dumps(doc, separators=(",", ":")) + "\n")
