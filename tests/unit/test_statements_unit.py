"""Statements' plain parts: month checks, the schedule's partition, escaping, the Dagster wiring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import dagster as dg
import pytest

from app.statements.data import Statement, StatementError, check_month, previous
from app.statements.render import lines, to_csv, to_html
from orchestration.defs.reports.assets import previous_month_key


def test_months() -> None:
    assert previous("2026-01") == "2025-12" and check_month("2026-09") == "2026-09"
    for bad in ("2026-9", "2026-13", "26-09", "2026-09-01", "x"):
        with pytest.raises(StatementError):
            check_month(bad)
    assert previous_month_key(dt.date(2026, 10, 5)) == "2026-09-01"
    assert previous_month_key(dt.date(2027, 1, 5)) == "2026-12-01"


def stmt(key: str = "pay<ments>") -> Statement:
    return Statement(
        kind="team", key=key, month="2026-09", currency="USD", total=Decimal("10.005"),
        previous_total=Decimal("4"), by_service=[("aws", "EC2 <b>", Decimal("7.005"))],
        allocated=[("dns", "even", Decimal("3"))], credits=Decimal("-1"), taxes=Decimal("0.5"),
        budget=None, invoice_total=Decimal("20"), raw_invoice_total=Decimal("20"),
    )  # fmt: skip


def test_values_are_escaped_and_money_rounded_to_the_cent() -> None:
    page = to_html(stmt(), "c.png")
    assert "EC2 <b>" not in page and "pay<ments>" not in page
    assert "pay&lt;ments&gt;" in page and "EC2 &lt;b&gt;" in page
    csv_text = to_csv(stmt())
    assert "total,Total billed,,10.00,USD" in csv_text  # banker's rounding of 10.005
    assert stmt().slug == "team-pay_ments_-USD"
    assert ("month_over_month", "Change", "", Decimal("6.005")) in lines(stmt())


def test_the_statements_asset_is_monthly_and_after_the_published_marts() -> None:
    from orchestration.definitions import defs

    with dg.instance_for_test():  # the definitions function may look at the current instance
        graph = defs().resolve_asset_graph()
    node = graph.get(dg.AssetKey(["reports", "monthly_statements"]))
    part = node.partitions_def  # the ingest assets' billing periods
    assert isinstance(part, dg.DynamicPartitionsDefinition) and part.name == "billing_period"
    assert dg.AssetKey(["marts", "published_marts"]) in node.parent_keys


def test_summary_splits_direct_and_allocated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    from app.statements.summary import allocation_lines

    con = duckdb.connect()
    con.execute(f"""copy (select * from (values
        (date '2026-09-01', 'USD', 'tag', '', 100.00),
        (date '2026-10-01', 'USD', 'tag', '', 10.50),
        (date '2026-10-01', 'USD', 'allocation_rule', 'dns', 2.25),
        (date '2026-10-01', 'USD', 'allocation_rule', 'dns', 0.75))
        t(billing_period, billing_currency, attribution_method, allocation_rule_id, billed_cost))
        to '{tmp_path / "fct_allocated_costs_monthly.parquet"}' (format parquet)""")
    con.close()
    text = "\n".join(allocation_lines(str(tmp_path)))
    assert "2026-10" in text and "10.50 USD" in text and "3.00 USD" in text
    assert "100.00" not in text
    assert allocation_lines(str(tmp_path / "none")) == []
