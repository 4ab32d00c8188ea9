"""AWS Cost Optimization Hub exports into the inbox. The file here is built with the export's
documented column list (AWS Data Exports, "Cost optimization recommendations" table), not a real
delivery: no public sample file was found."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from models_ml.savings.provider_recs import (
    ProviderRecommendationError,
    coh_opportunities,
    landing_files,
    read_cost_optimization_hub,
)

COLUMNS = [
    "account_id", "action_type", "currency_code", "current_resource_details", "current_resource_summary",
    "current_resource_type", "estimated_monthly_cost_after_discount", "estimated_monthly_cost_before_discount",
    "estimated_monthly_savings_after_discount", "estimated_monthly_savings_before_discount",
    "estimated_savings_percentage_after_discount", "estimated_savings_percentage_before_discount",
    "implementation_effort", "last_refresh_timestamp", "recommendation_id", "recommendation_lookback_period_in_days",
    "recommendation_source", "recommended_resource_details", "recommended_resource_summary",
    "recommended_resource_type", "region", "resource_arn", "resource_id", "restart_needed", "rollback_possible", "tags",
]  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})


def test_export_rows_become_opportunities(tmp_path: Path) -> None:
    f = tmp_path / "recommendations" / "aws" / "coh" / "part-0.csv"
    _write(f, [
        {"action_type": "Rightsize", "recommendation_id": "r1", "resource_id": "i-0abc",
         "resource_arn": "arn:aws:ec2:us-east-1:111:instance/i-0abc", "estimated_monthly_savings_after_discount": "61.32",
         "current_resource_type": "Ec2Instance", "recommended_resource_summary": "m5.large", "region": "us-east-1"},
        {"action_type": "Stop", "recommendation_id": "r2", "resource_id": "i-0def", "estimated_monthly_savings_after_discount": "140.16"},
        {"action_type": "PurchaseSavingsPlans", "recommendation_id": "r3", "resource_id": "111",
         "estimated_monthly_savings_after_discount": "512.004"},
        {"action_type": "Delete", "recommendation_id": "r4", "resource_id": "vol-1", "estimated_monthly_savings_after_discount": "0"},
    ])  # fmt: skip
    files = landing_files(str(tmp_path))
    assert files == [f]
    opps = coh_opportunities(read_cost_optimization_hub(files), {"i-0abc": "payments"})
    got = {(o.resource_id, o.kind, o.team_id, o.monthly_savings) for o in opps}
    assert got == {
        ("i-0abc", "rightsize", "payments", Decimal("61.32")),
        ("i-0def", "idle", "unallocated", Decimal("140.16")),
        ("111", "purchase", "unallocated", Decimal("512.00")),
    }  # the zero-saving Delete is not listed
    assert all(o.evidence["source"].startswith("AWS Cost Optimization Hub") for o in opps)


def test_a_file_that_is_not_an_export_is_named(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(
        ProviderRecommendationError, match="x.csv: not a Cost Optimization Hub export"
    ):
        read_cost_optimization_hub([f])
