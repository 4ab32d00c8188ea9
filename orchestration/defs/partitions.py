"""Billing-period partitions shared by the ingest assets (keys: YYYY-MM-01).

Dynamic partitions: a billing period exists once export files for it have landed (the export
sensor, the daily schedule and `sibyl demo` register them), so the partitions start where the
data starts instead of at a fixed date with every earlier month shown as "missing".
"""

import re
from collections.abc import Iterable

import dagster as dg

BILLING_PERIOD = "billing_period"
billing_periods = dg.DynamicPartitionsDefinition(name=BILLING_PERIOD)

_PERIOD = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")


def period_of(partition_key: str) -> str:
    """Partition key YYYY-MM-01 -> billing period YYYY-MM."""
    return partition_key[:7]


def is_period(value: str) -> bool:
    """A billing period YYYY-MM (the empty "unknown period" and anything else are not)."""
    return bool(_PERIOD.match(value))


def key_of(period: str) -> str:
    """Billing period YYYY-MM -> partition key YYYY-MM-01 (ValueError for anything else)."""
    if not is_period(period):
        raise ValueError(f"not a billing period (YYYY-MM): {period[:20]!r}")
    return f"{period}-01"


def new_keys(periods: Iterable[str], existing: Iterable[str]) -> list[str]:
    """Sorted partition keys of the valid billing periods not registered yet."""
    have = set(existing)
    return sorted({key_of(p) for p in periods if is_period(p)} - have)


def register_periods(instance: dg.DagsterInstance, periods: Iterable[str]) -> list[str]:
    """Register the billing periods as partitions, keeping them in calendar order; the keys.

    Dynamic partitions are listed in the order they were added, and partition ranges follow
    that order. When an earlier month arrives after later ones, the set is re-added sorted
    (materializations are kept: they are recorded by key). For the in-process CLI runs only;
    sensors and schedules append (runs may be in flight there).
    """
    existing = list(instance.get_dynamic_partitions(BILLING_PERIOD))
    added = new_keys(periods, existing)
    if not added:
        return existing
    merged = sorted({*existing, *added})
    if existing and merged[: len(existing)] != existing:
        for key in existing:
            instance.delete_dynamic_partition(BILLING_PERIOD, key)
        instance.add_dynamic_partitions(BILLING_PERIOD, merged)
    else:
        instance.add_dynamic_partitions(BILLING_PERIOD, added)
    return merged
