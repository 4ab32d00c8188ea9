"""What kind of resource a charge's resource is, from the provider's own names.

AWS: the usage type (``sku_meter``) says it (``BoxUsage:m5.large`` an instance of type m5.large,
``InstanceUsage:db.r6g.large`` a database, ``EBS:VolumeUsage.gp2`` a gp2 volume,
``PublicIPv4:IdleAddress`` an unattached IP, ``NatGateway-Hours``, ``LoadBalancerUsage``).
Azure: the ARM resource type in the resource id. GCP: the resource name's collection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

AZURE_KINDS = {
    "microsoft.compute/virtualmachines": "instance",
    "microsoft.compute/disks": "volume",
    "microsoft.network/publicipaddresses": "ip",
    "microsoft.web/serverfarms": "app_service_plan",
    "microsoft.network/loadbalancers": "load_balancer",
    "microsoft.network/natgateways": "nat_gateway",
    "microsoft.sql/servers": "database",
    "microsoft.dbforpostgresqlflexibleservers": "database",
}
GCP_KINDS = {
    "instances": "instance",
    "disks": "volume",
    "addresses": "ip",
    "forwardingrules": "load_balancer",
}


def classify(
    provider: str, resource_id: str, resource_type: str | None, sku_meters: Iterable[str]
) -> tuple[str, str | None]:
    """(resource_kind, resource_type such as ``m5.large`` or ``gp2``, when known)."""
    meters = [m for m in sku_meters if m]
    if provider == "aws":
        for m in meters:
            usage = m.split(":", 1)
            head, tail = (usage[0], usage[1]) if len(usage) == 2 else (m, "")
            if head.endswith("BoxUsage") and tail:
                return "instance", tail
            if head.endswith(("InstanceUsage", "Multi-AZUsage")) and tail.startswith("db."):
                return "database", tail
        for m in meters:
            if "IdleAddress" in m:
                return "ip", None
            if "EBS:VolumeUsage" in m:
                vt = re.search(r"VolumeUsage\.([a-z0-9]+)", m)
                return "volume", vt.group(1) if vt else "standard"
            if "NatGateway" in m:
                return "nat_gateway", None
            if "LoadBalancerUsage" in m or "LCUUsage" in m:
                return "load_balancer", None
        if resource_id.startswith("i-"):
            return "instance", None
        if resource_id.startswith("vol-"):
            return "volume", None
        return "other", None
    if provider == "azure":
        found = re.search(r"/providers/([^/]+/[^/]+)/", resource_id.lower() + "/")
        kind = AZURE_KINDS.get(found.group(1)) if found else None
        return kind or "other", None
    if provider == "gcp":
        parts = resource_id.strip("/").split("/")
        for collection in reversed(parts[:-1]):
            if collection in GCP_KINDS:
                return GCP_KINDS[collection], None
        return "other", None
    return "other", None
