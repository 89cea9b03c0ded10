"""benchmarks/run.py's plumbing on a tiny zone (2 days x 3 tenants, the floor stage only): the zone is generated,
then reused; the floor reads every landing file of the range; BENCHMARKS.md gets its section once and keeps the
other scripts' sections. Nothing here asserts a time (performance is measured, never asserted)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Pipeline at scale (`make bench`)"


def _run(work: Path, out: Path) -> str:
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--stages", "floor", "--days", "2",
                           "--tenants", "3", "--work", str(work), "--write", str(out)],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_floor_stage_reads_every_landing_file_and_keeps_the_other_sections(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    original = (REPO / "BENCHMARKS.md").read_text()
    out.write_text(original)
    _run(tmp_path / "work", out)

    zone = tmp_path / "work" / "zone-m2"
    landing = zone / "landing"
    floor = json.loads((tmp_path / "work" / "logs" / "floor.json").read_text())
    groups = {g["shape"]: g for g in floor["groups"]}
    # the LLM rows DuckDB counted are the lines of the range's JSONL files (the generator also writes late events
    # into the next day's folder, which is outside the range)
    llm = [p for p in landing.glob("llm/*/*.jsonl") if p.parent.name in ("2026-10-01", "2026-10-02")]
    llm_group = next(g for s, g in groups.items() if s.startswith("llm/"))
    assert llm_group["files"] == len(llm) >= 2
    assert llm_group["rows"] == sum(len(p.read_text().splitlines()) for p in llm)
    cur = list(landing.glob("cur/**/*.parquet"))
    cur_group = next(g for s, g in groups.items() if s.startswith("cur/"))
    assert cur_group["rows"] == sum(pq.ParquetFile(p).metadata.num_rows for p in cur) > 0
    # every landing file of the range but the manifest is read, each once
    days = {"2026-10-01", "2026-10-02"}
    in_range = [p for p in landing.rglob("*") if p.is_file() and "Manifest" not in p.name
                and set(re.findall(r"\d{4}-\d{2}-\d{2}", p.relative_to(landing).as_posix())) <= days]
    assert sum(g["files"] for g in floor["groups"]) == len(in_range)
    assert floor["seconds"] == sum(g["seconds"] for g in floor["groups"]) > 0

    text = out.read_text()
    assert text.count(SECTION) == 1 and "(2026-10-01 .. 2026-10-02)" in text
    assert "generated in this run" in text and "cores" in text and "duckdb 1." in text
    # the other benchmark scripts' sections are kept as they were
    for heading in ("## Cloud bill ingest", "## LLM pricing", "## Daily report"):
        assert original[original.index(heading):] in text

    # a second run reuses the zone and replaces the floor's text instead of adding another
    _run(tmp_path / "work", out)
    again = out.read_text()
    assert again.count(SECTION) == 1 and again.count("### The floor") == 1
    assert "reused from an earlier run" in again and "generated in this run" not in again
