"""The cockpit's query functions on small hand-made marts: parameters are values, never SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest

from app.cockpit import queries as q


@pytest.fixture()
def marts(tmp_path):
    con = duckdb.connect()
    con.execute(f"""copy (select * from (values
        (date '2026-10-01', date '2026-10-01', 'aws', '111', 'EC2', 'us-east-1', 'payments', 'bu1', 'bg1', 'prod', 'i-1', 'web', '{{"team":"payments"}}', 'USD', 10.00, 9.00, 12.00),
        (date '2026-10-02', date '2026-10-01', 'gcp', 'p1', 'BigQuery', 'us', 'data', 'bu2', 'bg1', 'prod', 'job', 'q', null, 'USD', 5.00, 5.00, 5.00),
        (date '2026-10-02', date '2026-10-01', 'aws', '111', 'EC2', 'us-east-1', 'payments', 'bu1', 'bg1', 'prod', 'i-1', 'web', '{{"team":"payments"}}', 'USD', 1.00, 1.00, 1.00))
        t(charge_date, billing_period, provider, sub_account_id, service_name, region_id, team_id, business_unit_id,
          business_group_id, environment, resource_id, resource_name, normalized_tags_json, billing_currency,
          billed_cost, effective_cost, list_cost))
        to '{tmp_path / "fct_resource_daily_costs.parquet"}' (format parquet)""")
    # the daily fact: the same charges without the resource columns
    con.execute(f"""copy (select * exclude (resource_id, resource_name, normalized_tags_json)
                         from '{tmp_path / "fct_resource_daily_costs.parquet"}')
                    to '{tmp_path / "fct_daily_costs.parquet"}' (format parquet)""")
    return q.Marts(str(tmp_path))


def test_explore_groups_and_filters(marts) -> None:
    cols, rows = q.explore_totals(marts, q.Explore(dimension="provider", cost="billed"))
    assert cols == ["value", "currency", "cost"]
    assert rows == [("aws", "USD", Decimal("11.00")), ("gcp", "USD", Decimal("5.00"))]
    _, rows = q.explore_totals(marts, q.Explore(dimension="service", filters=(("provider", ("gcp",)),)))
    assert rows == [("BigQuery", "USD", Decimal("5.00"))]
    _, rows = q.explore(marts, q.Explore(dimension="tag value", tag_key="team", grain="monthly"))
    assert {r[1] for r in rows} == {"payments", "(untagged)"} and rows[0][0] == dt.date(2026, 10, 1)
    _, rows = q.explore_totals(marts, q.Explore(dimension="team", start=dt.date(2026, 10, 2)))
    assert sum(r[2] for r in rows) == Decimal("6.00")


def test_resource_views_and_daily_views_agree(marts) -> None:
    _, by_team = q.explore_totals(marts, q.Explore(dimension="team"))
    _, by_resource = q.explore_totals(marts, q.Explore(dimension="resource"))
    assert sum(r[2] for r in by_team) == sum(r[2] for r in by_resource)
    _, top1 = q.explore(marts, q.Explore(dimension="resource", grain="monthly"), top=1)
    assert {r[1] for r in top1} == {"i-1", "other"}


def test_filter_values_are_bound_not_pasted(marts) -> None:
    evil = "aws') or true or ('1'='1"
    _, rows = q.explore_totals(marts, q.Explore(dimension="provider", filters=(("provider", (evil,)),)))
    assert rows == []
    _, rows = q.explore_totals(marts, q.Explore(dimension="tag value", tag_key="team') or true --"))
    assert rows == [("(untagged)", "USD", Decimal("15.00"))]  # an odd key is just a missing tag


def test_only_known_dimensions_reach_sql(marts) -> None:
    with pytest.raises(ValueError):
        q.explore(marts, q.Explore(dimension="provider; drop table x"))
    with pytest.raises(ValueError):
        q.explore(marts, q.Explore(dimension="provider", filters=(("1=1 or provider", ("aws",)),)))


def test_missing_mart_says_how_to_produce_it(tmp_path) -> None:
    m = q.Marts(str(tmp_path))
    with pytest.raises(q.MartMissing) as e:
        q.iac_checks(m)
    assert "has not been produced yet" in str(e.value) and "sibyl gate" in str(e.value)
    with pytest.raises(q.MartMissing) as e:
        q.kpis(m)
    assert "make demo" in str(e.value)
