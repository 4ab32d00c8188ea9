"""`sibyl mcp` end to end: the official SDK's client starts the server over stdio on marts built
from the sample exports, lists the tools, calls each one and checks the answers against the marts
(exact Decimal sums in DuckDB over the Parquet files, computed here); bad arguments come back as
tool errors, never tracebacks; the engineering role sees only its teams; acknowledging writes the
audit log."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from app.audit import events

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TOOLS = {
    "cost_by_dimension", "top_movers", "list_anomalies", "acknowledge_anomaly", "budget_status",
    "breaker_check", "savings_opportunities", "price_terraform", "allocated_costs",
}  # fmt: skip


@pytest.fixture(scope="module")
def root(built_root: Path) -> Path:
    return built_root


def call(root: Path, steps: list[tuple[str, str, dict[str, Any]]], *server_args: str) -> list[Any]:
    """Start `sibyl mcp` over stdio, run (kind, name, arguments) steps, return their results."""
    env = dict(os.environ) | {
        "SIBYL_DATA_DIR": str(root), "SIBYL_MARTS_DIR": str(root / "marts"),
        "SIBYL_LAKE_ROOT": str(root / "lake"), "SIBYL_USERS_FILE": str(root / "users.json"),
    }  # fmt: skip
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "app.cli", "mcp", "--gate-root", str(root / "gate"), *server_args],
        env=env,
        cwd=str(REPO),
    )

    async def run() -> list[Any]:
        async with stdio_client(params) as (r, w), ClientSession(r, w) as s:
            await s.initialize()
            out: list[Any] = []
            for kind, name, args in steps:
                if kind == "tools":
                    out.append({t.name for t in (await s.list_tools()).tools})
                elif kind == "resources":
                    res = await s.list_resources()
                    tmpl = await s.list_resource_templates()
                    out.append(
                        {str(x.uri) for x in res.resources}
                        | {x.uriTemplate for x in tmpl.resourceTemplates}
                    )
                elif kind == "read":
                    rr = await s.read_resource(name)  # type: ignore[arg-type]
                    out.append(json.loads(rr.contents[0].text))  # type: ignore[union-attr]
                else:
                    res = await s.call_tool(name, args)
                    text = res.content[0].text if res.content else ""  # type: ignore[union-attr]
                    out.append(("error", text) if res.isError else json.loads(text))
            return out

    return asyncio.run(run())


def exact(root: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    try:
        return con.execute(sql.replace("{m}", str(root / "marts")), params or []).fetchall()
    finally:
        con.close()


def test_lists_every_tool_and_answers_match_the_marts(root: Path) -> None:
    lo, hi = exact(
        root, "select min(charge_date), max(charge_date) from '{m}/fct_daily_costs.parquet'"
    )[0]
    res = call(
        root,
        [
            ("tools", "", {}),
            ("resources", "", {}),
            ("call", "cost_by_dimension", {"dimension": "provider", "cost": "billed", "limit": 10}),
            (
                "call",
                "cost_by_dimension",
                {
                    "dimension": "service",
                    "start": str(hi.replace(day=1)),
                    "end": str(hi),
                    "filters": {"provider": ["aws"]},
                    "limit": 3,
                },
            ),  # fmt: skip
            ("call", "top_movers", {"dimension": "team", "days": 30, "limit": 5}),
            ("call", "list_anomalies", {"status": "all", "limit": 500}),
            ("call", "budget_status", {}),
            ("call", "savings_opportunities", {}),
            ("call", "price_terraform", {"path": "web-asg.json"}),
            ("read", "sibyl://marts", {}),
            ("read", "sibyl://focus/schema", {}),
            ("read", "sibyl://marts/fct_daily_costs", {}),
        ],
    )
    (
        tools,
        resources,
        by_provider,
        aws_services,
        movers,
        anomalies,
        budgets,
        savings,
        plan,
        idx,
        focus,
        doc,
    ) = res
    assert tools == TOOLS
    assert {"sibyl://focus/schema", "sibyl://marts", "sibyl://marts/{name}"} <= resources

    want = exact(root, """select provider, billing_currency, sum(billed_cost) from '{m}/fct_daily_costs.parquet'
                          group by all order by 3 desc""")  # fmt: skip
    assert [(r["value"], r["currency"], Decimal(r["cost"])) for r in by_provider["rows"]] == want
    # every billed cent in the mart is in the answer (it reconciles to the invoice upstream)
    assert sum(Decimal(r["cost"]) for r in by_provider["rows"]) == exact(
        root, "select sum(billed_cost) from '{m}/fct_daily_costs.parquet'")[0][0]  # fmt: skip

    want = exact(root, """select service_name, sum(effective_cost) from '{m}/fct_daily_costs.parquet'
                          where provider = 'aws' and charge_date between ? and ? group by 1 order by 2 desc""",
                 [hi.replace(day=1), hi])  # fmt: skip
    assert [(r["value"], Decimal(r["cost"])) for r in aws_services["rows"]] == want[:3]
    assert aws_services["truncated"] is (len(want) > 3)

    top = movers["rows"][0]
    last, prior = exact(root, """select sum(effective_cost) filter (where charge_date > ?::date - 30),
                                 sum(effective_cost) filter (where charge_date <= ?::date - 30 and charge_date > ?::date - 60)
                                 from '{m}/fct_daily_costs.parquet' where team_id = ? and billing_currency = ?""",
                        [hi, hi, hi, top["value"], top["currency"]])[0]  # fmt: skip
    assert Decimal(top["change"]) == (last or 0) - (prior or 0)
    assert len(movers["rows"]) <= 5

    n = exact(root, "select count(*) from '{m}/fct_cost_anomalies.parquet'")[0][0]
    n_expired = exact(root, """select count(*) from '{m}/fct_cost_anomalies.parquet'
                               where status = 'open' and lifecycle_state = 'expired'""")[0][0]  # fmt: skip
    assert len(anomalies["events"]) == n - n_expired > 0

    latest = exact(root, """select budget_id, actual_cost_to_date, breaker_reason is not null and breaker_reason <> ''
                            from '{m}/fct_budget_status.parquet'
                            qualify row_number() over (partition by budget_id order by as_of_date desc) = 1""")  # fmt: skip
    got = {
        b["budget_id"]: (Decimal(b["actual_cost_to_date"]), b["breaker_state"] == "open")
        for b in budgets["budgets"]
    }
    assert got == {b: (Decimal(a), o) for b, a, o in latest}
    assert budgets["breaker_open"] is any(o for _, _, o in latest)

    # the savings job has published its inbox: the 20 largest opportunities, as the mart holds them
    want = exact(root, """select opportunity_id, monthly_savings from '{m}/fct_savings_opportunities.parquet'
                          order by monthly_savings desc, opportunity_id limit 20""")  # fmt: skip
    assert savings["available"] is True and want
    assert [
        (o["opportunity_id"], Decimal(o["monthly_savings"])) for o in savings["opportunities"]
    ] == [(i, Decimal(v)) for i, v in want]

    comps = [
        Decimal(c["monthly_cost"])
        for r in plan["resources"]
        for c in r["components"]
        if c["monthly_cost"]
    ]
    assert Decimal(plan["total_monthly_cost"]) == sum(comps) > 0
    assert plan["policy"]["decision"] in ("pass", "warn", "block")

    assert {d["name"] for d in idx} >= {"fct_daily_costs", "fct_budget_status", "focus_charges"}
    assert next(d for d in idx if d["name"] == "fct_daily_costs")["published"] is True
    assert focus["model"] == "focus_charges" and "FOCUS" in focus["description"]
    assert {"billed_cost", "charge_date"} <= {c["name"] for c in doc["schema"]}


def test_allocated_costs_reconcile_and_show_the_rules(root: Path) -> None:
    month = exact(
        root, "select strftime(max(billing_period), '%Y-%m') from '{m}/fct_daily_costs.parquet'"
    )[0][0]
    (alloc,) = call(root, [("call", "allocated_costs", {"month": month})])
    # allocation moves cost between teams, never creates or loses it: the month's total per
    # currency equals the daily fact's (computed here from the published file)
    want = exact(root, """select billing_currency, sum(billed_cost) from '{m}/fct_daily_costs.parquet'
                          where strftime(billing_period, '%Y-%m') = ? group by 1""", [month])  # fmt: skip
    got: dict[str, Decimal] = {}
    for r in alloc["rows"]:
        got[r["billing_currency"]] = got.get(r["billing_currency"], Decimal(0)) + Decimal(
            r["total_cost"]
        )
    assert got == dict(want)
    received = {r["team_id"]: r for r in alloc["rows"] if r["allocated_cost"] is not None}
    assert {
        "data-platform",
        "analytics-warehouse",
        "ml-inference",
    } <= received.keys()  # gcp-support
    assert "gcp-support" in received["ml-inference"]["rules"]
    # what rule gcp-support gave out is exactly the month's GCP support plan charges
    direct = exact(root, """select sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                            where strftime(billing_period, '%Y-%m') = ? and allocation_rule_id = 'gcp-support'""",
                   [month])[0][0]  # fmt: skip
    assert direct == exact(root, """select sum(billed_cost) from '{m}/fct_daily_costs.parquet'
                                    where strftime(billing_period, '%Y-%m') = ? and provider = 'gcp'
                                      and service_name = 'Support'""", [month])[0][0]  # fmt: skip


def test_breaker_check_and_acknowledge_need_a_role_and_reach_the_audit_log(root: Path) -> None:
    scope, reason = exact(root, """select scope, breaker_reason from '{m}/fct_budget_status.parquet'
                                   order by as_of_date desc limit 1""")[0]  # fmt: skip
    event_id = exact(root, """select event_id from '{m}/fct_cost_anomalies.parquet'
                              where status = 'open' order by end_date desc limit 1""")[0][0]  # fmt: skip
    note = "known: load test in staging"
    as_exec = call(
        root,
        [("call", "breaker_check", {"scope": scope}),
         ("call", "acknowledge_anomaly", {"event_id": event_id, "note": note})],
    )  # fmt: skip
    check, refused = as_exec
    assert check["scope"] == scope
    assert check["may_spend"] is not any(b["breaker_state"] == "open" for b in check["breakers"])
    assert refused[0] == "error" and "may not acknowledge" in refused[1]

    before = len(events(str(root / "lake")))
    ack, listed = call(
        root,
        [("call", "acknowledge_anomaly", {"event_id": event_id, "note": note}),
         ("call", "list_anomalies", {"status": "acknowledged", "limit": 500})],
        "--user", "admin",
    )  # fmt: skip
    assert ack["status"] == "acknowledged" and ack["by"] == "admin"
    assert event_id in {e["event_id"] for e in listed["events"]}
    evs = events(str(root / "lake"))
    assert len(evs) == before + 1
    assert (evs[0].action, evs[0].target, evs[0].note, evs[0].actor) == (
        "acknowledge",
        event_id,
        note,
        "admin",
    )


def test_bad_arguments_are_errors_not_tracebacks(root: Path) -> None:
    bad = [
        ("cost_by_dimension", {"dimension": "provider; drop table x"}),
        ("cost_by_dimension", {"dimension": "service", "limit": 0}),
        ("cost_by_dimension", {"start": "2026-13-01"}),
        ("cost_by_dimension", {"start": "2026-10-02", "end": "2026-10-01"}),
        ("cost_by_dimension", {"start": "2024-01-01", "end": "2026-10-01"}),
        ("cost_by_dimension", {"filters": {"provider": ["x" * 500]}}),
        ("cost_by_dimension", {"limit": "many"}),
        ("top_movers", {"days": 0}),
        ("list_anomalies", {"status": "closed"}),
        ("acknowledge_anomaly", {"event_id": "../../x", "note": "n"}),
        ("budget_status", {"scope": "team:payments' or 1=1 --"}),
        ("breaker_check", {"scope": "team:no-such-team"}),
        ("price_terraform", {"path": "../users.json"}),
        ("price_terraform", {"path": "/etc/passwd"}),
        ("price_terraform", {"path": "web-asg.meta.json"}),
        ("breaker_check", {}),
        ("allocated_costs", {"month": "2026-9"}),
    ]
    out = call(root, [("call", name, args) for name, args in bad])
    for (name, args), r in zip(bad, out, strict=True):
        assert isinstance(r, tuple) and r[0] == "error", (name, args, r)
        assert "Traceback" not in r[1] and len(r[1]) < 1000, r[1]
    assert "gate root" in out[12][1] and "gate root" in out[13][1]


def test_an_engineering_caller_sees_only_its_teams(root: Path) -> None:
    by_team, budgets = call(
        root,
        [("call", "cost_by_dimension", {"dimension": "team", "limit": 500}),
         ("call", "budget_status", {})],
        "--role", "engineering", "--teams", "payments",
    )  # fmt: skip
    assert {r["value"] for r in by_team["rows"]} == {"payments"}
    want = exact(
        root,
        "select sum(effective_cost) from '{m}/fct_daily_costs.parquet' where team_id = 'payments'",
    )
    assert Decimal(by_team["rows"][0]["cost"]) == want[0][0]
    assert {b["scope"] for b in budgets["budgets"]} == {"team:payments"}
