"""The price table builder: exact per-1M decimals from the JSON's floats, the lowest tier, filters,
and reading the JSON out of a wheel (a zip) without importing anything from it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ingest.ai.price_build import MEMBER, per_1m, read_wheel, rows


def test_per_1m_is_exact() -> None:
    assert per_1m(3e-06) == "3"
    assert per_1m(1.25e-07) == "0.125"
    assert per_1m(7.5e-08) == "0.075"
    assert per_1m(None) == "" and per_1m(True) == ""


def test_rows_tier_and_filters(tmp_path: Path) -> None:
    prices = {
        "sample_spec": {"mode": "chat"},
        "gemini-x": {
            "litellm_provider": "vertex_ai-language-models",
            "mode": "chat",
            "input_cost_per_token": 1.25e-06,
            "output_cost_per_token": 1e-05,
            "input_cost_per_token_above_200k_tokens": 2.5e-06,
            "output_cost_per_token_above_200k_tokens": 1.5e-05,
            "input_cost_per_token_above_128k_tokens": 2e-06,
            "source": "https://example.invalid/pricing",
        },
        "img": {
            "litellm_provider": "openai",
            "mode": "image_generation",
            "input_cost_per_token": 1,
        },
        "other": {"litellm_provider": "somewhere", "mode": "chat", "input_cost_per_token": 1e-06},
    }
    out = rows(prices, "9.9.9", "2026-12-02")
    assert [r["model"] for r in out] == ["gemini-x"]
    r = out[0]
    assert (r["tier_threshold_tokens"], r["input_above_per_1m"], r["output_above_per_1m"]) == (
        "128000",
        "2",
        "",
    )  # the lowest threshold wins; its output price is not given
    assert r["source"] == "litellm 9.9.9 model_prices_and_context_window.json (MIT)"
    wheel = tmp_path / "litellm-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(MEMBER, json.dumps(prices))
    got, version = read_wheel(wheel)
    assert version == "9.9.9" and got == prices
