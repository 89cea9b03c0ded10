"""The native JSONL parser's vectorised path: a whole file decoded by polars' JSON reader, the rules as column
expressions. Used only when the file is *plainly typed*, so that it gives exactly what the line-by-line rules in
native.py give; any file it is not sure about returns None and native.py reads it line by line (and so raises the
same errors, naming the line, and quarantines for the same reasons).

Plainly typed: every line is one JSON object; each known key (native.TEXT_KEYS, tokens.TOKEN_KEYS, ``timestamp``,
``event_id``, ``batch``) appears at most once per line with a value of its plain JSON type or ``null`` (text as a
JSON string, a count as an integer literal of at most 18 digits, ``batch`` as a boolean); every timestamp is
``YYYY-MM-DDTHH:MM:SS[.fff|.ffffff](Z|±HH:MM)``; no line has ``cost_usd`` (an exact decimal, left to native.py).
"""

from __future__ import annotations

import io

import polars as pl

from ingest.llm.tokens import TOKEN_KEYS
from ingest.schemas import LLM_EVENTS, LLM_EVENTS_QUARANTINE

_WHITESPACE = " \t\n\r\x0b\x0c"  # native.py's: what bytes.strip() strips
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?(Z|[+-]\d{2}:\d{2})$"
# a value a known key must not start with: text is a JSON string or null; a count an integer of at most 18 digits
# (no fraction, no exponent) or null; batch true, false or null
# (whitespace is excluded from the classes: `\s*` may match nothing, and a space must not then count as the value)
_NOT_PLAIN = {"string": r'[^"n\s]', "count": r"(?:-?\d{19}|-?\d+[.eE]|[^-0-9n\s])", "boolean": r"[^tfn\s]"}
_KEY = r'"({keys})"\s*:\s*'


def _keys(names) -> str:
    return "|".join(name.replace(".", r"\.") for name in names)


def parse_plain_native(body: bytes, content: str, source_file: str, text_keys: dict[str, str]) -> tuple | None:
    """(LLM_EVENTS rows, LLM_EVENTS_QUARANTINE rows) of a plainly typed native file, else None. `body`: the file's
    bytes without a BOM, `content` the same decoded."""
    line = pl.col("attributes")
    # Python's split then one Series: twice as fast as polars' str.split and explode of the one string
    lines = (pl.DataFrame({"attributes": pl.Series(content.split("\n"), dtype=pl.String)}).lazy()
             .select(line.str.strip_chars(_WHITESPACE)).filter(line != "").collect())
    if lines.height == 0:
        return None
    kinds = {"timestamp": "string", "event_id": "string", **dict.fromkeys(text_keys.values(), "string"),
             **dict.fromkeys(TOKEN_KEYS.values(), "count"), "batch": "boolean"}
    dtypes = {"string": pl.String, "count": pl.Int64, "boolean": pl.Boolean}
    try:
        fields = pl.read_ndjson(io.BytesIO(body), schema={k: dtypes[kind] for k, kind in kinds.items()})
    except pl.exceptions.PolarsError:  # a line that is not an object, or not of the plain types
        return None
    if fields.height != lines.height:
        return None
    frame = pl.concat([lines, fields], how="horizontal")
    not_plain = "|".join(_KEY.format(keys=_keys(k for k, v in kinds.items() if v == kind)) + pattern
                         for kind, pattern in _NOT_PLAIN.items())
    stamp = pl.col("timestamp")
    checks = frame.select(
        # each known key written once, at the top level, not null (else a nested or repeated key, or a null, would
        # be read differently), and each of its plain type
        keys=((line.str.count_matches(_KEY.format(keys=_keys(kinds))) == pl.sum_horizontal(
            pl.col(k).is_not_null().cast(pl.Int32) for k in kinds)) & ~line.str.contains(not_plain)).all(),
        no_cost=~line.str.contains('"cost_usd"', literal=True).any(),
        stamps=(stamp.is_null() | (stamp == "") | stamp.str.contains(_TIMESTAMP)).all(),
    )
    if not all(checks.row(0)):
        return None
    try:
        return _split(frame.lazy(), text_keys, source_file)
    except pl.exceptions.PolarsError:  # a timestamp's day or hour out of range
        return None


def _split(rows: pl.LazyFrame, text_keys: dict[str, str], source_file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    stamp = pl.col("timestamp").replace("", None)
    rows = rows.with_columns(
        event_at=stamp.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=True),
        event_id=pl.col("event_id").replace("", None),
        **{column: pl.col(key).replace("", None) for column, key in text_keys.items()},
        **{column: pl.col(key).fill_null(0) for column, key in TOKEN_KEYS.items()},
    ).with_columns(usage_date=pl.col("event_at").dt.date(), is_batch=pl.col("batch"),
                   source_format=pl.lit("native"), calls=pl.lit(1, pl.Int64), cost_usd=pl.lit(None),
                   source_file=pl.lit(source_file))
    c = {column: pl.col(column) for column in TOKEN_KEYS}
    negative = pl.any_horizontal(col < 0 for col in c.values())
    reason = (
        pl.when(stamp.is_null()).then(pl.lit("missing_timestamp"))
        .when(pl.col("event_id").is_null()).then(pl.lit("missing_event_id"))
        .when(pl.col("request_model").is_null() & pl.col("response_model").is_null()).then(pl.lit("missing_model"))
        .when(negative).then(pl.lit("negative_token_count"))
        .when(c["cache_read_input_tokens"] + c["cache_creation_input_tokens"] > c["input_tokens"])
        .then(pl.lit("cache_exceeds_input"))
        .when(c["reasoning_output_tokens"] > c["output_tokens"]).then(pl.lit("reasoning_exceeds_output"))
        .when(c["cache_creation_1h_input_tokens"] > c["cache_creation_input_tokens"])
        .then(pl.lit("cache_1h_exceeds_cache_creation"))
        .when(pl.col("event_id").is_not_null() & ~pl.col("event_id").is_first_distinct())
        .then(pl.lit("duplicate_event_id"))
    )
    rows = rows.with_columns(reason=reason)

    def typed(schema):  # ingest.schemas.conform, lazily
        return [pl.col(name).cast(dtype, strict=True) for name, dtype in schema.items()]

    events, quarantined = pl.collect_all([rows.filter(pl.col("reason").is_null()).select(typed(LLM_EVENTS)),
                                          rows.filter(pl.col("reason").is_not_null()).select(
                                              typed(LLM_EVENTS_QUARANTINE))])
    return events, quarantined
