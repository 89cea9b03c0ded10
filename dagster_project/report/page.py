"""The report as one self-contained HTML file: inline CSS, the charts as inline SVG, no script, no link to fetch,
so it opens from disk (`file://`) and shows at once, with or without a network (docs/report.md)."""

from __future__ import annotations

import html
from collections.abc import Callable

from dagster_project.report.data import ReportData
from dagster_project.report.money import money
from dagster_project.report.sections import Chart, Section, Table

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0 auto;
       max-width: 980px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; }
h3 { font-size: 15px; margin: 16px 0 4px; }
.sub { color: #57606a; margin: 0 0 16px; }
.total { font-size: 30px; font-weight: 600; margin: 8px 0 0; }
.tie { padding: 8px 12px; border-radius: 6px; font-weight: 600; }
.tie.ok { background: #dafbe1; color: #116329; } .tie.off { background: #ffebe9; color: #a40e26; }
figure.chart { margin: 16px 0; } figcaption { color: #57606a; margin: 4px 0 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; }
td.num, th.num { text-align: right; }
.empty { color: #57606a; font-style: italic; }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _numeric(cell: str) -> bool:
    return cell[:1] in "$-–0123456789" and not cell[:4].isdigit()


def _cell(value: object) -> str:
    """A table cell: a value the mart leaves empty (no plan role, no top category yet) is an en dash."""
    return "–" if value is None else str(value)


def _table(table: Table) -> str:
    if not table.rows:
        return f'<h3>{_e(table.title)}</h3><p class="empty" id="{table.table_id}">{_e(table.empty)}</p>'
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    cells = [[_cell(value) for value in row] for row in table.rows]
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if _numeric(c) else ""}>{_e(c)}</td>' for c in row) + "</tr>"
        for row in cells
    )
    return (f'<h3>{_e(table.title)}</h3><table id="{table.table_id}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _figure(chart: Chart, svg: str) -> str:
    return (f'<figure class="chart" id="{chart.chart_id}"><h3>{_e(chart.title)}</h3>{svg}'
            f"<figcaption>{_e(chart.reading)}</figcaption></figure>")


def headline(data: ReportData) -> str:
    """The month's total cost and the ledger against the bill, the line a founder checks first."""
    total = data.sections["month_total"][0]
    everything = next((r for r in data.sections["reconciliation"] if r["is_total"]), None)
    lines = [f'<p class="total" id="total-cost">{money(total["total_cost_usd"] or 0)}</p>',
             f'<p class="sub">total cost, {total["days"]} built days of {data.month:%B %Y} up to {data.day}</p>']
    if everything is not None:
        ties = everything["days_off"] == 0
        verdict = "ties to the cent on every day" if ties else f"off on {everything['days_off']} source-days"
        lines.append(
            f'<p class="tie {"ok" if ties else "off"}" id="ledger-vs-bill">Ledger '
            f'{money(everything["ledger_total_usd"])} vs bill {money(everything["effective_cost_usd"])}: difference '
            f'{money(everything["diff_usd"])}, {verdict}</p>')
    return "".join(lines)


def render_page(data: ReportData, sections: list[Section], svg: Callable[[Chart], str]) -> str:
    body = [f"<h1>unitcost daily report: {data.day}</h1>",
            '<p class="sub">Every figure is read from the marts of the serving copy (docs/marts.md); amounts in '
            "USD, in full to the cent.</p>"]
    for section in sections:
        body.append(f'<section id="{section.section_id}"><h2>{_e(section.title)}</h2>')
        if section.section_id == "month":
            body.append(headline(data))
        body.extend(_figure(chart, svg(chart)) for chart in section.charts)
        body.extend(_table(table) for table in section.tables)
        body.append("</section>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<title>unitcost report {data.day}</title><style>{CSS}</style></head><body>"
            + "".join(body) + "</body></html>\n")
