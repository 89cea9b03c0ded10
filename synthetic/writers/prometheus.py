"""Request counts as Prometheus query_range responses (a matrix per day, one series per tenant and feature)."""

from __future__ import annotations

import json
from pathlib import Path

from ..model import Model


def write_requests(model: Model, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for d in model.window:
        series = model.requests[d]
        result = [{"metric": {"feature": f, "tenant": t}, "values": [[ts, v] for ts, v in series[(t, f)]]}
                  for (t, f) in sorted(series, key=lambda k: (k[1], k[0]))]
        doc = {"status": "success", "data": {"resultType": "matrix", "result": result}}
        (root / f"{d.isoformat()}.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")
