"""The cockpit on a warehouse built from the sample exports: every page in Streamlit's AppTest
(values equal the marts, charts show the range of the metric they illustrate, filters change rows,
roles scope what is read, empty marts give the 'not produced yet' message), then every page in
headless Chromium against `streamlit run`, signed in through the form, with screenshots."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pyarrow.ipc as ipc
import pytest
from streamlit.testing.v1 import AppTest

from app.cockpit import queries as q
from app.cockpit.present import money, pct
from app.users import load
from tests.conftest import env_vars
from tests.e2e.browser import signed_in_cockpit, visit

pytestmark = pytest.mark.e2e
VIEWS = Path(__file__).resolve().parents[2] / "app" / "cockpit" / "views"
PAGES = {"overview": "Overview", "explorer": "Cost explorer", "teams": "Teams & showback",
         "tagging": "Tagging & compliance", "anomalies": "Anomalies", "forecast_budgets": "Forecast & budgets",
         "iac_checks": "IaC checks", "data_health": "Data health", "admin": "Admin",
         "commitments": "Commitments", "savings": "Savings", "ai_spend": "AI spend"}  # fmt: skip
ENG_TEAMS = ("payments", "checkout")  # the demo's engineering user


@pytest.fixture(scope="module")
def marts_dir(tmp_path_factory, sample_landing) -> Path:
    """Ingest + dbt + publish on the sample exports (3 periods), the IaC gate on the example
    plans (as `make demo` runs it) and the demo users."""
    root = tmp_path_factory.mktemp("cockpit")
    env = {"SIBYL_LANDING_ROOT": str(sample_landing), "SIBYL_LAKE_ROOT": str(root / "lake"),
           "SIBYL_WAREHOUSE": str(root / "warehouse.duckdb"), "SIBYL_MARTS_DIR": str(root / "marts"),
           "SIBYL_DATA_DIR": str(root)}  # fmt: skip
    with env_vars(env):
        from orchestration.definitions import defs as load_defs
        from orchestration.defs.partitions import register_periods

        defs = load_defs()
        instance = dg.DagsterInstance.ephemeral()
        register_periods(instance, ["2026-08", "2026-09", "2026-10"])  # partitions follow the data
        assert (
            defs.resolve_job_def("ingest_exports")
            .execute_in_process(
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": "2026-08-01",
                    "dagster/asset_partition_range_end": "2026-10-01",
                },
            )
            .success
        )
        assert defs.resolve_job_def("transform_marts").execute_in_process(instance=instance).success
        assert defs.resolve_job_def("ml_daily").execute_in_process(instance=instance).success
        from app import gate_examples
        from app.demo_users import ensure_demo_users

        decisions = gate_examples.run(defs, instance, str(root / "ci_artifacts"))
        assert decisions["examples/ml-training-gpu.json"] == "block"
        assert sorted(decisions.values()).count("block") == 1
        ensure_demo_users(str(root / "users.json"))
    return root / "marts"


def page(name: str, marts: Path, monkeypatch, username: str = "admin") -> AppTest:
    """Run one page signed in as a demo user (finance, payments-lead, cfo, admin)."""
    monkeypatch.setenv("SIBYL_MARTS_DIR", str(marts))
    monkeypatch.setenv("SIBYL_LAKE_ROOT", str(marts.parent / "lake"))
    monkeypatch.setenv("SIBYL_DATA_DIR", str(marts.parent))
    monkeypatch.setenv("SIBYL_USERS_FILE", str(marts.parent / "users.json"))
    monkeypatch.delenv("SIBYL_DAGSTER_URL", raising=False)
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    users = load(marts.parent / "users.json")
    if username in users:
        at.session_state["user"] = users[username]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == PAGES[name]
    return at


def charts(at: AppTest) -> list:  # type: ignore[type-arg]
    """The data of every chart on the page, as pandas frames (what Vega-Lite draws)."""
    out = []
    for c in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"):
        frames = [ipc.open_stream(io.BytesIO(d.data.data)).read_pandas() for d in c.proto.datasets]
        out.append(frames[0] if len(frames) == 1 else frames)
    return out


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def daily(marts: Path) -> str:
    return str(marts / "fct_daily_costs.parquet")


def exact(sql: str, params: list | None = None):  # type: ignore[no-untyped-def,type-arg]
    """One value straight from the mart files (independent of the cockpit's query functions)."""
    return duckdb.execute(sql, params or []).fetchall()[0][0]


def test_the_sign_in_form_guards_every_page_and_writes_the_audit_log(
    marts_dir, monkeypatch
) -> None:
    from app.audit import events

    monkeypatch.setenv("SIBYL_MARTS_DIR", str(marts_dir))
    monkeypatch.setenv("SIBYL_LAKE_ROOT", str(marts_dir.parent / "lake"))
    monkeypatch.setenv("SIBYL_USERS_FILE", str(marts_dir.parent / "users.json"))
    at = AppTest.from_file(str(VIEWS / "explorer.py"), default_timeout=60).run()
    assert at.title[0].value == "Sign in to Sibyl" and not at.dataframe  # nothing read
    at.text_input(key="login_user").set_value("finance")
    at.text_input(key="login_password").set_value("wrong-password")
    at.button[0].click().run()
    assert any("wrong password" in e.value for e in at.error) and not at.dataframe
    at.text_input(key="login_password").set_value("finance-demo")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Cost explorer" and at.dataframe
    ev = events(str(marts_dir.parent / "lake"))
    assert any(e.actor == "finance" and e.action == "sign-in" for e in ev)


def test_overview_kpis_and_chart_equal_the_marts(marts_dir, monkeypatch) -> None:
    from app.summary import summary_facts

    at = page("overview", marts_dir, monkeypatch)
    shown = metrics(at)
    d = daily(marts_dir)
    as_of = exact(f"select max(charge_date) from '{d}'")
    cur = "USD"
    last30 = exact(
        f"select sum(effective_cost) from '{d}' where billing_currency = ? and charge_date > ?::date - 30",
        [cur, as_of],
    )
    assert shown["Last 30 days"] == money(last30, cur)
    ytd = exact(
        f"select sum(effective_cost) from '{d}' where billing_currency = ? and charge_date >= ?",
        [cur, dt.date(as_of.year, 1, 1)],
    )
    assert shown[f"Year to date ({as_of.year})"] == money(ytd, cur)
    last_full = (as_of.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    lm = exact(
        f"select sum(effective_cost) from '{d}' where billing_currency = ? and date_trunc('month', charge_date) = ?",
        [cur, last_full],
    )
    assert shown[f"Last full month ({last_full:%b %Y})"] == money(lm, cur)
    mtd_label = next(k for k in shown if k.startswith("Month to date ("))
    assert f"({as_of.day} day" in mtd_label
    # the chart (monthly fees spread over their month): each whole month in it adds up to the
    # mart's month, in dollars (not ×10¹⁰), and the 1st of a month is no longer a spike
    (spread,) = charts(at)
    spread["month"] = pd.to_datetime(spread["date"]).dt.strftime("%Y-%m")
    by_month = duckdb.execute(
        f"""select strftime(charge_date, '%Y-%m'), sum(effective_cost) from '{d}'
            where billing_currency = ? group by 1""",
        [cur],
    ).fetchall()
    for month, total in by_month:
        part = spread[spread["month"] == month]
        if pd.to_datetime(part["date"]).dt.day.min() == 1:  # the month is whole in the 90 days
            assert round(Decimal(str(part["cost"].sum())), 2) == round(total, 2), month
    # without spreading: the last 30 days of the chart add up to the metric it sits under
    at.toggle(key="spread_fees").set_value(False).run()
    (chart,) = charts(at)
    chart["date"] = pd.to_datetime(chart["date"]).dt.date
    recent = chart[chart["date"] > as_of - dt.timedelta(days=30)]
    assert round(Decimal(str(recent["cost"].sum())), 2) == round(last30, 2)
    assert chart["date"].max() == as_of and chart["cost"].max() < float(last30)
    first_days = chart[[x.day == 1 for x in chart["date"]]].groupby("date")["cost"].sum().max()
    spread_first = (
        spread[pd.to_datetime(spread["date"]).dt.day == 1].groupby("date")["cost"].sum().max()
    )
    assert spread_first < first_days  # the fee spike is spread
    facts = summary_facts(str(marts_dir))  # the CLI summary reads the same marts
    assert shown["Allocated to a team (30 d)"] == pct(facts.allocated_pct)
    assert shown["Tag compliance (30 d)"] == pct(facts.compliance_pct)
    n_open = exact(
        f"select count(*) from '{marts_dir / 'fct_cost_anomalies.parquet'}' where status = 'open'"
    )
    assert n_open > 0 and shown["Open anomalies"] == str(n_open)
    org = exact(f"""select projected_period_end_cost from '{marts_dir / "fct_budget_status.parquet"}'
                    where budget_id = 'org-monthly' order by as_of_date desc limit 1""")
    assert shown["Forecast to month end"] == money(org, cur)
    assert any("Data freshness" in c.value for c in at.caption)
    assert any("Partial months" in c.value for c in at.caption)  # the data ends on the 20th


def test_explorer_chart_table_and_mart_agree_and_filters_change_rows(
    marts_dir, monkeypatch
) -> None:
    at = page("explorer", marts_dir, monkeypatch)
    table = at.dataframe[0].value
    d = daily(marts_dir)
    hi = exact(f"select max(charge_date) from '{d}'")
    lo = exact(f"select min(charge_date) from '{d}'")
    start = max(lo, hi - dt.timedelta(days=180))
    mart_total = exact(
        f"select sum(effective_cost) from '{d}' where charge_date between ? and ?", [start, hi]
    )
    (chart,) = charts(at)
    assert round(Decimal(str(chart["cost"].sum())), 2) == round(mart_total, 2)
    assert table["value"].iloc[-1] == "Total"
    assert round(Decimal(str(table["cost"].iloc[-1])), 2) == round(mart_total, 2)
    assert abs(table["share_pct"].iloc[:-1].sum() - 100) < 1e-6
    assert chart["series"].nunique() <= 11  # top 10 + other: one colour each
    at.multiselect(key="f_provider").set_value(["gcp"]).run()
    assert not at.exception
    gcp = at.dataframe[0].value
    gcp_total = exact(
        f"select sum(effective_cost) from '{d}' where provider = 'gcp' and charge_date between ? and ?",
        [start, hi],
    )
    assert 0 < len(gcp) < len(table)
    assert round(Decimal(str(gcp["cost"].iloc[-1])), 2) == round(gcp_total, 2)
    movers = at.dataframe[1].value
    assert set(movers["value"]) <= set(gcp["value"])  # top movers follow the filters
    at.selectbox[0].set_value("team").run()
    assert not at.exception and "team" in at.subheader[0].value


def test_an_engineering_user_sees_only_their_teams(marts_dir, monkeypatch) -> None:
    d = daily(marts_dir)
    teams = exact(f"select list(distinct team_id) from '{d}'")
    assert set(ENG_TEAMS) < set(teams)  # there is other teams' cost to hide
    at = page("explorer", marts_dir, monkeypatch, username="payments-lead")
    assert set(at.multiselect(key="f_team").options) <= set(ENG_TEAMS)
    at.selectbox[0].set_value("team").run()
    shown = set(at.dataframe[0].value["value"]) - {"Total"}
    assert shown and shown <= set(ENG_TEAMS)
    (chart,) = charts(at)
    assert set(chart["series"]) <= set(ENG_TEAMS)
    ov = page("overview", marts_dir, monkeypatch, username="payments-lead")
    as_of = exact(f"select max(charge_date) from '{d}'")
    ytd = exact(
        f"""select sum(effective_cost) from '{d}' where team_id in ('payments', 'checkout')
            and billing_currency = 'USD' and charge_date >= ? and charge_date <= ?""",
        [dt.date(as_of.year, 1, 1), as_of],
    )
    assert metrics(ov)[f"Year to date ({as_of.year})"] == money(ytd, "USD")
    teams_page = page("teams", marts_dir, monkeypatch, username="payments-lead")
    assert set(teams_page.selectbox[0].options) <= {
        f"{n} ({t})" for t, n in [("payments", "Payments"), ("checkout", "Checkout")]
    }
    health = page("data_health", marts_dir, monkeypatch, username="payments-lead")
    assert not any(m.label == "Periods reconciled" for m in health.metric)
    an = page("anomalies", marts_dir, monkeypatch, username="payments-lead")
    if an.dataframe:
        assert set(an.dataframe[0].value["owner_team_id"]) <= set(ENG_TEAMS)
    admin = page("admin", marts_dir, monkeypatch, username="payments-lead")
    assert any("admin role" in e.value for e in admin.error) and not admin.dataframe


def test_team_statement_attribution_chart_and_dispute(marts_dir, monkeypatch) -> None:
    from app.audit import events

    at = page("teams", marts_dir, monkeypatch, username="finance")
    team = at.selectbox[0].value
    d = daily(marts_dir)
    monthly = duckdb.execute(
        f"""select date_trunc('month', charge_date)::date, sum(effective_cost) from '{d}'
            where team_id = ? group by 1 order by 1""",
        [team],
    ).fetchall()
    chart = charts(at)[0]
    by_month = chart.groupby(pd.to_datetime(chart["period"]).dt.strftime("%Y-%m"))["cost"].sum()
    assert [(k, round(Decimal(str(v)), 2)) for k, v in by_month.items()] == [
        (m.strftime("%Y-%m"), round(c, 2)) for m, c in monthly
    ]
    attr = marts_dir / "fct_resource_attribution.parquet"
    methods = exact(
        f"select list(distinct attribution_method) from '{attr}' where team_id = ?", [team]
    )
    frames = [df.value for df in at.dataframe]
    res = next(f for f in frames if "attribution_evidence" in f.columns)
    assert set(res["attribution_method"]) == set(methods)
    total_30 = exact(f"select sum(effective_cost) from '{attr}' where team_id = ?", [team])
    mix = next(f for f in frames if "attribution_method" in f.columns and "share_pct" in f.columns)
    assert round(Decimal(str(mix["cost"].iloc[-1])), 2) == round(total_30, 2)
    assert any("Savings" in s.value for s in at.subheader)
    at.text_area(key="dispute_note").set_value("this database belongs to search")
    at.text_input(key="dispute_team").set_value("search")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(
        e.action == "dispute" and e.actor == "finance" and "-> search" in e.target
        for e in events(str(marts_dir.parent / "lake"))
    )


def test_tagging_iac_and_health_pages(marts_dir, monkeypatch) -> None:
    tagging = page("tagging", marts_dir, monkeypatch)
    assert len(tagging.dataframe) == 3
    iac = page("iac_checks", marts_dir, monkeypatch)
    assert metrics(iac)["Checks"] == "4" and metrics(iac)["Blocked"] == "1"
    health = page("data_health", marts_dir, monkeypatch)
    rec = marts_dir / "fct_reconciliation.parquet"
    n, ok = duckdb.execute(
        f"select count(*), count(*) filter (where is_reconciled) from '{rec}'"
    ).fetchall()[0]
    assert metrics(health)["Periods reconciled"] == f"{ok} of {n}"
    fresh = health.dataframe[0].value
    assert (
        set(fresh["provider"]) == {"aws", "gcp", "azure"}
        and fresh["last_delivery_at"].notna().all()
    )
    assert any("Ingest run reports" in c.value for c in health.caption)


def test_anomaly_inbox_shows_the_mart_and_writes_status_and_audit(marts_dir, monkeypatch) -> None:
    from app.audit import events
    from models_ml.status import latest_status

    m = q.Marts(str(marts_dir))
    cols, rows = q.anomaly_inbox(m, statuses=q.ANOMALY_STATUSES)
    assert rows, "the sample data has anomaly events"
    ro = page("anomalies", marts_dir, monkeypatch, username="cfo")
    assert not ro.button and any("cannot" in c.value or "not change" in c.value for c in ro.caption)
    at = page("anomalies", marts_dir, monkeypatch, username="finance")
    shown = metrics(at)
    assert shown["Open anomalies"] == str(sum(1 for r in rows if r[cols.index("status")] == "open"))
    assert len(at.dataframe[0].value) == len(rows)
    assert charts(at)  # the series with its band
    event = at.selectbox[1].value
    at.radio[0].set_value("resolved")
    at.text_area[0].set_value("")  # resolving needs a note: refused, nothing written
    at.button[0].click().run()
    assert any("needs a note" in e.value for e in at.error)
    assert latest_status(str(marts_dir.parent / "lake")).is_empty()
    at.text_area[0].set_value("expected: quarterly batch job")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    log = latest_status(str(marts_dir.parent / "lake"))
    assert log.row(0, named=True)["event_id"] == event and log["status"][0] == "resolved"
    assert log["changed_by"][0] == "finance"  # the signed-in user, not a typed name
    assert any(
        e.action == "resolve" and e.target == f"anomaly {event}"
        for e in events(str(marts_dir.parent / "lake"))
    )
    again = page("anomalies", marts_dir, monkeypatch)  # the fresh status shows before the next run
    assert metrics(again)["Resolved"] == "1"
    admin = page("admin", marts_dir, monkeypatch)
    log_table = admin.dataframe[0].value
    assert {"sign-in", "dispute", "resolve"} <= set(log_table["action"])


def test_forecast_and_budget_charts_show_the_metrics_range(marts_dir, monkeypatch) -> None:
    m = q.Marts(str(marts_dir))
    bcols, brows = q.budget_latest(m)
    at = page("forecast_budgets", marts_dir, monkeypatch)
    shown = metrics(at)
    assert shown["Budgets"] == str(len(brows))
    assert shown["Breakers open"] == str(
        sum(1 for r in brows if r[bcols.index("breaker_state")] == "open")
    )
    sid = at.selectbox[1].value
    fcols, frows = q.forecast_vs_actual(m, sid)
    future = [r for r in frows if r[fcols.index("yhat")] is not None]
    assert len(future) == 90
    cur = sid.rsplit("|", 1)[-1]
    assert shown["next 30 days"] == money(
        sum(Decimal(r[fcols.index("yhat")]) for r in future[:30]), cur
    )
    cumulative, history, forecast = charts(at)
    bid = at.selectbox[0].value
    latest = next(r for r in brows if r[bcols.index("budget_id")] == bid)
    amount = float(latest[bcols.index("budget_amount")])
    # the cumulative chart ends at the mart's spend to date and stays on the budget's scale
    assert (
        round(Decimal(str(cumulative["actual_to_date"].max())), 2)
        == latest[bcols.index("actual_cost_to_date")]
    )
    top = (
        cumulative[["actual_to_date", "forecast_to_date", "forecast_upper", "budget_amount"]]
        .max()
        .max()
    )
    assert top < 10 * max(amount, float(latest[bcols.index("projected_period_end_cost")]))
    if latest[bcols.index("projection_method")] == "forecast":
        last = cumulative.dropna(subset=["forecast_to_date"]).iloc[-1]
        assert (
            abs(last["forecast_to_date"] - float(latest[bcols.index("projected_period_end_cost")]))
            < 1.0
        )
    # the daily forecast chart: actuals are the mart's daily cost of the scope, forecasts its scale
    scope_type, rest = sid.split(":", 1)
    value = rest.rsplit("|", 1)[0]
    if scope_type == "organization":
        d = daily(marts_dir)
        top_day = exact(
            f"select max(c) from (select sum(effective_cost) c from '{d}' where billing_currency = ? group by charge_date)",
            [cur],
        )
        assert forecast["actual"].max() <= float(top_day) + 0.01
        assert forecast["yhat"].max() < 5 * float(top_day)
    assert value


def test_pages_say_what_is_not_produced_yet(tmp_path, monkeypatch) -> None:
    from app.demo_users import ensure_demo_users

    ensure_demo_users(str(tmp_path / "users.json"))
    (tmp_path / "marts").mkdir()
    for name in PAGES:
        if name == "admin":
            continue
        at = page(name, tmp_path / "marts", monkeypatch)
        assert any("has not been produced yet" in i.value for i in at.info), name


def test_every_page_renders_in_headless_chromium(marts_dir, tmp_path) -> None:
    env = {"SIBYL_MARTS_DIR": str(marts_dir), "SIBYL_LAKE_ROOT": str(marts_dir.parent / "lake"),
           "SIBYL_DATA_DIR": str(marts_dir.parent), "SIBYL_USERS_FILE": str(marts_dir.parent / "users.json")}  # fmt: skip
    urls = {"overview": "overview", "explorer": "explorer", "teams": "teams", "tagging": "tagging",
            "anomalies": "anomalies", "forecast_budgets": "forecast", "iac_checks": "iac",
            "data_health": "health", "admin": "admin", "commitments": "commitments",
            "savings": "savings", "ai_spend": "ai"}  # fmt: skip
    shots = Path(os.environ.get("SIBYL_COCKPIT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with signed_in_cockpit(env, "admin", "admin-demo-pw") as (browser, base):
        for name, url in urls.items():
            visit(browser, base, url, PAGES[name], shots / f"{name}.png")
