"""Networking, storage and serverless types: a fixed hourly fee where the configuration
decides one (VPN connections, firewalls, accelerators, bastions), else usage-priced parts
(storage GB, requests, log ingestion) listed with their unit price and counted only when a usage
file gives their quantity."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component
from iac_gate.pricing.base import PriceFn, Pricer, Side

ONE = Decimal(1)


def _usage(side: Side, p: Pricer, name: str, product: str, sku: str, key: str) -> Component:
    return p.component(side, name, product, sku, None, usage_key=key)


def _hourly(
    side: Side, p: Pricer, name: str, product: str, sku: str, n: Decimal = ONE
) -> Component:
    return p.component(side, name, product, sku, n, per_hour=True)


# ---- AWS ----------------------------------------------------------------------------------


def aws_efs_file_system(side: Side, p: Pricer) -> list[Component]:
    return [_usage(side, p, "Standard storage", "efs", "standard_storage", "storage_gb")]


def aws_cloudwatch_log_group(side: Side, p: Pricer) -> list[Component]:
    return [
        _usage(
            side, p, "Log ingestion", "cloudwatch_logs", "ingestion", "monthly_data_ingested_gb"
        ),
        _usage(side, p, "Log storage", "cloudwatch_logs", "storage", "storage_gb"),
    ]


def aws_globalaccelerator_accelerator(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "Accelerator", "global_accelerator", "accelerator")]


def aws_vpn_connection(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "Site-to-site VPN connection", "site_to_site_vpn", "connection")]


def aws_ec2_transit_gateway_peering_attachment(side: Side, p: Pricer) -> list[Component]:
    return [_hourly(side, p, "Peering attachment", "transit_gateway", "peering_attachment")]


def aws_networkfirewall_firewall(side: Side, p: Pricer) -> list[Component]:
    n = Decimal(len(side.blocks("subnet_mapping")) or 1)  # one endpoint per mapped subnet (AZ)
    return [
        _hourly(side, p, f"Firewall endpoints ({n})", "network_firewall", "endpoint", n),
        _usage(side, p, "Data processed", "network_firewall", "data", "monthly_data_processed_gb"),
    ]


def aws_ssm_parameter(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("tier") or "Standard") != "Advanced":
        return []  # standard parameters are free
    return [p.component(side, "Advanced parameter", "ssm", "advanced_parameter", ONE)]


def aws_ecr_repository(side: Side, p: Pricer) -> list[Component]:
    return [_usage(side, p, "Image storage", "ecr", "storage", "storage_gb")]


def aws_sns_topic(side: Side, p: Pricer) -> list[Component]:
    return [_usage(side, p, "Requests", "sns", "requests", "monthly_requests_millions")]


def aws_api_gateway_rest_api(side: Side, p: Pricer) -> list[Component]:
    return [
        _usage(
            side,
            p,
            "REST API requests",
            "api_gateway",
            "rest_requests",
            "monthly_requests_millions",
        )
    ]


def aws_apigatewayv2_api(side: Side, p: Pricer) -> list[Component]:
    return [
        _usage(
            side,
            p,
            "HTTP API requests",
            "api_gateway",
            "http_requests",
            "monthly_requests_millions",
        )
    ]


def aws_sfn_state_machine(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("type") or "STANDARD") != "STANDARD":
        return [
            _usage(
                side,
                p,
                "Express workflow requests",
                "step_functions",
                "express_requests",
                "monthly_requests_millions",
            )
        ]
    return [
        _usage(
            side,
            p,
            "State transitions",
            "step_functions",
            "state_transitions",
            "monthly_transitions_thousands",
        )
    ]


def aws_rds_cluster(side: Side, p: Pricer) -> list[Component]:
    """An Aurora cluster bills its storage and I/O (instances are `aws_rds_cluster_instance`);
    Serverless v2 capacity is usage (ACU-hours)."""
    out = [
        _usage(side, p, "Aurora storage", "aurora_storage", "standard", "storage_gb"),
        _usage(
            side, p, "Aurora I/O requests", "aurora_io", "standard", "monthly_io_requests_millions"
        ),
    ]
    if (
        side.blocks("serverlessv2_scaling_configuration")
        or side.text("engine_mode") == "serverless"
    ):
        out.append(
            _usage(side, p, "Serverless capacity", "aurora_serverless", "acu", "monthly_acu_hours")
        )
    return out


# ---- Azure --------------------------------------------------------------------------------


def azurerm_function_app(side: Side, p: Pricer) -> list[Component]:
    """A function app bills on its plan (`azurerm_service_plan`); on a consumption plan its
    executions are usage."""
    return [_usage(side, p, "Executions", "functions", "executions", "monthly_executions_millions")]


def azurerm_bastion_host(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "Basic")
    return [_hourly(side, p, f"Bastion host ({sku})", "bastion", sku)]


def azurerm_firewall(side: Side, p: Pricer) -> list[Component]:
    tier = str(side.text("sku_tier") or "Standard")
    return [
        _hourly(side, p, f"Firewall ({tier})", "firewall", tier),
        _usage(side, p, "Data processed", "firewall", f"{tier}_data", "monthly_data_processed_gb"),
    ]


def azurerm_key_vault(side: Side, p: Pricer) -> list[Component]:
    return [
        _usage(
            side,
            p,
            "Secret and key operations",
            "key_vault",
            "operations",
            "monthly_operations_10k",
        )
    ]


# ---- Google -------------------------------------------------------------------------------


def google_storage_bucket(side: Side, p: Pricer) -> list[Component]:
    cls = str(side.text("storage_class") or "STANDARD").lower()
    cls = {"archive": "archiv", "multi_regional": "standard", "regional": "standard"}.get(cls, cls)
    return [_usage(side, p, f"Storage ({cls})", "gcs_storage", cls, "storage_gb")]


def google_compute_snapshot(side: Side, p: Pricer) -> list[Component]:
    return [_usage(side, p, "Snapshot storage", "compute_snapshot", "standard", "storage_gb")]


def google_compute_region_disk(side: Side, p: Pricer) -> list[Component]:
    dtype = str(side.text("type") or "pd-standard").rsplit("/", 1)[-1]
    sku = dtype if dtype.startswith("regional-") else f"regional-{dtype}"
    return [p.component(side, f"Regional disk ({dtype})", "compute_disk", sku, side.number("size"))]


PRICERS: dict[str, PriceFn] = {
    "aws_efs_file_system": aws_efs_file_system, "aws_cloudwatch_log_group": aws_cloudwatch_log_group,
    "aws_globalaccelerator_accelerator": aws_globalaccelerator_accelerator,
    "aws_vpn_connection": aws_vpn_connection,
    "aws_ec2_transit_gateway_peering_attachment": aws_ec2_transit_gateway_peering_attachment,
    "aws_networkfirewall_firewall": aws_networkfirewall_firewall,
    "aws_ssm_parameter": aws_ssm_parameter, "aws_ecr_repository": aws_ecr_repository,
    "aws_sns_topic": aws_sns_topic, "aws_api_gateway_rest_api": aws_api_gateway_rest_api,
    "aws_apigatewayv2_api": aws_apigatewayv2_api, "aws_sfn_state_machine": aws_sfn_state_machine,
    "azurerm_bastion_host": azurerm_bastion_host, "azurerm_firewall": azurerm_firewall,
    "azurerm_key_vault": azurerm_key_vault, "aws_rds_cluster": aws_rds_cluster,
    "azurerm_function_app": azurerm_function_app,
    "azurerm_linux_function_app": azurerm_function_app,
    "azurerm_windows_function_app": azurerm_function_app,
    "google_storage_bucket": google_storage_bucket, "google_compute_snapshot": google_compute_snapshot,
    "google_compute_region_disk": google_compute_region_disk,
}  # fmt: skip
