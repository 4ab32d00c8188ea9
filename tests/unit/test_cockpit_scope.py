"""Team scope is enforced in the queries: an engineering user's Marts reads only its teams' rows,
whatever the filter, dimension or page asks for; the query cache follows republished marts."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import duckdb
import pytest

from app.cockpit import periods as per
from app.cockpit import queries as q

ROWS = [  # charge_date, team, service, effective
    ("2026-09-05", "payments", "EC2", "100.10"),
    ("2026-09-06", "search", "EC2", "999.99"),
    ("2026-10-05", "payments", "S3", "50.05"),
    ("2026-10-06", "search", "RDS", "700.00"),
    ("2026-10-20", "payments", "EC2", "10.00"),
]


def _write(folder, rows=ROWS) -> None:
    con = duckdb.connect()
    con.execute(
        """create table d (charge_date date, billing_period date, provider varchar, sub_account_id varchar,
           service_name varchar, region_id varchar, team_id varchar, business_unit_id varchar,
           business_group_id varchar, environment varchar, attribution_method varchar,
           billing_currency varchar, billed_cost decimal(38,10), effective_cost decimal(38,10),
           list_cost decimal(38,10))"""
    )
    for d, team, svc, cost in rows:
        day = dt.date.fromisoformat(d)
        con.execute(
            "insert into d values (?, ?, 'aws', '111', ?, 'us-east-1', ?, 'bu', 'bg', 'prod', 'tag', 'USD', ?, ?, ?)",
            [day, day.replace(day=1), svc, team, Decimal(cost), Decimal(cost), Decimal(cost)],
        )
    con.execute(f"copy d to '{folder / 'fct_daily_costs.parquet'}' (format parquet)")
    con.execute(
        f"""copy (select 'aws' as provider, '2026-10' as billing_period, 'USD' as billing_currency,
                  1860.14::decimal(38,10) as raw_billed_cost) to '{folder / "fct_reconciliation.parquet"}' (format parquet)"""
    )
    con.close()


def test_an_engineering_scope_never_returns_another_teams_cost(tmp_path) -> None:
    _write(tmp_path)
    eng = q.Marts(str(tmp_path), teams=("payments",))
    everyone = q.Marts(str(tmp_path))
    mine = sum(Decimal(c) for _, t, _, c in ROWS if t == "payments")

    # a filter on another team gives nothing, not that team's cost
    e = q.Explore(dimension="team", filters=(("team", ("search",)),))
    assert q.explore_totals(eng, e)[1] == []
    assert {r[0] for r in q.explore_totals(everyone, e)[1]} == {"search"}
    # grouping by team shows only the user's team, with its exact total
    _, rows = q.explore_totals(eng, q.Explore(dimension="team"))
    assert [(r[0], r[2]) for r in rows] == [("payments", mine)]
    assert q.filter_values(eng, "team") == ["payments"]
    assert q.filter_values(everyone, "team") == ["search", "payments"]
    k = q.kpis(eng)
    assert k.as_of == dt.date(2026, 10, 20)
    p = per.data_periods(eng, "USD")
    assert p is not None
    totals = per.period_totals(eng, "USD", p, filters=(("team", ("search",)),))
    assert all(v == 0 for v in totals.values())
    assert per.period_totals(eng, "USD", p)["ytd"] == mine
    # organization-wide marts give a scoped user nothing
    assert (
        eng.query("select * from read_parquet($fct_reconciliation)", marts=("fct_reconciliation",))
        == []
    )
    assert (
        len(
            everyone.query(
                "select * from read_parquet($fct_reconciliation)", marts=("fct_reconciliation",)
            )
        )
        == 1
    )


def test_the_scope_fails_closed_on_a_mart_read_another_way(tmp_path) -> None:
    _write(tmp_path)
    eng = q.Marts(str(tmp_path), teams=("payments",))
    with pytest.raises(ValueError, match="team scope"):
        eng.query("select * from parquet_scan($fct_daily_costs)", marts=("fct_daily_costs",))
    # team ids are bound, never SQL text
    odd = q.Marts(str(tmp_path), teams=("x') or true or ('",))
    assert odd.query(
        "select count(*) from read_parquet($fct_daily_costs)", marts=("fct_daily_costs",)
    ) == [(0,)]


def test_full_month_movers_follow_filters_and_compare_whole_months(tmp_path) -> None:
    _write(tmp_path)
    m = q.Marts(str(tmp_path))
    p = per.periods_for(dt.date(2026, 10, 20), dt.date(2026, 9, 1))
    assert p.last_month[0] == dt.date(2026, 9, 1)  # October is not over: September vs August
    cols, rows = per.full_month_movers(
        m, q.Explore(dimension="service", filters=(("team", ("payments",)),)), p
    )
    got = {r[0]: (r[cols.index("last_period")], r[cols.index("prior_period")]) for r in rows}
    assert got == {"EC2": (Decimal("100.10"), Decimal(0))}  # search's EC2 is filtered out


def test_the_cache_follows_a_republished_mart(tmp_path) -> None:
    _write(tmp_path)
    m = q.Marts(str(tmp_path))
    sql = "select sum(effective_cost) from read_parquet($fct_daily_costs)"
    assert m.query(sql, marts=("fct_daily_costs",)) == [(Decimal("1860.14"),)]
    _write(tmp_path, ROWS[:1])
    f = tmp_path / "fct_daily_costs.parquet"
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert m.query(sql, marts=("fct_daily_costs",)) == [(Decimal("100.10"),)]


def test_monthly_fees_are_spread_over_their_month_and_totals_kept(tmp_path) -> None:
    fee = [
        ("2026-09-01", "payments", "Support", "300.00"),
        ("2026-10-01", "payments", "Support", "310.00"),
    ]
    usage = [
        (f"2026-{mo:02d}-{d:02d}", "payments", "EC2", "1.00")
        for mo in (9, 10)
        for d in range(1, 31)
        if not (mo == 10 and d > 10)
    ]
    _write(tmp_path, fee + usage)
    m = q.Marts(str(tmp_path))
    raw = {r[0]: r[2] for r in q.daily_by_provider(m, "USD", days=400)}
    flat = {r[0]: r[2] for r in q.daily_by_provider(m, "USD", days=400, spread_monthly_fees=True)}
    assert raw[dt.date(2026, 9, 1)] == pytest.approx(301.0)
    assert flat[dt.date(2026, 9, 1)] == pytest.approx(1 + 300 / 30)
    # October has data to the 10th: its fee is spread over the 10 days in the data
    assert flat[dt.date(2026, 10, 5)] == pytest.approx(1 + 310 / 10)
    for month in (9, 10):
        assert sum(v for d, v in flat.items() if d.month == month) == pytest.approx(
            sum(v for d, v in raw.items() if d.month == month)
        )
