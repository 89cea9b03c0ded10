"""BENCHMARKS.md's section of `benchmarks/run.py`: one subsection per stage between markers, so that a run of some
stages replaces theirs and keeps the others (each carries its own date and machine); the other scripts' sections
(bench_bill_ingest.py, bench_llm_pricing.py, bench_report.py) are left as they are."""

from __future__ import annotations

import re
from pathlib import Path

SECTION = "## Pipeline at scale (`make bench`)"
INTRO = ("`benchmarks/run.py` (`make bench`) generates the landing zones, runs `unitcost run` on them as a user "
         "would, and writes this section; `--stages` picks the stages (a stage not run keeps its previous text, "
         "with its own date). Peak memory is the summed RSS of the `unitcost run` process tree (dbt's subprocess "
         "included), sampled every 0.1 s.")
STAGE_ORDER = ["floor", "m", "daily", "l", "alloc", "bq", "demo"]


def _marker(stage: str, end: bool = False) -> str:
    return f"<!-- bench:{stage}{':end' if end else ''} -->"


def table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    right = right or set()
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_stages(path: Path, bodies: dict[str, str]) -> None:
    """Replace (or add) the stages' subsections in `path`, creating the section after the file's intro if needed."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        head, sep, rest = text.partition("\n## ")
        block = f"{SECTION}\n{INTRO}\n\n" + "\n\n".join(f"{_marker(s)}\n{_marker(s, True)}" for s in STAGE_ORDER)
        text = f"{head.rstrip()}\n\n{block}\n" + (f"\n## {rest}" if sep else "")
    for stage, body in bodies.items():
        start, end = _marker(stage), _marker(stage, True)
        if start not in text:
            text = text.replace(f"{SECTION}\n{INTRO}\n", f"{SECTION}\n{INTRO}\n\n{start}\n{end}\n", 1)
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: f"{start}\n{body.strip()}\n{end}",
                      text, count=1, flags=re.S)
    path.write_text(text)
