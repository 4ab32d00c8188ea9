"""GCP Cloud Monitoring ``projects.timeSeries.list`` JSON."""

from __future__ import annotations

from typing import Any

from ingest.metrics.points import (
    MetricPoint,
    MetricsFormatError,
    canonical,
    number,
    parse_timestamp,
)

GCP_METRICS = {
    "compute.googleapis.com/instance/cpu/utilization": ("cpu_utilization", 100.0),
    "agent.googleapis.com/memory/percent_used": ("memory_utilization", 1.0),
    "compute.googleapis.com/instance/network/received_bytes_count": ("network_in_bytes", 1.0),
    "compute.googleapis.com/instance/network/sent_bytes_count": ("network_out_bytes", 1.0),
    "compute.googleapis.com/instance/disk/read_bytes_count": ("disk_read_bytes", 1.0),
    "compute.googleapis.com/instance/disk/write_bytes_count": ("disk_write_bytes", 1.0),
    "cloudsql.googleapis.com/database/cpu/utilization": ("cpu_utilization", 100.0),
    "cloudsql.googleapis.com/database/memory/utilization": ("memory_utilization", 100.0),
}


def parse_gcp(doc: dict[str, Any]) -> list[MetricPoint]:
    series_list = doc.get("timeSeries")
    if not isinstance(series_list, list):
        raise MetricsFormatError("GCP timeSeries: no 'timeSeries' list")
    points: list[MetricPoint] = []
    for i, s in enumerate(series_list):
        where = f"timeSeries[{i}]"
        if not isinstance(s, dict):
            raise MetricsFormatError(f"{where}: not an object")
        mtype = str((s.get("metric") or {}).get("type") or "")
        labels = (s.get("resource") or {}).get("labels") or {}
        mlabels = (s.get("metric") or {}).get("labels") or {}
        resource = (
            labels.get("instance_id") or labels.get("database_id") or labels.get("resource_id")
        )
        if not mtype or not resource:
            raise MetricsFormatError(f"{where}: metric.type or a resource id label is missing")
        name, scale = canonical(GCP_METRICS, mtype)
        unit = s.get("unit")
        for j, p in enumerate(s.get("points") or []):
            pw = f"{where}.points[{j}]"
            interval = (p or {}).get("interval") or {}
            value = (p or {}).get("value") or {}
            raw_v = value.get("doubleValue", value.get("int64Value"))
            num = number(raw_v, pw)
            if num is None:
                continue
            points.append(
                MetricPoint(
                    "gcp", str(resource), mlabels.get("instance_name"), name, mtype,
                    str(s.get("metricKind") or "gauge").lower(),
                    parse_timestamp(interval.get("endTime") or interval.get("startTime"), pw),
                    num * scale, unit, "gcp_timeseries_json",
                )
            )  # fmt: skip
    return points
