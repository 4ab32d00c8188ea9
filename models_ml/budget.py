"""Budgets as data, their status per day, and the budget circuit breaker.

Budgets live in ``dbt_project/seeds/budgets.csv`` (also loaded by dbt as ``config.budgets``): scope
type and value, amount and currency, period (monthly, quarterly, yearly), alert thresholds in % of
the amount (default 50|80|100|120), and the breaker's settings. ``load_budgets`` validates the file
and names the row and column of every problem.

``budget_status(budgets, actuals, forecasts, as_of)`` computes, per budget and as-of day: actual cost
to date in the period, daily burn rate, projected period-end cost (linear from the burn rate, and
from the forecast when one covers the scope), projected exhaustion date, % used, thresholds crossed
(by actual and by projection), alert level and the breaker state:

- ``open`` when spend crosses ``breaker_trip_pct`` (90%) of the budget while more than
  ``breaker_min_period_left_pct`` (25%) of the period is left, or crosses 100% at any time. With
  ``breaker_basis=forecast`` the projection trips it too (before the money is spent);
- ``half_open`` when it would be open but a human override (``sibyl budget override``) has not
  expired: spending may go on, watched;
- ``closed`` otherwise.

Money is ``Decimal`` throughout (forecasts are rounded to the cent before they are added).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

SCOPE_TYPES = (
    "organization",
    "business_group",
    "business_unit",
    "team",
    "service",
    "environment",
    "provider",
)
PERIODS = ("monthly", "quarterly", "yearly")
DEFAULT_THRESHOLDS = (50, 80, 100, 120)
CENT = Decimal("0.01")
ALERT_LEVELS = ("green", "yellow", "orange", "red")


class BudgetFileError(ValueError):
    """A budgets file that cannot be used; the message names the file, row and column."""


@dataclass(frozen=True)
class Budget:
    budget_id: str
    scope_type: str
    scope_value: str
    amount: Decimal
    currency: str
    period: str = "monthly"
    thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS
    breaker_basis: str = "actual"  # actual | forecast
    breaker_trip_pct: Decimal = Decimal(90)
    breaker_min_period_left_pct: Decimal = Decimal(25)
    owners: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def scope(self) -> str:
        return f"{self.scope_type}:{self.scope_value}"


@dataclass(frozen=True)
class Override:
    """A human's permission to keep spending in a tripped scope until ``until`` (exclusive)."""

    scope: str  # scope_type:scope_value, or budget:<budget_id>
    until: dt.datetime
    by: str
    note: str = ""
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _split(v: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (v or "").replace(";", "|").split("|") if p.strip())


def load_budgets(path: str | Path) -> list[Budget]:
    """Read and validate a budgets CSV; raises ``BudgetFileError`` naming file, row and column."""
    path = Path(path)
    if not path.exists():
        raise BudgetFileError(f"{path}: budgets file not found")
    problems: list[str] = []
    budgets: list[Budget] = []
    seen: set[str] = set()
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        need = {"budget_id", "scope_type", "scope_value", "amount", "currency", "period"}
        missing = need - set(reader.fieldnames or [])
        if missing:
            raise BudgetFileError(f"{path}: missing column(s) {sorted(missing)}")
        for i, row in enumerate(reader, start=2):
            where = f"{path}:{i}"
            try:
                budgets.append(_parse_row(row, where, seen))
            except BudgetFileError as e:
                problems.append(str(e))
    if problems:
        raise BudgetFileError("invalid budgets:\n  " + "\n  ".join(problems))
    return budgets


def _parse_row(row: dict[str, str], where: str, seen: set[str]) -> Budget:
    def dec(col: str, default: Decimal | None = None) -> Decimal:
        raw = (row.get(col) or "").strip()
        if not raw and default is not None:
            return default
        try:
            v = Decimal(raw)
        except InvalidOperation:
            raise BudgetFileError(f"{where} column {col}: {raw!r} is not a number") from None
        if not v.is_finite() or v <= 0:
            raise BudgetFileError(f"{where} column {col}: must be a positive number, got {raw!r}")
        return v

    bid = (row.get("budget_id") or "").strip()
    if not bid:
        raise BudgetFileError(f"{where} column budget_id: empty")
    if bid in seen:
        raise BudgetFileError(f"{where} column budget_id: {bid!r} appears twice")
    seen.add(bid)
    st = (row.get("scope_type") or "").strip()
    if st not in SCOPE_TYPES:
        raise BudgetFileError(
            f"{where} column scope_type: {st!r} is not one of {', '.join(SCOPE_TYPES)}"
        )
    sv = (row.get("scope_value") or "").strip() or ("*" if st == "organization" else "")
    if not sv:
        raise BudgetFileError(f"{where} column scope_value: empty")
    period = (row.get("period") or "monthly").strip()
    if period not in PERIODS:
        raise BudgetFileError(
            f"{where} column period: {period!r} is not one of {', '.join(PERIODS)}"
        )
    cur = (row.get("currency") or "").strip().upper()
    if len(cur) != 3 or not cur.isalpha():
        raise BudgetFileError(f"{where} column currency: {cur!r} is not an ISO 4217 code")
    try:
        th = tuple(int(t) for t in _split(row.get("alert_thresholds", ""))) or DEFAULT_THRESHOLDS
    except ValueError:
        raise BudgetFileError(
            f"{where} column alert_thresholds: use whole percents like 50|80|100"
        ) from None
    if list(th) != sorted(set(th)) or th[0] <= 0:
        raise BudgetFileError(
            f"{where} column alert_thresholds: must be positive and increasing, got {th}"
        )
    basis = (row.get("breaker_basis") or "actual").strip()
    if basis not in ("actual", "forecast"):
        raise BudgetFileError(f"{where} column breaker_basis: {basis!r} is not actual or forecast")
    trip = dec("breaker_trip_pct", Decimal(90))
    left = (row.get("breaker_min_period_left_pct") or "").strip()
    left_pct = Decimal(left) if left else Decimal(25)
    if not (0 <= left_pct < 100):
        raise BudgetFileError(
            f"{where} column breaker_min_period_left_pct: must be in [0, 100), got {left!r}"
        )
    return Budget(
        bid,
        st,
        sv,
        dec("amount"),
        cur,
        period,
        th,
        basis,
        trip,
        left_pct,
        _split(row.get("owners", "")),
        _split(row.get("channels", "")),
    )


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the budget period containing ``day``."""
    if period == "monthly":
        start = day.replace(day=1)
        months = 1
    elif period == "quarterly":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        months = 3
    elif period == "yearly":
        start = day.replace(month=1, day=1)
        months = 12
    else:
        raise ValueError(period)
    y, m = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + y, m + 1, 1) - dt.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class BreakerDecision:
    tripped: bool
    reason: str


def breaker_trip(
    b: Budget,
    pct_actual: Decimal,
    pct_projected: Decimal | None,
    period_left_pct: Decimal,
    projected_trip_left_pct: Decimal | None,
) -> BreakerDecision:
    """Whether the breaker trips, and why (see the module docstring)."""
    if pct_actual >= 100:
        return BreakerDecision(True, f"actual spend is {pct_actual:.1f}% of the budget")
    if pct_actual >= b.breaker_trip_pct and period_left_pct > b.breaker_min_period_left_pct:
        return BreakerDecision(
            True,
            f"actual spend reached {pct_actual:.1f}% (trip {b.breaker_trip_pct}%) "
            f"with {period_left_pct:.0f}% of the period left",
        )
    if b.breaker_basis == "forecast" and pct_projected is not None:
        if pct_projected >= 100:
            return BreakerDecision(
                True, f"projected period-end spend is {pct_projected:.1f}% of the budget"
            )
        if (
            projected_trip_left_pct is not None
            and projected_trip_left_pct > b.breaker_min_period_left_pct
        ):
            return BreakerDecision(
                True,
                f"projected to reach {b.breaker_trip_pct}% with "
                f"{projected_trip_left_pct:.0f}% of the period left",
            )
    return BreakerDecision(False, "")


def breaker_state(
    tripped: bool, scope: str, budget_id: str, overrides: Iterable[Override], now: dt.datetime
) -> tuple[str, Override | None]:
    """``closed``/``open``/``half_open`` given the trip decision and the overrides valid at ``now``."""
    if not tripped:
        return "closed", None
    valid = [o for o in overrides if o.scope in (scope, f"budget:{budget_id}") and o.until > now]
    if valid:
        return "half_open", max(valid, key=lambda o: o.until)
    return "open", None


def alert_level(crossed: Sequence[int], forecast_crossed: Sequence[int]) -> str:
    """red: actual ≥ 100%; orange: actual ≥ 80% or projected ≥ 100%; yellow: actual ≥ 50% or
    projected ≥ 80%; green otherwise (against the budget's own thresholds)."""
    top = max(crossed, default=0)
    ftop = max(forecast_crossed, default=0)
    if top >= 100:
        return "red"
    if top >= 80 or ftop >= 100:
        return "orange"
    if top >= 50 or ftop >= 80:
        return "yellow"
    return "green"


def _money(v: Any) -> Decimal:
    return (v if isinstance(v, Decimal) else Decimal(str(v))).quantize(CENT, rounding=ROUND_HALF_UP)


def budget_status(
    budgets: Sequence[Budget],
    actuals: dict[tuple[str, str, str], dict[dt.date, Decimal]],
    forecasts: dict[tuple[str, str, str], dict[dt.date, float]],
    as_of: dt.date,
    *,
    overrides: Sequence[Override] = (),
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """One status row per budget as of ``as_of`` (a day with data).

    ``actuals`` maps ``(scope_type, scope_value, currency)`` to daily cost; ``forecasts`` maps the
    same keys to daily forecast values for days after ``as_of`` (empty for no forecast)."""
    now = now or dt.datetime.now(dt.UTC)
    rows = []
    for b in budgets:
        start, end = period_bounds(b.period, as_of)
        days_total = (end - start).days + 1
        elapsed = (as_of - start).days + 1
        left = days_total - elapsed
        daily = actuals.get((b.scope_type, b.scope_value, b.currency), {})
        actual = sum((v for d, v in daily.items() if start <= d <= as_of), Decimal(0))
        burn = actual / elapsed
        linear = actual + burn * left
        fc = forecasts.get((b.scope_type, b.scope_value, b.currency), {})
        fdays = [as_of + dt.timedelta(days=i) for i in range(1, left + 1)]
        forecast_end = None
        if fc and all(d in fc for d in fdays):
            forecast_end = actual + sum((_money(fc[d]) for d in fdays), Decimal(0))
        projected = forecast_end if forecast_end is not None else linear
        pct = actual * 100 / b.amount
        pct_proj = projected * 100 / b.amount
        # exhaustion: the day cumulative spend reaches the amount (already, or projected)
        exhaustion = _exhaustion_date(b.amount, daily, start, as_of, fdays, fc, burn)
        trip_day = _exhaustion_date(
            b.amount * b.breaker_trip_pct / 100, daily, start, as_of, fdays, fc, burn
        )
        trip_left = (
            (Decimal((end - trip_day).days) * 100 / days_total)
            if trip_day and trip_day > as_of
            else None
        )
        period_left_pct = Decimal(left) * 100 / days_total
        decision = breaker_trip(b, pct, pct_proj, period_left_pct, trip_left)
        state, override = breaker_state(decision.tripped, b.scope, b.budget_id, overrides, now)
        crossed = [t for t in b.thresholds if pct >= t]
        fcrossed = [t for t in b.thresholds if pct_proj >= t]
        rows.append(
            {
                "budget_id": b.budget_id,
                "scope_type": b.scope_type,
                "scope_value": b.scope_value,
                "scope": b.scope,
                "period": b.period,
                "period_start": start,
                "period_end": end,
                "as_of_date": as_of,
                "currency": b.currency,
                "budget_amount": _money(b.amount),
                "actual_cost_to_date": _money(actual),
                "days_elapsed": elapsed,
                "days_in_period": days_total,
                "daily_burn_rate": _money(burn),
                "projected_period_end_linear": _money(linear),
                "projected_period_end_forecast": _money(forecast_end)
                if forecast_end is not None
                else None,
                "projected_period_end_cost": _money(projected),
                "projection_method": "forecast" if forecast_end is not None else "linear",
                "projected_exhaustion_date": exhaustion,
                "pct_used": float(round(pct, 2)),
                "projected_pct": float(round(pct_proj, 2)),
                "thresholds_crossed": "|".join(map(str, crossed)),
                "forecast_thresholds_crossed": "|".join(map(str, fcrossed)),
                "highest_threshold_crossed": max(crossed, default=None),
                "alert_level": alert_level(crossed, fcrossed),
                "breaker_state": state,
                "breaker_reason": decision.reason,
                "override_until": override.until if override else None,
                "override_by": override.by if override else None,
                "owners": "|".join(b.owners),
                "channels": "|".join(b.channels),
            }
        )
    return rows


def _exhaustion_date(
    amount: Decimal,
    daily: dict[dt.date, Decimal],
    start: dt.date,
    as_of: dt.date,
    fdays: Sequence[dt.date],
    fc: dict[dt.date, float],
    burn: Decimal,
) -> dt.date | None:
    cum = Decimal(0)
    d = start
    while d <= as_of:
        cum += daily.get(d, Decimal(0))
        if cum >= amount:
            return d
        d += dt.timedelta(days=1)
    for day in fdays:
        cum += _money(fc[day]) if day in fc else burn
        if cum >= amount:
            return day
    return None
