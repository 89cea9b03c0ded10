"""The Dagster instance `unitcost run` executes on (lib/instance.py run_instance): $DAGSTER_HOME's when it is set, else an
ephemeral one that ends with the run. On the ephemeral one a range run plans each asset once with its days, not
once per asset and day (Dagster's DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS, dagster-io/dagster#29288), and
the switch does not outlive the run."""

from __future__ import annotations

import os

import dagster as dg
import pytest

from dagster_project import cli
from dagster_project.lib import instance as instance_module

DAYS = dg.DailyPartitionsDefinition(start_date="2026-10-01", end_date="2026-10-10")
RANGE = {cli.RANGE_START_TAG: "2026-10-01", cli.RANGE_END_TAG: "2026-10-03"}


@dg.asset(partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
def daily_thing(context) -> None:
    return None


def _planned(instance: dg.DagsterInstance, run_id: str) -> list:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED).records
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def test_a_range_run_plans_each_asset_once_with_its_days_and_still_records_each_day(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv(instance_module.PLANNED_SUBSET_ENV, raising=False)
    with instance_module.run_instance() as instance:
        result = dg.materialize([daily_thing], instance=instance, tags=RANGE)
        planned = _planned(instance, result.run_id)
    assert len(planned) == 1
    assert sorted(planned[0].partitions_subset.get_partition_keys()) == ["2026-10-01", "2026-10-02", "2026-10-03"]
    # the materializations, which the warehouse's history and the UI's partition status read, stay one per day
    assert sorted(e.partition for e in result.get_asset_materialization_events()) == [
        "2026-10-01", "2026-10-02", "2026-10-03"]
    assert instance_module.PLANNED_SUBSET_ENV not in os.environ


def test_without_the_switch_dagster_plans_once_per_day(monkeypatch):
    """What run_instance saves: the same run on a plain ephemeral instance plans the asset once per day."""
    monkeypatch.delenv(instance_module.PLANNED_SUBSET_ENV, raising=False)
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([daily_thing], instance=instance, tags=RANGE)
    assert sorted(p.partition for p in _planned(instance, result.run_id)) == ["2026-10-01", "2026-10-02", "2026-10-03"]


def test_a_persistent_instance_keeps_dagster_s_default(monkeypatch, tmp_path):
    """A daemon's instance keeps one planned event per day: the UI marks the days of a failed run as failed."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv(instance_module.PLANNED_SUBSET_ENV, raising=False)
    with instance_module.run_instance() as instance:
        assert not instance.is_ephemeral
        assert instance_module.PLANNED_SUBSET_ENV not in os.environ
        result = dg.materialize([daily_thing], instance=instance, tags=RANGE)
        assert len(_planned(instance, result.run_id)) == 3


def test_the_switch_is_taken_back_when_the_run_fails(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv(instance_module.PLANNED_SUBSET_ENV, raising=False)
    with pytest.raises(RuntimeError, match="step failed"):
        with instance_module.run_instance():
            assert os.environ[instance_module.PLANNED_SUBSET_ENV] == "true"
            raise RuntimeError("step failed")
    assert instance_module.PLANNED_SUBSET_ENV not in os.environ


def test_a_users_own_setting_of_the_switch_wins(monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv(instance_module.PLANNED_SUBSET_ENV, "false")
    with instance_module.run_instance() as instance:
        assert os.environ[instance_module.PLANNED_SUBSET_ENV] == "false"
        result = dg.materialize([daily_thing], instance=instance, tags=RANGE)
        assert len(_planned(instance, result.run_id)) == 3
    assert os.environ[instance_module.PLANNED_SUBSET_ENV] == "false"
