"""The bill-delivery sensor: a new delivery of a CUR billing period (a month restated after month end, a period
delivered for the first time, a file rewritten in place) launches a run of that period's days, without waiting for
the daily schedule.

What it reads: the landing zone only (each configured `cur` source's manifests and file fingerprints, as the bill
asset sees them: ingest/cloud_bill/deliveries.py). It never opens the warehouse, so it neither waits for a run's
DuckDB lock nor writes anything; the launched run loads the delivery (defs/cloud_bill/loading.py).

Its cursor is the fingerprint of every delivery it has seen, per (source, billing period, export). The first
evaluation only notes them: what was already there is the daily schedule's and the user's backfills' to load.
Every later evaluation launches, per delivery whose fingerprint is new, ONE run over the period's days (clipped to
the partitions: start_date .. yesterday), a single-run backfill rather than one run per day: the bill's unit of
replacement is the whole period, so one run loads it once and one dbt invocation rebuilds its days, where a run
per day would reload nothing after the first and rebuild the whole month once per day, each behind the other in
the warehouse's run queue. The run's partitions are the days Dagster shows as re-materialized by the restatement.

Manifest-less sources (a folder of FOCUS files, a bare CUR file) carry no delivery identity to watch: they are
loaded by the next daily run, as before.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg

from dagster_project.cli import RANGE_END_TAG, RANGE_START_TAG
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.lib.config import SourceConfig
from ingest.cloud_bill.deliveries import (
    Delivery,
    current_fingerprint,
    find_cur1_deliveries,
    find_cur2_deliveries,
)
from ingest.cloud_bill.files import file_fingerprints
from ingest.errors import LandingFileError
from ingest.landing import Landing

SENSOR_NAME = "bill_delivery_sensor"
DELIVERY_TAG = "unitcost/bill_delivery"  # on each launched run: which delivery launched it


def watched_deliveries(source: SourceConfig) -> tuple[dict[str, tuple[Delivery, str]], list[str]]:
    """The current delivery of every billing period of one `cur` source, by cursor key, with its fingerprint; and
    the problems found (a broken manifest: its period is left out, so it launches once it is fixed)."""
    fmt = (source.format or "").lower() or None
    if source.billing_period or fmt not in (None, "cur1", "cur2", "focus"):
        return {}, []  # one bare file (no manifest), or a format the bill asset refuses with its own message
    landing = Landing(source.uri, endpoint_url=source.endpoint_url)
    if landing.is_empty():
        return {}, []
    errors: list[LandingFileError] = []
    deliveries = find_cur2_deliveries(landing, errors) if fmt in (None, "cur2", "focus") else []
    if not deliveries and fmt in (None, "cur1"):
        deliveries = find_cur1_deliveries(landing, errors)
    fingerprints = file_fingerprints(landing) if deliveries else {}
    out = {}
    for delivery in deliveries:
        key = f"{source.name}|{delivery.billing_period}|{delivery.name or ''}|{delivery.bill_format}"
        out[key] = (delivery, current_fingerprint(delivery, fingerprints))
    return out, [str(e) for e in errors]


def period_days(period: str, first_day: date, last_day: date) -> tuple[date, date] | None:
    """The days of billing period YYYY-MM within first_day .. last_day (the partitions), or None when none is."""
    start = date.fromisoformat(f"{period}-01")
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    start, end = max(start, first_day), min(end, last_day)
    return (start, end) if start <= end else None


def bill_delivery_sensor(job: dg.JobDefinition, partitions: dg.DailyPartitionsDefinition,
                         interval_seconds: int) -> dg.SensorDefinition:
    @dg.sensor(name=SENSOR_NAME, job=job, minimum_interval_seconds=interval_seconds,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="A new delivery of a CUR billing period launches one run over the period's days.")
    def _sensor(context: dg.SensorEvaluationContext, unitcost: UnitcostConfigResource):
        seen: dict[str, str] | None = json.loads(context.cursor) if context.cursor else None
        current: dict[str, tuple[Delivery, str]] = {}
        for source in unitcost.config.sources_of("cur"):
            try:
                found, problems = watched_deliveries(source)
            except LandingFileError as exc:  # e.g. S3 unreachable: its deliveries keep their last fingerprints
                found, problems = {}, [str(exc)]
            current.update(found)
            for problem in problems:
                context.log.warning(f"bill source '{source.name}': {problem}")
        fingerprints = {key: fp for key, (_, fp) in current.items()}
        if seen is None:
            context.update_cursor(json.dumps(fingerprints, sort_keys=True))
            return dg.SkipReason(f"first evaluation: {len(current)} bill deliveries noted; new ones launch runs")
        # a period whose manifest broke keeps its last fingerprint, so its fixed delivery still counts as new
        kept = {key: fp for key, fp in seen.items() if key not in current}
        last_key = partitions.get_last_partition_key()
        requests, outside = [], []
        for key, (delivery, fingerprint) in sorted(current.items()):
            if seen.get(key) == fingerprint:
                continue
            days = period_days(delivery.billing_period, date.fromisoformat(partitions.get_first_partition_key()),
                               date.fromisoformat(last_key) if last_key else date.min)
            if days is None:
                outside.append(f"{key} (no complete day within the partitions)")
                continue
            requests.append(dg.RunRequest(
                run_key=f"{key}|{fingerprint}",
                tags={RANGE_START_TAG: days[0].isoformat(), RANGE_END_TAG: days[1].isoformat(),
                      DELIVERY_TAG: f"{key.split('|')[0]} {delivery.billing_period} {delivery.delivery_id}"},
            ))
        context.update_cursor(json.dumps({**kept, **fingerprints}, sort_keys=True))
        if requests:
            return requests
        return dg.SkipReason("no new bill delivery" + (f"; not launched: {', '.join(outside)}" if outside else ""))

    return _sensor
