"""The bulk generator behind sizes M and L (synthetic/sizes.py): a month of a many-tenant AI SaaS at realistic
volume, built as arrays (numpy / polars) rather than one Python object per row, with the ground truth computed in
bulk from the same arrays. It writes the same landing-zone layout and upstream formats as the demo generator.

- `budget.py`: the bill mix (the monthly dollars per category, growing with tenants);
- `fleet.py`: the EKS clusters, node groups, nodes and pods (scheduled, rescheduled) and their OpenCost pod-hours;
- `bill.py`: the hourly CUR 2.0 line items (cluster nodes, RDS, S3, data transfer), one column per field;
- `llm.py`: the LLM calls and their prices (genai-prices' prices applied to the token arrays);
- `requests.py`: hourly request counts for every tenant x feature;
- `truth.py`: the ground truth under the default policy, from those arrays;
- `write.py`: the CUR Parquet files and manifests; `write_json.py`: OpenCost, LLM and request JSON;
- `generate.py`: `generate_bulk()`, which runs it all.

Simplifications against the demo generator (docs/README.md): no kubectl snapshots (pods are owned
by OpenCost's labels), On-Demand compute only, no monthly fees, taxes or credits, every hour's pods on whole hours.
"""

from .generate import generate_bulk

__all__ = ["generate_bulk"]
