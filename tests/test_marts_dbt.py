"""The hand-computed dbt unit tests of the analyst marts, each in its folder's YAML (dbt/models/marts/margins/,
plans/, anomalies/, budgets/): a margin with a partial month, the waterfall steps summing to the margin change, the
subsidy split, plan unit costs, the anomaly thresholds (exactly 1.5 x is not an alert, one nano-dollar more is;
exactly 4 x is an alert, one more is a kill switch; nothing under the spend floor) and the budget projection. They
pass in `dbt build`, and move a threshold and the tests that pin it fail."""

from __future__ import annotations

import shutil
from pathlib import Path

from dbt_build import DBT_DIR, dbt_build_unit_tests, empty_warehouse

MART_UNIT_TESTS = {
    "partial_month_is_compared_with_mrr_prorated_to_its_built_days": "pass",
    "waterfall_steps_sum_exactly_to_the_margin_change": "pass",
    "losses_of_loss_making_plans_are_split_exactly_over_the_profitable_ones": "pass",
    "plan_unit_costs_scale_a_partial_month_and_take_the_middle_tenant": "pass",
    "anomaly_thresholds_are_exact_and_unbuilt_days_are_never_zero": "pass",
    "budget_projection_counts_unbuilt_days_at_the_run_rate": "pass",
    "a_two_pod_deployment_is_one_workload_and_its_unused_requests_are_priced": "pass",
}


def test_mart_unit_tests_pass_in_dbt_build(project_unit_tests):
    assert {name: project_unit_tests.get(name) for name in MART_UNIT_TESTS} == MART_UNIT_TESTS


def test_moving_a_threshold_fails_the_unit_tests_that_pin_it(tmp_path):
    """In a copy of the project whose threshold tests pin 1.4 x (tenant a, exactly 1.5 x, becomes an alert) and a 97 %
    at-risk share (search, 95.8 % of its budget, becomes on track), those tests fail: they check the thresholds."""
    project = tmp_path / "repo" / "dbt"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    shutil.copytree(DBT_DIR.parent / "seeds", tmp_path / "repo" / "seeds")
    for name, pinned, moved in (("anomalies", "anomaly_alert_ratio: '1.5'", "anomaly_alert_ratio: '1.4'"),
                                ("budgets", "budget_at_risk_share: '0.9'", "budget_at_risk_share: '0.97'")):
        yml = project / "models" / "marts" / name / f"_marts_{name}__models.yml"
        assert pinned in yml.read_text()
        yml.write_text(yml.read_text().replace(pinned, moved))
    statuses = dbt_build_unit_tests(tmp_path, empty_warehouse(tmp_path / "unit.duckdb"),
                                    "+cost_anomalies +budget_burn_quarterly", project_dir=project, check=False)
    assert statuses["anomaly_thresholds_are_exact_and_unbuilt_days_are_never_zero"] == "fail"
    assert statuses["budget_projection_counts_unbuilt_days_at_the_run_rate"] == "fail"
