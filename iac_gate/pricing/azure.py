"""Azure compute, web and network resources (azurerm provider v3-v4); databases: azure_data."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from iac_gate.catalog import azure_vm_key
from iac_gate.model import Component, Unknown
from iac_gate.pricing import azure_cosmos, azure_data, azure_monitor, azure_sql
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

_ONE = Decimal(1)
# Managed disks bill by the tier the provisioned size falls in (sizes in GiB).
_TIER_SIZES = (4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
_TIER_NAMES = ("1", "2", "3", "4", "6", "10", "15", "20", "30", "40", "50", "60", "70", "80")
# Platform images' OS disk sizes when the configuration sets none (GiB): Linux images 30,
# Windows Server images 127 (https://learn.microsoft.com/azure/virtual-machines/managed-disks-overview).
OS_DISK_DEFAULT_GB = {"linux": Decimal(30), "windows": Decimal(127)}
_DISK_PREFIX = {
    "Premium_LRS": "P",
    "StandardSSD_LRS": "E",
    "Standard_LRS": "S",
    "Premium_ZRS": "P",
    "StandardSSD_ZRS": "E",
}


def disk_tier(sku: str, size_gb: Decimal) -> str | None:
    prefix = _DISK_PREFIX.get(sku)
    if prefix is None:
        return None
    for limit, name in zip(_TIER_SIZES, _TIER_NAMES, strict=True):
        if size_gb <= limit:
            if prefix == "S" and limit < 32:
                return "S4"  # Standard HDD's smallest billed tier
            return prefix + name
    return None


def managed_disk(
    side: Side,
    p: Pricer,
    sku: Any,
    size: Any,
    label: str,
    count: Decimal = _ONE,
    usage_key: str | None = None,
    default_gb: Decimal | None = None,
) -> Component:
    sku = sku if isinstance(sku, str) and sku else "Standard_LRS"
    if size is None or isinstance(size, Unknown):
        if usage_key and side.usage.get(usage_key) is not None:
            size = Decimal(str(side.usage[usage_key]))
        elif default_gb is not None and size is None:
            size = default_gb
            label = f"{label} (image default {default_gb} GB)"
        else:
            c = missing(
                f"{label} ({sku})",
                f"disk size comes from the image; give it in the usage file as `{usage_key}`"
                if usage_key
                else "disk size unknown",
            )
            c.usage_based = usage_key is not None
            return c
    tier = disk_tier(sku, size)
    if tier is None:
        return missing(f"{label} ({sku})", f"{sku} disks are not in the catalog")
    return p.component(
        side,
        f"{label} ({sku} {tier}, {size} GB)",
        "managed_disk",
        tier,
        count,
        attrs={"sku": sku.replace("_ZRS", "_LRS")},
    )


def _vm(
    side: Side,
    p: Pricer,
    size: Any,
    os_name: str,
    count: Decimal | Unknown | None,
    label: str = "Virtual machine",
) -> Component:
    key = azure_vm_key(size) if isinstance(size, str) else size
    c = p.component(
        side, f"{label} ({os_name}, {size})", "vm", key, count, attrs={"os": os_name}, per_hour=True
    )
    return c


def _license_os(side: Side, os_name: str) -> str:
    """Azure Hybrid Benefit (`license_type` Windows_Server / Windows_Client) bills a Windows VM
    at the Linux (compute-only) rate: the licence is the customer's own."""
    lic = str(side.text("license_type") or "")
    return "linux" if os_name == "windows" and lic.startswith("Windows_") else os_name


def _spot(side: Side) -> bool:
    return str(side.text("priority") or "Regular") in ("Spot", "Low")


def azurerm_linux_virtual_machine(side: Side, p: Pricer, os_name: str = "linux") -> list[Component]:
    size = side.text("size")
    vm = (
        missing(f"Virtual machine (spot, {size})", "spot prices are not in the catalog")
        if _spot(side)
        else _vm(side, p, size, _license_os(side, os_name), _ONE)
    )
    return [
        vm,
        managed_disk(
            side,
            p,
            side.text("os_disk", "storage_account_type"),
            side.number("os_disk", "disk_size_gb"),
            "OS disk",
            usage_key="os_disk_size_gb",
            default_gb=OS_DISK_DEFAULT_GB[os_name],
        ),
    ]


def _scale_set(side: Side, p: Pricer, os_name: str) -> list[Component]:
    n = side.number("instances", default=1)
    size = side.text("sku")
    if _spot(side):
        vm = missing(f"Instances (spot, {size})", "spot prices are not in the catalog")
    else:
        vm = _vm(side, p, size, _license_os(side, os_name), n, f"Instances ×{n}")
    out = [vm]
    if isinstance(n, Decimal):
        out.append(
            managed_disk(
                side, p, side.text("os_disk", "storage_account_type"),
                side.number("os_disk", "disk_size_gb"), "OS disks", count=n,
                usage_key="os_disk_size_gb", default_gb=OS_DISK_DEFAULT_GB[os_name],
            )
        )  # fmt: skip
    return out


def azurerm_linux_virtual_machine_scale_set(side: Side, p: Pricer) -> list[Component]:
    return _scale_set(side, p, "linux")


def azurerm_windows_virtual_machine_scale_set(side: Side, p: Pricer) -> list[Component]:
    return _scale_set(side, p, "windows")


def azurerm_machine_learning_compute_cluster(side: Side, p: Pricer) -> list[Component]:
    """Nodes kept running: `scale_settings.min_node_count` (0 costs nothing until jobs run)."""
    size = side.text("vm_size")
    n = side.number("scale_settings", "min_node_count", default=0)
    if isinstance(n, Decimal) and n == 0:
        return []
    if (
        str(side.text("vm_priority") or "Dedicated") == "LowPriority"
    ):  # billed at low-priority rates
        key = azure_vm_key(size) if isinstance(size, str) else size
        return [
            p.component(
                side, f"Nodes ×{n} (low priority, {size})", "vm_low_priority", key, n,
                attrs={"os": "linux"}, per_hour=True,
            )
        ]  # fmt: skip
    return [_vm(side, p, size, "linux", n, f"Nodes ×{n}")]


def azurerm_windows_virtual_machine(side: Side, p: Pricer) -> list[Component]:
    return azurerm_linux_virtual_machine(side, p, "windows")


def azurerm_virtual_machine(side: Side, p: Pricer) -> list[Component]:
    windows = (
        bool(side.blocks("os_profile_windows_config"))
        or str(side.text("storage_os_disk", "os_type") or "").lower() == "windows"
    )
    out = [
        _vm(side, p, side.text("vm_size"), "windows" if windows else "linux", _ONE),
        managed_disk(
            side,
            p,
            side.text("storage_os_disk", "managed_disk_type"),
            side.number("storage_os_disk", "disk_size_gb"),
            "OS disk",
            usage_key="os_disk_size_gb",
            default_gb=OS_DISK_DEFAULT_GB["windows" if windows else "linux"],
        ),
    ]
    for i, d in enumerate(side.blocks("storage_data_disk")):
        size = d.get("disk_size_gb")
        out.append(
            managed_disk(
                side,
                p,
                d.get("managed_disk_type"),
                Decimal(str(size)) if size is not None and not isinstance(size, Unknown) else None,
                f"Data disk {i}",
            )
        )
    return out


def azurerm_managed_disk(side: Side, p: Pricer) -> list[Component]:
    return [
        managed_disk(
            side, p, side.text("storage_account_type"), side.number("disk_size_gb"), "Disk"
        )
    ]


def _pool(side: Side, p: Pricer, pool: dict[str, Any], label: str) -> list[Component]:
    s = side.sub(pool)
    n = s.number("node_count")
    if n is None or (s.flag("enable_auto_scaling") or s.flag("auto_scaling_enabled")):
        n = s.number("min_count") if s.number("min_count") is not None else n
    if n is None and not (s.flag("enable_auto_scaling") or s.flag("auto_scaling_enabled")):
        n = _ONE  # the provider creates one node when node_count is not set
    if n is None:
        return [missing(f"{label} nodes", "node_count unknown")]
    if str(s.text("priority") or "Regular") == "Spot":
        return [missing(f"{label} nodes (spot)", "spot prices are not in the catalog")]
    size = s.text("vm_size")
    windows = str(s.text("os_type") or "Linux") == "Windows"
    os_name = "windows" if windows or str(s.text("os_sku") or "").startswith("Windows") else "linux"
    if (
        os_name == "windows"
        and str(side.text("windows_profile", "license") or "") == "Windows_Server"
    ):
        os_name = "linux"  # Azure Hybrid Benefit on the cluster's Windows nodes
    out = [_vm(side, p, size, os_name, n, f"{label} nodes ×{n}")]
    if str(s.text("os_disk_type") or "Managed") == "Managed" and isinstance(n, Decimal):
        disk_sku = (
            "Premium_LRS" if isinstance(size, str) and _premium_capable(size) else "StandardSSD_LRS"
        )
        out.append(
            managed_disk(
                side,
                p,
                disk_sku,
                s.number("os_disk_size_gb", default=128),
                f"{label} node OS disks",
                count=n,
            )
        )
    return out


def _premium_capable(size: str) -> bool:
    """Sizes that take Premium SSD carry an `s` feature: D2s_v3, E4as_v5, B2ms, DS2_v2, GS3."""
    name = size.split("_")[1] if "_" in size else size
    return bool(re.search(r"\d+[a-z]*s", name, re.I) or re.match(r"^[A-Z]S\d", name))


def azurerm_kubernetes_cluster(side: Side, p: Pricer) -> list[Component]:
    tier = str(side.text("sku_tier") or "Free")
    tier = {"Paid": "Standard"}.get(tier, tier)
    out = [
        p.component(
            side, f"AKS control plane ({tier} tier)", "aks_control_plane", tier, _ONE, per_hour=True
        )
    ]
    pools = side.blocks("default_node_pool")
    if pools:
        out += _pool(side, p, pools[0], "Default pool")
    return out


def azurerm_kubernetes_cluster_node_pool(side: Side, p: Pricer) -> list[Component]:
    return _pool(side, p, side.attrs, "Pool")


FREE_PLAN_SKUS = ("F1", "FREE", "Y1")  # free tier; Y1 is the Functions consumption plan


def plan_sku(sku: Any) -> Any:
    """The price-list SKU of an App Service plan SKU: `SHARED` is the Shared tier, whose one size
    Azure lists as D1 (https://azure.microsoft.com/pricing/details/app-service/windows/)."""
    return "D1" if isinstance(sku, str) and sku.upper() == "SHARED" else sku


def azurerm_service_plan(side: Side, p: Pricer) -> list[Component]:
    sku = side.text("sku_name")
    if isinstance(sku, str) and sku.upper() in FREE_PLAN_SKUS:
        return []
    # Windows containers bill as Windows plans.
    os_name = "linux" if str(side.text("os_type") or "Linux") == "Linux" else "windows"
    n = side.number("worker_count", default=1)
    return [
        p.component(
            side,
            f"App Service plan ({sku}, {os_name}) ×{n}",
            "app_service_plan",
            plan_sku(sku),
            n,
            attrs={"os": os_name},
            per_hour=True,
        )
    ]


def azurerm_app_service_plan(side: Side, p: Pricer) -> list[Component]:
    size = side.text("sku", "size")
    if isinstance(size, str) and size.upper() in FREE_PLAN_SKUS:
        return []
    linux = side.flag("reserved") or str(side.text("kind") or "").lower() == "linux"
    n = side.number("sku", "capacity", default=1)
    return [
        p.component(
            side,
            f"App Service plan ({size}, {'linux' if linux else 'windows'}) ×{n}",
            "app_service_plan",
            plan_sku(size),
            n,
            attrs={"os": "linux" if linux else "windows"},
            per_hour=True,
        )
    ]


def azurerm_public_ip(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "Basic")
    alloc = str(side.text("allocation_method") or "Static")
    return [
        p.component(
            side,
            f"Public IP ({sku}, {alloc})",
            "public_ip",
            sku,
            _ONE,
            attrs={"allocation": alloc},
            per_hour=True,
        )
    ]


def azurerm_lb(side: Side, p: Pricer) -> list[Component]:
    sku = str(side.text("sku") or "Standard")
    if sku == "Basic":
        return [
            p.component(
                side, "Load balancer (Basic)", "load_balancer", "Basic", _ONE, per_hour=True
            )
        ]
    return [
        p.component(
            side,
            "Load balancer (Standard, first 5 rules)",
            "load_balancer",
            "Standard_rules_first5",
            _ONE,
            per_hour=True,
        ),
        p.component(
            side,
            "Rules beyond 5",
            "load_balancer",
            "Standard_rule_additional",
            None,
            usage_key="additional_rules_hours",
        ),
        p.component(
            side,
            "Data processed",
            "load_balancer",
            "Standard_data",
            None,
            usage_key="monthly_data_processed_gb",
        ),
    ]


def azurerm_nat_gateway(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(side, "NAT gateway", "nat_gateway", "hour", _ONE, per_hour=True),
        p.component(
            side,
            "Data processed",
            "nat_gateway",
            "data",
            None,
            usage_key="monthly_data_processed_gb",
        ),
    ]


PRICERS: dict[str, PriceFn] = {
    "azurerm_linux_virtual_machine": azurerm_linux_virtual_machine,
    "azurerm_windows_virtual_machine": azurerm_windows_virtual_machine,
    "azurerm_virtual_machine": azurerm_virtual_machine, "azurerm_managed_disk": azurerm_managed_disk,
    "azurerm_kubernetes_cluster": azurerm_kubernetes_cluster,
    "azurerm_kubernetes_cluster_node_pool": azurerm_kubernetes_cluster_node_pool,
    "azurerm_service_plan": azurerm_service_plan,
    "azurerm_app_service_plan": azurerm_app_service_plan, "azurerm_public_ip": azurerm_public_ip,
    "azurerm_lb": azurerm_lb, "azurerm_nat_gateway": azurerm_nat_gateway,
    "azurerm_linux_virtual_machine_scale_set": azurerm_linux_virtual_machine_scale_set,
    "azurerm_windows_virtual_machine_scale_set": azurerm_windows_virtual_machine_scale_set,
    "azurerm_machine_learning_compute_cluster": azurerm_machine_learning_compute_cluster,
    **azure_data.PRICERS,
    **azure_cosmos.PRICERS,
    **azure_sql.PRICERS,
    **azure_monitor.PRICERS,
}  # fmt: skip
