"""The dbt unit tests of the allocation policy, each beside its model (dbt/models/intermediate/allocation/ and
intermediate/kubernetes/ YAML): every method with hand-computed pieces, the scopes, an empty driver, rule order and
AND/OR matching, idle keep / share / share_by_node on a two-node cluster, a pod-day split over its owners."""

from __future__ import annotations


POLICY_UNIT_TESTS = {
    "rule_methods_proportional_even_and_fixed_split_exactly",
    "rule_scopes_account_and_cluster_take_recipients_from_the_dollars_own",
    "rule_methods_requests_tokens_and_llm_cost_weigh_pairs_by_that_days_usage",
    "shared_workloads_split_by_their_features_own_method",
    "drivers_weigh_direct_cost_per_scope_and_usage_per_feature",
    "rules_see_unowned_dollars_first_match_wins_keys_and_values_combine",
    "idle_kept_stays_one_row_per_node",
    "idle_shared_over_every_pod_of_the_cluster_day",
    "idle_shared_by_node_stays_on_its_node",
    "pod_pieces_split_exactly_over_the_owners_of_the_pod_day",
}


def test_policy_unit_tests_pass_in_dbt_build_whatever_its_run_window(project_unit_tests):
    # built under a run window far from the tests' own days: a daily run's window must not filter their inputs away
    assert {name: project_unit_tests.get(name) for name in POLICY_UNIT_TESTS} == {name: "pass" for name in POLICY_UNIT_TESTS}
