"""A disk that fills up while the serving copy is published (docs/marts.md, The serving copy): the previous copy
stays, byte for byte, and no half-written file is left beside it.

Two ways to run out of space, both possible here without root (no tmpfs can be mounted in CI):
- the kernel refuses the bytes themselves: a child process with RLIMIT_FSIZE below the size of the new copy, so
  DuckDB's own writes fail (EFBIG, the write(2) error a full file system answers with ENOSPC);
- the flush fails: os.fsync raising ENOSPC, which is where a delayed-allocation file system reports a full disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.serving.assets import replace_serving_copy

ROWS = 200_000


def _warehouse(path: Path, rows: int, amount: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.cost_ledger as select range as id, "
                    f"cast('{amount}' as decimal(38, 9)) as amount_usd, md5(range::varchar) as tenant_id "
                    f"from range({rows})")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _publish(warehouse: Path, target: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse)) as con:
        return replace_serving_copy(con, target)


@pytest.fixture
def published(tmp_path):
    """A warehouse with a ledger of ROWS rows, its serving copy published, then the ledger rebuilt with 3 × the
    rows (the next run's copy would be larger than the previous one)."""
    warehouse, target = tmp_path / "unitcost.duckdb", tmp_path / "serving" / "unitcost_serving.duckdb"
    _warehouse(warehouse, ROWS, "1.25")
    assert _publish(warehouse, target) == {"cost_ledger": ROWS}
    _warehouse(warehouse, 3 * ROWS, "2.50")
    return warehouse, target, _digest(target)


def _ledger(target: Path) -> tuple:
    with duckdb.connect(str(target), read_only=True) as con:
        return con.execute("select count(*), sum(amount_usd) from marts.cost_ledger").fetchone()


CHILD = """
import resource, signal, sys
import duckdb
from dagster_project.defs.serving.assets import replace_serving_copy
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
with duckdb.connect(sys.argv[1]) as con:
    replace_serving_copy(con, __import__("pathlib").Path(sys.argv[2]))
"""


def test_a_disk_that_fills_while_the_copy_is_written_leaves_the_previous_copy(published):
    warehouse, target, before = published
    size = target.stat().st_size
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # room for a file a little over half the previous copy: the new one (3 × the rows) cannot be written
    proc = subprocess.run([sys.executable, "-c", CHILD, str(warehouse), str(target), str(size // 2)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode != 0
    assert "File too large" in proc.stderr or "No space" in proc.stderr, proc.stderr[-2000:]
    assert _digest(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    assert _ledger(target) == (ROWS, 250_000)

    # with the room back, the next publish replaces it whole
    assert _publish(warehouse, target) == {"cost_ledger": 3 * ROWS}
    assert _ledger(target) == (3 * ROWS, 1_500_000)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_full_disk_reported_at_the_flush_leaves_the_previous_copy(published, monkeypatch):
    warehouse, target, before = published

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as excinfo:
        _publish(warehouse, target)
    assert excinfo.value.errno == errno.ENOSPC
    assert _digest(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_new_file_left_by_a_killed_publish_is_removed_by_the_next(published):
    warehouse, target, _ = published
    # what a run killed between writing and renaming leaves: its new file and that file's write-ahead log
    for name in (f".{target.name}.0123abcd.tmp", f".{target.name}.0123abcd.tmp.wal"):
        (target.parent / name).write_bytes(b"half a copy")
    (target.parent / "notes.txt").write_text("not ours")
    _publish(warehouse, target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["notes.txt", target.name]
    assert _ledger(target) == (3 * ROWS, 1_500_000)
