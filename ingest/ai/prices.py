"""The token price table (``data/model_prices.csv``, built by ``make ai-prices``) and the user's
negotiated overrides, and the list price of a number of tokens of one type.

Prices are per 1M tokens. Cached reads, 5-minute and 1-hour cache writes, batch prices and prices
tiered above a prompt-size threshold each have their column; a missing cache-read price falls back
to the input price, a missing 1-hour write to the 5-minute one, a missing batch price to standard.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.ai.records import AiFileError

DEFAULT_TABLE = Path(__file__).parent / "data" / "model_prices.csv"
MILLION = Decimal(1_000_000)
PRICE_COLUMNS = (
    "input_per_1m",
    "output_per_1m",
    "cache_read_per_1m",
    "cache_write_5m_per_1m",
    "cache_write_1h_per_1m",
    "input_batch_per_1m",
    "output_batch_per_1m",
    "input_above_per_1m",
    "output_above_per_1m",
    "cache_read_above_per_1m",
)
_DATE_SUFFIX = re.compile(r"(-\d{8}|-\d{4}-\d{2}-\d{2})(-v\d+(:\d+)?)?$")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class ModelPrice:
    model: str
    provider: str
    prices: dict[str, Decimal | None]
    tier_threshold_tokens: int | None
    source_url: str
    source: str
    as_of: str

    def get(self, col: str) -> Decimal | None:
        return self.prices.get(col)


def _dec(v: str, file: str, line: int, col: str) -> Decimal | None:
    v = (v or "").strip()
    if not v:
        return None
    try:
        d = Decimal(v)
    except InvalidOperation:
        raise AiFileError(f"{file} line {line}: {col} is not a number") from None
    if not d.is_finite() or d < 0 or d > 1_000_000:
        raise AiFileError(f"{file} line {line}: {col} is out of range (0..1000000 per 1M tokens)")
    return d


def _read(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            if i > MAX_ROWS:
                raise AiFileError(f"{path.name}: more than {MAX_ROWS} rows")
            yield i, row


class PriceTable:
    def __init__(self, rows: dict[str, ModelPrice]) -> None:
        self.rows = rows

    def lookup(self, model: str, provider: str = "") -> ModelPrice | None:
        """The price row of a model as the sources name it: exact, without a ``provider/`` prefix,
        with a ``provider/`` prefix, or without a date/version suffix."""
        m = (model or "").strip()
        cands = [m, m.split("/", 1)[1] if "/" in m else "", f"{provider}/{m}" if provider else ""]
        cands.append(_DATE_SUFFIX.sub("", cands[1] or m))
        if m.startswith(("anthropic.", "us.anthropic.", "eu.anthropic.")):
            cands.append(m.split("anthropic.", 1)[1])
        for c in cands:
            if c and c in self.rows:
                return self.rows[c]
        if provider == "anthropic" or m.startswith("claude-"):
            # a Claude model the table no longer lists under Anthropic (retired ids) is priced at
            # its Bedrock on-demand row, which is Anthropic's list price; the row names itself
            bedrock = f"anthropic.{_DATE_SUFFIX.sub(lambda x: x.group(1), m)}-v1:0"
            return self.rows.get(bedrock)
        return None


def load_prices(table: Path = DEFAULT_TABLE, overrides: Path | None = None) -> PriceTable:
    """The price table, with the user's negotiated prices (same columns, any subset of the price
    columns; their rows name their own source) replacing the list prices they cover."""
    rows: dict[str, ModelPrice] = {}
    for path, is_override in ((table, False), (overrides, True)):
        if path is None:
            continue
        for line, r in _read(path):
            model = (r.get("model") or "").strip()
            if not model:
                raise AiFileError(f"{path.name} line {line}: model is empty")
            prices = {c: _dec(r.get(c) or "", path.name, line, c) for c in PRICE_COLUMNS}
            th = (r.get("tier_threshold_tokens") or "").strip()
            if th and not th.isdigit():
                raise AiFileError(f"{path.name} line {line}: tier_threshold_tokens is not a count")
            base = rows.get(model)
            if is_override and base is not None:
                merged = {c: (prices[c] if prices[c] is not None else base.get(c)) for c in prices}
                rows[model] = replace(
                    base,
                    prices=merged,
                    tier_threshold_tokens=int(th) if th else base.tier_threshold_tokens,
                    source=(r.get("source") or "negotiated price").strip()[:200],
                    as_of=(r.get("as_of") or "").strip()[:10],
                )
                continue
            rows[model] = ModelPrice(
                model=model,
                provider=(r.get("litellm_provider") or r.get("provider") or "").strip(),
                prices=prices,
                tier_threshold_tokens=int(th) if th else None,
                source_url=(r.get("source_url") or "").strip(),
                source=(r.get("source") or ("negotiated price" if is_override else "")).strip(),
                as_of=(r.get("as_of") or "").strip()[:10],
            )
    return PriceTable(rows)


def unit_price(
    p: ModelPrice, token_type: str, service_tier: str = "standard", context_tokens: int = 0
) -> Decimal | None:
    """The per-1M price of one token type under a service tier and prompt size (None: unpriced)."""
    above = p.tier_threshold_tokens is not None and context_tokens > p.tier_threshold_tokens
    inp, out = p.get("input_per_1m"), p.get("output_per_1m")
    if above:
        inp = p.get("input_above_per_1m") or inp
        out = p.get("output_above_per_1m") or out
    if service_tier == "batch":
        inp = p.get("input_batch_per_1m") or inp
        out = p.get("output_batch_per_1m") or out
    cr = (p.get("cache_read_above_per_1m") if above else None) or p.get("cache_read_per_1m")
    w5 = p.get("cache_write_5m_per_1m")
    by_type = {
        "input": inp,
        "output": out,
        "cache_read": cr if cr is not None else inp,
        "cache_write_5m": w5 or inp,
        "cache_write_1h": p.get("cache_write_1h_per_1m") or w5 or inp,
    }
    return by_type.get(token_type)


def list_cost(
    p: ModelPrice | None,
    token_type: str,
    tokens: int,
    service_tier: str = "standard",
    context_tokens: int = 0,
) -> Decimal | None:
    """The exact list cost of ``tokens`` tokens (None when the model or token type is unpriced)."""
    if p is None:
        return None
    u = unit_price(p, token_type, service_tier, context_tokens)
    return None if u is None else u * tokens / MILLION
