"""New kill-switch candidates, cost alerts and budgets at risk, each posted once to the configured webhook after the
serving copy is published (docs/marts.md, Alerts).

What was posted is remembered in the pipeline's warehouse (alerts.webhook_deliveries, one row per alert key), so a
re-run, a backfill or the next day never posts the same row twice; a row is recorded right after its post
succeeds. A post that fails stops the step (the run shows it): what was posted stays recorded, the rest waits for
the next run. Without a webhook configured nothing is posted and nothing is recorded."""


import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from dagster_project.defs.alerts import webhook
from dagster_project.defs.resources import UnitcostConfigResource

DELIVERIES = "alerts.webhook_deliveries"

ANOMALIES = """
    select usage_date, scope_type, scope_id, cost_usd, trailing_7d_avg_usd, ratio, severity
    from marts.cost_anomalies
    where severity in ('kill_switch', 'alert')
    order by usage_date, severity desc, scope_type, scope_id
"""

BUDGETS = """
    select usage_quarter, feature_id, scope, budget_usd, spend_to_date_usd, projected_spend_usd,
           projected_pct_of_budget, as_of_date, status
    from marts.budget_burn_quarterly
    where status in ('over', 'at_risk')
    order by usage_quarter, status desc, feature_id, scope
"""


def _dicts(con: duckdb_lib.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def ensure_deliveries(con: duckdb_lib.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists alerts")
    con.execute(f"create table if not exists {DELIVERIES} (alert_key varchar primary key, kind varchar, "
                "message varchar, posted_at timestamp with time zone)")


def pending_alerts(con: duckdb_lib.DuckDBPyConnection) -> list[tuple[str, str, str, dict]]:
    """(kind, alert key, text, row) of every alerting row of the marts not posted yet."""
    ensure_deliveries(con)
    posted = {key for (key,) in con.execute(f"select alert_key from {DELIVERIES}").fetchall()}
    alerts = [("anomaly", webhook.anomaly_key(r), webhook.anomaly_text(r), r) for r in _dicts(con, ANOMALIES)]
    alerts += [("budget", webhook.budget_key(r), webhook.budget_text(r), r) for r in _dicts(con, BUDGETS)]
    return [a for a in alerts if a[1] not in posted]


def webhook_posts(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, unitcost: UnitcostConfigResource
) -> dg.MaterializeResult:
    settings = unitcost.config.alerts
    url = settings.webhook()
    if unitcost.config.bigquery is not None:  # the alert marts are on BigQuery: not read from there yet
        context.log.warning("warehouse.engine bigquery: webhook alerts are not posted (README.md, Running on BigQuery)")
        return dg.MaterializeResult(metadata={"posted": 0, "webhook": "not on bigquery"})
    with duckdb.get_connection() as con:
        pending = pending_alerts(con)
        if url is None:
            context.log.info(f"no alert webhook configured (alerts.webhook_url_env / webhook_url): "
                             f"{len(pending)} alert(s) not posted")
            return dg.MaterializeResult(metadata={"posted": 0, "not_posted": len(pending), "webhook": "none"})
        for posted, (kind, key, text, row) in enumerate(pending):
            try:
                webhook.post(url, webhook.payload(kind, key, text, row), settings.timeout_seconds)
            except webhook.WebhookError as exc:
                raise dg.Failure(description=f"{exc}: {posted} of {len(pending)} new alerts posted, the rest wait "
                                             "for the next run", metadata={"posted": posted}) from None
            con.execute(f"insert into {DELIVERIES} values (?, ?, ?, current_timestamp)", [key, kind, text])
    context.log.info(f"posted {len(pending)} new alert(s) to the webhook")
    return dg.MaterializeResult(metadata={"posted": len(pending), "webhook": "configured"})


def alert_assets(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    return dg.asset(
        key=["alerts", "webhook_posts"],
        deps=[dg.AssetKey(["serving", "marts_copy"])],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="alerts",
        kinds={"duckdb"},
        pool="warehouse_writer",
        description="Posts each new kill switch, cost alert and budget at risk once to the alerts webhook.",
    )(webhook_posts)
