"""AWS resources: what each bills for, from its Terraform attributes (AWS provider v4-v6).

Compute lives in aws_compute.py, databases and caches in aws_db.py; this module has networking,
serverless and storage services and the combined table."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component
from iac_gate.pricing import aws_compute, aws_db, aws_managed
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing


def aws_nat_gateway(side: Side, p: Pricer) -> list[Component]:
    if side.text("connectivity_type") == "private":
        hourly = p.component(
            side, "NAT gateway (private)", "nat_gateway", "hour", Decimal(1), per_hour=True
        )
    else:
        hourly = p.component(side, "NAT gateway", "nat_gateway", "hour", Decimal(1), per_hour=True)
    return [
        hourly,
        p.component(
            side,
            "Data processed",
            "nat_gateway",
            "data",
            None,
            usage_key="monthly_data_processed_gb",
        ),
    ]


def aws_lb(side: Side, p: Pricer) -> list[Component]:
    kind = side.text("load_balancer_type") or "application"
    unit = "LCU" if kind == "application" else "NLCU" if kind == "network" else "GLCU"
    return [
        p.component(
            side, f"Load balancer ({kind})", "load_balancer", kind, Decimal(1), per_hour=True
        ),
        p.component(
            side,
            f"Capacity units ({unit}-hours)",
            "load_balancer_capacity",
            kind,
            None,
            usage_key="monthly_capacity_unit_hours",
        ),
    ]


def aws_elb(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(
            side, "Classic load balancer", "load_balancer", "classic", Decimal(1), per_hour=True
        ),
        p.component(
            side,
            "Data processed",
            "load_balancer_capacity",
            "classic",
            None,
            usage_key="monthly_data_processed_gb",
        ),
    ]


def aws_eip(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(side, "Public IPv4 address", "public_ipv4", "hour", Decimal(1), per_hour=True)
    ]


def aws_vpc_endpoint(side: Side, p: Pricer) -> list[Component]:
    kind = side.text("vpc_endpoint_type") or "Gateway"
    if kind == "Gateway":
        return []  # gateway endpoints (S3, DynamoDB) are free
    subnets = side.get("subnet_ids")
    n = Decimal(len(subnets)) if isinstance(subnets, list) and subnets else Decimal(1)
    return [
        p.component(
            side, f"Interface endpoint ({int(n)} AZ)", "vpc_endpoint", "interface", n, per_hour=True
        ),
        p.component(
            side,
            "Data processed",
            "vpc_endpoint",
            "data",
            None,
            usage_key="monthly_data_processed_gb",
        ),
    ]


def aws_kinesis_stream(side: Side, p: Pricer) -> list[Component]:
    mode = side.text("stream_mode_details", "stream_mode") or "PROVISIONED"
    if mode == "ON_DEMAND":
        return [
            p.component(
                side, "On-demand stream", "kinesis", "on_demand_stream", Decimal(1), per_hour=True
            ),
            p.component(
                side,
                "Data ingested",
                "kinesis",
                "on_demand_data_in",
                None,
                usage_key="monthly_data_in_gb",
            ),
        ]
    return [
        p.component(side, "Shards", "kinesis", "shard", side.number("shard_count"), per_hour=True),
        p.component(
            side,
            "PUT payload units",
            "kinesis",
            "put_payload_unit",
            None,
            usage_key="monthly_put_payload_units_millions",
        ),
    ]


def aws_ecs_service(side: Side, p: Pricer) -> list[Component]:
    if (side.text("launch_type") or "EC2") != "FARGATE" and not side.blocks(
        "capacity_provider_strategy"
    ):
        return []  # tasks on EC2 are priced as the instances they run on
    td = side.related("task_definition")
    if td is None:
        return [missing("Fargate tasks", "the task definition is not in this plan")]
    tds = side.sub(td)
    cpu, mem = tds.number("cpu"), tds.number("memory")
    n = side.number("desired_count", default=1)
    arch = (
        "arm64"
        if str(tds.text("runtime_platform", "cpu_architecture") or "").upper() == "ARM64"
        else "x86_64"
    )
    if not isinstance(cpu, Decimal) or not isinstance(mem, Decimal) or not isinstance(n, Decimal):
        return [missing("Fargate tasks", "task cpu/memory or desired_count unknown")]
    return [
        p.component(
            side,
            f"Fargate vCPU ({n} tasks × {cpu / 1024} vCPU)",
            "fargate",
            "vcpu",
            n * cpu / 1024,
            attrs={"arch": arch},
            per_hour=True,
        ),
        p.component(
            side,
            f"Fargate memory ({n} tasks × {mem / 1024} GB)",
            "fargate",
            "memory",
            n * mem / 1024,
            attrs={"arch": arch},
            per_hour=True,
        ),
    ]


def aws_s3_bucket(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(
            side, "Standard storage", "s3", "standard_storage", None, usage_key="storage_gb"
        ),
        p.component(
            side,
            "PUT, COPY, POST, LIST requests",
            "s3",
            "put_request",
            None,
            usage_key="monthly_put_requests_thousands",
        ),
        p.component(
            side,
            "GET and other requests",
            "s3",
            "get_request",
            None,
            usage_key="monthly_get_requests_thousands",
        ),
    ]


def aws_lambda_function(side: Side, p: Pricer) -> list[Component]:
    arch = "arm64" if "arm64" in (side.get("architectures") or []) else "x86_64"
    return [
        p.component(
            side, "Requests", "lambda", "request", None, usage_key="monthly_requests_millions"
        ),
        p.component(
            side,
            "Duration",
            "lambda",
            "duration",
            None,
            attrs={"arch": arch},
            usage_key="monthly_gb_seconds",
        ),
    ]


def aws_sqs_queue(side: Side, p: Pricer) -> list[Component]:
    kind = "fifo" if side.flag("fifo_queue") else "standard"
    return [
        p.component(
            side, f"Requests ({kind})", "sqs", kind, None, usage_key="monthly_requests_millions"
        )
    ]


PRICERS: dict[str, PriceFn] = {
    **aws_compute.PRICERS,
    **aws_db.PRICERS,
    **aws_managed.PRICERS,
    "aws_nat_gateway": aws_nat_gateway,
    "aws_lb": aws_lb,
    "aws_alb": aws_lb,
    "aws_elb": aws_elb,
    "aws_eip": aws_eip,
    "aws_vpc_endpoint": aws_vpc_endpoint,
    "aws_kinesis_stream": aws_kinesis_stream,
    "aws_ecs_service": aws_ecs_service,
    "aws_s3_bucket": aws_s3_bucket,
    "aws_lambda_function": aws_lambda_function,
    "aws_sqs_queue": aws_sqs_queue,
}
