"""The report's charts: Vega-Lite specifications (altair), rendered to SVG offline by vl-convert, which bundles the
Vega JavaScript: no CDN, no network, nothing to run when the page is viewed.

A chart only draws what the marts hold: amounts become floats for the axes alone, and every amount written on a
chart (a bar's label) is `money()`'s text. Axes of dollars use d3's "$,.2f", in full to the cent like the page."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert

from dagster_project.report.money import money

MONEY_AXIS = "$,.2f"
WIDTH = 640
DAY = alt.X("day:O", title=None, axis=alt.Axis(labelAngle=-60))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _values(rows: list[dict[str, Any]], money_columns: tuple[str, ...] = (), day: str | None = None,
            unit_places: int = 2) -> alt.Data:
    """The rows as Vega-Lite inline data: each amount as a float (for the axis) and its money text (for a label)."""
    out = []
    for row in rows:
        item = {k: (_float(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
        for column in money_columns:
            item[f"{column}_text"] = money(row[column], unit_places)
        if day:
            item["day"] = row[day].isoformat()
        out.append(item)
    return alt.Data(values=out)


def money_bars(rows: list[dict[str, Any]], label: str, amount: str, label_title: str) -> alt.Chart:
    """Horizontal bars, one per row in the rows' order (the query's), each labelled with its amount in full; a
    negative amount (a loss) in red, its label beside zero."""
    base = alt.Chart(_values(rows, (amount,))).encode(y=alt.Y(f"{label}:N", title=label_title, sort=None))
    bars = base.mark_bar().encode(
        x=alt.X(f"{amount}:Q", title="USD", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.condition(f"datum.{amount} < 0", alt.value("#e45756"), alt.value("#4c78a8")),
    )
    text = base.transform_calculate(label_at=f"max(datum.{amount}, 0)").mark_text(
        align="left", dx=4, fontSize=11).encode(x="label_at:Q", text=f"{amount}_text:N")
    return (bars + text).properties(width=WIDTH - 160, height=alt.Step(22))


def daily_stacked(rows: list[dict[str, Any]], series: str, amount: str, title: str) -> alt.Chart:
    """Bars per day, stacked by `series` (a feature, a model)."""
    return alt.Chart(_values(rows, day="usage_date")).mark_bar().encode(
        x=DAY,
        y=alt.Y(f"sum({amount}):Q", title="USD", axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color(f"{series}:N", title=title),
    ).properties(width=WIDTH, height=220)


def daily_lines(rows: list[dict[str, Any]], value: str, value_title: str, series: str | None = None,
                axis_format: str = MONEY_AXIS) -> alt.Chart:
    """One line per `series` (or a single line) over the days."""
    encoding: dict[str, Any] = {"x": DAY, "y": alt.Y(f"{value}:Q", title=value_title,
                                                     axis=alt.Axis(format=axis_format))}
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=series.replace("_", " "))
    return alt.Chart(_values(rows, day="usage_date")).mark_line(point=True).encode(**encoding).properties(
        width=WIDTH, height=200)


def unattributed_area(rows: list[dict[str, Any]]) -> alt.Chart:
    """Idle and unallocated cost per day, stacked: the dollars no tenant holds yet."""
    return alt.Chart(_values(rows, day="usage_date")).mark_area(opacity=0.8).encode(
        x=DAY,
        y=alt.Y("cost_usd:Q", title="USD", stack=True, axis=alt.Axis(format=MONEY_AXIS)),
        color=alt.Color("cost_type:N", title="cost type"),
    ).properties(width=WIDTH, height=200)


def budget_bullets(rows: list[dict[str, Any]]) -> alt.Chart:
    """Per feature and scope: spend to date (dark), projected quarter end (light), the budget (a black tick)."""
    for row in rows:
        row["budget_line"] = f"{row['feature_id']} ({row['scope']})"
    data = _values(rows, ("projected_spend_usd",))
    y = alt.Y("budget_line:N", title=None)
    projected = alt.Chart(data).mark_bar(color="#9ecae9").encode(
        y=y, x=alt.X("projected_spend_usd:Q", title="USD", axis=alt.Axis(format=MONEY_AXIS)))
    spent = alt.Chart(data).mark_bar(color="#4c78a8", size=8).encode(y=y, x="spend_to_date_usd:Q")
    budget = alt.Chart(data).mark_tick(color="black", thickness=3, size=20).encode(y=y, x="budget_usd:Q")
    label = alt.Chart(data).mark_text(align="left", dx=10, fontSize=11).encode(
        y=y, x="projected_spend_usd:Q", text="projected_spend_usd_text:N")
    return (projected + spent + budget + label).properties(width=WIDTH - 160, height=alt.Step(26))


_warm_up_lock = threading.Lock()
_warm_up_thread: threading.Thread | None = None


def warm_up_in_background() -> threading.Thread:
    """Start vl-convert's JavaScript engine on a daemon thread (once per process) and return the thread.

    Its first conversion starts the engine (about 0.3 s) and holds the GIL meanwhile, so it is started where this
    process has nothing else to do: while the dbt build, a process of its own, runs (defs/dbt/assets.py). The
    report's charts then convert at once; a report that comes first waits on vl-convert's own lock."""
    global _warm_up_thread
    with _warm_up_lock:
        if _warm_up_thread is None:
            spec = alt.Chart(alt.Data(values=[{"x": 0}])).mark_point().encode(x="x:Q").to_dict()
            _warm_up_thread = threading.Thread(target=vl_convert.vegalite_to_svg, args=(spec,),
                                               name="unitcost-chart-warm-up", daemon=True)
            _warm_up_thread.start()
        return _warm_up_thread


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as one SVG element (fonts as text; the page needs nothing else to show it)."""
    return vl_convert.vegalite_to_svg(chart.to_dict())
