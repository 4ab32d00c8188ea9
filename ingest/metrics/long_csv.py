"""Long CSV: ``timestamp, resource_id, metric, value`` (+ unit, statistic, provider, resource_name)."""

from __future__ import annotations

import csv
import io

from ingest.metrics.azure_monitor import AZURE_METRICS
from ingest.metrics.cloudwatch import CLOUDWATCH_METRICS
from ingest.metrics.gcp_monitoring import GCP_METRICS
from ingest.metrics.points import (
    MetricPoint,
    MetricsFormatError,
    canonical,
    number,
    parse_timestamp,
)

CSV_ALIASES = {
    "timestamp": ("timestamp", "time", "datetime", "timestamp (utc)", "date"),
    "resource_id": ("resource_id", "resourceid", "instanceid", "instance_id", "resource"),
    "metric": ("metric", "metricname", "metric_name", "name"),
    "value": ("value", "average", "maximum", "val"),
    "unit": ("unit", "units"),
    "statistic": ("statistic", "stat", "aggregation"),
    "provider": ("provider", "cloud"),
    "resource_name": ("resource_name", "resourcename", "instance_name"),
}


def parse_csv(text: str) -> list[MetricPoint]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        raise MetricsFormatError("metrics CSV: empty file")
    lower = [h.strip().lower() for h in header]
    cols: dict[str, int] = {}
    for key, aliases in CSV_ALIASES.items():
        for a in aliases:
            if a in lower:
                cols[key] = lower.index(a)
                break
    missing = [k for k in ("timestamp", "resource_id", "metric", "value") if k not in cols]
    if missing:
        raise MetricsFormatError(f"metrics CSV: missing column(s) {', '.join(missing)}")
    points: list[MetricPoint] = []
    for n, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) < len(header):
            raise MetricsFormatError(
                f"metrics CSV line {n}: {len(row)} fields, header has {len(header)}"
            )
        where = f"metrics CSV line {n}"
        num = number(row[cols["value"]], where)
        if num is None:
            continue
        provider = row[cols["provider"]].strip().lower() if "provider" in cols else ""
        resource = row[cols["resource_id"]].strip()
        if not resource:
            raise MetricsFormatError(f"{where}: empty resource id")
        provider = provider or _guess_provider(resource)
        raw = row[cols["metric"]].strip()
        table = {"aws": CLOUDWATCH_METRICS, "azure": AZURE_METRICS, "gcp": GCP_METRICS}.get(
            provider, {}
        )
        name, scale = canonical(table, raw)
        points.append(
            MetricPoint(
                provider, resource.lower() if provider == "azure" else resource,
                row[cols["resource_name"]].strip() or None if "resource_name" in cols else None,
                name, raw, row[cols["statistic"]].strip().lower() if "statistic" in cols else "average",
                parse_timestamp(row[cols["timestamp"]], where), num * scale,
                row[cols["unit"]].strip() or None if "unit" in cols else None, "metrics_csv",
            )
        )  # fmt: skip
    return points


def _guess_provider(resource: str) -> str:
    if resource.lower().startswith("/subscriptions/"):
        return "azure"
    if resource.startswith(("i-", "vol-", "nat-", "arn:aws")):
        return "aws"
    if resource.isdigit():
        return "gcp"
    return "unknown"
