"""100,000 distinct tenant label values on Kubernetes pods (test_many_labels.py is the bill tags' half): one day's
OpenCost dump in which one tenant's $10 GPU pod is split into 100,000 pods, each labelled with its own tenant. Through
ingest and dbt every value becomes a tenant of the ledger, together holding exactly what the pod held, and every
published day conserves. The run's time is printed (measured, not asserted)."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal

import pytest
from zone import D1, assert_conserved, query, small_zone

from dagster_project.cli import run_pipeline

pytestmark = pytest.mark.slow

VALUES = 100_000


def _split_pod(allocation_file) -> str:
    """Replace the most expensive tenant-labelled pod of the dump by VALUES pods with its usage and costs divided
    evenly, pod i labelled tenant=many-<i>. Returns the tenant the pod had."""
    document = json.loads(allocation_file.read_text())
    window = document["data"][0]
    key, pod = max(((k, v) for k, v in window.items() if (v["properties"].get("labels") or {}).get("tenant")),
                   key=lambda kv: kv[1]["totalCost"])
    del window[key]
    for i in range(VALUES):
        clone = {k: (v / VALUES if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "minutes" else v)
                 for k, v in pod.items()}
        name = f"{pod['properties']['pod']}-{i}"
        clone["properties"] = {**pod["properties"], "pod": name,
                               "labels": {**pod["properties"]["labels"], "tenant": f"many-{i:06d}"}}
        clone["name"] = key.replace(pod["properties"]["pod"], name)
        window[clone["name"]] = clone
    allocation_file.write_text(json.dumps(document))
    return pod["properties"]["labels"]["tenant"]


def test_100000_distinct_pod_tenant_labels_each_become_a_tenant_and_the_day_conserves(tmp_path):
    config = small_zone(tmp_path / "zone", days=1)
    [allocation] = (config.parent / "landing" / "opencost").glob(f"*/{D1}/allocation.json")
    _split_pod(allocation)

    started = time.monotonic()
    result = run_pipeline(str(config), D1, D1, raise_on_error=False)
    assert result.success, [str(e.event_specific_data.error)[:1500] for e in result.all_events
                            if e.event_type_value == "STEP_FAILURE"]
    print(f"\n100,000 pod tenant labels: pipeline run {time.monotonic() - started:.0f} s")

    assert query(config, "select count(distinct properties_label) from (select labels->>'$.tenant' as "
                         "properties_label from raw.opencost_allocations where labels->>'$.tenant' like 'many-%')"
                 ) == [(VALUES,)]
    [(tenants, total)] = query(config, "select count(distinct tenant_id), sum(amount_usd) from marts.cost_ledger "
                                       "where tenant_id like 'many-%'")
    assert tenants == VALUES  # nothing lost: every label value is a tenant of the ledger
    assert total > Decimal(0)
    assert_conserved(config)
