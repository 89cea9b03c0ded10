"""The dbt unit tests of the Kubernetes models (dbt/models/intermediate/kubernetes/ and the temporary owner split in
intermediate/allocation/), hand-computed: labels in force cut a pod-day at a noon relabel, a deleted pod keeps its
labels, a pod no snapshot saw takes OpenCost's, a day without snapshots is stale, a node with /assets and no pods
is all idle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from dagster_project.lib.warehouse import ensure_table
from ingest.llm.prices import LLM_MODEL_RESOLUTION, LLM_PRICE_SNAPSHOT
from ingest.schemas import RAW_TABLES

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt"
KUBERNETES_UNIT_TESTS = {
    "objects_in_force_keep_a_deleted_pods_labels_and_cut_at_each_change",
    "pod_day_splits_at_noon_when_its_deployment_is_relabelled",
    "pod_no_snapshot_saw_is_owned_by_its_opencost_labels",
    "a_day_without_snapshots_uses_the_last_earlier_one_and_is_stale",
    "node_with_assets_and_no_pods_is_all_idle",
    "pod_day_cost_splits_over_its_owner_pieces_by_their_seconds",
}


def test_kubernetes_unit_tests_pass_in_dbt_build(tmp_path):
    warehouse = tmp_path / "unit.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # unit tests read their inputs' column types from the relations
        for table, schema in {**RAW_TABLES, "llm_price_snapshot": LLM_PRICE_SNAPSHOT,
                              "llm_model_resolution": LLM_MODEL_RESOLUTION}.items():
            ensure_table(con, table, schema)
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "PATH": f"{dbt.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(DBT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs"), "--vars",
         # a run's window that holds none of the fixtures' days: the unit tests set their own
         json.dumps({"duckdb_path": str(warehouse), "start_date": "2026-11-05", "end_date": "2026-11-05"}),
         "--select", "+int_costs_attributed +int_k8s_snapshots_used +int_opencost_nodes_unbilled",
         "--exclude", "test_type:data"],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert {name: unit.get(name) for name in KUBERNETES_UNIT_TESTS} == {name: "pass" for name in KUBERNETES_UNIT_TESTS}
