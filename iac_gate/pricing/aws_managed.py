"""AWS managed directory and other per-hour managed services (AWS provider v4-v6)."""

from __future__ import annotations

import math
from decimal import Decimal

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import HOURS, PriceFn, Pricer, Side, missing


def directory_sku(dtype: str, edition: str | None, size: str | None) -> str:
    """The price row of a directory: `microsoft-ad-<edition>` (the provider defaults a
    MicrosoftAD directory to Enterprise), `simple-ad-<size>` / `ad-connector-<size>` (Small
    unless set). Each directory's hourly price includes its two domain controllers
    (https://aws.amazon.com/directoryservice/pricing/)."""
    if dtype == "MicrosoftAD":
        return f"microsoft-ad-{(edition or 'Enterprise').lower()}"
    kind = "ad-connector" if dtype == "ADConnector" else "simple-ad"
    return f"{kind}-{(size or 'Small').lower()}"


def aws_directory_service_directory(side: Side, p: Pricer) -> list[Component]:
    dtype, edition, size = side.text("type"), side.text("edition"), side.text("size")
    sku = directory_sku(
        dtype if isinstance(dtype, str) else "SimpleAD",
        edition if isinstance(edition, str) else None,
        size if isinstance(size, str) else None,
    )
    return [
        p.component(side, f"Directory ({sku})", "directory_service", sku, Decimal(1), per_hour=True)
    ]


# Lightsail bills a plan by the hour at its monthly price over 744 hours (a 31-day month), up
# to the monthly price ("$0.0067 USD/hour ($5 USD/month)", Lightsail billing FAQ:
# https://docs.aws.amazon.com/lightsail/latest/userguide/amazon-lightsail-frequently-asked-questions-faq-billing-and-account-management.html);
# the gate's 730-hour month stays under the cap.
LIGHTSAIL_HOURS_AT_CAP = Decimal(744)


def aws_lightsail_instance(side: Side, p: Pricer) -> list[Component]:
    """A Lightsail instance bills its bundle's plan (https://aws.amazon.com/lightsail/pricing/):
    730 hours at the plan's hourly rate."""
    bundle = side.text("bundle_id")
    c = p.component(side, f"Lightsail bundle ({bundle})", "lightsail_bundle", bundle, Decimal(1))
    if c.unit_price is not None and c.quantity is not None:
        c.name = f"Lightsail bundle ({bundle}, {HOURS:.0f} of {LIGHTSAIL_HOURS_AT_CAP} plan hours)"
        c.quantity = HOURS / LIGHTSAIL_HOURS_AT_CAP  # months of the plan
    return [c]


# Managed Service for Apache Flink (https://aws.amazon.com/managed-service-apache-flink/pricing/):
# KPUs by the hour; a Flink or Studio application runs one more KPU for orchestration and 50 GB
# of running application storage per KPU. The DEFAULT parallelism configuration is parallelism 1
# at 1 per KPU (https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html).
FLINK_STORAGE_GB_PER_KPU = Decimal(50)


def aws_kinesisanalyticsv2_application(side: Side, p: Pricer) -> list[Component]:
    """KPUs for the application's minimum parallelism (ceil(parallelism / parallelism_per_kpu)),
    billed only while it runs: Terraform starts it only with `start_application = true`."""
    runtime = str(side.text("runtime_environment") or "")
    pc = (
        "application_configuration",
        "flink_application_configuration",
        "parallelism_configuration",
    )
    custom = str(side.text(*pc, "configuration_type") or "DEFAULT") == "CUSTOM"
    parallelism = side.number(*pc, "parallelism", default=1) if custom else Decimal(1)
    per_kpu = side.number(*pc, "parallelism_per_kpu", default=1) if custom else Decimal(1)
    if isinstance(parallelism, Unknown) or isinstance(per_kpu, Unknown):
        return [missing("Processing KPUs", "parallelism configuration unknown")]
    kpus = Decimal(math.ceil((parallelism or 1) / max(per_kpu or 1, Decimal(1))))
    flink = not runtime.upper().startswith("SQL")
    running = side.flag("start_application")
    state = "" if running else ", not started (start_application is false)"
    run = Decimal(1) if running else Decimal(0)
    out = [
        p.component(
            side, f"Processing ({kpus} KPU{state})", "kinesis_analytics", "kpu", kpus * run,
            per_hour=True,
        )
    ]  # fmt: skip
    if flink:
        out.append(
            p.component(
                side, f"Orchestration (1 KPU{state})", "kinesis_analytics", "kpu", run,
                per_hour=True,
            )
        )  # fmt: skip
        out.append(
            p.component(
                side, f"Running application storage ({kpus * FLINK_STORAGE_GB_PER_KPU} GB)",
                "kinesis_analytics", "running_storage", kpus * FLINK_STORAGE_GB_PER_KPU * run,
            )
        )  # fmt: skip
        out.append(
            p.component(
                side, "Durable application backups", "kinesis_analytics", "backup", None,
                usage_key="backup_storage_gb",
            )
        )  # fmt: skip
    return out


PRICERS: dict[str, PriceFn] = {
    "aws_lightsail_instance": aws_lightsail_instance,
    "aws_directory_service_directory": aws_directory_service_directory,
    "aws_kinesisanalyticsv2_application": aws_kinesisanalyticsv2_application,
}
