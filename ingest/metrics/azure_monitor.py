"""Azure Monitor metrics JSON (REST ``metrics/list``, ``az monitor metrics list``)."""

from __future__ import annotations

from typing import Any

from ingest.metrics.points import (
    MetricPoint,
    MetricsFormatError,
    canonical,
    number,
    parse_timestamp,
)

AZURE_METRICS = {
    "percentage cpu": ("cpu_utilization", 1.0),
    "cpupercentage": ("cpu_utilization", 1.0),
    "cpu_percent": ("cpu_utilization", 1.0),
    "memorypercentage": ("memory_utilization", 1.0),
    "memory_percent": ("memory_utilization", 1.0),
    "available memory percentage": ("memory_available_pct", 1.0),
    "available memory bytes": ("memory_available_bytes", 1.0),
    "network in total": ("network_in_bytes", 1.0),
    "network out total": ("network_out_bytes", 1.0),
    "disk read bytes": ("disk_read_bytes", 1.0),
    "disk write bytes": ("disk_write_bytes", 1.0),
    "connection_successful": ("connection_count", 1.0),
    "bytecount": ("network_bytes", 1.0),
    "requests": ("request_count", 1.0),
}
AZURE_AGGREGATIONS = ("average", "maximum", "minimum", "total", "count")


def parse_azure(doc: dict[str, Any]) -> list[MetricPoint]:
    metrics = doc.get("value")
    if not isinstance(metrics, list):
        raise MetricsFormatError("Azure Monitor metrics: no 'value' list")
    points: list[MetricPoint] = []
    for i, m in enumerate(metrics):
        where = f"value[{i}]"
        if not isinstance(m, dict):
            raise MetricsFormatError(f"{where}: not an object")
        metric_id = str(m.get("id") or "")
        resource = metric_id.split("/providers/Microsoft.Insights/metrics/", 1)[0]
        if not resource.startswith("/subscriptions/"):
            raise MetricsFormatError(f"{where}: id is not an Azure resource metric id")
        name_obj = m.get("name") or {}
        raw = str(name_obj.get("value") if isinstance(name_obj, dict) else name_obj)
        name, scale = canonical(AZURE_METRICS, raw)
        for k, series in enumerate(m.get("timeseries") or []):
            for j, point in enumerate((series or {}).get("data") or []):
                pw = f"{where}.timeseries[{k}].data[{j}]"
                ts = parse_timestamp(point.get("timeStamp"), pw)
                for agg in AZURE_AGGREGATIONS:
                    num = number(point.get(agg), f"{pw}.{agg}")
                    if num is None:
                        continue
                    points.append(
                        MetricPoint(
                            "azure", resource.lower(), resource.rsplit("/", 1)[-1], name, raw, agg, ts,
                            num * scale, m.get("unit"), "azure_monitor_json",
                        )
                    )  # fmt: skip
    return points
