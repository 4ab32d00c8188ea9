"""Data health queries, all in one place: freshness per provider and export, reconciliation per
period (``fct_reconciliation``), the landing files of each ingest run with quarantine reasons
(the ``fct_ingest_files`` mart when published, else the run reports under ``<lake>/_state/runs``),
and the last pipeline runs (Dagster's GraphQL API when a Dagster URL is configured)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.request
from typing import Any

import fsspec

from app.cockpit.present import timestamp
from app.cockpit.queries import Marts

log = logging.getLogger(__name__)
INGEST_FILE_COLUMNS = [
    "provider", "source", "rel", "status", "reason", "rows", "billing_periods", "billed_total",
    "ingested_at", "run_id",
]  # fmt: skip
MAX_RUN_REPORTS = 200
MAX_REPORT_BYTES = 50_000_000


def data_through(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Per provider: the last day with cost and how many days behind today (UTC) that is."""
    return m.columns(
        """select provider, max(charge_date) as last_charge_date,
                  (current_date - max(charge_date))::int as days_behind
           from read_parquet($fct_daily_costs) group by 1 order by 1""",
        marts=("fct_daily_costs",),
    )


def reconciliation(m: Marts) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Raw export vs FOCUS charges vs daily mart per provider, period and currency, newest first."""
    return m.columns(
        "select * from read_parquet($fct_reconciliation) order by billing_period desc, provider",
        marts=("fct_reconciliation",),
    )


def _run_reports(lake_root: str) -> list[dict[str, Any]]:
    fs, base = fsspec.core.url_to_fs(lake_root)
    folder = f"{str(base).rstrip('/')}/_state/runs"
    if not fs.exists(folder):
        return []
    out = []
    for p in sorted(fs.glob(f"{folder}/*.json"), reverse=True)[:MAX_RUN_REPORTS]:
        try:
            if fs.size(p) > MAX_REPORT_BYTES:
                log.warning("run report %s too large, skipped", p)
                continue
            with fs.open(p, "r", encoding="utf-8") as fh:
                out.append(json.load(fh))
        except (OSError, ValueError) as e:
            log.warning("unreadable run report %s: %s", p, type(e).__name__)
    return out


def ingest_files(m: Marts, lake_root: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """One row per landing file and ingest run, newest first. Organization-wide: a team-scoped
    user gets no rows (the billed totals are the whole bill)."""
    if m.scoped():
        return INGEST_FILE_COLUMNS, []
    if m.has("fct_ingest_files"):
        return m.columns(
            """select provider, source, relative_path as rel, status, reason, row_count as rows, billing_periods,
                      billed_total, ingested_at, run_id
               from read_parquet($fct_ingest_files) order by ingested_at desc""",
            marts=("fct_ingest_files",),
        )
    rows = []
    for run in _run_reports(lake_root):
        at = str(run.get("finished_at") or run.get("started_at") or "")
        for f in run.get("files", []):
            rows.append(
                (
                    f.get("provider"),
                    f.get("dataset") or f.get("variant"),
                    f.get("rel"),
                    f.get("status"),
                    f.get("reason") or "",
                    int(f.get("rows") or 0),
                    ", ".join(f.get("periods") or []),
                    f.get("billed_total"),
                    at,
                    run.get("run_id"),
                )
            )
    rows.sort(key=lambda r: str(r[8]), reverse=True)
    return INGEST_FILE_COLUMNS, rows


def last_deliveries(cols: list[str], rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Per provider and source: the newest loaded file, when, and how many are quarantined."""
    i = {c: cols.index(c) for c in ("provider", "source", "status", "ingested_at", "rel")}
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if r[i["provider"]] is None and r[i["status"]] != "quarantined":
            continue  # not a billing export (e.g. a README beside the exports, skipped)
        key = (str(r[i["provider"]] or "unknown"), str(r[i["source"]] or "—"))
        d = out.setdefault(
            key,
            {
                "provider": key[0],
                "source": key[1],
                "last_delivery_at": None,
                "rel": None,
                "quarantined": 0,
            },
        )
        if r[i["status"]] == "quarantined":
            d["quarantined"] += 1
        elif r[i["status"]] == "loaded" and (
            d["last_delivery_at"] is None or str(r[i["ingested_at"]]) > str(d["last_delivery_at"])
        ):
            d["last_delivery_at"], d["rel"] = str(r[i["ingested_at"]]), r[i["rel"]]
    for d in out.values():
        d["last_delivery_at"] = timestamp(d["last_delivery_at"]) if d["last_delivery_at"] else None
    return sorted(out.values(), key=lambda d: (d["provider"], d["source"]))


RUNS_QUERY = """query { runsOrError(limit: 10) { __typename ... on Runs { results {
  runId jobName status startTime endTime } } } }"""


def dagster_runs(url: str, timeout: float = 3.0) -> tuple[list[dict[str, Any]], str | None]:
    """The last 10 runs from Dagster's GraphQL API at ``url`` (http(s) only), with a link to each
    run; ([], reason) when Dagster cannot be reached."""
    if not url.startswith(("http://", "https://")):
        return [], "the Dagster URL must start with http:// or https://"
    base = url.rstrip("/")
    body = json.dumps({"query": RUNS_QUERY}).encode()
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        f"{base}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - scheme checked above
            data = json.loads(resp.read(5_000_000))
        results = data["data"]["runsOrError"]["results"]
    except Exception as e:
        return [], f"Dagster at {base} did not answer ({type(e).__name__})"

    def when(t: float | None) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if t else ""

    return [
        {
            "job": r.get("jobName"),
            "status": r.get("status"),
            "started": when(r.get("startTime")),
            "ended": when(r.get("endTime")),
            "url": f"{base}/runs/{r.get('runId')}",
        }
        for r in results
    ], None


def report_runs(lake_root: str) -> list[dict[str, Any]]:
    """Ingest runs from the run reports (when no Dagster URL is configured)."""
    out = []
    for run in _run_reports(lake_root)[:10]:
        files = run.get("files", [])
        out.append(
            {
                "run_id": run.get("run_id"),
                "started": timestamp(run.get("started_at")),
                "ended": timestamp(run.get("finished_at")),
                "loaded": sum(1 for f in files if f.get("status") == "loaded"),
                "quarantined": sum(1 for f in files if f.get("status") == "quarantined"),
                "partitions": len(run.get("partitions", [])),
            }
        )
    return out
