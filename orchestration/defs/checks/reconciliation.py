"""Reconciliation check: the marts' billed cost equals the raw exports' to the cent."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ingest.warehouse import connect_read_only
from orchestration.defs.dbt.assets import sibyl_dbt_models
from orchestration.defs.resources import SibylSettings


@dg.asset_check(
    asset=get_asset_key_for_model([sibyl_dbt_models], "fct_reconciliation"),
    description="Per provider x billing period x currency, FOCUS and daily billed cost = raw export billed cost (to the cent).",
    blocking=True,
)
def billed_cost_reconciles(sibyl: SibylSettings) -> dg.AssetCheckResult:
    s = sibyl.resolved()
    con = connect_read_only(s.warehouse_path)
    try:
        rows = con.execute(
            "select provider, billing_period, billing_currency, raw_billed_cost, focus_billed_cost, "
            "daily_billed_cost, is_reconciled from marts.fct_reconciliation order by 1, 2, 3"
        ).fetchall()
    finally:
        con.close()
    bad = [r for r in rows if not r[6]]
    return dg.AssetCheckResult(
        passed=not bad and bool(rows),
        metadata={
            "partitions_checked": len(rows),
            "partitions_off": len(bad),
            "raw_billed_total": float(sum(r[3] for r in rows)),
            "marts_billed_total": float(sum(r[4] for r in rows)),
            "off": dg.MetadataValue.json(
                [
                    {
                        "provider": r[0],
                        "period": r[1],
                        "currency": r[2],
                        "raw": str(r[3]),
                        "focus": str(r[4]),
                        "daily": str(r[5]),
                    }
                    for r in bad
                ]
            ),
        },
    )
