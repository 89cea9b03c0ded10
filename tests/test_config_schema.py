"""The config is checked as a whole before anything runs (dagster_project/lib/config_schema.py): an unknown key or a
value of the wrong shape anywhere is a ConfigError naming the file, the key, its value and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.config import ConfigError, parse_config

WHERE = Path("/company/unitcost.yaml")


def config(**raw):
    return parse_config({"start_date": "2026-10-01", **raw}, WHERE.parent, WHERE)


@pytest.mark.parametrize(("raw", "message"), [
    ({"lookbak_days": 3}, "lookbak_days: unknown key (expected one of start_date, currency, lookback_days,"),
    ({"lookback_days": "3"}, "lookback_days is '3' (expected a whole number)"),
    ({"lookback_days": -1}, "lookback_days is -1 (expected greater than or equal to 0)"),
    ({"start_date": "soon"}, "start_date is 'soon' (expected a date like 2026-10-01)"),
    ({"currency": ["USD"]}, "currency is ['USD'] (expected a string)"),
    ({"warehouse": {"path": 3}}, "warehouse.path is 3 (expected a string)"),
    ({"warehouse": {"pth": "x"}}, "warehouse.pth: unknown key (expected one of engine, path, serving_path, project,"),
    ({"sources": {"llm": {"uri": "x", "formt": "a"}}}, "sources.llm.formt: unknown key (expected one of uri, name,"),
    ({"sources": {"llm": [{"uri": "x"}, {"uri": 3}]}}, "sources.llm[1].uri is 3 (expected a string)"),
    ({"sources": {"cur": {"uri": "x", "format": "cur3"}}}, "sources.cur.format is 'cur3' (expected cur1, cur2 or focus)"),
    ({"sources": {"billing": "x"}}, "sources.billing: unknown key (expected one of cur, opencost, kubernetes, llm,"),
    ({"run_lock": {"wait_seconds": "long"}}, "run_lock.wait_seconds is 'long' (expected a valid number"),
    ({"run_lock": {"timeout": 5}}, "run_lock.timeout: unknown key (expected one of wait_seconds)"),
])
def test_a_wrong_key_or_shape_is_refused_naming_key_value_and_expectation(raw, message):
    with pytest.raises(ConfigError) as excinfo:
        config(**raw)
    assert str(excinfo.value).startswith(f"{WHERE}: {message}")


def test_a_valid_config_keeps_every_key_and_takes_the_defaults():
    cfg = config(sources={"llm": "landing/llm", "opencost": {"uri": "oc", "timeout_seconds": 5},
                          "cur": [{"uri": "a", "format": "cur2", "billing_period": "2026-10"}]},
                 attribution={"tenant_tag": ["business_unit", "user_tenant"]})
    assert cfg.lookback_days == 3 and cfg.run_lock_wait_seconds == 0
    assert [s.uri for s in cfg.sources_of("llm")] == [str(WHERE.parent / "landing" / "llm")]
    assert cfg.sources_of("opencost")[0].timeout_seconds == 5
    assert cfg.sources_of("cur")[0].format == "cur2"
    assert cfg.attribution.tenant_tag == ("business_unit", "user_tenant")
    assert config(lookback_days=0, run_lock={"wait_seconds": 30}).run_lock_wait_seconds == 30


def test_a_config_that_is_not_a_mapping_is_refused():
    with pytest.raises(ConfigError, match=r"expected a mapping of settings"):
        parse_config(["start_date"], WHERE.parent, WHERE)
