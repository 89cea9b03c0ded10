"""OpenCost /allocation and /assets responses."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import polars as pl
import pytest

from ingest.errors import LandingFileError
from ingest.kubernetes.opencost import parse_allocation, parse_assets
from ingest.schemas import OPENCOST_ALLOCATIONS, OPENCOST_ASSETS

UTC = timezone.utc
DAY = date(2026, 10, 1)


def test_reference_allocation_by_namespace_parses(reference_data):
    path = reference_data / "opencost" / "allocation_7d_namespace.json"
    data = path.read_bytes()

    frame = parse_allocation(data, "eks-prod", date(2023, 7, 12), "eks-prod/2023-07-12/allocation.json")

    assert frame.schema == pl.Schema(OPENCOST_ALLOCATIONS)
    assert frame["allocation_name"].to_list() == ["kube-system", "opencost", "prometheus"]
    # the cluster comes from the folder, not from properties.cluster ("default-cluster" here)
    assert set(frame["cluster"]) == {"eks-prod"}
    assert set(frame["usage_date"]) == {date(2023, 7, 12)}
    # aggregated by namespace: no pod, no container
    assert frame["pod"].null_count() == 3 and frame["container"].null_count() == 3
    kube_system = frame.row(0, named=True)
    assert kube_system["namespace"] == "kube-system"
    assert kube_system["node"] is None
    assert kube_system["cpu_cost"] == Decimal("1.430860000")
    assert kube_system["ram_cost"] == Decimal("0.096570000")
    assert kube_system["total_cost"] == Decimal("1.527430000")
    assert kube_system["cpu_core_hours"] == pytest.approx(75.55915)
    assert kube_system["window_start"] == datetime(2023, 7, 12, 11, 2, 46, tzinfo=UTC)
    assert kube_system["window_end"] == datetime(2023, 7, 19, 11, 2, 46, tzinfo=UTC)
    assert json.loads(kube_system["namespace_labels"]) == {"kubernetes_io_metadata_name": "kube-system"}
    assert json.loads(kube_system["labels"]) == {}
    # Σ totalCost from the file text, as exact decimals
    document = json.loads(data, parse_float=Decimal)
    expected = sum(Decimal(a["totalCost"]) for s in document["data"] for a in s.values())
    assert frame["total_cost"].sum() == expected


def test_reference_allocation_compute_parses(reference_data):
    data = (reference_data / "opencost" / "allocation_compute_2d_namespace.json").read_bytes()
    frame = parse_allocation(data, "cluster-one", date(2023, 1, 18), "allocation.json")
    assert frame.height == 3
    opencost = frame.filter(pl.col("allocation_name") == "opencost").row(0, named=True)
    assert opencost["node"] == "ip-192-168-20-42.ap-southeast-2.compute.internal"
    assert opencost["pod"] == "opencost-75dc7dcc49-xdx5t"
    assert opencost["provider_id"] == "i-064548f89b9d35c11"
    assert opencost["controller_kind"] == "deployment"
    assert opencost["controller"] == "opencost"
    assert opencost["cpu_cost"] == Decimal("0.018170000")
    assert opencost["total_cost"] == Decimal("0.030644000")
    assert opencost["ram_byte_request_average"] == pytest.approx(109970800.411162)
    assert opencost["window_start"] == datetime(2023, 1, 18, 11, 38, 45, tzinfo=UTC)
    assert frame["total_cost"].sum() == Decimal("0.425469") + Decimal("0.030644") + Decimal("0")


def test_reference_assets_parse(reference_data):
    data = (reference_data / "opencost" / "assets_7d_gke.json").read_bytes()
    frame = parse_assets(data, "gke-opencost", date(2024, 6, 22), "assets.json")
    assert frame.schema == pl.Schema(OPENCOST_ASSETS)
    assert frame["asset_type"].to_list() == ["Node", "Disk"]
    node = frame.row(0, named=True)
    assert node["name"] == "gke-opencost-1-default-pool-a30d4801-81dm"
    assert node["provider_id"] == "gke-opencost-1-default-pool-a30d4801-81dm"
    assert node["node_type"] == "e2-small"
    assert node["cpu_cores"] == 0.5
    assert node["ram_bytes"] == 2072743936.0
    assert node["gpu_hours"] == 0.0  # spelled GPUHours on Node assets
    assert node["cpu_cost"] == Decimal("0.307185000")
    assert node["ram_cost"] == Decimal("0.158929000")
    assert node["total_cost"] == Decimal("0.466114000")
    assert json.loads(node["labels"])["node_kubernetes_io_instance_type"] == "e2-small"
    disk = frame.row(1, named=True)
    assert disk["total_cost"] == Decimal("0.065973000")
    assert disk["node_type"] is None and disk["cpu_cost"] is None
    assert frame["total_cost"].sum() == Decimal("0.532087000")


def _allocation(**overrides):
    allocation = {
        "name": "c/n1/ns/pod-a/app",
        "properties": {
            "cluster": "c",
            "node": "n1",
            "namespace": "ns",
            "pod": "pod-a",
            "container": "app",
            "providerID": "i-0abc",
            "labels": {"tenant": "acme", "app_kubernetes_io_name": "api"},
        },
        "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00Z"},
        "minutes": 1440,
        "cpuCoreHours": 24,
        "cpuCost": 0.12345678951,
        "cpuCostAdjustment": -0.01,
        "ramCost": 1,
        "gpuCost": 0,
        "totalCost": 1.11345678951,
    }
    allocation.update(overrides)
    return allocation


def test_allocation_without_aggregate_keeps_every_container_and_idle():
    body = {
        "code": 200,
        "status": "success",
        "data": [
            {
                "c/n1/ns/pod-a/app": _allocation(),
                "__idle__": {
                    "name": "__idle__",
                    "properties": {"cluster": "c"},
                    "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00Z"},
                    "cpuCost": 2.5,
                    "totalCost": 2.5,
                },
            }
        ],
    }
    frame = parse_allocation(json.dumps(body).encode(), "prod", DAY, "prod/2026-10-01/allocation.json")
    assert frame["allocation_name"].to_list() == ["c/n1/ns/pod-a/app", "__idle__"]
    pod = frame.row(0, named=True)
    assert (pod["node"], pod["namespace"], pod["pod"], pod["container"]) == ("n1", "ns", "pod-a", "app")
    # exact from the JSON text, half away from zero at 9 decimals
    assert pod["cpu_cost"] == Decimal("0.123456790")
    assert pod["cpu_cost_adjustment"] == Decimal("-0.010000000")
    assert pod["gpu_cost"] == Decimal("0E-9")
    assert pod["pv_cost"] is None  # absent field -> null
    assert pod["minutes"] == 1440.0
    assert json.loads(pod["labels"]) == {"tenant": "acme", "app_kubernetes_io_name": "api"}
    idle = frame.row(1, named=True)
    assert idle["node"] is None and idle["total_cost"] == Decimal("2.500000000")
    assert set(frame["source_file"]) == {"prod/2026-10-01/allocation.json"}


def test_allocation_error_envelope_is_refused_with_its_message():
    body = {"code": 400, "status": "", "data": None, "message": "Error parsing window (yesterday)"}
    with pytest.raises(LandingFileError) as excinfo:
        parse_allocation(json.dumps(body).encode(), "prod", DAY, "prod/2026-10-01/allocation.json")
    assert excinfo.value.path == "prod/2026-10-01/allocation.json"
    assert "code 400" in str(excinfo.value)
    assert "Error parsing window (yesterday)" in str(excinfo.value)


def test_assets_error_envelope_and_invalid_json_are_refused():
    with pytest.raises(LandingFileError, match="code 500.*boom"):
        parse_assets(b'{"code": 500, "message": "boom"}', "prod", DAY, "assets.json")
    with pytest.raises(LandingFileError, match="not valid JSON") as excinfo:
        parse_assets(b'{"code": 200, "data": {', "prod", DAY, "prod/2026-10-01/assets.json")
    assert excinfo.value.path == "prod/2026-10-01/assets.json"


def test_allocation_with_a_non_numeric_cost_names_the_entry():
    body = {"code": 200, "data": [{"c/n1/ns/pod-a/app": _allocation(cpuCost="cheap")}]}
    with pytest.raises(LandingFileError, match=r"data\[0\]\['c/n1/ns/pod-a/app'\]\.cpuCost") as excinfo:
        parse_allocation(json.dumps(body).encode(), "prod", DAY, "allocation.json")
    assert excinfo.value.path == "allocation.json"


def test_empty_allocation_sets_give_an_empty_frame():
    frame = parse_allocation(b'{"code": 200, "status": "success", "data": [null, {}]}', "prod", DAY, "a.json")
    assert frame.height == 0
    assert frame.schema == pl.Schema(OPENCOST_ALLOCATIONS)


def _body(*sets) -> bytes:
    return json.dumps({"code": 200, "status": "success", "data": list(sets)}).encode()


@pytest.mark.parametrize(
    ("name", "properties"),
    [
        # aggregate=pod: keyed on the pod name; a pod name two namespaces share loses properties.namespace
        ("api-0", {"cluster": "c", "pod": "api-0"}),
        ("api-0", {"cluster": "c", "namespace": "tenant-a", "pod": "api-0"}),
        # aggregate=container
        ("app", {"cluster": "c", "namespace": "tenant-a", "pod": "api-0", "container": "app"}),
    ],
)
def test_allocation_aggregated_by_pod_or_container_alone_is_refused(name, properties):
    entry = _allocation(name=name, properties=properties)
    with pytest.raises(LandingFileError) as excinfo:
        parse_allocation(_body({name: entry}), "prod", DAY, "prod/2026-10-01/allocation.json")
    assert excinfo.value.path == "prod/2026-10-01/allocation.json"
    message = str(excinfo.value)
    assert "aggregated by pod or container alone" in message
    assert "without `aggregate`" in message and "aggregate=cluster,node,namespace,pod" in message


def test_allocation_aggregated_by_cluster_node_namespace_pod_is_accepted():
    entry = _allocation(name="c/n1/ns/pod-a", properties={"cluster": "c", "node": "n1", "namespace": "ns",
                                                          "pod": "pod-a"})
    frame = parse_allocation(_body({"c/n1/ns/pod-a": entry}), "prod", DAY, "allocation.json")
    assert frame.select("namespace", "pod").row(0) == ("ns", "pod-a")


def test_hourly_steps_keep_their_own_windows_and_the_day_of_their_start():
    sets = []
    for hour in range(24):
        start = datetime(2026, 10, 1, hour, tzinfo=UTC)
        window = {"start": f"{start:%Y-%m-%dT%H:%M:%SZ}", "end": f"{start.replace(minute=59):%Y-%m-%dT%H:%M:00Z}"}
        window["end"] = "2026-10-02T00:00:00Z" if hour == 23 else f"2026-10-01T{hour + 1:02d}:00:00Z"
        # the pod started at 05:30: OpenCost's entry start says so, its window does not
        entry = _allocation(window=window, start="2026-10-01T05:30:00Z" if hour == 5 else window["start"],
                            end=window["end"], minutes=30 if hour == 5 else 60, cpuCost=0.5, totalCost=0.5)
        sets.append({"c/n1/ns/pod-a/app": entry} if hour >= 5 else None)
    frame = parse_allocation(_body(*sets), "prod", DAY, "prod/2026-10-01/allocation.json")
    assert frame.height == 19
    assert frame["window_start"].to_list() == [datetime(2026, 10, 1, h, tzinfo=UTC) for h in range(5, 24)]
    assert frame["window_end"][-1] == datetime(2026, 10, 2, tzinfo=UTC)
    assert set(frame["usage_date"]) == {DAY}
    first = frame.row(0, named=True)
    assert first["running_start"] == datetime(2026, 10, 1, 5, 30, tzinfo=UTC)
    assert first["running_end"] == datetime(2026, 10, 1, 6, tzinfo=UTC)
    assert frame["cpu_cost"].sum() == Decimal("9.5")


def test_a_row_belongs_to_the_day_its_window_starts_on():
    entry = _allocation(window={"start": "2026-09-30T12:00:00Z", "end": "2026-10-01T12:00:00Z"})
    frame = parse_allocation(_body({"c/n1/ns/pod-a/app": entry}), "prod", DAY, "allocation.json")
    assert frame["usage_date"].to_list() == [date(2026, 9, 30)]
    # no entry start/end: the allocation ran for its whole window
    assert frame.row(0, named=True)["running_start"] == datetime(2026, 9, 30, 12, tzinfo=UTC)
