"""What the OpenAI and Anthropic admin APIs' usage and cost pages share: the page/bucket walk, row ids, restating.

Both APIs answer with pages of time buckets, each holding ``results`` (one per group: project, model, ...):

* OpenAI (``/v1/organization/usage/completions``, ``/v1/organization/costs``): ``{"object": "page", "data":
  [{"start_time": <unix seconds>, "end_time": ..., "results": [...]}]}``; every result names its ``object`` type.
* Anthropic (``/v1/organizations/usage_report/messages``, ``/cost_report``): ``{"data": [{"starting_at": <RFC 3339>,
  "ending_at": ..., "results": [...]}]}``.

A row made from a result gets an id derived from its bucket and group keys (``row_id``), so a page fetched again
replaces its rows rather than adding to them (``keep_latest``). Bad structure (not JSON, no ``data`` list, a bucket
without a start) fails the file with a LandingFileError naming it and the bucket.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import polars as pl

from ingest.errors import LandingFileError
from ingest.values import json_default, load_json, rfc3339, unix_seconds, utf8_text

Bucket = tuple[dict[str, Any], datetime, datetime | None, dict[str, Any]]  # (bucket, start, end, result)


def openai_buckets(data: bytes, source_file: str, result_object: str) -> Iterator[Bucket]:
    """Every result of an OpenAI page, with its bucket; each result must be of type ``result_object``."""
    return _buckets(data, source_file, 'an OpenAI page: {"object": "page", "data": [buckets]}',
                    "start_time", "end_time", unix_seconds, result_object)


def anthropic_buckets(data: bytes, source_file: str) -> Iterator[Bucket]:
    """Every result of an Anthropic report page, with its bucket."""
    return _buckets(data, source_file, 'an Anthropic report page: {"data": [buckets], ...}',
                    "starting_at", "ending_at", rfc3339, None)


def _buckets(data: bytes, source_file: str, page_shape: str, start_key: str, end_key: str,
             read_time: Callable[[Any, str, str], datetime], result_object: str | None) -> Iterator[Bucket]:
    page = load_json(utf8_text(data, source_file), source_file, decimals=True)
    buckets = page.get("data") if isinstance(page, dict) else None
    if not isinstance(buckets, list):
        raise LandingFileError(source_file, f"expected {page_shape}")
    for i, bucket in enumerate(buckets):
        if not isinstance(bucket, dict) or not isinstance(bucket.get("results"), list):
            raise LandingFileError(source_file, f"data[{i}]: expected a bucket with a 'results' list")
        start = read_time(bucket.get(start_key), source_file, f"data[{i}].{start_key}")
        end = read_time(bucket.get(end_key), source_file, f"data[{i}].{end_key}") if bucket.get(end_key) else None
        for j, result in enumerate(bucket["results"]):
            if not isinstance(result, dict):
                raise LandingFileError(source_file, f"data[{i}].results[{j}]: expected an object")
            kind = result.get("object")
            if result_object is not None and kind is not None and kind != result_object:
                raise LandingFileError(
                    source_file, f"data[{i}].results[{j}]: object {kind!r}, expected {result_object!r}"
                )
            yield bucket, start, end, result


def row_id(source_format: str, start: datetime, end: datetime | None, group: dict[str, Any]) -> str:
    """``<format>:<bucket start>:<hash of the bucket and the result's group keys>``: the same for a re-fetched
    result, different for any other group of the same bucket."""
    identity = json.dumps([start.isoformat(), end.isoformat() if end else None, group], sort_keys=True,
                          default=json_default)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return f"{source_format}:{start.strftime('%Y-%m-%dT%H:%M:%SZ')}:{digest}"


def attributes(result: dict[str, Any], bucket: dict[str, Any]) -> str:
    """The whole result object plus its bucket's start and end, as JSON (the row's ``attributes``)."""
    bounds = {k: bucket[k] for k in ("start_time", "end_time", "starting_at", "ending_at") if k in bucket}
    return json.dumps({**result, **bounds}, sort_keys=True, default=json_default)


def keep_latest(frames: list[pl.DataFrame], key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pages in file-name order (name files by fetch time): a row whose `key` a later page has again is replaced
    by it — a re-fetched page restates a bucket, it does not add to it. Returns (kept, replaced)."""
    if not frames:
        raise ValueError("keep_latest needs at least one frame (an empty one carries the schema)")
    stacked = pl.concat(frames, how="vertical")
    last = stacked.select(pl.col(key).is_last_distinct()).to_series()
    return stacked.filter(last), stacked.filter(~last)
