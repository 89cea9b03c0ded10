"""A run that reads sources starts importing great_expectations when its resources are set up, on one background
thread per process (lib/expectations.py warm_up_in_background), so the first check step need not wait for all of it;
a run with no sources imports nothing. Each case runs in a fresh interpreter, where GX is not yet imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import sys, threading
    import dagster as dg
    from dagster_project.defs.resources import UnitcostConfigResource
    from dagster_project.lib import expectations

    before = "great_expectations" in sys.modules
    with dg.build_resources({"unitcost": UnitcostConfigResource(path=sys.argv[1])}):
        pass
    started = [t for t in threading.enumerate() if t.name == "unitcost-gx-warm-up"]
    if started:
        assert expectations.warm_up_in_background() is started[0]  # once per process
        started[0].join(300)
        assert not started[0].is_alive()
        assert expectations._batch_definition() is expectations._batch_definition()
    print(before, len(started), "great_expectations" in sys.modules)
""")


def _probe(config_path: str) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, config_path], capture_output=True, text=True,
                          check=True).stdout.strip().splitlines()[-1]


def test_a_run_with_sources_imports_great_expectations_in_the_background(tmp_path):
    config = tmp_path / "unitcost.yaml"
    config.write_text("start_date: 2026-10-01\nsources:\n  cur: {uri: landing/cur, name: cur}\n")
    assert _probe(str(config)) == "False 1 True"


def test_a_run_without_sources_imports_nothing(tmp_path):
    assert _probe("") == "False 0 False"
