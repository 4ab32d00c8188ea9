"""Prices against hand-computed values from the table's rows (per-1M list prices cited in each test),
negotiated overrides, the AI fact's no-double-counting rule, and reconciliation per source."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from ingest.ai.anthropic import read_anthropic
from ingest.ai.fact import ai_costs_daily, build_fact, load_team_map, reconcile
from ingest.ai.litellm import read_litellm
from ingest.ai.openai import read_openai
from ingest.ai.otlp import read_otlp
from ingest.ai.prices import DEFAULT_TABLE, list_cost, load_prices
from ingest.ai.records import AiLine

FIX = Path(__file__).parents[2] / "fixtures_ai"
D = Decimal


def row(model: str) -> dict[str, str]:
    with DEFAULT_TABLE.open() as f:
        return next(r for r in csv.DictReader(f) if r["model"] == model)


def test_table_rows_carry_source_and_date() -> None:
    r = row("gpt-4o")
    assert r["source"].startswith("litellm ") and "(MIT)" in r["source"]
    assert dt.date.fromisoformat(r["as_of"])
    # OpenAI's list price for gpt-4o: $2.50 in, $10 out, $1.25 cached in, per 1M tokens
    assert (r["input_per_1m"], r["output_per_1m"], r["cache_read_per_1m"]) == ("2.5", "10", "1.25")


def test_cached_and_cache_write_prices() -> None:
    # claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 5m write, $6 1h write per 1M
    p = load_prices().lookup("claude-sonnet-4-5-20250929")
    assert list_cost(p, "cache_read", 2000) == D("0.0006")
    assert list_cost(p, "cache_write_5m", 500) == D("0.001875")
    assert list_cost(p, "cache_write_1h", 1000) == D("0.006")
    assert list_cost(p, "output", 300) == D("0.0045")


def test_tiered_price_above_the_context_threshold() -> None:
    # gemini-2.5-pro: $1.25 / $10 up to 200k-token prompts, $2.50 / $15 above
    p = load_prices().lookup("gemini-2.5-pro")
    assert list_cost(p, "input", 100_000, context_tokens=100_000) == D("0.125")
    assert list_cost(p, "input", 250_000, context_tokens=250_000) == D("0.625")
    assert list_cost(p, "output", 1000, context_tokens=250_000) == D("0.015")


def test_batch_price() -> None:
    # gpt-4o batch: $1.25 in, $5 out per 1M
    p = load_prices().lookup("gpt-4o")
    assert list_cost(p, "input", 1_000_000, service_tier="batch") == D("1.25")
    assert list_cost(p, "output", 1_000_000, service_tier="batch") == D("5")


def test_negotiated_override_wins(tmp_path: Path) -> None:
    o = tmp_path / "negotiated.csv"
    o.write_text("model,input_per_1m,source,as_of\ngpt-4o,2.00,contract 2026-07,2026-07-01\n")
    t = load_prices(overrides=o)
    p = t.lookup("gpt-4o")
    assert list_cost(p, "input", 1_000_000) == D("2.00")
    assert list_cost(p, "output", 1_000_000) == D("10")  # not overridden
    assert p is not None and p.source == "contract 2026-07"


def sonnet4(tmp_path: Path) -> Path:
    """claude-sonnet-4 is not in this LiteLLM version's table: the user adds it at Anthropic's
    list price ($3 in, $15 out, $0.30 cache read, $3.75 5m write, $6 1h write per 1M)."""
    o = tmp_path / "prices.csv"
    o.write_text(
        "model,provider,input_per_1m,output_per_1m,cache_read_per_1m,cache_write_5m_per_1m,"
        "cache_write_1h_per_1m,source\n"
        "claude-sonnet-4-20250514,anthropic,3,15,0.30,3.75,6,anthropic.com/pricing\n"
    )
    return o


def test_anthropic_usage_priced_by_hand(tmp_path: Path) -> None:
    lines = read_anthropic(FIX / "anthropic_usage_report_api_reference.json")
    fact = build_fact(lines, load_prices(overrides=sonnet4(tmp_path)))
    # 1500*3 + 200*0.30 + 500*3.75 + 1000*6 + 500*15 = 19935 per 1M
    assert sum((r.cost or 0) for r in fact) == D("0.019935")
    assert {r.cost_basis for r in fact} == {"list_price"}
    # cache savings: 200 cached tokens at (3 - 0.30) per 1M
    assert sum(r.cache_savings for r in fact) == D("0.00054")


def test_retired_claude_id_priced_at_its_bedrock_row() -> None:
    # claude-sonnet-4-20250514 left the table's anthropic rows; its Bedrock row
    # anthropic.claude-sonnet-4-20250514-v1:0 carries Anthropic's list price ($3 / $15 per 1M)
    p = load_prices().lookup("claude-sonnet-4-20250514", "anthropic")
    assert p is not None and p.model == "anthropic.claude-sonnet-4-20250514-v1:0"
    assert list_cost(p, "input", 1_000_000) == D("3") and list_cost(p, "output", 1000) == D("0.015")


def test_unpriced_model_is_kept_and_reported(tmp_path: Path) -> None:
    f = tmp_path / "usage.json"
    text = (FIX / "anthropic_usage_report_api_reference.json").read_text()
    f.write_text(text.replace("claude-sonnet-4-20250514", "claude-unreleased-9"))
    lines = read_anthropic(f)
    fact = build_fact(lines, load_prices())
    assert len(fact) == len(lines)
    assert {r.cost_basis for r in fact} == {"unpriced"}
    (rec,) = reconcile(fact, [])
    assert rec.unpriced_tokens == 3700


def test_reconcile_anthropic_usage_against_cost_report(tmp_path: Path) -> None:
    t = load_prices(overrides=sonnet4(tmp_path))
    usage = build_fact(read_anthropic(FIX / "anthropic_usage_report_api_reference.json"), t)
    costs = build_fact(read_anthropic(FIX / "anthropic_cost_report_api_reference.json"), t)
    (rec,) = reconcile(usage, costs)
    assert rec.source_cost == D("1.2378912")
    assert rec.priced_usage == D("0.019935")
    assert rec.difference == D("1.2378912") - D("0.019935")  # the doc examples are not one day's


def test_one_source_counts_per_day_and_provider() -> None:
    day = dt.date(2026, 11, 3)

    def ln(source: str, tokens: int, cost: str | None) -> AiLine:
        return AiLine(
            source=source,
            file="f",
            usage_date=day,
            provider="openai",
            model="gpt-4o",
            token_type="input",
            tokens=tokens,
            cost=D(cost) if cost else None,
            agent="a1" if source == "litellm" else "",
        )

    lines = [ln("openai_costs", 0, "2.50"), ln("openai_usage", 1_000_000, None)]
    lines += [ln("litellm", 1_000_000, "2.50"), ln("otlp", 1_000_000, None)]
    fact = build_fact(lines, load_prices())
    assert [r.counts_in_total for r in fact] == [True, False, False, False]
    (daily,) = ai_costs_daily(fact)
    assert daily.cost == D("2.50")
    # without the cost report the usage API counts, priced at $2.50 per 1M input tokens
    fact2 = build_fact(lines[1:], load_prices())
    assert [r.counts_in_total for r in fact2] == [True, False, False]
    assert ai_costs_daily(fact2)[0].cost == D("2.5")
    assert ai_costs_daily(fact2)[0].cost_per_1k_tokens == D("0.0025")


def test_litellm_reconciles_to_its_spend_exactly() -> None:
    fact = build_fact(read_litellm(FIX / "litellm_spendlogs.csv"), load_prices())
    assert sum((r.cost or 0) for r in fact) == D("0.00123") + D("0.0000825") + D("0.0141")
    assert {r.cost_basis for r in fact} == {"source"}


def test_team_map_and_otlp_priced(tmp_path: Path) -> None:
    m = tmp_path / "ai_teams.csv"
    m.write_text("key_type,key_value,team\nagent,support-agent,support\n")
    fact = build_fact(read_otlp(FIX / "otlp_genai_spans.json"), load_prices(), load_team_map(m))
    assert {r.team for r in fact} == {"support"}
    # gpt-4o-mini-2024-07-18: $0.15 in, $0.60 out, $0.075 cached per 1M
    assert sum((r.cost or 0) for r in fact) == D("0.00003") + D("0.000075") + D("0.00018")


def test_openai_costs_and_usage_reconcile_per_day() -> None:
    t = load_prices()
    costs = build_fact(read_openai(FIX / "openai_costs_api_reference.json"), t)
    assert sum((r.cost or 0) for r in costs) == D("0.12")
    usage = build_fact(read_openai(FIX / "openai_usage_completions_api_reference.json"), t)
    recs = reconcile(usage, costs)
    assert sum(r.source_cost for r in recs) == D("0.12")
    assert sum(r.unpriced_tokens for r in recs) == 1500  # model null: grouped without a model
