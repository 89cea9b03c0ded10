"""Kubernetes object snapshots (``kubectl get … -A -o json``) to ``raw.k8s_objects`` (K8S_OBJECTS).

Files sit at ``<uri>/<cluster>/<YYYY-MM-DDTHH-MM-SSZ>/*.json``: the snapshot time is the folder name (UTC; colons
are not safe in every file system or S3 tool, hence the dashes). A file is a ``List`` (what ``kubectl get`` with
several resources or ``-A`` prints) or a single object (``kubectl get pod x -o json``). Labels are kept with their
raw keys as a JSON object; the owner is the controller ownerReference (``controller: true``), else the first one.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import K8S_OBJECTS
from ingest.values import frame, load_json, rfc3339

_SNAPSHOT_FOLDER = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})Z$")


def parse_snapshot_folder_name(name: str) -> datetime:
    """``2026-10-01T06-00-00Z`` (or a path ending in it) → ``datetime(2026, 10, 1, 6, 0, tzinfo=UTC)``."""
    folder = name.rstrip("/").rsplit("/", 1)[-1]
    match = _SNAPSHOT_FOLDER.match(folder)
    if not match:
        raise LandingFileError(
            name, "a snapshot folder must be named YYYY-MM-DDTHH-MM-SSZ (UTC), e.g. 2026-10-01T06-00-00Z"
        )
    try:
        return datetime(*(int(g) for g in match.groups()), tzinfo=timezone.utc)
    except ValueError as exc:
        raise LandingFileError(name, f"not a real date and time: {exc}") from exc


def parse_kubectl_list(data: bytes, cluster: str, snapshot_at: datetime, source_file: str) -> pl.DataFrame:
    """A kubectl JSON snapshot (a ``List`` or one object) → one K8S_OBJECTS row per object."""
    if snapshot_at.tzinfo is None:
        raise ValueError(f"{source_file}: snapshot_at must carry a time zone (snapshots are UTC)")
    snapshot_at = snapshot_at.astimezone(timezone.utc)
    document = load_json(data, source_file)
    if not isinstance(document, dict):
        raise LandingFileError(source_file, "expected a Kubernetes object or List (a JSON object)")
    kind = document.get("kind")
    if isinstance(document.get("items"), list) and (kind is None or str(kind).endswith("List")):
        items = document["items"]
        item_where = "items[{}]"
    elif isinstance(kind, str) and isinstance(document.get("metadata"), dict):
        items = [document]
        item_where = "the object"
    else:
        raise LandingFileError(source_file, "expected a kubectl List (kind: List, items: [...]) or a single object")

    rows = []
    for index, item in enumerate(items):
        where = item_where.format(index)
        if not isinstance(item, dict):
            raise LandingFileError(source_file, f"{where}: expected an object")
        item_kind = item.get("kind")
        metadata = item.get("metadata")
        if not isinstance(item_kind, str) or not isinstance(metadata, dict) or not metadata.get("name"):
            raise LandingFileError(source_file, f"{where}: expected 'kind' and 'metadata.name'")
        spec = item.get("spec") if isinstance(item.get("spec"), dict) else {}
        status = item.get("status") if isinstance(item.get("status"), dict) else {}
        labels = metadata.get("labels") or {}
        if not isinstance(labels, dict):
            raise LandingFileError(source_file, f"{where} ({metadata['name']}): metadata.labels is not an object")
        owner = _controller_owner(metadata.get("ownerReferences"))
        rows.append(
            {
                "cluster": cluster,
                "snapshot_at": snapshot_at,
                "usage_date": snapshot_at.date(),
                "kind": item_kind,
                "namespace": metadata.get("namespace") or None,
                "name": metadata["name"],
                "uid": metadata.get("uid"),
                "labels": json.dumps(labels, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
                "owner_kind": owner.get("kind"),
                "owner_name": owner.get("name"),
                "owner_uid": owner.get("uid"),
                "node_name": spec.get("nodeName") if item_kind == "Pod" else None,
                "provider_id": spec.get("providerID") if item_kind == "Node" else None,
                "created_at": _created_at(metadata.get("creationTimestamp"), source_file, where),
                "phase": status.get("phase") if item_kind == "Pod" else None,
                "source_file": source_file,
            }
        )
    return frame(rows, K8S_OBJECTS)


def _controller_owner(references: Any) -> dict:
    if not isinstance(references, list):
        return {}
    references = [r for r in references if isinstance(r, dict)]
    for reference in references:
        if reference.get("controller") is True:
            return reference
    return references[0] if references else {}


def _created_at(value: Any, source_file: str, where: str) -> datetime | None:
    # the API server always writes UTC with a Z; a hand-made manifest without an offset is read as UTC too
    return rfc3339(value, source_file, f"{where}, metadata.creationTimestamp", naive_is_utc=True) if value else None
