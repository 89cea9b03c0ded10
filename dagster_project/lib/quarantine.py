"""What a run set aside, for the command line's output (docs/configuration.md, "What a run says"): the rows of every
raw quarantine table (raw.<source>_quarantine, each with a `reason`) per source and reason for the run's days, and
the model strings no price covers (intermediate.llm_calls_unpriced, which stops the run)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dagster_project.lib import warehouse_session
from dagster_project.lib.warehouse import RAW_SCHEMA


def quarantine_counts(warehouse_path: Path, start: date, end: date) -> list[tuple[str, str, int]]:
    """(source table, reason, rows) of every quarantined row dated start..end, largest first."""
    if not warehouse_path.exists():
        return []
    with warehouse_session.connect(warehouse_path, read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? and table_name like "
            "'%\\_quarantine' escape '\\' order by 1", [RAW_SCHEMA]).fetchall()]
        out = []
        for table in tables:
            out += [(table.removesuffix("_quarantine"), reason, n) for reason, n in con.execute(
                f'select coalesce(reason, \'unknown\'), count(*) from {RAW_SCHEMA}."{table}" '
                "where usage_date between ? and ? group by 1", [start, end]).fetchall()]
    return sorted(out, key=lambda r: (-r[2], r[0], r[1]))


def unpriced_models(warehouse_path: Path) -> list[tuple[str, str, int]]:
    """(provider, model string, calls) of every call the last dbt build could not price."""
    if not warehouse_path.exists():
        return []
    with warehouse_session.connect(warehouse_path, read_only=True) as con:
        exists = con.execute("select count(*) from information_schema.tables where table_schema = 'intermediate' "
                             "and table_name = 'llm_calls_unpriced'").fetchone()[0]
        if not exists:
            return []
        return con.execute("select provider_name, model_string, count(*) from intermediate.llm_calls_unpriced "
                           "group by all order by 3 desc, 1, 2").fetchall()


def quarantine_report(warehouse_path: Path, start: date, end: date) -> str:
    """One line per source and reason, or a line saying nothing was quarantined."""
    counts = quarantine_counts(warehouse_path, start, end)
    if not counts:
        lines = [f"quarantine {start} .. {end}: no rows set aside"]
    else:
        lines = [f"quarantine {start} .. {end}: {sum(n for *_, n in counts)} rows set aside (raw.<source>_quarantine)"]
        lines += [f"  {source:<16} {reason:<28} {n:>8}" for source, reason, n in counts]
    unpriced = unpriced_models(warehouse_path)
    if unpriced:
        lines.append("unpriced models (no price covers them; the run stops until one does): "
                     + ", ".join(f"{provider}/{model} ({n} calls)" for provider, model, n in unpriced))
    return "\n".join(lines)
