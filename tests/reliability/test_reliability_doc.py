"""RELIABILITY.md lists only cases a test proves: every test it names exists, and the matrix is at least 30 cases."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`|`::(\w+)`")


def test_every_test_the_matrix_names_exists_and_it_has_30_cases():
    text = (ROOT / "RELIABILITY.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| case", "|---"))]
    assert len(rows) >= 30
    missing = []
    for row in rows:
        cited = CITED.findall(row)
        assert cited or "| same |" in row, row
        path = None
        for file, name, short in cited:
            path = file or path  # `::name` names another test of the row's previous file
            if not re.search(rf"^def {name or short}\(", (ROOT / path).read_text(), re.M):
                missing.append(f"{path}::{name or short}")
    assert missing == []
