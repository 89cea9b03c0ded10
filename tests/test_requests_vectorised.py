"""Prometheus request counts converted by polars (ingest/request_counts.py `_plain_samples`) are exactly the rows the
sample-by-sample reading gives, and a file with any sample that is not plain is read sample by sample."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingest import request_counts as rq
from synthetic import generate

T = 1790816400  # 2026-10-01T01:00:00Z


def _page(series) -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": series}}).encode()


def _slow(monkeypatch, data: bytes, source: str):
    with monkeypatch.context() as patched:
        patched.setattr(rq, "_plain_samples", lambda *_: None)
        return rq.parse_prometheus_query_range(data, source)


def test_plain_samples_match_the_sample_by_sample_rows(monkeypatch):
    data = _page([
        {"metric": {"tenant": "acme", "feature": "chat"}, "values": [[T - 3600, "7.5"], [T, "NaN"], [T + 3600, "0"]]},
        {"metric": {"feature": "api"}, "values": [[T, "1e3"], [T + 86400, "12.25"]]},
        {"metric": {"tenant": 42, "feature": "api"}, "values": []},
    ])
    fast = rq.parse_prometheus_query_range(data, "r.json")
    assert fast.equals(_slow(monkeypatch, data, "r.json"))
    assert fast["requests"].to_list() == [7.5, 0.0, 1000.0, 12.25]  # NaN dropped
    assert [str(d) for d in fast["usage_date"]] == ["2026-09-30", "2026-10-01", "2026-10-01", "2026-10-02"]
    assert fast["tenant_id"].to_list() == ["acme", "acme", None, None]


@pytest.mark.parametrize("sample", [[T + 0.5, "1"], [str(T), "1"], [T, 1.5], [T, "+Inf"], [T, "-1"], [T, "x"],
                                    [T], [True, "1"]])
def test_a_sample_that_is_not_plain_is_read_sample_by_sample(monkeypatch, sample):
    data = _page([{"metric": {"tenant": "acme"}, "values": [[T, "2"], sample]}])
    series_list = [("acme", None, [[T, "2"], sample])]
    assert rq._plain_samples(series_list, "r.json") is None
    try:
        slow = _slow(monkeypatch, data, "r.json")
    except Exception as error:  # the same error, naming the sample, either way
        with pytest.raises(type(error), match="values\\[1\\]"):
            rq.parse_prometheus_query_range(data, "r.json")
    else:
        assert rq.parse_prometheus_query_range(data, "r.json").equals(slow)


def test_the_generators_request_files_match(monkeypatch, tmp_path):
    generate(tmp_path, date(2026, 10, 1), 2, 5, seed=3)
    files = sorted((tmp_path / "landing" / "requests").glob("*.json"))
    assert files
    for path in files:
        data = path.read_bytes()
        fast = rq.parse_prometheus_query_range(data, str(path))
        assert fast.height > 0 and fast.equals(_slow(monkeypatch, data, str(path)))
