"""Kubernetes object snapshots (``kubectl get … -A -o json``) to ``raw.k8s_objects`` (K8S_OBJECTS).

Files sit at ``<uri>/<cluster>/<YYYY-MM-DDTHH-MM-SSZ>/*.json``: the snapshot time is the folder name (UTC; colons
are not safe in every file system or S3 tool, hence the dashes). A file is a ``List`` (what ``kubectl get`` with
several resources or ``-A`` prints) or a single object (``kubectl get pod x -o json``). Labels are kept with their
raw keys as a JSON object; the owner is the controller ownerReference (``controller: true``), else the first one.
What matching volume and load balancer bill rows needs (a pod's claims, a PVC's volume, a PV's EBS volume id, a
Service's type, selector and load balancer name) goes to ``raw.k8s_object_refs`` (K8S_OBJECT_REFS), one row per value.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import K8S_OBJECT_REFS, K8S_OBJECTS
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
    return parse_kubectl_snapshot(data, cluster, snapshot_at, source_file)[0]


def parse_kubectl_snapshot(
    data: bytes, cluster: str, snapshot_at: datetime, source_file: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A kubectl JSON snapshot → (K8S_OBJECTS rows, one per object; K8S_OBJECT_REFS rows, one per ref value)."""
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

    rows, refs = [], []
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
        object_key = {key: rows[-1][key] for key in ("cluster", "snapshot_at", "usage_date", "kind", "namespace",
                                                      "name", "uid", "source_file")}
        refs.extend({**object_key, "ref": ref, "value": value}
                    for ref, value in _refs(item_kind, metadata, spec, status))
    return frame(rows, K8S_OBJECTS), frame(refs, K8S_OBJECT_REFS)


_LB_NAME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-name"


def _refs(kind: str, metadata: dict, spec: dict, status: dict) -> list[tuple[str, str]]:
    """(ref, value) pairs of one object that volume and load balancer matching needs (K8S_OBJECT_REFS)."""
    if kind == "Pod":
        return [("claim", claim) for volume in _dicts(spec.get("volumes"))
                if (claim := _dict(volume.get("persistentVolumeClaim")).get("claimName"))]
    if kind == "PersistentVolumeClaim":
        return [("volume_name", spec["volumeName"])] if spec.get("volumeName") else []
    if kind == "PersistentVolume":
        out = []
        handle = _dict(spec.get("csi")).get("volumeHandle") or _dict(spec.get("awsElasticBlockStore")).get("volumeID")
        if handle:
            # the in-tree form is aws://<zone>/vol-…; the bill's resource id is the bare vol-…
            out.append(("volume_id", str(handle).rsplit("/", 1)[-1]))
        claim_ref = _dict(spec.get("claimRef"))
        if claim_ref.get("name"):
            out.append(("claim", f"{claim_ref.get('namespace') or ''}/{claim_ref['name']}"))
        return out
    if kind == "Service":
        out = [("service_type", spec["type"])] if spec.get("type") else []
        out += [("selector", selector_pair(key, value)) for key, value in sorted(_dict(spec.get("selector")).items())]
        names = {_dict(metadata.get("annotations")).get(_LB_NAME_ANNOTATION)} - {None, ""}
        if not names:
            names = {load_balancer_name_from_hostname(i["hostname"])
                     for i in _dicts(_dict(status.get("loadBalancer")).get("ingress")) if i.get("hostname")}
        return out + [("load_balancer", name) for name in sorted(names - {""})]
    return []


def selector_pair(key: str, value) -> str:
    """One label pair as it appears in the labels JSON of K8S_OBJECTS (sorted keys, compact), so a selector pair is
    matched against a pod's labels by looking for this text in them."""
    return json.dumps({key: str(value)}, ensure_ascii=False, separators=(",", ":"))[1:-1]


def load_balancer_name_from_hostname(hostname: str) -> str:
    """``internal-my-lb-1234567890.us-east-1.elb.amazonaws.com`` → ``my-lb``: AWS names an ELB/ALB/NLB's DNS
    ``[internal-]<name>-<id>.…``; the name is what its ARN carries (``…:loadbalancer/net/my-lb/<id>``)."""
    label = hostname.split(".", 1)[0]
    label = label.removeprefix("internal-")
    return label.rsplit("-", 1)[0] if "-" in label else label


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


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
