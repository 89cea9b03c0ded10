"""The two column types every raw table shares: money and UTC timestamps."""

from __future__ import annotations

import polars as pl

MONEY = pl.Decimal(38, 9)
TS = pl.Datetime("us", "UTC")
