"""How the report writes an amount: dollars in full, to the cent, never abbreviated (docs/report.md).

The one formatter the page uses, for its text, its tables and the labels on its charts. Amounts arrive as the
marts' DECIMAL(38,9) and are rounded once, half away from zero: the invoice's own rounding. A unit cost (per
request, per 1,000 tokens) is a fraction of a cent, so it is written with more places (`places`), still in full."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

UNIT_COST_PLACES = 6  # a request costs fractions of a cent: $0.000412


def money(amount: Decimal | int | None, places: int = 2) -> str:
    """`$3,824.16`; a negative amount `-$12.34`; no amount (a ratio over zero requests, say) an en dash."""
    if amount is None:
        return "–"
    rounded = Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""  # -0.004 rounds to -0.00: a reader sees $0.00
    return f"{sign}${abs(rounded):,.{places}f}"
