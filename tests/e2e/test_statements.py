"""Monthly statements end to end: the Dagster asset for one billing month on marts built from the
sample exports writes per team and business unit CSV, HTML and PDF; their numbers equal the marts
(Decimal sums in DuckDB over the published files, computed here); the PDFs render (page count,
pdftotext finds the totals); a local webhook receives the signed announcement once; and `sibyl
report --team` builds one team's statement on demand."""

from __future__ import annotations

import csv
import http.server
import io
import json
import shutil
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from models_ml.notify import verify
from tests.conftest import env_vars

pytestmark = pytest.mark.e2e
MONTH = "2026-09"
REPO = Path(__file__).resolve().parents[2]


def exact(root: Path, sql: str, params: list | None = None) -> list[tuple]:  # type: ignore[type-arg]
    con = duckdb.connect()
    try:
        return con.execute(sql.replace("{m}", str(root / "marts")), params or []).fetchall()
    finally:
        con.close()


class Hook(http.server.BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def reports(built_root: Path, tmp_path_factory) -> Path:
    """The monthly_statements asset for MONTH, with a webhook on 127.0.0.1."""
    data = tmp_path_factory.mktemp("statements")
    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hooks = data / "webhooks.yaml"
    hooks.write_text(
        "webhooks:\n  - name: finance\n"
        f"    url: http://127.0.0.1:{server.server_port}/statements\n"
        "    secret_env: SIBYL_TEST_STATEMENT_SECRET\n    events: [statements]\n",
        encoding="utf-8",
    )
    env = {"SIBYL_DATA_DIR": str(data), "SIBYL_MARTS_DIR": str(built_root / "marts"),
           "SIBYL_LAKE_ROOT": str(data / "lake"), "SIBYL_WEBHOOKS_FILE": str(hooks),
           "SIBYL_TEST_STATEMENT_SECRET": "s3cret"}  # fmt: skip
    try:
        with env_vars(env):
            from orchestration.definitions import defs as load_defs
            from orchestration.defs.partitions import register_periods

            defs = load_defs()
            inst = dg.DagsterInstance.ephemeral()
            register_periods(inst, [MONTH])
            job = defs.resolve_job_def("monthly_statements")
            for _ in range(2):  # a re-run rewrites the files and does not announce twice
                assert job.execute_in_process(instance=inst, partition_key=f"{MONTH}-01").success
    finally:
        server.shutdown()
    return data / "reports" / MONTH


def test_team_statements_equal_the_marts(built_root: Path, reports: Path) -> None:
    index = json.loads((reports / "index.json").read_text())
    teams = {e["key"]: e for e in index["statements"] if e["kind"] == "team"}
    want = exact(built_root, """select team_id, sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                                where strftime(billing_period, '%Y-%m') = ? group by 1""", [MONTH])  # fmt: skip
    assert {k: Decimal(e["total"]) for k, e in teams.items()} == {
        t: v.quantize(Decimal("0.01")) for t, v in want
    }
    # every team's statement together is the month's invoice: the raw exports' total
    raw = exact(built_root, "select sum(raw_billed_cost) from '{m}/fct_reconciliation.parquet' where billing_period = ?", [MONTH])[0][0]  # fmt: skip
    assert sum(v for _, v in want) == raw

    rows = list(csv.DictReader(io.StringIO((reports / "team-payments-USD.csv").read_text())))
    by = {(r["section"], r["label"], r["detail"]): Decimal(r["amount"]) for r in rows}
    total = exact(built_root, """select sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                                 where strftime(billing_period, '%Y-%m') = ? and team_id = 'payments'""", [MONTH])[0][0]  # fmt: skip
    assert by[("total", "Total billed", "")] == total.quantize(Decimal("0.01"))
    shared = exact(built_root, """select allocation_rule_id, sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                                  where strftime(billing_period, '%Y-%m') = ? and team_id = 'payments'
                                    and attribution_method = 'allocation_rule' group by 1""", [MONTH])  # fmt: skip
    assert shared and {
        (label, amount) for (sec, label, _), amount in by.items() if sec == "allocated"
    } == {(r, v.quantize(Decimal("0.01"))) for r, v in shared}
    prev = exact(built_root, """select sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                                where strftime(billing_period, '%Y-%m') = '2026-08' and team_id = 'payments'""")[0][0]  # fmt: skip
    assert by[("month_over_month", "Previous month", "")] == prev.quantize(Decimal("0.01"))
    assert by[("reconciliation", "Difference", "")] == 0
    budget = exact(built_root, """select budget_amount from '{m}/fct_budget_status.parquet'
                                  where scope = 'team:payments' and period = 'monthly' and strftime(period_start, '%Y-%m') = ?
                                  limit 1""", [MONTH])[0][0]  # fmt: skip
    assert by[("budget", "payments-monthly", "budget")] == budget

    page = (reports / "team-payments-USD.html").read_text()
    assert (
        f"{total.quantize(Decimal('0.01')):,} USD" in page and 'src="team-payments-USD.png"' in page
    )
    assert (reports / "team-payments-USD.png").read_bytes()[:4] == b"\x89PNG"


def test_business_unit_statements_sum_their_teams(built_root: Path, reports: Path) -> None:
    rows = list(csv.DictReader(io.StringIO((reports / "bu-consumer-apps-USD.csv").read_text())))
    teams = [Decimal(r["amount"]) for r in rows if r["section"] == "team"]
    total = next(Decimal(r["amount"]) for r in rows if r["section"] == "total")
    want = exact(built_root, """select sum(billed_cost) from '{m}/fct_allocated_costs_monthly.parquet'
                                where strftime(billing_period, '%Y-%m') = ? and business_unit_id = 'consumer-apps'""", [MONTH])[0][0]  # fmt: skip
    assert total == want.quantize(Decimal("0.01"))
    assert abs(sum(teams) - total) <= Decimal("0.01") * len(teams)  # each line rounded to the cent


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_pdfs_render_with_the_totals(reports: Path) -> None:
    for name in ("team-payments-USD", "bu-consumer-apps-USD"):
        pdf = reports / f"{name}.pdf"
        info = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
        assert 1 <= pages <= 5
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        rows = list(csv.DictReader(io.StringIO((reports / f"{name}.csv").read_text())))
        total = next(Decimal(r["amount"]) for r in rows if r["section"] == "total")
        assert f"Total billed: {total:,} USD" in text
        assert "Difference" in text and "Invoiced (raw exports)" in text


def test_the_announcement_is_signed_and_sent_once(reports: Path) -> None:
    assert len(Hook.received) == 1
    headers, body = Hook.received[0]
    doc = json.loads(body)
    assert doc["sibyl"]["month"] == MONTH and doc["sibyl"]["event"] == "statements"
    assert verify("s3cret", body, headers["X-Sibyl-Signature-256"], headers["X-Sibyl-Timestamp"],
                  headers["X-Sibyl-Delivery"])  # fmt: skip
    assert not verify("other", body, headers["X-Sibyl-Signature-256"], headers["X-Sibyl-Timestamp"],
                      headers["X-Sibyl-Delivery"])  # fmt: skip


def test_sibyl_report_for_one_team(built_root: Path, tmp_path: Path) -> None:
    env = {"SIBYL_MARTS_DIR": str(built_root / "marts"), "SIBYL_DATA_DIR": str(tmp_path),
           "SIBYL_LAKE_ROOT": str(tmp_path / "lake"), "PATH": "/usr/bin:/bin"}  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "app.cli", "report", "--month", MONTH, "--team", "payments"],
                         capture_output=True, text=True, cwd=REPO, env=env, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "reports" / MONTH).glob("*.pdf")) == [
        "bu-consumer-apps-USD.pdf", "team-payments-USD.pdf",
    ]  # fmt: skip
    bad = subprocess.run([sys.executable, "-m", "app.cli", "report", "--month", "2026-9"],
                         capture_output=True, text=True, cwd=REPO, env=env, check=False)  # fmt: skip
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr and "Traceback" not in bad.stderr
