"""Budgets and a circuit breaker for AI agents: agent, session, API key, model and provider scopes.

``ai_budgets.csv`` (in the configuration folder, see docs/ai_spend.md): budget_id, scope_type
(agent|session|api_key|model|provider), scope_value, amount, currency, period (daily|monthly),
alert_thresholds (default the seed's 50|75|85|95), breaker_trip_pct (90), spike_factor (10) and
credit_balance (optional prepaid credits; trip at credit_trip_pct, default 95, of them used).

``ai_budget_state(...)`` evaluates every budget over the AI fact; ``publish_state`` writes the
result as one small JSON file next to the marts; ``check(...)`` answers an agent's "may I spend
X?" from that file alone (stdlib only, no lake or DuckDB: a few milliseconds). The breaker is
``open`` when spend passed ``breaker_trip_pct`` of the budget, the scope's spend today is more than
``spike_factor`` times its normal daily rate (median of its previous active days), or the credits are
nearly used; ``half_open`` while a human override (``sibyl budget override``) has not expired
(the state reuses models_ml.budget's breaker_state and Override); ``closed`` otherwise.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from models_ml.budget import BudgetFileError, Override, breaker_state
from orchestration.settings import is_url

AI_SCOPE_TYPES = ("agent", "session", "api_key", "model", "provider")
AI_PERIODS = ("daily", "monthly")
AI_THRESHOLDS = (50, 75, 85, 95)
STATE_FILE = "ai_budget_state.json"
MAX_STATE_BYTES = 20_000_000
# Which source counts when several saw the same calls (lower wins): cost reports, usage APIs, the
# gateway's spend logs, its FOCUS export, OTLP spans. ingest/ai/fact.py applies the same order.
SOURCE_RANK = {
    "openai_costs": 0,
    "anthropic_cost": 0,
    "openai_usage": 1,
    "anthropic_usage": 1,
    "litellm": 2,
    "litellm_focus": 3,
    "otlp": 4,
}


@dataclass(frozen=True)
class AiBudget:
    budget_id: str
    scope_type: str
    scope_value: str
    amount: Decimal
    currency: str = "USD"
    period: str = "daily"
    thresholds: tuple[int, ...] = AI_THRESHOLDS
    breaker_trip_pct: Decimal = Decimal(90)
    spike_factor: Decimal = Decimal(10)
    credit_balance: Decimal | None = None
    credit_trip_pct: Decimal = Decimal(95)

    @property
    def scope(self) -> str:
        return f"{self.scope_type}:{self.scope_value}"


def _dec(raw: str, where: str, col: str, default: Decimal | None) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        v = Decimal(raw)
    except InvalidOperation:
        raise BudgetFileError(f"{where} column {col}: {raw[:30]!r} is not a number") from None
    if not v.is_finite() or v <= 0 or v > Decimal(10**12):
        raise BudgetFileError(f"{where} column {col}: must be a positive number")
    return v


def load_ai_budgets(path: Path) -> list[AiBudget]:
    """Read and validate ai_budgets.csv; every problem names the file, row and column."""
    if not path.exists():
        raise BudgetFileError(f"{path.name}: AI budgets file not found")
    out: list[AiBudget] = []
    problems: list[str] = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            where = f"{path.name}:{i}"
            try:
                bid = (r.get("budget_id") or "").strip()
                if not bid or bid in seen:
                    raise BudgetFileError(f"{where} column budget_id: empty or repeated")
                seen.add(bid)
                st = (r.get("scope_type") or "").strip()
                if st not in AI_SCOPE_TYPES:
                    raise BudgetFileError(
                        f"{where} column scope_type: not one of {', '.join(AI_SCOPE_TYPES)}"
                    )
                sv = (r.get("scope_value") or "").strip()[:200]
                if not sv:
                    raise BudgetFileError(f"{where} column scope_value: empty")
                period = (r.get("period") or "daily").strip()
                if period not in AI_PERIODS:
                    raise BudgetFileError(f"{where} column period: daily or monthly")
                raw_th = (r.get("alert_thresholds") or "").replace(";", "|")
                try:
                    th = tuple(int(t) for t in raw_th.split("|") if t.strip()) or AI_THRESHOLDS
                except ValueError:
                    raise BudgetFileError(
                        f"{where} column alert_thresholds: whole percents like 50|75|85|95"
                    ) from None
                amount = _dec(r.get("amount") or "", where, "amount", None)
                if amount is None:
                    raise BudgetFileError(f"{where} column amount: empty")
                out.append(
                    AiBudget(
                        bid,
                        st,
                        sv,
                        amount,
                        (r.get("currency") or "USD").strip().upper()[:3],
                        period,
                        th,
                        _dec(
                            r.get("breaker_trip_pct") or "", where, "breaker_trip_pct", Decimal(90)
                        )
                        or Decimal(90),
                        _dec(r.get("spike_factor") or "", where, "spike_factor", Decimal(10))
                        or Decimal(10),
                        _dec(r.get("credit_balance") or "", where, "credit_balance", None),
                        _dec(r.get("credit_trip_pct") or "", where, "credit_trip_pct", Decimal(95))
                        or Decimal(95),
                    )
                )
            except BudgetFileError as e:
                problems.append(str(e))
    if problems:
        raise BudgetFileError("invalid AI budgets:\n  " + "\n  ".join(problems))
    return out


@dataclass(frozen=True)
class Spend:
    """One fact line reduced to what the budgets need."""

    usage_date: dt.date
    source: str
    cost: Decimal
    dims: dict[str, str]  # scope_type -> value


def daily_spend(budget: AiBudget, lines: Iterable[Spend]) -> dict[dt.date, Decimal]:
    """The scope's cost per day, from one source a day (the most authoritative that names the
    scope's dimension), so calls seen by the gateway and the provider are not counted twice."""
    per: dict[dt.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for s in lines:
        if s.dims.get(budget.scope_type) == budget.scope_value:
            per[s.usage_date][s.source] += s.cost
    out = {}
    for day, by_src in per.items():
        src = min(by_src, key=lambda x: (SOURCE_RANK.get(x, 5), x))
        out[day] = by_src[src]
    return out


def _period_start(b: AiBudget, day: dt.date) -> dt.date:
    return day if b.period == "daily" else day.replace(day=1)


def evaluate(
    b: AiBudget,
    daily: dict[dt.date, Decimal],
    as_of: dt.date,
    overrides: Sequence[Override] = (),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The state of one budget as of ``as_of``: spend, % used, tiers crossed, breaker and why."""
    now = now or dt.datetime.now(dt.UTC)
    start = _period_start(b, as_of)
    spent = sum((v for d, v in daily.items() if start <= d <= as_of), Decimal(0))
    today = daily.get(as_of, Decimal(0))
    prior = sorted(v for d, v in daily.items() if d < as_of and v > 0)[-28:]
    normal = Decimal(str(statistics.median(prior))) if prior else None
    pct = spent * 100 / b.amount
    reasons = []
    if pct >= b.breaker_trip_pct:
        reasons.append(f"{b.period} spend is {pct:.1f}% of the budget (trip {b.breaker_trip_pct}%)")
    if normal and today > normal * b.spike_factor:
        reasons.append(
            f"today's spend {today:.2f} is {today / normal:.1f}x the normal daily {normal:.2f} "
            f"(trip {b.spike_factor}x)"
        )
    if b.credit_balance is not None:
        used = spent * 100 / b.credit_balance
        if used >= b.credit_trip_pct:
            reasons.append(f"{used:.1f}% of the {b.credit_balance} credits used")
    state, o = breaker_state(bool(reasons), b.scope, b.budget_id, overrides, now)
    crossed = [t for t in b.thresholds if pct >= t]
    return {
        "budget_id": b.budget_id,
        "scope": b.scope,
        "period": b.period,
        "period_start": start.isoformat(),
        "as_of_date": as_of.isoformat(),
        "currency": b.currency,
        "amount": str(b.amount),
        "spent": str(spent),
        "remaining": str(b.amount - spent),
        "pct_used": float(round(pct, 2)),
        "today": str(today),
        "normal_daily": str(normal) if normal is not None else None,
        "thresholds_crossed": crossed,
        "alert_tier": max(crossed, default=0),
        "breaker_state": state,
        "breaker_reason": "; ".join(reasons),
        "override_until": o.until.isoformat() if o else None,
        "override_by": o.by if o else None,
    }


def ai_budget_state(
    budgets: Sequence[AiBudget],
    lines: Sequence[Spend],
    as_of: dt.date,
    overrides: Sequence[Override] = (),
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    return [evaluate(b, daily_spend(b, lines), as_of, overrides, now) for b in budgets]


def _state_url(root: str | Path) -> str:
    """``<root>/ai_budget_state.json``: a local path, or a URL when ``root`` is a bucket URL."""
    root = str(root)
    if not is_url(root):
        return str(Path(root) / STATE_FILE)
    from ingest import fs as lakefs  # fsspec only for a bucket: a local check stays stdlib-fast

    return lakefs.join(root, STATE_FILE)


def publish_state(
    rows: Sequence[dict[str, Any]], overrides: Sequence[Override], out_dir: str | Path
) -> str:
    """Write the state (and the overrides, so a check sees them without the lake) atomically to
    ``out_dir`` (the marts folder: a local folder or a bucket URL; one PUT replaces the object
    whole). Returns where it was written."""
    doc = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "budgets": list(rows),
        "overrides": [
            {"scope": o.scope, "until": o.until.isoformat(), "by": o.by, "note": o.note}
            for o in overrides
        ],
    }
    text = json.dumps(doc, default=str)
    if is_url(str(out_dir)):
        from ingest import fs as lakefs

        with tempfile.TemporaryDirectory() as tmp:
            return lakefs.write_text_atomic(str(out_dir), STATE_FILE, text, Path(tmp))
    local = Path(out_dir)
    local.mkdir(parents=True, exist_ok=True)
    path = local / STATE_FILE
    fd, tmp_name = tempfile.mkstemp(dir=local, prefix=".ai_budget_state.", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp_name, path)
    return str(path)


def add_state_override(out_dir: str | Path, o: Override) -> None:
    """An override counts at once: add it to the published state in ``out_dir`` (local folder or
    bucket URL; no-op when nothing is published there)."""
    doc = read_state(out_dir)
    if doc is None:
        return
    doc.setdefault("overrides", []).append(
        {"scope": o.scope, "until": o.until.isoformat(), "by": o.by, "note": o.note}
    )
    publish_state(doc.get("budgets", []), _overrides(doc), out_dir)


def _read(path: str | Path) -> dict[str, Any]:
    """The state document at ``path`` (a local file or a URL), at most MAX_STATE_BYTES."""
    name = STATE_FILE
    if is_url(str(path)):
        from ingest import fs as lakefs

        fs, inner = lakefs.get_fs(str(path))
        with fs.open(inner, "rb") as fh:  # never more than the bound is read
            raw = fh.read(MAX_STATE_BYTES + 1)
    else:
        local = Path(path)
        if local.stat().st_size > MAX_STATE_BYTES:
            raise ValueError(f"{name}: larger than {MAX_STATE_BYTES} bytes")
        raw = local.read_bytes()
    if len(raw) > MAX_STATE_BYTES:
        raise ValueError(f"{name}: larger than {MAX_STATE_BYTES} bytes")
    doc = json.loads(raw.decode("utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{name}: not an AI budget state document")
    return doc


def _version(path: str) -> tuple[str, int]:
    """What changes when the state file is replaced; FileNotFoundError when there is none."""
    if is_url(path):
        from ingest import fs as lakefs

        return lakefs.version(path)
    st = Path(path).stat()
    return str(st.st_mtime_ns), st.st_size


def read_state(root: str | Path) -> dict[str, Any] | None:
    """The state published in the marts folder ``root`` (local or bucket URL); None if none."""
    path = _state_url(root)
    try:
        return _read(path)
    except FileNotFoundError:
        return None


def _overrides(doc: dict[str, Any]) -> list[Override]:
    out = []
    for o in doc.get("overrides", []):
        until = dt.datetime.fromisoformat(o["until"])
        out.append(Override(o["scope"], until, o.get("by", ""), o.get("note", "")))
    return out


_CACHE: dict[
    str, tuple[tuple[str, int], dict[str, Any], dict[str, list[dict[str, Any]]], list[Override]]
] = {}


def _load(path: str) -> tuple[dict[str, list[dict[str, Any]]], list[Override]]:
    """The published state by scope, re-read only when the file changed (mtime/ETag and size);
    FileNotFoundError when nothing is published."""
    stamp = _version(path)
    hit = _CACHE.get(path)
    if hit and hit[0] == stamp:
        return hit[2], hit[3]
    doc = _read(path)
    by_scope: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in doc.get("budgets", []):
        by_scope[r["scope"]].append(r)
        by_scope[f"budget:{r['budget_id']}"].append(r)
    ovs = _overrides(doc)
    _CACHE[path] = (stamp, doc, dict(by_scope), ovs)
    return dict(by_scope), ovs


def check(
    state_dir: str | Path, scope: str, estimate_cost: Decimal, now: dt.datetime | None = None
) -> dict[str, Any]:
    """May a request of ``estimate_cost`` go ahead in ``scope``? Blocked when a budget of the scope
    has its breaker open (no valid override), or the estimate would take it past its amount.
    ``state_dir`` is the marts folder (local or bucket URL); FileNotFoundError when it holds no
    published state."""
    if estimate_cost < 0 or not estimate_cost.is_finite():
        raise ValueError("estimate_cost must be a non-negative number")
    now = now or dt.datetime.now(dt.UTC)
    by_scope, ovs = _load(_state_url(state_dir))
    rows = by_scope.get(scope, [])
    verdicts = []
    allowed = True
    for r in rows:
        tripped = r["breaker_state"] != "closed"
        state, o = breaker_state(tripped, r["scope"], r["budget_id"], ovs, now)
        after = Decimal(r["spent"]) + estimate_cost
        would_exceed = after > Decimal(r["amount"])
        ok = state != "open" and (not would_exceed or state == "half_open")
        allowed = allowed and ok
        reason = r["breaker_reason"] if state == "open" else ""
        if would_exceed and state != "half_open":
            reason = (reason + "; " if reason else "") + (
                f"{r['spent']} spent + {estimate_cost} would pass the {r['amount']} budget"
            )
        verdicts.append(
            {
                "budget_id": r["budget_id"],
                "period": r["period"],
                "breaker_state": state,
                "spent": r["spent"],
                "amount": r["amount"],
                "remaining": r["remaining"],
                "pct_used": r["pct_used"],
                "alert_tier": r["alert_tier"],
                "allowed": ok,
                "would_exceed": would_exceed,  # a half-open override lets it through, watched
                "reason": reason,
                "override_until": o.until.isoformat() if o else None,
            }
        )
    return {
        "scope": scope,
        "estimate_cost": str(estimate_cost),
        "allowed": allowed,
        "budgets": verdicts,
        "note": "" if rows else "no AI budget for this scope",
    }
