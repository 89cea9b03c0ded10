"""The daily run: one job over every asset, and the schedule that launches yesterday's partition."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from dagster_project.lib.run_steps import STEP_HOOKS

DAILY_JOB = "unitcost_daily"
# the run queue's key (deploy/dagster.yaml: at most one queued run per value in progress): one run per warehouse
WAREHOUSE_TAG = "unitcost/warehouse"


def daily_job(partitions: dg.PartitionsDefinition, warehouse: str = "") -> "dg.JobDefinition":
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        description="Every asset for one UTC day (or a range, as a single-run backfill).",
        tags={WAREHOUSE_TAG: warehouse} if warehouse else None,
        hooks=STEP_HOOKS,  # every step's time, rows and bytes -> raw.pipeline_run_steps (lib/run_steps.py)
    )


def daily_schedule(job) -> dg.ScheduleDefinition:
    @dg.schedule(job=job, cron_schedule="0 6 * * *", execution_timezone="UTC", name="daily_schedule")
    def _daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """At 06:00 UTC, materialize yesterday: the bill and the usage logs of a day are complete by then."""
        day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        return dg.RunRequest(run_key=day, partition_key=day)

    return _daily


def defs(partitions: dg.PartitionsDefinition, warehouse: str = "") -> dg.Definitions:
    """The daily job (its runs tagged with the warehouse they write) and its schedule."""
    job = daily_job(partitions, warehouse)
    return dg.Definitions(jobs=[job], schedules=[daily_schedule(job)])
