"""LLM call logs are read in bounded batches (ingest/llm/native_stream.py) and staged in DuckDB
(defs/llm/staging.py): the same rows and reasons as reading a file whole, errors naming the file's own line, and a
2 GB file ingested by the real asset in a child process whose peak memory stays far below the file's size."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.llm.staging import CallStage
from ingest.errors import LandingFileError
from ingest.llm.native import parse_native_jsonl
from ingest.llm.native_stream import byte_batches, iter_native_jsonl
from ingest.schemas import empty, LLM_EVENTS, LLM_EVENTS_QUARANTINE

DAY = date(2026, 10, 1)
REPO = Path(__file__).resolve().parents[2]


def call(i: int, **overrides) -> dict:
    record = {"timestamp": f"2026-10-01T{i % 24:02d}:00:00Z", "event_id": f"e{i}", "gen_ai.provider.name": "openai",
              "gen_ai.request.model": "gpt-4o", "tenant.id": f"t{i % 5}", "gen_ai.usage.input_tokens": 100 + i,
              "gen_ai.usage.output_tokens": 10}
    record.update(overrides)
    return record


def lines(records) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\r\n" for r in records)


def staged(data: bytes, batch_bytes: int) -> tuple[list, list]:
    """The file `data` through the asset's path: batches staged, one swap; (events, quarantine) as sorted rows."""
    con = duckdb.connect()
    stage = CallStage(con)
    for n, (ok, bad) in enumerate(iter_native_jsonl(io.BytesIO(data), "f.jsonl", batch_bytes)):
        stage.add(0, n, DAY, 3, ok, bad)
    stage.swap([DAY], empty(LLM_EVENTS), empty(LLM_EVENTS_QUARANTINE))
    cols = ", ".join(f'"{c}"' for c in LLM_EVENTS)
    return (sorted(con.execute(f"select {cols} from raw.llm_events").fetchall()),
            sorted(con.execute(f"select {cols}, reason from raw.llm_events_quarantine").fetchall()))


# duplicates far apart (the first copy valid, or itself quarantined), a line only the line-by-line reading takes
# (cost_usd), a bad token count: each in a different batch when batches are small
RECORDS = [call(i) for i in range(60)] + [
    call(3, tenant_id="copy"), call(70, **{"gen_ai.usage.input_tokens": -1}), call(71, cost_usd="0.25"),
    call(70), call(72, **{"gen_ai.usage.output_tokens": 5, "gen_ai.usage.reasoning.output_tokens": 9}),
] + [call(i) for i in range(80, 120)]


@pytest.mark.parametrize("batch_bytes", [64, 700, 5000, 1 << 20])
def test_any_batch_size_gives_the_rows_and_reasons_of_the_whole_file(batch_bytes):
    data = b"\xef\xbb\xbf" + lines(RECORDS) + b"\n\n"
    ok, bad = parse_native_jsonl(data, "f.jsonl")
    whole = (sorted(ok.select(list(LLM_EVENTS)).rows()), sorted(bad.select(list(LLM_EVENTS_QUARANTINE)).rows()))
    assert staged(data, batch_bytes) == whole
    events, quarantine = whole
    assert len(events) == 60 + 1 + 40  # e0..e59, e71 (priced by its cost), e80..e119
    assert sorted(r[-1] for r in quarantine) == ["duplicate_event_id", "duplicate_event_id",
                                                  "negative_token_count", "reasoning_exceeds_output"]


def test_batches_are_whole_lines_and_keep_every_byte():
    data = lines(RECORDS)
    batches = list(byte_batches(io.BytesIO(b"\xef\xbb\xbf" + data), 100))
    assert b"".join(b for _, b in batches) == data
    assert all(b.endswith(b"\n") for _, b in batches)
    firsts = [n for n, _ in batches]
    assert firsts == [1 + sum(b.count(b"\n") for _, b in batches[:k]) for k in range(len(batches))]


def test_a_bad_line_in_a_later_batch_is_named_by_its_line_in_the_file():
    data = lines(RECORDS[:50]) + b'{"event_id": "x", "timestamp": \n' + lines(RECORDS[50:])
    with pytest.raises(LandingFileError, match=r"f\.jsonl.*line 51"):
        list(iter_native_jsonl(io.BytesIO(data), "f.jsonl", 256))
    with pytest.raises(LandingFileError, match=r"f\.jsonl.*line 31: not UTF-8"):
        list(iter_native_jsonl(io.BytesIO(lines(RECORDS[:30]) + b"\xff\xfe\n"), "f.jsonl", 128))


CHILD = textwrap.dedent("""
    import resource, sys
    from datetime import date
    import dagster as dg
    from dagster_project.defs.llm.assets import llm_assets
    from dagster_project.defs.resources import UnitcostConfigResource, warehouse_resources
    from dagster_project.lib.partitions import daily_partitions

    unitcost = UnitcostConfigResource(path=sys.argv[1])
    resources = warehouse_resources(unitcost)
    result = dg.materialize(llm_assets(daily_partitions(date(2026, 10, 1)))[:1], partition_key="2026-10-01",
                            resources={"unitcost": unitcost, "duckdb": resources["duckdb"]})
    assert result.success
    print("peak_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # the child's own peak RSS
""")


def _write_big_file(path: Path, target_bytes: int) -> int:
    """A native JSONL of about `target_bytes`: one block of distinct calls written again and again, each copy's ids
    made distinct by a prefix. Returns the number of lines."""
    block = [json.dumps(call(i, event_id=f"{{k}}-{i}", **{"gen_ai.usage.input_tokens": 1000 + i % 97}))
             for i in range(20_000)]
    template = ("\n".join(block) + "\n").replace("{", "{{").replace("}", "}}").replace("{{k}}", "{k}")
    lines_written, size, k = 0, 0, 0
    with path.open("w") as f:
        while size < target_bytes:
            text = template.format(k=f"{k:05d}")
            f.write(text)
            size += len(text)
            lines_written += len(block)
            k += 1
    return lines_written


def test_a_2_gb_jsonl_is_ingested_with_bounded_memory(tmp_path):
    day = tmp_path / "landing" / "llm" / "2026-10-01"
    day.mkdir(parents=True)
    big = day / "events-0.jsonl"
    started = time.monotonic()
    rows = _write_big_file(big, 2 * 1024 ** 3)
    size = big.stat().st_size
    assert size >= 2 * 1024 ** 3
    config = tmp_path / "unitcost.yaml"
    config.write_text(
        "start_date: 2026-10-01\n"
        "warehouse: {path: warehouse/unitcost.duckdb, memory_limit: 300MB}\n"
        "sources: {llm: {uri: landing/llm}}\n")
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(config)], cwd=REPO, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        big.unlink()
    peak_kib = int(done.stdout.split("peak_kib")[-1].split()[0])
    peak_gib = peak_kib / 1024 ** 2
    print(f"\n2 GB JSONL: {size / 1024 ** 3:.2f} GiB, {rows:,} lines, child peak RSS {peak_gib:.2f} GiB, "
          f"{time.monotonic() - started:.0f} s with the writing")
    # bounded: a reader holding the whole file needs at least its bytes; the streamed one stays well below them
    # (1.07-1.21 GiB measured, most of it the interpreter, Dagster and DuckDB before the first batch)
    assert peak_kib * 1024 < 0.75 * size, f"peak RSS {peak_gib:.2f} GiB for a {size / 1024 ** 3:.2f} GiB file"
    with duckdb.connect(str(tmp_path / "warehouse" / "unitcost.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), count(distinct event_id) from raw.llm_events").fetchone() == (rows, rows)
        assert con.execute("select count(*) from raw.llm_events_quarantine").fetchone() == (0,)
        assert con.execute("select sum(input_tokens) from raw.llm_events").fetchone()[0] == rows // 20_000 * sum(
            1000 + i % 97 for i in range(20_000))
