"""Sample AI usage: the same LLM calls as four systems see them, for the demo.

``generate_ai(out_dir, end_date, days=30, seed=42)`` simulates agents calling OpenAI and Anthropic
through a LiteLLM gateway, instrumented with OpenTelemetry, and writes under ``out_dir/ai/``:

- ``openai/usage_completions.jsonl`` and ``openai/costs.jsonl`` — the organization Usage and Costs
  API pages (daily buckets, by project, API key, model; line items ``"<model>, input"`` ...);
- ``anthropic/usage_report.json`` and ``anthropic/cost_report.json`` — the Admin API reports
  (cost amounts in cents, as Anthropic sends them);
- ``litellm/spend_logs.csv`` — LiteLLM_SpendLogs rows, one a call (tags ``agent:<name>``, session);
- ``otlp/traces.jsonl`` — OTLP JSON GenAI spans, one document a day;
- ``_meta/ai_truth.json`` — the runaway agent loop (ground truth) and totals per provider.

Every call is priced once from the price table at list price, so the provider cost reports, the
priced usage and the gateway spend agree to the cent per day and model. On the last days the agent
``ticket-triage`` loops (~60x its normal calls in one session): its budget's breaker trips.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.prices import PriceTable, load_prices
from ingest.samples.ai_calls import (
    EIGHT,
    RUNAWAY_AGENT,
    RUNAWAY_DAYS,
    Call,
    cost_of,
    simulate,
    unix,
    write_jsonl,
)
from ingest.samples.ai_gateway import write_litellm, write_otlp


def _openai(calls: list[Call], t: PriceTable, out: Path) -> None:
    usage: dict[tuple[dt.date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    costs: dict[tuple[dt.date, str, str], Decimal] = defaultdict(Decimal)
    kind = {"input": "input", "cache_read": "cached input", "output": "output"}
    for c in calls:
        if c.provider != "openai":
            continue
        u = usage[(c.day, c.model, c.project, c.api_key)]
        u[0] += c.uncached + c.cached
        u[1] += c.cached
        u[2] += c.output
        u[3] += 1
        for tt, v in cost_of(t, c).items():
            costs[(c.day, c.project, f"{c.model}, {kind[tt]}")] += v
    days = sorted({k[0] for k in usage})
    write_jsonl(
        out / "openai" / "usage_completions.jsonl",
        [
            {
                "object": "bucket",
                "start_time": unix(day),
                "end_time": unix(day + dt.timedelta(days=1)),
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": v[0],
                        "input_cached_tokens": v[1],
                        "output_tokens": v[2],
                        "num_model_requests": v[3],
                        "project_id": k[2],
                        "api_key_id": k[3],
                        "model": k[1],
                        "batch": False,
                        "user_id": None,
                    }
                    for k, v in sorted(usage.items())
                    if k[0] == day
                ],
            }
            for day in days
        ],
    )
    write_jsonl(
        out / "openai" / "costs.jsonl",
        [
            {
                "object": "bucket",
                "start_time": unix(day),
                "end_time": unix(day + dt.timedelta(days=1)),
                "results": [
                    {
                        "object": "organization.costs.result",
                        "amount": {"value": float(v.quantize(EIGHT)), "currency": "usd"},
                        "line_item": k[2],
                        "project_id": k[1],
                    }
                    for k, v in sorted(costs.items())
                    if k[0] == day
                ],
            }
            for day in days
        ],
    )


def _anthropic(calls: list[Call], t: PriceTable, out: Path) -> None:
    usage: dict[tuple[dt.date, str, str, str], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    costs: dict[tuple[dt.date, str, str, str], Decimal] = defaultdict(Decimal)
    names = {
        "input": "uncached_input_tokens",
        "output": "output_tokens",
        "cache_read": "cache_read_input_tokens",
        "cache_write_5m": "cache_creation.ephemeral_5m_input_tokens",
    }
    for c in calls:
        if c.provider != "anthropic":
            continue
        u = usage[(c.day, c.model, c.project, c.api_key)]
        for tt, n in c.tokens().items():
            u[tt] += n
        for tt, v in cost_of(t, c).items():
            costs[(c.day, c.model, c.project, tt)] += v
    days = sorted({k[0] for k in usage})

    def when(day: dt.date) -> dict[str, str]:
        return {
            "starting_at": f"{day.isoformat()}T00:00:00Z",
            "ending_at": f"{(day + dt.timedelta(days=1)).isoformat()}T00:00:00Z",
        }

    usage_doc = {
        "data": [
            {
                **when(day),
                "results": [
                    {
                        "uncached_input_tokens": v["input"],
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": v["cache_write_5m"],
                            "ephemeral_1h_input_tokens": 0,
                        },
                        "cache_read_input_tokens": v["cache_read"],
                        "output_tokens": v["output"],
                        "server_tool_use": {"web_search_requests": 0},
                        "api_key_id": k[3],
                        "workspace_id": k[2],
                        "model": k[1],
                        "service_tier": "standard",
                        "context_window": "0-200k",
                    }
                    for k, v in sorted(usage.items())
                    if k[0] == day
                ],
            }
            for day in days
        ],
        "has_more": False,
        "next_page": None,
    }
    cost_doc = {
        "data": [
            {
                **when(day),
                "results": [
                    {
                        "currency": "USD",
                        "amount": format((v * 100).normalize(), "f"),
                        "workspace_id": k[2],
                        "description": f"{k[1]} usage - {names[k[3]]}",
                        "cost_type": "tokens",
                        "context_window": "0-200k",
                        "model": k[1],
                        "service_tier": "standard",
                        "token_type": names[k[3]],
                    }
                    for k, v in sorted(costs.items())
                    if k[0] == day
                ],
            }
            for day in days
        ],
        "has_more": False,
        "next_page": None,
    }
    (out / "anthropic").mkdir(parents=True, exist_ok=True)
    (out / "anthropic" / "usage_report.json").write_text(json.dumps(usage_doc), encoding="utf-8")
    (out / "anthropic" / "cost_report.json").write_text(json.dumps(cost_doc), encoding="utf-8")


def generate_ai(out_dir: Path, end_date: dt.date, days: int = 30, seed: int = 42) -> dict[str, Any]:
    """Write the four sources' files for the same simulated calls; returns the ground truth."""
    t = load_prices()
    calls = simulate(end_date, days, seed)
    out = out_dir / "ai"
    _openai(calls, t, out)
    _anthropic(calls, t, out)
    write_litellm(calls, t, out)
    write_otlp(calls, out)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for c in calls:
        totals[c.provider] += sum(cost_of(t, c).values(), Decimal(0))
    loop_days = [end_date - dt.timedelta(days=i) for i in range(RUNAWAY_DAYS)]
    truth = {
        "calls": len(calls),
        "runaway": {"agent": RUNAWAY_AGENT, "days": sorted(d.isoformat() for d in loop_days)},
        "totals": {k: str(v) for k, v in sorted(totals.items())},
    }
    (out_dir / "_meta").mkdir(parents=True, exist_ok=True)
    (out_dir / "_meta" / "ai_truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth
