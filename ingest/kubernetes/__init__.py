"""Kubernetes cost and ownership: OpenCost's API responses and kubectl object snapshots.

- opencost.py: ``/allocation`` and ``/assets`` responses (one cluster, one UTC day) → ``raw.opencost_allocations``
  and ``raw.opencost_assets``;
- kubectl.py: ``kubectl get … -o json`` snapshots → ``raw.k8s_objects`` (who owns a pod, which node it ran on).
"""
