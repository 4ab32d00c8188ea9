"""Billing-period partitions follow the data: registered per period found, kept in order."""

import dagster as dg
import pytest

from orchestration.defs.partitions import (
    BILLING_PERIOD,
    is_period,
    key_of,
    new_keys,
    period_of,
    register_periods,
)


def test_keys_and_periods_round_trip_and_reject_anything_else():
    assert key_of("2025-11") == "2025-11-01" and period_of("2025-11-01") == "2025-11"
    for bad in ("", "2025-13", "2025-1", "25-11", "2025-11-01", "../2025-11", "2025-11;drop"):
        assert not is_period(bad)
        with pytest.raises(ValueError, match="billing period"):
            key_of(bad)


def test_new_keys_are_sorted_new_and_valid_only():
    assert new_keys(["2025-12", "2025-10", "", "junk", "2025-11"], ["2025-11-01"]) == [
        "2025-10-01",
        "2025-12-01",
    ]


def test_register_periods_starts_at_the_data_and_keeps_calendar_order():
    instance = dg.DagsterInstance.ephemeral()
    assert register_periods(instance, ["2025-11", "2025-10"]) == ["2025-10-01", "2025-11-01"]
    register_periods(instance, ["2025-12"])  # appended
    assert list(instance.get_dynamic_partitions(BILLING_PERIOD)) == [
        "2025-10-01",
        "2025-11-01",
        "2025-12-01",
    ]
    register_periods(instance, ["2025-08", "2025-11"])  # an older month arrives late
    assert list(instance.get_dynamic_partitions(BILLING_PERIOD)) == [
        "2025-08-01",
        "2025-10-01",
        "2025-11-01",
        "2025-12-01",
    ]
    # nothing before the first period with data
    assert "2022-01-01" not in instance.get_dynamic_partitions(BILLING_PERIOD)


def test_re_sorting_keeps_what_was_materialized():
    key = dg.AssetKey(["lake", "raw_aws_billing"])
    instance = dg.DagsterInstance.ephemeral()
    register_periods(instance, ["2025-10"])
    instance.report_runless_asset_event(dg.AssetMaterialization(key, partition="2025-10-01"))
    register_periods(instance, ["2025-08"])  # re-added in calendar order
    assert list(instance.get_dynamic_partitions(BILLING_PERIOD)) == ["2025-08-01", "2025-10-01"]
    assert instance.get_materialized_partitions(key) == {"2025-10-01"}
