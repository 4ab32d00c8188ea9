"""AI API spend: parsers for provider usage/cost reports, gateway logs and OTLP GenAI spans, the
token price table, and the AI fact (see docs/ai_spend.md)."""
