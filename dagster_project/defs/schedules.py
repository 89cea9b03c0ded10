"""The daily run: one job over every asset, the schedule that launches yesterday's partition, and the sensor that
launches the days of a newly delivered bill period (defs/cloud_bill/sensors.py). Both start with the Dagster
daemon (README.md, Running daily); their runs queue one at a time per warehouse (deploy/dagster.yaml)."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from dagster_project.lib.config import UnitcostConfig
from dagster_project.lib.errors import ConfigError
from dagster_project.lib.run_steps import STEP_HOOKS

DAILY_JOB = "unitcost_daily"
SCHEDULE_NAME = "daily_schedule"
# the run queue's key (deploy/dagster.yaml: at most one queued run per value in progress): one run per warehouse
WAREHOUSE_TAG = "unitcost/warehouse"


def daily_job(partitions: dg.PartitionsDefinition, warehouse: str = "") -> "dg.JobDefinition":
    # in one process: the steps share one DuckDB file, which takes one writing process at a time (a step per
    # process, Dagster's default under the daemon, would fail on the file's lock)
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        description="Every asset for one UTC day (or a range, as a single-run backfill).",
        tags={WAREHOUSE_TAG: warehouse} if warehouse else None,
        executor_def=dg.in_process_executor,
        hooks=STEP_HOOKS,  # every step's time, rows and bytes -> raw.pipeline_run_steps (lib/run_steps.py)
    )


def daily_schedule(job, cron: str = "0 6 * * *") -> dg.ScheduleDefinition:
    @dg.schedule(job=job, cron_schedule=cron, execution_timezone="UTC", name=SCHEDULE_NAME,
                 default_status=dg.DefaultScheduleStatus.RUNNING)
    def _daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        """At `schedule.cron` (06:00 UTC), materialize yesterday: a day's bill and usage logs are complete by then."""
        day = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        return dg.RunRequest(run_key=day, partition_key=day)

    return _daily


def defs(partitions: dg.DailyPartitionsDefinition, config: UnitcostConfig) -> dg.Definitions:
    """The daily job (its runs tagged with the warehouse they write), its schedule and the bill-delivery sensor."""
    from dagster_project.defs.cloud_bill.sensors import bill_delivery_sensor

    job = daily_job(partitions, str(config.warehouse_path))
    try:
        schedule = daily_schedule(job, config.schedule_cron)
    except dg.DagsterInvalidDefinitionError as exc:
        raise ConfigError(f"{config.path or 'the built-in default config'}: schedule.cron "
                          f"{config.schedule_cron!r} is not a cron expression ({exc})") from exc
    return dg.Definitions(jobs=[job], schedules=[schedule],
                          sensors=[bill_delivery_sensor(job, partitions, config.bill_sensor_seconds)])
