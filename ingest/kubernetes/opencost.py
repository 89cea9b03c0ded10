"""OpenCost ``/allocation`` and ``/assets`` responses, one cluster and one UTC day each.

Files sit at ``<uri>/<cluster>/<YYYY-MM-DD>/allocation*.json`` and ``assets*.json``; the cluster and the day come
from the folder names (``properties.cluster`` is often just ``default-cluster``). Both files are the API's own
envelope, ``{"code": 200, "status": "success", "data": ...}``; any other ``code`` is an error response saved by
mistake and is refused with its message.

Costs are JSON numbers; they are read as exact decimals from the text (never through a float) and rounded half
away from zero to DECIMAL(38, 9). A NaN or missing field is null. An entry without ``node``/``pod`` (an aggregated
query, e.g. ``aggregate=namespace``) keeps those columns null.

``data`` is one set per step of the query: one for a daily dump (``accumulate=true``), 24 for ``step=1h``. Every row
keeps its own set's window and belongs to the UTC day its window starts on (the folder's day for a dump of that
day). A dump aggregated by ``pod`` or ``container`` alone is refused: OpenCost keys those sets on the name alone and
merges same-named pods of different namespaces, so no pod's cost could be trusted.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.kubernetes.opencost_fast import parse_allocation_fast
from ingest.schemas import OPENCOST_ALLOCATIONS, OPENCOST_ASSETS
from ingest.values import frame, load_json, rfc3339, text, to_nano

# raw.opencost_allocations column -> Allocation JSON field (properties.<field> for the text columns)
_ALLOCATION_TEXT = {
    "node": "node",
    "namespace": "namespace",
    "pod": "pod",
    "container": "container",
    "provider_id": "providerID",
    "controller_kind": "controllerKind",
    "controller": "controller",
}
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
    aggregation, ``__idle__`` for idle). A bare map instead of a list is read as one set. A plainly shaped document
    is flattened by DuckDB (opencost_fast.py, the same rows); any other goes through ``reference_allocation``.
    """
    fast = parse_allocation_fast(data, cluster, usage_date, source_file)
    return fast if fast is not None else reference_allocation(data, cluster, usage_date, source_file)


def reference_allocation(data: bytes, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame:
    """``parse_allocation`` entry by entry in Python: every shape the API writes, and the error naming the place."""
    rows = []
    for where, name, allocation in _entries(data, source_file, "Allocation", indexed=True):
        properties = _object(allocation.get("properties"), source_file, f"{where}.properties")
        _refuse_name_only_aggregates(name, properties, source_file, where)
        row = _placed(allocation, cluster, usage_date, source_file, where)
        # an allocation belongs to the UTC day its window starts on (every hourly step of the folder's day does)
        if row["window_start"] is not None:
            row["usage_date"] = row["window_start"].astimezone(timezone.utc).date()
        row |= _running(allocation, row, source_file, where)
        row |= {column: text(properties.get(field)) for column, field in _ALLOCATION_TEXT.items()}
        row |= {
            "allocation_name": name,
            "labels": _json_object(properties.get("labels"), source_file, f"{where}.properties.labels"),
            "namespace_labels": _json_object(
                properties.get("namespaceLabels"), source_file, f"{where}.properties.namespaceLabels"
            ),
        }
        rows.append(row | _measures(allocation, source_file, where, _ALLOCATION_FLOATS, _ALLOCATION_MONEY))
    return frame(rows, OPENCOST_ALLOCATIONS)


def parse_assets(data: bytes, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame:
    """An ``/assets`` response (``data`` = one map key → Asset; a list of maps is read too) → OPENCOST_ASSETS."""
    rows = []
    for where, key, asset in _entries(data, source_file, "Asset", indexed=False):
        properties = _object(asset.get("properties"), source_file, f"{where}.properties")
        row = _placed(asset, cluster, usage_date, source_file, where)
        row |= {
            "asset_key": key,
            "asset_type": text(asset.get("type")),
            "name": text(properties.get("name")),
            "provider_id": text(properties.get("providerID")),
            "node_type": text(asset.get("nodeType")),
            # Node assets spell it GPUHours; accept the allocation spelling too
            "gpu_hours": _float(asset.get("GPUHours", asset.get("gpuHours")), source_file, f"{where}.GPUHours"),
            "labels": _json_object(asset.get("labels"), source_file, f"{where}.labels"),
        }
        rows.append(row | _measures(asset, source_file, where, _ASSET_FLOATS, _ASSET_MONEY))
    return frame(rows, OPENCOST_ASSETS)


# ------------------------------------------------------------------------------------------------------------
def _entries(data: bytes, source_file: str, kind: str, indexed: bool) -> Iterator[tuple[str, str, dict]]:
    """(where, map key, entry) of every entry of every map in ``data`` (a list of maps, or one map).

    ``indexed``: name an entry with its map's index (``data[0]['name']``, the allocation sets of a window);
    ``/assets`` has one map, ``data['key']``.
    """
    payload = _envelope(data, source_file)
    for index, entries in enumerate(payload if isinstance(payload, list) else [payload]):
        if entries is None:
            continue  # OpenCost writes null for an empty step
        at = f"data[{index}]" if indexed else "data"
        if not isinstance(entries, dict):
            raise LandingFileError(source_file, f"{at}: expected a map of {kind.lower()}s, found {_kind(entries)}")
        for name, entry in entries.items():
            where = f"{at}[{name!r}]"
            if not isinstance(entry, dict):
                raise LandingFileError(source_file, f"{where}: expected an {kind} object, found {_kind(entry)}")
            yield where, name, entry


def _refuse_name_only_aggregates(name: str, properties: dict, source_file: str, where: str) -> None:
    """Refuse a set aggregated by ``pod`` or ``container`` alone: its key names a pod or a container but no namespace.

    Without aggregation the key is ``cluster/node/namespace/pod/container``; ``aggregate=namespace`` keys on the
    namespace. Keyed on a pod or container name alone, OpenCost merges same-named pods of different namespaces (and
    drops ``properties.namespace`` when they differ), so the row cannot be given to one pod.
    """
    if "__" in name:  # __idle__, __unallocated__, __unmounted__: OpenCost's own rows
        return
    parts = name.split("/")
    names_workload = any(properties.get(k) in parts for k in ("pod", "container") if properties.get(k))
    if names_workload and (not properties.get("namespace") or properties["namespace"] not in parts):
        raise LandingFileError(
            source_file,
            f"{where}: this /allocation dump is aggregated by pod or container alone, which merges same-named pods "
            "of different namespaces; query /allocation without `aggregate` (or with "
            "aggregate=cluster,node,namespace,pod)",
        )


def _running(entry: dict, placed: dict, source_file: str, where: str) -> dict[str, Any]:
    """When the allocation ran inside its window: the entry's own ``start``/``end`` (the window when absent)."""
    start = _timestamp(entry.get("start"), source_file, f"{where}.start") or placed["window_start"]
    end = _timestamp(entry.get("end"), source_file, f"{where}.end") or placed["window_end"]
    return {"running_start": start, "running_end": end}


def _placed(entry: dict, cluster: str, usage_date: date, source_file: str, where: str) -> dict[str, Any]:
    """The columns allocations and assets share: which cluster, day and window, and which file."""
    window_start, window_end = _window(entry, source_file, where)
    return {
        "cluster": cluster,
        "usage_date": usage_date,
        "window_start": window_start,
        "window_end": window_end,
        "source_file": source_file,
    }


def _measures(
    entry: dict, source_file: str, where: str, floats: dict[str, str], money: dict[str, str]
) -> dict[str, Any]:
    """The ``floats`` and ``money`` columns (column → JSON field) of an entry."""
    row = {column: _float(entry.get(field), source_file, f"{where}.{field}") for column, field in floats.items()}
    return row | {column: _money(entry.get(field), source_file, f"{where}.{field}") for column, field in money.items()}


def _envelope(data: bytes, source_file: str) -> Any:
    # exact decimals for every number with a fraction; NaN/Infinity (seen in older OpenCost builds) -> None
    document = load_json(data, source_file, decimals=True, nan_as_null=True)
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


def _json_object(value: Any, source_file: str, where: str) -> str:
    obj = _object(value, source_file, where)
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _window(entry: dict, source_file: str, where: str) -> tuple[datetime | None, datetime | None]:
    window = entry.get("window") if isinstance(entry.get("window"), dict) else {}
    start = window.get("start", entry.get("start"))
    end = window.get("end", entry.get("end"))
    return _timestamp(start, source_file, f"{where}.window.start"), _timestamp(end, source_file, f"{where}.window.end")


def _timestamp(value: Any, source_file: str, where: str) -> datetime | None:
    return None if value in (None, "") else rfc3339(value, source_file, where)


def _number(value: Any, source_file: str, where: str) -> int | float | Decimal | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float, Decimal))):
        raise LandingFileError(source_file, f"{where}: expected a number, found {value!r}")
    return value


def _float(value: Any, source_file: str, where: str) -> float | None:
    number = _number(value, source_file, where)
    if number is None:
        return None
    result = float(number)
    return None if math.isnan(result) else result


def _money(value: Any, source_file: str, where: str) -> Decimal | None:
    number = _number(value, source_file, where)
    if number is None:
        return None
    try:
        amount = Decimal(number) if not isinstance(number, float) else Decimal(repr(number))
        if not amount.is_finite():
            return None
        return to_nano(amount)
    except InvalidOperation as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} does not fit DECIMAL(38, 9)") from exc
