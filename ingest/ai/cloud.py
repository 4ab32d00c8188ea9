"""AI usage already in the cloud bills: Amazon Bedrock usage types, Azure OpenAI meters and Vertex
AI / Gemini SKUs recognised as AI lines, with the model and token type parsed out of the text the
bill carries. These lines stay in fct_charges as billed; the AI marts show them next to the direct
API spend (``counts_in_total`` there too, never added to fct_charges a second time).

Examples (the spellings seen in CUR, Azure cost details and the GCP billing export):
``USE1-Claude3.7Sonnet-cache-read-input-token-count``, ``USW2-Llama3-70B-output-tokens``,
``gpt-4o-mini-0718-Inp-glbl``, ``gpt 4o 0513 Output global Tokens``,
``Gemini 2.0 Flash Cached Input Text Tokens``.
"""

from __future__ import annotations

import re

_REGION = re.compile(r"^(?:[A-Z]{2,4}\d?)-(?=\S)")
_BEDROCK = re.compile(
    r"^(?P<model>.+?)-(?:(?P<batch>batch)-)?(?P<kind>cache-read-input-token-count|cache-write-input-token-count|"
    r"cache-read-input-tokens|cache-write-input-tokens|input-tokens|output-tokens|"
    r"input-token-count|output-token-count)(?:-\w+)?$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[\s_]+")
AZURE_WORDS = (
    " cached", "-cached", " cchd", "-cchd", " inp", "-inp", " outp", "-outp",
    " input", "-input", " output", "-output",
)  # fmt: skip


def _kind(text: str) -> str | None:
    t = text.lower()
    if "cache" in t and ("read" in t or "cached" in t or "cchd" in t):
        return "cache_read"
    if "cached" in t or "cchd" in t:
        return "cache_read"
    if "cache" in t and ("write" in t or "creation" in t):
        return "cache_write_5m"
    if re.search(r"(^|[\s\-_])(outp|output|out)([\s\-_]|$)", t):
        return "output"
    if re.search(r"(^|[\s\-_])(inp|input|in)([\s\-_]|$)", t):
        return "input"
    return None


def _model_before(text: str, words: tuple[str, ...]) -> str:
    low = text.lower()
    cut = min((i for w in words if (i := low.find(w)) > 0), default=len(text))
    return _WORDS.sub("-", text[:cut].strip(" -_")).lower()


def classify(
    provider: str, service_name: str, sku_meter: str | None, description: str | None = None
) -> tuple[str, str, str] | None:
    """(ai_provider, model, token_type) of a cloud bill line that is AI token usage, else None."""
    service = (service_name or "").lower()
    meter = (sku_meter or "").strip()
    text = meter or (description or "").strip()
    if not text or len(text) > 300:
        return None
    if provider == "aws" and "bedrock" in service:
        m = _BEDROCK.match(_REGION.sub("", text))
        if not m:
            return None
        k = m.group("kind").lower()
        kind = (
            "cache_read"
            if k.startswith("cache-read")
            else "cache_write_5m"
            if k.startswith("cache-write")
            else "output"
            if k.startswith("output")
            else "input"
        )
        return ("bedrock", m.group("model").lower(), kind)
    if provider == "azure" and ("openai" in service or "cognitive" in service):
        akind = _kind(text)
        if akind is None or "token" not in text.lower() and not re.search(r"inp|outp", text, re.I):
            return None
        return ("azure_openai", _model_before(text, AZURE_WORDS), akind)
    if provider == "gcp" and ("vertex" in service or "gemini" in service):
        gkind = _kind(text)
        if gkind is None or not re.search(r"gemini|claude|llama|mistral|palm", text, re.I):
            return None
        return ("vertex_ai", _model_before(text, (" cached", " input", " output")), gkind)
    return None


_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM])?\b")


def unit_multiplier(unit: str | None) -> int:
    """Tokens per unit of a bill's quantity: ``1000 Tokens``, ``1K tokens`` -> 1000, ``1M`` ->
    1,000,000, a bare unit (``Tokens``, ``Count``) -> 1."""
    m = _UNIT.match(unit or "")
    if not m:
        return 1
    n = float(m.group(1)) * {"k": 1000, "m": 1_000_000}.get((m.group(2) or "").lower(), 1)
    return max(1, int(n))
