"""The `unitcost` command ends its process without a last full garbage collection (cli.console): the heap is
frozen once main has returned, and main alone - as the tests call it - leaves the collector as it was."""

from __future__ import annotations

import gc
import tomllib
from pathlib import Path

from dagster_project import cli


def test_the_command_is_console_and_it_freezes_the_heap_after_main(monkeypatch):
    scripts = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["unitcost"] == "dagster_project.cli:console"
    calls = []
    monkeypatch.setattr(cli, "main", lambda: calls.append(gc.get_freeze_count()) or 3)
    gc.unfreeze()
    try:
        assert cli.console() == 3
        assert calls == [0]  # nothing frozen while main ran
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
