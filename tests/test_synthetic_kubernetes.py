"""The generator's Kubernetes paths: a Deployment relabelled at noon of the last day (snapshots show it from the
12:00 one, the truth splits that day by time), and /allocation written as hourly steps with the same numbers."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import polars as pl
import pytest

from ingest.kubernetes.opencost import parse_allocation
from synthetic.ground_truth import pod_owner_seconds
from synthetic.model import build_model
from synthetic.writers.opencost import write_opencost

START = date(2026, 10, 1)


@pytest.fixture(scope="module")
def model():
    return build_model(START, 3, 8, 11)


def test_the_relabelled_deployment_hands_its_last_day_over_at_noon(model, tmp_path):
    (ingest,) = [c for c in model.controllers if c.relabels]
    (since, labels), = ingest.relabels
    last = START + timedelta(days=2)
    assert since == datetime(last.year, last.month, last.day, 12, tzinfo=timezone.utc)
    before, after = ingest.labels["tenant"], labels["tenant"]
    assert before != after and labels["feature"] == ingest.labels["feature"] == "ingest"

    from synthetic.writers.kubectl import write_kubectl

    write_kubectl(model, tmp_path)
    seen = {}
    for path in sorted(tmp_path.rglob("objects.json")):
        items = json.loads(path.read_text())["items"]
        (dep,) = [i for i in items if i["kind"] == "Deployment" and i["metadata"]["name"] == ingest.name]
        seen[path.parent.name] = dep["metadata"]["labels"]["tenant"]
    assert seen[f"{last}T06-00-00Z"] == before and seen[f"{last}T12-00-00Z"] == after

    day_lo = datetime(last.year, last.month, last.day, tzinfo=timezone.utc)
    pods = [a.pod for a in model.allocations[last] if a.pod.owner_kind == "ReplicaSet"
            and any(rs.uid == a.pod.owner_uid for rs in ingest.revisions)]
    assert pods
    for pod in pods:
        start, end = max(pod.start, day_lo), min(pod.end or day_lo + timedelta(days=1), day_lo + timedelta(days=1))
        if start.second:  # OpenCost's minute resolution
            start = start.replace(second=0)
        seconds = pod_owner_seconds(model, pod, start, end)
        if start < since < end:
            assert seconds[(after, "ingest")] == Decimal(int((end - since).total_seconds()))
            assert seconds[(before, "ingest")] == Decimal(int((since - start).total_seconds()))


def _pod_days(frame: pl.DataFrame) -> dict:
    out = defaultdict(lambda: [Decimal(0), set()])
    for row in frame.filter(pl.col("pod").is_not_null()).iter_rows(named=True):
        key = (row["namespace"], row["pod"])
        out[key][0] += (row["cpu_cost"] + row["cpu_cost_adjustment"] + row["ram_cost"]
                        + row["ram_cost_adjustment"])
        out[key][1].add((row["running_start"], row["running_end"]))
    return out


def _covered(spans: set) -> tuple[datetime, datetime, int]:
    ordered = sorted(spans)
    assert all(a[1] == b[0] for a, b in zip(ordered, ordered[1:])), "hourly parts abut"
    return ordered[0][0], ordered[-1][1], len(ordered)


def test_hourly_steps_carry_the_same_weights_and_spans_as_the_daily_set(model, tmp_path):
    write_opencost(model, tmp_path / "daily")
    write_opencost(model, tmp_path / "hourly", step="1h")
    day = START + timedelta(days=1)
    files = {k: tmp_path / k / "prod-eks" / day.isoformat() / "allocation.json" for k in ("daily", "hourly")}
    daily, hourly = (parse_allocation(files[k].read_bytes(), "prod-eks", day, str(files[k])) for k in files)
    assert len(json.loads(files["hourly"].read_text())["data"]) == 24
    assert set(hourly["usage_date"]) == {day}
    assert hourly["window_start"].n_unique() == 24
    by_day, by_hour = _pod_days(daily), _pod_days(hourly)
    assert by_day.keys() == by_hour.keys()
    for key, (weight, spans) in by_day.items():
        assert by_hour[key][0] == weight, key
        (span,) = spans
        start, end, parts = _covered(by_hour[key][1])
        assert (start, end) == span, key
        first_hour = start.replace(minute=0)
        assert parts == -(-int((end - first_hour).total_seconds()) // 3600), key  # one part per hour it touched


def test_volumes_load_balancer_and_gpu_node_reach_the_files_and_the_truth(model, tmp_path):
    """The zone's kubectl snapshots name the EBS volumes (two claimed, one released) and the NLB's Service, their CUR
    rows carry the CSI / load balancer controller tags, and the GPU node is idle half of the first day: 12 of its 24
    GPU hours requested. The truth gives the released volume's cost to __unallocated__."""
    from synthetic.ground_truth import compute_truth
    from synthetic.writers.kubectl import write_kubectl

    from ingest.kubernetes.kubectl import parse_kubectl_snapshot

    write_kubectl(model, tmp_path)
    first = sorted(tmp_path.rglob("objects.json"))[0]
    _, refs = parse_kubectl_snapshot(first.read_bytes(), "prod-eks", datetime(2026, 10, 1, tzinfo=timezone.utc),
                                     str(first))
    volume_ids = {v.volume_id for v in model.storage.volumes}
    assert set(refs.filter(pl.col("ref") == "volume_id")["value"]) == volume_ids
    assert len(refs.filter(pl.col("kind") == "PersistentVolumeClaim")) == 2
    (service,) = model.storage.services
    assert refs.filter(pl.col("ref") == "load_balancer")["value"].to_list() == [service.lb_name]
    assert service.arn.endswith(f"loadbalancer/net/{service.lb_name}/{service.lb_id}")
    claimed = {r["value"] for r in refs.filter((pl.col("kind") == "Pod") & (pl.col("ref") == "claim")).to_dicts()}
    assert claimed == {"prometheus-data", "chat-backend-data"}

    rows = [r for r in model.cur_rows if r["line_item_resource_id"] in volume_ids | {service.arn}]
    assert len(rows) == 4 * len(model.window)
    assert all("user_ebs_csi_aws_com_cluster" in r["resource_tags"] or "user_kubernetes_io_service_name"
               in r["resource_tags"] for r in rows)

    (gpu,) = [n for n in model.nodes if n.gpus]
    day1 = [a for a in model.allocations[START] if a.pod.node is gpu]
    assert sum(a.gpu_hours for a in day1) == 12
    assert [x.gpu_hours for x in model.node_assets[START] if x.node is gpu] == [24]
    assert not [a for d in model.window[1:] for a in model.allocations[d] if a.pod.node is gpu]

    truth = compute_truth(model)
    released = next(v for v in model.storage.volumes if v.claim is None)
    released_cost = sum(Decimal(r["line_item_unblended_cost"]) for r in model.cur_rows
                        if r["line_item_resource_id"] == released.volume_id and
                        r["line_item_usage_start_date"].date() == START)
    assert released_cost > 0 and truth.tenant_daily[(START, "__unallocated__")] >= released_cost
