"""vl-convert's engine starts on one background thread per process while dbt runs (report/charts.py
warm_up_in_background), and only in a run that builds the daily report (defs/report/assets.py builds_report)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace

import dagster as dg

from dagster_project.defs.report.assets import REPORT_KEY, builds_report

PROBE = textwrap.dedent("""
    from dagster_project.report import charts

    first = charts.warm_up_in_background()
    assert charts.warm_up_in_background() is first  # once per process
    first.join(120)
    assert not first.is_alive()
    import altair as alt
    svg = charts.to_svg(alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q"))
    print(first.name, svg.startswith("<svg"))
""")


def test_the_chart_engine_starts_once_per_process_and_charts_then_convert():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "unitcost-chart-warm-up True"


def _context(selection):
    return SimpleNamespace(run=SimpleNamespace(asset_selection=selection))


def test_only_a_run_that_builds_the_report_warms_its_charts():
    assert builds_report(_context(None))  # every asset
    assert builds_report(_context({REPORT_KEY, dg.AssetKey(["serving", "marts_copy"])}))
    assert not builds_report(_context({dg.AssetKey(["serving", "marts_copy"])}))
