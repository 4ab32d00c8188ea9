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
    _, rows = q.explore_totals(
        marts, q.Explore(dimension="service", filters=(("provider", ("gcp",)),))
    )
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
    _, rows = q.explore_totals(
        marts, q.Explore(dimension="provider", filters=(("provider", (evil,)),))
    )
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


def test_budget_breakers_follow_the_override_log_live(tmp_path) -> None:
    from models_ml.budget import Override

    cols = (
        "budget_id, scope, period, period_start, period_end, as_of_date, billing_currency, budget_amount, "
        "actual_cost_to_date, pct_used, daily_burn_rate, projected_period_end_cost, projected_pct, projection_method, "
        "projected_exhaustion_date, thresholds_crossed, alert_level, breaker_state, breaker_reason, override_until, "
        "override_by, scope_type, scope_value"
    )
    duckdb.sql(f"""copy (select * from (values
        ('hot', 'team:a', 'monthly', date '2026-11-01', date '2026-11-30', date '2026-11-10', 'USD', 100.0, 95.0, 95.0, 9.5,
         280.0, 280.0, 'linear', date '2026-11-10', '50|80', 'orange', 'open', 'actual spend reached 95%', null::timestamptz, null, 'team', 'a'),
        ('hot', 'team:a', 'monthly', date '2026-11-01', date '2026-11-30', date '2026-11-09', 'USD', 100.0, 90.0, 90.0, 10.0,
         300.0, 300.0, 'linear', date '2026-11-09', '50|80', 'orange', 'open', 'old', null::timestamptz, null, 'team', 'a'),
        ('cool', 'team:b', 'monthly', date '2026-11-01', date '2026-11-30', date '2026-11-10', 'USD', 100.0, 10.0, 10.0, 1.0,
         30.0, 30.0, 'linear', null, '', 'green', 'closed', '', null::timestamptz, null, 'team', 'b'))
        t({cols})) to '{tmp_path / "fct_budget_status.parquet"}' (format parquet)""")
    m = q.Marts(str(tmp_path))
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)

    def states(overrides: list[Override]) -> dict[str, tuple[str, str | None]]:
        c, rows = q.budget_latest(m, overrides, now)
        return {
            r[c.index("budget_id")]: (r[c.index("breaker_state")], r[c.index("override_by")])
            for r in rows
        }

    assert states([]) == {"hot": ("open", None), "cool": ("closed", None)}
    valid = Override("team:a", dt.datetime(2026, 11, 25, tzinfo=dt.UTC), "alice")
    expired = Override("team:a", dt.datetime(2026, 11, 15, tzinfo=dt.UTC), "bob")
    assert states([valid, expired]) == {"hot": ("half_open", "alice"), "cool": ("closed", None)}
    assert states([expired])["hot"] == ("open", None)
    assert states([Override("team:b", dt.datetime(2026, 11, 25, tzinfo=dt.UTC), "carol")])[
        "cool"
    ] == ("closed", None)


def test_anomaly_inbox_team_view_and_fresh_statuses(tmp_path) -> None:
    duckdb.sql(f"""copy (select * from (values
        ('e1', date '2026-10-01', date '2026-10-02', 'team', 'ci-cd', 'ci-cd', 24, 'spike', false, 'escalated', 'USD', 500.00, 600.00, 100.00, 0.9, 'median', 'a › b', 'open', null, null, 'team:ci-cd|USD', '{{}}'),
        ('e2', date '2026-10-20', date '2026-10-20', 'team', 'ci-cd', 'ci-cd', 5, 'spike', false, 'acknowledged', 'USD', 50.00, 150.00, 100.00, 0.6, 'median', 'a › c', 'acknowledged', 'bo', 'looking', 'team:ci-cd|USD', '{{}}'),
        ('e3', date '2026-10-25', date '2026-10-25', 'service', 'ci-cd', 'ci-cd', 0, 'level_shift', true, 'open', 'USD', 70.00, 170.00, 100.00, 0.7, 'seasonal', 'a › d', 'open', null, null, 'service:ci-cd|USD', '{{}}'),
        ('e4', date '2026-07-01', date '2026-07-01', 'service', 'ci-cd', 'ci-cd', 116, 'spike', false, 'expired', 'USD', 90.00, 190.00, 100.00, 0.7, 'median', 'a › e', 'open', null, null, 'service:ci-cd|USD', '{{}}'))
        t(event_id, start_date, end_date, scope_type, scope_value, owner_team_id, age_days, kind, is_ongoing,
          lifecycle_state, billing_currency, cost_impact, actual_cost, expected_cost,
          confidence, methods, root_cause_path, status, status_by, status_note, series_id, root_cause_json))
        to '{tmp_path / "fct_cost_anomalies.parquet"}' (format parquet)""")
    m = q.Marts(str(tmp_path))
    cols, rows = q.team_anomalies(m, "ci-cd")
    assert [r[0] for r in rows] == [
        "e2",
        "e1",
    ] and "root_cause_json" not in cols  # the team's own series, latest first
    c, open_rows = q.anomaly_inbox(
        m, ("open",), fresh_status={"e1": ("resolved", "alice", "fixed")}
    )
    assert [r[0] for r in open_rows] == ["e3"]
    c, all_rows = q.anomaly_inbox(
        m, q.ANOMALY_STATUSES, fresh_status={"e1": ("resolved", "alice", "fixed")}
    )
    e1 = dict(zip(c, next(r for r in all_rows if r[0] == "e1"), strict=True))
    assert (e1["owner_team_id"], e1["age_days"], e1["lifecycle_state"]) == (
        "ci-cd",
        24,
        "escalated",
    )
    # an open event the lifecycle rule expired leaves the inbox (asked for, it is still there)
    assert "e4" not in [r[0] for r in all_rows]
    _, with_expired = q.anomaly_inbox(m, q.ANOMALY_STATUSES, include_expired=True)
    assert "e4" in [r[0] for r in with_expired]
    assert (e1["status"], e1["status_by"], e1["status_note"]) == ("resolved", "alice", "fixed")
    assert q.anomaly_kpis(all_rows, c) == {
        "open": 1,
        "acknowledged": 1,
        "resolved": 1,
        "open_impact": Decimal("70.00"),
    }
