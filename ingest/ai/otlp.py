"""OpenTelemetry GenAI spans and metrics exported as OTLP JSON (the file exporter's / collector's
``{"resourceSpans": [...]}`` and ``{"resourceMetrics": [...]}``, one document or one a line).

Spans: ``gen_ai.provider.name`` (or the older ``gen_ai.system``), ``gen_ai.request.model`` /
``gen_ai.response.model``, ``gen_ai.usage.input_tokens`` / ``output_tokens`` and the cache counts
(``gen_ai.usage.cache_read.input_tokens``, ``gen_ai.usage.cache_creation.input_tokens``), agent
(``gen_ai.agent.name`` / ``gen_ai.agent.id``, else the resource's ``service.name``), session
(``gen_ai.conversation.id`` or ``session.id``), ``user.id``. Input tokens in the semantic conventions
include the cached ones; they are moved out of the input line. Metrics: the
``gen_ai.client.token.usage`` histogram's ``sum`` per ``gen_ai.token.type``. Usage only: priced
from the price table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ingest.ai.jsonio import read_documents
from ingest.ai.records import AiFileError, AiLine, text_of, tokens_of

USAGE_METRIC = "gen_ai.client.token.usage"


def _value(v: Any) -> Any:
    if not isinstance(v, dict):
        return None
    for k in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if k in v:
            return v[k]
    return None


def attrs(items: Any) -> dict[str, Any]:
    """OTLP JSON ``[{"key": k, "value": {"stringValue": v}}]`` as a dict (intValue is a string)."""
    if not isinstance(items, list):
        return {}
    return {str(a.get("key")): _value(a.get("value")) for a in items if isinstance(a, dict)}


def _day(nanos: Any, file: str) -> dt.date:
    try:
        n = int(str(nanos))
    except ValueError:
        raise AiFileError(f"{file}: a time is not Unix nanoseconds") from None
    if not 0 <= n < 4_102_444_800 * 10**9:
        raise AiFileError(f"{file}: a time is out of range")
    return dt.datetime.fromtimestamp(n / 1e9, dt.UTC).date()


def _who(a: dict[str, Any], res: dict[str, Any]) -> dict[str, Any]:
    return {
        "provider": text_of(a.get("gen_ai.provider.name") or a.get("gen_ai.system"), 40).lower(),
        "model": text_of(a.get("gen_ai.response.model") or a.get("gen_ai.request.model")),
        "agent": text_of(
            a.get("gen_ai.agent.name") or a.get("gen_ai.agent.id") or res.get("service.name")
        ),
        "session": text_of(a.get("gen_ai.conversation.id") or a.get("session.id")),
        "user": text_of(a.get("user.id") or a.get("enduser.id")),
        "team": text_of(a.get("team") or res.get("team")),
    }


def _span_lines(span: dict[str, Any], res: dict[str, Any], file: str) -> list[AiLine]:
    a = attrs(span.get("attributes"))
    if "gen_ai.usage.input_tokens" not in a and "gen_ai.usage.output_tokens" not in a:
        return []
    inp = tokens_of(a.get("gen_ai.usage.input_tokens"), file, "gen_ai.usage.input_tokens")
    cr = tokens_of(a.get("gen_ai.usage.cache_read.input_tokens"), file, "cache_read.input_tokens")
    cw = tokens_of(
        a.get("gen_ai.usage.cache_creation.input_tokens"), file, "cache_creation.input_tokens"
    )
    out = tokens_of(a.get("gen_ai.usage.output_tokens"), file, "gen_ai.usage.output_tokens")
    counts = {"input": max(inp - cr - cw, 0), "cache_read": cr, "cache_write_5m": cw, "output": out}
    day = _day(span.get("startTimeUnixNano"), file)
    who = _who(a, res)
    return [
        AiLine(
            source="otlp",
            file=file,
            usage_date=day,
            token_type=t,
            tokens=n,
            request_id=text_of(span.get("spanId"), 64),
            context_tokens=inp,
            **who,
        )
        for t, n in counts.items()
        if n
    ]


def _metric_lines(m: dict[str, Any], res: dict[str, Any], file: str) -> list[AiLine]:
    if m.get("name") != USAGE_METRIC:
        return []
    hist = m.get("histogram") or {}
    out: list[AiLine] = []
    for p in hist.get("dataPoints", []) if isinstance(hist, dict) else []:
        a = attrs(p.get("attributes"))
        t = text_of(a.get("gen_ai.token.type"), 20).lower()
        out.append(
            AiLine(
                source="otlp",
                file=file,
                usage_date=_day(p.get("startTimeUnixNano") or p.get("timeUnixNano"), file),
                token_type=t if t in ("input", "output") else "other",
                tokens=tokens_of(round(float(p.get("sum") or 0)), file, "histogram sum"),
                **_who(a, res),
            )
        )
    return out


def read_otlp(path: Path) -> list[AiLine]:
    """The GenAI token lines of an OTLP JSON traces or metrics export."""
    file = path.name
    lines: list[AiLine] = []
    docs = read_documents(path)
    for doc in docs:
        if not isinstance(doc, dict) or not ("resourceSpans" in doc or "resourceMetrics" in doc):
            raise AiFileError(f"{file}: not OTLP JSON (no resourceSpans or resourceMetrics)")
        for rs in doc.get("resourceSpans") or []:
            res = attrs((rs.get("resource") or {}).get("attributes"))
            for ss in rs.get("scopeSpans") or []:
                for span in ss.get("spans") or []:
                    lines.extend(_span_lines(span, res, file))
        for rm in doc.get("resourceMetrics") or []:
            res = attrs((rm.get("resource") or {}).get("attributes"))
            for sm in rm.get("scopeMetrics") or []:
                for m in sm.get("metrics") or []:
                    lines.extend(_metric_lines(m, res, file))
    return lines
