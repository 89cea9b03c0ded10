"""Loading one configured bill source: find its deliveries (CUR 2.0 / CUR 1 manifests, or FOCUS files), decide
which (billing account, billing period) units changed since they were loaded, and replace those units
(lib/bill_deliveries.py). docs/cloud-bill.md describes the layouts and the restatement rules.

Every run looks at the current delivery of EVERY billing period of each source up to its last day (not only the
periods of the run's days): a restatement arrives for months already closed. A delivered period (a manifest, or a
bare CUR file) that starts after the run's last day is left to the runs of its own days (a backfill of October run
in December does not load November's bill); should it hold a row dated before them, the run that loads it rebuilds
that day too, as for any delivery (the window widens to the days a delivery touches). FOCUS files without a manifest
load every period they hold: a file is scanned for its periods once, and a period left out would not be found again.
A unit is re-ingested when its delivery changed: a different manifest executionId / assemblyId, or different files
(S3 ETags, file sizes and times). Errors of one period do not stop the others: they are raised together once every
other period is loaded.
"""

import json
from collections import defaultdict
from datetime import date

import polars as pl

from dagster_project.lib.bill_deliveries import (
    CUR_TABLE,
    FOCUS_TABLE,
    PeriodReplacement,
    loaded_deliveries,
    replace_periods,
)
from dagster_project.lib.config import SourceConfig
from dagster_project.lib.raw_assets import open_landing
from ingest.cloud_bill import cur, cur1, cur2, focus
from ingest.cloud_bill.deliveries import Delivery, delivery_fingerprint, find_cur1_deliveries, find_cur2_deliveries
from ingest.cloud_bill.files import file_fingerprints
from ingest.errors import LandingFileError
from ingest.landing import Landing


def after(period: str | None, through: date | None) -> bool:
    """Whether billing period `period` (YYYY-MM) starts after the day `through` (None: no period does)."""
    if through is None or not period:
        return False
    try:
        return date.fromisoformat(f"{period}-01") > through
    except ValueError:  # not YYYY-MM: loaded, and its loader names what is wrong with it
        return False


def load_bill_source(con, source: SourceConfig, currency: str, run_id: str, log,
                     through: date | None = None) -> list[dict]:
    """Load every changed (account, period) of one configured bill source, of the delivered periods only those
    starting on or before `through` (the run's last day; None: every period); returns the delivery records written.

    Errors of one period do not stop the others: they are raised together once every other period is loaded."""
    errors: list[LandingFileError] = []
    loaded: list[dict] = []
    fmt = (source.format or "").lower() or None
    if fmt is not None and fmt not in ("cur1", "cur2", "focus"):
        raise LandingFileError(source.uri, f"format {source.format!r} is not one of cur1, cur2, focus")
    if fmt == "focus" and source.billing_period:
        # one FOCUS file: its rows name their own accounts and periods, like a folder holding only this file
        folder, _, name = source.uri.rstrip("/").rpartition("/")
        landing = Landing(folder, endpoint_url=source.endpoint_url)
        fingerprints = {k: v for k, v in file_fingerprints(landing).items() if k == name}
        if not fingerprints:
            raise LandingFileError(landing.describe(name), "no such file")
        loaded += _load_focus_files(con, landing, source, fingerprints, currency, run_id, log)
    elif fmt in ("cur1", "cur2") and source.billing_period:
        if after(source.billing_period, through):
            log.info(f"{source.name} {source.billing_period}: starts after {through}, left to its own days' runs")
        else:
            loaded += _load_bare_cur(con, source, fmt, currency, run_id, log)
    else:
        landing = open_landing(source, log)
        if landing is None:
            return loaded
        fingerprints = file_fingerprints(landing)
        deliveries: list[Delivery] = []
        if fmt in (None, "cur2", "focus"):  # an AWS FOCUS export comes as Data Exports, with manifests
            deliveries = find_cur2_deliveries(landing, errors)
        if fmt is None:
            deliveries = _one_format_per_period(landing, deliveries, find_cur1_deliveries(landing, errors), errors)
        elif fmt == "cur1":
            deliveries = find_cur1_deliveries(landing, errors)
        data_files = {k: v for k, v in fingerprints.items() if focus.is_data_file(k)}
        later = sorted({d.billing_period for d in deliveries if after(d.billing_period, through)})
        if later:
            log.info(f"bill source '{source.name}': periods {', '.join(later)} start after {through}; "
                     "left to the runs of their own days")
        if deliveries:
            for delivery in (d for d in deliveries if not after(d.billing_period, through)):
                try:
                    loaded += _load_delivery(con, landing, source, delivery, fingerprints, currency, run_id, log)
                except LandingFileError as exc:
                    errors.append(exc)
        elif not errors and data_files and (fmt == "focus" or _holds_focus(landing, data_files)):
            loaded += _load_focus_files(con, landing, source, data_files, currency, run_id, log)
        elif not errors:
            log.warning(
                f"bill source '{source.name}' at {source.uri}: no CUR manifest and no FOCUS file found; skipped"
            )
    if errors:
        raise errors[0] if len(errors) == 1 else LandingFileError(
            source.uri, f"{len(errors)} billing periods failed to load:\n" + "\n".join(str(e) for e in errors)
        )
    return loaded


def _one_format_per_period(landing: Landing, cur2_deliveries: list[Delivery], cur1_deliveries: list[Delivery],
                           errors: list[LandingFileError]) -> list[Delivery]:
    """A folder may hold a CUR 2.0 and a CUR 1 export (a migration: old months in one, new months in the other);
    a billing period both deliver is the same charges twice, so it is refused naming both manifests, and what was
    loaded of it stays."""
    periods_1 = {d.billing_period: d for d in cur1_deliveries}
    both = sorted({d.billing_period for d in cur2_deliveries} & set(periods_1))
    for period in both:
        manifests = sorted(d.manifest_key for d in cur2_deliveries if d.billing_period == period)
        errors.append(LandingFileError(landing.describe(), (
            f"billing period {period} is delivered twice: as CUR 2.0 ({', '.join(manifests)}) and as CUR 1 "
            f"({periods_1[period].manifest_key}); keep one export per period or set the source's format "
            "(cur1 or cur2)")))
    return [d for d in [*cur2_deliveries, *cur1_deliveries] if d.billing_period not in both]


def _holds_focus(landing: Landing, data_files: dict[str, str]) -> bool:
    """Without a manifest, a source is a folder of FOCUS files when its first data file has FOCUS columns."""
    first = sorted(data_files)[0]
    return focus.looks_like_focus(focus.file_header(landing, first))


def _load_delivery(con, landing, source, delivery: Delivery, fingerprints, currency, run_id, log) -> list[dict]:
    """A manifest-driven delivery (CUR 2.0, CUR 1, or an AWS FOCUS Data Export): reload it if it changed."""
    manifest_fp = fingerprints.get(delivery.manifest_key, "")
    parts = [("delivery_id", delivery.delivery_id), (delivery.manifest_key, manifest_fp)]
    parts += [(k, fingerprints.get(k, "")) for k in delivery.data_keys]
    fingerprint = delivery_fingerprint(parts)
    root = _delivery_root(delivery.manifest_key or "")
    previous = [
        r for r in loaded_deliveries(con, source.name)
        if r["billing_period"] == delivery.billing_period and not (r["manifest"] or "").startswith("{")
        and _delivery_root(r["manifest"] or "") == root
    ]
    if previous and all(r["fingerprint"] == fingerprint for r in previous):
        log.info(f"{source.name} {delivery.billing_period}: delivery {delivery.delivery_id} already loaded")
        return []
    is_focus = bool(delivery.data_keys) and focus.looks_like_focus(focus.file_header(landing, delivery.data_keys[0]))
    table = FOCUS_TABLE if is_focus else CUR_TABLE
    bill_format = "focus" if is_focus else delivery.bill_format
    record = {"bill_format": bill_format, "delivery_id": delivery.delivery_id, "fingerprint": fingerprint,
              "manifest": delivery.manifest_key}

    def fill(replacement: PeriodReplacement) -> None:
        # accounts the previous delivery of this export held are replaced even if the new one drops them
        for r in previous:
            if r["bill_format"] == bill_format:
                replacement.clear(r["billing_account_id"], delivery.billing_period)
        for key in delivery.data_keys:
            if is_focus:
                frames = [focus.read_focus_file(landing, key, source_id=source.name, delivery_id=delivery.delivery_id)]
            elif delivery.bill_format == "cur2":  # Parquet in bounded batches: memory is one batch, not one file
                frames = cur2.iter_cur2_file(landing, key, billing_period=delivery.billing_period,
                                            delivery_id=delivery.delivery_id, source_id=source.name)
            else:
                frames = [cur1.read_cur1_file(landing, key, billing_period=delivery.billing_period,
                                             delivery_id=delivery.delivery_id, source_id=source.name)]
            for frame in frames:
                replacement.insert(frame, landing.describe(key))
        if not replacement.units:
            replacement.clear(None, delivery.billing_period)  # an empty delivery is remembered too

    out = replace_periods(con, table, source.name, currency, landing.describe(delivery.manifest_key), fill,
                   {(None, None): record}, run_id)
    log.info(f"{source.name} {delivery.billing_period}: loaded delivery {delivery.delivery_id} "
             f"({sum(r['row_count'] for r in out)} rows, {len(delivery.data_keys)} files)")
    return out


def _load_bare_cur(con, source: SourceConfig, fmt: str, currency: str, run_id: str, log) -> list[dict]:
    """A single CUR file without a manifest: the config names its format and billing period."""
    folder, _, name = source.uri.rstrip("/").rpartition("/")
    landing = Landing(folder, endpoint_url=source.endpoint_url)
    file_fp = file_fingerprints(landing).get(name)
    if file_fp is None:
        raise LandingFileError(landing.describe(name), "no such file")
    fingerprint = delivery_fingerprint([(name, file_fp)])
    previous = [r for r in loaded_deliveries(con, source.name) if r["billing_period"] == source.billing_period]
    if previous and all(r["fingerprint"] == fingerprint for r in previous):
        log.info(f"{source.name} {source.billing_period}: {name} already loaded")
        return []
    frame = cur.read_bare_bill(landing, name, fmt, source.billing_period, source.name)
    delivery_id = frame.get_column("delivery_id")[0] if frame.height else "empty"
    record = {"bill_format": fmt, "delivery_id": delivery_id, "fingerprint": fingerprint, "manifest": name}

    def fill(replacement: PeriodReplacement) -> None:
        for r in previous:
            replacement.clear(r["billing_account_id"], source.billing_period)
        replacement.insert(frame, landing.describe(name))
        if not replacement.units:
            replacement.clear(None, source.billing_period)

    return replace_periods(con, CUR_TABLE, source.name, currency, landing.describe(name), fill, {(None, None): record}, run_id)


def _load_focus_files(con, landing: Landing, source, fingerprints: dict[str, str], currency, run_id, log) -> list[dict]:
    """FOCUS without a manifest: the files holding rows of an (account, period) form that period.

    Each file's partitions come from its BillingAccountId and BillingPeriodStart columns (remembered per file
    fingerprint, so an unchanged file is not scanned again). A partition is re-ingested when the set of files
    holding it, or any of those files, changed; the others are not touched."""
    previous = [r for r in loaded_deliveries(con, source.name) if (r["manifest"] or "").startswith("{")]
    loaded_files: dict[tuple, dict[str, str]] = {}
    known_units: dict[str, set] = defaultdict(set)
    for r in previous:
        files = json.loads(r["manifest"]).get("files", {})
        loaded_files[(r["billing_account_id"], r["billing_period"])] = files
        for key, fp in files.items():
            if fingerprints.get(key) == fp:
                known_units[key].add((r["billing_account_id"], r["billing_period"]))
    unit_files: dict[tuple, dict[str, str]] = defaultdict(dict)
    for key in sorted(fingerprints):
        units = known_units.get(key) or focus.scan_focus_file(landing, key)
        for unit in units:
            unit_files[unit][key] = fingerprints[key]
    for unit in sorted(set(loaded_files) - set(unit_files), key=lambda u: (u[1], u[0] or "")):
        log.warning(f"{source.name}: no file holds billing account {unit[0]}, period {unit[1]} any more; "
                    "its loaded rows are kept")
    changed = {u: files for u, files in unit_files.items() if loaded_files.get(u) != files}
    if not changed:
        log.info(f"{source.name}: every FOCUS billing period already loaded")
        return []
    records = {}
    for unit, files in changed.items():
        fingerprint = delivery_fingerprint(sorted(files.items()))
        records[unit] = {"bill_format": "focus", "delivery_id": fingerprint, "fingerprint": fingerprint,
                         "manifest": json.dumps({"files": files}, sort_keys=True)}
    wanted = pl.DataFrame(
        [(a, p, records[(a, p)]["delivery_id"]) for a, p in changed],
        schema={"billing_account_id": pl.String, "billing_period": pl.String, "delivery_id": pl.String},
        orient="row",
    )

    def fill(replacement: PeriodReplacement) -> None:
        for account, period in sorted(changed, key=lambda u: (u[1], u[0])):
            replacement.clear(account, period)
        for key in sorted({k for files in changed.values() for k in files}):
            frame = focus.read_focus_file(landing, key, source_id=source.name, delivery_id="")
            # only the changed partitions' rows, each stamped with its own delivery fingerprint
            frame = frame.drop("delivery_id").join(
                wanted, on=["billing_account_id", "billing_period"], how="inner", maintain_order="left"
            )
            replacement.insert(frame, landing.describe(key))

    out = replace_periods(con, FOCUS_TABLE, source.name, currency, landing.describe(), fill, records, run_id)
    for r in out:
        log.info(f"{source.name}: loaded FOCUS billing account {r['billing_account_id']}, period "
                 f"{r['billing_period']} ({r['row_count']} rows)")
    return out


def _delivery_root(manifest_key: str) -> str:
    """The export a manifest belongs to: a URI may hold several exports (one per payer account)."""
    if "metadata/BILLING_PERIOD=" in manifest_key:
        return manifest_key.rpartition("metadata/BILLING_PERIOD=")[0]
    return manifest_key.rsplit("/", 2)[0] if manifest_key.count("/") >= 2 else ""
