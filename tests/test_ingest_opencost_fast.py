"""The DuckDB fast path for OpenCost /allocation documents (ingest/kubernetes/opencost_fast.py) gives exactly the
reference reader's rows, or steps aside (None) so that the reference reads the document and names any problem."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from polars.testing import assert_frame_equal

from dagster_project.cli import main
from ingest.errors import LandingFileError
from ingest.kubernetes.opencost import parse_allocation, reference_allocation
from ingest.kubernetes.opencost_fast import parse_allocation_fast

DAY = date(2026, 10, 1)


def _entry(**overrides):
    entry = {
        "name": "c/n1/ns/pod-a/app",
        "properties": {"cluster": "c", "node": "n1", "namespace": "ns", "pod": "pod-a", "container": "app",
                       "providerID": "i-0abc", "labels": {"tenant": "acme", "app": "api", "é": "ü\"q"},
                       "namespaceLabels": {"team": "core"}},
        "window": {"start": "2026-10-01T00:00:00Z", "end": "2026-10-01T01:00:00Z"},
        "start": "2026-10-01T00:10:00Z", "end": "2026-10-01T01:00:00+00:00",
        "minutes": 50, "cpuCoreHours": 0.5, "ramByteHours": 1.5e9,
        "cpuCost": 0.12345678951, "cpuCostAdjustment": -0.0000000005, "ramCost": 1, "gpuCost": 0,
        "totalCost": 1234567.1234567895,  # written as 1234567.1234567894, the double's repr
    }
    entry.update(overrides)
    return entry


def _doc(*sets) -> bytes:
    return json.dumps({"code": 200, "status": "success", "data": list(sets)}).encode()


def _same(data: bytes) -> None:
    fast = parse_allocation_fast(data, "prod", DAY, "prod/2026-10-01/allocation.json")
    assert fast is not None, "the fast path stepped aside from a plain document"
    assert_frame_equal(fast, reference_allocation(data, "prod", DAY, "prod/2026-10-01/allocation.json"))


def test_a_plain_document_gives_the_reference_rows_to_the_nano_dollar():
    idle = _entry(name="__idle__", properties={"cluster": "c", "node": "n1"}, cpuCost=0.5, start=None, end=None)
    other = _entry(name="c/n2/ns2/pod-b/web", properties={"node": "n2", "namespace": "ns2", "pod": "pod-b",
                                                          "container": "web", "labels": {}})
    second_hour = _entry(window={"start": "2026-10-01T01:00:00Z", "end": "2026-10-01T02:00:00Z"})
    data = _doc({"c/n1/ns/pod-a/app": _entry(), "__idle__": idle, "c/n2/ns2/pod-b/web": other},
                None, {"c/n1/ns/pod-a/app": second_hour})
    _same(data)
    frame = parse_allocation_fast(data, "prod", DAY, "f")
    # by hand: half away from zero at the 10th decimal, as the reference rounds
    assert frame["cpu_cost"][0] == Decimal("0.123456790") and frame["cpu_cost_adjustment"][0] == Decimal("-1E-9")
    assert frame["total_cost"][0] == Decimal("1234567.123456789")  # from its text, not 790 via a double
    assert frame["labels"][0] == '{"app":"api","tenant":"acme","é":"ü\\"q"}' and frame["labels"][2] == "{}"
    assert frame.height == 4 and frame["allocation_name"].to_list()[-1] == "c/n1/ns/pod-a/app"


def test_the_reference_samples_and_a_generated_day_read_the_same(reference_data, tmp_path):
    for sample in sorted((reference_data / "opencost").glob("allocation*.json")):
        data = sample.read_bytes()
        fast = parse_allocation_fast(data, "c", date(2023, 7, 12), sample.name)
        if fast is not None:  # the namespace-aggregated samples may step aside; then nothing to compare
            assert_frame_equal(fast, reference_allocation(data, "c", date(2023, 7, 12), sample.name))
    assert main(["generate", "--out", str(tmp_path / "z"), "--days", "1", "--tenants", "4",
                 "--opencost-step", "1h"]) == 0
    files = sorted((tmp_path / "z" / "landing" / "opencost").rglob("allocation*.json"))
    assert files
    for path in files:
        _same(path.read_bytes())


@pytest.mark.parametrize("change", [
    {"cpuCost": "0.5"},  # a number as text
    {"cpuCost": True},  # a boolean
    {"minutes": {"x": 1}},
    {"properties": {"node": 5, "namespace": "ns", "pod": "pod-a"}},  # text that is a number
    {"properties": {"node": "n1", "labels": {"tenant": 5}}},  # a label that is not a string
    {"properties": "x"},
    {"window": {"start": "2026-10-01 00:00:00", "end": "2026-10-01T01:00:00Z"}},  # no offset
    {"window": {"start": None, "end": "2026-10-01T01:00:00Z"}},
    {"cpuCost": 1e40},  # beyond DECIMAL(38, 9)
])
def test_anything_not_plain_goes_to_the_reference(change):
    data = _doc({"c/n1/ns/pod-a/app": _entry(**change)})
    assert parse_allocation_fast(data, "prod", DAY, "f") is None
    try:
        expected = reference_allocation(data, "prod", DAY, "prod/2026-10-01/allocation.json")
    except LandingFileError as exc:
        with pytest.raises(LandingFileError, match=str(exc.args[-1])[:20].replace("(", r"\(").replace("[", r"\[")):
            parse_allocation(data, "prod", DAY, "prod/2026-10-01/allocation.json")
    else:
        assert_frame_equal(parse_allocation(data, "prod", DAY, "prod/2026-10-01/allocation.json"), expected)


@pytest.mark.parametrize("data", [
    b'{"code": 500, "message": "boom"}',
    b'{"code": 200, "data": {',
    b'\xef\xbb\xbf{"code": 200, "data": []}',
    b'{"code": 200, "data": [{"a/b": {"cpuCost": NaN}}]}',
    b'{"code": 200, "data": [{"ns-a/pod-a": {"properties": {"pod": "pod-a"}}}]}',  # keyed on the pod name alone
    b'{"code": 200, "data": [[1, 2]]}',
    # 19 significant characters: more than a double keeps, so the reference reads its exact text
    b'{"code": 200, "data": [{"c/n1/ns/pod-a/app": {"properties": {"namespace": "ns"}, '
    b'"cpuCost": 0.12345678901234567}}]}',
])
def test_error_responses_and_odd_documents_go_to_the_reference(data):
    assert parse_allocation_fast(data, "prod", DAY, "f") is None


def test_a_number_longer_than_a_double_is_seen_at_19_digits_and_points():
    from ingest.kubernetes.opencost_fast import _has_long_number

    assert not _has_long_number(b'{"a": 1234567890.1234567, "b": "x"}')  # 18 digits and points
    assert _has_long_number(b'{"a": 1234567890.12345678, "b": "x"}')  # 19
    assert not _has_long_number(b'{"a": 123456789, "b": 1234567890}')  # runs broken by other bytes
