"""Honest periods for the KPI header and the comparisons: last 30 days vs the 30 before, the last
full month vs the one before, year to date, and month to date only with its day count (a warning
under 7 days: one day of a month that carries a monthly fee on the 1st says nothing).

``periods_for`` is plain date arithmetic; ``period_totals`` and ``full_month_movers`` read the
daily mart through ``Marts`` (team scope and bound parameters apply).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.cockpit.queries import (
    COST_COLUMNS,
    DIMENSIONS,
    Explore,
    Marts,
    _check,
    _where,
    source_of,
)

MTD_MIN_DAYS = 7


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def prev_month(d: dt.date) -> dt.date:
    """The first day of the month before ``d``'s month."""
    return month_start(month_start(d) - dt.timedelta(days=1))


@dataclass(frozen=True)
class Periods:
    """Closed date ranges (first, last) as of the last day of data."""

    as_of: dt.date
    first_data: dt.date
    last_30: tuple[dt.date, dt.date]
    prior_30: tuple[dt.date, dt.date]
    last_month: tuple[dt.date, dt.date]  # the last calendar month fully inside the data
    prior_month: tuple[dt.date, dt.date]
    ytd: tuple[dt.date, dt.date]
    mtd: tuple[dt.date, dt.date]

    @property
    def mtd_days(self) -> int:
        return (self.mtd[1] - self.mtd[0]).days + 1

    @property
    def mtd_is_short(self) -> bool:
        return self.mtd_days < MTD_MIN_DAYS

    def covered(self, rng: tuple[dt.date, dt.date]) -> bool:
        """Whether the data covers the whole range (else its total is partial)."""
        return self.first_data <= rng[0] and rng[1] <= self.as_of


def periods_for(as_of: dt.date, first_data: dt.date) -> Periods:
    """The comparison periods as of ``as_of``: the last full month is ``as_of``'s month when
    ``as_of`` is its last day, else the month before."""
    last_full = month_start(as_of) if as_of == month_end(as_of) else prev_month(as_of)
    prior = prev_month(last_full)
    return Periods(
        as_of=as_of,
        first_data=first_data,
        last_30=(as_of - dt.timedelta(days=29), as_of),
        prior_30=(as_of - dt.timedelta(days=59), as_of - dt.timedelta(days=30)),
        last_month=(last_full, month_end(last_full)),
        prior_month=(prior, month_end(prior)),
        ytd=(dt.date(as_of.year, 1, 1), as_of),
        mtd=(month_start(as_of), as_of),
    )


def partial_months(first_data: dt.date, as_of: dt.date) -> list[dt.date]:
    """Months (first day) the data covers only in part: the first and the current month."""
    out = []
    if first_data != month_start(first_data):
        out.append(month_start(first_data))
    if as_of != month_end(as_of) and month_start(as_of) not in out:
        out.append(month_start(as_of))
    return out


def data_periods(m: Marts, currency: str) -> Periods | None:
    """The periods of the daily mart's data in ``currency`` (as the user may see it)."""
    lo, hi = m.query(
        """select min(charge_date), max(charge_date) from read_parquet($fct_daily_costs)
           where billing_currency = $cur""",
        {"cur": currency},
        marts=("fct_daily_costs",),
    )[0]
    return None if hi is None else periods_for(hi, lo)


def period_totals(
    m: Marts, currency: str, p: Periods, filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> dict[str, Decimal]:
    """Effective cost in ``currency`` per named period (last_30, prior_30, last_month,
    prior_month, ytd, mtd), exact."""
    e = Explore(filters=filters)
    _check(e)
    params: dict[str, Any] = {"cur": currency, "tag_path": "$.team"}
    where = _where(e, params)
    names = ("last_30", "prior_30", "last_month", "prior_month", "ytd", "mtd")
    sums = []
    for n in names:
        lo, hi = getattr(p, n)
        params[f"{n}_lo"], params[f"{n}_hi"] = lo, hi
        sums.append(
            f"coalesce(sum(effective_cost) filter (where charge_date between ${n}_lo and ${n}_hi), 0)"
        )
    src = source_of(*(d for d, _ in filters))
    # SQL text holds only constant names and identifiers from the fixed maps; values are bound
    sql = f"""select {", ".join(sums)} from read_parquet(${src})
              where billing_currency = $cur and {where}"""  # noqa: S608
    row = m.query(sql, params, marts=(src,))[0]
    return {n: Decimal(v) for n, v in zip(names, row, strict=True)}


def full_month_movers(
    m: Marts, e: Explore, p: Periods, limit: int = 10
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The largest changes of the dimension between the last full month and the one before,
    within the page's filters, with % change (full calendar months: a monthly fee is in both)."""
    _check(e)
    src = source_of(e.dimension, *(d for d, _ in e.filters))
    params: dict[str, Any] = {
        "tag_path": f"$.{e.tag_key}",
        "limit": limit,
        "a_lo": p.last_month[0],
        "a_hi": p.last_month[1],
        "b_lo": p.prior_month[0],
        "b_hi": p.prior_month[1],
    }
    where = _where(Explore(filters=e.filters, tag_key=e.tag_key), params)
    cost = COST_COLUMNS[e.cost]
    # SQL text holds only identifiers from the fixed maps; values are bound
    sql = f"""select {DIMENSIONS[e.dimension]} as value, billing_currency as currency,
                     coalesce(sum({cost}) filter (where charge_date between $a_lo and $a_hi), 0) as last_period,
                     coalesce(sum({cost}) filter (where charge_date between $b_lo and $b_hi), 0) as prior_period,
                     last_period - prior_period as change,
                     case when prior_period <> 0 then (last_period - prior_period) * 100.0 / abs(prior_period) end as change_pct
              from read_parquet(${src})
              where {where} and charge_date between $b_lo and $a_hi
              group by all having last_period <> 0 or prior_period <> 0
              order by abs(change) desc limit $limit"""  # noqa: S608
    return m.columns(sql, params, marts=(src,))


def team_full_months(m: Marts, p: Periods) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(team, currency) -> (last full month, month before), effective cost."""
    rows = m.query(
        """select team_id, billing_currency,
                  coalesce(sum(effective_cost) filter (where charge_date between $a_lo and $a_hi), 0),
                  coalesce(sum(effective_cost) filter (where charge_date between $b_lo and $b_hi), 0)
           from read_parquet($fct_daily_costs) where charge_date between $b_lo and $a_hi
           group by all""",
        {
            "a_lo": p.last_month[0],
            "a_hi": p.last_month[1],
            "b_lo": p.prior_month[0],
            "b_hi": p.prior_month[1],
        },
        marts=("fct_daily_costs",),
    )
    return {(str(t), str(c)): (Decimal(a), Decimal(b)) for t, c, a, b in rows}
