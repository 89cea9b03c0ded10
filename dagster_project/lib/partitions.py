"""The daily partitions every asset shares, built from the config's start_date when the definitions are built."""

from datetime import date

import dagster as dg


def daily_partitions(start_date: date) -> dg.DailyPartitionsDefinition:
    # complete UTC days only: the daily schedule materializes yesterday
    return dg.DailyPartitionsDefinition(start_date=start_date.isoformat())
