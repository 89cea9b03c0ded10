"""The floor: DuckDB alone reading every landing file of a day range once, with a plain aggregate over every column
(read_parquet / read_json_auto for JSON lines / read_csv), and over every parsed document for JSON documents
(read_json_objects: OpenCost keys its objects by pod name, and typing those as columns is DuckDB's slowest path,
not a reading cost). Files of one shape (same folder pattern and name pattern) are read by
one query. Run as a script it prints the result as JSON; run.py runs it in a child process it measures."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
PERIOD = re.compile(r"BILLING_PERIOD=(\d{4})-(\d{2})")
JSONL_OPTIONS = "union_by_name = true, maximum_object_size = 1073741824"
# a JSON document (OpenCost's /allocation, the request counts) is parsed whole and aggregated as one value
DOCUMENT_READER = "(select json as document from read_json_objects(?, format = 'auto', maximum_object_size = 1073741824))"


def in_range(rel: str, start: date, end: date) -> bool:
    """A file belongs to the range when the day in its path is in it, its billing period overlaps it, or its path
    names no day (business data, manifests)."""
    period = PERIOD.search(rel)
    if period:
        first = date(int(period.group(1)), int(period.group(2)), 1)
        return first <= end and (first.year, first.month) >= (start.year, start.month)
    day = DAY.search(rel)
    if day:
        return start <= date.fromisoformat(day.group(1)) <= end
    return True


def reader(path: Path) -> str | None:
    name = path.name
    if name.endswith(".parquet"):
        return "read_parquet(?, union_by_name = true)"
    if name.endswith(".jsonl"):
        return f"read_json_auto(?, {JSONL_OPTIONS})"
    if name.endswith(".json"):
        return DOCUMENT_READER
    if name.endswith(".csv") or name.endswith(".csv.gz"):
        return "read_csv(?, union_by_name = true)"
    return None


def file_groups(landing: Path, start: date, end: date) -> dict[str, list[Path]]:
    """Landing files of the range by shape: the relative path with every digit run replaced by N."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(landing.rglob("*")):
        if not path.is_file() or reader(path) is None:
            continue
        rel = path.relative_to(landing).as_posix()
        if "Manifest" in path.name or not in_range(rel, start, end):
            continue
        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "ID", rel)  # CUR execution ids
        groups[re.sub(r"\d+", "N", shape)].append(path)
    return dict(groups)


def read_floor(landing: Path, start: date, end: date) -> dict:
    import duckdb

    con = duckdb.connect()
    rows = []
    total = 0.0
    for shape, files in file_groups(landing, start, end).items():
        t0 = time.perf_counter()
        count = con.execute(f"select count(*), sum(hash(columns(*))) from {reader(files[0])}",
                            [[str(f) for f in files]]).fetchone()[0]
        seconds = time.perf_counter() - t0
        total += seconds
        rows.append({"shape": shape, "files": len(files), "bytes": sum(f.stat().st_size for f in files),
                     "rows": count, "seconds": seconds})
    return {"groups": rows, "seconds": total}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = read_floor(args.landing, args.start, args.end)
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
