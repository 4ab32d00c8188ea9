"""The sample generator's four sources agree with each other and with its ground truth, and the
runaway agent loop trips its breaker."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ingest.ai.fact import ai_costs_daily, spend_of
from ingest.ai.pipeline import ingest_ai
from ingest.ai.prices import load_prices
from ingest.samples.ai import generate_ai
from models_ml.ai_budget import AiBudget, ai_budget_state

END = dt.date(2026, 11, 30)


def test_sources_reconcile_and_the_loop_trips(tmp_path: Path) -> None:
    truth = generate_ai(tmp_path / "landing", END, days=14, seed=7)
    again = generate_ai(tmp_path / "again", END, days=14, seed=7)
    assert truth == again
    a = (tmp_path / "landing/ai/otlp/traces.jsonl").read_bytes()
    assert a == (tmp_path / "again/ai/otlp/traces.jsonl").read_bytes()
    report, rows = ingest_ai(str(tmp_path / "landing"), str(tmp_path / "lake"), load_prices())
    assert not report.quarantined
    # counted totals (the provider cost reports) match the generator's own sums to the cent
    counted: dict[str, Decimal] = defaultdict(Decimal)
    for d in ai_costs_daily(rows):
        counted[d.provider] += d.cost
    # cost-report rows carry the usage report's tokens: cost per 1k tokens is defined
    assert all(d.tokens > 0 and d.cost_per_1k_tokens for d in ai_costs_daily(rows))
    for provider, total in truth["totals"].items():
        assert abs(counted[provider] - Decimal(total)) < Decimal("0.01"), provider
    # the gateway saw the same calls: its spend per day and provider equals the cost reports'
    by: dict[tuple[str, dt.date, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        kind = "cost" if r.line.source.endswith(("_costs", "_cost")) else r.line.source
        by[(kind, r.line.usage_date, r.line.provider)] += r.cost or Decimal(0)
    for (kind, day, prov), v in by.items():
        if kind == "cost":
            assert abs(by[("litellm", day, prov)] - v) < Decimal("0.000001")
            assert abs(by[("otlp", day, prov)] - v) < Decimal("0.000001")
    # priced usage vs cost report per day and model: within 1e-6 (OpenAI amounts are floats)
    usage = {("openai_usage", "openai_costs"), ("anthropic_usage", "anthropic_cost")}
    for u, c in usage:
        pu: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
        sc: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
        for r in rows:
            if r.line.source == u:
                pu[(r.line.usage_date, r.line.model)] += r.cost or Decimal(0)
            if r.line.source == c:
                sc[(r.line.usage_date, r.line.model)] += r.cost or Decimal(0)
        assert pu.keys() == sc.keys()
        assert all(abs(pu[k] - sc[k]) < Decimal("0.000001") for k in pu)
    # the loop: the agent's daily budget breaker opens on the spike on the last day
    b = AiBudget("triage-daily", "agent", truth["runaway"]["agent"], Decimal(50))
    (st,) = ai_budget_state([b], spend_of(rows), END)
    assert st["breaker_state"] == "open" and "normal daily" in st["breaker_reason"]
    calm = END - dt.timedelta(days=3)
    (st,) = ai_budget_state([b], spend_of(rows), calm)
    assert st["breaker_state"] == "closed"
    meta = json.loads((tmp_path / "landing/_meta/ai_truth.json").read_text())
    assert meta["runaway"]["days"][-1] == END.isoformat()
