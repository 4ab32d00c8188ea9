"""AWS managed-service rules of issue 17, checked against the public list prices they cite.

Prices: AWS WAF (aws.amazon.com/waf/pricing): web ACL $5.00/month, rule $1.00/month, requests
$0.60 per million. Managed Service for Apache Flink (aws.amazon.com/managed-service-apache-flink/
pricing, us-east-1): $0.11 per KPU-hour, running application storage $0.10/GB-month.
"""

from __future__ import annotations

from decimal import Decimal as D

from tests.gate_plans import change, plan, priced

V2_ACL = {
    "name": "acl",
    "scope": "REGIONAL",
    "rule": [
        {"name": "rate", "priority": 1,
         "statement": [{"rate_based_statement": [{"limit": 10000, "aggregate_key_type": "IP"}]}]},
        {"name": "managed", "priority": 2,
         "statement": [{"managed_rule_group_statement": [
             {"name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS"}]}]},
        {"name": "own", "priority": 3,
         "statement": [{"rule_group_reference_statement": [{"arn": "arn:aws:wafv2:x"}]}]},
    ],
}  # fmt: skip


def test_waf_rule_groups_bill_by_their_rules_not_as_one_rule(catalog) -> None:
    classic = {"name": "c", "metric_name": "c", "rules": [
        {"priority": 1, "rule_id": "r1", "type": "REGULAR"},
        {"priority": 2, "rule_id": "r2", "type": "RATE_BASED"},
        {"priority": 3, "rule_id": "g1", "type": "GROUP"},
    ]}  # fmt: skip
    out = priced(
        plan(change("aws_wafv2_web_acl", "v2", V2_ACL), change("aws_waf_web_acl", "c", classic)),
        catalog,
    )
    v2, c = out["aws_wafv2_web_acl.v2"], out["aws_waf_web_acl.c"]
    assert v2.monthly_cost == D(5) + 1 * D(1)  # the rate-based rule; 2 rule groups
    assert c.monthly_cost == D(5) + 2 * D(1)  # REGULAR and RATE_BASED; 1 group
    groups = [x for x in v2.after.components if "rule group" in x.name]
    assert groups and groups[0].usage_based and groups[0].quantity is None
    assert groups[0].unit_price == D(1)


def test_waf_rule_group_rules_and_requests_from_the_usage_file(catalog) -> None:
    usage = {"aws_wafv2_web_acl.v2": {"rule_group_rules": 30, "monthly_requests_millions": 10}}
    r = priced(plan(change("aws_wafv2_web_acl", "v2", V2_ACL)), catalog, usage)
    assert r["aws_wafv2_web_acl.v2"].monthly_cost == D(5) + D(1) + 30 * D(1) + 10 * D("0.60")


def test_elasticache_large_graviton_nodes(catalog) -> None:
    """aws.amazon.com/elasticache/pricing, us-east-1 on-demand: cache.m6g.12xlarge $3.557/hour."""
    node = {"engine": "redis", "node_type": "cache.m6g.12xlarge", "num_cache_nodes": 1}
    r = priced(plan(change("aws_elasticache_cluster", "c", node)), catalog)
    assert r["aws_elasticache_cluster.c"].monthly_cost == 730 * D("3.557")


def _flink(**extra: object) -> dict:
    return {
        "name": "f",
        "runtime_environment": "FLINK-1_18",
        "service_execution_role": "r",
        **extra,
    }


def test_flink_application_kpus_orchestration_and_storage_while_running(catalog) -> None:
    custom = {"application_configuration": [{"flink_application_configuration": [
        {"parallelism_configuration": [{"configuration_type": "CUSTOM", "parallelism": 5,
                                        "parallelism_per_kpu": 2, "auto_scaling_enabled": False}]}
    ]}]}  # fmt: skip
    out = priced(
        plan(
            change("aws_kinesisanalyticsv2_application", "d", _flink(start_application=True)),
            change(
                "aws_kinesisanalyticsv2_application", "c", _flink(start_application=True, **custom)
            ),
            change("aws_kinesisanalyticsv2_application", "off", _flink()),
        ),
        catalog,
    )
    kpu, gb = D("0.11"), D("0.10")
    # DEFAULT parallelism: 1 KPU + 1 orchestration KPU + 50 GB
    assert out["aws_kinesisanalyticsv2_application.d"].monthly_cost == 2 * 730 * kpu + 50 * gb
    # parallelism 5 at 2 per KPU: 3 KPUs + 1 orchestration KPU + 150 GB
    assert out["aws_kinesisanalyticsv2_application.c"].monthly_cost == 4 * 730 * kpu + 150 * gb
    # Terraform leaves an application stopped unless start_application = true: no KPU runs
    off = out["aws_kinesisanalyticsv2_application.off"]
    assert off.status == "priced" and off.monthly_cost == 0


def test_performance_insights_long_retention_is_a_named_part(catalog) -> None:
    """Retention past the free 7 days bills per vCPU-month, a first-month rate and a rate per
    further month (aws.amazon.com/rds/performance-insights/pricing); 731 days = 24 months. Those
    rates are not in the catalog: the instance is partial and says so, it is not under-priced."""
    db = {
        "engine": "mysql",
        "instance_class": "db.m5.large",
        "allocated_storage": 20,
        "performance_insights_enabled": True,
        "performance_insights_retention_period": 731,
    }
    free = dict(db, performance_insights_retention_period=7)
    multi = dict(db, multi_az=True, performance_insights_retention_period=93)
    out = priced(plan(change("aws_db_instance", "pi", db), change("aws_db_instance", "free", free),
                      change("aws_db_instance", "m", multi)), catalog)  # fmt: skip
    pi = out["aws_db_instance.pi"]
    parts = [c for c in pi.after.components if "Performance Insights" in c.name]
    assert pi.status == "partial" and [c.quantity for c in parts] == [
        2,
        2 * 23,
    ]  # db.m5.large: 2 vCPU
    assert "rds_performance_insights" in pi.unpriced_reason
    assert out["aws_db_instance.free"].status == "priced"  # 7 days: free tier, no part
    m = [c for c in out["aws_db_instance.m"].after.components if "Performance Insights" in c.name]
    assert [c.quantity for c in m] == [4, 4 * 2]  # Multi-AZ: both instances' vCPUs; 3 months
