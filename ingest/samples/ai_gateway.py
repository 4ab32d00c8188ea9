"""The gateway's and the agents' view of the sample calls: LiteLLM spend logs and OTLP spans."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.prices import PriceTable
from ingest.samples.ai_calls import Call, cost_of, write_jsonl


def write_litellm(calls: list[Call], t: PriceTable, out: Path) -> None:
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
            spend = sum(cost_of(t, c).values(), Decimal(0))
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


def write_otlp(calls: list[Call], out: Path) -> None:
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
    write_jsonl(out / "otlp" / "traces.jsonl", docs)
