from datetime import timedelta

import dagster as dg

from dagster_project.lib.project import daily_partitions

daily_job = dg.define_asset_job(
    "unitcost_daily",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions(),
    description="Every asset for one UTC day (or a range, as a single-run backfill).",
)


@dg.schedule(job=daily_job, cron_schedule="0 6 * * *", execution_timezone="UTC")
def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 06:00 UTC, materialize yesterday: the bill and the usage logs of a day are complete by then."""
    day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return dg.RunRequest(run_key=day, partition_key=day)
