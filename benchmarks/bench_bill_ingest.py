"""Ingest a synthetic CUR 2.0 month of 5 M line items, next to the floor: DuckDB alone copying the same files.

The month is written as AWS Data Exports writes it (Parquet chunks in an execution folder, a manifest naming them;
~70 columns including the `product` and `resource_tags` MAPs). Three variants run, each in its own process so
that its peak memory is its own (a measuring process runs the variant as its only child and reads
resource.getrusage(RUSAGE_CHILDREN).ru_maxrss):

  floor       DuckDB: CREATE TABLE t AS SELECT * FROM read_parquet([...every file...])
  ingest      unitcost's bill load of the period (defs/cloud_bill/loading.py load_bill_source: manifest, polars per file,
              one transaction into raw.cur_line_items), without the great-expectations suite
  ingest+gx   the same, then the suite the bill asset checks run (gx_bill.validate_bill_units)

    .venv/bin/python benchmarks/bench_bill_ingest.py [--rows 5000000] [--files 10] [--write BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PAYER = "123456789012"
PERIOD = "2026-10"
EXPORT = "bench-export"
SECTION = "## Cloud bill ingest"

_S, _D = pa.string(), pa.float64()
_T = pa.timestamp("ms")
_M = pa.map_(pa.string(), pa.string())
# A realistic CUR 2.0 export (the columns CID's Data Exports query selects, a few omitted)
STRINGS = [
    "bill_bill_type", "bill_billing_entity", "bill_invoice_id", "bill_invoicing_entity", "bill_payer_account_id",
    "bill_payer_account_name", "identity_time_interval", "line_item_availability_zone", "line_item_currency_code",
    "line_item_legal_entity", "line_item_line_item_description", "line_item_line_item_type", "line_item_operation",
    "line_item_product_code", "line_item_resource_id", "line_item_tax_type", "line_item_unblended_rate",
    "line_item_usage_account_id", "line_item_usage_account_name", "line_item_usage_type", "pricing_currency",
    "pricing_public_on_demand_rate", "pricing_term", "pricing_unit", "product_instance_type", "product_operation",
    "product_product_family", "product_region_code", "product_servicecode", "product_usagetype",
    "reservation_reservation_a_r_n", "savings_plan_savings_plan_a_r_n", "split_line_item_parent_resource_id",
]
DOUBLES = [
    "line_item_blended_cost", "line_item_net_unblended_cost", "line_item_unblended_cost", "line_item_usage_amount",
    "pricing_public_on_demand_cost", "reservation_amortized_upfront_cost_for_usage",
    "reservation_amortized_upfront_fee_for_billing_period", "reservation_effective_cost",
    "reservation_recurring_fee_for_usage", "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_quantity", "reservation_unused_recurring_fee",
    "savings_plan_amortized_upfront_commitment_for_billing_period", "savings_plan_net_savings_plan_effective_cost",
    "savings_plan_recurring_commitment_for_billing_period", "savings_plan_savings_plan_effective_cost",
    "savings_plan_savings_plan_rate", "savings_plan_total_commitment_to_date", "savings_plan_used_commitment",
    "split_line_item_public_on_demand_split_cost", "split_line_item_split_cost", "split_line_item_split_usage",
    "split_line_item_split_usage_ratio", "split_line_item_unused_cost",
]
TIMES = ["bill_billing_period_start_date", "bill_billing_period_end_date", "line_item_usage_start_date",
         "line_item_usage_end_date"]
MAPS = ["product", "resource_tags"]


# ------------------------------------------------------------------------------------------------------------
# the synthetic month
# ------------------------------------------------------------------------------------------------------------
def _vocab(rng, n_rows: int, values: list[str], p=None) -> pa.Array:
    idx = rng.choice(len(values), size=n_rows, p=p).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(values, _S)).cast(_S)


def _map(rng, n_rows: int, keys: list[str], values: list[list[str]], max_entries: int) -> pa.Array:
    counts = rng.integers(0, max_entries + 1, size=n_rows)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    total = int(offsets[-1])
    slot = np.concatenate([np.arange(c) for c in counts]) if total else np.zeros(0, dtype=np.int64)
    key_arr = pa.DictionaryArray.from_arrays(pa.array(slot.astype(np.int32)), pa.array(keys, _S)).cast(_S)
    flat_values = [v for vs in values for v in vs]
    base = np.cumsum([0] + [len(vs) for vs in values])[:-1]
    choice = base[slot] + (rng.integers(0, 1 << 30, size=total) % np.array([len(values[s]) for s in slot] or [1]))
    val_arr = pa.DictionaryArray.from_arrays(pa.array(choice.astype(np.int32)), pa.array(flat_values, _S)).cast(_S)
    return pa.MapArray.from_arrays(pa.array(offsets), key_arr, val_arr)


def month_chunk(rng, n_rows: int, first_id: int) -> pa.Table:
    hours = rng.integers(0, 31 * 24, size=n_rows)
    start = np.datetime64("2026-10-01T00:00:00", "ms") + hours.astype("timedelta64[h]")
    types = _vocab(rng, n_rows, ["Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "DiscountedUsage", "Tax"],
                   p=[0.86, 0.05, 0.05, 0.03, 0.01])
    cols: dict[str, pa.Array] = {}
    instances = [f"i-{i:017x}" for i in range(4000)]
    for name in STRINGS:
        if name == "bill_payer_account_id":
            cols[name] = pa.array([PAYER] * n_rows, _S)
        elif name == "line_item_line_item_type":
            cols[name] = types
        elif name == "line_item_currency_code" or name == "pricing_currency":
            cols[name] = pa.array(["USD"] * n_rows, _S)
        elif name == "line_item_resource_id":
            cols[name] = _vocab(rng, n_rows, instances + [""] * 400)
        elif name == "line_item_product_code":
            cols[name] = _vocab(rng, n_rows, ["AmazonEC2", "AmazonS3", "AmazonRDS", "AWSLambda", "AmazonEKS",
                                              "AmazonBedrock", "AmazonCloudWatch", "AWSDataTransfer"])
        elif name == "line_item_operation":
            cols[name] = _vocab(rng, n_rows, ["RunInstances", "RunInstances:0002", "PutObject", "GetObject",
                                              "CreateDBInstance", "Invoke", "InvokeModelInference", ""])
        elif name == "line_item_usage_type":
            cols[name] = _vocab(rng, n_rows, ["USE1-BoxUsage:m7i.xlarge", "USE1-BoxUsage:g5.2xlarge",
                                              "USE1-TimedStorage-ByteHrs", "USE1-DataXfer-Out-Bytes",
                                              "USE1-Requests-Tier1", "USE1-Lambda-GB-Second",
                                              "USE1-anthropic.claude-sonnet-input-tokens"])
        elif name == "line_item_line_item_description":
            cols[name] = _vocab(rng, n_rows, [f"$0.{i:03d} per On Demand Linux m7i.xlarge Instance Hour"
                                              for i in range(200)])
        else:
            cols[name] = _vocab(rng, n_rows, [f"{name[-12:]}-{i}" for i in range(50)] + [""])
    cost = rng.gamma(0.6, 0.05, size=n_rows)
    for name in DOUBLES:
        if name in ("line_item_unblended_cost", "line_item_blended_cost", "line_item_net_unblended_cost"):
            cols[name] = pa.array(cost, _D)
        elif name == "pricing_public_on_demand_cost":
            cols[name] = pa.array(cost * 1.2, _D)
        elif name == "line_item_usage_amount":
            cols[name] = pa.array(rng.gamma(1.0, 2.0, size=n_rows), _D)
        elif name == "savings_plan_savings_plan_effective_cost":
            cols[name] = pa.array(np.where(pc.equal(types, "SavingsPlanCoveredUsage").to_numpy(False), cost * 0.7,
                                           np.nan), _D, from_pandas=True)
        else:
            cols[name] = pa.nulls(n_rows, _D)
    cols["bill_billing_period_start_date"] = pa.array(np.full(n_rows, np.datetime64("2026-10-01", "ms")), _T)
    cols["bill_billing_period_end_date"] = pa.array(np.full(n_rows, np.datetime64("2026-11-01", "ms")), _T)
    cols["line_item_usage_start_date"] = pa.array(start, _T)
    cols["line_item_usage_end_date"] = pa.array(start + np.timedelta64(1, "h"), _T)
    ids = pa.array(np.arange(first_id, first_id + n_rows))
    cols["identity_line_item_id"] = pc.binary_join_element_wise("li-", pc.cast(ids, _S), "")
    cols["product"] = _map(rng, n_rows, ["product_name", "region", "operating_system"],
                           [["Amazon EC2", "Amazon S3", "Amazon RDS"], ["us-east-1", "eu-west-1"], ["Linux", ""]], 3)
    cols["resource_tags"] = _map(rng, n_rows, ["user_tenant", "user_feature", "user_team"],
                                 [[f"t{i:03d}" for i in range(200)], ["search", "chat", "ingest"], ["ml", "web"]], 3)
    return pa.table(cols)


def write_month(root: Path, rows: int, files: int) -> list[Path]:
    rng = np.random.default_rng(7)
    folder = root / "data" / f"BILLING_PERIOD={PERIOD}" / "20261105T031522Z-bench-exec"
    folder.mkdir(parents=True)
    per_file = -(-rows // files)
    paths = []
    for i in range(files):
        n = min(per_file, rows - i * per_file)
        path = folder / f"{EXPORT}-{i + 1:05d}.snappy.parquet"
        pq.write_table(month_chunk(rng, n, i * per_file), path, compression="snappy")
        paths.append(path)
    manifest = {
        "executionId": "bench-exec", "exportName": EXPORT,
        "billingPeriod": {"start": f"{PERIOD}-01T00:00:00.000Z", "end": "2026-11-01T00:00:00.000Z"},
        "dataFiles": [f"s3://bench-bucket/cur/{EXPORT}/{p.relative_to(root).as_posix()}" for p in paths],
    }
    meta = root / "metadata" / f"BILLING_PERIOD={PERIOD}"
    meta.mkdir(parents=True)
    (meta / f"{EXPORT}-Manifest.json").write_text(json.dumps(manifest))
    return paths


# ------------------------------------------------------------------------------------------------------------
# the variants (each runs in a child process)
# ------------------------------------------------------------------------------------------------------------
def run_variant(variant: str, export: Path, db: Path) -> dict:
    import duckdb

    if variant == "floor":
        files = sorted(str(p) for p in export.rglob("*.parquet"))
        with duckdb.connect(str(db)) as con:
            con.execute("create table t as select * from read_parquet(?)", [files])
            return {"rows": con.execute("select count(*) from t").fetchone()[0]}
    import logging

    from dagster_project.defs.cloud_bill.loading import load_bill_source
    from dagster_project.lib.bill_deliveries import ensure_bill_tables
    from dagster_project.lib.config import SourceConfig

    out = {}
    with duckdb.connect(str(db)) as con:
        ensure_bill_tables(con)
        source = SourceConfig(kind="cur", uri=str(export), name="cur")
        records = load_bill_source(con, source, "USD", "bench", logging.getLogger("bench"))
        out["rows"] = sum(r["row_count"] for r in records)
        if variant == "ingest+gx":
            from dagster_project.defs.cloud_bill import expectations as gx_bill
            from dagster_project.lib.bill_deliveries import units_to_validate

            started = time.perf_counter()
            units = units_to_validate(con, "bench")["cur_line_items"]
            outcomes = gx_bill.validate_bill_units(con, "cur_line_items", units)
            out["gx_seconds"] = round(time.perf_counter() - started, 1)
            out["rules"] = {rule: o.passed for rule, o in outcomes.items()}
    return out


def measure(variant: str, export: Path, workdir: Path) -> dict:
    """Run the variant as this process's only child: wall time and that child's peak RSS."""
    db = workdir / f"{variant.replace('+', '_')}.duckdb"
    for old in (db, db.with_suffix(".duckdb.wal")):
        old.unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", variant, "--export", str(export), "--db", str(db)],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{proc.stdout}\n{proc.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: KiB
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    db_mb = sum(p.stat().st_size for p in (db, db.with_suffix(".duckdb.wal")) if p.exists()) / 1e6
    return {"variant": variant, "seconds": round(wall, 1), "peak_mib": round(peak_kib / 1024), "db_mb": round(db_mb),
            **result}


def render(results: list[dict], rows: int, files: int, data_mb: float) -> str:
    floor = next(r for r in results if r["variant"] == "floor")
    labels = {"floor": "DuckDB alone: `CREATE TABLE … AS SELECT * FROM read_parquet(…)` (the floor)",
              "ingest": "unitcost bill ingest (manifest → polars, 122,880-row batches → one transaction), no GX",
              "ingest+gx": "unitcost bill ingest + the great-expectations suite of the bill checks"}
    lines = [
        f"`benchmarks/bench_bill_ingest.py`, {datetime.now().strftime('%Y-%m-%d')}, {platform.python_version()}, "
        f"{os.cpu_count()} cores: one synthetic CUR 2.0 month of {rows:,} line items in {files} Parquet files "
        f"({data_mb:,.0f} MB, {len(STRINGS) + len(DOUBLES) + len(TIMES) + len(MAPS) + 1} columns incl. the "
        "`product` and `resource_tags` MAPs), listed by a Data Exports manifest. Each variant runs in its own "
        "process (imports, load, close included) into a fresh DuckDB file; peak memory is that process's max RSS. "
        f"{results[0]['runs']} interleaved run(s) of each: the fastest time, the highest peak.",
        "",
        "| variant | wall time | × floor | peak memory | DuckDB file |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {labels[r['variant']]} | {r['seconds']:.1f} s | {r['seconds'] / floor['seconds']:.2f} | "
                     f"{r['peak_mib']:,} MiB | {r['db_mb']:,} MB |")
    ingest = next(r for r in results if r["variant"] == "ingest")
    gx = next(r for r in results if r["variant"] == "ingest+gx")
    ratio = ingest["seconds"] / floor["seconds"]
    lines += [
        "",
        f"Goals: ingest ≤ 2 × floor without GX — {'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f} ×); "
        f"peak memory < 2 GB with GX — {'met' if gx['peak_mib'] < 2048 else 'NOT met'} ({gx['peak_mib']:,} MiB). "
        f"The suite itself took {gx.get('gx_seconds', '?')} s of the last variant "
        f"({sum(gx.get('rules', {}).values())} of {len(gx.get('rules', {}))} rules passed on the synthetic month).",
        "",
        "What keeps it streaming (each measured on this month): Parquet files are read in 122,880-row batches "
        "and written in INSERTs of four row groups through an Arrow RecordBatchReader over a list of batches. "
        "A registered Arrow Table (or `Table.to_reader()`) stays referenced by the open transaction until the "
        "commit, so memory grew by ~500 MB per 500k rows (6.3 GB peak for the month); INSERTs of less than a few "
        "row groups wait in DuckDB's memory for the commit and made the checkpoint at close re-read the month "
        "(5.8 GB); a Parquet file per batch read back by DuckDB had the same close cost. The suite reads each "
        "period in 250,000-row batches of the 10–12 columns its rules need; checking column types on the first "
        "batch only (DuckDB types a column once) and turning off great-expectations' per-batch fingerprint (a hash "
        "of every cell, 60% of its time) took it from 30 s to the time above. The ingest writes fewer columns than "
        "the floor (the raw contract's 45, money as DECIMAL(38,9)), so its DuckDB file is smaller.",
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n"
    head, _, rest = text.partition(SECTION + "\n")
    following = re.search(r"^## ", rest, flags=re.M)
    tail = rest[following.start():] if following else ""
    path.write_text(head + SECTION + "\n" + body + ("\n" + tail if tail else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the three variants this many times, interleaved; report each one's fastest run")
    parser.add_argument("--write", type=Path, help="write the results into this BENCHMARKS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--export", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_variant(args.child, args.export, args.db)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_bill_") as tmp:
        export = Path(tmp) / "export"
        started = time.perf_counter()
        paths = write_month(export, args.rows, args.files)
        data_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"wrote {args.rows:,} rows in {args.files} files ({data_mb:,.0f} MB) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        runs: dict[str, list[dict]] = {}
        for _ in range(args.repeat):
            for variant in ("floor", "ingest", "ingest+gx"):
                # a fresh measuring process per variant, so RUSAGE_CHILDREN holds this variant alone
                proc = subprocess.run([sys.executable, "-c", _MEASURE, __file__, variant, str(export), tmp],
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    raise SystemExit(proc.stdout + proc.stderr)
                runs.setdefault(variant, []).append(json.loads(proc.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[variant][-1]), flush=True)
        # the fastest run of each (the machine is shared: slower runs measure the neighbours), the highest peak
        results = [{**min(rs, key=lambda r: r["seconds"]), "peak_mib": max(r["peak_mib"] for r in rs),
                    "runs": len(rs)} for rs in runs.values()]
    body = render(results, args.rows, args.files, data_mb)
    print(body)
    if args.write:
        write_section(args.write, body)


_MEASURE = """
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(sys.argv[1]).parent))
from bench_bill_ingest import measure
print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
"""

if __name__ == "__main__":
    main()
