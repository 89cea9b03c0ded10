"""Request volume by tenant and feature to ``raw.request_counts`` (REQUEST_COUNTS).

Two shapes, ``<uri>/<YYYY-MM-DD>.json`` or ``.csv``:

- a Prometheus ``/api/v1/query_range`` response of e.g.
  ``sum by (tenant, feature) (increase(http_requests_total[1h]))``: ``{"status": "success", "data": {"resultType":
  "matrix", "result": [{"metric": {...}, "values": [[<unix seconds>, "<float>"], ...]}]}}``;
- CSV ``ts,tenant_id,feature_id,requests``, ``ts`` the END of the counted interval (RFC 3339 with offset, or unix
  seconds).

A sample at t counts the interval (t − 1h, t], so it belongs to the UTC day of t − 1h: the 00:00 sample closes
the previous day. Prometheus writes values as strings of floats; ``NaN`` samples (no data in the window) are
dropped, an infinite one is an error.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.schemas import REQUEST_COUNTS, conform
from ingest.values import csv_rows, frame, load_json, rfc3339, text, unix_seconds

SAMPLE_INTERVAL = timedelta(hours=1)
CSV_COLUMNS = ("ts", "tenant_id", "feature_id", "requests")


def parse_prometheus_query_range(
    data: bytes, source_file: str, tenant_label: str = "tenant", feature_label: str = "feature"
) -> pl.DataFrame:
    """A Prometheus query_range (matrix) or instant (vector) response → REQUEST_COUNTS, one row per sample."""
    document = load_json(data, source_file)
    if not isinstance(document, dict):
        raise LandingFileError(source_file, "expected a Prometheus API response object")
    if document.get("status") != "success":
        detail = document.get("error") or "no error message"
        kind = document.get("errorType")
        raise LandingFileError(
            source_file,
            f"Prometheus returned status {document.get('status')!r}" + (f" ({kind})" if kind else "") + f": {detail}",
        )
    payload = document.get("data")
    if not isinstance(payload, dict) or not isinstance(payload.get("result"), list):
        raise LandingFileError(source_file, "expected data.result to be a list of series")
    result_type = payload.get("resultType")
    if result_type not in ("matrix", "vector"):
        raise LandingFileError(source_file, f"data.resultType {result_type!r}: expected 'matrix' (query_range)")

    series_list = []
    for index, series in enumerate(payload["result"]):
        where = f"data.result[{index}]"
        if not isinstance(series, dict):
            raise LandingFileError(source_file, f"{where}: expected an object with 'metric' and 'values'")
        metric = series.get("metric") or {}
        samples = series.get("values") if result_type == "matrix" else [series.get("value")]
        if not isinstance(metric, dict) or not isinstance(samples, list):
            raise LandingFileError(source_file, f"{where}: expected 'metric' (object) and 'values' (list)")
        series_list.append((text(metric.get(tenant_label)), text(metric.get(feature_label)), samples))
    fast = _plain_samples(series_list, source_file)
    if fast is not None:
        return fast
    rows = []
    for index, (tenant, feature, samples) in enumerate(series_list):
        where = f"data.result[{index}]"
        for sample_index, sample in enumerate(samples):
            sample_where = f"{where}.values[{sample_index}]"
            if not isinstance(sample, list) or len(sample) != 2:
                raise LandingFileError(source_file, f"{sample_where}: expected [<unix seconds>, \"<value>\"]")
            sample_at = unix_seconds(sample[0], source_file, sample_where)
            requests = _float(sample[1], source_file, sample_where)
            if requests is None:
                continue
            rows.append(_row(sample_at, tenant, feature, requests, source_file))
    return frame(rows, REQUEST_COUNTS)


def _plain_samples(series_list: list[tuple], source_file: str) -> pl.DataFrame | None:
    """The samples as one frame, converted by polars, when every one is plain: ``[<whole unix seconds>, "<finite,
    non-negative number or NaN>"]``. Else None, and the caller reads them one by one (naming the bad one)."""
    samples = [sample for *_, values in series_list for sample in values]
    if not all(type(sample) is list and len(sample) == 2 for sample in samples):
        return None
    seconds, values = [s[0] for s in samples], [s[1] for s in samples]
    if not all(type(v) is int and 0 <= v < 253402300800 for v in seconds) or not all(type(v) is str for v in values):
        return None
    requests = pl.Series(values, dtype=pl.String).cast(pl.Float64, strict=False)
    if requests.null_count() or (requests.is_infinite() | (requests < 0)).any():
        return None
    counts = [len(values) for *_, values in series_list]
    sample_at = pl.from_epoch(pl.Series(seconds, dtype=pl.Int64), time_unit="s").dt.replace_time_zone("UTC")
    rows = pl.DataFrame({
        "sample_at": sample_at,
        "tenant_id": pl.Series([t for (t, _, _), n in zip(series_list, counts) for _ in range(n)], dtype=pl.String),
        "feature_id": pl.Series([f for (_, f, _), n in zip(series_list, counts) for _ in range(n)], dtype=pl.String),
        "requests": requests,
    }).filter(~pl.col("requests").is_nan()).with_columns(
        usage_date=(pl.col("sample_at") - SAMPLE_INTERVAL).dt.date(), source_file=pl.lit(source_file))
    return conform(rows, REQUEST_COUNTS)


def parse_requests_csv(data: bytes, source_file: str) -> pl.DataFrame:
    """CSV ``ts,tenant_id,feature_id,requests`` (extra columns ignored) → REQUEST_COUNTS."""
    header, lines = csv_rows(data, source_file, CSV_COLUMNS)
    index = {column: header.index(column) for column in CSV_COLUMNS}
    rows = []
    for line_number, values in lines:
        if len(values) < len(header):
            raise LandingFileError(source_file, f"line {line_number}: {len(values)} fields, expected {len(header)}")
        get = {column: values[i].strip() for column, i in index.items()}
        where = f"line {line_number}"
        sample_at = _csv_timestamp(get["ts"], source_file, where)
        requests = _float(get["requests"], source_file, f"{where}, column requests")
        if requests is None:
            continue
        rows.append(_row(sample_at, get["tenant_id"], get["feature_id"], requests, source_file))
    return frame(rows, REQUEST_COUNTS)


# ------------------------------------------------------------------------------------------------------------
def _row(sample_at: datetime, tenant: Any, feature: Any, requests: float, source_file: str) -> dict[str, Any]:
    return {
        "sample_at": sample_at,
        "usage_date": (sample_at - SAMPLE_INTERVAL).date(),
        "tenant_id": text(tenant),
        "feature_id": text(feature),
        "requests": requests,
        "source_file": source_file,
    }


def _float(value: Any, source_file: str, where: str) -> float | None:
    """A sample value (Prometheus writes "12.5"); NaN → None (dropped), ±Inf or text → error."""
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise LandingFileError(source_file, f"{where}: {value!r} is not a number") from exc
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise LandingFileError(source_file, f"{where}: {value!r} is not a finite request count")
    if number < 0:
        raise LandingFileError(source_file, f"{where}: {value!r} is a negative request count")
    return number


def _csv_timestamp(value: str, source_file: str, where: str) -> datetime:
    if not value:
        raise LandingFileError(source_file, f"{where}, column ts: empty (expected the end of the interval)")
    if value.replace(".", "", 1).isdigit():
        return unix_seconds(value, source_file, f"{where}, column ts")
    return rfc3339(value, source_file, f"{where}, column ts")
