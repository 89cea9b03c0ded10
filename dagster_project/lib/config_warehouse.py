"""The `warehouse:` block's engine settings (docs/configuration.md, "Warehouse"; README.md, Running on BigQuery):
which engine, BigQuery's project and datasets, DuckDB's memory limit, and the price per TiB the pipeline's own cost
is estimated at. config.py parses the rest of the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dagster_project.lib.errors import ConfigError

# BigQuery on-demand analysis, USD per TiB billed (US and EU multi-regions, 2026 list price)
DEFAULT_PRICE_PER_TIB_USD = Decimal("6.25")


@dataclass(frozen=True)
class BigQueryConfig:
    """`warehouse:` with `engine: bigquery` (docs/configuration.md, Running on BigQuery). Every layer is the dataset
    <dataset_prefix><layer> of `project` (raw, staging, intermediate, reference, marts_build, marts). Credentials come
    from the standard Google chain (Application Default Credentials), never from here."""

    project: str
    location: str = "US"
    dataset_prefix: str = "unitcost_"
    maximum_bytes_billed: int | None = None  # per query job and dbt model; None: the project's own limit
    api_endpoint: str | None = None  # another endpoint than Google's (a BigQuery API on loopback in the tests)
    # EMULATOR ONLY (tests): work around the bqemulator's defects (README.md, Running on BigQuery); never for BigQuery
    emulator: bool = False

    def dataset(self, layer: str) -> str:
        return f"{self.dataset_prefix}{layer}"

    def dbt_vars(self) -> dict[str, Any]:
        """What dbt/profiles.yml's bigquery target and the macro generate_schema_name read."""
        out = {"dataset_prefix": self.dataset_prefix, "bq_project": self.project, "bq_location": self.location,
               "bq_maximum_bytes_billed": self.maximum_bytes_billed, "bq_api_endpoint": self.api_endpoint}
        if self.emulator:  # EMULATOR ONLY: the dbt macros' workarounds (dbt/macros/emulator.sql, money.sql)
            out["bq_emulator"] = True
        return out


# DuckDB's own default is 80 % of the machine's RAM, held as cache even when a step needs far less; the pipeline's
# default keeps it to this (each DuckDB instance: the pipeline's and dbt's), spilling to disk beyond it. A month of
# a 500-tenant company ran as fast with it as without (BENCHMARKS.md, M).
DEFAULT_MEMORY_LIMIT = "2GB"
_MEMORY_LIMIT = re.compile(r"[0-9]+(\.[0-9]+)? ?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")


def parse_memory_limit(where: str, wh: dict[str, Any]) -> str | None:
    """`warehouse.memory_limit`: how much memory DuckDB may use before it spills to disk (engine: duckdb)."""
    limit = wh.get("memory_limit")
    if limit is None:
        return DEFAULT_MEMORY_LIMIT if wh.get("engine", "duckdb") == "duckdb" else None
    if wh.get("engine", "duckdb") != "duckdb":
        raise ConfigError(f"{where}: warehouse.memory_limit is for engine: duckdb")
    if not isinstance(limit, str) or not _MEMORY_LIMIT.fullmatch(limit.strip()):
        raise ConfigError(f"{where}: warehouse.memory_limit must be an amount like 3GB or 2500MiB, not {limit!r}")
    return limit.strip()


_BIGQUERY_KEYS = ("project", "location", "dataset_prefix", "maximum_bytes_billed", "api_endpoint", "emulator")


def parse_bigquery(where: str, wh: dict[str, Any]) -> BigQueryConfig | None:
    """`warehouse.engine`: duckdb (None) or bigquery (its settings); a BigQuery key under duckdb is an error."""
    engine = wh.get("engine", "duckdb")
    if engine not in ("duckdb", "bigquery"):
        raise ConfigError(f"{where}: warehouse.engine {engine!r} is not supported (duckdb, bigquery)")
    given = [key for key in _BIGQUERY_KEYS if key in wh]
    if engine == "duckdb":
        if given:
            raise ConfigError(f"{where}: warehouse.{given[0]} is for engine: bigquery")
        return None
    if not wh.get("project"):
        raise ConfigError(f"{where}: warehouse.project: the Google Cloud project (engine: bigquery)")
    prefix = str(wh.get("dataset_prefix", BigQueryConfig.dataset_prefix))
    if not prefix.replace("_", "a").isalnum() and prefix:
        raise ConfigError(f"{where}: warehouse.dataset_prefix may hold letters, digits and _ only")
    limit = wh.get("maximum_bytes_billed")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise ConfigError(f"{where}: warehouse.maximum_bytes_billed must be a whole number of bytes > 0")
    emulator = wh.get("emulator", False)
    if not isinstance(emulator, bool):
        raise ConfigError(f"{where}: warehouse.emulator must be true or false")
    if emulator and not wh.get("api_endpoint"):
        raise ConfigError(f"{where}: warehouse.emulator is for a BigQuery API on loopback (set api_endpoint)")
    return BigQueryConfig(
        project=str(wh["project"]), location=str(wh.get("location", BigQueryConfig.location)), dataset_prefix=prefix,
        maximum_bytes_billed=limit, api_endpoint=str(wh["api_endpoint"]) if wh.get("api_endpoint") else None, emulator=emulator,
    )
