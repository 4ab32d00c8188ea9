"""The MCP server's plain functions on small hand-made marts: validation, bounds, scope, paths."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from app import mcp_tools as t
from app.mcp_server import caller_from, marts_docs


@pytest.fixture()
def ctx(tmp_path: Path) -> t.Context:
    con = duckdb.connect()
    con.execute(f"""copy (select * from (values
        (date '2026-10-01', 'aws', '111', 'EC2', 'us-east-1', 'payments', 'bu1', 'bg1', 'prod', 'USD', 10.01, 9.00, 12.00),
        (date '2026-10-02', 'gcp', 'p1', 'BigQuery', 'us', 'data', 'bu2', 'bg1', 'prod', 'USD', 5.00, 5.00, 5.00),
        (date '2026-10-02', 'aws', '111', 'S3', 'us-east-1', 'payments', 'bu1', 'bg1', 'prod', 'USD', 0.99, 1.00, 1.00))
        t(charge_date, provider, sub_account_id, service_name, region_id, team_id, business_unit_id,
          business_group_id, environment, billing_currency, billed_cost, effective_cost, list_cost))
        to '{tmp_path / "fct_daily_costs.parquet"}' (format parquet)""")
    con.close()
    (tmp_path / "gate").mkdir()
    return t.Context(str(tmp_path), str(tmp_path / "lake"), t.Caller(), str(tmp_path / "gate"))


def test_cost_by_sums_exactly_and_bounds_rows(ctx: t.Context) -> None:
    r = t.cost_by(ctx, "provider", cost="billed")
    assert [(x["value"], x["cost"]) for x in r["rows"]] == [("aws", "11.00"), ("gcp", "5.00")]
    r = t.cost_by(ctx, "service", limit=1)
    assert len(r["rows"]) == 1 and r["truncated"] is True
    r = t.cost_by(
        ctx, "service", start="2026-10-02", end="2026-10-02", filters={"provider": ["aws"]}
    )
    assert r["rows"] == [{"value": "S3", "currency": "USD", "cost": "1.00"}]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dimension": "nope"},
        {"cost": "amortized"},
        {"limit": 0},
        {"limit": t.MAX_ROWS + 1},
        {"start": "10/01/2026"},
        {"start": "2026-10-02", "end": "2026-10-01"},
        {"start": "2020-01-01", "end": "2026-10-01"},
        {"filters": {"provider": "aws"}},
        {"filters": {"nope": ["x"]}},
        {"tag_key": "team') or true --"},
    ],
)
def test_cost_by_refuses_bad_arguments(ctx: t.Context, kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(t.ToolInputError):
        t.cost_by(ctx, **kwargs)


def test_filter_values_are_bound(ctx: t.Context) -> None:
    r = t.cost_by(ctx, "provider", filters={"provider": ["aws') or true or ('1'='1"]})
    assert r["rows"] == []


def test_team_scope_reads_only_the_callers_teams(ctx: t.Context) -> None:
    eng = t.Context(ctx.marts_dir, ctx.lake_root, t.Caller("e", "engineering", ("data",)))
    assert t.cost_by(eng, "team")["rows"] == [{"value": "data", "currency": "USD", "cost": "5.00"}]


def test_acknowledge_needs_a_role_that_may(ctx: t.Context) -> None:
    with pytest.raises(t.ToolInputError, match="may not acknowledge"):
        t.acknowledge_anomaly(ctx, "evt-1", "why")
    with pytest.raises(t.ToolInputError, match="note"):
        t.acknowledge_anomaly(ctx, "evt-1", " ")


def test_missing_savings_mart_is_said_not_raised(ctx: t.Context) -> None:
    assert t.savings(ctx)["available"] is False


def test_gate_paths_stay_inside_the_gate_root(ctx: t.Context, tmp_path: Path) -> None:
    (tmp_path / "secret.json").write_text("{}")
    os.symlink(tmp_path / "secret.json", tmp_path / "gate" / "link.json")
    for p in ("../secret.json", str(tmp_path / "secret.json"), "link.json", "", "a\x00b"):
        with pytest.raises(t.ToolInputError):
            t.price_terraform(ctx, p)


def test_jsonable_keeps_money_exact() -> None:
    assert t.jsonable({"a": [Decimal("0.10")], "n": float("nan")}) == {"a": ["0.10"], "n": None}


def test_caller_roles(tmp_path: Path) -> None:
    assert caller_from(str(tmp_path / "u.json"), None, None, None).can("acknowledge") is False
    c = caller_from(str(tmp_path / "u.json"), None, "engineering", "a,b")
    assert c.teams == ("a", "b") and c.can("acknowledge")
    with pytest.raises(t.ToolInputError):
        caller_from(str(tmp_path / "u.json"), None, "engineering", None)
    with pytest.raises(t.ToolInputError):
        caller_from(str(tmp_path / "u.json"), "ghost", None, None)
    assert caller_from(str(tmp_path / "u.json"), None, "finance", "x").teams is None


def test_marts_docs_come_from_the_dbt_yaml() -> None:
    docs = marts_docs()
    assert "focus_charges" in docs and "billed_cost" in docs["fct_daily_costs"]["columns"]


def test_breaker_check_open_then_half_open_after_an_override(ctx: t.Context) -> None:
    import datetime as dt

    from models_ml.status import add_override

    con = duckdb.connect()
    con.execute(f"""copy (select * from (values
        ('b1', 'team:payments', 'team', 'payments', 'month', date '2026-10-01', date '2026-11-01', date '2026-10-20',
         'USD', 100.00, 130.00, 1.3, 6.5, 200.00, 2.0, 'linear', date '2026-10-15', '50,80,100', 'red',
         'open', 'actual 130.00 is past 100% of 100.00', null::timestamptz, null::varchar),
        ('b2', 'team:data', 'team', 'data', 'month', date '2026-10-01', date '2026-11-01', date '2026-10-20',
         'USD', 100.00, 10.00, 0.1, 0.5, 15.00, 0.15, 'linear', null, '', 'green', 'closed', null, null, null))
        t(budget_id, scope, scope_type, scope_value, period, period_start, period_end, as_of_date,
          billing_currency, budget_amount, actual_cost_to_date, pct_used, daily_burn_rate,
          projected_period_end_cost, projected_pct, projection_method, projected_exhaustion_date,
          thresholds_crossed, alert_level, breaker_state, breaker_reason, override_until, override_by))
        to '{Path(ctx.marts_dir) / "fct_budget_status.parquet"}' (format parquet)""")
    con.close()
    r = t.breaker_check(ctx, "team:payments")
    assert r["may_spend"] is False and r["breakers"][0]["breaker_state"] == "open"
    assert t.breaker_check(ctx, "budget:b2")["may_spend"] is True
    assert t.budget_status(ctx)["breaker_open"] is True
    add_override(ctx.lake_root, "team:payments", dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "cfo")
    r = t.breaker_check(ctx, "team:payments")
    assert r["may_spend"] is True and r["breakers"][0]["breaker_state"] == "half_open"
    eng = t.Context(ctx.marts_dir, ctx.lake_root, t.Caller("e", "engineering", ("data",)))
    with pytest.raises(t.ToolInputError, match="no budget"):
        t.breaker_check(eng, "team:payments")  # another team's budget is not in scope
