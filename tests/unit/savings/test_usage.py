"""Rightsizing, idle and modernisation on crafted metric series, priced by the shipped catalog.

Expected prices are the catalog's cited list prices, written out here: EC2 Linux us-east-1
m5.2xlarge $0.384/h, m5.large $0.096/h, m4.large $0.10/h (apache-libcloud pricing.json,
2025-03-02); EBS gp2 $0.10 and gp3 $0.08 per GB-month (aws.amazon.com/ebs/pricing, 2025-01-01).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest

from iac_gate.catalog import PriceCatalog
from models_ml.savings.usage import ResourceUsage, Thresholds, find_opportunities, percentile

AS_OF = dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[3]


def hourly(days: int, value: float | None = None, fn=None) -> list[tuple[dt.datetime, float]]:  # type: ignore[no-untyped-def]
    start = AS_OF - dt.timedelta(days=days)
    out = []
    for h in range(days * 24):
        t = start + dt.timedelta(hours=h + 1)
        out.append((t, fn(h) if fn else float(value or 0.0)))
    return out


def ec2(cost: D, cpu, type_: str = "m5.2xlarge", **metrics) -> ResourceUsage:  # type: ignore[no-untyped-def]
    return ResourceUsage(
        "aws", "i-0test", "payments", "us-east-1", "Compute", "instance", type_, cost,
        metrics={"cpu_utilization": cpu, **metrics},
    )  # fmt: skip


@pytest.fixture(scope="module")
def prices() -> PriceCatalog:
    return PriceCatalog()


def test_percentile_matches_numpy_definition() -> None:
    import numpy as np

    for values in ([1.0, 2.0, 3.0, 4.0], [0.0] * 99 + [100.0], [5.0, 1.0, 9.0]):
        for q in (0, 50, 99, 99.5, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_idle_instance_saves_its_whole_cost(prices: PriceCatalog) -> None:
    r = ec2(D("280.32"), hourly(14, 0.4), network_in_bytes=hourly(14, 100.0))
    [o] = find_opportunities([r], AS_OF, prices)
    assert o.kind == "idle" and o.monthly_savings == D("280.32")
    assert (
        o.evidence["days_with_data"] == 15
    )  # hourly points from 01:00 on day 1 to 00:00 on day 15


def test_steady_low_cpu_downsizes_within_family(prices: PriceCatalog) -> None:
    cost = D("0.384") * 730  # a month of on-demand m5.2xlarge
    r = ec2(cost, hourly(14, 10.0), network_in_bytes=hourly(14, 1e9))
    [o] = find_opportunities([r], AS_OF, prices)
    # p99.5 10% + 20% headroom = 12% of 8 vCPUs = 0.96 vCPU -> m5.large (2 vCPUs)
    assert o.kind == "rightsize" and o.evidence["target_type"] == "m5.large"
    assert o.monthly_savings == (cost * (1 - D("0.096") / D("0.384"))).quantize(D("0.01"))
    assert o.monthly_savings == D("210.24")


def test_spiky_cpu_is_left_alone(prices: PriceCatalog) -> None:
    # 5% most of the time, 90% for one hour a day: p99.5 sees the spikes
    r = ec2(
        D(280),
        hourly(14, fn=lambda h: 90.0 if h % 24 == 12 else 5.0),
        network_in_bytes=hourly(14, 1e9),
    )
    assert find_opportunities([r], AS_OF, prices) == []


def test_steady_high_cpu_is_left_alone(prices: PriceCatalog) -> None:
    assert find_opportunities([ec2(D(280), hourly(14, 70.0))], AS_OF, prices) == []


def test_missing_days_give_no_verdict(prices: PriceCatalog) -> None:
    # only 10 of the 14 days have data (12 required): no idle verdict on a half-watched instance
    assert find_opportunities([ec2(D(280), hourly(10, 0.1))], AS_OF, prices) == []


def test_high_memory_blocks_downsizing(prices: PriceCatalog) -> None:
    r = ec2(
        D(280),
        hourly(14, 10.0),
        memory_utilization=hourly(14, 60.0),
        network_in_bytes=hourly(14, 1e9),
    )
    assert find_opportunities([r], AS_OF, prices) == []


def test_gp2_to_gp3(prices: PriceCatalog) -> None:
    vol = ResourceUsage("aws", "vol-1", "data", "us-east-1", "Storage", "volume", "gp2", D(100))
    [o] = find_opportunities([vol], AS_OF, prices)
    assert o.kind == "modernize" and o.monthly_savings == D("20.00")


def test_unused_volume_is_idle(prices: PriceCatalog) -> None:
    vol = ResourceUsage(
        "aws", "vol-2", "data", "us-east-1", "Storage", "volume", "gp3", D(40),
        metrics={"disk_read_ops": hourly(14, 0.0), "disk_write_ops": hourly(14, 0.0)},
    )  # fmt: skip
    [o] = find_opportunities([vol], AS_OF, prices)
    assert o.kind == "idle" and o.monthly_savings == D("40.00")


def test_previous_generation(prices: PriceCatalog) -> None:
    r = ec2(D(200), hourly(14, 60.0), type_="m4.large")
    [o] = find_opportunities([r], AS_OF, prices)
    assert o.kind == "modernize" and o.evidence["target_type"] == "m5.large"
    assert o.monthly_savings == (D(200) * (1 - D("0.096") / D("0.1"))).quantize(D("0.01"))


def test_idle_ip_from_usage_type(prices: PriceCatalog) -> None:
    ip = ResourceUsage("aws", "eipalloc-1", "web", "us-east-1", "Networking", "ip", None, D("7.30"),
                       usage_hints=("USE1-PublicIPv4:IdleAddress",))  # fmt: skip
    [o] = find_opportunities([ip], AS_OF, prices)
    assert o.kind == "idle" and o.monthly_savings == D("7.30")


def test_small_savings_are_not_listed(prices: PriceCatalog) -> None:
    vol = ResourceUsage("aws", "vol-3", "data", "us-east-1", "Storage", "volume", "gp2", D(10))
    assert find_opportunities([vol], AS_OF, prices) == []  # $2/month < $5 threshold


def test_ids_are_stable(prices: PriceCatalog) -> None:
    r = ec2(D("280.32"), hourly(14, 0.4))
    assert (
        find_opportunities([r], AS_OF, prices)[0].opportunity_id
        == find_opportunities([r], AS_OF, prices)[0].opportunity_id
    )


def test_thresholds_seed_loads(tmp_path: Path) -> None:
    t = Thresholds.from_csv(REPO / "dbt_project" / "seeds" / "savings_thresholds.csv")
    assert t.lookback_days == 14 and t.cpu_percentile == 99.5 and t.min_monthly_savings == D(5)
    bad = tmp_path / "t.csv"
    bad.write_text("threshold_id,value,description\nheadroom_pct,lots,x\n")
    with pytest.raises(ValueError, match="headroom_pct is not a number"):
        Thresholds.from_csv(bad)


@pytest.mark.parametrize(
    ("provider", "rid", "meters", "want"),
    [
        ("aws", "i-0a", ["BoxUsage:m5.xlarge"], ("instance", "m5.xlarge")),
        ("aws", "i-0a", ["USW2-BoxUsage:c6i.2xlarge"], ("instance", "c6i.2xlarge")),
        ("aws", "arn:aws:rds:x", ["InstanceUsage:db.r6g.large"], ("database", "db.r6g.large")),
        ("aws", "vol-1", ["EBS:VolumeUsage.gp2"], ("volume", "gp2")),
        ("aws", "eipalloc-1", ["USE1-PublicIPv4:IdleAddress"], ("ip", None)),
        ("aws", "nat-1", ["NatGateway-Hours"], ("nat_gateway", None)),
        (
            "azure",
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Web/serverfarms/plan1",
            [],
            ("app_service_plan", None),
        ),
        (
            "gcp",
            "//compute.googleapis.com/projects/p/zones/z/instances/web-1",
            [],
            ("instance", None),
        ),
        ("gcp", "projects/p/global/addresses/ip-1", [], ("ip", None)),
    ],
)
def test_classify(provider: str, rid: str, meters: list[str], want: tuple[str, str | None]) -> None:
    from models_ml.savings.classify import classify

    assert classify(provider, rid, None, meters) == want
