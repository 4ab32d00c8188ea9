"""The one record every AI source is parsed into: a number of tokens of one type, of one model,
on one day, with the source's own cost when it carries one, and whatever attribution it names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

TOKEN_TYPES = (
    "input",
    "output",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "other",
)
UNTYPED = "other"  # usage without a token type (request-priced lines, line items)
MAX_TOKENS = 10**15  # a bound no real day of one model reaches
MAX_COST = Decimal(10**12)


class AiFileError(ValueError):
    """A file that cannot be read as the format it claims; the message names the file and problem."""


@dataclass(frozen=True)
class AiLine:
    source: str  # openai_usage | openai_costs | anthropic_usage | anthropic_cost | litellm | otlp
    file: str
    usage_date: dt.date
    provider: str  # openai, anthropic, bedrock, azure, vertex_ai, ...
    model: str
    token_type: str
    tokens: int
    cost: Decimal | None = None  # the source's own cost, None for usage-only sources
    currency: str = "USD"
    service_tier: str = "standard"  # standard | batch | priority | flex
    project: str = ""  # OpenAI project, Anthropic workspace
    api_key: str = ""
    team: str = ""
    user: str = ""
    end_user: str = ""
    agent: str = ""
    session: str = ""
    request_id: str = ""
    line_item: str = ""
    context_tokens: int = 0  # the request's prompt size, for prices tiered above a threshold


def tokens_of(v: object, file: str, what: str) -> int:
    """A token count from JSON/CSV: a non-negative integer within bounds, else AiFileError."""
    if v is None or v == "":
        return 0
    try:
        n = int(str(v).strip()) if not isinstance(v, int) else v
    except ValueError:
        raise AiFileError(f"{file}: {what} is not an integer token count") from None
    if isinstance(v, bool) or not 0 <= n <= MAX_TOKENS:
        raise AiFileError(f"{file}: {what} is out of range (0..{MAX_TOKENS})")
    return n


def money_of(v: object, file: str, what: str) -> Decimal:
    """A money amount as an exact Decimal (floats through their shortest repr), bounds checked."""
    if isinstance(v, bool) or v is None or v == "":
        raise AiFileError(f"{file}: {what} is missing")
    try:
        d = Decimal(repr(v)) if isinstance(v, float) else Decimal(str(v).strip())
    except InvalidOperation:
        raise AiFileError(f"{file}: {what} is not a number") from None
    if not d.is_finite() or abs(d) > MAX_COST:
        raise AiFileError(f"{file}: {what} is out of range")
    return d


def text_of(v: object, limit: int = 200) -> str:
    """An identifier or label as bounded plain text ('' for null)."""
    if v is None:
        return ""
    return str(v).strip()[:limit]


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` (to 1e-10), the rounding remainder on the largest share, so
    the parts sum to ``total`` exactly. Equal parts when every weight is zero."""
    if not weights:
        return []
    q = Decimal("1e-10")
    s = sum(weights, Decimal(0))
    ws = weights if s > 0 else [Decimal(1)] * len(weights)
    s = sum(ws, Decimal(0))
    parts = [(total * w / s).quantize(q) for w in ws]
    big = max(range(len(ws)), key=lambda i: ws[i])
    parts[big] += total - sum(parts, Decimal(0))
    return parts
