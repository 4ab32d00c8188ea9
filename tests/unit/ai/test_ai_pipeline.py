"""AI ingest to the lake: real-format files in, the fact table out with every line and cent,
bad files quarantined by name, links refused, a re-run identical."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import polars as pl

from ingest.ai.pipeline import CHARGES_TABLE, RECON_TABLE, ingest_ai
from ingest.ai.prices import load_prices

FIX = Path(__file__).parents[2] / "fixtures_ai"


def landing(tmp: Path) -> Path:
    root = tmp / "landing"
    for src, name in (
        ("openai", "openai_costs_api_reference.json"),
        ("openai", "openai_usage_completions_api_reference.json"),
        ("anthropic", "anthropic_cost_report_api_reference.json"),
        ("litellm", "litellm_spendlogs.csv"),
        ("otlp", "otlp_genai_spans.json"),
    ):
        (root / "ai" / src).mkdir(parents=True, exist_ok=True)
        shutil.copy(FIX / name, root / "ai" / src / name)
    (root / "ai" / "anthropic" / "broken.json").write_text('{"data": [')
    (root / "ai" / "otlp" / "elsewhere.json").symlink_to(FIX / "otlp_genai_spans.json")
    return root


def test_lake_fact_keeps_every_cent_and_quarantines(tmp_path: Path) -> None:
    root, lake = landing(tmp_path), tmp_path / "lake"
    report, rows = ingest_ai(str(root), str(lake), load_prices())
    assert set(report.quarantined) == {"anthropic/broken.json", "otlp/elsewhere.json"}
    assert "broken.json" in report.quarantined["anthropic/broken.json"]
    assert (lake / "quarantine/ai/anthropic/broken.json").exists()
    df = pl.read_parquet(lake / CHARGES_TABLE)
    assert df.height == report.rows == len(rows)
    # source costs, summed independently over the raw files: 0.06 + 0.06 (OpenAI, dollars),
    # 123.78912 cents (Anthropic), LiteLLM spend column
    raw = Decimal("0.06") * 2 + Decimal("123.78912") / 100
    with (FIX / "litellm_spendlogs.csv").open() as f:
        raw += sum(Decimal(line.split(",")[3]) for line in f.read().splitlines()[1:])
    assert df["source_cost"].drop_nulls().sum() == raw
    tags = json.loads(df.filter(pl.col("source") == "otlp")["tags_json"][0])
    assert tags["agent"] == "support-agent"
    assert pl.read_parquet(lake / RECON_TABLE).height >= 1
    first = (lake / CHARGES_TABLE).read_bytes()
    ingest_ai(str(root), str(lake), load_prices())
    assert (lake / CHARGES_TABLE).read_bytes() == first


def test_run_report_lists_ai_files_and_periods(tmp_path: Path) -> None:
    from ingest.ai.runs import run_ai_ingest
    from ingest.pipeline import ingested_periods_since

    root, lake = landing(tmp_path), tmp_path / "lake"
    run_ai_ingest(str(root), str(lake), "")
    (report,) = [json.loads(p.read_text()) for p in (lake / "_state/runs").glob("ai-*.json")]
    by_rel = {f["rel"]: f for f in report["files"]}
    assert by_rel["ai/anthropic/broken.json"]["status"] == "quarantined"
    costs = by_rel["ai/openai/openai_costs_api_reference.json"]
    assert costs["billed_total"] == "0.12" and costs["periods"] == ["2024-11"]
    # OpenAI examples (2024-11), LiteLLM rows (2024-04), the Anthropic cost report (2025-08)
    assert ingested_periods_since(str(lake), None) == {"2024-11", "2024-04", "2025-08"}


def test_billing_ingest_leaves_the_ai_folder_to_the_ai_ingest(tmp_path: Path) -> None:
    from ingest.discovery import skip_reason
    from ingest.pipeline import ingest

    root = landing(tmp_path)
    report = ingest(str(root), str(tmp_path / "billing_lake"))
    status = {f.rel: f.status for f in report.files}
    assert status.pop("ai/otlp/elsewhere.json") == "quarantined"  # a link: refused by name first
    assert status and set(status.values()) == {"skipped"}
    assert skip_reason("ai/otlp/traces.jsonl") and not skip_reason("aws/ai.csv")
