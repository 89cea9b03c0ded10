"""Build the daily report: read the marts of the serving copy, draw the charts, write `<folder>/index.html`."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

from dagster_project.report import charts
from dagster_project.report.data import read_report_data
from dagster_project.report.page import render_page
from dagster_project.report.sections import report_sections

REPORT_FILE = "index.html"


def build_report(serving_path: Path, folder: Path, day: date | None = None) -> Path:
    """`folder`/index.html for `day` (default: the latest built usage_date), written whole: a new file renamed over
    the old one, so a browser never opens half a page."""
    if not serving_path.exists():
        raise FileNotFoundError(f"{serving_path}: no serving copy yet (run the pipeline first)")
    data = read_report_data(serving_path, day)
    page = render_page(data, report_sections(data), lambda chart: charts.to_svg(chart.spec))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / REPORT_FILE
    staging = folder / f".{REPORT_FILE}.{uuid.uuid4().hex}.tmp"
    try:
        staging.write_text(page, encoding="utf-8")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return target
