"""The simulated LLM calls behind the AI sample files (ingest/samples/ai.py): agents, their
models and teams, a runaway loop, each call priced once from the price table."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.prices import PriceTable, list_cost

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


def cost_of(t: PriceTable, c: Call) -> dict[str, Decimal]:
    p = t.lookup(c.model, c.provider)
    if p is None:
        raise ValueError(f"{c.model} is not in the price table")
    out = {}
    for tt, n in c.tokens().items():
        v = list_cost(p, tt, n)
        if n and v is not None:
            out[tt] = v
    return out


def unix(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp())


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
