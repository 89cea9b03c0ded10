"""The fast path for OpenCost ``/allocation`` responses: the whole document parsed and flattened by DuckDB's JSON
functions in one query (one row per entry of every set), instead of a Python dict per entry.

It gives exactly the rows of the reference reader (``opencost.parse_allocation``) for a plainly shaped document:
UTF-8, the 200 envelope, ``data`` a list of maps (or one map) of objects, text fields that are strings, measures that
are numbers, labels that are objects of strings, and RFC 3339 timestamps with an offset. Money is read from the
number's text into DECIMAL(38, 9), half away from zero, as the reference does. Anything else (an error response, a
wrong type anywhere, an aggregate keyed on pod names, NaN, a money overflow, another encoding) returns None, and
the caller runs the reference reader, which names the file and the place of the problem.
"""

from __future__ import annotations

import tempfile
import threading
from datetime import date

import polars as pl

from ingest.schemas import OPENCOST_ALLOCATIONS, conform
from ingest.values import load_json

# (column, JSON path inside an entry, kind): text | float | money | time
_FIELDS = (
    ("node", "properties.node", "text"),
    ("namespace", "properties.namespace", "text"),
    ("pod", "properties.pod", "text"),
    ("container", "properties.container", "text"),
    ("provider_id", "properties.providerID", "text"),
    ("controller_kind", "properties.controllerKind", "text"),
    ("controller", "properties.controller", "text"),
    ("minutes", "minutes", "float"),
    ("cpu_core_hours", "cpuCoreHours", "float"),
    ("cpu_core_request_average", "cpuCoreRequestAverage", "float"),
    ("cpu_core_usage_average", "cpuCoreUsageAverage", "float"),
    ("ram_byte_hours", "ramByteHours", "float"),
    ("ram_byte_request_average", "ramByteRequestAverage", "float"),
    ("ram_byte_usage_average", "ramByteUsageAverage", "float"),
    ("gpu_hours", "gpuHours", "float"),
    ("cpu_cost", "cpuCost", "money"),
    ("cpu_cost_adjustment", "cpuCostAdjustment", "money"),
    ("ram_cost", "ramCost", "money"),
    ("ram_cost_adjustment", "ramCostAdjustment", "money"),
    ("gpu_cost", "gpuCost", "money"),
    ("gpu_cost_adjustment", "gpuCostAdjustment", "money"),
    ("pv_cost", "pvCost", "money"),
    ("network_cost", "networkCost", "money"),
    ("load_balancer_cost", "loadBalancerCost", "money"),
    ("shared_cost", "sharedCost", "money"),
    ("external_cost", "externalCost", "money"),
    ("total_cost", "totalCost", "money"),
    ("window_start_text", "window.start", "time"),
    ("window_end_text", "window.end", "time"),
    ("entry_start_text", "start", "time"),
    ("entry_end_text", "end", "time"),
)
_ALLOWED = {"text": "'VARCHAR'", "float": "'BIGINT', 'UBIGINT', 'DOUBLE'", "money": "'BIGINT', 'UBIGINT', 'DOUBLE'",
            "time": "'VARCHAR'"}
# money comes out as the number's shortest round-trip text and is cast from that text, so it rounds exactly as
# the reference's Decimal of the written text does (json_transform straight to DECIMAL goes through a double)
_SQL_TYPE = {"text": "VARCHAR", "float": "DOUBLE", "money": "VARCHAR", "time": "VARCHAR"}
# a number written with more digits than a double keeps (> 17) would not survive the round trip: the reference
# reads such a document (a conservative test on the raw bytes: any run of 19 digits and points). Tested by mapping
# digits and points to "1" and every other byte to "0", then a substring search: a regular expression over a
# document of tens of MB took longer than DuckDB's whole parse of it, and held the GIL meanwhile
_DIGIT_OR_POINT = bytes(0x31 if chr(b) in "0123456789." else 0x30 for b in range(256))
_LONG_RUN = b"1" * 19
# RFC 3339 as OpenCost writes it; other spellings the reference reader accepts go to it
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"


def _struct_spec() -> str:
    """json_transform's structure for an entry: nested objects for properties and window."""
    tree: dict = {}
    for _, path, kind in _FIELDS:
        *parents, leaf = path.split(".")
        node = tree
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = _SQL_TYPE[kind]
    tree["properties"].update(labels="JSON", namespaceLabels="JSON")  # kept as JSON text, checked in Python

    def render(node: dict) -> str:
        return "{" + ", ".join(f'"{k}": ' + (render(v) if isinstance(v, dict) else f'"{v}"')
                               for k, v in node.items()) + "}"
    return render(tree)


def _query() -> str:
    paths = ", ".join(f"'$.{path}'" for _, path, _ in _FIELDS)
    type_checks = " and ".join(
        f"coalesce(types[{i}] in ('NULL', {_ALLOWED[kind]}), true)" for i, (_, _, kind) in enumerate(_FIELDS, 1))
    columns = ", ".join(
        (f"case when isfinite(t.{path}) then t.{path} end as {column}" if kind == "float"
         else f"cast(t.{path} as decimal(38, 9)) as {column}" if kind == "money" else f"t.{path} as {column}")
        for column, path, kind in _FIELDS)
    time_checks = " and ".join(f"({column} is null or regexp_matches({column}, '{_TIMESTAMP}'))"
                               for column, _, kind in _FIELDS if kind == "time")
    return f"""
with doc as (
  select code, data from read_json(?, columns = {{'code': 'BIGINT', 'data': 'MAP(VARCHAR, JSON)[]'}},
                                   format = 'unstructured', maximum_object_size = 2147483647)),
sets as (select unnest(generate_series(1, len(data))) as set_index, unnest(data) as m from doc),
entries as (
  select set_index, unnest(generate_series(1, cardinality(m)::bigint)) as entry_index, unnest(map_keys(m)) as name,
         unnest(map_values(m)) as e
  from sets),
typed as (
  select set_index, entry_index, name, json_type(e) as entry_type,
         json_type(e, [{paths}, '$.properties', '$.window', '$.properties.labels', '$.properties.namespaceLabels'])
           as types,
         json_transform(e, '{_struct_spec()}') as t
  from entries),
flat as (
  select set_index, entry_index, name as allocation_name, {columns},
         t.properties.labels as labels, t.properties.namespaceLabels as namespace_labels,
         types[{_index('window.start')}] = 'NULL' or types[{_index('window.end')}] = 'NULL' as window_null,
         entry_type = 'OBJECT' and {type_checks}
           and coalesce(types[{len(_FIELDS) + 1}] in ('NULL', 'OBJECT'), true)
           and coalesce(types[{len(_FIELDS) + 2}] in ('NULL', 'OBJECT'), true)
           and coalesce(types[{len(_FIELDS) + 3}] in ('NULL', 'OBJECT'), true)
           and coalesce(types[{len(_FIELDS) + 4}] in ('NULL', 'OBJECT'), true) as plain
  from typed)
select flat.*, (select coalesce(bool_and(coalesce(code = 200, true)), false) from doc) as envelope_plain,
       {time_checks} as times_plain
from flat
order by set_index, entry_index
"""


def _has_long_number(data: bytes) -> bool:
    """Whether `data` holds a run of 19 or more digits and points (see _DIGIT_OR_POINT)."""
    return _LONG_RUN in data.translate(_DIGIT_OR_POINT)


def _index(path: str) -> int:
    """The 1-based position of a field's path in the query's json_type list."""
    return next(i for i, (_, p, _) in enumerate(_FIELDS, 1) if p == path)


_QUERY = _query()
_local = threading.local()


def _connection():
    import duckdb

    if getattr(_local, "con", None) is None:
        _local.con = duckdb.connect()  # in memory, one per thread: the document never touches the warehouse
    return _local.con


def parse_allocation_fast(data: bytes, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame | None:
    """OPENCOST_ALLOCATIONS rows of a plainly shaped ``/allocation`` document, or None (then use the reference)."""
    import duckdb

    if data[:3] == b"\xef\xbb\xbf" or b'"data"' not in data or _has_long_number(data):
        return None
    try:
        data.decode("utf-8")
        with tempfile.NamedTemporaryFile(suffix=".json") as document:  # DuckDB's reader reads files
            document.write(data)
            document.flush()
            df = _connection().execute(_QUERY, [document.name]).pl()
    except (UnicodeDecodeError, duckdb.Error):
        return None  # not UTF-8, not JSON, or a number DECIMAL(38, 9) cannot hold: the reference says which
    if df.height == 0:
        return None  # an empty or odd document: the reference handles the envelope's cases and messages
    if not (df["plain"].all() and df["envelope_plain"].all() and df["times_plain"].all()):
        return None
    if df["window_null"].any():
        return None  # an explicit null window bound: the reference does not fall back to the entry's own
    df = _with_labels(df)
    if df is None or _names_workload_alone(df):
        return None
    return _placed(df, cluster, usage_date, source_file)


def _with_labels(df: pl.DataFrame) -> pl.DataFrame | None:
    """labels / namespace_labels as the reference writes them (sorted keys, compact), computed once per distinct
    object; None when a label value is not a string (the reference decides what such a value becomes)."""
    canonical: dict[str | None, str] = {None: "{}"}
    for column in ("labels", "namespace_labels"):
        for raw in df[column].unique().to_list():
            if raw in canonical:
                continue
            obj = load_json(raw, "labels", decimals=True, nan_as_null=True)
            if not isinstance(obj, dict) or not all(isinstance(v, str) for v in obj.values()):
                return None
            import json

            canonical[raw] = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return df.with_columns(pl.col(c).replace_strict(canonical, return_dtype=pl.String)
                           for c in ("labels", "namespace_labels"))


def _names_workload_alone(df: pl.DataFrame) -> bool:
    """Whether an entry is keyed on a pod or container name without its namespace (the reference refuses those)."""
    parts = pl.col("allocation_name").str.split("/")
    named = (parts.list.contains(pl.col("pod")) & pl.col("pod").is_not_null() & (pl.col("pod") != "")) | (
        parts.list.contains(pl.col("container")) & pl.col("container").is_not_null() & (pl.col("container") != ""))
    namespaced = pl.col("namespace").is_not_null() & (pl.col("namespace") != "") & parts.list.contains(
        pl.col("namespace"))
    return bool(df.select((~pl.col("allocation_name").str.contains("__", literal=True) & named & ~namespaced)
                          .any()).item())


def _utc(column: str) -> pl.Expr:
    return (pl.col(column).str.replace(r"[Zz]$", "+00:00").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=True)
            .dt.convert_time_zone("UTC").dt.cast_time_unit("us"))


def _placed(df: pl.DataFrame, cluster: str, usage_date: date, source_file: str) -> pl.DataFrame:
    """Cluster, file, windows and the UTC day, as the reference places a row; empty text as null."""
    window_start = pl.coalesce(_utc("window_start_text"), _utc("entry_start_text"))
    window_end = pl.coalesce(_utc("window_end_text"), _utc("entry_end_text"))
    text_columns = [c for c, _, kind in _FIELDS if kind == "text"]
    df = df.with_columns(pl.col("window_start_text", "window_end_text", "entry_start_text", "entry_end_text")
                         .str.to_uppercase())
    df = df.with_columns(window_start.alias("window_start"), window_end.alias("window_end"),
                         *(pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in text_columns))
    df = df.with_columns(
        pl.coalesce(_utc("entry_start_text"), pl.col("window_start")).alias("running_start"),
        pl.coalesce(_utc("entry_end_text"), pl.col("window_end")).alias("running_end"),
        pl.coalesce(pl.col("window_start").dt.date(), pl.lit(usage_date)).alias("usage_date"),
        pl.lit(cluster).alias("cluster"), pl.lit(source_file).alias("source_file"))
    return conform(df, OPENCOST_ALLOCATIONS)
