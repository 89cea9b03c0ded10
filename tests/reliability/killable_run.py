"""`unitcost run` that stops in a chosen phase so a test can SIGKILL it there: python killable_run.py PHASE MARKER
<unitcost run arguments>. When the run reaches PHASE it writes the file MARKER and sleeps; the test waits for the
file, then kills the process group. Only this test driver wraps the functions below; the run is otherwise the CLI's.

Phases (where exactly the run stops):
- ingest: raw.llm_events and its quarantine of the run's days replaced (committed), the cost reports and every
  later step not yet run;
- dbt: `dbt build` under way, 25 of its nodes reported, the rest not built;
- checks: the blocking conservation check started, the serving copy not yet written;
- serving: the new serving copy written and verified beside the old one, not yet renamed over it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def _pause(marker: Path) -> None:
    marker.write_text("paused")
    time.sleep(3600)


def _arm(phase: str, marker: Path) -> None:
    if phase == "ingest":
        from dagster_project.defs.llm.staging import CallStage

        real_swap = CallStage.swap

        def swap_then_pause(self, *args, **kwargs):  # raw.llm_events and its quarantine committed together
            out = real_swap(self, *args, **kwargs)
            _pause(marker)
            return out

        CallStage.swap = swap_then_pause
    elif phase == "dbt":
        from dagster_dbt import DbtCliInvocation

        real_stream = DbtCliInvocation.stream

        def stream_then_pause(self, *args, **kwargs):
            for i, event in enumerate(real_stream(self, *args, **kwargs)):
                if i == 25:
                    _pause(marker)
                yield event

        DbtCliInvocation.stream = stream_then_pause
    elif phase == "checks":
        from dagster_project.defs.dbt import checks

        def pause(*args, **kwargs):
            _pause(marker)

        checks.broken_day_sources = pause
    elif phase == "serving":
        from dagster_project.defs.serving import assets as serving

        def pause(staging, target):
            assert staging.exists()
            _pause(marker)

        serving.publish = pause
    else:
        raise SystemExit(f"unknown phase {phase!r}")


if __name__ == "__main__":
    _arm(sys.argv[1], Path(sys.argv[2]))
    from dagster_project.cli import main

    sys.exit(main(["run", *sys.argv[3:]]))
