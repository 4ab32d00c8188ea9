"""AWS managed directory and other per-hour managed services (AWS provider v4-v6)."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component
from iac_gate.pricing.base import HOURS, PriceFn, Pricer, Side


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


PRICERS: dict[str, PriceFn] = {
    "aws_lightsail_instance": aws_lightsail_instance,
    "aws_directory_service_directory": aws_directory_service_directory,
}
