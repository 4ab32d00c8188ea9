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

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_POINTS = 20_000_000

FORMATS = ("cloudwatch_get_metric_data", "metrics_csv", "azure_monitor_json", "gcp_timeseries_json")


class MetricsFormatError(ValueError):
    """A metrics file we cannot read; the message names the problem, never the file's content."""


@dataclass(frozen=True)
class MetricPoint:
    provider: str
    resource_id: str
    resource_name: str | None
    metric: str
    raw_metric: str
    statistic: str
    timestamp: dt.datetime
    value: float
    unit: str | None
    source_format: str


CLOUDWATCH_METRICS = {
    "cpuutilization": ("cpu_utilization", 1.0),
    "mem_used_percent": ("memory_utilization", 1.0),
    "memoryutilization": ("memory_utilization", 1.0),
    "networkin": ("network_in_bytes", 1.0),
    "networkout": ("network_out_bytes", 1.0),
    "diskreadbytes": ("disk_read_bytes", 1.0),
    "diskwritebytes": ("disk_write_bytes", 1.0),
    "ebsreadbytes": ("disk_read_bytes", 1.0),
    "ebswritebytes": ("disk_write_bytes", 1.0),
    "databaseconnections": ("connection_count", 1.0),
    "requestcount": ("request_count", 1.0),
    "activeconnectioncount": ("connection_count", 1.0),
    "activeflowcount": ("connection_count", 1.0),
    "bytesouttodestination": ("network_out_bytes", 1.0),
    "volumereadops": ("disk_read_ops", 1.0),
    "volumewriteops": ("disk_write_ops", 1.0),
}
CLOUDWATCH_RESOURCE_DIMENSIONS = (
    "InstanceId",
    "DBInstanceIdentifier",
    "VolumeId",
    "NatGatewayId",
    "LoadBalancer",
    "CacheClusterId",
    "FunctionName",
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


def _canonical(table: dict[str, tuple[str, float]], raw: str) -> tuple[str, float]:
    found = table.get(raw.strip().lower())
    return found if found else (raw.strip().lower(), 1.0)


def parse_timestamp(value: Any, where: str) -> dt.datetime:
    """An ISO-8601 timestamp (``Z`` or offset; naive means UTC) or epoch seconds, as UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise MetricsFormatError(f"{where}: timestamp is not a number")
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise MetricsFormatError(f"{where}: missing or malformed timestamp")
    text = value.strip().replace("Z", "+00:00")
    # .NET writes 7 fractional digits; Python reads at most 6
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        tail = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tail}" if digits else head + tail
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise MetricsFormatError(f"{where}: timestamp is not ISO-8601") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MetricsFormatError(f"{where}: value is a boolean, not a number")
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise MetricsFormatError(f"{where}: value is not a number") from exc
    if not math.isfinite(out):
        raise MetricsFormatError(f"{where}: value is not finite")
    return out


# -- CloudWatch -----------------------------------------------------------------------------------


def _query_resources(queries: list[dict[str, Any]]) -> dict[str, tuple[str, str, str | None]]:
    """Query Id -> (resource_id, metric name, unit) for MetricStat queries with a resource dimension."""
    out: dict[str, tuple[str, str, str | None]] = {}
    for q in queries:
        if not isinstance(q, dict) or "MetricStat" not in q:
            continue
        stat = q.get("MetricStat") or {}
        metric = stat.get("Metric") or {}
        dims = {
            d.get("Name"): d.get("Value")
            for d in metric.get("Dimensions") or []
            if isinstance(d, dict)
        }
        resource = next((str(dims[k]) for k in CLOUDWATCH_RESOURCE_DIMENSIONS if dims.get(k)), None)
        if resource and isinstance(q.get("Id"), str):
            out[q["Id"]] = (resource, str(metric.get("MetricName") or ""), stat.get("Unit"))
    return out


def parse_cloudwatch(
    doc: dict[str, Any], queries: list[dict[str, Any]] | None
) -> list[MetricPoint]:
    results = doc.get("MetricDataResults")
    if not isinstance(results, list):
        raise MetricsFormatError("CloudWatch GetMetricData: no MetricDataResults list")
    queries = queries if queries is not None else doc.get("MetricDataQueries")
    if not isinstance(queries, list):
        raise MetricsFormatError(
            "CloudWatch GetMetricData: results name queries by Id only; add the MetricDataQueries "
            "(in the document or a <name>.queries.json sidecar) so points can be tied to resources"
        )
    by_id = _query_resources(queries)
    stats = {
        q.get("Id"): str((q.get("MetricStat") or {}).get("Stat") or "expression").lower()
        for q in queries
        if isinstance(q, dict)
    }
    all_resources = {r for r, _, _ in by_id.values()}
    points: list[MetricPoint] = []
    for i, res in enumerate(results):
        where = f"MetricDataResults[{i}]"
        if not isinstance(res, dict):
            raise MetricsFormatError(f"{where}: not an object")
        qid = res.get("Id")
        stamps, values = res.get("Timestamps") or [], res.get("Values") or []
        if len(stamps) != len(values):
            raise MetricsFormatError(f"{where}: {len(stamps)} timestamps but {len(values)} values")
        if qid in by_id:
            resource, raw, unit = by_id[qid]
        elif len(all_resources) == 1:  # an expression over metrics of one resource
            resource, raw, unit = next(iter(all_resources)), str(res.get("Label") or qid), None
        else:
            raise MetricsFormatError(
                f"{where}: result {str(qid)[:40]!r} matches no query with a resource dimension"
            )
        name, scale = _canonical(CLOUDWATCH_METRICS, raw)
        for j, (ts, v) in enumerate(zip(stamps, values, strict=True)):
            num = _number(v, f"{where}.Values[{j}]")
            if num is None:
                continue
            points.append(
                MetricPoint(
                    "aws", resource, None, name, raw, stats.get(qid, "expression"),
                    parse_timestamp(ts, f"{where}.Timestamps[{j}]"), num * scale, unit,
                    "cloudwatch_get_metric_data",
                )
            )  # fmt: skip
    return points


# -- Azure Monitor --------------------------------------------------------------------------------

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
        name, scale = _canonical(AZURE_METRICS, raw)
        for k, series in enumerate(m.get("timeseries") or []):
            for j, point in enumerate((series or {}).get("data") or []):
                pw = f"{where}.timeseries[{k}].data[{j}]"
                ts = parse_timestamp(point.get("timeStamp"), pw)
                for agg in AZURE_AGGREGATIONS:
                    num = _number(point.get(agg), f"{pw}.{agg}")
                    if num is None:
                        continue
                    points.append(
                        MetricPoint(
                            "azure", resource.lower(), resource.rsplit("/", 1)[-1], name, raw, agg, ts,
                            num * scale, m.get("unit"), "azure_monitor_json",
                        )
                    )  # fmt: skip
    return points


# -- GCP Cloud Monitoring -------------------------------------------------------------------------


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
        name, scale = _canonical(GCP_METRICS, mtype)
        unit = s.get("unit")
        for j, p in enumerate(s.get("points") or []):
            pw = f"{where}.points[{j}]"
            interval = (p or {}).get("interval") or {}
            value = (p or {}).get("value") or {}
            raw_v = value.get("doubleValue", value.get("int64Value"))
            num = _number(raw_v, pw)
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


# -- CSV ------------------------------------------------------------------------------------------


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
        num = _number(row[cols["value"]], where)
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
        name, scale = _canonical(table, raw)
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


# -- detection ------------------------------------------------------------------------------------


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
