"""Parsers for utilization metric exports, one per real format, into one long row shape.

Row (one data point): ``provider, resource_id, resource_name, metric, raw_metric, statistic,
timestamp (UTC), value, unit, source_format``. ``metric`` is canonical where we know the provider's
name for it (``cpu_utilization`` in percent 0-100 everywhere — GCP's fraction is scaled —,
``memory_utilization`` percent, ``network_in_bytes``, ``network_out_bytes``, ``disk_read_bytes``,
``disk_write_bytes``, ``connection_count``, ``request_count``); other metrics keep their raw name,
lower-cased.

Formats:
- CloudWatch ``GetMetricData`` response JSON. The response names results by query ``Id`` only, so
  the resource comes from the queries: a ``MetricDataQueries`` list in the same document (what
  ``--cli-input-json`` plus the output gives) or a sidecar ``<stem>.queries.json`` holding the
  list. An expression result belongs to a resource when every metric it may read is on that one
  resource.
- CSV, long: ``timestamp, resource_id, metric, value`` (+ optional ``unit, statistic, provider,
  resource_name``), header names matched case-insensitively with common aliases.
- Azure Monitor metrics JSON (REST ``metrics/list`` or ``az monitor metrics list``): ``value[]``
  with ``id``, ``name.value``, ``unit``, ``timeseries[].data[]`` of ``timeStamp`` and aggregations.
- GCP Cloud Monitoring ``projects.timeSeries.list`` JSON: ``timeSeries[]`` with ``metric.type``,
  ``resource.labels``, ``points[].interval.endTime`` and ``value.doubleValue|int64Value``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ingest.metrics.azure_monitor import parse_azure
from ingest.metrics.cloudwatch import parse_cloudwatch
from ingest.metrics.gcp_monitoring import parse_gcp
from ingest.metrics.long_csv import parse_csv
from ingest.metrics.points import MAX_FILE_BYTES, MAX_POINTS, MetricPoint, MetricsFormatError

__all__ = [
    "FORMATS",
    "MetricPoint",
    "MetricsFormatError",
    "as_columns",
    "detect_format",
    "parse_bytes",
]

FORMATS = ("cloudwatch_get_metric_data", "metrics_csv", "azure_monitor_json", "gcp_timeseries_json")


def detect_format(name: str, data: bytes) -> str:
    """Which format a file holds, from its name and a look at its structure."""
    lname = name.lower()
    if lname.endswith(".csv"):
        return "metrics_csv"
    if not lname.endswith(".json"):
        raise MetricsFormatError("not a metrics file (expected .json or .csv)")
    doc = _load_json(data)
    if "MetricDataResults" in doc:
        return "cloudwatch_get_metric_data"
    if "timeSeries" in doc:
        return "gcp_timeseries_json"
    if isinstance(doc.get("value"), list):
        return "azure_monitor_json"
    raise MetricsFormatError(
        "unknown metrics JSON: expected MetricDataResults (CloudWatch), value[] (Azure Monitor) "
        "or timeSeries[] (GCP Cloud Monitoring)"
    )


def _load_json(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetricsFormatError(f"not valid UTF-8 JSON ({type(exc).__name__})") from exc
    if not isinstance(doc, dict):
        raise MetricsFormatError("metrics JSON must be an object at the top level")
    return doc


def parse_bytes(
    name: str, data: bytes, sidecar_queries: bytes | None = None
) -> tuple[str, list[MetricPoint]]:
    """Detect and parse one metrics file; returns (format, points). Raises MetricsFormatError."""
    if len(data) > MAX_FILE_BYTES:
        raise MetricsFormatError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    fmt = detect_format(name, data)
    if fmt == "metrics_csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MetricsFormatError("metrics CSV is not UTF-8") from exc
        points = parse_csv(text)
    else:
        doc = _load_json(data)
        if fmt == "cloudwatch_get_metric_data":
            queries = None
            if sidecar_queries is not None:
                loaded = json.loads(sidecar_queries.decode("utf-8-sig"))
                queries = loaded.get("MetricDataQueries") if isinstance(loaded, dict) else loaded
                if not isinstance(queries, list):
                    raise MetricsFormatError("queries sidecar is not a list of MetricDataQueries")
            points = parse_cloudwatch(doc, queries)
        elif fmt == "gcp_timeseries_json":
            points = parse_gcp(doc)
        else:
            points = parse_azure(doc)
    if len(points) > MAX_POINTS:
        raise MetricsFormatError(f"more than {MAX_POINTS} data points in one file")
    return fmt, points


def as_columns(points: Iterable[MetricPoint]) -> dict[str, list[Any]]:
    """Column lists (for a pyarrow table) in the lake's column order."""
    cols: dict[str, list[Any]] = {k: [] for k in MetricPoint.__dataclass_fields__}
    for p in points:
        for k in cols:
            cols[k].append(getattr(p, k))
    return cols
