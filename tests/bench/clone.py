"""A fast way to a large bench landing: copy one generated CUR 2.0 month to earlier months.

The sample generator costs ~30 CPU-s per million line items (it builds every row in Python-side
Arrow tables), so a 100M-row landing would take ~50 CPU-minutes before the pipeline starts.
Cloning reads a generated month's Parquet parts and writes each as the same resources' line items
for an earlier billing period: usage and billing-period timestamps move by whole months (days
past the end of a shorter month land on its last day, as DuckDB's month arithmetic clamps),
line item ids and the time interval are re-derived for the new period, and the export's
Manifest.json is rewritten for it. Costs and usage stay as generated: it is a volume bench, not a
realistic year (the same resources every month is what a real account looks like anyway).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from ingest.samples.aws import EXPORT_NAME

_TS = "'%Y-%m-%dT%H:%M:%S.000Z'"


def _month_index(period: str) -> int:
    """Months since year 0 of a billing period (YYYY-MM)."""
    y, m = (int(x) for x in period.split("-"))
    return y * 12 + (m - 1)


def shift_period(period: str, months: int) -> str:
    """The billing period (YYYY-MM) ``months`` after ``period`` (before it when negative)."""
    index = _month_index(period) + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def _months_between(src: str, dst: str) -> int:
    return _month_index(src) - _month_index(dst)


def clone_period(cur2_root: Path, src: str, dst: str) -> int:
    """Write billing period ``dst`` (YYYY-MM, earlier than ``src``) of the CUR 2.0 export under
    ``cur2_root`` as a shifted copy of ``src``. Returns the rows written."""
    back = _months_between(src, dst)
    if back <= 0:
        raise ValueError(f"clone target {dst} must be earlier than {src}")
    src_data = cur2_root / EXPORT_NAME / "data" / f"BILLING_PERIOD={src}"
    dst_data = cur2_root / EXPORT_NAME / "data" / f"BILLING_PERIOD={dst}"
    dst_data.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set threads = 2")
    rows = 0
    names: list[str] = []
    for part in sorted(src_data.glob("*.parquet")):
        schema = pq.read_schema(part)
        # only literals and bind parameters below; the file path is bound too
        table = con.sql(
            f"""
            select * replace (
                line_item_usage_start_date - to_months({back}) as line_item_usage_start_date,
                line_item_usage_end_date - to_months({back}) as line_item_usage_end_date,
                bill_billing_period_start_date - to_months({back})
                    as bill_billing_period_start_date,
                bill_billing_period_end_date - to_months({back}) as bill_billing_period_end_date,
                case when starts_with(identity_line_item_id, $src)
                     then $dst || substr(identity_line_item_id, 8)
                     else identity_line_item_id || '@' || $dst end as identity_line_item_id,
                strftime(line_item_usage_start_date - to_months({back}), {_TS}) || '/'
                    || strftime(line_item_usage_end_date - to_months({back}), {_TS})
                    as identity_time_interval
            )
            from read_parquet($path, hive_partitioning = false)
            """,  # noqa: S608 -- `back` is an int and _TS a constant; values are bound
            params={"src": src, "dst": dst, "path": str(part)},
        ).to_arrow_table()
        pq.write_table(
            table.select(schema.names).cast(schema), dst_data / part.name, compression="snappy"
        )
        rows += table.num_rows
        names.append(part.name)
    con.close()
    src_meta = cur2_root / EXPORT_NAME / "metadata" / f"BILLING_PERIOD={src}"
    dst_meta = cur2_root / EXPORT_NAME / "metadata" / f"BILLING_PERIOD={dst}"
    dst_meta.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((src_meta / f"{EXPORT_NAME}-Manifest.json").read_text())
    nxt = shift_period(dst, 1)
    manifest["executionId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{EXPORT_NAME}/{dst}"))
    manifest["billingPeriod"] = {
        "start": f"{dst}-01T00:00:00.000Z",
        "end": f"{nxt}-01T00:00:00.000Z",
    }
    manifest["dataFiles"] = [
        f"s3://sibyl-billing/cur2/{EXPORT_NAME}/data/BILLING_PERIOD={dst}/{n}" for n in names
    ]
    (dst_meta / f"{EXPORT_NAME}-Manifest.json").write_text(json.dumps(manifest, indent=1))
    return rows


def earlier_periods(last: str, count: int) -> list[str]:
    """The ``count`` billing periods before ``last`` (YYYY-MM), newest first."""
    return [shift_period(last, -k) for k in range(1, count + 1)]
