"""OpenAI organization Costs (``/v1/organization/costs``) and Usage
(``/v1/organization/usage/completions``) API responses saved as JSON or JSONL.

Costs results carry ``amount.value`` (dollars) per bucket, ``project_id`` and ``line_item``
(e.g. ``"gpt-4o-2024-08-06, input"``); usage results carry input (including cached), cached input
and output tokens per model, project, API key and batch flag. ``input_tokens`` counts the cached
ones too, so uncached input is ``input_tokens - input_cached_tokens``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.ai.jsonio import buckets, day_of_unix, read_documents
from ingest.ai.records import AiFileError, AiLine, money_of, text_of, tokens_of

COSTS = "organization.costs.result"
USAGE = "organization.usage.completions.result"


def line_item_parts(item: str) -> tuple[str, str]:
    """Model and token type of a costs line item (``"gpt-4o-mini-2024-07-18, cached input"``)."""
    model, _, kind = item.rpartition(",")
    if not model:
        return item.strip(), "other"
    k = kind.strip().lower()
    if "cached" in k or "cache" in k:
        return model.strip(), "cache_read"
    if "input" in k:
        return model.strip(), "input"
    if "output" in k:
        return model.strip(), "output"
    return model.strip(), "other"


def _cost(r: dict[str, Any], day: Any, file: str) -> AiLine:
    amount = r.get("amount") or {}
    if not isinstance(amount, dict):
        raise AiFileError(f"{file}: a costs result's amount is not an object")
    item = text_of(r.get("line_item"))
    model, ttype = line_item_parts(item) if item else ("", "other")
    return AiLine(
        source="openai_costs",
        file=file,
        usage_date=day,
        provider="openai",
        model=model,
        token_type=ttype,
        tokens=0,
        cost=money_of(amount.get("value"), file, "amount.value"),
        currency=text_of(amount.get("currency") or "usd", 3).upper(),
        project=text_of(r.get("project_id")),
        line_item=item,
    )


def _usage(r: dict[str, Any], day: Any, file: str) -> list[AiLine]:
    inp = tokens_of(r.get("input_tokens"), file, "input_tokens")
    cached = tokens_of(r.get("input_cached_tokens"), file, "input_cached_tokens")
    if cached > inp:
        raise AiFileError(f"{file}: input_cached_tokens exceeds input_tokens")
    common = {
        "source": "openai_usage",
        "file": file,
        "usage_date": day,
        "provider": "openai",
        "model": text_of(r.get("model")),
        "service_tier": "batch" if r.get("batch") is True else "standard",
        "project": text_of(r.get("project_id")),
        "api_key": text_of(r.get("api_key_id")),
        "user": text_of(r.get("user_id")),
    }
    out = tokens_of(r.get("output_tokens"), file, "output_tokens")
    return [
        AiLine(token_type=t, tokens=n, **common)  # type: ignore[arg-type]
        for t, n in (("input", inp - cached), ("cache_read", cached), ("output", out))
        if n
    ]


def read_openai(path: Path) -> list[AiLine]:
    """The lines of a saved OpenAI costs or usage response (pages or buckets, JSON or JSONL)."""
    file = path.name
    lines: list[AiLine] = []
    for doc in read_documents(path):
        for b in buckets(doc, file):
            day = day_of_unix(b.get("start_time"), file)
            for r in b.get("results", []):
                kind = r.get("object") if isinstance(r, dict) else None
                if kind == COSTS:
                    lines.append(_cost(r, day, file))
                elif kind == USAGE:
                    lines.extend(_usage(r, day, file))
                else:
                    raise AiFileError(f"{file}: result object {str(kind)[:60]!r} is not supported")
    return lines
