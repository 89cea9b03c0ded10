"""Pull a day of OpenCost from its API into the landing layout (`sources.opencost` with `url` and `cluster`).

For each day the run covers that has ended and has no dump yet, GET `/allocation` and `/assets` for the day's UTC
window, unaggregated and accumulated to one set (the query docs/landing-zone.md asks of a dump), and save each
response unchanged as `<cluster>/<YYYY-MM-DD>/allocation.json` / `assets.json`. The parser then reads those files
like any dump, so a re-run (or a backfill months later, when OpenCost has forgotten the day) reads the same bytes.
A day that already has its files is never pulled again: delete them to pull the day afresh.

Standard library only (urllib): one GET per endpoint, a timeout, no retries (the next run pulls what is missing).
Errors name the endpoint without credentials or query string.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone

from ingest.errors import LandingFileError
from ingest.kubernetes import opencost as oc
from ingest.landing import Landing

# endpoint -> (landing file name, parser that must accept the response before it is saved)
ENDPOINTS = {"allocation": ("allocation.json", oc.parse_allocation), "assets": ("assets.json", oc.parse_assets)}


class OpenCostApiError(RuntimeError):
    pass


def day_window(day: date) -> str:
    """OpenCost's `window` for one UTC day: two RFC 3339 instants, comma-separated."""
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return f"{start:%Y-%m-%dT%H:%M:%SZ},{start + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}"


def query(day: date) -> dict[str, str]:
    """No `aggregate` (one entry per container, keyed cluster/node/namespace/pod/container), one accumulated set."""
    return {"window": day_window(day), "accumulate": "true"}


def redacted(url: str) -> str:
    """The URL as an error may show it: scheme, host, port and path; never credentials or a query string."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def fetch(base_url: str, endpoint: str, day: date, timeout: float, credentials: str | None = None) -> bytes:
    """One GET; `credentials` ("user:password", from the environment, for an auth proxy in front of OpenCost) are
    sent as HTTP basic auth."""
    shown = redacted(f"{base_url}/{endpoint}")
    headers = {"Accept": "application/json"}
    if credentials:
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    url = f"{shown}?{urllib.parse.urlencode(query(day))}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise OpenCostApiError(f"OpenCost at {shown} answered HTTP {exc.code} for {day}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OpenCostApiError(f"cannot reach OpenCost at {shown} for {day} (timeout {timeout:g} s): "
                               f"{type(reason).__name__}") from None


def pull_missing_days(source, days: list[date], now: datetime, log) -> list[str]:
    """Pull every ended day of `days` whose dump is missing; returns the landing keys written."""
    landing = Landing(source.uri, endpoint_url=source.endpoint_url)
    credentials = os.environ.get(source.basic_auth_env) if source.basic_auth_env else None
    written = []
    for day in days:
        if datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=1) > now:
            log.warning(f"OpenCost {redacted(source.url)}: {day} has not ended yet; not pulled")
            continue
        for endpoint, (file_name, parse) in ENDPOINTS.items():
            key = f"{source.cluster}/{day.isoformat()}/{file_name}"
            if landing.exists(key):
                continue
            data = fetch(source.url, endpoint, day, source.timeout_seconds, credentials)
            try:
                parse(data, source.cluster, day, f"{redacted(source.url)}/{endpoint}")
            except LandingFileError as exc:  # an error envelope or a malformed body is never saved as a dump
                raise OpenCostApiError(str(exc)) from None
            landing.write_bytes(key, data)
            written.append(key)
    if written:
        log.info(f"OpenCost {redacted(source.url)}: saved {len(written)} responses under {landing.describe()}")
    return written
