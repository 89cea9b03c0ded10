"""A CUR in either format: a whole delivery (each file read by cur2.py or cur1.py, by the delivery's
``bill_format``), or one bare bill file.

A bare file is a bill without a manifest (a CUR CSV someone downloaded, a Parquet file a test writes): its source
config names the ``format`` and ``billing_period`` the file cannot tell, and its ``delivery_id`` is a hash of its
bytes, so re-loading an unchanged file is recognisable. FOCUS files are read by focus.py: their rows carry their
own account and billing period and land in another table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from ingest.cloud_bill.cur1 import read_cur1_file
from ingest.cloud_bill.cur2 import read_cur2_file
from ingest.cloud_bill.deliveries import Delivery
from ingest.cloud_bill.files import content_id
from ingest.cloud_bill.line_items import concat
from ingest.landing import Landing

_BILLING_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_FILE_READERS = {"cur2": read_cur2_file, "cur1": read_cur1_file}


def iter_delivery(landing: Landing, delivery: Delivery, source_id: str) -> Iterator[pl.DataFrame]:
    """Yield one CUR_LINE_ITEMS frame per data file of a delivery, CUR 2.0 or CUR 1, in manifest order."""
    reader = _FILE_READERS.get(delivery.bill_format)
    if reader is None:
        raise ValueError(f"unknown bill format {delivery.bill_format!r} (expected cur2 or cur1)")
    return (
        reader(landing, key, billing_period=delivery.billing_period, delivery_id=delivery.delivery_id,
               source_id=source_id)
        for key in delivery.data_keys
    )


def read_delivery(landing: Landing, delivery: Delivery, source_id: str) -> pl.DataFrame:
    """All line items of a delivery as one CUR_LINE_ITEMS frame (see iter_delivery to stream)."""
    return concat(iter_delivery(landing, delivery, source_id))


def read_bare_bill(landing: Landing, key: str, fmt: str, billing_period: str, source_id: str) -> pl.DataFrame:
    """A single bill file without a manifest (its config names ``format`` and ``billing_period``).

    ``delivery_id`` is a hash of the file's bytes, so re-loading an unchanged file is recognisable.
    """
    if not _BILLING_PERIOD.match(billing_period or ""):
        raise ValueError(f"{landing.describe(key)}: billing_period {billing_period!r} is not YYYY-MM")
    if fmt == "focus":
        # FOCUS rows carry their own account and billing period and land in another table
        raise ValueError(f"{landing.describe(key)}: a FOCUS file is read by ingest.cloud_bill.focus.read_focus_file")
    if fmt not in _FILE_READERS:
        raise ValueError(f"{landing.describe(key)}: format {fmt!r} is not one of cur1, cur2, focus")
    data = landing.read_bytes(key)
    return _FILE_READERS[fmt](
        landing, key, billing_period=billing_period, delivery_id=content_id(data), source_id=source_id, data=data
    )
