"""The AI parsers on the providers' documented example responses and the published schemas.

Expected values are read off the files by hand (the numbers in the JSON), not by the parsers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.ai.anthropic import read_anthropic
from ingest.ai.litellm import read_litellm
from ingest.ai.openai import line_item_parts, read_openai
from ingest.ai.otlp import read_otlp
from ingest.ai.records import AiFileError

FIX = Path(__file__).parents[2] / "fixtures_ai"


def test_openai_costs_sum_to_the_cent_and_keep_project_and_line_item() -> None:
    lines = read_openai(FIX / "openai_costs_api_reference.json")
    assert sum(ln.cost or 0 for ln in lines) == Decimal("0.12")
    assert {ln.usage_date for ln in lines} == {dt.date(2024, 11, 1)}
    assert [(ln.project, ln.line_item) for ln in lines] == [("", ""), ("proj_abc", "Image models")]
    assert {ln.currency for ln in lines} == {"USD"}


def test_openai_usage_moves_cached_tokens_out_of_input() -> None:
    lines = read_openai(FIX / "openai_usage_completions_api_reference.json")
    got = {ln.token_type: ln.tokens for ln in lines}
    assert got == {"input": 200, "cache_read": 800, "output": 500}  # 1000 input incl. 800 cached
    assert all(ln.cost is None for ln in lines)


def test_openai_line_items() -> None:
    assert line_item_parts("gpt-4o-mini-2024-07-18, cached input") == (
        "gpt-4o-mini-2024-07-18",
        "cache_read",
    )
    assert line_item_parts("gpt-4o, output") == ("gpt-4o", "output")
    assert line_item_parts("Image models") == ("Image models", "other")


def test_anthropic_usage_report_every_token_type() -> None:
    lines = read_anthropic(FIX / "anthropic_usage_report_api_reference.json")
    got = {ln.token_type: ln.tokens for ln in lines}
    assert got == {
        "input": 1500,
        "cache_read": 200,
        "cache_write_5m": 500,
        "cache_write_1h": 1000,
        "output": 500,
    }
    ln = lines[0]
    assert (ln.project, ln.api_key, ln.model, ln.service_tier) == (
        "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "apikey_01Rj2N8SVvo6BePZj99NhmiT",
        "claude-sonnet-4-20250514",
        "standard",
    )
    assert ln.usage_date == dt.date(2025, 8, 1)


def test_anthropic_cost_report_amount_is_cents() -> None:
    (ln,) = read_anthropic(FIX / "anthropic_cost_report_api_reference.json")
    assert ln.cost == Decimal("1.2378912")  # "123.78912" cents
    assert (ln.token_type, ln.currency, ln.line_item) == (
        "input",
        "USD",
        "Claude Sonnet 4 Usage - Input Tokens",
    )


def test_litellm_spend_is_split_exactly_and_attributed() -> None:
    lines = read_litellm(FIX / "litellm_spendlogs.csv")
    by_req: dict[str, Decimal] = {}
    for ln in lines:
        by_req[ln.request_id] = by_req.get(ln.request_id, Decimal(0)) + (ln.cost or 0)
    assert by_req == {
        "chatcmpl-9a1b": Decimal("0.00123"),
        "chatcmpl-9a1c": Decimal("0.0000825"),
        "msg_01XF": Decimal("0.0141"),
    }
    claude = {ln.token_type: ln.tokens for ln in lines if ln.request_id == "msg_01XF"}
    assert claude == {"input": 1000, "cache_read": 2000, "output": 300}
    first = next(ln for ln in lines if ln.request_id == "chatcmpl-9a1b")
    assert (first.agent, first.session, first.team, first.end_user, first.provider) == (
        "triage",
        "sess-1",
        "team-prod",
        "customer-1",
        "openai",
    )


def test_otlp_spans_give_agent_session_and_cache() -> None:
    lines = read_otlp(FIX / "otlp_genai_spans.json")
    got = {ln.token_type: ln.tokens for ln in lines}
    assert got == {"input": 200, "cache_read": 1000, "output": 300}  # the tool span has no usage
    ln = lines[0]
    assert (ln.provider, ln.model, ln.agent, ln.session) == (
        "openai",
        "gpt-4o-mini-2024-07-18",
        "support-agent",
        "conv_5j66UpCpwteGg4YSxUnt7lPY",
    )
    assert ln.usage_date == dt.date(2024, 11, 1)


def test_otlp_metrics_histogram_sums(tmp_path: Path) -> None:
    def point(t: str, s: int) -> dict[str, object]:
        return {
            "startTimeUnixNano": "1730462400000000000",
            "sum": s,
            "count": 3,
            "attributes": [
                {"key": "gen_ai.token.type", "value": {"stringValue": t}},
                {"key": "gen_ai.provider.name", "value": {"stringValue": "anthropic"}},
                {"key": "gen_ai.request.model", "value": {"stringValue": "claude-haiku-4-5"}},
            ],
        }

    doc = {
        "resourceMetrics": [
            {
                "scopeMetrics": [
                    {
                        "metrics": [
                            {
                                "name": "gen_ai.client.token.usage",
                                "histogram": {
                                    "dataPoints": [point("input", 900), point("output", 70)]
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    p = tmp_path / "metrics.json"
    p.write_text(json.dumps(doc))
    assert {ln.token_type: ln.tokens for ln in read_otlp(p)} == {"input": 900, "output": 70}


@pytest.mark.parametrize(
    ("reader", "name", "text", "needle"),
    [
        (read_openai, "o.json", "{not json", "not valid JSON"),
        (
            read_openai,
            "o.json",
            '{"data": [{"start_time": 1, "results": [{"object": "x"}]}]}',
            "not supported",
        ),
        (
            read_anthropic,
            "a.json",
            '{"data": [{"starting_at": "yesterday", "results": []}]}',
            "RFC 3339",
        ),
        (
            read_anthropic,
            "a.json",
            '{"data": [{"starting_at": "2025-01-01T00:00:00Z", "results": [{"output_tokens": -5}]}]}',
            "out of range",
        ),
        (read_otlp, "t.json", '{"spans": []}', "not OTLP JSON"),
        (read_litellm, "l.csv", "a,b\n1,2\n", "missing request_id"),
    ],
)
def test_bad_files_name_file_and_problem(
    tmp_path: Path, reader: object, name: str, text: str, needle: str
) -> None:
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(AiFileError) as e:
        reader(p)  # type: ignore[operator]
    assert name in str(e.value) and needle in str(e.value)


def test_litellm_focus_export() -> None:
    lines = read_litellm(FIX / "litellm_focus_export.csv")
    assert [(ln.provider, ln.model, ln.cost, ln.team) for ln in lines] == [
        ("openai", "gpt-4", Decimal("0.002460"), "team-prod"),
        ("anthropic", "claude-sonnet-4-5-20250929", Decimal("0.014100"), "team-dev"),
    ]
    assert {ln.source for ln in lines} == {"litellm_focus"}
    assert lines[1].user == "ana" and lines[0].usage_date == dt.date(2024, 4, 30)
