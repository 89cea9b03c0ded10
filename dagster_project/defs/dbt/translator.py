"""How dbt nodes become Dagster assets: models, seeds and snapshots keyed <schema>/<name> (marts/cost_ledger),
grouped by their layer; dbt sources keep dagster-dbt's keys, which match the raw assets (raw/<table>)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator


class UnitcostDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            layer = node.get("schema") or "dbt"
            return spec.replace_attributes(key=dg.AssetKey([layer, node["name"]]), group_name=layer)
        return spec
