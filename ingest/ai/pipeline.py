"""AI ingest: every file under ``<landing>/ai/<source>/`` parsed by its source's reader, priced,
turned into the AI fact and written to the lake as one Parquet table (``ai/charges``), with the
per-day reconciliation of usage sources against cost sources (``ai/reconciliation``).

A file that cannot be read is copied to ``quarantine/ai/<source>/`` and named in the report with
its problem; the other files go on. Symbolic links and unknown sources are refused by name. The
table is a function of the landing files, so a re-run rewrites it identically (idempotent).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl
from polars._typing import PolarsDataType

from ingest import fs as lakefs
from ingest.ai.anthropic import read_anthropic
from ingest.ai.fact import FactRow, build_fact, reconcile
from ingest.ai.litellm import read_litellm
from ingest.ai.openai import read_openai
from ingest.ai.otlp import read_otlp
from ingest.ai.prices import PriceTable
from ingest.ai.records import AiFileError, AiLine

READERS: dict[str, tuple[Callable[[Path], list[AiLine]], tuple[str, ...]]] = {
    "openai": (read_openai, (".json", ".jsonl", ".ndjson")),
    "anthropic": (read_anthropic, (".json", ".jsonl", ".ndjson")),
    "litellm": (read_litellm, (".csv", ".parquet")),
    "otlp": (read_otlp, (".json", ".jsonl", ".ndjson")),
}
MONEY = pl.Decimal(38, 12)
Q = Decimal("1e-12")
CHARGES_TABLE = "ai/charges/ai_charges.parquet"
RECON_TABLE = "ai/reconciliation/ai_reconciliation.parquet"


@dataclass
class AiIngestReport:
    files: dict[str, int] = field(default_factory=dict)  # rel path -> lines
    quarantined: dict[str, str] = field(default_factory=dict)  # rel path -> problem
    rows: int = 0
    # rel path -> (billing periods, the source's own cost in the file or None when usage-only)
    details: dict[str, tuple[list[str], Decimal | None]] = field(default_factory=dict)


def _q(d: Decimal | None) -> Decimal | None:
    return None if d is None else d.quantize(Q)


def charges_frame(rows: list[FactRow]) -> pl.DataFrame:
    """The AI fact as a typed frame (money Decimal(38,12), nothing rounded to the cent here)."""
    recs = []
    for r in rows:
        ln = r.line
        tags = {"agent": ln.agent, "session": ln.session, "end_user": ln.end_user}
        recs.append(
            {
                "usage_date": ln.usage_date,
                "source": ln.source,
                "source_file": ln.file,
                "ai_provider": ln.provider,
                "model": ln.model,
                "token_type": ln.token_type,
                "tokens": ln.tokens,
                "service_tier": ln.service_tier,
                "cost": _q(r.cost),
                "source_cost": _q(ln.cost),
                "list_cost": _q(r.list_cost),
                "cost_basis": r.cost_basis,
                "cache_savings": _q(r.cache_savings),
                "currency": ln.currency,
                "counts_in_total": r.counts_in_total,
                "team_id": r.team,
                "project": ln.project,
                "api_key": ln.api_key,
                "user_name": ln.user,
                "end_user": ln.end_user,
                "agent": ln.agent,
                "session_id": ln.session,
                "request_id": ln.request_id,
                "line_item": ln.line_item,
                "price_source": r.price_source,
                "tags_json": json.dumps({k: v for k, v in tags.items() if v}, sort_keys=True),
            }
        )
    schema: dict[str, PolarsDataType] = {
        "usage_date": pl.Date,
        "tokens": pl.Int64,
        "cost": MONEY,
        "source_cost": MONEY,
        "list_cost": MONEY,
        "cache_savings": MONEY,
        "counts_in_total": pl.Boolean,
    }
    cols = [
        "usage_date", "source", "source_file", "ai_provider", "model", "token_type", "tokens",
        "service_tier", "cost", "source_cost", "list_cost", "cost_basis", "cache_savings",
        "currency", "counts_in_total", "team_id", "project", "api_key", "user_name", "end_user",
        "agent", "session_id", "request_id", "line_item", "price_source", "tags_json",
    ]  # fmt: skip
    full: dict[str, PolarsDataType] = {c: schema.get(c, pl.Utf8) for c in cols}
    return pl.DataFrame(recs, schema=full, orient="row") if recs else pl.DataFrame(schema=full)


def recon_frame(rows: list[FactRow]) -> pl.DataFrame:
    cost_src = [r for r in rows if r.line.source in ("openai_costs", "anthropic_cost")]
    usage_src = [r for r in rows if r.line.source in ("openai_usage", "anthropic_usage")]
    recs = [
        {
            "usage_date": x.usage_date,
            "ai_provider": x.provider,
            "model": x.model,
            "priced_usage": _q(x.priced_usage),
            "source_cost": _q(x.source_cost),
            "difference": _q(x.difference),
            "unpriced_tokens": x.unpriced_tokens,
        }
        for x in reconcile(usage_src, cost_src)
    ]
    schema: dict[str, PolarsDataType] = {
        "usage_date": pl.Date,
        "ai_provider": pl.Utf8,
        "model": pl.Utf8,
        "priced_usage": MONEY,
        "source_cost": MONEY,
        "difference": MONEY,
        "unpriced_tokens": pl.Int64,
    }
    return pl.DataFrame(recs, schema=schema, orient="row") if recs else pl.DataFrame(schema=schema)


def read_landing(landing_root: str, lake_root: str, report: AiIngestReport) -> list[AiLine]:
    """Every AI line under ``<landing>/ai``; bad files quarantined and reported, links refused."""
    base = f"{landing_root.rstrip('/')}/ai"
    fsys, files = lakefs.list_files(base)
    lines: list[AiLine] = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            source = f.rel.split("/", 1)[0] if "/" in f.rel else ""
            if f.link:
                report.quarantined[f.rel] = "a symbolic link: refused (give the file itself)"
                continue
            if source not in READERS:
                report.quarantined[f.rel] = f"not under a known AI source folder {sorted(READERS)}"
                continue
            reader, suffixes = READERS[source]
            if not f.rel.lower().endswith(suffixes):
                continue  # e.g. a README next to the exports
            local = lakefs.fetch(fsys, f.path, Path(tmp))
            try:
                got = reader(local)
            except AiFileError as e:
                report.quarantined[f.rel] = str(e)
                lakefs.put_atomic(local, lake_root, f"quarantine/ai/{f.rel}")
                continue
            report.files[f.rel] = len(got)
            costs = [ln.cost for ln in got if ln.cost is not None]
            report.details[f.rel] = (
                sorted({ln.usage_date.strftime("%Y-%m") for ln in got}),
                sum(costs, Decimal(0)) if costs else None,
            )
            lines.extend(got)
    return lines


def ingest_ai(
    landing_root: str,
    lake_root: str,
    prices: PriceTable,
    team_map: dict[tuple[str, str], str] | None = None,
) -> tuple[AiIngestReport, list[FactRow]]:
    """Parse, price and publish the AI fact and its reconciliation to the lake."""
    report = AiIngestReport()
    rows = build_fact(read_landing(landing_root, lake_root, report), prices, team_map)
    report.rows = len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        for rel, frame in ((CHARGES_TABLE, charges_frame(rows)), (RECON_TABLE, recon_frame(rows))):
            p = Path(tmp) / Path(rel).name
            frame.write_parquet(p)
            lakefs.put_atomic(p, lake_root, rel)
    return report, rows


def latest_day(rows: list[FactRow]) -> dt.date | None:
    return max((r.line.usage_date for r in rows), default=None)
