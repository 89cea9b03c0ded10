"""great-expectations, the way unitcost runs it: an ephemeral context validating pandas batches (GX 1.x rejects a
polars frame), imported only when a run validates something (it takes seconds), with its usage analytics and
progress bars off. The rules themselves live with their source (defs/cloud_bill/expectations.py)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import dagster as dg

SAMPLE = 5  # unexpected values shown per failing expectation
BATCH_ROWS = 250_000  # rows per record batch handed to great-expectations


@dataclass
class RuleOutcome:
    """One rule over every validated partition: passed only if every expectation passed on every batch."""

    passed: bool = True
    periods: int = 0
    rows: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)


@cache
def gx_modules():
    """(great_expectations, great_expectations.expectations), imported once."""
    # Its usage analytics would call home from every run: off unless the environment says otherwise.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every pandas batch under 1 GB by hashing all of its cells (a batch marker, not a check):
    # that was 60% of the suite's time here. GX itself skips it above the threshold; skip it always.
    pandas_execution_engine.HASH_THRESHOLD = 0
    return gx, gxe


_warm_up_lock = threading.Lock()
_batch_definition_lock = threading.Lock()  # the warm-up thread and a check step may ask at once: one context
_warm_up_thread: threading.Thread | None = None


def warm_up_in_background() -> threading.Thread:
    """Start importing great_expectations on a daemon thread (once per process) and return the thread.

    The import takes seconds (pydantic models, scipy); a run's first check step would otherwise wait for all of it.
    Started when a run begins, it overlaps the ingest steps; a step that needs GX before it is done waits on Python's
    import lock, so the result is the same either way."""
    global _warm_up_thread
    with _warm_up_lock:
        if _warm_up_thread is None:
            _warm_up_thread = threading.Thread(target=_batch_definition, name="unitcost-gx-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


def _batch_definition():
    with _batch_definition_lock:
        return _new_batch_definition()


@cache
def _new_batch_definition():
    gx, _ = gx_modules()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # no tqdm bars in the run logs
    source = context.data_sources.add_pandas("unitcost_raw")
    return source.add_dataframe_asset("raw_rows").add_batch_definition_whole_dataframe("partition_batch")


def record_batches(con, sql: str, params: list, batch_rows: int):
    """The rows of a DuckDB query as Arrow record batches of at most `batch_rows` rows (memory stays flat)."""
    cursor = con.execute(sql, params)
    return cursor.to_arrow_reader(batch_rows) if hasattr(cursor, "to_arrow_reader") else cursor.fetch_record_batch(
        batch_rows)


def validate(frame, suite) -> list:
    """The expectation results of `suite` on one pandas DataFrame."""
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(suite, result_format={"result_format": "SUMMARY",
                                                "partial_unexpected_count": SAMPLE}).results


def describe(result) -> dict[str, Any]:
    """A failed expectation as metadata a person reads: which expectation, which column, how many, examples."""
    config = result.expectation_config
    info = result.result or {}
    kwargs = config.kwargs
    return {
        "expectation": config.type,
        "column": kwargs.get("column") or f"{kwargs.get('column_A')} >= {kwargs.get('column_B')}",
        "unexpected_count": info.get("unexpected_count"),
        "examples": [str(v) for v in (info.get("partial_unexpected_list") or [])[:SAMPLE]]
        or ([str(info["observed_value"])] if "observed_value" in info else []),
    }


def merge_failures(items: list[dict]) -> list[dict]:
    """One entry per (expectation, column), counts summed over the batches."""
    merged: dict[tuple, dict] = {}
    for item in items:
        key = (item["expectation"], item["column"])
        if key not in merged:
            merged[key] = dict(item)
        else:
            seen = merged[key]
            if item["unexpected_count"] is not None:
                seen["unexpected_count"] = (seen["unexpected_count"] or 0) + item["unexpected_count"]
            seen["examples"] = (seen["examples"] + [e for e in item["examples"] if e not in seen["examples"]])[:SAMPLE]
    return list(merged.values())


def rule_check_specs(
    checks: list[tuple[str, str]], blocking_rules: tuple[str, ...], descriptions: dict[str, str],
    partitions: dg.PartitionsDefinition,
) -> list[dg.AssetCheckSpec]:
    """One asset check per (raw table, rule), blocking for the rules in `blocking_rules`."""
    return [
        dg.AssetCheckSpec(rule, asset=dg.AssetKey(["raw", table]), blocking=rule in blocking_rules,
                          description=descriptions[rule], partitions_def=partitions)
        for table, rule in checks
    ]


def rule_check_result(table: str, rule: str, outcome: RuleOutcome, blocking: bool, **metadata) -> dg.AssetCheckResult:
    """A rule's outcome as the asset check result of raw/<table> (its first 20 failures in the metadata)."""
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["raw", table]),
        check_name=rule,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={**metadata, "rows_validated": outcome.rows,
                  "failures": dg.MetadataValue.json(outcome.failures[:20])},
    )
