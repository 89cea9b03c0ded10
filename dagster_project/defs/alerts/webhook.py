"""What an alert says and how it is sent: one JSON POST per row, Slack-compatible (`text`, Slack mrkdwn) with the
row itself under `unitcost` for any other receiver. The URL is a secret (a Slack webhook URL is one): no message
built here contains it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from decimal import Decimal
from typing import Any

SEVERITY_TITLES = {"kill_switch": ":rotating_light: *Kill-switch candidate*", "alert": ":warning: *Cost alert*"}
STATUS_TITLES = {"over": ":fire: *Budget over*", "at_risk": ":warning: *Budget at risk*"}


class WebhookError(RuntimeError):
    """The webhook refused or could not take a post (the message names neither the URL nor its query)."""


def anomaly_key(row: dict[str, Any]) -> str:
    """One alert per anomalous (day, scope) and severity: a day that turns from alert to kill switch posts again."""
    return f"anomaly|{row['usage_date']}|{row['scope_type']}|{row['scope_id']}|{row['severity']}"


def budget_key(row: dict[str, Any]) -> str:
    """One alert per (quarter, feature, scope) and status: the daily projection moves, the status is what is new."""
    return f"budget|{row['usage_quarter']}|{row['feature_id']}|{row['scope']}|{row['status']}"


def anomaly_text(row: dict[str, Any]) -> str:
    times = f"{row['ratio']:.1f}× its" if row["ratio"] is not None else "new spend, no spend in the"
    return (f"{SEVERITY_TITLES[row['severity']]}: {row['scope_type']} `{row['scope_id']}` cost "
            f"${row['cost_usd']:,.2f} on {row['usage_date']}, {times} 7-day average of "
            f"${row['trailing_7d_avg_usd']:,.2f}")


def budget_text(row: dict[str, Any]) -> str:
    quarter = row["usage_quarter"]
    share = f" ({row['projected_pct_of_budget']:.0%})" if row["projected_pct_of_budget"] is not None else ""
    return (f"{STATUS_TITLES[row['status']]}: feature `{row['feature_id']}` ({row['scope']} cost), "
            f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}: projected ${row['projected_spend_usd']:,.2f} of "
            f"${row['budget_usd']:,.2f}{share}, ${row['spend_to_date_usd']:,.2f} spent by {row['as_of_date']}")


def payload(kind: str, key: str, text: str, row: dict[str, Any]) -> dict[str, Any]:
    """The JSON body: Slack reads `text`; `unitcost` carries the row (amounts as exact decimal strings)."""
    return {"text": text, "unitcost": {"kind": kind, "alert_key": key, **{k: _json_value(v) for k, v in row.items()}}}


def post(url: str, body: dict[str, Any], timeout: float) -> None:
    """POST `body` as JSON; a status outside 2xx, a timeout or a refused connection is a WebhookError."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"the alert webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"the alert webhook could not be reached ({type(reason).__name__})") from None


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
