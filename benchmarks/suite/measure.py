"""Run a command as a subprocess and measure it: wall time, the peak resident memory of its whole process tree
(psutil, sampled), and when each line of its output arrived."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # the fallback: the largest single descendant's max RSS, from the kernel
    psutil = None

SAMPLE_SECONDS = 0.1


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall_seconds: float
    peak_rss_bytes: int  # the process tree's summed RSS at its highest sample (psutil), else the largest process's
    rss_method: str
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since the spawn, line)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since the spawn, tree RSS bytes)

    def peak_between(self, start: float, end: float) -> int:
        """The highest sampled tree RSS from `start` to `end` (seconds since the spawn); 0 without samples."""
        return max((rss for t, rss in self.samples if start <= t <= end), default=0)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, n: int = 40) -> str:
        return "\n".join(line for _, line in self.lines[-n:])


def _tree_rss(proc) -> int:
    total = 0
    try:
        members = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_measured(command: list[str], log_path: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> Measured:
    """Run `command`, its stdout and stderr merged, each line timestamped and written to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env,
                            cwd=cwd, bufsize=1)
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        watched = psutil.Process(proc.pid)
        while not done.is_set():
            samples.append((time.monotonic() - start, _tree_rss(watched)))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True) if psutil else None
    if sampler:
        sampler.start()
    lines = []
    with log_path.open("w", buffering=1) as log:  # line-buffered: the log follows the run
        for line in proc.stdout:
            t = time.monotonic() - start
            lines.append((t, line.rstrip("\n")))
            log.write(f"[{t:8.2f}] {line}")
    returncode = proc.wait()
    wall = time.monotonic() - start
    done.set()
    if sampler:
        sampler.join()
        method = "psutil: the process tree's summed RSS, sampled every 0.1 s"
        rss = max((r for _, r in samples), default=0)
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        method = "getrusage(RUSAGE_CHILDREN): the largest single process's max RSS (install psutil for the tree)"
        rss = max(after, before) * 1024
    return Measured(command, returncode, wall, rss, method, lines, samples)
