"""The AI fact: every parsed line priced from the price table, its cost (the source's own when it
has one, else the list price), attribution to team, and which lines count in spend totals.

The same calls reach Sibyl up to four times (provider cost report, provider usage API, gateway
log, OTLP spans). Per day and provider only the most authoritative source present counts in
totals (cost report > usage API > gateway spend logs > gateway FOCUS export > OTLP); the others stay in the fact with
``counts_in_total`` false and give the per-agent / per-session / per-user detail.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from ingest.ai.prices import PriceTable, list_cost, unit_price
from ingest.ai.records import AiFileError, AiLine
from models_ml.ai_budget import SOURCE_RANK, Spend

COST_SOURCES = ("openai_costs", "anthropic_cost")
USAGE_SOURCES = ("openai_usage", "anthropic_usage")
KEY_TYPES = ("project", "api_key", "agent", "user", "team")
THOUSAND = Decimal(1000)
CACHE_READ = ("cache_read",)


@dataclass(frozen=True)
class FactRow:
    line: AiLine
    list_cost: Decimal | None  # None: model or token type not in the price table
    cost: Decimal | None  # the source's cost, else the list cost
    cost_basis: str  # source | list_price | unpriced
    counts_in_total: bool
    team: str
    cache_savings: Decimal  # cache reads at the input price minus at the cache price
    price_source: str


def load_team_map(path: Path | None) -> dict[tuple[str, str], str]:
    """Attribution as data: ``key_type,key_value,team`` (project/workspace, api_key, agent, user,
    team as the gateway names it)."""
    out: dict[tuple[str, str], str] = {}
    if path is None:
        return out
    with path.open(newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            kt = (r.get("key_type") or "").strip()
            if kt not in KEY_TYPES:
                raise AiFileError(f"{path.name} line {i}: key_type must be one of {KEY_TYPES}")
            out[(kt, (r.get("key_value") or "").strip())] = (r.get("team") or "").strip()[:100]
    return out


def team_of(line: AiLine, team_map: dict[tuple[str, str], str]) -> str:
    for kt, kv in (
        ("team", line.team),
        ("api_key", line.api_key),
        ("project", line.project),
        ("agent", line.agent),
        ("user", line.user),
    ):
        if kv and (kt, kv) in team_map:
            return team_map[(kt, kv)]
    return line.team or "unattributed"


def _with_usage_tokens(lines: list[AiLine]) -> list[AiLine]:
    """Cost-report lines carry money, not tokens: give each the tokens the same provider's usage
    report counts for its day, model, token type and project/workspace (so cost per 1k tokens is
    defined on the rows that count)."""
    usage: dict[tuple[dt.date, str, str, str, str], int] = defaultdict(int)
    for ln in lines:
        if ln.source in USAGE_SOURCES:
            usage[(ln.usage_date, ln.provider, ln.model, ln.token_type, ln.project)] += ln.tokens
    return [
        replace(ln, tokens=usage.get(k, 0))
        if ln.source in COST_SOURCES
        and not ln.tokens
        and (k := (ln.usage_date, ln.provider, ln.model, ln.token_type, ln.project)) in usage
        else ln
        for ln in lines
    ]


def build_fact(
    lines: Iterable[AiLine],
    prices: PriceTable,
    team_map: dict[tuple[str, str], str] | None = None,
) -> list[FactRow]:
    lines = _with_usage_tokens(list(lines))
    best: dict[tuple[dt.date, str], int] = {}
    for ln in lines:
        k = (ln.usage_date, ln.provider)
        best[k] = min(best.get(k, 99), SOURCE_RANK.get(ln.source, 9))
    tm = team_map or {}
    out = []
    for ln in lines:
        p = prices.lookup(ln.model, ln.provider)
        lc = list_cost(p, ln.token_type, ln.tokens, ln.service_tier, ln.context_tokens)
        if ln.cost is not None:
            cost, basis = ln.cost, "source"
        elif lc is not None:
            cost, basis = lc, "list_price"
        else:
            cost, basis = None, "unpriced"
        savings = Decimal(0)
        if p is not None and ln.token_type in CACHE_READ:
            full = unit_price(p, "input", ln.service_tier, ln.context_tokens)
            cached = unit_price(p, "cache_read", ln.service_tier, ln.context_tokens)
            if full is not None and cached is not None:
                savings = (full - cached) * ln.tokens / Decimal(1_000_000)
        out.append(
            FactRow(
                line=ln,
                list_cost=lc,
                cost=cost,
                cost_basis=basis,
                counts_in_total=SOURCE_RANK.get(ln.source, 9) == best[(ln.usage_date, ln.provider)],
                team=team_of(ln, tm),
                cache_savings=savings,
                price_source=f"{p.source} {p.as_of}".strip() if p else "",
            )
        )
    return out


@dataclass(frozen=True)
class Reconciliation:
    usage_date: dt.date
    provider: str
    model: str
    priced_usage: Decimal  # usage-source tokens at list prices
    source_cost: Decimal  # what the cost source says
    difference: Decimal
    unpriced_tokens: int


def reconcile(usage: Iterable[FactRow], costs: Iterable[FactRow]) -> list[Reconciliation]:
    """Priced usage vs the cost source per day, provider and model (the difference is the cache
    discounts, tiers and errors either side got wrong)."""
    pu: dict[tuple[dt.date, str, str], Decimal] = defaultdict(Decimal)
    sc: dict[tuple[dt.date, str, str], Decimal] = defaultdict(Decimal)
    un: dict[tuple[dt.date, str, str], int] = defaultdict(int)
    for r in usage:
        k = (r.line.usage_date, r.line.provider, r.line.model)
        if r.list_cost is None:
            un[k] += r.line.tokens
        else:
            pu[k] += r.list_cost
    for r in costs:
        k = (r.line.usage_date, r.line.provider, r.line.model)
        sc[k] += r.line.cost if r.line.cost is not None else Decimal(0)
    keys = sorted(set(pu) | set(sc) | set(un))
    return [Reconciliation(k[0], k[1], k[2], pu[k], sc[k], sc[k] - pu[k], un[k]) for k in keys]


@dataclass(frozen=True)
class DailyRow:
    usage_date: dt.date
    provider: str
    model: str
    team: str
    tokens: int
    cost: Decimal
    cache_savings: Decimal

    @property
    def cost_per_1k_tokens(self) -> Decimal | None:
        return self.cost * THOUSAND / self.tokens if self.tokens else None


def ai_costs_daily(rows: Iterable[FactRow]) -> list[DailyRow]:
    """``fct_ai_costs_daily``: the counted rows per day, provider, model and team."""
    acc: dict[tuple[dt.date, str, str, str], list[Decimal]] = {}
    toks: dict[tuple[dt.date, str, str, str], int] = defaultdict(int)
    for r in rows:
        if not r.counts_in_total or r.cost is None:
            continue
        k = (r.line.usage_date, r.line.provider, r.line.model, r.team)
        a = acc.setdefault(k, [Decimal(0), Decimal(0)])
        a[0] += r.cost
        a[1] += r.cache_savings
        toks[k] += r.line.tokens
    return [DailyRow(*k, toks[k], v[0], v[1]) for k, v in sorted(acc.items())]


def spend_of(rows: Iterable[FactRow]) -> list[Spend]:
    """The priced fact lines as the AI budgets read them (one dimension a scope type)."""
    return [
        Spend(
            r.line.usage_date,
            r.line.source,
            r.cost,
            {
                "agent": r.line.agent,
                "session": r.line.session,
                "api_key": r.line.api_key,
                "model": r.line.model,
                "provider": r.line.provider,
            },
        )
        for r in rows
        if r.cost is not None
    ]
