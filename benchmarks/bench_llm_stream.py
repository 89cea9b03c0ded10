"""The native LLM call-log reading: a whole file at once (native.parse_native_jsonl) against the bounded batches the
asset uses (native_stream.py), parse only and parse + staged in DuckDB (defs/llm/staging.py), over the first days
of a generated zone's LLM folders. Each variant runs in its own process so that its peak RSS is its own.

    python benchmarks/bench_llm_stream.py <zone>/landing/llm --days 3
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

VARIANTS = ("whole", "batches", "batches+staged")


def _run(variant: str, files: list[Path]) -> dict:
    import duckdb

    from dagster_project.defs.llm.staging import CallStage
    from ingest.llm.native import parse_native_jsonl
    from ingest.llm.native_stream import iter_native_jsonl

    started, rows = time.perf_counter(), 0
    stage = CallStage(duckdb.connect()) if variant == "batches+staged" else None
    for i, path in enumerate(files):
        if variant == "whole":
            ok, bad = parse_native_jsonl(path.read_bytes(), str(path))
            rows += ok.height + bad.height
            continue
        with path.open("rb") as stream:
            for n, (ok, bad) in enumerate(iter_native_jsonl(stream, str(path))):
                rows += ok.height + bad.height
                if stage:
                    stage.add(i, n, date.fromisoformat(path.parent.name), 3, ok, bad)
    return {"variant": variant, "rows": rows, "seconds": round(time.perf_counter() - started, 2),
            "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("llm_folder", type=Path)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--variant", choices=VARIANTS)
    args = parser.parse_args()
    folders = sorted(p for p in args.llm_folder.iterdir() if p.is_dir() and p.name[:2] == "20")[:args.days]
    files = [f for folder in folders for f in sorted(folder.glob("*.jsonl"))]
    if args.variant:
        print(json.dumps(_run(args.variant, files)))
        return
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} files, {size / 1e6:,.1f} MB ({folders[0].name} .. {folders[-1].name})")
    for variant in VARIANTS:
        out = subprocess.run([sys.executable, __file__, str(args.llm_folder), "--days", str(args.days),
                              "--variant", variant], capture_output=True, text=True, check=True)
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
