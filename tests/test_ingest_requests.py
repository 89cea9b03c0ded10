"""Request counts: Prometheus query_range JSON and CSV, a sample at t belongs to the day of t - 1h."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import polars as pl
import pytest

from ingest.errors import LandingFileError
from ingest.request_counts import parse_prometheus_query_range, parse_requests_csv
from ingest.schemas import REQUEST_COUNTS

UTC = timezone.utc
T_0100 = int(datetime(2026, 10, 1, 1, tzinfo=UTC).timestamp())
HEADER = b"ts,tenant_id,feature_id,requests\n"
T_MIDNIGHT = int(datetime(2026, 10, 2, tzinfo=UTC).timestamp())


def prometheus(result, status="success", result_type="matrix") -> bytes:
    return json.dumps({"status": status, "data": {"resultType": result_type, "result": result}}).encode()


def test_query_range_samples_belong_to_the_day_of_t_minus_one_hour():
    body = prometheus(
        [
            {"metric": {"tenant": "acme", "feature": "search"}, "values": [[T_0100, "12"], [T_MIDNIGHT, "3.5"]]},
            {"metric": {"tenant": "globex", "feature": "chat", "job": "api"}, "values": [[T_MIDNIGHT + 3600.5, "NaN"]]},
            {"metric": {"feature": "batch"}, "values": [[T_0100, "1e3"]]},
        ]
    )
    frame = parse_prometheus_query_range(body, "2026-10-01.json")
    assert frame.schema == pl.Schema(REQUEST_COUNTS)
    assert frame.rows() == [
        (datetime(2026, 10, 1, 1, tzinfo=UTC), date(2026, 10, 1), "acme", "search", 12.0, "2026-10-01.json"),
        # the 00:00 sample counts (23:00, 24:00] of the day before
        (datetime(2026, 10, 2, tzinfo=UTC), date(2026, 10, 1), "acme", "search", 3.5, "2026-10-01.json"),
        # NaN (no data in the window) dropped; a series without a tenant label keeps tenant null
        (datetime(2026, 10, 1, 1, tzinfo=UTC), date(2026, 10, 1), None, "batch", 1000.0, "2026-10-01.json"),
    ]


def test_custom_label_names():
    body = prometheus([{"metric": {"customer": "acme", "route": "/v1/x"}, "values": [[T_0100, "2"]]}])
    frame = parse_prometheus_query_range(body, "f.json", tenant_label="customer", feature_label="route")
    assert frame.select("tenant_id", "feature_id").rows() == [("acme", "/v1/x")]


def test_prometheus_error_response_is_refused_with_its_message():
    body = json.dumps({"status": "error", "errorType": "bad_data", "error": "invalid parameter \"query\""}).encode()
    with pytest.raises(LandingFileError) as excinfo:
        parse_prometheus_query_range(body, "requests/2026-10-01.json")
    assert excinfo.value.path == "requests/2026-10-01.json"
    assert "bad_data" in str(excinfo.value) and 'invalid parameter "query"' in str(excinfo.value)


def test_prometheus_malformed_samples_name_the_series():
    with pytest.raises(LandingFileError, match=r"data\.result\[0\]\.values\[1\]: 'lots' is not a number"):
        body = prometheus([{"metric": {}, "values": [[T_0100, "1"], [T_0100, "lots"]]}])
        parse_prometheus_query_range(body, "f.json")
    with pytest.raises(LandingFileError, match="not a finite"):
        parse_prometheus_query_range(prometheus([{"metric": {}, "values": [[T_0100, "+Inf"]]}]), "f.json")
    with pytest.raises(LandingFileError, match="resultType 'scalar'"):
        parse_prometheus_query_range(prometheus([], result_type="scalar"), "f.json")
    with pytest.raises(LandingFileError, match="not valid JSON"):
        parse_prometheus_query_range(b"<html>", "f.json")


def test_requests_csv_uses_the_same_day_rule():
    data = (
        "ts,tenant_id,feature_id,requests\n"
        "2026-10-01T01:00:00Z,acme,search,10\n"
        "2026-10-02T00:00:00Z,acme,search,4.5\n"
        "2026-10-02T02:00:00+02:00,globex,chat,7\n"
        f"{T_0100},globex,,1\n"
        "\n"
    ).encode()
    frame = parse_requests_csv(data, "2026-10-01.csv")
    assert frame.select("sample_at", "usage_date", "tenant_id", "feature_id", "requests").rows() == [
        (datetime(2026, 10, 1, 1, tzinfo=UTC), date(2026, 10, 1), "acme", "search", 10.0),
        (datetime(2026, 10, 2, tzinfo=UTC), date(2026, 10, 1), "acme", "search", 4.5),
        (datetime(2026, 10, 2, tzinfo=UTC), date(2026, 10, 1), "globex", "chat", 7.0),
        (datetime(2026, 10, 1, 1, tzinfo=UTC), date(2026, 10, 1), "globex", None, 1.0),
    ]


def test_requests_csv_errors_name_file_line_and_column():
    with pytest.raises(LandingFileError, match="missing required column 'requests'") as excinfo:
        parse_requests_csv(b"ts,tenant_id,feature_id\n", "r.csv")
    assert excinfo.value.path == "r.csv"
    with pytest.raises(LandingFileError, match=r"line 3, column ts: '2026-10-01 02:00:00' has no UTC offset"):
        parse_requests_csv(HEADER + b"2026-10-01T01:00:00Z,a,b,1\n2026-10-01 02:00:00,a,b,1\n", "r.csv")
    with pytest.raises(LandingFileError, match=r"line 2, column requests: 'many' is not a number"):
        parse_requests_csv(HEADER + b"2026-10-01T01:00:00Z,a,b,many\n", "r.csv")
