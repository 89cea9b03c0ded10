"""OpenCost ``/allocation`` and ``/assets`` responses, one cluster and one UTC day each.

Files sit at ``<uri>/<cluster>/<YYYY-MM-DD>/allocation*.json`` and ``assets*.json``; the cluster and the day come
from the folder names (``properties.cluster`` is often just ``default-cluster``). Both files are the API's own
envelope, ``{"code": 200, "status": "success", "data": ...}``; any other ``code`` is an error response saved by
mistake and is refused with its message.

Costs are JSON numbers; they are read as exact decimals from the text (never through a float) and rounded half
away from zero to DECIMAL(38, 9). A NaN or missing field is null. An entry without ``node``/``pod`` (an aggregated
query, e.g. ``aggregate=namespace``) keeps those columns null.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import OPENCOST_ALLOCATIONS, OPENCOST_ASSETS, conform

_NANO = Decimal("0.000000001")

# raw.opencost_allocations column -> Allocation JSON field
_ALLOCATION_FLOATS = {
    "minutes": "minutes",
    "cpu_core_hours": "cpuCoreHours",
    "cpu_core_request_average": "cpuCoreRequestAverage",
    "cpu_core_usage_average": "cpuCoreUsageAverage",
    "ram_byte_hours": "ramByteHours",
    "ram_byte_request_average": "ramByteRequestAverage",
    "ram_byte_usage_average": "ramByteUsageAverage",
    "gpu_hours": "gpuHours",
}
_ALLOCATION_MONEY = {
    "cpu_cost": "cpuCost",
    "cpu_cost_adjustment": "cpuCostAdjustment",
    "ram_cost": "ramCost",
    "ram_cost_adjustment": "ramCostAdjustment",
    "gpu_cost": "gpuCost",
    "gpu_cost_adjustment": "gpuCostAdjustment",
    "pv_cost": "pvCost",
    "network_cost": "networkCost",
    "load_balancer_cost": "loadBalancerCost",
    "shared_cost": "sharedCost",
    "external_cost": "externalCost",
    "total_cost": "totalCost",
}
_ASSET_FLOATS = {
    "minutes": "minutes",
    "cpu_cores": "cpuCores",
    "ram_bytes": "ramBytes",
    "cpu_core_hours": "cpuCoreHours",
    "ram_byte_hours": "ramByteHours",
}
_ASSET_MONEY = {
    "cpu_cost": "cpuCost",
    "ram_cost": "ramCost",
    "gpu_cost": "gpuCost",
    "adjustment": "adjustment",
    "total_cost": "totalCost",
}


def parse_allocation(data: bytes, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame:
    """An ``/allocation`` response (``data`` = a list of sets, each a map name → Allocation) → OPENCOST_ALLOCATIONS.

    One row per (set, entry), ``allocation_name`` = the map key (``cluster/node/namespace/pod/container`` without
    aggregation, ``__idle__`` for idle). A bare map instead of a list is read as one set.
    """
    payload = _envelope(data, source_file)
    sets = payload if isinstance(payload, list) else [payload]
    rows = []
    for set_index, allocation_set in enumerate(sets):
        if allocation_set is None:
            continue  # OpenCost writes null for an empty step
        if not isinstance(allocation_set, dict):
            raise LandingFileError(
                source_file, f"data[{set_index}]: expected a map of allocations, found {_kind(allocation_set)}"
            )
        for name, allocation in allocation_set.items():
            where = f"data[{set_index}][{name!r}]"
            if not isinstance(allocation, dict):
                raise LandingFileError(
                    source_file, f"{where}: expected an Allocation object, found {_kind(allocation)}"
                )
            properties = _object(allocation.get("properties"), source_file, f"{where}.properties")
            window_start, window_end = _window(allocation, source_file, where)
            row: dict[str, Any] = {
                "cluster": cluster,
                "usage_date": usage_date,
                "window_start": window_start,
                "window_end": window_end,
                "allocation_name": name,
                "node": _text(properties.get("node")),
                "namespace": _text(properties.get("namespace")),
                "pod": _text(properties.get("pod")),
                "container": _text(properties.get("container")),
                "provider_id": _text(properties.get("providerID")),
                "controller_kind": _text(properties.get("controllerKind")),
                "controller": _text(properties.get("controller")),
                "labels": _json_object(properties.get("labels"), source_file, f"{where}.properties.labels"),
                "namespace_labels": _json_object(
                    properties.get("namespaceLabels"), source_file, f"{where}.properties.namespaceLabels"
                ),
                "source_file": source_file,
            }
            for column, field in _ALLOCATION_FLOATS.items():
                row[column] = _float(allocation.get(field), source_file, f"{where}.{field}")
            for column, field in _ALLOCATION_MONEY.items():
                row[column] = _money(allocation.get(field), source_file, f"{where}.{field}")
            rows.append(row)
    return _frame(rows, OPENCOST_ALLOCATIONS)


def parse_assets(data: bytes, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame:
    """An ``/assets`` response (``data`` = one map key → Asset; a list of maps is read too) → OPENCOST_ASSETS."""
    payload = _envelope(data, source_file)
    maps = payload if isinstance(payload, list) else [payload]
    rows = []
    for assets in maps:
        if assets is None:
            continue
        if not isinstance(assets, dict):
            raise LandingFileError(source_file, f"data: expected a map of assets, found {_kind(assets)}")
        for key, asset in assets.items():
            where = f"data[{key!r}]"
            if not isinstance(asset, dict):
                raise LandingFileError(source_file, f"{where}: expected an Asset object, found {_kind(asset)}")
            properties = _object(asset.get("properties"), source_file, f"{where}.properties")
            window_start, window_end = _window(asset, source_file, where)
            row: dict[str, Any] = {
                "cluster": cluster,
                "usage_date": usage_date,
                "window_start": window_start,
                "window_end": window_end,
                "asset_key": key,
                "asset_type": _text(asset.get("type")),
                "name": _text(properties.get("name")),
                "provider_id": _text(properties.get("providerID")),
                "node_type": _text(asset.get("nodeType")),
                # Node assets spell it GPUHours; accept the allocation spelling too
                "gpu_hours": _float(
                    asset.get("GPUHours", asset.get("gpuHours")), source_file, f"{where}.GPUHours"
                ),
                "labels": _json_object(asset.get("labels"), source_file, f"{where}.labels"),
                "source_file": source_file,
            }
            for column, field in _ASSET_FLOATS.items():
                row[column] = _float(asset.get(field), source_file, f"{where}.{field}")
            for column, field in _ASSET_MONEY.items():
                row[column] = _money(asset.get(field), source_file, f"{where}.{field}")
            rows.append(row)
    return _frame(rows, OPENCOST_ASSETS)


# ------------------------------------------------------------------------------------------------------------
def _frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    columns = {name: [row.get(name) for row in rows] for name in schema}
    return conform(pl.DataFrame(columns, schema=schema), schema)


def _envelope(data: bytes, source_file: str) -> Any:
    try:
        # exact decimals for every number with a fraction; NaN/Infinity (seen in older OpenCost builds) -> None
        document = json.loads(data, parse_float=Decimal, parse_constant=lambda _: None)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LandingFileError(source_file, f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or ("data" not in document and "code" not in document):
        raise LandingFileError(
            source_file, 'expected the OpenCost envelope {"code": 200, "status": "success", "data": ...}'
        )
    code = document.get("code", 200)
    if code != 200:
        message = document.get("message") or document.get("error") or document.get("status") or "no message"
        raise LandingFileError(source_file, f"OpenCost returned an error response (code {code}): {message}")
    if "data" not in document:
        raise LandingFileError(source_file, "the response has no 'data'")
    return document["data"]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _object(value: Any, source_file: str, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise LandingFileError(source_file, f"{where}: expected an object, found {_kind(value)}")
    return value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _json_object(value: Any, source_file: str, where: str) -> str:
    obj = _object(value, source_file, where)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _window(entry: dict, source_file: str, where: str) -> tuple[datetime | None, datetime | None]:
    window = entry.get("window") if isinstance(entry.get("window"), dict) else {}
    start = window.get("start", entry.get("start"))
    end = window.get("end", entry.get("end"))
    return _timestamp(start, source_file, f"{where}.window.start"), _timestamp(end, source_file, f"{where}.window.end")


def _timestamp(value: Any, source_file: str, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("z", "Z"))
    except ValueError as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} is not an RFC 3339 timestamp") from exc
    if parsed.tzinfo is None:
        raise LandingFileError(source_file, f"{where}: {value!r} has no UTC offset")
    return parsed


def _float(value: Any, source_file: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise LandingFileError(source_file, f"{where}: expected a number, found {value!r}")
    result = float(value)
    return None if math.isnan(result) else result


def _money(value: Any, source_file: str, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise LandingFileError(source_file, f"{where}: expected a number, found {value!r}")
    try:
        amount = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
        if not amount.is_finite():
            return None
        return amount.quantize(_NANO, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} does not fit DECIMAL(38, 9)") from exc
