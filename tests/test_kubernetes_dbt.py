"""The dbt unit tests of the Kubernetes models (dbt/models/intermediate/kubernetes/), hand-computed: labels in force cut a pod-day at a noon relabel, a deleted pod keeps its
labels, a pod no snapshot saw takes OpenCost's, a day without snapshots is stale, a node with /assets and no pods
is all idle; a PV-backed pod's volume goes to its tenant, a volume claimed by two pods splits by their seconds, an
unmatched cluster volume stays __unallocated__ (unmatched_volume), a load balancer goes to its Service's pods (or its
Service when none ran), a GPU node idle half the day shows its GPU idle, a pod's workload is its top controller."""

from __future__ import annotations

KUBERNETES_UNIT_TESTS = {
    "objects_in_force_keep_a_deleted_pods_labels_and_cut_at_each_change",
    "pod_day_splits_at_noon_when_its_deployment_is_relabelled",
    "pod_no_snapshot_saw_is_owned_by_its_opencost_labels",
    "a_day_without_snapshots_uses_the_last_earlier_one_and_is_stale",
    "node_with_assets_and_no_pods_is_all_idle",
    "pod_pieces_split_exactly_over_the_owners_of_the_pod_day",
    "volumes_reach_their_claiming_pods_and_load_balancers_their_selected_pods",
    "cluster_resource_costs_split_over_their_pods_by_seconds_and_unmatched_stay_whole",
    "bill_volumes_and_load_balancers_of_a_cluster_are_identified_others_stay_bill_rows",
    "cluster_volumes_and_load_balancers_follow_their_pods_and_leave_the_bill_rows",
    "gpu_node_idle_half_the_day_shows_its_gpu_idle",
    "a_pods_workload_is_its_top_controller_else_opencosts_else_the_pod",
}


def test_kubernetes_unit_tests_pass_in_dbt_build(project_unit_tests):
    assert {name: project_unit_tests.get(name) for name in KUBERNETES_UNIT_TESTS} == {
        name: "pass" for name in KUBERNETES_UNIT_TESTS}
