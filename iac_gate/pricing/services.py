"""Managed services with flat, configuration-determined fees (AWS and Azure): DNS zones, health
checks, alarms, WAF, VPN and virtual WAN gateways, private endpoints, directories, messaging
namespaces, registries, API gateways. Each bills per hour or per month for what the
configuration declares; usage-priced parts (queries, requests, data) are listed as such."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from iac_gate import HOURS_PER_MONTH
from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

ONE = Decimal(1)
DAYS_PER_MONTH = Decimal(HOURS_PER_MONTH) / 24  # 730 hours = 30.42 days


def _n(v: Any, default: int = 1) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(default)


def _count(side: Side, *path: str) -> Decimal:
    return Decimal(len(side.blocks(*path)))


def _monthly(side: Side, p: Pricer, name: str, product: str, sku: str, qty: Any) -> Component:
    return p.component(side, name, product, sku, qty)


def _hourly(side: Side, p: Pricer, name: str, product: str, sku: str, qty: Any = ONE) -> Component:
    return p.component(side, name, product, sku, qty, per_hour=True)


# ---- AWS ----------------------------------------------------------------------------------


def aws_acmpca_certificate_authority(side: Side, p: Pricer) -> list[Component]:
    mode = str(side.text("usage_mode") or "GENERAL_PURPOSE")
    return [
        _monthly(side, p, f"Private certificate authority ({mode})", "acmpca", mode, ONE),
        p.component(side, "Certificates", "acmpca", "certificate", None, usage_key="certificates"),
    ]


def aws_cloudwatch_metric_alarm(side: Side, p: Pricer) -> list[Component]:
    queries = side.blocks("metric_query")
    anomaly = any("ANOMALY_DETECTION_BAND" in str(q.get("expression") or "") for q in queries)
    metrics = sum(1 for q in queries if q.get("metric")) or 1
    periods = [side.number("period")] + [
        side.sub(q).number("metric", "period") for q in queries if q.get("metric")
    ]
    high_res = any(isinstance(x, Decimal) and x < 60 for x in periods)
    n = Decimal(3 * metrics if anomaly else metrics)  # an anomaly band alarm bills 3 metrics
    kind = "high_resolution" if high_res else "standard"
    label = ("High-resolution" if high_res else "Standard") + (
        " anomaly detection" if anomaly else ""
    )
    return [_monthly(side, p, f"{label} alarm metrics", "cloudwatch_alarm", kind, n)]


def aws_route53_zone(side: Side, p: Pricer) -> list[Component]:
    return [
        _monthly(side, p, "Hosted zone", "route53", "hosted_zone", ONE),
        p.component(side, "DNS queries", "route53", "queries", None, usage_key="monthly_queries"),
    ]


def aws_route53_health_check(side: Side, p: Pricer) -> list[Component]:
    """Basic check plus each optional feature (HTTPS, string matching, 10-second interval,
    latency). AWS endpoints are assumed (cheaper) unless the usage file says `non_aws`."""
    where = "non_aws" if str(side.usage.get("endpoint_type", "aws")) == "non_aws" else "aws"
    kind = str(side.text("type") or "HTTP")
    features = 0
    features += kind.startswith("HTTPS")
    features += kind.endswith("STR_MATCH")
    interval = side.number("request_interval")
    features += isinstance(interval, Decimal) and interval <= 10
    features += side.flag("measure_latency")
    label = "AWS" if where == "aws" else "non-AWS"
    out = [
        _monthly(
            side, p, f"Health check ({label} endpoint)", "route53", f"health_check_{where}", ONE
        )
    ]
    if features:
        out.append(
            _monthly(
                side, p, f"Optional features ({features})", "route53",
                f"health_check_feature_{where}", Decimal(features),
            )
        )  # fmt: skip
    return out


def aws_route53_resolver_endpoint(side: Side, p: Pricer) -> list[Component]:
    n = _count(side, "ip_address") or ONE
    return [
        _hourly(side, p, f"Resolver endpoint ENIs ({n})", "route53_resolver", "endpoint_eni", n)
    ]


def aws_ec2_transit_gateway_vpc_attachment(side: Side, p: Pricer) -> list[Component]:
    return [
        _hourly(side, p, "Transit gateway attachment", "transit_gateway", "attachment"),
        p.component(
            side, "Data processed", "transit_gateway", "data", None,
            usage_key="monthly_data_processed_gb",
        ),
    ]  # fmt: skip


def aws_ec2_client_vpn_network_association(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "Endpoint association", "client_vpn", "association")]


def aws_ec2_client_vpn_endpoint(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(
            side, "Connections", "client_vpn", "connection", None,
            usage_key="monthly_connection_hours",
        )
    ]  # fmt: skip


def aws_ec2_traffic_mirror_session(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "Traffic mirror session", "traffic_mirror", "session")]


def _is_rule_group(rule: dict[str, Any]) -> bool:
    """A web ACL entry that references a rule group (WAF Classic `type = "GROUP"`, WAFv2
    `rule_group_reference_statement` / `managed_rule_group_statement`): it bills by the rules
    inside that group (https://aws.amazon.com/waf/pricing/), which the web ACL does not say."""
    if str(rule.get("type") or "").upper() == "GROUP":
        return True
    stmt = rule.get("statement")
    stmt = stmt[0] if isinstance(stmt, list) and stmt else stmt
    return isinstance(stmt, dict) and any(
        stmt.get(k) for k in ("rule_group_reference_statement", "managed_rule_group_statement")
    )


def _waf(side: Side, p: Pricer, rule_block: str) -> list[Component]:
    entries = side.blocks(rule_block)
    groups = Decimal(sum(1 for r in entries if _is_rule_group(r)))
    rules = Decimal(len(entries)) - groups
    out = [_monthly(side, p, "Web ACL", "waf", "web_acl", ONE)]
    if rules:
        out.append(_monthly(side, p, f"Rules ({rules})", "waf", "rule", rules))
    if groups:
        out.append(
            p.component(
                side, f"Rules inside {groups} rule group(s)", "waf", "rule", None,
                usage_key="rule_group_rules",
            )
        )  # fmt: skip
    out.append(
        p.component(
            side, "Requests", "waf", "requests", None, usage_key="monthly_requests_millions"
        )
    )
    return out


def aws_waf_web_acl(side: Side, p: Pricer) -> list[Component]:
    return _waf(side, p, "rules")


def aws_wafv2_web_acl(side: Side, p: Pricer) -> list[Component]:
    return _waf(side, p, "rule")


def aws_kms_key(side: Side, p: Pricer) -> list[Component]:
    return [
        _monthly(side, p, "Customer managed key", "kms", "key", ONE),
        p.component(
            side, "Requests", "kms", "requests", None, usage_key="monthly_requests_millions"
        ),
    ]


def aws_secretsmanager_secret(side: Side, p: Pricer) -> list[Component]:
    return [
        _monthly(side, p, "Secret", "secretsmanager", "secret", ONE),
        p.component(
            side, "API requests", "secretsmanager", "requests", None,
            usage_key="monthly_requests_millions",
        ),
    ]  # fmt: skip


def aws_mwaa_environment(side: Side, p: Pricer) -> list[Component]:
    cls = str(side.text("environment_class") or "mw1.small")
    return [_hourly(side, p, f"Environment ({cls})", "mwaa", cls)]


# ---- Azure --------------------------------------------------------------------------------


def azurerm_dns_zone(side: Side, p: Pricer) -> list[Component]:
    return [
        _monthly(side, p, "Hosted zone", "dns", "public_zone", ONE),
        p.component(side, "DNS queries", "dns", "queries", None, usage_key="monthly_queries"),
    ]


def azurerm_private_dns_zone(side: Side, p: Pricer) -> list[Component]:
    return [_monthly(side, p, "Private zone", "dns", "private_zone", ONE)]


def azurerm_private_dns_resolver_inbound_endpoint(side: Side, p: Pricer) -> list[Component]:
    return [_monthly(side, p, "Inbound endpoint", "dns_resolver", "inbound_endpoint", ONE)]


def azurerm_private_dns_resolver_outbound_endpoint(side: Side, p: Pricer) -> list[Component]:
    return [_monthly(side, p, "Outbound endpoint", "dns_resolver", "outbound_endpoint", ONE)]


def azurerm_private_dns_resolver_dns_forwarding_ruleset(side: Side, p: Pricer) -> list[Component]:
    return [_monthly(side, p, "Forwarding ruleset", "dns_resolver", "forwarding_ruleset", ONE)]


def azurerm_virtual_network_gateway(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku")
    if str(side.text("type") or "Vpn") == "ExpressRoute":
        return [
            missing(
                f"ExpressRoute gateway ({sku})",
                "ExpressRoute gateway prices are not in the catalog",
            )
        ]
    if not isinstance(sku, str):
        return [missing("VPN gateway", "sku unknown")]
    out = [_hourly(side, p, f"VPN gateway ({sku})", "vpn_gateway", sku)]
    out.append(
        p.component(
            side, "P2S connections", "vpn_gateway", "p2s", None, usage_key="p2s_connections"
        )
    )
    return out


def azurerm_virtual_hub(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("sku") or "Basic") != "Standard":
        return []  # a Basic hub has no hourly fee
    return [_hourly(side, p, "Virtual hub (Standard)", "virtual_wan", "hub")]


def azurerm_vpn_gateway(side: Side, p: Pricer) -> list[Component]:
    n = _n(side.number("scale_unit"))
    return [_hourly(side, p, f"S2S scale units ({n})", "virtual_wan", "s2s_scale_unit", n)]


def azurerm_vpn_gateway_connection(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "S2S connection", "virtual_wan", "s2s_connection")]


def azurerm_express_route_gateway(side: Side, p: Pricer) -> list[Component]:
    n = _n(side.number("scale_units"))
    return [_hourly(side, p, f"ER scale units ({n})", "virtual_wan", "er_scale_unit", n)]


def azurerm_express_route_connection(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "ER connection", "virtual_wan", "er_connection")]


def azurerm_private_endpoint(side: Side, p: Pricer) -> list[Component]:
    return [
        _hourly(side, p, "Private endpoint", "private_link", "endpoint"),
        p.component(
            side, "Data processed", "private_link", "data", None,
            usage_key="monthly_data_processed_gb",
        ),
    ]  # fmt: skip


def azurerm_static_web_app(side: Side, p: Pricer) -> list[Component]:
    tier = str(side.text("sku_tier") or side.text("sku_size") or "Free")
    if tier == "Free":
        return []
    return [_monthly(side, p, f"Static Web App ({tier})", "static_web_app", tier, ONE)]


def azurerm_container_registry(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "Basic")
    out = [_monthly(side, p, f"Registry ({sku})", "container_registry", sku, DAYS_PER_MONTH)]
    replicas = _count(side, "georeplications") or _count(side, "georeplication_locations")
    if replicas:
        out.append(
            _monthly(
                side, p, f"Geo-replications ({replicas})", "container_registry", "Premium",
                replicas * DAYS_PER_MONTH,
            )
        )  # fmt: skip
    return out


def azurerm_app_configuration(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "free").lower()
    if sku == "free":
        return []
    stores = ONE + _count(side, "replica")
    return [
        _monthly(
            side, p, f"Store ({sku}, {stores} incl. replicas)", "app_configuration", sku,
            stores * DAYS_PER_MONTH,
        )
    ]  # fmt: skip


def azurerm_application_insights_web_test(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("kind") or "ping").lower() != "multistep":
        return []  # ping (URL) tests are free
    return [_monthly(side, p, "Multi-step web test", "app_insights", "multistep_web_test", ONE)]


def azurerm_app_service_custom_hostname_binding(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("ssl_state") or "") != "IpBasedEnabled":
        return []  # SNI SSL and plain hostnames are free
    return [_monthly(side, p, "IP SSL", "app_service_certificate", "ip_ssl", ONE)]


def azurerm_frontdoor_firewall_policy(side: Side, p: Pricer) -> list[Component]:
    out = [_monthly(side, p, "Policy", "frontdoor_waf", "policy", ONE)]
    rules = _count(side, "custom_rule")
    if rules:
        out.append(
            _monthly(side, p, f"Custom rules ({rules})", "frontdoor_waf", "custom_rule", rules)
        )
    sets = _count(side, "managed_rule")
    if sets:
        out.append(
            _monthly(
                side, p, f"Managed rule sets ({sets})", "frontdoor_waf", "managed_ruleset", sets
            )
        )
    return out


def azurerm_active_directory_domain_service(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku")
    if sku is None:
        ds = side.related("domain_service_id")
        sku = side.sub(ds).text("sku") if ds is not None else None
    if not isinstance(sku, str):
        return [missing("Domain service", "sku unknown (the domain service is not in this plan)")]
    return [_hourly(side, p, f"Domain service ({sku})", "aadds", sku)]


def azurerm_servicebus_namespace(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "Basic")
    ops = p.component(
        side, "Messaging operations", "servicebus", "operations", None,
        usage_key="monthly_messaging_operations_millions",
    )  # fmt: skip
    if sku == "Basic":
        return [ops]
    if sku == "Premium":
        n = _n(side.number("capacity"))
        return [_hourly(side, p, f"Messaging units ({n})", "servicebus", "Premium", n)]
    return [_hourly(side, p, "Base charge (Standard)", "servicebus", "Standard"), ops]


def azurerm_eventhub_namespace(side: Side, p: Pricer) -> list[Component]:
    if side.get("dedicated_cluster_id"):
        return []  # a namespace on a dedicated cluster is billed by the cluster's capacity units
    sku = str(side.text("sku") or "Standard")
    if sku not in ("Basic", "Standard"):
        return [missing(f"Capacity ({sku})", f"{sku} Event Hubs prices are not in the catalog")]
    n = _n(side.number("capacity"))
    return [
        _hourly(side, p, f"Throughput units ({sku}, {n})", "eventhubs", sku, n),
        p.component(
            side, "Ingress events", "eventhubs", "events", None, usage_key="monthly_events_millions"
        ),
    ]


def azurerm_eventhub_cluster(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku_name") or "Dedicated_1")
    n = Decimal(sku.rsplit("_", 1)[-1]) if sku.rsplit("_", 1)[-1].isdigit() else ONE
    return [_hourly(side, p, f"Capacity units ({n})", "eventhubs", "Dedicated", n)]


def azurerm_api_management(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku_name")
    if not isinstance(sku, str) or "_" not in sku:
        return [missing("API management", "sku_name unknown")]
    tier, units = sku.split("_", 1)
    if tier == "Consumption":
        return [
            p.component(
                side, "Calls", "api_management", "calls", None, usage_key="monthly_calls_millions"
            )
        ]
    n = Decimal(units) if units.isdigit() else ONE
    return [_monthly(side, p, f"API management ({tier}, {n} units)", "api_management", tier, n)]


def azurerm_snapshot(side: Side, p: Pricer) -> list[Component]:
    size = side.number("disk_size_gb")
    if size is None:
        src = side.related("source_uri") or side.related("source_resource_id")
        size = side.sub(src).number("disk_size_gb") if src is not None else None
    if size is None:
        size = Unknown("snapshot size unknown (the source disk's size is not in this plan)")
    return [p.component(side, "Snapshot storage", "disk_snapshot", "standard_hdd", size)]


PRICERS: dict[str, PriceFn] = {
    "aws_acmpca_certificate_authority": aws_acmpca_certificate_authority,
    "aws_cloudwatch_metric_alarm": aws_cloudwatch_metric_alarm,
    "aws_route53_zone": aws_route53_zone, "aws_route53_health_check": aws_route53_health_check,
    "aws_route53_resolver_endpoint": aws_route53_resolver_endpoint,
    "aws_ec2_transit_gateway_vpc_attachment": aws_ec2_transit_gateway_vpc_attachment,
    "aws_ec2_client_vpn_network_association": aws_ec2_client_vpn_network_association,
    "aws_ec2_client_vpn_endpoint": aws_ec2_client_vpn_endpoint,
    "aws_ec2_traffic_mirror_session": aws_ec2_traffic_mirror_session,
    "aws_waf_web_acl": aws_waf_web_acl, "aws_wafv2_web_acl": aws_wafv2_web_acl,
    "aws_kms_key": aws_kms_key, "aws_secretsmanager_secret": aws_secretsmanager_secret,
    "aws_mwaa_environment": aws_mwaa_environment,
    "azurerm_dns_zone": azurerm_dns_zone, "azurerm_private_dns_zone": azurerm_private_dns_zone,
    "azurerm_private_dns_resolver_inbound_endpoint": azurerm_private_dns_resolver_inbound_endpoint,
    "azurerm_private_dns_resolver_outbound_endpoint": azurerm_private_dns_resolver_outbound_endpoint,
    "azurerm_private_dns_resolver_dns_forwarding_ruleset": azurerm_private_dns_resolver_dns_forwarding_ruleset,
    "azurerm_virtual_network_gateway": azurerm_virtual_network_gateway,
    "azurerm_virtual_hub": azurerm_virtual_hub, "azurerm_vpn_gateway": azurerm_vpn_gateway,
    "azurerm_vpn_gateway_connection": azurerm_vpn_gateway_connection,
    "azurerm_express_route_gateway": azurerm_express_route_gateway,
    "azurerm_express_route_connection": azurerm_express_route_connection,
    "azurerm_private_endpoint": azurerm_private_endpoint,
    "azurerm_static_site": azurerm_static_web_app, "azurerm_static_web_app": azurerm_static_web_app,
    "azurerm_container_registry": azurerm_container_registry,
    "azurerm_app_configuration": azurerm_app_configuration,
    "azurerm_application_insights_web_test": azurerm_application_insights_web_test,
    "azurerm_app_service_custom_hostname_binding": azurerm_app_service_custom_hostname_binding,
    "azurerm_frontdoor_firewall_policy": azurerm_frontdoor_firewall_policy,
    "azurerm_active_directory_domain_service": azurerm_active_directory_domain_service,
    "azurerm_active_directory_domain_service_replica_set": azurerm_active_directory_domain_service,
    "azurerm_servicebus_namespace": azurerm_servicebus_namespace,
    "azurerm_eventhub_namespace": azurerm_eventhub_namespace,
    "azurerm_eventhub_cluster": azurerm_eventhub_cluster,
    "azurerm_api_management": azurerm_api_management, "azurerm_snapshot": azurerm_snapshot,
}  # fmt: skip
