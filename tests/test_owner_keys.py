"""Owner keys (attribution.tenant_tag, feature_tag, tenant_label, feature_label) are one key or a list of keys: the
config parses both, refuses anything else by name, and dbt reads a list as "the first key present wins"
(macro first_tag; docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.config import Attribution, ConfigError, parse_config


def config_with(attribution):
    return parse_config({"start_date": "2026-10-01", "attribution": attribution}, Path("/tmp"), Path("/tmp/u.yaml"))


def test_a_key_or_a_list_of_keys_reaches_dbt_as_a_list():
    cfg = config_with({"tenant_tag": ["business_unit", "org"], "feature_label": "app.kubernetes.io/part-of"})
    assert cfg.attribution == Attribution(tenant_tag=("business_unit", "org"), feature_label=("app.kubernetes.io/part-of",))
    dbt_vars = cfg.dbt_vars()
    assert dbt_vars["tenant_tag"] == ["business_unit", "org"]
    assert dbt_vars["feature_label"] == ["app.kubernetes.io/part-of"]
    assert dbt_vars["feature_tag"] == ["user_feature"] and dbt_vars["tenant_label"] == ["tenant"]


@pytest.mark.parametrize("value", [[], {"key": "org"}, None, True, ["org", {"nested": 1}], ["org", ""], "  "])
def test_an_owner_key_that_is_not_a_key_or_a_list_is_refused_naming_it(value):
    with pytest.raises(ConfigError, match=r"/tmp/u.yaml: attribution.tenant_tag must be a key or a list of keys"):
        config_with({"tenant_tag": value})


def test_an_unknown_attribution_key_is_refused():
    with pytest.raises(ConfigError, match=r"attribution.tenant_tags: unknown key \(expected one of tenant_label, "):
        config_with({"tenant_tags": ["org"]})


def test_listed_label_keys_resolve_pod_owners_in_dbt(project_unit_tests):
    """The dbt unit test pod_owner_label_keys_listed_are_read_first_present_wins (intermediate/kubernetes YAML)."""
    assert project_unit_tests.get("pod_owner_label_keys_listed_are_read_first_present_wins") == "pass"
