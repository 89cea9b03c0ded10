"""kubectl JSON snapshots."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import polars as pl
import pytest

from ingest.errors import LandingFileError
from ingest.kubernetes.kubectl import parse_kubectl_list, parse_kubectl_snapshot, parse_snapshot_folder_name
from ingest.schemas import K8S_OBJECT_REFS, K8S_OBJECTS

UTC = timezone.utc
SNAPSHOT = datetime(2026, 10, 1, 6, tzinfo=UTC)


def _parse(reference_data, name: str) -> pl.DataFrame:
    path = reference_data / "k8s" / name
    return parse_kubectl_list(path.read_bytes(), "minikube", SNAPSHOT, f"minikube/2026-10-01T06-00-00Z/{name}")


def test_all_reference_snapshots_parse(reference_data):
    counts = {}
    for path in sorted((reference_data / "k8s").glob("*.json")):
        frame = _parse(reference_data, path.name)
        assert frame.schema == pl.Schema(K8S_OBJECTS)
        counts[path.name] = dict(frame.group_by("kind").len().iter_rows())
    assert counts == {
        "namespace_kube-system_k9s.json": {"Namespace": 1},
        "pod_with_requests_k9s.json": {"Pod": 1},
        "pods_list_kubectl_get_pods_minikube.json": {"Pod": 1},
        "pods_list_minikube_kube-system.json": {"Pod": 9},
    }


def test_kube_system_pods_owners_labels_and_nodes(reference_data):
    frame = _parse(reference_data, "pods_list_minikube_kube-system.json")
    by_name = {row["name"]: row for row in frame.iter_rows(named=True)}
    coredns = by_name["coredns-fb8b8dccf-5cdzc"]
    assert (coredns["owner_kind"], coredns["owner_name"]) == ("ReplicaSet", "coredns-fb8b8dccf")
    assert coredns["uid"] == "481bd73f-54af-11e9-bf69-08002717ab34"
    assert json.loads(coredns["labels"]) == {"k8s-app": "kube-dns", "pod-template-hash": "fb8b8dccf"}
    assert coredns["namespace"] == "kube-system"
    assert coredns["node_name"] == "minikube"
    assert coredns["created_at"] == datetime(2019, 4, 1, 18, 52, 21, tzinfo=UTC)
    assert (by_name["kube-proxy-dt5lc"]["owner_kind"], by_name["kube-proxy-dt5lc"]["owner_name"]) == (
        "DaemonSet",
        "kube-proxy",
    )
    # static (mirror) pods have no owner
    assert by_name["etcd-minikube"]["owner_kind"] is None
    # raw label keys, never sanitized
    assert json.loads(by_name["storage-provisioner"]["labels"])["addonmanager.kubernetes.io/mode"] == "Reconcile"
    assert set(frame["snapshot_at"]) == {SNAPSHOT}
    assert set(frame["usage_date"]) == {date(2026, 10, 1)}
    assert set(frame["cluster"]) == {"minikube"}


def test_single_objects_parse(reference_data):
    namespace = _parse(reference_data, "namespace_kube-system_k9s.json").row(0, named=True)
    assert namespace["kind"] == "Namespace"
    assert namespace["name"] == "kube-system"
    assert namespace["namespace"] is None  # cluster-scoped
    assert namespace["uid"] == "ed757b6f-2991-11e9-81cd-42010a80005b"
    assert namespace["labels"] == "{}"
    pod = _parse(reference_data, "pod_with_requests_k9s.json").row(0, named=True)
    assert (pod["kind"], pod["namespace"], pod["name"], pod["phase"]) == ("Pod", "default", "nginx", "Running")
    queue = _parse(reference_data, "pods_list_kubectl_get_pods_minikube.json").row(0, named=True)
    assert (queue["owner_kind"], queue["owner_name"]) == ("ReplicaSet", "queue")
    assert json.loads(queue["labels"]) == {"app": "work-queue", "chapter": "jobs", "component": "queue"}


def test_controller_owner_reference_wins_and_nodes_keep_provider_id():
    document = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "kind": "Pod",
                "metadata": {
                    "name": "job-x-abc",
                    "namespace": "batch",
                    "uid": "u1",
                    "labels": {"tenant": "acme"},
                    "ownerReferences": [
                        {"kind": "ConfigMap", "name": "not-the-controller", "uid": "u9"},
                        {"kind": "Job", "name": "job-x", "uid": "u2", "controller": True},
                    ],
                },
                "spec": {"nodeName": "ip-10-0-0-1"},
                "status": {"phase": "Succeeded"},
            },
            {
                "kind": "Node",
                "metadata": {"name": "ip-10-0-0-1", "uid": "u3"},
                "spec": {"providerID": "aws:///us-east-1a/i-0abc123"},
            },
            {"kind": "CronJob", "metadata": {"name": "nightly", "namespace": "batch", "uid": "u4"}},
        ],
    }
    frame = parse_kubectl_list(json.dumps(document).encode(), "prod", SNAPSHOT, "objects.json")
    pod, node, cronjob = frame.iter_rows(named=True)
    assert (pod["owner_kind"], pod["owner_name"], pod["owner_uid"]) == ("Job", "job-x", "u2")
    assert pod["phase"] == "Succeeded" and pod["provider_id"] is None
    assert node["provider_id"] == "aws:///us-east-1a/i-0abc123" and node["node_name"] is None
    assert cronjob["kind"] == "CronJob" and cronjob["owner_kind"] is None


def test_snapshot_folder_name_is_utc():
    assert parse_snapshot_folder_name("2026-10-01T06-00-00Z") == datetime(2026, 10, 1, 6, tzinfo=UTC)
    assert parse_snapshot_folder_name("prod/2026-10-31T23-59-59Z/") == datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC)
    for bad in ("2026-10-01T06:00:00Z", "2026-10-01", "2026-02-30T00-00-00Z"):
        with pytest.raises(LandingFileError) as excinfo:
            parse_snapshot_folder_name(bad)
        assert excinfo.value.path == bad


def test_bad_snapshots_name_the_file():
    with pytest.raises(LandingFileError, match="not valid JSON") as excinfo:
        parse_kubectl_list(b'{"kind": "List", "items": [', "prod", SNAPSHOT, "prod/x/objects.json")
    assert excinfo.value.path == "prod/x/objects.json"
    with pytest.raises(LandingFileError, match=r"items\[1\]"):
        parse_kubectl_list(b'{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "a"}}, {"kind": "Pod"}]}',
                           "prod", SNAPSHOT, "objects.json")
    with pytest.raises(ValueError, match="time zone"):
        parse_kubectl_list(b'{"kind": "List", "items": []}', "prod", datetime(2026, 10, 1), "objects.json")


def test_volume_and_load_balancer_refs_keep_what_matching_needs():
    document = {"kind": "List", "items": [
        {"kind": "Pod", "metadata": {"name": "db-0", "namespace": "shop", "uid": "p1"},
         "spec": {"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}},
                              {"name": "tmp", "emptyDir": {}}]}},
        {"kind": "PersistentVolumeClaim", "metadata": {"name": "data-db-0", "namespace": "shop", "uid": "c1"},
         "spec": {"volumeName": "pvc-1"}},
        {"kind": "PersistentVolume", "metadata": {"name": "pvc-1", "uid": "v1"},
         "spec": {"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0aaa"},
                  "claimRef": {"namespace": "shop", "name": "data-db-0"}}},
        {"kind": "PersistentVolume", "metadata": {"name": "legacy", "uid": "v2"},
         "spec": {"awsElasticBlockStore": {"volumeID": "aws://us-east-1a/vol-0bbb"}}},
        {"kind": "Service", "metadata": {"name": "web", "namespace": "shop", "uid": "s1"},
         "spec": {"type": "LoadBalancer", "selector": {"app": "web", "tier": "front"}},
         "status": {"loadBalancer": {"ingress": [
             {"hostname": "internal-web-shop-1234567890.us-east-1.elb.amazonaws.com"}]}}},
        {"kind": "Service", "metadata": {"name": "api", "namespace": "shop", "uid": "s2", "annotations": {
            "service.beta.kubernetes.io/aws-load-balancer-name": "api-nlb"}},
         "spec": {"type": "LoadBalancer", "selector": {"app": "api"}},
         "status": {"loadBalancer": {"ingress": [{"hostname": "k8s-shop-api-0f1e2d.elb.us-east-1.amazonaws.com"}]}}},
        {"kind": "Service", "metadata": {"name": "internal", "namespace": "shop", "uid": "s3"},
         "spec": {"type": "ClusterIP"}},
    ]}
    objects, refs = parse_kubectl_snapshot(json.dumps(document).encode(), "prod", SNAPSHOT, "objects.json")
    assert objects.height == 7 and refs.schema == pl.Schema(K8S_OBJECT_REFS)
    assert sorted((r["kind"], r["name"], r["ref"], r["value"]) for r in refs.iter_rows(named=True)) == [
        ("PersistentVolume", "legacy", "volume_id", "vol-0bbb"),
        ("PersistentVolume", "pvc-1", "claim", "shop/data-db-0"),
        ("PersistentVolume", "pvc-1", "volume_id", "vol-0aaa"),
        ("PersistentVolumeClaim", "data-db-0", "volume_name", "pvc-1"),
        ("Pod", "db-0", "claim", "data-db-0"),
        ("Service", "api", "load_balancer", "api-nlb"),  # the annotation wins over the hostname
        ("Service", "api", "selector", '"app":"api"'),
        ("Service", "api", "service_type", "LoadBalancer"),
        ("Service", "internal", "service_type", "ClusterIP"),
        ("Service", "web", "load_balancer", "web-shop"),
        ("Service", "web", "selector", '"app":"web"'),
        ("Service", "web", "selector", '"tier":"front"'),
        ("Service", "web", "service_type", "LoadBalancer"),
    ]
    # a selector pair is the very text the pod's labels JSON holds it as
    pod_labels = parse_kubectl_list(json.dumps({"kind": "Pod", "metadata": {
        "name": "w", "labels": {"tier": "front", "app": "web"}}}).encode(), "prod", SNAPSHOT, "pod.json")["labels"][0]
    assert '"app":"web"' in pod_labels and '"tier":"front"' in pod_labels
