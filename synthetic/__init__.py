"""The synthetic landing-zone generator behind `unitcost generate` and `unitcost demo`: realistic upstream files for
one SaaS company (tenants, an EKS cluster, its AWS bill, LLM calls, request counts, business data) plus the ground
truth they were generated from, so tests can check that the pipeline recovers it. Imports nothing from the pipeline
(ingest/, dbt, dagster_project): it is a package of its own, outside the Dagster code location.

- `generate.py`: `generate()`, the entry point (build the model, compute the truth, write every file);
- `model/`: the generation model, built in memory from seeded random streams (see model/__init__.py);
- `writers/`: one writer per upstream format (see writers/__init__.py);
- `ground_truth.py`: the truth under the default allocation policy (docs/allocation.md), and its files;
- `llm_reference_prices.py`: the reference price of an LLM call by genai-prices, also used by tests and benchmarks.
"""

from .generate import generate

__all__ = ["generate"]
