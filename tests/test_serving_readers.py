"""Serving that readers can trust (docs/marts.md, The serving copy), each shown with a second process reading the
serving file in a loop (tests/serving_reader.py): through a daily run every query succeeds and sees only complete
days; a reader that reconnects every 0.25 s sees the new day once it is published; a reader holding its connection
keeps its copy until it reconnects; a failed run, or a copy that fails its own check, leaves the previous file."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster_duckdb import DuckDBResource

from dagster_project.cli import run_pipeline
from dagster_project.defs.resources import UnitcostConfigResource
from dagster_project.defs.serving import assets as serving
from dagster_project.lib.config import load_config
from synthetic import generate

pytestmark = pytest.mark.slow

READER = Path(__file__).resolve().parent / "serving_reader.py"
OLD_DAYS = ["2026-10-01", "2026-10-02"]
NEW_DAYS = [*OLD_DAYS, "2026-10-03"]


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """Three days of a small company; the first two built and served."""
    root = tmp_path_factory.mktemp("serving")
    config = generate(root, date(2026, 10, 1), 3, 4, seed=5)
    assert run_pipeline(str(config), date(2026, 10, 1), date(2026, 10, 2), raise_on_error=False).success
    return SimpleNamespace(root=root, config=config, serving=load_config(config).serving_path)


class Reader:
    def __init__(self, company, folder: Path, name: str, mode: str):
        self.out, self.stop = folder / f"{name}.jsonl", folder / f"{name}.stop"
        self.reconnect = folder / f"{name}.reconnect"
        self.process = subprocess.Popen([
            sys.executable, str(READER), str(company.serving), str(self.out), "--mode", mode,
            "--stop-file", str(self.stop), "--reconnect-file", str(self.reconnect)])
        self.wait_for(lambda lines: len(lines) >= 2)

    def lines(self) -> list[dict]:
        return [json.loads(x) for x in self.out.read_text().splitlines()] if self.out.exists() else []

    def wait_for(self, condition, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while not condition(self.lines()):
            assert self.process.poll() is None, f"reader exited with {self.process.returncode}"
            assert time.monotonic() < deadline, "the reader did not get there in time"
            time.sleep(0.1)
        return self.lines()

    def finish(self) -> list[dict]:
        self.stop.touch()
        assert self.process.wait(timeout=30) == 0
        lines = self.lines()
        assert lines and all(line["ok"] for line in lines), [line for line in lines if not line["ok"]][:3]
        assert all(line["complete"] for line in lines), "a reader saw a day the ledger did not sum to the truth"
        return lines


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(company) -> list[Path]:
    return sorted(company.serving.parent.glob(f".{company.serving.name}.*"))


def test_readers_through_a_daily_run_get_complete_days_and_the_new_one_once_they_reconnect(company, tmp_path):
    polling = Reader(company, tmp_path, "polling", "reconnect")
    holding = Reader(company, tmp_path, "holding", "hold")
    assert run_pipeline(str(company.config), date(2026, 10, 3), date(2026, 10, 3), raise_on_error=False).success
    # the pool that recycles its connections sees the new day; the one holding a connection still has its copy
    polling.wait_for(lambda lines: lines[-1].get("days") == NEW_DAYS)
    held = holding.wait_for(lambda lines: len(lines) >= 3)
    assert {tuple(line["days"]) for line in held} == {tuple(OLD_DAYS)}
    holding.reconnect.touch()
    holding.wait_for(lambda lines: lines[-1]["reconnected"])

    polled = polling.finish()
    seen = [line["days"] for line in polled]
    assert set(map(tuple, seen)) == {tuple(OLD_DAYS), tuple(NEW_DAYS)}
    switch = seen.index(NEW_DAYS)
    assert all(days == OLD_DAYS for days in seen[:switch]) and all(days == NEW_DAYS for days in seen[switch:])
    assert switch >= 10, "the reader was reading through the run, not only after it"
    held = holding.finish()
    assert [line["days"] for line in held if line["reconnected"]] and all(
        line["days"] == (NEW_DAYS if line["reconnected"] else OLD_DAYS) for line in held)
    assert leftovers(company) == []


def test_a_failed_run_leaves_the_previous_copy_to_its_readers(company, tmp_path):
    before = file_digest(company.serving)
    revenue = company.root / "landing" / "business" / "revenue.csv"
    good = revenue.read_text()
    reader = Reader(company, tmp_path, "reader", "reconnect")
    revenue.write_text("month,tenant_id\n2026-10,t001\n")  # no mrr_usd: the business step fails, nothing downstream runs
    try:
        result = run_pipeline(str(company.config), date(2026, 10, 3), date(2026, 10, 3), raise_on_error=False)
    finally:
        revenue.write_text(good)
    assert not result.success
    assert file_digest(company.serving) == before and leftovers(company) == []
    lines = reader.finish()
    assert len({tuple(line["days"]) for line in lines}) == 1


def test_a_copy_that_fails_its_check_is_removed_and_the_previous_file_stays(company, tmp_path, monkeypatch):
    before = file_digest(company.serving)
    reader = Reader(company, tmp_path, "reader", "reconnect")

    def incomplete(staging, expected):
        assert staging.exists() and staging != company.serving  # written beside the serving file, not over it
        raise RuntimeError("serving copy incomplete")

    monkeypatch.setattr(serving, "verify_serving_file", incomplete)
    config = UnitcostConfigResource(path=str(company.config))
    with pytest.raises(RuntimeError, match="serving copy incomplete"):
        serving.marts_copy(None, DuckDBResource(database=str(config.config.warehouse_path)), config)
    assert file_digest(company.serving) == before and leftovers(company) == []
    reader.finish()
