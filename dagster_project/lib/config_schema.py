"""The shape of unitcost.yaml as a whole (docs/configuration.md), checked before any block is parsed: an unknown key
anywhere or a value of the wrong type is a ConfigError naming the key, its value and what was expected.

The blocks with rules of their own (`attribution`, `allocation`, `anomalies`, `alerts`) are checked here by name
only, then whole by their own parser (config.py, allocation_policy.py), whose messages say more. A new block is
one model below and one field of `ConfigFile`."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from dagster_project.lib.errors import ConfigError
from dagster_project.lib.lookback import DEFAULT_LOOKBACK_DAYS
from dagster_project.lib.pruning import DEFAULT_KEEP_RUNS



class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Warehouse(_Block):
    engine: StrictStr = "duckdb"
    path: StrictStr | None = None
    serving_path: StrictStr | None = None
    # engine: bigquery only (config_warehouse.py parse_bigquery checks which engine a key belongs to)
    project: StrictStr | None = None
    location: StrictStr | None = None
    dataset_prefix: StrictStr | None = None
    maximum_bytes_billed: Any = None  # a whole number of bytes > 0, checked by _parse_bigquery
    api_endpoint: StrictStr | None = None
    emulator: Any = None  # EMULATOR ONLY (the tests' bqemulator): its workarounds; checked by parse_bigquery
    # either engine: the price per TiB billed that marts.pipeline_runs estimates the run's cost at (config.py)
    price_per_tib_usd: Any = None
    memory_limit: StrictStr | None = None  # engine: duckdb only, e.g. "3GB" (config_warehouse.py parse_memory_limit)


class SourceEntry(_Block):
    uri: StrictStr = Field(min_length=1)
    name: StrictStr | None = None
    endpoint_url: StrictStr | None = None
    format: Literal["cur1", "cur2", "focus"] | None = None
    billing_period: StrictStr | StrictInt | None = None
    url: StrictStr | None = None
    cluster: StrictStr | None = None
    timeout_seconds: pydantic.PositiveFloat | None = Field(default=None, strict=False)
    basic_auth_env: StrictStr | None = None


# a source kind: one folder (a string or an entry) or a list of them
SourceEntries = StrictStr | SourceEntry | list[StrictStr | SourceEntry] | None


class Sources(_Block):
    """`sources:` - one field per source kind (README.md, "Where each source goes")."""

    cur: SourceEntries = None
    opencost: SourceEntries = None
    kubernetes: SourceEntries = None
    llm: SourceEntries = None
    requests: SourceEntries = None
    business: SourceEntries = None


class RunLock(_Block):
    """`run_lock:` - what a second `unitcost run` on the same warehouse does (lib/run_lock.py)."""

    wait_seconds: pydantic.NonNegativeFloat = Field(default=0, strict=False)


class Schedule(_Block):
    """`schedule:` - when the Dagster daemon launches runs (defs/schedules.py, defs/cloud_bill/sensors.py)."""

    cron: StrictStr = "0 6 * * *"  # the daily run (UTC), launching yesterday's partition
    bill_sensor_seconds: StrictInt = Field(default=900, ge=1)  # how often the bill-delivery sensor looks


class Retention(_Block):
    """`retention:` - how many runs' dbt target folders are kept (lib/pruning.py)."""

    keep_runs: StrictInt = Field(default=DEFAULT_KEEP_RUNS, ge=1)


class Report(_Block):
    """`report:` - where the daily report's index.html is written (defs/report/)."""

    path: StrictStr | None = None


class ConfigFile(_Block):
    start_date: date | None = Field(default=None, strict=False)
    currency: StrictStr = "USD"
    lookback_days: StrictInt = Field(default=DEFAULT_LOOKBACK_DAYS, ge=0)
    warehouse: Warehouse | None = None
    sources: Sources | None = None
    # checked by their own parsers (config.py, allocation_policy.py)
    attribution: Any = None
    allocation: Any = None
    anomalies: Any = None
    alerts: Any = None
    run_lock: RunLock | None = None
    schedule: Schedule | None = None
    retention: Retention | None = None
    report: Report | None = None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model whose field (or extra key) `loc` ends in, walking ConfigFile's nested models."""
    model: Any = ConfigFile
    for part in loc[:-1]:
        if not isinstance(part, str) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get(part)
        if field is None:
            continue
        inner = [a for a in _flatten(field.annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        model = inner[0] if inner else None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _flatten(annotation: Any) -> list:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [a for arg in args for a in _flatten(arg)]


def _key(loc: tuple) -> str:
    """`loc` as the file's dotted key (sources.llm[0].uri), without pydantic's names of union members."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _is_member(part):
            out += f".{part}" if out else str(part)
    return out


_MODELS = (ConfigFile, Warehouse, SourceEntry, Sources, RunLock, Retention)


def validate_shape(raw: Any, where: str) -> ConfigFile:
    """`raw` (the parsed YAML) checked against ConfigFile; the first mistake as a ConfigError."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of settings (start_date, warehouse, sources, ...), "
                          f"got {raw!r}")
    try:
        return ConfigFile.model_validate(raw)
    except pydantic.ValidationError as exc:
        errors = exc.errors()
        # a union reports one error per member: the one that went deepest names the real mistake
        error = max(errors, key=lambda e: len([p for p in e["loc"] if not _is_member(p)]))
        key = _key(error["loc"])
        if error["type"] == "extra_forbidden":
            model = _model_at(tuple(p for p in error["loc"] if not _is_member(p)))
            known = ", ".join(model.model_fields) if model else "see docs/configuration.md"
            raise ConfigError(f"{where}: {key}: unknown key (expected one of {known})") from None
        raise ConfigError(f"{where}: {key} is {error.get('input')!r} (expected {_expected(error)})") from None


def _is_member(part: Any) -> bool:
    return isinstance(part, str) and (part in ("str", "int", "float", "bool") or "[" in part
                                      or part in {m.__name__ for m in _MODELS})


def _expected(error: dict) -> str:
    kind = error["type"]
    return {
        "string_type": "a string",
        "int_type": "a whole number",
        "date_from_datetime_parsing": "a date like 2026-10-01",
        "date_parsing": "a date like 2026-10-01",
        "date_type": "a date like 2026-10-01",
        "model_type": "a mapping",
        "dict_type": "a mapping",
        "list_type": "a list",
        "literal_error": error["msg"].removeprefix("Input should be ").replace("'", ""),
    }.get(kind, error["msg"].removeprefix("Input should be "))

