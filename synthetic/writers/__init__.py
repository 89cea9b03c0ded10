"""Serialize a generation model into the landing zone, one module per upstream format (docs/landing-zone.md):

- `cur.py`: AWS CUR 2.0 Parquet data files + the Data Exports manifest;
- `opencost.py`: OpenCost /allocation and /assets JSON;
- `kubectl.py`: kubectl List JSON snapshots;
- `llm.py`: native LLM usage events, JSON lines;
- `prometheus.py`: request counts as Prometheus query_range JSON;
- `business.py`: tenants, revenue and budgets CSVs;
- `config.py`: the unitcost.yaml pointing at it all.

Every writer is deterministic: fixed key order, no wall clock, sorted listings.
"""

from .business import write_business
from .config import write_config
from .cur import write_cur
from .kubectl import write_kubectl
from .llm import write_llm
from .opencost import write_opencost
from .prometheus import write_requests

__all__ = ["write_business", "write_config", "write_cur", "write_kubectl", "write_llm", "write_opencost",
           "write_requests"]
