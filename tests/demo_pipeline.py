"""The demo as `make demo` builds it (`unitcost demo`: the generator's defaults, the whole pipeline once, dbt docs),
shared by every test that reads the demo's output: the README's analyst SQL, `unitcost whatif`, the numbers of
"Follow one dollar". Built once per test session, even with pytest-xdist: the first worker builds it under a
file lock in the session's shared temporary folder, the others wait and reuse it. Tests only read it."""

from __future__ import annotations

import contextlib
import fcntl
import io
from dataclasses import dataclass
from pathlib import Path

from dagster_project.cli import main
from dagster_project.lib.config import UnitcostConfig, load_config


@dataclass(frozen=True)
class Demo:
    root: Path
    config_path: Path
    config: UnitcostConfig
    summary: str  # what `unitcost demo` printed

    @property
    def serving(self) -> Path:
        return self.config.serving_path

    @property
    def warehouse(self) -> Path:
        return self.config.warehouse_path


def build_demo(shared: Path) -> Demo:
    """The demo under `shared`/demo, built by the first caller (of any process) and reused by the others."""
    shared.mkdir(parents=True, exist_ok=True)
    root = shared / "demo"
    done = shared / "demo.done"
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    code = main(["demo", "--out", str(root)])
                if code != 0:
                    raise RuntimeError(f"unitcost demo failed (exit {code}):\n{printed.getvalue()[-3000:]}")
                done.write_text(printed.getvalue())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    config_path = root / "unitcost.yaml"
    return Demo(root=root, config_path=config_path, config=load_config(config_path), summary=done.read_text())
