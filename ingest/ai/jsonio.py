"""Bounded reading of JSON / JSONL API responses saved to files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from ingest.ai.records import AiFileError

MAX_FILE_BYTES = 512 * 1024 * 1024


def read_documents(path: Path) -> list[Any]:
    """The JSON documents of a file: one for ``.json``, one a line for ``.jsonl``/``.ndjson``."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise AiFileError(f"{path.name}: larger than {MAX_FILE_BYTES} bytes")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            return [json.loads(x) for x in text.splitlines() if x.strip()]
        return [json.loads(text)]
    except json.JSONDecodeError as e:
        raise AiFileError(
            f"{path.name}: not valid JSON (line {e.lineno}, column {e.colno})"
        ) from None
    except UnicodeDecodeError:
        raise AiFileError(f"{path.name}: not UTF-8 text") from None


def day_of_unix(v: object, file: str) -> dt.date:
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 4_102_444_800:
        raise AiFileError(f"{file}: bucket start_time is not a Unix time in seconds")
    return dt.datetime.fromtimestamp(v, dt.UTC).date()


def day_of_rfc3339(v: object, file: str) -> dt.date:
    try:
        return dt.datetime.fromisoformat(str(v).replace("Z", "+00:00")).astimezone(dt.UTC).date()
    except ValueError:
        raise AiFileError(f"{file}: bucket time {str(v)[:40]!r} is not RFC 3339") from None


def buckets(doc: Any, file: str) -> list[dict[str, Any]]:
    """The time buckets of a page (``{"data": [...]}``), or a bucket itself (JSONL of buckets)."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        out = doc["data"]
    elif isinstance(doc, dict) and isinstance(doc.get("results"), list):
        out = [doc]
    elif isinstance(doc, list):
        out = doc
    else:
        raise AiFileError(f"{file}: neither a page of buckets nor a bucket")
    if not all(isinstance(b, dict) and isinstance(b.get("results", []), list) for b in out):
        raise AiFileError(f"{file}: a bucket without a results list")
    return out
