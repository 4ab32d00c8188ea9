"""Purchase simulation: hand-computed windows, a brute-force grid, and the lower-lookback rule."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from models_ml.savings.purchase import (
    PurchaseInputError,
    best_level,
    evaluate,
    observed_discount,
    recommend,
)


def test_hand_computed_hours() -> None:
    # 10, 10, 10, 0 dollars on demand; a 50% discount; $5/h commitment covers $10/h of usage.
    p = evaluate([D(10), D(10), D(10), D(0)], D("0.5"), D(5))
    assert p.commitment_cost == D(20)
    assert p.remaining_on_demand == D(0)
    assert p.savings == D(10)  # 30 on demand today - 20
    assert p.utilization == D("0.75")  # 15 of 20 committed dollars used
    assert p.coverage == D(1)


def test_overcommitting_loses_money() -> None:
    # 10 then 2; 25% discount. $7.5/h covers the peak but wastes most of it in the quiet hour.
    spend = [D(10), D(2)]
    assert evaluate(spend, D("0.25"), D("7.5")).savings == D(-3)  # 15 vs 12 today
    assert evaluate(spend, D("0.25"), D("1.5")).savings == D(1)  # 3 + 8 remaining vs 12
    assert best_level(spend, D("0.25")) == D("1.5")


def test_best_level_equals_a_brute_force_grid() -> None:
    spend = [D(v) for v in (3, 8, 8, 5, 0, 12, 7, 7, 6, 2)]
    disc = D("0.28")

    def savings(level: D) -> D:  # independent: straight from the definition
        cap = level / (1 - disc)
        return sum(spend, D(0)) - sum((level + max(s - cap, D(0)) for s in spend), D(0))

    grid = [D(k) / 100 for k in range(0, 1300)]
    grid_best = max(savings(g) for g in grid)
    got = best_level(spend, disc)
    assert savings(got) >= grid_best
    assert evaluate(spend, disc, got).savings == savings(got)


def test_recommendation_takes_the_lower_lookback() -> None:
    # 53 days at $100/day, then a week at $50/day; 30% discount.
    spend = [D(100)] * 53 + [D(50)] * 7
    rec = recommend(spend, D("0.3"), periods_per_day=1)
    assert rec.best_by_lookback[7] == D(35)
    assert rec.best_by_lookback[60] == D(70)  # stale usage would say commit to $70/day
    assert rec.level == D(35)
    # over 60 days, $35/day: 2,100 committed + 53 x 50 on demand = 4,750 vs 5,650 today
    assert rec.monthly_savings == D(900) / (D(60) / D("30.4167"))
    assert rec.monthly_commitment == D(35) * D("30.4167")
    assert rec.curve[0].level == D(0) and rec.curve[-1].level == D(70)


def test_reservation_steps_are_whole_instances() -> None:
    # 3 instances at $1/h on demand for 20 h, 1 instance for 4 h; reservation $0.6/h each
    spend = [D(3)] * 20 + [D(1)] * 4
    level = best_level(spend, D("0.4"), step=D("0.6"))
    assert level == D("1.8")  # 3 reserved: 43.2 vs 64 on demand (2 reserved: 28.8 + 20 = 48.8)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(PurchaseInputError, match="discount"):
        evaluate([D(1)], D(1), D(0))
    with pytest.raises(PurchaseInputError, match="no on-demand"):
        recommend([], D("0.2"))
    with pytest.raises(PurchaseInputError, match="negative"):
        evaluate([D(-1)], D("0.2"), D(0))


def test_observed_discount() -> None:
    assert observed_discount(D(100), D(72)) == D("0.28")
    assert observed_discount(D(0), D(0)) is None
