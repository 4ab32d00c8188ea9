"""AWS managed directory and other per-hour managed services (AWS provider v4-v6)."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component
from iac_gate.pricing.base import PriceFn, Pricer, Side


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


def aws_lightsail_instance(side: Side, p: Pricer) -> list[Component]:
    """A Lightsail instance bills its bundle's monthly price (hourly up to that cap;
    https://aws.amazon.com/lightsail/pricing/)."""
    bundle = side.text("bundle_id")
    return [
        p.component(side, f"Lightsail bundle ({bundle})", "lightsail_bundle", bundle, Decimal(1))
    ]


PRICERS: dict[str, PriceFn] = {
    "aws_lightsail_instance": aws_lightsail_instance,
    "aws_directory_service_directory": aws_directory_service_directory,
}
