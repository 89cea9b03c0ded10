"""Late and early data, counted exactly once (docs/money-and-time.md, "Late and early data").

A row belongs to the day of its own timestamp, never to the run that read it. Files land in day folders (the
arrival day); a row may arrive up to `lookback_days` days after its own day, or one day before it (a call just after
midnight written into the previous day's folder). So day d's answer is every row of day d found in the folders
d − 1 … d + lookback_days, and a run of the days D:

- reads the folders of every day of D (`folders_of`);
- re-materializes, in the same run, every earlier day whose rows it found in the folders of its days or after them
  (`earlier_days`): their folders are read too, so the re-materialized day is as complete as a run of that day alone;
- moves a row found outside its own day's folders to the quarantine under the folder's day, with the reason
  `late_beyond_lookback` (or `early_beyond_lookback`): counted, never dropped, and never counted by its own day.

A day's rows are then a function of what has landed, whatever runs came before."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import polars as pl

DEFAULT_LOOKBACK_DAYS = 3
EARLY_DAYS = 1  # a row may land in the folder of the day before its own
LATE_REASON = "late_beyond_lookback"
EARLY_REASON = "early_beyond_lookback"


def folders_of(days: Iterable[date], lookback_days: int) -> set[date]:
    """The arrival folders that may hold rows of `days`: d − 1 … d + lookback_days for each."""
    out: set[date] = set()
    for d in days:
        out.update(d + timedelta(days=k) for k in range(-EARLY_DAYS, lookback_days + 1))
    return out


def place(frame: pl.DataFrame, folder: date, lookback_days: int, day_column: str = "usage_date") -> pl.DataFrame:
    """`frame` (rows read from the folder of day `folder`) with a column `lookback` naming where each row stands:
    null within its day's folders, else the quarantine reason. A row outside them moves to the folder's day."""
    first, last = folder - timedelta(days=lookback_days), folder + timedelta(days=EARLY_DAYS)
    day = pl.col(day_column)
    reason = (
        pl.when(day < first).then(pl.lit(LATE_REASON))
        .when(day > last).then(pl.lit(EARLY_REASON))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    return frame.with_columns(lookback=reason).with_columns(
        pl.when(pl.col("lookback").is_null()).then(day).otherwise(pl.lit(folder)).alias(day_column)
    )


def earlier_days(found: Iterable[tuple[date, pl.DataFrame]], days: list[date], start_date: date,
                 day_column: str = "usage_date") -> list[date]:
    """The days before the run's first day (from start_date on) that rows read within their lookback, in a folder
    of the run's days or after them, belong to: the days this run re-materializes. (The folder of the day before
    the run is read only for the run's own early rows: that day's rows there are its own run's.)"""
    if not days:
        return []
    first = min(days)
    out: set[date] = set()
    for folder, frame in found:
        if folder >= first and frame.height:
            out.update(frame.filter(pl.col(day_column) < first)[day_column].drop_nulls().to_list())
    return sorted(d for d in out if d >= start_date)


# what a source's reader gives per file (by key order index): (its folder's day, its rows within the lookback, ...)
Reader = Callable[[set[date]], dict[int, tuple]]


def read_with_lookback(read: Reader, days: list[date], lookback_days: int,
                       start_date: date) -> tuple[list[date], list[date], list[tuple]]:
    """Read the folders of `days`, then those of the earlier days found there. Returns (the days to write, the
    earlier days among them, per file in key order what `read` gave after its folder's day)."""
    near = folders_of(days, lookback_days)
    found = read(near)
    earlier = earlier_days(((v[0], v[1]) for v in found.values()), days, start_date)
    found |= read(folders_of(earlier, lookback_days) - near)
    return sorted({*days, *earlier}), earlier, [found[i][1:] for i in sorted(found)]
