"""Sample utilization metrics for the demo's AWS resources, as CloudWatch GetMetricData JSON.

Reads the generated CUR (``<landing>/aws/cur2/``) for the EC2 instances and EBS volumes used in the
last days, and writes ``<landing>/metrics/aws/cloudwatch/<end-date>/batch-NN.json``: each file
holds the ``MetricDataQueries`` (one ``InstanceId`` / ``VolumeId`` dimension each) and the
``MetricDataResults`` a real call returns, hourly. Deterministic from the resource ids:

- every 9th instance (sorted by id) is idle: CPU under 1%, a trickle of network;
- every 5th is oversized: steady CPU around 7%;
- the rest are busy: a daily cycle between 30% and 65% with short peaks;
- every 6th volume (the 2nd, 8th, ...) has no reads or writes (left behind, unattached).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import duckdb

BATCH = 20


@dataclass(frozen=True)
class MetricsSampleSummary:
    files: int
    instances: int
    volumes: int
    idle: list[str]
    oversized: list[str]
    unused_volumes: list[str]


def _noise(key: str, i: int) -> float:
    """Deterministic noise in [0, 1) from a key and an index."""
    digest = hashlib.sha256(f"{key}:{i}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _resources(landing: Path, end_date: dt.date, days: int) -> tuple[list[str], list[str]]:
    files = sorted((landing / "aws" / "cur2").rglob("*.parquet"))
    if not files:
        return [], []
    since = dt.datetime.combine(end_date - dt.timedelta(days=days), dt.time())
    con = duckdb.connect()
    try:
        rows = con.execute(
            """select distinct line_item_resource_id, line_item_usage_type
               from read_parquet($files, union_by_name = true)
               where line_item_usage_start_date >= $since
                 and (line_item_usage_type like '%BoxUsage:%' or line_item_usage_type like '%EBS:VolumeUsage%')
                 and (line_item_resource_id like 'i-%' or line_item_resource_id like 'vol-%')""",
            {"files": [str(f) for f in files], "since": since},
        ).fetchall()
    finally:
        con.close()
    instances = sorted({r for r, u in rows if r and r.startswith("i-") and "BoxUsage" in (u or "")})
    volumes = sorted(
        {r for r, u in rows if r and r.startswith("vol-") and "VolumeUsage" in (u or "")}
    )
    return instances, volumes


def _cpu(profile: str, rid: str, h: int) -> float:
    n = _noise(rid, h)
    if profile == "idle":
        return round(0.2 + 0.5 * n, 3)
    if profile == "oversized":
        return round(6.0 + 2.0 * n, 3)
    daily = 47.5 + 17.5 * math.sin(2 * math.pi * (h % 24) / 24)
    return round(min(100.0, daily + 6 * n + (25 if n > 0.985 else 0)), 3)


def generate_metrics(landing: Path, end_date: dt.date, days: int = 21) -> MetricsSampleSummary:
    """Write the CloudWatch files for the instances and volumes the CUR shows in the last days."""
    landing = Path(landing)
    instances, volumes = _resources(landing, end_date, 7)
    start = dt.datetime.combine(end_date - dt.timedelta(days=days - 1), dt.time(), dt.UTC)
    stamps = [start + dt.timedelta(hours=h) for h in range(days * 24)]
    iso = [t.strftime("%Y-%m-%dT%H:%M:%S+00:00") for t in stamps]
    profile = {
        rid: "idle" if i % 9 == 4 else "oversized" if i % 5 == 2 else "busy"
        for i, rid in enumerate(instances)
    }
    unused = {rid for i, rid in enumerate(volumes) if i % 6 == 1}
    queries: list[dict[str, object]] = []
    results: list[dict[str, object]] = []

    def add(
        qid: str,
        namespace: str,
        metric: str,
        dim: str,
        rid: str,
        stat: str,
        unit: str,
        values: list[float],
    ) -> None:
        queries.append({
            "Id": qid,
            "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": [{"Name": dim, "Value": rid}]},
                           "Period": 3600, "Stat": stat, "Unit": unit},
            "ReturnData": True,
        })  # fmt: skip
        results.append(
            {
                "Id": qid,
                "Label": metric,
                "Timestamps": iso,
                "Values": values,
                "StatusCode": "Complete",
            }
        )

    for k, rid in enumerate(instances):
        p = profile[rid]
        add(f"cpu{k}", "AWS/EC2", "CPUUtilization", "InstanceId", rid, "Average", "Percent",
            [_cpu(p, rid, h) for h in range(len(stamps))])  # fmt: skip
        scale = 50.0 if p == "idle" else 2.0e8
        add(f"nin{k}", "AWS/EC2", "NetworkIn", "InstanceId", rid, "Sum", "Bytes",
            [round(scale * (0.5 + _noise(rid + "in", h)), 1) for h in range(len(stamps))])  # fmt: skip
        add(f"nout{k}", "AWS/EC2", "NetworkOut", "InstanceId", rid, "Sum", "Bytes",
            [round(scale * (0.5 + _noise(rid + "out", h)), 1) for h in range(len(stamps))])  # fmt: skip
    for k, rid in enumerate(volumes):
        for op in ("VolumeReadOps", "VolumeWriteOps"):
            vals = [
                0.0 if rid in unused else float(int(500 * _noise(rid + op, h)))
                for h in range(len(stamps))
            ]
            add(f"{op[6:10].lower()}{k}", "AWS/EBS", op, "VolumeId", rid, "Sum", "Count", vals)
    out = landing / "metrics" / "aws" / "cloudwatch" / end_date.isoformat()
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    for b in range(0, len(queries), BATCH):
        doc = {
            "MetricDataQueries": queries[b : b + BATCH],
            "MetricDataResults": results[b : b + BATCH],
            "Messages": [],
        }
        (out / f"batch-{b // BATCH:03d}.json").write_text(json.dumps(doc), encoding="utf-8")
        files += 1
    return MetricsSampleSummary(
        files, len(instances), len(volumes),
        [r for r in instances if profile[r] == "idle"], [r for r in instances if profile[r] == "oversized"], sorted(unused),
    )  # fmt: skip
