"""The provider registry: the one place the list of providers and their facts live.

A *provider* is who bills (aws, gcp, azure, oci); a *source* is a kind of export in the landing
root: each provider's native exports, plus ``focus`` — FOCUS datasets from any provider, whose
rows name their provider in ``ServiceProviderName`` (FOCUS 1.3) or ``ProviderName``.
Adding a provider starts here (see docs/extending.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.sql import literal


@dataclass(frozen=True)
class Provider:
    name: str  # lake folder, dbt provider value, CLI choice
    display: str  # FOCUS ProviderName Sibyl emits
    account_id_length: int  # ids shorter than this are left-padded with zeros (0: never)
    focus_names: tuple[str, ...]  # ProviderName values (lower case) in FOCUS files


REGISTRY: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("aws", "AWS", 12, ("aws", "amazon web services", "amazon web services, inc.")),
        Provider(
            "gcp", "Google Cloud", 0, ("google cloud", "gcp", "google", "google cloud platform")
        ),
        Provider("azure", "Microsoft", 0, ("microsoft", "azure", "microsoft azure")),
        Provider("oci", "Oracle", 0, ("oracle", "oci", "oracle cloud infrastructure")),
    )
}
PROVIDERS: tuple[str, ...] = tuple(REGISTRY)
FOCUS_SOURCE = "focus"
SOURCES: tuple[str, ...] = (*PROVIDERS, FOCUS_SOURCE)
# AI API usage lands in its own folder, <landing>/ai/<source>/ (openai, anthropic, litellm, otlp),
# read by the AI ingest (ingest/ai/pipeline.py), never as a billing export (docs/ai_spend.md)
AI_LANDING_FOLDER = "ai"
# Landing folders that are not billing exports: each is read by its own source, never by the
# billing ingest (folder -> who reads it).
OWN_SOURCES: dict[str, str] = {
    "metrics": "utilization metrics (ingest.metrics, the utilization_metrics asset)",
    "recommendations": "provider recommendations (models_ml.savings, the savings inbox)",
    AI_LANDING_FOLDER: "AI API usage (ingest.ai, the lake/ai_charges asset)",
}


def provider_of_focus(name: str | None) -> str:
    """The provider of a FOCUS row from its ProviderName / ServiceProviderName."""
    low = (name or "").strip().lower()
    for p in REGISTRY.values():
        if low in p.focus_names:
            return p.name
    return re.sub(r"[^a-z0-9]+", "_", low).strip("_")[:40] or "unknown"


def provider_of_focus_sql(expr: str) -> str:
    """The same mapping as SQL over ``expr`` (vectorised in DuckDB; constants quoted)."""
    low = f"lower(trim(cast({expr} as varchar)))"
    whens = " ".join(
        f"when {low} in ({', '.join(literal(n) for n in p.focus_names)}) then {literal(p.name)}"
        for p in REGISTRY.values()
    )
    fallback = (
        f"coalesce(nullif(left(trim(regexp_replace({low}, '[^a-z0-9]+', '_', 'g'), '_'), 40), ''),"
        " 'unknown')"
    )
    return f"(case {whens} else {fallback} end)"
