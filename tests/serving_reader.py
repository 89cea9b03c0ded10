"""A second process reading the serving copy in a loop, as an analyst's script or a BI server's pool would; run by
tests/test_serving_readers.py. Each query appends one JSON line to the output file: the days the copy holds, and
whether each is complete (its ledger = its truth = its tenants' cost, no reconciliation diff), or the error.

--mode reconnect: a new connection for every query (a pool that recycles its connections every --interval seconds).
--mode hold: one connection kept open (a long-lived pool); when --reconnect-file appears it closes it and opens a
new one, once. Both stop when --stop-file appears."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

DAYS = """
with ledger as (select usage_date, sum(amount_usd) as total from marts.cost_ledger group by 1),
truth as (
    select usage_date, sum(effective_cost_usd) as total, count(*) filter (where diff_usd <> 0) as broken
    from marts.bill_reconciliation_daily group by 1
),
tenants as (select usage_date, sum(total_cost_usd) as total from marts.tenant_daily_cost group by 1)
select cast(usage_date as varchar), coalesce(l.total = r.total and l.total = t.total and r.broken = 0, false)
from ledger as l full join truth as r using (usage_date) full join tenants as t using (usage_date)
order by 1
"""


def observe(con: duckdb.DuckDBPyConnection) -> dict:
    rows = con.execute(DAYS).fetchall()
    return {"days": [d for d, _ in rows], "complete": all(ok for _, ok in rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("serving")
    parser.add_argument("out")
    parser.add_argument("--mode", choices=("reconnect", "hold"), required=True)
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--reconnect-file")
    args = parser.parse_args()
    stop, again = Path(args.stop_file), Path(args.reconnect_file) if args.reconnect_file else None
    held = duckdb.connect(args.serving, read_only=True) if args.mode == "hold" else None
    reconnected = False
    with open(args.out, "a", buffering=1) as out:
        while not stop.exists():
            if held is not None and again is not None and not reconnected and again.exists():
                held.close()
                held, reconnected = duckdb.connect(args.serving, read_only=True), True
            line = {"t": time.time(), "reconnected": reconnected}
            try:
                if held is not None:
                    line.update(observe(held))
                else:
                    with duckdb.connect(args.serving, read_only=True) as con:
                        line.update(observe(con))
                line["ok"] = True
            except Exception as exc:  # any failure to read is what the test looks for
                line.update(ok=False, error=f"{type(exc).__name__}: {exc}")
            out.write(json.dumps(line) + "\n")
            time.sleep(args.interval)
    if held is not None:
        held.close()


if __name__ == "__main__":
    main()
