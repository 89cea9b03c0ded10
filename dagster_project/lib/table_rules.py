"""A raw table's great-expectations rules declared as data (lib/expectations.py runs them): the columns the suite
reads (each computed by DuckDB, so a rule spanning rows, like uniqueness, holds across batch boundaries), the
columns that must not be negative and the derived columns that must be null - each tagged with its rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from dagster_project.lib import expectations as gx_runner
from dagster_project.lib.expectations import RuleOutcome


@dataclass(frozen=True)
class TableRules:
    table: str
    columns: dict[str, str]  # column the suite reads -> the SQL that computes it
    not_negative: dict[str, str] = field(default_factory=dict)  # column -> its rule
    must_be_null: dict[str, str] = field(default_factory=dict)  # derived column -> its rule
    by_day: bool = True  # validated per usage_date of the run; else the whole table (a business file)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.not_negative.values(), *self.must_be_null.values()]))


def suite(spec: TableRules):
    gx, gxe = gx_runner.gx_modules()
    out = gx.ExpectationSuite(name=f"raw_{spec.table}")
    expectations = [(rule, gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
                    for c, rule in spec.not_negative.items()]
    expectations += [(rule, gxe.ExpectColumnValuesToBeNull(column=c)) for c, rule in spec.must_be_null.items()]
    for rule, expectation in expectations:
        expectation.meta = {"rule": rule}
        out.expectations.append(expectation)
    return out


def validate_table(con, spec: TableRules, days: Iterable[date],
                   batch_rows: int = gx_runner.BATCH_ROWS) -> dict[str, RuleOutcome]:
    """Validate raw.<table> (each of `days`, or whole); one outcome per rule (a table not created yet has nothing).

    The run's days are validated together first (one suite run per batch instead of one per day); only when a rule
    fails there is each day validated on its own, to name the days that broke it. The outcome is the same: a rule
    holding over all the days holds on each (a uniqueness count over more rows is never smaller), and a failure is
    always reported per day."""
    outcomes = {rule: RuleOutcome() for rule in spec.rules}
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                         "and table_name = ?", [spec.table]).fetchone()[0]
    if not exists:
        return outcomes
    checked_suite = suite(spec)
    select = ", ".join(f"{sql} as {name}" for name, sql in spec.columns.items())
    days = sorted(set(days))
    if spec.by_day and len(days) > 1:
        failed, rows = _validate(con, checked_suite, f"select {select} from raw.{spec.table} "
                                 f"where usage_date in ({', '.join('?' for _ in days)})", days, batch_rows)
        if not failed:
            for outcome in outcomes.values():
                outcome.periods += len(days)
                outcome.rows += rows
            return outcomes
    periods = [(d.isoformat(), "where usage_date = ?", [d]) for d in days] if spec.by_day else [
        ("all rows", "", [])]
    period_key = "usage_date" if spec.by_day else "period"
    for label, where, params in periods:
        failed, rows = _validate(con, checked_suite, f"select {select} from raw.{spec.table} {where}", params,
                                 batch_rows)
        for rule, outcome in outcomes.items():
            outcome.periods += 1
            outcome.rows += rows
            if rule in failed:
                outcome.passed = False
                outcome.failures.append({period_key: label, "failed": gx_runner.merge_failures(failed[rule])})
    return outcomes


def _validate(con, checked_suite, sql: str, params: list, batch_rows: int) -> tuple[dict[str, list], int]:
    """({rule: the failures of its expectations}, rows validated) of the query's rows, in record batches."""
    failed: dict[str, list] = {}
    rows = 0
    for batch in gx_runner.record_batches(con, sql, params, batch_rows):
        if batch.num_rows == 0:
            continue
        rows += batch.num_rows
        for result in gx_runner.validate(pl.from_arrow(batch).to_pandas(), checked_suite):
            if not result.success:
                failed.setdefault(result.expectation_config.meta["rule"], []).append(gx_runner.describe(result))
    return failed, rows
