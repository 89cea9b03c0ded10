"""The structure of the Dagster code location as text: every asset with its group, kinds, partitioning and upstream
keys; every asset check and whether it blocks; jobs; schedules; sensors. tests/snapshots/definitions.txt holds the expected
text; `UNITCOST_UPDATE_SNAPSHOTS=1 make test` rewrites it after an intended change (review the diff)."""

from __future__ import annotations

import dagster as dg


def describe_definitions(defs: dg.Definitions) -> str:
    graph = defs.resolve_asset_graph()
    lines = ["# assets: key | group | kinds | partitions | upstream"]
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys)) or "-"
        kinds = ",".join(sorted(node.kinds)) or "-"
        partitions = "daily" if node.partitions_def is not None else "-"
        lines.append(f"{key.to_user_string()} | {node.group_name} | {kinds} | {partitions} | {parents}")
    lines.append("# asset checks: asset:check | blocking")
    for check in sorted(graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)):
        spec = graph.get_check_spec(check)
        lines.append(f"{check.asset_key.to_user_string()}:{check.name} | {'blocking' if spec.blocking else 'warn'}")
    lines.append("# jobs: name | partitions")
    for job in sorted(defs.resolve_all_job_defs(), key=lambda j: j.name):
        if job.name.startswith("__"):
            continue
        lines.append(f"{job.name} | {'daily' if job.partitions_def is not None else '-'}")
    lines.append("# schedules: name | cron | timezone | job")
    for schedule in sorted(defs.schedules or [], key=lambda s: s.name):
        resolved = defs.resolve_schedule_def(schedule.name)
        lines.append(f"{resolved.name} | {resolved.cron_schedule} | {resolved.execution_timezone} | {resolved.job_name}")
    lines.append("# sensors: name | minimum interval (s) | default status | job")
    for sensor in sorted(defs.sensors or [], key=lambda s: s.name):
        resolved = defs.resolve_sensor_def(sensor.name)
        lines.append(f"{resolved.name} | {resolved.minimum_interval_seconds} | {resolved.default_status.value} | "
                     f"{resolved.job_name}")
    return "\n".join(lines) + "\n"
