"""Deterministic sample billing exports for AWS, GCP and Azure in their delivery formats.

``generate(out_dir, end_date=..., months=13, seed=42)`` writes, under ``out_dir``:

- ``aws/cur2/``  — CUR 2.0 Data Export (parquet, map columns, BILLING_PERIOD partitions, manifest)
- ``gcp/billing_export/`` — BigQuery detailed billing export extracted to parquet or JSONL.gz
- ``azure/exports/`` — EA cost-details actual and amortized CSV exports with manifests
- ``_meta/anomalies.json`` — the injected cost anomalies (ground truth for detection)

The same seed and arguments always produce the same files.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.samples import aws, azure, gcp
from ingest.samples.common import Anomaly, Resources, months_ending
from ingest.samples.org import load_org

log = logging.getLogger(__name__)

DEFAULT_RESOURCES = {"aws": 170, "gcp": 70, "azure": 60}


@dataclass
class GenerationSummary:
    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


def _pick_anomaly_resource(
    res: Resources, template_pred: list[bool], rng: np.random.Generator, total_days: int
) -> int:
    candidates = [
        i
        for i in range(len(res))
        if template_pred[int(res.template[i])]
        and res.tags[i]
        and not res.flags.get("sp", np.zeros(len(res), bool))[i]
    ]
    idx = candidates[int(rng.integers(len(candidates)))] if candidates else 0
    res.start_day[idx] = 0
    res.end_day[idx] = total_days - 1
    return idx


def generate(
    out_dir: Path,
    *,
    end_date: dt.date | None = None,
    months: int = 13,
    seed: int = 42,
    aws_rows: int | None = None,
    providers: tuple[str, ...] = ("aws", "gcp", "azure"),
    gcp_format: str = "parquet",
    scale: float = 1.0,
) -> GenerationSummary:
    """Write sample exports. ``aws_rows`` sizes the CUR to about that many line items (bench)."""
    end_date = end_date or (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cal = months_ending(end_date, months)
    first_day = cal[0].start
    total_days = (end_date - first_day).days + 1
    org = load_org()
    summary = GenerationSummary(out_dir=out_dir, periods=[m.key for m in cal])
    day0s = np.cumsum([0] + [m.days for m in cal[:-1]])

    def rel(days_before_end: int) -> dt.date:
        return end_date - dt.timedelta(days=days_before_end)

    if "aws" in providers:
        rng = np.random.default_rng([seed, 1])
        n = (
            DEFAULT_RESOURCES["aws"]
            if aws_rows is None
            else max(20, math.ceil(aws_rows / (total_days * 0.996)))
        )
        n = max(20, int(n * scale)) if aws_rows is None else n
        res, products = aws.build_resources(rng, org, n, total_days)
        anomalies = []
        for pred, start, end, mult, desc in (
            (
                [t.product_code == "AmazonBedrock" for t in aws.TEMPLATES],
                45,
                43,
                8.0,
                "LLM token usage spike after a prompt-loop bug",
            ),
            (
                [t.product_code == "AWSDataTransfer" for t in aws.TEMPLATES],
                110,
                109,
                10.0,
                "Data transfer out spike (misconfigured CDN origin)",
            ),
        ):
            idx = _pick_anomaly_resource(res, pred, rng, total_days)
            an = Anomaly(
                "aws",
                res.team[idx],
                res.account[idx],
                aws.TEMPLATES[res.template[idx]].product_name,
                res.ids[idx],
                rel(start),
                rel(end),
                mult,
                desc,
            )
            anomalies.append((idx, an))
        covered_eff = (res.base_qty * 24 * np.array([t.rate for t in aws.TEMPLATES])[res.template])[
            res.flags["sp"]
        ]
        sp_commit = (
            round(float(covered_eff.sum()) * (1 - aws.SP_DISCOUNT) * 1.04, 6)
            if covered_eff.size
            else 0.0
        )
        rows = files = 0
        for month, day0 in zip(cal, day0s, strict=True):
            tables = aws.month_tables(
                rng, org, res, products, month, int(day0), first_day, anomalies, sp_commit
            )
            written, n = aws.write_month(
                out_dir / "aws" / "cur2", month, tables, max_rows_per_file=500_000
            )
            rows += n
            files += len(written)
            log.info("aws %s: %d line items", month.key, n)
        summary.rows["aws"], summary.files["aws"] = rows, files
        summary.anomalies += [a for _, a in anomalies]

    if "gcp" in providers:
        rng = np.random.default_rng([seed, 2])
        res = gcp.build_resources(
            rng, org, max(10, int(DEFAULT_RESOURCES["gcp"] * scale)), total_days
        )
        idx = _pick_anomaly_resource(
            res, [t.sku_id == "BQ-ANALYSIS" for t in gcp.TEMPLATES], rng, total_days
        )
        an = Anomaly(
            "gcp",
            res.team[idx],
            res.account[idx],
            "BigQuery",
            res.ids[idx],
            rel(75),
            rel(75),
            12.0,
            "Runaway BigQuery analysis job (full table scans)",
        )
        rows = files = 0
        for month, day0 in zip(cal, day0s, strict=True):
            table = gcp.month_rows(rng, org, res, month, int(day0), first_day, [(idx, an)])
            gcp.write_month(out_dir / "gcp" / "billing_export", month, table, gcp_format)
            rows += table.num_rows
            files += 1
        summary.rows["gcp"], summary.files["gcp"] = rows, files
        summary.anomalies.append(an)

    if "azure" in providers:
        rng = np.random.default_rng([seed, 3])
        res = azure.build_resources(
            rng, org, max(10, int(DEFAULT_RESOURCES["azure"] * scale)), total_days
        )
        idx = _pick_anomaly_resource(
            res, [t.category == "Log Analytics" for t in azure.TEMPLATES], rng, total_days
        )
        an = Anomaly(
            "azure",
            res.team[idx],
            res.account[idx],
            "Log Analytics",
            res.ids[idx],
            rel(20),
            end_date,
            2.5,
            "Level shift: verbose debug logging left on in production",
        )
        rows = files = 0
        for month, day0 in zip(cal, day0s, strict=True):
            actual, amortized = azure.month_rows(
                rng, org, res, month, int(day0), first_day, [(idx, an)]
            )
            root = out_dir / "azure" / "exports"
            azure.write_month(root, "sibyl-ea-actual", "ActualCost", month, actual)
            azure.write_month(root, "sibyl-ea-amortized", "AmortizedCost", month, amortized)
            rows += len(actual) + len(amortized)
            files += 2
        summary.rows["azure"], summary.files["azure"] = rows, files
        summary.anomalies.append(an)

    (out_dir / "_meta").mkdir(exist_ok=True)
    (out_dir / "_meta" / "anomalies.json").write_text(
        json.dumps(
            {
                "seed": seed,
                "end_date": end_date.isoformat(),
                "anomalies": [a.as_dict() for a in summary.anomalies],
            },
            indent=1,
        )
    )
    if "oci" in providers:
        from ingest.samples import oci

        teams = sorted({t.team_id for t in org.teams})
        summary.rows["oci"], summary.files["oci"] = oci.write_cost_reports(
            out_dir, cal, seed, teams[:6] or ["platform"]
        )

    return summary
