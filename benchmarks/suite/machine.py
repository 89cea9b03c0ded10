"""The line every figure carries: when it was measured and on what (cores, RAM, Python, the engines' versions), and
how fast one core of the shared machine was just then (a fixed Python loop). The same run's time varies here by a
third within an hour; when the probe did not change, look to the disk: the M zone (19 GB of files) and its
warehouse do not fit in the page cache together, so a stage may read from disk what the one before it read from RAM."""

from __future__ import annotations

import os
import platform
import time
from datetime import datetime, timezone
from importlib import metadata

PACKAGES = ("duckdb", "polars", "dagster", "dbt-core", "dbt-duckdb")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def ram_gib() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


CPU_PROBE_LOOPS = 3_000_000


def cpu_probe_seconds(repeats: int = 3) -> float:
    """The best of `repeats` timings of a fixed single-core Python loop (0.12 s here when the machine is fast)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        total = 0
        for i in range(CPU_PROBE_LOOPS):
            total += i * i % 7
        best = min(best, time.perf_counter() - start)
    return best


def machine_line() -> str:
    """e.g. `2026-12-02 06:40 UTC, 2 cores, 23.4 GiB RAM, Python 3.11.7, duckdb 1.5.5, ... ; load average 5.1; a fixed
    Python loop ... took 0.12 s on one core then`."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    load = os.getloadavg()[0]
    return (f"{now}, {os.cpu_count()} cores, {ram_gib():.1f} GiB RAM, Python {platform.python_version()}, {versions}; "
            f"1-minute load average {load:.1f} when the stage started (the machine is shared with other jobs); "
            f"a fixed Python loop of {CPU_PROBE_LOOPS:,} steps took {cpu_probe_seconds():.2f} s on one core then "
            "(less is a faster machine)")
