"""Every model compiles for BigQuery (`dbt compile --target bigquery`, offline) and its SQL is BigQuery's: parsed with
sqlglot (read='bigquery'), and free of the DuckDB-only constructs the BigQuery API on loopback would let through
(it runs the SQL on DuckDB). Both branches of every incremental model are compiled: a first build and a daily run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlglot import exp
from sqlglot.tokens import TokenType

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
COMPILE = Path(__file__).resolve().with_name("bigquery_compile.py")

# type names and operators DuckDB reads and BigQuery refuses (BigQuery: FLOAT64, STRING, backslash-escaped LIKE,
# DIV(); TIMESTAMPTZ is TIMESTAMP there)
DUCKDB_ONLY_TOKENS = {"double", "varchar", "hugeint", "timestamptz", "real", "text", "escape", "::", "//", "ilike"}
# functions sqlglot does not know as BigQuery's; each is one BigQuery has (checked against its function reference)
BIGQUERY_FUNCTIONS = {"farm_fingerprint", "json_keys", "generate_date_array", "parse_json"}


def fake_service_account_key(path: Path) -> Path:
    """A well-formed service-account key that can fetch no token (its token URI is a closed port on loopback):
    dbt-bigquery wants credentials to start; compiling never uses them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "unitcost-offline", "private_key_id": "0", "private_key": pem,
        "client_email": "compile@unitcost-offline.iam.gserviceaccount.com", "client_id": "0",
        "token_uri": "http://127.0.0.1:9/token",
    }))
    return path


def compile_for_bigquery(tmp_path: Path, mode: str) -> dict[str, dict]:
    """{model name: manifest node, with its compiled BigQuery SQL} of every model, as a first build (`first`) or a
    daily run (`incremental`) of 2026-01-03 .. 2026-01-04."""
    target = tmp_path / mode
    env = {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": str(fake_service_account_key(tmp_path / "key.json"))}
    proc = subprocess.run(
        [sys.executable, str(COMPILE), mode, "compile", "--target", "bigquery", "--no-populate-cache",
         "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(target),
         "--log-path", str(tmp_path / "logs"), "--select", "resource_type:model",
         "--vars", json.dumps({"start_date": "2026-01-03", "end_date": "2026-01-04"})],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def duckdb_only_constructs(sql: str) -> list[str]:
    """What in `sql` BigQuery would refuse: a parse error, a DuckDB-only type or operator, a function BigQuery lacks,
    a DECIMAL wider than NUMERIC (29 digits before the point, 9 after)."""
    try:
        trees = sqlglot.parse(sql, read="bigquery", error_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        return [f"parse error: {str(exc)[:300]}"]
    found = [t.text for t in sqlglot.tokenize(sql, read="bigquery")
             if t.token_type not in (TokenType.STRING, TokenType.IDENTIFIER) and t.text.lower() in DUCKDB_ONLY_TOKENS]
    for tree in filter(None, trees):
        found += [f"function {f.name}" for f in tree.find_all(exp.Anonymous) if f.name.lower() not in BIGQUERY_FUNCTIONS]
        for dt in tree.find_all(exp.DataType):
            if dt.this == exp.DataType.Type.DECIMAL and len(dt.expressions) == 2:
                precision, scale = (int(e.name) for e in dt.expressions)
                if precision - scale > 29 or scale > 9:
                    found.append(f"decimal({precision}, {scale}) is no NUMERIC on BigQuery")
    return found


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, dict[str, dict]]:
    tmp = tmp_path_factory.mktemp("bigquery-compile")
    return {mode: compile_for_bigquery(tmp, mode) for mode in ("first", "incremental")}


def test_every_model_compiles_to_bigquery_sql(compiled):
    models = {p.stem for p in (DBT_DIR / "models").rglob("*.sql")}
    for mode, nodes in compiled.items():
        assert set(nodes) == models, mode
        problems = {name: found for name, node in nodes.items()
                    if (found := duckdb_only_constructs(node["compiled_code"]))}
        assert problems == {}, mode


def test_incremental_models_overwrite_the_run_windows_day_partitions(compiled):
    """On BigQuery a daily run overwrites the window's day partitions (a trailing-week mart: 7 days more); DuckDB's
    delete-then-append pre-hook is not there."""
    incremental = {name: node["config"] for name, node in compiled["incremental"].items()
                   if node["config"]["materialized"] == "incremental"}
    assert {"cost_ledger", "allocation_breakdown", "bill_reconciliation_daily", "cost_anomalies"} <= set(incremental)
    for name, config in incremental.items():
        assert config["incremental_strategy"] == "insert_overwrite", name
        assert config["partition_by"] == {"field": "usage_date", "data_type": "date", "granularity": "day"}, name
        assert config["pre-hook"] == [], name
    assert incremental["cost_ledger"]["partitions"] == ["date '2026-01-03'", "date '2026-01-04'"]
    assert len(incremental["cost_anomalies"]["partitions"]) == 2 + 7


@pytest.mark.parametrize("sql, construct", [
    ("select cast(x as double) from t", "double"),
    ("select x from t where name like '%\\_\\_idle%' escape '\\'", "parse error"),
    ("select cast(x as decimal(38, 0)) from t", "decimal(38, 0)"),
    ("select list_value(1, 2) from t", "function"),
    ("select x::varchar from t", "::"),
])
def test_the_check_finds_duckdb_only_sql(sql, construct):
    assert any(construct in found.lower() for found in duckdb_only_constructs(sql)), duckdb_only_constructs(sql)


def test_bigquery_sql_passes_the_check():
    assert duckdb_only_constructs(
        "select cast(x as float64), div(a, b), farm_fingerprint(to_json_string(struct(a, b))), "
        "cast(y as bignumeric), cast(z as numeric) from t where name like 'RunInstances%'") == []
