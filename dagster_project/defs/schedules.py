"""The daily run: one job over every asset, and the schedule that launches yesterday's partition."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

DAILY_JOB = "unitcost_daily"


def daily_job(partitions: dg.PartitionsDefinition) -> "dg.JobDefinition":
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        description="Every asset for one UTC day (or a range, as a single-run backfill).",
    )


def daily_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(job=job, cron_schedule="0 6 * * *", execution_timezone="UTC", name="daily_schedule")
    def _daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """At 06:00 UTC, materialize yesterday: the bill and the usage logs of a day are complete by then."""
        day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        return dg.RunRequest(run_key=day, partition_key=day)

    return _daily


def defs(partitions: dg.PartitionsDefinition) -> dg.Definitions:
    job = daily_job(partitions)
    return dg.Definitions(jobs=[job], schedules=[daily_schedule(job)])
