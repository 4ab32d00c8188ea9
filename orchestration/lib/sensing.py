"""Decisions behind the export sensor and the dbt asset, as plain functions (unit-tested).

- ``changed_files``: which landing files are new or re-delivered since the sensor's cursor.
- ``partitions_for``: which (provider, billing period) partitions those files touch.
- ``rebuild_periods``, ``dbt_build_env``, ``dbt_build_args``: the dbt command and environment for
  a set of changed billing periods.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

from ingest.fs import RemoteFile
from ingest.pipeline import SOURCES, path_period_and_dataset


def changed_files(files: Iterable[RemoteFile], cursor: str | None) -> tuple[list[RemoteFile], str]:
    """Files whose fingerprint differs from the cursor (JSON rel -> fingerprint); new cursor."""
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    current = {f.rel: f.fingerprint for f in files}
    changed = [f for f in files if seen.get(f.rel) != f.fingerprint]
    return changed, json.dumps(current, sort_keys=True)


def provider_hint(rel: str) -> str | None:
    """Provider from the delivery path when the layout names it (aws/…, gcp/…, azure/…)."""
    low = rel.lower()
    for p in SOURCES:
        if low.startswith(f"{p}/") or f"/{p}/" in low:
            return p
    if "cur" in low.split("/")[0] or "bcm-data-exports" in low:
        return "aws"
    if "billing_export" in low or "gcp_billing" in low:
        return "gcp"
    return None


def partitions_for(
    files: Iterable[RemoteFile], catalog: dict[str, dict[str, object]]
) -> dict[str, set[str]]:
    """provider -> billing periods (YYYY-MM) to (re)ingest for these files.

    The period comes from the delivery path (BILLING_PERIOD=, yyyymmdd-yyyymmdd, invoice_month=)
    or from the landing catalog written by earlier ingest runs; the provider from the path or
    the catalog. A file the layout does not explain maps to every provider's partitions for
    its known periods; with no known period it is reported under the empty period "" so the
    caller can run a full ingest.
    """
    out: dict[str, set[str]] = {}
    for f in files:
        if f.rel.rsplit("/", 1)[-1].lower().endswith("manifest.json") or any(
            s.startswith((".", "_")) for s in f.rel.split("/")
        ):
            continue
        period, _ = path_period_and_dataset(f.rel)
        cached = catalog.get(f.rel, {})
        known: list[str] = list(cached.get("periods") or [])  # type: ignore[call-overload]
        periods = {period} if period else {str(p) for p in known}
        provider = provider_hint(f.rel) or cached.get("source") or cached.get("provider")
        providers = [str(provider)] if provider else list(SOURCES)
        for p in providers:
            out.setdefault(p, set()).update(periods or {""})
    return out


# dbt reads the billing periods to rebuild from this variable at execution time
# (macro rebuild_periods, dbt_project/macros/lake.sql): unlike --vars, it leaves dbt's partial
# parse valid, so a one-month rebuild does not re-parse the whole project.
REBUILD_PERIODS_ENV = "SIBYL_BILLING_PERIODS"
_PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def rebuild_periods(changed_periods: Iterable[str], has_fact_table: bool) -> list[str]:
    """Billing periods for an incremental build; empty means build everything.

    With no fact table yet (first build), no known period, or a period that is not YYYY-MM,
    everything is built.
    """
    periods = sorted({p for p in changed_periods if p})
    if not has_fact_table or any(not _PERIOD.fullmatch(p) for p in periods):
        return []
    return periods


def dbt_build_env(periods: Iterable[str]) -> dict[str, str]:
    """Environment of the dbt process: the periods to rebuild ("" = all), always set, so a
    value left in the environment by an earlier build never narrows a full one."""
    return {REBUILD_PERIODS_ENV: ",".join(periods)}


def dbt_build_args() -> list[str]:
    """``dbt build`` arguments (the periods go through ``dbt_build_env``, not ``--vars``)."""
    # dbt's unit tests pin the demo seeds as inputs: with the user's configuration they would
    # test the user's files against the demo's expectations
    extra = ["--exclude-resource-type", "unit_test"] if os.environ.get("SIBYL_CONFIG_DIR") else []
    return ["build", *extra]
