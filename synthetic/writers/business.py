"""The business CSVs (tenants.csv, revenue.csv, budgets.csv), and the CSV dialect every CSV the generator writes
uses (the ground truth's too): a header row, `\n` line ends, minimal quoting."""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_business(root: Path, tenants_rows, revenue_rows, budget_rows) -> None:
    root.mkdir(parents=True, exist_ok=True)
    write_csv(root / "tenants.csv", ["tenant_id", "tenant_name", "plan"], tenants_rows)
    write_csv(root / "revenue.csv", ["month", "tenant_id", "mrr_usd"], revenue_rows)
    write_csv(root / "budgets.csv", ["month", "feature_id", "budget_usd"], budget_rows)
