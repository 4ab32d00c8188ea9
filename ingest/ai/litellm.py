"""LiteLLM proxy spend logs: ``LiteLLM_SpendLogs`` rows exported as CSV or Parquet (one row a
request: request_id, spend, prompt/completion tokens, model, custom_llm_provider, api_key (hashed),
user, end_user, team_id, request_tags, session_id, metadata, startTime), and LiteLLM's FOCUS
export (put it here, not under focus/: its spend is the same calls the provider reports bill).

Cache tokens are read from ``metadata.usage_object`` when LiteLLM recorded them; they are counted in
``prompt_tokens`` and moved out of the input line. A row's ``spend`` is split over its token lines in
proportion to their list prices (exactly: the parts sum to the spend). Agent and session come from
``session_id`` / tags ``agent:<name>`` and ``session:<id>`` / metadata of the same names.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ingest.ai.prices import PriceTable, list_cost, load_prices
from ingest.ai.records import UNTYPED, AiFileError, AiLine, allocate, money_of, text_of, tokens_of

REQUIRED = ("request_id", "spend", "prompt_tokens", "completion_tokens", "model", "startTime")
MAX_JSON = 64_000


def _json(v: Any) -> Any:
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        return v
    if len(v) > MAX_JSON:
        return None
    try:
        return json.loads(v)
    except json.JSONDecodeError:
        return None


def _tags(v: Any) -> list[str]:
    t = _json(v)
    return [str(x)[:200] for x in t] if isinstance(t, list) else []


def _tagged(tags: list[str], key: str) -> str:
    for t in tags:
        k, _, val = t.partition(":")
        if k.strip().lower() == key and val.strip():
            return val.strip()[:200]
    return ""


def _day(v: Any, file: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).date() if v.tzinfo else v.date()
    try:
        s = str(v).strip().replace("Z", "+00:00")
        d = dt.datetime.fromisoformat(s)
    except ValueError:
        raise AiFileError(f"{file}: startTime {str(v)[:40]!r} is not a timestamp") from None
    return d.astimezone(dt.UTC).date() if d.tzinfo else d.date()


def _frame(path: Path) -> pl.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path)
        return pl.read_csv(path, infer_schema_length=0)
    except (pl.exceptions.PolarsError, OSError) as e:
        raise AiFileError(
            f"{path.name}: not a readable spend-log export ({type(e).__name__})"
        ) from None


def _provider(row: dict[str, Any]) -> str:
    p = text_of(row.get("custom_llm_provider"), 40).lower()
    if p:
        return p
    m = text_of(row.get("model")).lower()
    return m.split("/", 1)[0] if "/" in m else ("anthropic" if "claude" in m else "openai")


FOCUS_REQUIRED = ("BilledCost", "ChargePeriodStart", "ProviderName", "ResourceId")


def read_litellm_focus(df: pl.DataFrame, file: str) -> list[AiLine]:
    """LiteLLM's FOCUS export (litellm/integrations/focus: one row per day, API key, model and
    team; ConsumedUnit ``Requests``, no tokens): cost lines per provider and model, attributed by
    the row's Tags (team_id, user_id) and BillingAccountId (the API key)."""
    lines = []
    for i, row in enumerate(df.iter_rows(named=True), start=2):
        where = f"{file} row {i}"
        raw = _json(row.get("Tags"))
        tags: dict[str, Any] = raw if isinstance(raw, dict) else {}
        lines.append(
            AiLine(
                source="litellm_focus",
                file=file,
                usage_date=_day(row.get("ChargePeriodStart"), where),
                provider=text_of(row.get("ProviderName"), 40).lower() or "unknown",
                model=text_of(row.get("ResourceId")),
                token_type=UNTYPED,
                tokens=0,
                cost=money_of(row.get("BilledCost"), where, "BilledCost"),
                currency=text_of(row.get("BillingCurrency") or "USD", 3).upper(),
                api_key=text_of(row.get("BillingAccountId"), 80),
                team=text_of(tags.get("team_id") or row.get("SubAccountId")),
                user=text_of(tags.get("user_id")),
            )
        )
    return lines


def read_litellm(path: Path, prices: PriceTable | None = None) -> list[AiLine]:
    """The token lines of a LiteLLM SpendLogs export, each request's spend split over them, or the
    cost lines of LiteLLM's FOCUS export (told apart by its columns)."""
    file = path.name
    df = _frame(path)
    if all(c in df.columns for c in FOCUS_REQUIRED):
        return read_litellm_focus(df, file)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise AiFileError(f"{file}: not a LiteLLM_SpendLogs export (missing {', '.join(missing)})")
    table = prices or load_prices()
    lines: list[AiLine] = []
    for i, row in enumerate(df.iter_rows(named=True), start=2):
        where = f"{file} row {i}"
        raw = _json(row.get("metadata"))
        meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
        u = meta.get("usage_object")
        usage: dict[str, Any] = u if isinstance(u, dict) else {}
        tags = _tags(row.get("request_tags"))
        prompt = tokens_of(row.get("prompt_tokens"), where, "prompt_tokens")
        c_read = tokens_of(usage.get("cache_read_input_tokens"), where, "cache_read_input_tokens")
        c_write = tokens_of(
            usage.get("cache_creation_input_tokens"), where, "cache_creation_input_tokens"
        )
        counts = {
            "input": max(prompt - c_read - c_write, 0),
            "cache_read": c_read,
            "cache_write_5m": c_write,
            "output": tokens_of(row.get("completion_tokens"), where, "completion_tokens"),
        }
        counts = {k: v for k, v in counts.items() if v} or {"other": 0}
        provider = _provider(row)
        model = text_of(row.get("model"))
        p = table.lookup(model, provider)
        weights = [
            list_cost(p, t, n, context_tokens=prompt) or Decimal(n) for t, n in counts.items()
        ]
        spend = money_of(row.get("spend") if row.get("spend") is not None else 0, where, "spend")
        common = {
            "source": "litellm",
            "file": file,
            "usage_date": _day(row.get("startTime"), where),
            "provider": provider,
            "model": model,
            "api_key": text_of(row.get("api_key"), 80),
            "team": text_of(row.get("team_id")),
            "user": text_of(row.get("user")),
            "end_user": text_of(row.get("end_user")),
            "agent": _tagged(tags, "agent") or text_of(meta.get("agent")),
            "session": text_of(row.get("session_id"))
            or _tagged(tags, "session")
            or text_of(meta.get("session_id")),
            "request_id": text_of(row.get("request_id")),
            "context_tokens": prompt,
        }
        for (t, n), c in zip(counts.items(), allocate(spend, weights), strict=True):
            lines.append(AiLine(token_type=t, tokens=n, cost=c, **common))  # type: ignore[arg-type]
    return lines
