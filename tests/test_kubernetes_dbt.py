"""The dbt unit tests of the Kubernetes models (dbt/models/intermediate/kubernetes/), hand-computed: labels in force cut a pod-day at a noon relabel, a deleted pod keeps its
labels, a pod no snapshot saw takes OpenCost's, a day without snapshots is stale, a node with /assets and no pods
is all idle."""

from __future__ import annotations

KUBERNETES_UNIT_TESTS = {
    "objects_in_force_keep_a_deleted_pods_labels_and_cut_at_each_change",
    "pod_day_splits_at_noon_when_its_deployment_is_relabelled",
    "pod_no_snapshot_saw_is_owned_by_its_opencost_labels",
    "a_day_without_snapshots_uses_the_last_earlier_one_and_is_stale",
    "node_with_assets_and_no_pods_is_all_idle",
    "pod_pieces_split_exactly_over_the_owners_of_the_pod_day",
}


def test_kubernetes_unit_tests_pass_in_dbt_build(project_unit_tests):
    assert {name: project_unit_tests.get(name) for name in KUBERNETES_UNIT_TESTS} == {
        name: "pass" for name in KUBERNETES_UNIT_TESTS}
