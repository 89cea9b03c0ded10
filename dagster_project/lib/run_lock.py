"""One run at a time per warehouse (docs/configuration.md, `run_lock`): `unitcost run` and the demo take this lock
before the first asset; a second run on the same warehouse refuses at once, naming the holder, or waits up to
`run_lock.wait_seconds` for it. Every Dagster run takes it too (defs/resources.py, the warehouse resource), so a
run the daemon or the UI launches waits for, or refuses beside, a CLI run on the same warehouse; a process that
already holds the lock (`unitcost run` around its own execute_in_process) takes it again without waiting.

The lock is an OS file lock (flock) on `<warehouse>.run.lock`, so a killed run releases it with its process; the
file also records the holder's pid and start time for the message. A file left by a run that is gone (its pid no
longer alive, its flock released) is stale: the next run takes it over and says so."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from dagster_project.lib.errors import ConfigError

POLL_SECONDS = 0.5
# the locks this process holds: lock file -> the holder's pid (a forked child does not inherit the claim)
_HELD: dict[str, int] = {}


class RunLockedError(RuntimeError):
    """Another unitcost run holds the warehouse's run lock."""


def lock_path(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".run.lock")


def _holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextlib.contextmanager
def run_lock(warehouse_path: Path, wait_seconds: float = 0.0, log=print) -> Iterator[Path]:
    """Hold the warehouse's run lock for the `with` block; RunLockedError when another run holds it past
    `wait_seconds`."""
    path = lock_path(warehouse_path)
    key = str(path.absolute())
    if _HELD.get(key) == os.getpid():  # re-entrant: this process holds it; the outermost block releases it
        yield path
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held open for the whole run
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the run lock: {exc}") from exc
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(path)
                    raise RunLockedError(
                        f"another unitcost run holds {path} since {holder.get('since', 'an unknown time')}, "
                        f"pid {holder.get('pid', 'unknown')}"
                        + (f" (waited {wait_seconds:g} s)" if wait_seconds else "")
                    ) from None
                time.sleep(POLL_SECONDS)
        stale = _holder(path)
        if stale and stale.get("pid") != os.getpid() and not _alive(stale.get("pid")):
            log(f"cleared a stale run lock {path} left by pid {stale.get('pid')} (since {stale.get('since')})")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        handle.flush()
        _HELD[key] = os.getpid()
        try:
            yield path
        finally:
            _HELD.pop(key, None)
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        handle.close()  # releases the flock
