"""Anthropic Admin API Messages usage report (``/v1/organizations/usage_report/messages``) and
cost report (``/v1/organizations/cost_report``) responses saved as JSON or JSONL.

Usage results: uncached input, cache read, cache creation (5-minute and 1-hour) and output tokens
per model, workspace, API key, service tier and context window. Cost results: ``amount`` is a
decimal string in the currency's lowest unit (cents), per workspace, description, model, token
type and service tier; it is converted to dollars exactly (/100).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.jsonio import buckets, day_of_rfc3339, read_documents
from ingest.ai.records import AiFileError, AiLine, money_of, text_of, tokens_of

TOKEN_TYPES = {
    "uncached_input_tokens": "input",
    "output_tokens": "output",
    "cache_read_input_tokens": "cache_read",
    "cache_creation.ephemeral_5m_input_tokens": "cache_write_5m",
    "cache_creation.ephemeral_1h_input_tokens": "cache_write_1h",
}
LONG_CONTEXT = 200_001  # a request in the "200k-1M" context window is above the 200k tier


def _context(r: dict[str, Any]) -> int:
    return LONG_CONTEXT if str(r.get("context_window") or "").startswith("200k") else 0


def _usage(r: dict[str, Any], day: Any, file: str) -> list[AiLine]:
    cc = r.get("cache_creation") or {}
    if not isinstance(cc, dict):
        raise AiFileError(f"{file}: cache_creation is not an object")
    counts = {
        "input": tokens_of(r.get("uncached_input_tokens"), file, "uncached_input_tokens"),
        "cache_read": tokens_of(r.get("cache_read_input_tokens"), file, "cache_read_input_tokens"),
        "cache_write_5m": tokens_of(
            cc.get("ephemeral_5m_input_tokens"), file, "ephemeral_5m_input_tokens"
        ),
        "cache_write_1h": tokens_of(
            cc.get("ephemeral_1h_input_tokens"), file, "ephemeral_1h_input_tokens"
        ),
        "output": tokens_of(r.get("output_tokens"), file, "output_tokens"),
    }
    return [
        AiLine(
            source="anthropic_usage",
            file=file,
            usage_date=day,
            provider="anthropic",
            model=text_of(r.get("model")),
            token_type=t,
            tokens=n,
            service_tier=text_of(r.get("service_tier") or "standard", 40),
            project=text_of(r.get("workspace_id")),
            api_key=text_of(r.get("api_key_id")),
            context_tokens=_context(r),
        )
        for t, n in counts.items()
        if n
    ]


def _cost(r: dict[str, Any], day: Any, file: str) -> AiLine:
    cents = money_of(r.get("amount"), file, "amount")
    tt = text_of(r.get("token_type"), 80)
    return AiLine(
        source="anthropic_cost",
        file=file,
        usage_date=day,
        provider="anthropic",
        model=text_of(r.get("model")),
        token_type=TOKEN_TYPES.get(tt, "other"),
        tokens=0,
        cost=cents / Decimal(100),
        currency=text_of(r.get("currency") or "USD", 3).upper(),
        service_tier=text_of(r.get("service_tier") or "standard", 40),
        project=text_of(r.get("workspace_id")),
        line_item=text_of(r.get("description")),
        context_tokens=_context(r),
    )


def read_anthropic(path: Path) -> list[AiLine]:
    """The lines of a saved Anthropic usage report or cost report (told apart by ``amount``)."""
    file = path.name
    lines: list[AiLine] = []
    for doc in read_documents(path):
        for b in buckets(doc, file):
            day = day_of_rfc3339(b.get("starting_at"), file)
            for r in b.get("results", []):
                if not isinstance(r, dict):
                    raise AiFileError(f"{file}: a result is not an object")
                if "amount" in r:
                    lines.append(_cost(r, day, file))
                else:
                    lines.extend(_usage(r, day, file))
    return lines
