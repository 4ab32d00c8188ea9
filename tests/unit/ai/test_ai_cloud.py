"""Cloud-billed AI lines recognised, with model and token type, and other lines left alone."""

from __future__ import annotations

import pytest

from ingest.ai.cloud import classify, unit_multiplier


@pytest.mark.parametrize(
    ("provider", "service", "meter", "expected"),
    [
        (
            "aws",
            "Amazon Bedrock",
            "Claude3Sonnet-input-tokens",
            ("bedrock", "claude3sonnet", "input"),
        ),
        (
            "aws",
            "Amazon Bedrock",
            "USE1-Claude3.7Sonnet-cache-read-input-token-count",
            ("bedrock", "claude3.7sonnet", "cache_read"),
        ),
        (
            "aws",
            "Amazon Bedrock",
            "USE1-Claude3.7Sonnet-cache-write-input-token-count",
            ("bedrock", "claude3.7sonnet", "cache_write_5m"),
        ),
        (
            "aws",
            "Amazon Bedrock",
            "USW2-Llama3-70B-output-tokens",
            ("bedrock", "llama3-70b", "output"),
        ),
        (
            "aws",
            "Amazon Bedrock",
            "USE1-TitanEmbeddingsG1-Text-input-tokens",
            ("bedrock", "titanembeddingsg1-text", "input"),
        ),
        ("azure", "Azure OpenAI", "gpt-4o-input-tokens", ("azure_openai", "gpt-4o", "input")),
        (
            "azure",
            "Cognitive Services",
            "gpt-4o-mini-0718-Inp-glbl",
            ("azure_openai", "gpt-4o-mini-0718", "input"),
        ),
        (
            "azure",
            "Azure OpenAI",
            "gpt 4o 0513 Output global Tokens",
            ("azure_openai", "gpt-4o-0513", "output"),
        ),
        (
            "azure",
            "Azure OpenAI",
            "gpt-4o-0806-cached-Inp-glbl",
            ("azure_openai", "gpt-4o-0806", "cache_read"),
        ),
        (
            "gcp",
            "Vertex AI",
            "Gemini 1.5 Pro Input Characters",
            ("vertex_ai", "gemini-1.5-pro", "input"),
        ),
        (
            "gcp",
            "Vertex AI",
            "Gemini 2.0 Flash Cached Input Text Tokens",
            ("vertex_ai", "gemini-2.0-flash", "cache_read"),
        ),
        (
            "gcp",
            "Gemini API",
            "Gemini 2.5 Flash Output Text Tokens",
            ("vertex_ai", "gemini-2.5-flash", "output"),
        ),
    ],
)
def test_ai_lines(provider: str, service: str, meter: str, expected: tuple[str, str, str]) -> None:
    assert classify(provider, service, meter) == expected


@pytest.mark.parametrize(
    ("provider", "service", "meter"),
    [
        ("aws", "Amazon Elastic Compute Cloud", "USE1-BoxUsage:m5.large"),
        ("aws", "Amazon Bedrock", "USE1-ProvisionedThroughput-Hours"),
        ("azure", "Azure OpenAI", "Standard Fine Tuning Hosting Hours"),
        ("gcp", "Vertex AI", "Vertex AI Training n1-standard-4"),
        ("gcp", "Compute Engine", "Gemini-looking but Input compute"),
    ],
)
def test_other_lines_are_not_ai_tokens(provider: str, service: str, meter: str) -> None:
    assert classify(provider, service, meter) is None


def test_unit_multiplier() -> None:
    assert unit_multiplier("1000 Tokens") == 1000
    assert unit_multiplier("1K tokens") == 1000 and unit_multiplier("1k") == 1000
    assert unit_multiplier("1M Tokens") == 1_000_000
    assert unit_multiplier("Tokens") == 1 and unit_multiplier(None) == 1
    assert unit_multiplier("Count") == 1
