"""Real exports, as users have them: every real file ingests alone and together and reconciles to
the cent against an independent Decimal reader (tests/reference_reader.py), or is quarantined with
a reason that names the real problem; then the marts reconcile per provider x period x currency."""

from __future__ import annotations

import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.pipeline import ingest
from tests.conftest import FIXTURES, run_dbt
from tests.reference_reader import billed_totals, focus_totals_by_provider

pytestmark = pytest.mark.e2e

SPEC = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "focus" / "spec_examples_v1.2"
if not SPEC.exists():  # the worktree layout: /work/wt10/tests -> /work/shared
    SPEC = Path("/work/shared/fixtures/focus/spec_examples_v1.2")

# file -> the reason it must be quarantined with (the real problem in the file)
QUARANTINED = {
    "azure/EA_NoRows.csv": "empty export",
    "azure/azure_version_2.csv": "billing currency is not an ISO 4217 code (e.g. 'MC')",
    "focus/saas_examples/simple_agreements/simple_saas_agreements_a1.csv": "cost is not a number (e.g. row 1: '$10,000.00 ')",
    "focus/saas_examples/simple_agreements/simple_saas_agreements_a2.csv": "cost is not a number",
    "focus/saas_examples/simple_agreements/simple_saas_agreements_a3.csv": "cost is not a number",
    "focus/saas_examples/simple_agreements/simple_saas_agreements_b.csv": "cost is not a number",
    "focus/saas_examples/simple_agreements/simple_saas_agreements_c.csv": "cost is not a number",
}
AMORTIZED = {"azure/EA_AmortizedCost_Small.csv"}


def real_files() -> dict[str, Path]:
    files = {p.relative_to(FIXTURES).as_posix(): p for p in sorted(FIXTURES.rglob("*.csv"))}
    files |= {f"focus/{p.relative_to(SPEC).as_posix()}": p for p in sorted(SPEC.rglob("*.csv"))}
    return files


REAL = real_files()


def landing_with(tmp: Path, rels: list[str]) -> Path:
    land = tmp / "landing"
    for rel in rels:
        (land / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REAL[rel], land / rel)
    return land


def lake_totals(report, rel: str) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for p in report.partitions:
        if p.source_files == [rel]:
            for t in p.totals:
                out[(t.billing_period, t.currency)] += Decimal(t.billed_total)
    return dict(out)


def test_there_are_enough_real_exports():
    kinds = {rel.split("/")[0] for rel in REAL}
    assert {"aws", "azure", "gcp", "oci", "focus"} <= kinds
    assert len(REAL) >= 35


@pytest.mark.parametrize("rel", sorted(REAL))
def test_each_real_export_alone_reconciles_or_is_quarantined_for_its_real_problem(rel, tmp_path):
    report = ingest(str(landing_with(tmp_path, [rel])), str(tmp_path / "lake"))
    [f] = report.files
    if rel in QUARANTINED:
        assert f.status == "quarantined", f
        assert QUARANTINED[rel] in f.reason, f.reason
        assert rel.rsplit("/", 1)[-1] in f.rel
        return
    assert f.status == "loaded", f.reason
    expected = {k: v for k, v in billed_totals(REAL[rel]).items()}
    got = lake_totals(report, rel)
    assert set(got) == set(expected), (got, expected)
    for key, value in expected.items():
        # to the cent, and to the lake's 10 decimals (exports carry up to 16; each row is rounded)
        assert round(got[key], 2) == round(value, 2), (key, got[key], value)
        assert abs(got[key] - value) < Decimal("1e-8"), (key, got[key], value)


@pytest.fixture(scope="module")
def together(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_exports")
    report = ingest(str(landing_with(root, sorted(REAL))), str(root / "lake"))
    run_dbt(root / "lake", root / "wh.duckdb", "build")
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    yield report, con
    con.close()


def test_all_real_exports_together_give_the_same_totals_as_alone(together):
    report, _ = together
    status = {f.rel: f.status for f in report.files}
    for rel in REAL:
        assert status[rel] == ("quarantined" if rel in QUARANTINED else "loaded"), rel
        if rel not in QUARANTINED:
            got, expected = lake_totals(report, rel), billed_totals(REAL[rel])
            assert set(got) == set(expected), rel
            assert all(abs(got[k] - v) < Decimal("1e-8") for k, v in expected.items()), rel


def test_marts_reconcile_per_provider_period_currency_to_the_reference(together):
    _, con = together
    expected: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for rel, path in REAL.items():
        if rel in QUARANTINED or rel in AMORTIZED:  # the actual-cost export is the invoice
            continue
        provider = rel.split("/")[0]
        if provider == "focus":  # FOCUS rows name their provider
            for key, v in focus_totals_by_provider(path).items():
                expected[key] += v
            continue
        for (period, currency), v in billed_totals(path).items():
            expected[(provider, period, currency)] += v
    rows = con.execute(
        """select provider, billing_period, billing_currency, raw_billed_cost, focus_billed_cost,
                  daily_billed_cost, is_reconciled
           from marts.fct_reconciliation"""
    ).fetchall()
    got = {(r[0], r[1], r[2]): r for r in rows}
    assert set(got) == set(expected)
    for key, value in expected.items():
        _, _, _, raw, focus, daily, ok = got[key]
        assert ok, key
        assert abs(raw - value) < Decimal("1e-8"), (key, raw, value)
        assert round(focus, 2) == round(value, 2) and round(daily, 2) == round(value, 2), key


def test_account_ids_are_kept_exactly_as_exported(together):
    _, con = together
    ids = {
        r[0]
        for r in con.execute(
            "select distinct billing_account_id from marts.fct_charges where provider = 'aws'"
        ).fetchall()
    }
    # a 13-digit id is never cut to 12; a 12-digit id keeps its digits
    assert {"9999999999998", "123412340534"} <= ids


def test_cost_categories_and_provider_columns_survive(together):
    _, con = together
    tags = con.execute(
        """select tags_json from marts.fct_charges
           where source_file = 'aws/November-2023-None.csv' and tags_json like '%Ninja%'"""
    ).fetchone()[0]
    assert '"cost_category/Organization":"Ninja"' in tags
    ext = con.execute(
        """select extension_columns_json from marts.fct_charges
           where source = 'focus' and extension_columns_json is not null limit 1"""
    ).fetchone()[0]
    assert ext.startswith("{") and "x_" in ext
    oci_tags = con.execute(
        "select tags_json from marts.fct_charges where provider = 'oci' and tags_json like '%CreatedBy%' limit 1"
    ).fetchone()[0]
    assert "Oracle-Tags.CreatedBy" in oci_tags


def test_focus_output_keeps_focus_input_values(together):
    _, con = together
    n, billed = con.execute(
        "select count(*), sum(billed_cost) from marts.fct_charges where source = 'focus'"
    ).fetchone()
    expected = sum(
        (
            v
            for rel, p in REAL.items()
            if rel.startswith("focus/") and rel not in QUARANTINED
            for v in billed_totals(p).values()
        ),
        Decimal(0),
    )
    assert n > 0 and abs(billed - expected) < Decimal("1e-8")
    # and focus_charges re-emits every charge with its billed cost
    total_focus, total_charges = con.execute(
        """select (select sum("BilledCost") from marts.focus_charges),
                  (select sum(billed_cost) from marts.fct_charges)"""
    ).fetchone()
    assert total_focus == total_charges


def test_ingest_files_mart_has_one_row_per_file_with_its_status_and_reason(together):
    report, con = together
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "select relative_path, status, reason, row_count, billed_total from marts.fct_ingest_files"
        ).fetchall()
    }
    for f in report.files:
        status, reason, n, billed = rows[f.rel]
        assert status == f.status and n == f.rows, f.rel
        if f.status == "quarantined":
            assert reason == f.reason
        else:
            assert Decimal(f.billed_total) == billed


def test_data_quality_names_every_quarantined_file_and_partial_period(together):
    _, con = together
    rows = con.execute(
        "select rule, severity, relative_path, detail from marts.fct_data_quality"
    ).fetchall()
    files = {r[2]: r[3] for r in rows if r[0] == "file_quarantined"}
    for rel, reason in QUARANTINED.items():
        assert reason in files[rel], rel
    assert not [r for r in rows if r[0] == "not_reconciled"]
    assert all(r[1] == "info" for r in rows if r[0] == "partial_export")
