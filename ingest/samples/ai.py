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

import csv
import datetime as dt
import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.prices import PriceTable, list_cost, load_prices

#: agent -> (provider, model, team, project/workspace, api key, calls a day, input, output tokens)
AGENTS = {
    "support-bot": ("openai", "gpt-4o-mini", "crm", "proj_support", "key_support", 40, 18000, 3500),
    "code-review": (
        "anthropic",
        "claude-sonnet-4-5-20250929",
        "ci-cd",
        "wrkspc_eng",
        "apikey_review",
        12,
        90000,
        9000,
    ),
    "research": ("openai", "gpt-4o", "llm-apps", "proj_research", "key_research", 8, 60000, 12000),
    "ticket-triage": (
        "anthropic",
        "claude-haiku-4-5",
        "notifications",
        "wrkspc_ops",
        "apikey_triage",
        20,
        25000,
        3000,
    ),
}
RUNAWAY_AGENT = "ticket-triage"
RUNAWAY_FACTOR = 60
RUNAWAY_DAYS = 2
EIGHT = Decimal("1e-8")


@dataclass(frozen=True)
class Call:
    day: dt.date
    ts: dt.datetime
    agent: str
    session: str
    request_id: str
    provider: str
    model: str
    team: str
    project: str
    api_key: str
    uncached: int
    cached: int
    cache_write: int
    output: int

    def tokens(self) -> dict[str, int]:
        return {
            "input": self.uncached,
            "cache_read": self.cached,
            "cache_write_5m": self.cache_write,
            "output": self.output,
        }


def simulate(end_date: dt.date, days: int, seed: int) -> list[Call]:
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    calls: list[Call] = []
    for d in range(days):
        day = end_date - dt.timedelta(days=days - 1 - d)
        for agent, (prov, model, team, proj, key, per_day, inp, out) in AGENTS.items():
            n = max(1, int(rng.gauss(per_day, per_day * 0.15)))
            loop = agent == RUNAWAY_AGENT and d >= days - RUNAWAY_DAYS
            if loop:
                n *= RUNAWAY_FACTOR
            for i in range(n):
                session = f"{agent}-{day:%m%d}-{'loop' if loop else i // 5}"
                prompt = max(50, int(rng.gauss(inp, inp * 0.2)))
                cached = int(prompt * rng.choice((0, 0, 0.5, 0.8))) if prompt >= 1024 else 0
                write = int(prompt * 0.1) if prov == "anthropic" and cached == 0 else 0
                ts = dt.datetime.combine(day, dt.time(), dt.UTC) + dt.timedelta(
                    seconds=rng.randrange(86_400)
                )
                calls.append(
                    Call(
                        day,
                        ts,
                        agent,
                        session,
                        f"req_{seed}_{len(calls):07d}",
                        prov,
                        model,
                        team,
                        proj,
                        key,
                        prompt - cached - write,
                        cached,
                        write,
                        max(1, int(rng.gauss(out, out * 0.3))),
                    )
                )
    return calls


def _cost(t: PriceTable, c: Call) -> dict[str, Decimal]:
    p = t.lookup(c.model, c.provider)
    if p is None:
        raise ValueError(f"{c.model} is not in the price table")
    out = {}
    for tt, n in c.tokens().items():
        v = list_cost(p, tt, n)
        if n and v is not None:
            out[tt] = v
    return out


def _unix(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())


def _write_jsonl(path: Path, docs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")


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
        for tt, v in _cost(t, c).items():
            costs[(c.day, c.project, f"{c.model}, {kind[tt]}")] += v
    days = sorted({k[0] for k in usage})
    _write_jsonl(
        out / "openai" / "usage_completions.jsonl",
        [
            {
                "object": "bucket",
                "start_time": _unix(day),
                "end_time": _unix(day + dt.timedelta(days=1)),
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
    _write_jsonl(
        out / "openai" / "costs.jsonl",
        [
            {
                "object": "bucket",
                "start_time": _unix(day),
                "end_time": _unix(day + dt.timedelta(days=1)),
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
        for tt, v in _cost(t, c).items():
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


def _litellm(calls: list[Call], t: PriceTable, out: Path) -> None:
    (out / "litellm").mkdir(parents=True, exist_ok=True)
    cols = [
        "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens",
        "completion_tokens", "startTime", "endTime", "model", "model_group",
        "custom_llm_provider", "user", "metadata", "request_tags", "team_id", "end_user",
        "session_id",
    ]  # fmt: skip
    with (out / "litellm" / "spend_logs.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for c in calls:
            spend = sum(_cost(t, c).values(), Decimal(0))
            prompt = c.uncached + c.cached + c.cache_write
            meta = {
                "usage_object": {
                    "cache_read_input_tokens": c.cached,
                    "cache_creation_input_tokens": c.cache_write,
                }
            }
            w.writerow(
                [
                    c.request_id,
                    "acompletion",
                    f"hashed-{c.api_key}",
                    format(spend.normalize(), "f"),
                    prompt + c.output,
                    prompt,
                    c.output,
                    c.ts.isoformat(),
                    (c.ts + dt.timedelta(seconds=2)).isoformat(),
                    c.model,
                    c.model,
                    c.provider,
                    f"{c.agent}@example.com",
                    json.dumps(meta),
                    json.dumps([f"agent:{c.agent}"]),
                    c.team,
                    "",
                    c.session,
                ]
            )


def _attr(k: str, v: str | int) -> dict[str, Any]:
    val = {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}
    return {"key": k, "value": val}


def _otlp(calls: list[Call], out: Path) -> None:
    by_day: dict[dt.date, list[Call]] = defaultdict(list)
    for c in calls:
        by_day[c.day].append(c)
    docs = []
    for day in sorted(by_day):
        by_agent: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in by_day[day]:
            start = int(c.ts.timestamp()) * 10**9
            by_agent[c.agent].append(
                {
                    "traceId": hashlib.sha256(c.session.encode()).hexdigest()[:32],
                    "spanId": c.request_id[-16:].rjust(16, "0"),
                    "name": f"chat {c.model}",
                    "kind": 3,
                    "startTimeUnixNano": str(start),
                    "endTimeUnixNano": str(start + 2 * 10**9),
                    "attributes": [
                        _attr("gen_ai.operation.name", "chat"),
                        _attr("gen_ai.provider.name", c.provider),
                        _attr("gen_ai.request.model", c.model),
                        _attr("gen_ai.agent.name", c.agent),
                        _attr("gen_ai.conversation.id", c.session),
                        _attr("gen_ai.usage.input_tokens", c.uncached + c.cached + c.cache_write),
                        _attr("gen_ai.usage.cache_read.input_tokens", c.cached),
                        _attr("gen_ai.usage.cache_creation.input_tokens", c.cache_write),
                        _attr("gen_ai.usage.output_tokens", c.output),
                    ],
                }
            )
        docs.append(
            {
                "resourceSpans": [
                    {
                        "resource": {"attributes": [_attr("service.name", agent)]},
                        "scopeSpans": [{"scope": {"name": "sibyl-sample"}, "spans": spans}],
                    }
                    for agent, spans in sorted(by_agent.items())
                ]
            }
        )
    _write_jsonl(out / "otlp" / "traces.jsonl", docs)


def generate_ai(out_dir: Path, end_date: dt.date, days: int = 30, seed: int = 42) -> dict[str, Any]:
    """Write the four sources' files for the same simulated calls; returns the ground truth."""
    t = load_prices()
    calls = simulate(end_date, days, seed)
    out = out_dir / "ai"
    _openai(calls, t, out)
    _anthropic(calls, t, out)
    _litellm(calls, t, out)
    _otlp(calls, out)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for c in calls:
        totals[c.provider] += sum(_cost(t, c).values(), Decimal(0))
    loop_days = [end_date - dt.timedelta(days=i) for i in range(RUNAWAY_DAYS)]
    truth = {
        "calls": len(calls),
        "runaway": {"agent": RUNAWAY_AGENT, "days": sorted(d.isoformat() for d in loop_days)},
        "totals": {k: str(v) for k, v in sorted(totals.items())},
    }
    (out_dir / "_meta").mkdir(parents=True, exist_ok=True)
    (out_dir / "_meta" / "ai_truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth
