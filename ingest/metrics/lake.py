"""Write utilization metric exports to the lake under the bills' contract.

- ``<lake>/raw/metrics/billing_period=YYYY-MM/<file-id>.parquet``: one file per source file and
  month of its points (columns of ``formats.MetricPoint`` plus ``_source_file``, ``_source_row``,
  ``_ingested_at``). ``file-id`` comes from the source path, so a re-delivered file replaces its
  partitions (written under a temporary name, then renamed) and never appends duplicates.
- ``<lake>/_metrics_control/billing_period=YYYY-MM/<file-id>.json``: rows and the value sum per
  metric, for checks downstream (beside, not in, ``_control/``: the bills reconcile against that).
- ``<lake>/quarantine/metrics/<stamp>__<digest>__<file>`` + ``.json``: a file we cannot read, with
  the reason (format, position; never its content).

Landing layout: every ``.json`` / ``.csv`` under ``<landing>/metrics/`` (any depth); a CloudWatch
``<stem>.queries.json`` is the sidecar of ``<stem>.json``, not a file of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import fs as lakefs
from ingest.metrics.formats import MetricPoint, MetricsFormatError, as_columns, parse_bytes
from ingest.metrics.points import MAX_FILE_BYTES

log = logging.getLogger(__name__)

SOURCE = "metrics"
SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("resource_id", pa.string()),
        ("resource_name", pa.string()),
        ("metric", pa.string()),
        ("raw_metric", pa.string()),
        ("statistic", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("source_format", pa.string()),
        ("_source_file", pa.string()),
        ("_source_row", pa.int64()),
        ("_ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass
class MetricsFileResult:
    rel: str
    status: str  # loaded | quarantined | skipped
    source_format: str | None = None
    points: int = 0
    partitions: list[str] = field(default_factory=list)
    reason: str | None = None


@dataclass
class MetricsReport:
    files: list[MetricsFileResult] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(1 for f in self.files if f.status == "loaded")

    @property
    def quarantined(self) -> int:
        return sum(1 for f in self.files if f.status == "quarantined")

    @property
    def points(self) -> int:
        return sum(f.points for f in self.files)


def file_id(rel: str) -> str:
    """A stable, path-safe id for a source file: a slug of its path plus a short digest."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", rel).strip("-").lower()[:80] or "file"
    digest = hashlib.sha1(rel.encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{slug}__{digest}"


def ingest_metrics(landing_root: str, lake_root: str) -> MetricsReport:
    """Ingest every metrics file under ``<landing_root>/metrics``; bad files are quarantined."""
    report = MetricsReport()
    root = f"{landing_root.rstrip('/')}/{SOURCE}"
    fs, files = lakefs.list_files(root)
    by_rel = {f.rel: f for f in files}
    now = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="sibyl-metrics-") as tmp:
        tmp_root = Path(tmp)
        for f in files:
            name = f.rel.rsplit("/", 1)[-1]
            if name.startswith((".", "_")) or name.lower().endswith(".queries.json"):
                continue
            if not name.lower().endswith((".json", ".csv")):
                report.files.append(MetricsFileResult(f.rel, "skipped", reason="not .json or .csv"))
                continue
            res = MetricsFileResult(f.rel, "loaded")
            try:
                if f.size > MAX_FILE_BYTES:  # checked before anything is read
                    raise MetricsFormatError(
                        f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
                    )
                data = Path(lakefs.fetch(fs, f.path, tmp_root)).read_bytes()
                sidecar_rel = (
                    f.rel[: -len(".json")] + ".queries.json"
                    if name.lower().endswith(".json")
                    else ""
                )
                sidecar = None
                if sidecar_rel in by_rel:
                    sidecar = Path(
                        lakefs.fetch(fs, by_rel[sidecar_rel].path, tmp_root)
                    ).read_bytes()
                res.source_format, points = parse_bytes(name, data, sidecar)
                if not points:
                    raise MetricsFormatError("no data points")
            except (MetricsFormatError, json.JSONDecodeError, UnicodeDecodeError) as exc:
                res.status, res.reason = "quarantined", f"{f.rel}: {str(exc)[:300]}"
                _quarantine(fs, f, res, lake_root, tmp_root, now)
                report.files.append(res)
                continue
            res.points = len(points)
            res.partitions = _write(points, f.rel, lake_root, tmp_root, now)
            report.files.append(res)
    return report


def _write(
    points: list[MetricPoint], rel: str, lake_root: str, tmp_root: Path, now: dt.datetime
) -> list[str]:
    by_month: dict[str, list[tuple[int, MetricPoint]]] = defaultdict(list)
    for i, p in enumerate(points):
        by_month[p.timestamp.strftime("%Y-%m")].append((i + 1, p))
    fid = file_id(rel)
    written = []
    for month, rows in sorted(by_month.items()):
        cols = as_columns(p for _, p in rows)
        cols["_source_file"] = [rel] * len(rows)
        cols["_source_row"] = [n for n, _ in rows]
        cols["_ingested_at"] = [now] * len(rows)
        table = pa.table(cols, schema=SCHEMA)
        local = tmp_root / f"{fid}-{month}.parquet"
        pq.write_table(table, local, compression="zstd")
        part = f"raw/{SOURCE}/billing_period={month}/{fid}.parquet"
        lakefs.put_atomic(local, lake_root, part)
        sums: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for _, p in rows:
            sums[p.metric] += p.value
            counts[p.metric] += 1
        control = {"source_file": rel, "billing_period": month, "rows": len(rows), "metrics": {
            m: {"rows": counts[m], "value_sum": sums[m]} for m in sorted(sums)
        }}  # fmt: skip
        lakefs.write_text_atomic(
            lake_root,
            f"_metrics_control/billing_period={month}/{fid}.json",
            json.dumps(control, indent=1),
            tmp_root,
        )
        written.append(month)
    return written


def _quarantine(
    fs: object,
    f: lakefs.RemoteFile,
    res: MetricsFileResult,
    lake_root: str,
    tmp_root: Path,
    now: dt.datetime,
) -> None:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    base = f"quarantine/{SOURCE}/{stamp}__{file_id(f.rel)}"
    local = lakefs.fetch(fs, f.path, tmp_root)  # type: ignore[arg-type]
    copy = lakefs.put_atomic(local, lake_root, base)
    sidecar = {
        "file": f.rel,
        "reason": res.reason,
        "quarantined_at": now.isoformat(),
        "quarantined_copy": copy,
    }
    lakefs.write_text_atomic(lake_root, base + ".json", json.dumps(sidecar, indent=1), tmp_root)
    log.warning("quarantined %s: %s", f.rel, res.reason)
