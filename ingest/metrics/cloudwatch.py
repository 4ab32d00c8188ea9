"""CloudWatch ``GetMetricData`` responses (+ the queries that name each result's resource)."""

from __future__ import annotations

from typing import Any

from ingest.metrics.points import (
    MetricPoint,
    MetricsFormatError,
    canonical,
    number,
    parse_timestamp,
)

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
        name, scale = canonical(CLOUDWATCH_METRICS, raw)
        for j, (ts, v) in enumerate(zip(stamps, values, strict=True)):
            num = number(v, f"{where}.Values[{j}]")
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
