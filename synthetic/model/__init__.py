"""The generation model: everything the landing zone says, built in memory from (start, days, tenants, seed, scale)
before any file is written. `synthetic/writers/` serializes it into the upstream formats and
`synthetic/ground_truth.py` computes the truth from the same objects. No wall clock, no global random state, no set
iteration order: same arguments, same model.

- `build.py`: `Model` (the whole model) and `build_model`, which runs the parts below in a fixed order;
- `common.py`: shared names (cluster, region, export, features), Decimal rounding, calendar and seeded-random helpers;
- `tenants.py`: the tenants, their plans, sizes and features;
- `kubernetes.py`: the Kubernetes objects (nodes, controllers, ReplicaSets, Jobs, pods) and EC2 instance types;
- `cluster.py`: `ClusterBuilder`, the EKS cluster and its pods over time;
- `opencost.py`: the OpenCost allocations per container and day, and the node assets;
- `cur.py`: `CurBuilder`, the AWS bill as CUR 2.0 rows;
- `storage.py`: the cluster's EBS volumes (PVs, PVCs) and its LoadBalancer Service, and their CUR rows;
- `gpu.py`: the GPU node group (one node, idle half of the first day), its training Job, OpenCost entries and CUR rows;
- `llm_calls.py`: the LLM calls with their token counts;
- `request_counts.py`: the hourly request counts of the shared features;
- `business.py`: the tenants / revenue / budgets tables (built after the ground truth, from its totals).

Imports nothing from the pipeline (ingest/, dbt, dagster_project).
"""

from .build import Model, build_model

__all__ = ["Model", "build_model"]
