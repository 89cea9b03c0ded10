"""The one YAML file that says where everything is (docs/configuration.md).

`find_config_path` is the only place that looks for it: an explicit path (`--config`), else $UNITCOST_CONFIG, else
./unitcost.yaml. Without any of them the built-in default (`default_config`) applies: no sources, a DuckDB file under
./warehouse, so that `dg check defs` and `unitcost check` work in a fresh clone. Relative paths inside the file are
relative to the file's folder. Secrets are never read from here.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from dagster_project.lib.allocation_policy import AllocationPolicy, parse_allocation
from dagster_project.lib.config_schema import Schedule, Sources, validate_shape
from dagster_project.lib.config_warehouse import (
    DEFAULT_PRICE_PER_TIB_USD,
    BigQueryConfig,
    parse_bigquery,
    parse_memory_limit,
)
from dagster_project.lib.errors import ConfigError
from dagster_project.lib.lookback import DEFAULT_LOOKBACK_DAYS
from dagster_project.lib.pruning import DEFAULT_KEEP_RUNS

CONFIG_ENV = "UNITCOST_CONFIG"
CONFIG_FILE_NAME = "unitcost.yaml"
SOURCE_KINDS = tuple(Sources.model_fields)
DEFAULT_START_DATE = date(2026, 1, 1)
DEFAULT_REPORT_FOLDER = "report"



@dataclass(frozen=True)
class SourceConfig:
    kind: str
    uri: str
    name: str
    endpoint_url: str | None = None
    format: str | None = None  # bills only: cur1 | cur2 | focus, for a bare file without a manifest
    billing_period: str | None = None
    # opencost only: pull each day from this OpenCost API into the landing folder `uri` (docs/configuration.md)
    url: str | None = None
    cluster: str | None = None  # the cluster the pulled files are filed under (required with url)
    timeout_seconds: float = 120.0
    basic_auth_env: str | None = None  # opencost pull: the environment variable holding user:password


@dataclass(frozen=True)
class Attribution:
    """The keys that name a dollar's owner. Each is a list: on a row (a pod's labels, a bill row's tags) the first key
    present wins, so one config serves providers that tag differently (`[business_unit, org]`)."""

    tenant_label: tuple[str, ...] = ("tenant",)
    feature_label: tuple[str, ...] = ("feature",)
    tenant_tag: tuple[str, ...] = ("user_tenant",)
    feature_tag: tuple[str, ...] = ("user_feature",)


@dataclass(frozen=True)
class AnomalyThresholds:
    """`anomalies:` - what marts.cost_anomalies flags (docs/marts.md). A key left out keeps the dbt project's
    default (dbt_project.yml vars anomaly_alert_ratio 1.5, anomaly_kill_switch_ratio 4, anomaly_min_daily_usd 1.00),
    the one place those numbers are written."""

    alert_ratio: Decimal | None = None
    kill_switch_ratio: Decimal | None = None
    min_daily_usd: Decimal | None = None

    def dbt_vars(self) -> dict[str, str]:
        return {f"anomaly_{name}": str(value) for name, value in vars(self).items() if value is not None}


@dataclass(frozen=True)
class AlertsConfig:
    """`alerts:` - where new kill switches, alerts and budgets at risk are posted (docs/configuration.md). A Slack
    webhook URL is a secret: name the environment variable that holds it (`webhook_url_env`); `webhook_url` is for
    an endpoint that is not one. Neither is ever logged."""

    webhook_url: str | None = None
    webhook_url_env: str | None = None
    timeout_seconds: float = 10.0

    def webhook(self) -> str | None:
        """The URL to post to, or None when no webhook is configured (or its variable is unset or empty)."""
        if self.webhook_url_env:
            return os.environ.get(self.webhook_url_env) or None
        return self.webhook_url


@dataclass(frozen=True)
class UnitcostConfig:
    path: Path | None  # None: the built-in default
    base_dir: Path
    start_date: date
    currency: str
    engine: str
    warehouse_path: Path
    serving_path: Path
    attribution: Attribution
    allocation: AllocationPolicy
    sources: dict[str, list[SourceConfig]] = field(default_factory=dict)
    anomalies: AnomalyThresholds = field(default_factory=AnomalyThresholds)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    lookback_days: int = DEFAULT_LOOKBACK_DAYS  # how late a call or request sample may land (lib/lookback.py)
    run_lock_wait_seconds: float = 0.0  # how long a second run waits for the warehouse's run lock (lib/run_lock.py)
    keep_runs: int = DEFAULT_KEEP_RUNS  # dbt target folders kept (lib/pruning.py)
    schedule_cron: str = Schedule().cron  # `schedule.cron`: when the daily run starts (UTC; defs/schedules.py)
    bill_sensor_seconds: int = Schedule().bill_sensor_seconds  # how often the bill-delivery sensor looks
    report_path: Path | None = None  # `report.path`: the daily report's folder (None: <base_dir>/report)
    bigquery: BigQueryConfig | None = None  # set when warehouse.engine is bigquery
    # warehouse.price_per_tib_usd: what marts.pipeline_runs prices a run's billed bytes at (BigQuery on-demand)
    price_per_tib_usd: Decimal = DEFAULT_PRICE_PER_TIB_USD
    memory_limit: str | None = None  # `warehouse.memory_limit`: DuckDB's memory_limit for every connection; None: its own

    @property
    def report_folder(self) -> Path:
        return self.report_path or self.base_dir / DEFAULT_REPORT_FOLDER

    def sources_of(self, kind: str) -> list[SourceConfig]:
        return self.sources.get(kind, [])

    def dbt_vars(self) -> dict[str, Any]:
        """What dbt needs from the config: the owner keys, the currency, and where the warehouse file is."""
        a = self.attribution
        return {
            "tenant_label": list(a.tenant_label),
            "feature_label": list(a.feature_label),
            "tenant_tag": list(a.tenant_tag),
            "feature_tag": list(a.feature_tag),
            "currency": self.currency,
            "duckdb_path": str(self.warehouse_path),
            **self.anomalies.dbt_vars(),
            **(self.bigquery.dbt_vars() if self.bigquery else {}),
            "price_per_tib_usd": str(self.price_per_tib_usd),
            # dbt/profiles.yml passes these to DuckDB as settings
            **({"duckdb_settings": {"memory_limit": self.memory_limit}} if self.memory_limit else {}),
        }


def find_config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The config file to use: explicit, else $UNITCOST_CONFIG, else ./unitcost.yaml if it exists, else None."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).resolve()
    local = Path.cwd() / CONFIG_FILE_NAME
    return local.resolve() if local.exists() else None


def _resolve(base: Path, value: str) -> str:
    if value.startswith("s3://"):
        return value
    p = Path(value)
    return str(p if p.is_absolute() else (base / p).resolve())


def _parse_sources(base: Path, raw: Any) -> dict[str, list[SourceConfig]]:
    out: dict[str, list[SourceConfig]] = {}
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise ConfigError("sources: expected a mapping of source kind -> {uri: ...}")
    for kind, entries in raw.items():
        if kind not in SOURCE_KINDS:
            raise ConfigError(f"sources.{kind}: unknown source kind (expected one of {', '.join(SOURCE_KINDS)})")
        if entries is None:
            continue
        items = entries if isinstance(entries, list) else [entries]
        parsed = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                item = {"uri": item}
            if not isinstance(item, dict) or not item.get("uri"):
                raise ConfigError(f"sources.{kind}[{i}]: expected a mapping with a 'uri'")
            default_name = kind if len(items) == 1 else f"{kind}_{i + 1}"
            if item.get("url") and (kind != "opencost" or not item.get("cluster")):
                raise ConfigError(f"sources.{kind}[{i}]: 'url' is for an opencost entry, with the 'cluster' its "
                                  "pulled files are filed under")
            if item.get("url") and urllib.parse.urlsplit(str(item["url"])).username is not None:
                # the URL itself is not echoed: it holds a secret
                raise ConfigError(f"sources.{kind}[{i}].url: credentials do not belong in the config file; put "
                                  "user:password in an environment variable and name it in basic_auth_env")
            parsed.append(
                SourceConfig(
                    kind=kind,
                    uri=_resolve(base, str(item["uri"])),
                    name=str(item.get("name") or default_name),
                    endpoint_url=item.get("endpoint_url"),
                    format=item.get("format"),
                    billing_period=str(item["billing_period"]) if item.get("billing_period") else None,
                    url=str(item["url"]).rstrip("/") if item.get("url") else None,
                    cluster=str(item["cluster"]) if item.get("cluster") else None,
                    timeout_seconds=float(item.get("timeout_seconds") or 120.0),
                    basic_auth_env=str(item["basic_auth_env"]) if item.get("basic_auth_env") else None,
                )
            )
        out[kind] = parsed
    return out


def _owner_keys(where: str, name: str, value: Any) -> tuple[str, ...]:
    """`attribution.<name>`: one key or a non-empty list of keys, in the order they are tried."""
    keys = value if isinstance(value, list) else [value]
    if not keys or not all(isinstance(k, (str, int)) and not isinstance(k, bool) and str(k).strip() for k in keys):
        raise ConfigError(
            f"{where}: attribution.{name} must be a key or a list of keys (e.g. [business_unit, org]), got {value!r}"
        )
    return tuple(str(k) for k in keys)


def _parse_attribution(where: str, raw: Any) -> Attribution:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: attribution: expected a mapping of key name -> key or list of keys")
    known = Attribution.__dataclass_fields__
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ConfigError(f"{where}: attribution.{unknown[0]}: unknown key (expected one of {', '.join(known)})")
    return Attribution(**{name: _owner_keys(where, name, value) for name, value in raw.items()})


def _decimal(where: str, key: str, value: Any, minimum: Decimal, strict: bool) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ConfigError(f"{where}: {key} must be a number, not {value!r}") from exc
    if not number.is_finite() or number < minimum or (strict and number == minimum):
        raise ConfigError(f"{where}: {key} must be {'>' if strict else '>='} {minimum}, not {value!r}")
    return number


def _block(where: str, name: str, raw: Any, known: tuple[str, ...]) -> dict[str, Any]:
    """The mapping under the top-level key `name` ({} when absent); an unknown key in it is an error naming it."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: {name}: expected a mapping ({', '.join(known)})")
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}: {name}.{key}: unknown key (expected one of {', '.join(known)})")
    return raw


def _parse_anomalies(where: str, raw: Any) -> AnomalyThresholds:
    known = ("alert_ratio", "kill_switch_ratio", "min_daily_usd")
    raw = _block(where, "anomalies", raw, known)
    values = {
        key: _decimal(where, f"anomalies.{key}", raw[key], Decimal(1) if key != "min_daily_usd" else Decimal(0),
                      strict=False)
        for key in known if raw.get(key) is not None
    }
    alert, kill_switch = values.get("alert_ratio"), values.get("kill_switch_ratio")
    if alert is not None and kill_switch is not None and kill_switch < alert:
        raise ConfigError(f"{where}: anomalies.kill_switch_ratio must be >= anomalies.alert_ratio")
    return AnomalyThresholds(**values)


def _parse_alerts(where: str, raw: Any) -> AlertsConfig:
    raw = _block(where, "alerts", raw, ("webhook_url_env", "webhook_url", "timeout_seconds"))
    url, env = raw.get("webhook_url"), raw.get("webhook_url_env")
    if url and env:
        raise ConfigError(f"{where}: alerts: give webhook_url_env or webhook_url, not both")
    if url and not str(url).startswith(("http://", "https://")):
        # the value is not echoed: it may be a secret pasted into the wrong key
        raise ConfigError(f"{where}: alerts.webhook_url must be an http:// or https:// URL")
    timeout = raw.get("timeout_seconds", AlertsConfig.timeout_seconds)
    return AlertsConfig(
        webhook_url=str(url) if url else None,
        webhook_url_env=str(env) if env else None,
        timeout_seconds=float(_decimal(where, "alerts.timeout_seconds", timeout, Decimal(0), strict=True)),
    )


def _parse_report(where: str, base: Path, raw: Any) -> Path:
    """`report:` - the folder the daily report's index.html is written to, relative to the config's folder."""
    folder = _block(where, "report", raw, ("path",)).get("path") or DEFAULT_REPORT_FOLDER
    if not isinstance(folder, str):
        raise ConfigError(f"{where}: report.path must be a folder path, not {folder!r}")
    return Path(_resolve(base, folder))


def parse_config(raw: dict[str, Any], base: Path, path: Path | None = None) -> UnitcostConfig:
    """A config from its parsed YAML, its shape checked as a whole first (config_schema.py); relative paths resolve
    from `base`."""
    where = str(path) if path else "the built-in default config"
    shape = validate_shape(raw, where)
    try:
        start = raw.get("start_date", DEFAULT_START_DATE if path is None else None)
        start_date = start if isinstance(start, date) else date.fromisoformat(str(start))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: start_date must be a date like 2026-10-01") from exc
    wh = raw.get("warehouse") or {}
    engine = wh.get("engine", "duckdb")
    bigquery = parse_bigquery(where, wh)
    wpath = Path(_resolve(base, wh.get("path", "warehouse/unitcost.duckdb")))
    spath = Path(_resolve(base, wh.get("serving_path", str(wpath.with_name(wpath.stem + "_serving.duckdb")))))
    attr = raw.get("attribution") or {}
    return UnitcostConfig(
        path=path,
        base_dir=base,
        start_date=start_date,
        currency=str(raw.get("currency", "USD")).upper(),
        engine=engine,
        warehouse_path=wpath,
        serving_path=spath,
        attribution=_parse_attribution(where, attr),
        allocation=parse_allocation(raw.get("allocation"), where),
        sources=_parse_sources(base, raw.get("sources")),
        anomalies=_parse_anomalies(where, raw.get("anomalies")),
        alerts=_parse_alerts(where, raw.get("alerts")),
        lookback_days=shape.lookback_days,
        run_lock_wait_seconds=shape.run_lock.wait_seconds if shape.run_lock else 0.0,
        keep_runs=shape.retention.keep_runs if shape.retention else DEFAULT_KEEP_RUNS,
        schedule_cron=(shape.schedule or Schedule()).cron,
        bill_sensor_seconds=(shape.schedule or Schedule()).bill_sensor_seconds,
        report_path=_parse_report(where, base, raw.get("report")),
        bigquery=bigquery,
        price_per_tib_usd=_decimal(where, "warehouse.price_per_tib_usd",
                                   wh.get("price_per_tib_usd", DEFAULT_PRICE_PER_TIB_USD), Decimal(0), False),
        memory_limit=parse_memory_limit(where, wh),
    )


def load_config(path: str | os.PathLike) -> UnitcostConfig:
    """The config in `path` (an error naming the file when it is missing or not valid YAML)."""
    path = Path(path).resolve()
    if not path.exists():
        raise ConfigError(
            f"{path}: no unitcost config found (pass --config FILE, set {CONFIG_ENV}, or create ./{CONFIG_FILE_NAME}; "
            "`unitcost generate --out DIR` writes one)"
        )
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if "start_date" not in raw:
        raise ConfigError(f"{path}: start_date must be a date like 2026-10-01")
    return parse_config(raw, path.parent, path)


def default_config(base: Path | None = None) -> UnitcostConfig:
    """No sources, start_date 2026-01-01, the warehouse under <base>/warehouse (base: the working directory)."""
    return parse_config({}, (base or Path.cwd()).resolve())
