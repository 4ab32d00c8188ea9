"""The ML job on the generated demo exports through Dagster: injected anomalies found, budget states
checked against an independent computation from the marts, statuses surviving a re-run, the
`sibyl budget` CLI's exit codes, and signed webhooks to a real local receiver sent once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.conftest import env_vars
from tests.unit.ml.test_notify import SECRET, Receiver

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def _budgets_from_actuals(marts: Path, out: Path) -> dict[str, dict[str, object]]:
    """Budgets sized from the data so each state is exercised; returns the expected states."""
    con = duckdb.connect()
    try:
        (as_of,) = con.execute(
            f"select max(charge_date) from '{marts}/fct_daily_costs.parquet'"
        ).fetchone()  # type: ignore[misc]
        teams = con.execute(
            f"""select team_id, sum(effective_cost) from '{marts}/fct_daily_costs.parquet'
                                where charge_date >= date_trunc('month', ?::date) and team_id <> 'unallocated'
                                group by 1 order by 2 desc limit 3""",
            [as_of],
        ).fetchall()
        (org,) = con.execute(
            f"""select sum(effective_cost) from '{marts}/fct_daily_costs.parquet'
                               where charge_date >= date_trunc('quarter', ?::date)""",
            [as_of],
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    (hot, hot_cost), (warm, warm_cost), (cool, cool_cost) = teams
    rows = {
        # 95% used with 11 of 31 days left: over the 90% trip with more than 25% of the period left
        "hot": ("team", hot, (hot_cost / Decimal("0.95")).quantize(Decimal("0.01")), "monthly"),
        # 60% used: yellow, closed
        "warm": ("team", warm, (warm_cost / Decimal("0.60")).quantize(Decimal("0.01")), "monthly"),
        # already over: red, open
        "cool": ("team", cool, (cool_cost / Decimal("1.10")).quantize(Decimal("0.01")), "monthly"),
        "org": ("organization", "*", (org * 3).quantize(Decimal("0.01")), "quarterly"),
    }
    lines = [
        "budget_id,scope_type,scope_value,amount,currency,period,alert_thresholds,breaker_basis"
    ]
    lines += [f"{k},{st},{sv},{amt},USD,{p},," for k, (st, sv, amt, p) in rows.items()]
    out.write_text("\n".join(lines) + "\n")
    return {
        k: {"scope": f"{st}:{sv}", "amount": amt, "as_of": as_of}
        for k, (st, sv, amt, p) in rows.items()
    }


@pytest.fixture(scope="module")
def ml(tmp_path_factory, sample_landing):
    root = tmp_path_factory.mktemp("ml")
    with Receiver() as receiver:
        hooks = root / "webhooks.yaml"
        hooks.write_text(
            f"webhooks:\n  - name: rx\n    url: {receiver.url}\n    secret_env: SIBYL_TEST_HOOK_SECRET\n"
            "    max_age_days: 400\n    backoff_s: 0.01\n"
        )
        env = {
            "SIBYL_LANDING_ROOT": str(sample_landing),
            "SIBYL_LAKE_ROOT": str(root / "lake"),
            "SIBYL_WAREHOUSE": str(root / "warehouse.duckdb"),
            "SIBYL_MARTS_DIR": str(root / "marts"),
            "SIBYL_BUDGETS_FILE": str(root / "budgets.csv"),
            "SIBYL_WEBHOOKS_FILE": str(hooks),
            "SIBYL_TEST_HOOK_SECRET": SECRET,
        }
        with env_vars(env):
            from orchestration.definitions import defs as load_defs
            from orchestration.defs.partitions import register_periods

            defs = load_defs()
            instance = dg.DagsterInstance.ephemeral()
            # the partitions follow the data: register the sample's billing periods
            register_periods(instance, ["2026-08", "2026-09", "2026-10"])
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
            assert (
                defs.resolve_job_def("transform_marts")
                .execute_in_process(instance=instance)
                .success
            )
            expected = _budgets_from_actuals(root / "marts", root / "budgets.csv")
            first = defs.resolve_job_def("ml_daily").execute_in_process(instance=instance)
            yield {
                "root": root,
                "defs": defs,
                "instance": instance,
                "first": first,
                "expected": expected,
                "landing": sample_landing,
                "env": env,
                "receiver": receiver,
            }


def _mart(ml, name: str) -> list[dict[str, object]]:
    con = duckdb.connect()
    try:
        cur = con.execute(f"select * from '{ml['root'] / 'marts' / name}.parquet'")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def test_the_ml_job_succeeds_with_its_checks(ml):
    r = ml["first"]
    assert r.success
    checks = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in r.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks["keeps_human_statuses"] is True
    assert "forecast_mase_below_threshold" in checks
    mats = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in r.get_asset_materialization_events()
    }
    assert {
        "ml/anomaly_events",
        "ml/cost_forecasts",
        "ml/budget_status",
        "marts/fct_cost_anomalies",
        "marts/fct_budget_status",
        "ml/notifications",
    } <= set(mats)
    assert mats["ml/anomaly_events"]["recall_vs_injected"].value > 0


def test_the_injected_spikes_are_found_with_their_root_cause(ml):
    truth = json.loads((ml["landing"] / "_meta" / "anomalies.json").read_text())["anomalies"]
    events = _mart(ml, "fct_cost_anomalies")
    # spikes with four weeks of history before them (the data starts 2026-08-01)
    spikes = [a for a in truth if a["start_date"] >= "2026-08-29" and a["multiplier"] >= 5]
    assert spikes, truth
    for a in spikes:
        s, e = dt.date.fromisoformat(a["start_date"]), dt.date.fromisoformat(a["end_date"])
        hits = [
            ev
            for ev in events
            if ev["scope_type"] == "team"
            and ev["scope_value"] == a["team_id"]
            and ev["start_date"] <= e + dt.timedelta(days=1)
            and ev["end_date"] >= s - dt.timedelta(days=1)
        ]
        assert hits, (
            a,
            [(ev["scope_value"], ev["start_date"]) for ev in events if ev["scope_type"] == "team"],
        )
        ev = max(hits, key=lambda h: h["cost_impact"])
        assert ev["status"] == "open" and ev["cost_impact"] > 0 and ev["confidence"] > 0.5
        assert a["account_id"] in ev["root_cause_path"], ev["root_cause_path"]
        cause = json.loads(ev["root_cause_json"])
        assert a["resource_id"] in [r["resource"] for r in cause["by_dimension"]["resource"]]


def test_budget_states_match_an_independent_computation(ml):
    rows = {
        r["budget_id"]: r
        for r in _mart(ml, "fct_budget_status")
        if r["as_of_date"] == ml["expected"]["hot"]["as_of"]
    }
    con = duckdb.connect()
    for bid, exp in ml["expected"].items():
        r = rows[bid]
        st, sv = str(exp["scope"]).split(":", 1)
        col = {"team": "team_id", "organization": "'*'"}[st]
        trunc = "month" if r["period"] == "monthly" else "quarter"
        (actual,) = con.execute(
            f"""select sum(effective_cost) from '{ml["root"] / "marts"}/fct_daily_costs.parquet'
                                  where {col} = ? and charge_date >= date_trunc('{trunc}', ?::date)
                                    and charge_date <= ?::date""",
            [sv, exp["as_of"], exp["as_of"]],
        ).fetchone()  # type: ignore[misc]
        assert r["actual_cost_to_date"] == Decimal(actual).quantize(Decimal("0.01")), bid
        pct = float(actual) * 100 / float(exp["amount"])  # type: ignore[arg-type]
        assert r["pct_used"] == pytest.approx(pct, abs=0.01)
        left = (r["period_end"] - exp["as_of"]).days * 100 / r["days_in_period"]
        breaker = "open" if pct >= 100 or (pct >= 90 and left > 25) else "closed"
        assert r["breaker_state"] == breaker, (bid, pct, left)
        level = "red" if pct >= 100 else None
        if level:
            assert r["alert_level"] == level
    con.close()
    assert rows["hot"]["breaker_state"] == "open" and rows["cool"]["breaker_state"] == "open"
    assert rows["warm"]["breaker_state"] == "closed" and rows["warm"]["alert_level"] in (
        "yellow",
        "orange",
    )
    # the newest day uses the forecasts, and says which model made them
    assert str(rows["hot"]["projection_method"]).startswith("forecast:")
    history = [r for r in _mart(ml, "fct_budget_status") if r["budget_id"] == "hot"]
    assert len(history) == 31  # a month of days, kept


def test_forecasts_cover_90_days_per_scope(ml):
    fc = _mart(ml, "fct_cost_forecasts")
    per = {}
    for r in fc:
        per.setdefault(r["series_id"], []).append(r)
    assert {s.split(":")[0] for s in per} >= {"organization", "team", "service", "provider"}
    assert all(len(v) == 90 for v in per.values())
    assert {r["horizon_bucket"] for r in fc} == {30, 60, 90}
    assert all(r["yhat_lower"] <= r["yhat"] <= r["yhat_upper"] for r in fc)


def _cli(ml, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ml["env"]},
        cwd=REPO,
        timeout=120,
    )


def test_budget_cli_exits_1_on_an_open_breaker_and_honours_overrides(ml):
    hot, warm = ml["expected"]["hot"]["scope"], ml["expected"]["warm"]["scope"]
    r = _cli(ml, "budget", "status", "--scope", str(hot), "--format", "json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["breaker_open"] is True and doc["budgets"][0]["breaker_state"] == "open"
    assert _cli(ml, "budget", "status", "--scope", str(warm)).returncode == 0
    bad = _cli(ml, "budget", "status", "--scope", "team:nobody")
    assert bad.returncode == 2 and "no budget for scope" in bad.stderr
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert (
        _cli(
            ml,
            "budget",
            "override",
            "--scope",
            str(hot),
            "--until",
            until,
            "--by",
            "ops-lead",
            "--note",
            "launch",
        ).returncode
        == 0
    )
    r = _cli(ml, "budget", "status", "--scope", str(hot), "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["budgets"][0]["breaker_state"] == "half_open"


def test_resolutions_survive_a_rerun_and_webhooks_are_sent_once(ml):
    events = _mart(ml, "fct_cost_anomalies")
    target = max(events, key=lambda e: e["cost_impact"])
    r = _cli(
        ml,
        "anomalies",
        "resolve",
        target["event_id"],
        "--by",
        "alice",
        "--note",
        "prompt loop fixed",
    )
    assert r.returncode == 0, r.stderr
    assert _cli(ml, "anomalies", "resolve", "nope", "--by", "x", "--note", "y").returncode == 2
    rx = ml["receiver"]
    sent_first = len(rx.requests)
    assert sent_first > 0 and rx.bad_signatures == 0
    again = ml["defs"].resolve_job_def("ml_daily").execute_in_process(instance=ml["instance"])
    assert again.success
    [check] = [
        e.asset_check_evaluation_data
        for e in again.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.asset_check_evaluation_data.check_name == "keeps_human_statuses"
    ]
    assert (
        check.passed and check.metadata["human_touched"].value == 1
    )  # the check saw the resolution
    after = {e["event_id"]: e for e in _mart(ml, "fct_cost_anomalies")}
    t = after[target["event_id"]]
    assert (t["status"], t["status_by"], t["status_note"]) == (
        "resolved",
        "alice",
        "prompt loop fixed",
    )
    assert len(after) >= len(events)
    assert (
        len(rx.requests) == sent_first
    )  # nothing new to say: every event and crossing was sent once
    kinds = {json.loads(q["body"])["sibyl"]["type"] for q in rx.requests}
    assert {"anomaly", "budget_threshold", "breaker_open"} <= kinds
