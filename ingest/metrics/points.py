"""The long row every metrics parser produces, and the shared parsing helpers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_POINTS = 20_000_000


class MetricsFormatError(ValueError):
    """A metrics file we cannot read; the message names the problem, never the file's content."""


@dataclass(frozen=True)
class MetricPoint:
    provider: str
    resource_id: str
    resource_name: str | None
    metric: str
    raw_metric: str
    statistic: str
    timestamp: dt.datetime
    value: float
    unit: str | None
    source_format: str


def canonical(table: dict[str, tuple[str, float]], raw: str) -> tuple[str, float]:
    found = table.get(raw.strip().lower())
    return found if found else (raw.strip().lower(), 1.0)


def parse_timestamp(value: Any, where: str) -> dt.datetime:
    """An ISO-8601 timestamp (``Z`` or offset; naive means UTC) or epoch seconds, as UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise MetricsFormatError(f"{where}: timestamp is not a number")
        return dt.datetime.fromtimestamp(float(value), dt.UTC)
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise MetricsFormatError(f"{where}: missing or malformed timestamp")
    text = value.strip().replace("Z", "+00:00")
    # .NET writes 7 fractional digits; Python reads at most 6
    if "." in text:
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        tail = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{tail}" if digits else head + tail
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise MetricsFormatError(f"{where}: timestamp is not ISO-8601") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def number(value: Any, where: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MetricsFormatError(f"{where}: value is a boolean, not a number")
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise MetricsFormatError(f"{where}: value is not a number") from exc
    if not math.isfinite(out):
        raise MetricsFormatError(f"{where}: value is not finite")
    return out
