"""Commitment purchase simulation (savings plans, committed-use discounts, reservations).

Given the on-demand eligible spend per period (hour, or day where that is all the export has) and
the discount a commitment buys, every candidate commitment level is priced as it would have played
out: ``commitment cost + the on-demand spend it did not cover``, compared with today's on-demand
spend. The level that saves most is the answer for one lookback; the recommendation is the lowest
of the answers over the short and long lookbacks (7, 30, 60 days), so a usage drop in the last
week does not leave a commitment sized for stale usage.

Units: ``level`` is commitment dollars per period at the committed rate (an AWS savings plan's
$/hour commitment); it covers ``level / (1 - discount)`` of on-demand-equivalent spend per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
HOURS_PER_MONTH = Decimal(730)
DAYS_PER_MONTH = Decimal("30.4167")
LOOKBACK_DAYS = (7, 30, 60)


class PurchaseInputError(ValueError):
    pass


@dataclass(frozen=True)
class CurvePoint:
    """One candidate level over a window: what it costs and saves (window totals, not monthly)."""

    level: Decimal
    commitment_cost: Decimal
    remaining_on_demand: Decimal
    total_cost: Decimal
    savings: Decimal
    coverage: Decimal  # covered on-demand-equivalent / on-demand spend, 0..1
    utilization: Decimal  # used commitment / commitment, 0..1


@dataclass(frozen=True)
class Recommendation:
    """The recommended level and why: best level per lookback, the curve over the chosen window."""

    level: Decimal
    periods_per_month: Decimal
    monthly_commitment: Decimal
    monthly_savings: Decimal
    discount: Decimal
    best_by_lookback: dict[int, Decimal]
    curve: list[CurvePoint]
    assumptions: str


def evaluate(on_demand: Sequence[Decimal], discount: Decimal, level: Decimal) -> CurvePoint:
    """Replay one commitment level over a series of on-demand spend per period."""
    _check(on_demand, discount)
    if level < 0:
        raise PurchaseInputError("a commitment level cannot be negative")
    cover_cap = level / (1 - discount)
    remaining = ZERO
    covered = ZERO
    for spend in on_demand:
        c = min(spend, cover_cap)
        covered += c
        remaining += spend - c
    n = len(on_demand)
    commitment_cost = level * n
    total = commitment_cost + remaining
    spend_total = sum(on_demand, ZERO)
    used = covered * (1 - discount)
    return CurvePoint(
        level=level,
        commitment_cost=commitment_cost,
        remaining_on_demand=remaining,
        total_cost=total,
        savings=spend_total - total,
        coverage=covered / spend_total if spend_total else ZERO,
        utilization=used / commitment_cost if commitment_cost else ZERO,
    )


def candidate_levels(
    on_demand: Sequence[Decimal], discount: Decimal, step: Decimal | None = None
) -> list[Decimal]:
    """Levels worth trying. The savings curve is piecewise linear with kinks where the level covers
    exactly one period's spend, so its maximum is at one of those kinks (or 0): those are the
    candidates. With ``step`` (a reservation's price per period), multiples of it instead."""
    _check(on_demand, discount)
    if step is not None:
        if step <= 0:
            raise PurchaseInputError("step must be positive")
        top = max(on_demand, default=ZERO) * (1 - discount)
        count = int(top / step) + 1
        return [step * k for k in range(count + 1)]
    return sorted({ZERO, *(s * (1 - discount) for s in on_demand)})


def savings_curve(
    on_demand: Sequence[Decimal], discount: Decimal, step: Decimal | None = None
) -> list[CurvePoint]:
    return [evaluate(on_demand, discount, lv) for lv in candidate_levels(on_demand, discount, step)]


def best_level(
    on_demand: Sequence[Decimal], discount: Decimal, step: Decimal | None = None
) -> Decimal:
    """The level that saves most over the series (the smallest such level on ties)."""
    curve = savings_curve(on_demand, discount, step)
    top = max(p.savings for p in curve)
    return min(p.level for p in curve if p.savings == top)


def recommend(
    on_demand: Sequence[Decimal],
    discount: Decimal,
    periods_per_day: int = 24,
    lookbacks_days: Sequence[int] = LOOKBACK_DAYS,
    step: Decimal | None = None,
    assumptions: str = "",
) -> Recommendation:
    """Recommend a commitment level from the most recent periods of ``on_demand`` (oldest first).

    Each lookback uses the last ``days * periods_per_day`` periods (all of them when the series
    is shorter); the recommendation is the lowest best level; its monthly savings are measured
    over the longest lookback's window.
    """
    _check(on_demand, discount)
    if periods_per_day not in (1, 24):
        raise PurchaseInputError("periods are hours (24 a day) or days (1 a day)")
    if not lookbacks_days or min(lookbacks_days) <= 0:
        raise PurchaseInputError("lookbacks must be positive numbers of days")
    best: dict[int, Decimal] = {}
    for days in sorted(set(lookbacks_days)):
        window = list(on_demand[-days * periods_per_day :])
        best[days] = best_level(window, discount, step)
    level = min(best.values())
    longest = list(on_demand[-max(lookbacks_days) * periods_per_day :])
    point = evaluate(longest, discount, level)
    per_month = HOURS_PER_MONTH if periods_per_day == 24 else DAYS_PER_MONTH
    months = Decimal(len(longest)) / per_month
    return Recommendation(
        level=level,
        periods_per_month=per_month,
        monthly_commitment=level * per_month,
        monthly_savings=point.savings / months if months else ZERO,
        discount=discount,
        best_by_lookback=best,
        curve=savings_curve(longest, discount, step),
        assumptions=assumptions,
    )


def observed_discount(list_cost: Decimal, effective_cost: Decimal) -> Decimal | None:
    """The discount commitments actually gave: 1 - effective / list over covered usage."""
    if list_cost <= 0 or effective_cost < 0 or effective_cost > list_cost:
        return None
    return 1 - effective_cost / list_cost


def _check(on_demand: Sequence[Decimal], discount: Decimal) -> None:
    if not on_demand:
        raise PurchaseInputError("no on-demand spend to simulate")
    if not (ZERO <= discount < 1):
        raise PurchaseInputError(f"discount must be in [0, 1), got {discount}")
    if any(s < 0 for s in on_demand):
        raise PurchaseInputError("on-demand spend per period cannot be negative")


def curve_rows(
    recommendation_id: str, rec: Recommendation, periods: int, points: int = 60
) -> list[dict[str, object]]:
    """The savings curve as rows (monthly commitment and savings per level), thinned to about
    ``points`` levels; the recommended level is always kept. ``periods``: the window's length."""
    curve = rec.curve
    if len(curve) > points:
        idx = {round(i * (len(curve) - 1) / (points - 1)) for i in range(points)}
        idx |= (
            {next(i for i, p in enumerate(curve) if p.level == rec.level)}
            if any(p.level == rec.level for p in curve)
            else set()
        )
        curve = [curve[i] for i in sorted(idx)]
    months = Decimal(periods) / rec.periods_per_month
    return [
        {
            "recommendation_id": recommendation_id,
            "level_per_period": p.level,
            "monthly_commitment": (p.level * rec.periods_per_month).quantize(Decimal("0.01")),
            "monthly_savings": (p.savings / months).quantize(Decimal("0.01")) if months else ZERO,
            "coverage": float(p.coverage),
            "utilization": float(p.utilization),
            "is_recommended": p.level == rec.level,
        }
        for p in curve
    ]
