"""unitcost.yaml `anomalies:` (the thresholds dbt receives as vars) and `alerts:` (the webhook, a secret never
echoed), validated when the config is loaded."""

from decimal import Decimal
from pathlib import Path

import pytest

from dagster_project.lib.config import ConfigError, parse_config


def config(**raw):
    return parse_config({"start_date": "2026-10-01", **raw}, Path("/company"), Path("/company/unitcost.yaml"))


def test_anomaly_thresholds_reach_dbt_and_unset_ones_keep_the_projects_default():
    c = config(anomalies={"alert_ratio": 2, "min_daily_usd": "0.50"})
    assert c.anomalies.alert_ratio == Decimal("2") and c.anomalies.kill_switch_ratio is None
    assert {k: v for k, v in c.dbt_vars().items() if k.startswith("anomaly_")} == {
        "anomaly_alert_ratio": "2", "anomaly_min_daily_usd": "0.50"}
    assert not any(k.startswith("anomaly_") for k in config().dbt_vars())


@pytest.mark.parametrize(("anomalies", "message"), [
    ({"alert_ratio": 5, "kill_switch_ratio": 4}, "anomalies.kill_switch_ratio must be >= anomalies.alert_ratio"),
    ({"alert_ratio": "1.5x"}, "anomalies.alert_ratio must be a number, not '1.5x'"),
    ({"alert_ratio": 0.5}, "anomalies.alert_ratio must be >= 1"),
    ({"min_daily_usd": -1}, "anomalies.min_daily_usd must be >= 0"),
    ({"alert": 2}, "anomalies.alert: unknown key"),
    ([1.5], "anomalies: expected a mapping"),
])
def test_bad_anomaly_thresholds_are_refused_naming_the_key(anomalies, message):
    with pytest.raises(ConfigError) as excinfo:
        config(anomalies=anomalies)
    assert message in str(excinfo.value) and "/company/unitcost.yaml" in str(excinfo.value)


def test_the_webhook_url_comes_from_the_variable_the_config_names(monkeypatch):
    c = config(alerts={"webhook_url_env": "MY_SLACK_HOOK", "timeout_seconds": 3})
    monkeypatch.delenv("MY_SLACK_HOOK", raising=False)
    assert c.alerts.webhook() is None
    monkeypatch.setenv("MY_SLACK_HOOK", "https://hooks.example.com/T/B/secret")
    assert c.alerts.webhook() == "https://hooks.example.com/T/B/secret"
    assert c.alerts.timeout_seconds == 3.0
    assert config(alerts={"webhook_url": "http://127.0.0.1:9/hook"}).alerts.webhook() == "http://127.0.0.1:9/hook"
    assert config().alerts.webhook() is None


@pytest.mark.parametrize(("alerts", "message"), [
    ({"webhook_url": "http://a/b", "webhook_url_env": "X"}, "give webhook_url_env or webhook_url, not both"),
    ({"webhook_url": "xoxb-secret-token"}, "alerts.webhook_url must be an http:// or https:// URL"),
    ({"webhook_url_env": "X", "timeout_seconds": 0}, "alerts.timeout_seconds must be > 0"),
    ({"channel": "#finops"}, "alerts.channel: unknown key"),
])
def test_bad_alert_settings_are_refused_without_echoing_a_secret(alerts, message):
    with pytest.raises(ConfigError) as excinfo:
        config(alerts=alerts)
    assert message in str(excinfo.value)
    assert "xoxb-secret-token" not in str(excinfo.value)
