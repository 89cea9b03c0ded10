"""The unitcost.yaml written next to the landing zone (relative paths, the default attribution labels and tags)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..model.common import EXPORT_NAME

CONFIG_TEMPLATE = """\
# unitcost configuration written by `unitcost generate` (synthetic landing zone, seed {seed}).
# Relative paths are relative to this file's folder. The ground truth is in ground_truth/.
start_date: {start}
currency: USD
warehouse:
  engine: duckdb
  path: warehouse/unitcost.duckdb
  serving_path: warehouse/unitcost_serving.duckdb
attribution:
  tenant_label: tenant
  feature_label: feature
  tenant_tag: user_tenant
  feature_tag: user_feature
sources:
  cur: {{uri: landing/cur/{export}, name: cur}}
  opencost: {{uri: landing/opencost}}
  kubernetes: {{uri: landing/kubernetes}}
  llm: {{uri: landing/llm}}
  requests: {{uri: landing/requests}}
  business: {{uri: landing/business}}
"""


def write_config(path: Path, start: date, seed: int) -> None:
    path.write_text(CONFIG_TEMPLATE.format(start=start.isoformat(), seed=seed, export=EXPORT_NAME))
