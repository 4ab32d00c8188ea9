"""Build the token price table (``ingest/ai/data/model_prices.csv``) from LiteLLM's
``model_prices_and_context_window_backup.json`` (MIT licence), read as data from the litellm wheel
at build time (``make ai-prices``); litellm is never imported.

Prices are written per 1M tokens as exact decimals of the JSON's numbers (their shortest repr), one
row per model with the source URL the table cites, the litellm version and the build date.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.ai.prices import PRICE_COLUMNS

OUT = Path(__file__).parent / "data" / "model_prices.csv"
MEMBER = "litellm/model_prices_and_context_window_backup.json"
PROVIDERS = {
    "openai",
    "anthropic",
    "bedrock",
    "bedrock_converse",
    "azure",
    "vertex_ai-anthropic_models",
    "vertex_ai-language-models",
    "gemini",
    "mistral",
    "text-completion-openai",
}
MODES = {"chat", "completion", "embedding", "responses"}
COLUMNS = (
    "model",
    "litellm_provider",
    "mode",
    *PRICE_COLUMNS[:7],
    "tier_threshold_tokens",
    *PRICE_COLUMNS[7:],
    "source_url",
    "source",
    "as_of",
)
MAX_BYTES = 50_000_000


def per_1m(v: Any) -> str:
    """A per-token price as an exact per-1M-token decimal string ('' when absent)."""
    if v is None or isinstance(v, bool) or not isinstance(v, int | float):
        return ""
    d = Decimal(repr(float(v))) * 1_000_000
    return format(d.normalize(), "f")


def tier(entry: dict[str, Any]) -> tuple[str, str, str, str]:
    """The lowest 'above N tokens' tier of an entry: threshold and its input/output/cache prices."""
    found: dict[int, dict[str, Any]] = {}
    for k, v in entry.items():
        for base in ("input", "output"):
            pre = f"{base}_cost_per_token_above_"
            if k.startswith(pre) and k.endswith("k_tokens"):
                n = k[len(pre) : -len("k_tokens")]
                if n.isdigit():
                    found.setdefault(int(n) * 1000, {})[base] = v
        pre = "cache_read_input_token_cost_above_"
        if k.startswith(pre) and k.endswith("k_tokens") and k[len(pre) : -8].isdigit():
            found.setdefault(int(k[len(pre) : -8]) * 1000, {})["cache"] = v
    if not found:
        return ("", "", "", "")
    low = min(found)
    t = found[low]
    return (str(low), per_1m(t.get("input")), per_1m(t.get("output")), per_1m(t.get("cache")))


def rows(prices: dict[str, Any], version: str, as_of: str) -> list[dict[str, str]]:
    out = []
    for model, e in sorted(prices.items()):
        if not isinstance(e, dict) or e.get("litellm_provider") not in PROVIDERS:
            continue
        if e.get("mode") not in MODES or e.get("input_cost_per_token") is None:
            continue
        th, ia, oa, ca = tier(e)
        out.append(
            {
                "model": model,
                "litellm_provider": str(e["litellm_provider"]),
                "mode": str(e["mode"]),
                "input_per_1m": per_1m(e.get("input_cost_per_token")),
                "output_per_1m": per_1m(e.get("output_cost_per_token")),
                "cache_read_per_1m": per_1m(e.get("cache_read_input_token_cost")),
                "cache_write_5m_per_1m": per_1m(e.get("cache_creation_input_token_cost")),
                "cache_write_1h_per_1m": per_1m(e.get("cache_creation_input_token_cost_above_1hr")),
                "input_batch_per_1m": per_1m(e.get("input_cost_per_token_batches")),
                "output_batch_per_1m": per_1m(e.get("output_cost_per_token_batches")),
                "tier_threshold_tokens": th,
                "input_above_per_1m": ia,
                "output_above_per_1m": oa,
                "cache_read_above_per_1m": ca,
                "source_url": str(e.get("source") or "")[:300],
                "source": f"litellm {version} model_prices_and_context_window.json (MIT)",
                "as_of": as_of,
            }
        )
    return out


def read_wheel(wheel: Path) -> tuple[dict[str, Any], str]:
    """The price JSON inside a litellm wheel, and the wheel's version."""
    version = wheel.name.split("-")[1] if wheel.name.count("-") >= 2 else "unknown"
    with zipfile.ZipFile(wheel) as z:
        info = z.getinfo(MEMBER)
        if info.file_size > MAX_BYTES:
            raise ValueError(f"{wheel.name}: {MEMBER} is larger than {MAX_BYTES} bytes")
        return json.loads(z.read(info)), version


def write(out_rows: list[dict[str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out_rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("wheel", type=Path, help="a downloaded litellm-*.whl")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    prices, version = read_wheel(a.wheel)
    out_rows = rows(prices, version, dt.date.today().isoformat())
    write(out_rows, a.out)
    print(f"{a.out}: {len(out_rows)} models from litellm {version}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
