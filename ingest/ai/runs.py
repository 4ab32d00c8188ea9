"""What the AI Dagster assets (orchestration/defs/ai) and the demo run, as plain functions.

Configuration, all optional, in the configuration folder (``SIBYL_CONFIG_DIR``): ``ai_prices.csv``
(negotiated prices over the table), ``ai_team_map.csv`` (project / workspace / API key / agent ->
team) and ``ai_budgets.csv``. Without a configuration folder the demo's files in ``examples/ai/``
are used; with one, only the user's (a missing file means none), never the demo's.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ingest import fs as lakefs
from ingest.ai.fact import load_team_map
from ingest.ai.pipeline import CHARGES_TABLE, AiIngestReport, ingest_ai
from ingest.ai.prices import load_prices
from models_ml.ai_budget import Spend, ai_budget_state, load_ai_budgets, publish_state

DEMO_DIR = Path(__file__).resolve().parents[2] / "examples" / "ai"


@dataclass(frozen=True)
class AiConfig:
    prices: Path | None
    team_map: Path | None
    budgets: Path | None


def ai_config(config_dir: str) -> AiConfig:
    base = Path(config_dir) if config_dir else DEMO_DIR

    def have(name: str) -> Path | None:
        p = base / name
        return p if p.is_file() else None

    return AiConfig(have("ai_prices.csv"), have("ai_team_map.csv"), have("ai_budgets.csv"))


def run_ai_ingest(landing_root: str, lake_root: str, config_dir: str) -> AiIngestReport:
    """Ingest every AI file, and record the billing periods it covers as an ingest run, so the
    next incremental dbt build rebuilds those periods of fct_charges with the AI spend."""
    cfg = ai_config(config_dir)
    started = dt.datetime.now(dt.UTC).isoformat()
    report, rows = ingest_ai(
        landing_root, lake_root, load_prices(overrides=cfg.prices), load_team_map(cfg.team_map)
    )
    periods = sorted({r.line.usage_date.strftime("%Y-%m") for r in rows})
    now = dt.datetime.now(dt.UTC).isoformat()
    run_id = f"ai-{uuid.uuid4().hex}"
    run = {
        "run_id": run_id,
        "started_at": started,
        "finished_at": now,
        "source": "ai",
        "partitions": [{"billing_period": p} for p in periods],
        "files": run_files(report),
    }
    with tempfile.TemporaryDirectory() as tmp:
        lakefs.write_text_atomic(
            lake_root, f"_state/runs/{run_id}.json", json.dumps(run), Path(tmp)
        )
    return report


def run_files(report: AiIngestReport) -> list[dict[str, Any]]:
    """The AI files in the ingest run report's shape (data health lists them with the others)."""
    out: list[dict[str, Any]] = []
    for rel, n in sorted(report.files.items()):
        periods, total = report.details.get(rel, ([], None))
        folder = rel.split("/", 1)[0]
        out.append(
            {
                "rel": f"ai/{rel}",
                "status": "loaded",
                "provider": folder,
                "source": f"ai_{folder}",
                "dataset": f"ai_{folder}",
                "periods": periods,
                "rows": n,
                "billed_total": str(total) if total is not None else None,
            }
        )
    for rel, problem in sorted(report.quarantined.items()):
        out.append(
            {
                "rel": f"ai/{rel}",
                "status": "quarantined",
                "provider": rel.split("/", 1)[0] if "/" in rel else None,
                "source": "ai",
                "reason": problem,
                "quarantine_path": f"quarantine/ai/{rel}",
                "rows": 0,
            }
        )
    return out


def spend_from_lake(lake_root: str) -> list[Spend]:
    fs, base = lakefs.get_fs(lake_root)
    path = f"{base.rstrip('/')}/{CHARGES_TABLE}"
    if not fs.exists(path):
        return []
    with fs.open(path, "rb") as fh:
        df = pl.read_parquet(fh).filter(pl.col("cost").is_not_null())
    cols = (
        "usage_date",
        "source",
        "cost",
        "agent",
        "session_id",
        "api_key",
        "model",
        "ai_provider",
    )
    return [
        Spend(
            r[0],
            r[1],
            Decimal(r[2]),
            {"agent": r[3], "session": r[4], "api_key": r[5], "model": r[6], "provider": r[7]},
        )
        for r in df.select(cols).iter_rows()
    ]


def run_ai_budgets(
    lake_root: str, marts_dir: str, config_dir: str, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Evaluate the AI budgets as of the latest day with AI spend and publish the state file the
    budget check and the AI page read (``<marts>/ai_budget_state.json``; ``marts_dir`` a local
    folder or a bucket URL)."""
    from models_ml.status import overrides

    cfg = ai_config(config_dir)
    budgets = load_ai_budgets(cfg.budgets) if cfg.budgets else []
    lines = spend_from_lake(lake_root)
    as_of = max((s.usage_date for s in lines), default=dt.datetime.now(dt.UTC).date())
    ovs = overrides(lake_root)
    rows = ai_budget_state(budgets, lines, as_of, ovs, now)
    publish_state(rows, ovs, marts_dir)  # a local folder or the marts' bucket (one PUT)
    return rows
