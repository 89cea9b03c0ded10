"""Which files make a CUR delivery: AWS's manifests → Delivery, one per billing period (CUR 2.0 and CUR 1).

A CUR delivery is a full snapshot of one billing period, re-delivered several times a day and restated after
month end, so the unit of work is a *delivery*: the files one manifest names. Files the manifest does not name
(older executions, stale assemblies) are never read.

- CUR 2.0: ``<uri>/metadata/BILLING_PERIOD=YYYY-MM/[...]/<export>-Manifest.json`` lists its ``dataFiles`` as
  ``s3://bucket/<prefix>/<export>/data/...``; each is resolved by its suffix from ``data/`` onward under the
  configured URI (the prefix the export was written to need not match where the files were copied). A
  create-new export keeps one manifest per execution: the newest wins.
- CUR 1: only ``<uri>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json`` counts (AWS overwrites it at each delivery; the
  copies in ``<assemblyId>/`` folders are stale); ``reportKeys`` resolve by suffix from the date-range folder.

``delivery_fingerprint`` combines the fingerprints of a delivery's files (files.file_fingerprints), so a restatement
that rewrites a file in place is noticed even when the manifest's ids did not change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from ingest.cloud_bill.files import content_id
from ingest.errors import LandingFileError
from ingest.landing import Landing
from ingest.values import load_json

_PERIOD_DIR = re.compile(r"^BILLING_PERIOD=(\d{4}-\d{2})$")
_RANGE_DIR = re.compile(r"^(\d{4})(\d{2})\d{2}-\d{8}$")
# "<timestamp>-<executionId>" folders of create-new exports: 20261015T031522Z-… or 2024-05-18T20:16:37.306Z-…
_EXECUTION_DIR = re.compile(r"^(\d{8}T\d{6}(?:\.\d+)?Z|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)-")


@dataclass(frozen=True)
class Delivery:
    """One billing period's current snapshot: the files its manifest names.

    ``delivery_id`` is the manifest's ``executionId`` (CUR 2.0) or ``assemblyId`` (CUR 1), or a content hash
    for a bare file; ``data_keys`` are landing keys, already resolved and checked to exist.
    """

    bill_format: str  # cur2 | cur1
    billing_period: str  # YYYY-MM
    delivery_id: str
    manifest_key: str | None
    data_keys: tuple[str, ...]
    name: str | None = None  # exportName / reportName


# ------------------------------------------------------------------------------------------------------------
# Finding deliveries
# ------------------------------------------------------------------------------------------------------------
def find_cur2_deliveries(landing: Landing, errors: list[LandingFileError] | None = None) -> list[Delivery]:
    """One Delivery per billing period (per export root, if the URI holds several) from CUR 2.0 manifests.

    When a period has several manifests (create-new exports keep one per execution), the newest wins: the one
    whose own folder or whose data files' folder carries the latest ``<timestamp>-<executionId>`` timestamp;
    without timestamps, the manifest directly in ``metadata/BILLING_PERIOD=…/`` (the one AWS overwrites), then
    the last key. Each listed data file must exist under the URI, else LandingFileError naming the manifest.
    With ``errors`` given, a period whose manifest is broken is left out and its error appended instead, so one
    bad period does not stop the others from loading.
    """
    keys = landing.list()
    present = set(keys)
    groups: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for key in keys:
        if not key.endswith("Manifest.json"):
            continue
        parts = key.split("/")
        for i in range(len(parts) - 2, 0, -1):
            match = _PERIOD_DIR.match(parts[i])
            if match and parts[i - 1] == "metadata":
                base = "/".join(parts[: i - 1])
                groups[(base + "/" if base else "", match.group(1))].append((key, len(parts) - 1 - i))
                break

    deliveries: list[Delivery] = []
    for (base, period), manifests in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        _collect(lambda: _cur2_delivery(landing, present, base, period, manifests), deliveries, errors)
    return deliveries


def _cur2_delivery(
    landing: Landing, present: set[str], base: str, period: str, manifests: list[tuple[str, int]]
) -> Delivery:
    parsed = []
    for key, depth in manifests:
        manifest = _read_manifest(landing, key)
        entries = _string_list(landing, key, manifest, "dataFiles")
        data_keys = [_resolve_cur2_entry(landing, key, base, entry) for entry in entries]
        stamp = _execution_timestamp(key.split("/"))
        if stamp is None:
            data_stamps = [ts for k in data_keys if (ts := _execution_timestamp(k.split("/"))) is not None]
            stamp = max(data_stamps, default=None)
        rank = (stamp or datetime.min.replace(tzinfo=timezone.utc), depth == 1, key)
        parsed.append((rank, key, manifest, data_keys))
    _, key, manifest, data_keys = max(parsed, key=lambda p: p[0])
    _check_period(landing, key, manifest, period)
    for data_key in data_keys:
        _check_present(landing, key, data_key, present)
    return _delivery(landing, "cur2", period, key, manifest, data_keys)


def find_cur1_deliveries(landing: Landing, errors: list[LandingFileError] | None = None) -> list[Delivery]:
    """One Delivery per ``yyyymmdd-yyyymmdd/`` folder from its top-level manifest (assembly copies are stale).

    ``errors``: as for find_cur2_deliveries.
    """
    keys = landing.list()
    present = set(keys)
    deliveries: list[Delivery] = []
    for key in keys:
        parts = key.split("/")
        if len(parts) < 2 or not parts[-1].endswith("Manifest.json"):
            continue
        folder = _RANGE_DIR.match(parts[-2])
        if not folder:
            continue  # a copy inside <assemblyId>/, or not a CUR manifest
        period = f"{folder.group(1)}-{folder.group(2)}"
        _collect(lambda: _cur1_delivery(landing, present, key, period), deliveries, errors)
    return sorted(deliveries, key=lambda d: (d.billing_period, d.manifest_key or ""))


def _cur1_delivery(landing: Landing, present: set[str], key: str, period: str) -> Delivery:
    parts = key.split("/")
    base = "/".join(parts[:-2])
    base = base + "/" if base else ""
    manifest = _read_manifest(landing, key)
    _check_period(landing, key, manifest, period)
    data_keys = []
    for entry in _string_list(landing, key, manifest, "reportKeys"):
        resolved = _resolve_by_anchor(entry, base, lambda ps, i: bool(_RANGE_DIR.match(ps[i])))
        if resolved is None:
            raise LandingFileError(
                landing.describe(key), f"reportKeys entry {entry!r} has no yyyymmdd-yyyymmdd/ folder to resolve by"
            )
        _check_present(landing, key, resolved, present)
        data_keys.append(resolved)
    return _delivery(landing, "cur1", period, key, manifest, data_keys)


def delivery_fingerprint(parts: list[tuple[str, str]]) -> str:
    """A short stable hash of (key, file fingerprint) pairs (and ids) that together identify one delivery."""
    text = json.dumps(sorted(parts), separators=(",", ":"))
    return "fp:" + hashlib.sha256(text.encode()).hexdigest()[:24]


def current_fingerprint(delivery: Delivery, fingerprints: dict[str, str]) -> str:
    """The fingerprint of one delivery as it stands: its id, its manifest's and its data files' fingerprints
    (``fingerprints`` from files.file_fingerprints). It changes with a new execution or a file rewritten in place."""
    keys = [delivery.manifest_key, *delivery.data_keys]
    parts = [("delivery_id", delivery.delivery_id), *((key, fingerprints.get(key, "")) for key in keys)]
    return delivery_fingerprint(parts)


# ------------------------------------------------------------------------------------------------------------
# internals
# ------------------------------------------------------------------------------------------------------------
def _collect(build: Callable[[], Delivery], deliveries: list[Delivery], errors: list[LandingFileError] | None) -> None:
    """Append the delivery ``build`` makes; with ``errors`` given, a broken manifest's error goes there instead."""
    try:
        deliveries.append(build())
    except LandingFileError as exc:
        if errors is None:
            raise
        errors.append(exc)


# The manifest fields that identify a delivery and name its export, by format.
_MANIFEST_ID = {"cur2": ("executionId", "exportName"), "cur1": ("assemblyId", "reportName")}


def _delivery(
    landing: Landing, bill_format: str, period: str, key: str, manifest: dict, data_keys: list[str]
) -> Delivery:
    id_field, name_field = _MANIFEST_ID[bill_format]
    return Delivery(
        bill_format=bill_format,
        billing_period=period,
        delivery_id=str(manifest.get(id_field) or content_id(landing.read_bytes(key))),
        manifest_key=key,
        data_keys=tuple(data_keys),
        name=manifest.get(name_field),
    )


def _check_present(landing: Landing, manifest_key: str, data_key: str, present: set[str]) -> None:
    if data_key not in present:
        raise LandingFileError(
            landing.describe(manifest_key),
            f"the manifest lists {data_key!r}, which is not under {landing.describe()} (an incomplete copy?)",
        )


def _read_manifest(landing: Landing, key: str) -> dict:
    manifest = load_json(landing.read_bytes(key), landing.describe(key))
    if not isinstance(manifest, dict):
        raise LandingFileError(landing.describe(key), "expected a JSON object (a CUR manifest)")
    return manifest


def _string_list(landing: Landing, key: str, manifest: dict, field: str) -> list[str]:
    value = manifest.get(field)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LandingFileError(landing.describe(key), f"expected {field!r} to be a list of object keys")
    return value


def _check_period(landing: Landing, key: str, manifest: dict, period: str) -> None:
    billing_period = manifest.get("billingPeriod")
    start = billing_period.get("start") if isinstance(billing_period, dict) else None
    match = re.match(r"^(\d{4})-?(\d{2})", str(start)) if start else None
    if match and f"{match.group(1)}-{match.group(2)}" != period:
        raise LandingFileError(
            landing.describe(key), f"billingPeriod.start {start!r} does not match its folder's period {period}"
        )


def _resolve_by_anchor(entry: str, base: str, is_anchor: Callable[[list[str], int], bool]) -> str | None:
    path = entry.split("/", 3)[3] if entry.startswith("s3://") and entry.count("/") >= 3 else entry
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):  # the last anchor: a prefix may itself contain the anchor's name
        if is_anchor(parts, i):
            return base + "/".join(parts[i:])
    return None


def _resolve_cur2_entry(landing: Landing, manifest_key: str, base: str, entry: str) -> str:
    resolved = _resolve_by_anchor(
        entry, base, lambda ps, i: ps[i] == "data" and bool(_PERIOD_DIR.match(ps[i + 1]))
    ) or _resolve_by_anchor(entry, base, lambda ps, i: ps[i] == "data")
    if resolved is None:
        raise LandingFileError(
            landing.describe(manifest_key), f"dataFiles entry {entry!r} has no data/ folder to resolve by"
        )
    return resolved


def _execution_timestamp(parts: list[str]) -> datetime | None:
    for part in reversed(parts):
        match = _EXECUTION_DIR.match(part)
        if match:
            text = match.group(1)
            for fmt in ("%Y%m%dT%H%M%S.%fZ", "%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
                try:
                    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
                except ValueError:
                    continue
    return None
