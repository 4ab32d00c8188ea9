"""Google Cloud resources (google provider v4-v6)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from iac_gate.model import Component, Unknown
from iac_gate.pricing import gcp_memorystore, gcp_network
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

_CUSTOM = re.compile(r"^(?:(?P<family>[a-z0-9]+)-)?custom-(?P<cpu>\d+)-(?P<mem>\d+)(?P<ext>-ext)?$")
_ONE = Decimal(1)
LOCAL_SSD_GB = Decimal(375)  # one local SSD partition


def machine(
    side: Side,
    p: Pricer,
    mtype: Any,
    count: Decimal | Unknown | None,
    label: str,
    *,
    spot: bool = False,
) -> list[Component]:
    """A predefined machine type from the catalog, or a custom one priced per vCPU and GB RAM.

    On-demand machines are priced at their full-month rate, which carries Google's sustained-use
    discount where Google applies one (N1, N2, N2D, C2, M1...; Cyclenerd's `month` price).
    Spot and preemptible machines at the spot price of the catalog's date."""
    if isinstance(mtype, str):
        m = _CUSTOM.match(mtype.rsplit("/", 1)[-1])
        if m and spot:
            return [
                missing(
                    f"{label} (spot, {mtype})",
                    "spot prices of custom machine types are not in the catalog",
                )
            ]
        if m:
            family = f"{m.group('family') or 'n1'}_custom"
            cpu, mem_gb = Decimal(m.group("cpu")), Decimal(m.group("mem")) / 1024
            n = count if isinstance(count, Decimal) else count
            return [
                p.component(
                    side,
                    f"{label} vCPUs ({mtype})",
                    "gce_family_cpu",
                    family,
                    cpu * n if isinstance(n, Decimal) else n,
                    per_hour=True,
                ),
                p.component(
                    side,
                    f"{label} memory ({mtype})",
                    "gce_family_ram",
                    family,
                    mem_gb * n if isinstance(n, Decimal) else n,
                    per_hour=True,
                ),
            ]
        mtype = mtype.rsplit("/", 1)[-1]
    if spot:
        return [
            p.component(
                side, f"{label} (spot, {mtype})", "compute_instance_spot", mtype, count,
                per_hour=True,
            )
        ]  # fmt: skip
    c = p.component(
        side, f"{label} ({mtype}, full-month rate)", "compute_instance_month", mtype, count,
        per_hour=True,
    )  # fmt: skip
    if c.unit_price is None and isinstance(mtype, str):
        c = p.component(side, f"{label} ({mtype})", "compute_instance", mtype, count, per_hour=True)
    return [c]


def disk(
    side: Side, p: Pricer, dtype: Any, size: Any, label: str, usage_key: str | None = None
) -> Component:
    dtype = dtype if isinstance(dtype, str) and dtype else "pd-standard"
    dtype = dtype.rsplit("/", 1)[-1]
    if (size is None or isinstance(size, Unknown)) and usage_key:
        return p.component(
            side, f"{label} ({dtype})", "compute_disk", dtype, None, usage_key=usage_key
        )
    return p.component(side, f"{label} ({dtype})", "compute_disk", dtype, size)


def google_compute_instance(side: Side, p: Pricer) -> list[Component]:
    sched = side.blocks("scheduling")
    spot = bool(sched) and (
        sched[0].get("preemptible") is True or sched[0].get("provisioning_model") == "SPOT"
    )
    out = machine(side, p, side.text("machine_type"), _ONE, "Instance usage", spot=spot)
    init = side.blocks("boot_disk", "initialize_params")
    ip = side.sub(init[0] if init else {})
    out.append(
        disk(
            side, p, ip.text("type"), ip.number("size"), "Boot disk", usage_key="boot_disk_size_gb"
        )
    )
    for _ in side.blocks("scratch_disk"):
        out.append(
            p.component(side, "Local SSD (375 GB)", "compute_disk", "local-ssd", Decimal(375))
        )
    out += _gpus(side, p, side.blocks("guest_accelerator"), _ONE, spot=spot)
    for nic in side.blocks("network_interface"):
        for ac in nic.get("access_config") or []:
            if isinstance(ac, dict) and not ac.get("nat_ip"):
                out.append(
                    p.component(
                        side, "Ephemeral external IP", "compute_address", "vm", _ONE, per_hour=True
                    )
                )
    return out


# GPUs: on-demand hourly list prices are curated `gpu` rows (cloud.google.com/compute/gpus-pricing).
# GPUs attached to VMs earn the sustained-use discount, 30% off for a full month
# (https://cloud.google.com/compute/docs/sustained-use-discounts); spot GPUs have their own prices.
GPU_FULL_MONTH_FACTOR = Decimal("0.7")


def _gpus(
    side: Side,
    p: Pricer,
    blocks: list[dict[str, Any]],
    n: Decimal | Unknown | None,
    *,
    spot: bool = False,
) -> list[Component]:
    out = []
    for g in blocks:
        kind = str(g.get("type") or "GPU").rsplit("/", 1)[-1]
        per = side.sub(g).number("count", default=1)
        if spot:
            out.append(
                missing(f"GPUs ({per} × {kind}, spot)", "spot GPU prices are not in the catalog")
            )
            continue
        qty = per * n if isinstance(per, Decimal) and isinstance(n, Decimal) else per
        if isinstance(n, Unknown):
            qty = n
        c = p.component(
            side, f"GPUs ({per} × {kind}, full-month rate)", "gpu", kind, qty, per_hour=True
        )
        if c.unit_price is not None:
            c.unit_price = c.unit_price * GPU_FULL_MONTH_FACTOR
        out.append(c)
    return out


def google_compute_disk(side: Side, p: Pricer) -> list[Component]:
    dtype = str(side.text("type") or "pd-standard").rsplit("/", 1)[-1]
    out = [disk(side, p, dtype, side.number("size"), "Disk", usage_key="size_gb")]
    # pd-extreme always bills provisioned IOPS; hyperdisks bill what is provisioned above their
    # baseline. Those prices are not in the catalog: the disk is partial, never silently $0.
    if dtype == "pd-extreme" or (dtype.startswith("hyperdisk") and side.get("provisioned_iops")):
        out.append(missing("Provisioned IOPS", f"{dtype} IOPS prices are not in the catalog"))
    if dtype.startswith("hyperdisk") and side.get("provisioned_throughput"):
        out.append(
            missing("Provisioned throughput", f"{dtype} throughput prices are not in the catalog")
        )
    return out


def _sql_tier(side: Side, p: Pricer, tier: Any, avail: str) -> list[Component]:
    if not isinstance(tier, str):
        return [missing("Database instance", "settings.tier unknown")]
    if tier in ("db-f1-micro", "db-g1-small"):
        return [
            p.component(
                side,
                f"Shared-core instance ({tier})",
                "cloudsql_shared_core",
                tier,
                _ONE,
                per_hour=True,
            )
        ]
    m = re.match(r"^db-custom-(\d+)-(\d+)$", tier)
    n1 = re.match(r"^db-n1-(standard|highmem)-(\d+)$", tier)
    if m:
        cpu, mem = Decimal(m.group(1)), Decimal(m.group(2)) / 1024
    elif n1:
        cpu = Decimal(n1.group(2))
        mem = cpu * (Decimal("3.75") if n1.group(1) == "standard" else Decimal("6.5"))
    else:
        return [
            missing(f"Database instance ({tier})", f"Cloud SQL tier `{tier}` is not in the catalog")
        ]
    attrs = {"availability": avail}
    return [
        p.component(
            side,
            f"vCPUs ({tier}, {avail})",
            "cloudsql_vcpu",
            "enterprise",
            cpu,
            attrs=attrs,
            per_hour=True,
        ),
        p.component(
            side,
            f"Memory ({tier}, {avail})",
            "cloudsql_memory",
            "enterprise",
            mem,
            attrs=attrs,
            per_hour=True,
        ),
    ]


def google_sql_database_instance(side: Side, p: Pricer) -> list[Component]:
    if str(side.text("settings", "edition") or "ENTERPRISE") == "ENTERPRISE_PLUS":
        return [
            missing("Database instance", "Enterprise Plus edition prices are not in the catalog")
        ]
    avail = "regional" if side.text("settings", "availability_type") == "REGIONAL" else "zonal"
    out = _sql_tier(side, p, side.text("settings", "tier"), avail)
    dtype = str(side.text("settings", "disk_type") or "PD_SSD")
    out.append(
        p.component(
            side,
            f"Storage ({dtype})",
            "cloudsql_storage",
            dtype,
            side.number("settings", "disk_size", default=10),
            attrs={"availability": avail},
        )
    )
    return out


def _zones(side: Side) -> Decimal:
    """Node pools run their node count in every zone: node_locations, else 3 for a regional
    location, else 1."""
    locs = side.get("node_locations")
    if isinstance(locs, list) and locs:
        return Decimal(len(locs))
    loc = side.get("location")
    if isinstance(loc, str) and not re.search(r"-[a-z]$", loc):
        return Decimal(3)
    return _ONE


def _nodes(
    side: Side,
    p: Pricer,
    cfg: dict[str, Any],
    per_zone: Decimal | Unknown | None,
    zones: Decimal | None = None,
) -> list[Component]:
    if per_zone is None or isinstance(per_zone, Unknown):
        return [missing("Nodes", "node count unknown")]
    n = per_zone * (zones if zones is not None else _zones(side))
    c = side.sub(cfg)
    spot = c.flag("spot") or c.flag("preemptible")
    out = machine(side, p, c.text("machine_type") or "e2-medium", n, f"Nodes ×{n}", spot=spot)
    out += _gpus(side, p, c.blocks("guest_accelerator"), n, spot=spot)
    size = c.number("disk_size_gb", default=100)
    ssds = c.number("local_ssd_count", default=0)
    if isinstance(ssds, Decimal) and ssds > 0:
        out.append(
            p.component(
                side, f"Local SSDs ({ssds} × 375 GB per node)", "compute_disk", "local-ssd",
                ssds * LOCAL_SSD_GB * n,
            )
        )  # fmt: skip
    out.append(
        disk(
            side,
            p,
            # GKE's NodeConfig: "If unspecified, the default disk type is 'pd-standard'"
            # (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/NodeConfig)
            c.text("disk_type") or "pd-standard",
            size * n if isinstance(size, Decimal) else size,
            "Node boot disks",
        )
    )
    return out


def google_container_cluster(side: Side, p: Pricer) -> list[Component]:
    out = [
        p.component(
            side, "Cluster management fee", "gke_cluster", "management_fee", _ONE, per_hour=True
        )
    ]
    if side.flag("enable_autopilot"):
        # Autopilot bills the pods' requested vCPU and memory by the hour: usage, not
        # configuration (https://cloud.google.com/kubernetes-engine/pricing#autopilot_mode).
        out += [
            p.component(
                side, "Autopilot pod vCPU", "gke_autopilot", "vcpu", None,
                usage_key="autopilot_vcpu_hours",
            ),
            p.component(
                side, "Autopilot pod memory", "gke_autopilot", "memory", None,
                usage_key="autopilot_memory_gb_hours",
            ),
        ]  # fmt: skip
        return out
    if not side.flag("remove_default_node_pool") and not side.blocks("node_pool"):
        cfg = side.blocks("node_config")
        # GKE creates the default pool with 3 nodes per zone unless told otherwise.
        out += _nodes(side, p, cfg[0] if cfg else {}, side.number("initial_node_count", default=3))
    for pool in side.blocks("node_pool"):  # inline pools, in the cluster's zones
        ps = side.sub(pool)
        n = _pool_count(ps)
        locs = pool.get("node_locations")
        zones = Decimal(len(locs)) if isinstance(locs, list) and locs else _zones(side)
        cfg = ps.blocks("node_config")
        out += _nodes(side, p, cfg[0] if cfg else {}, n, zones)
    return out


def _pool_count(side: Side) -> Decimal | Unknown | None:
    n = side.number("node_count")
    if n is None:
        n = side.number("autoscaling", "min_node_count")
    if n is None:
        n = side.number("initial_node_count")
    return n


def google_container_node_pool(side: Side, p: Pricer) -> list[Component]:
    n = _pool_count(side)
    cluster = side.related("cluster")
    zones = None
    if not isinstance(side.get("node_locations"), list) and cluster is not None:
        zones = _zones(side.sub(cluster))  # a pool runs in its cluster's zones
    cfg = side.blocks("node_config")
    return _nodes(side, p, cfg[0] if cfg else {}, n, zones)


def google_redis_instance(side: Side, p: Pricer) -> list[Component]:
    gb = side.number("memory_size_gb")
    tier = str(side.text("tier") or "BASIC")
    if not isinstance(gb, Decimal):
        return [missing("Redis capacity", "memory_size_gb unknown")]
    band = (
        "M1" if gb <= 4 else "M2" if gb <= 10 else "M3" if gb <= 35 else "M4" if gb <= 100 else "M5"
    )
    return [
        p.component(
            side,
            f"Redis capacity ({tier}, {band})",
            "memorystore_redis",
            band,
            gb,
            attrs={"tier": tier},
            per_hour=True,
        )
    ]


def google_compute_address(side: Side, p: Pricer) -> list[Component]:
    if (side.text("address_type") or "EXTERNAL") == "INTERNAL":
        return []
    # In use when the usage file says so, else when a resource of this change uses it (a VM's
    # nat_ip, a forwarding rule); reserved but unused addresses bill the higher rate.
    attached = side.usage.get("attached")
    how = "usage file"
    if attached is None:
        attached = side.used if side.used is not None else True
        how = "used in this configuration" if side.used is not None else "in use assumed"
        if side.used is False:
            how = "no resource here uses it"
    use = "vm" if attached else "unused"
    return [
        p.component(
            side,
            f"Static external IP ({'in use' if use == 'vm' else 'reserved, unused'}: {how})",
            "compute_address",
            use,
            _ONE,
            per_hour=True,
        )
    ]


def google_compute_vpn_tunnel(side: Side, p: Pricer) -> list[Component]:
    return [p.component(side, "VPN tunnel", "vpn_tunnel", "tunnel", _ONE, per_hour=True)]


def google_compute_instance_group_manager(side: Side, p: Pricer) -> list[Component]:
    n = side.number("target_size")
    tpl = side.related("version.instance_template") or side.related("instance_template")
    if tpl is None:
        return [missing("Instances", "the instance template is not in this plan")]
    if not isinstance(n, Decimal):
        return [
            missing(
                "Instances", "target_size unknown (autoscaled groups: give it in the usage file)"
            )
        ]
    t = side.sub(tpl)
    sched = t.blocks("scheduling")
    spot = bool(sched) and (
        sched[0].get("preemptible") is True or sched[0].get("provisioning_model") == "SPOT"
    )
    out = machine(side, p, t.text("machine_type"), n, f"Instances ×{n}", spot=spot)
    out += _gpus(side, p, t.blocks("guest_accelerator"), n, spot=spot)
    for d in t.blocks("disk"):
        size = d.get("disk_size_gb")
        out.append(
            disk(
                side,
                p,
                d.get("disk_type") or "pd-standard",
                Decimal(str(size)) * n
                if size is not None and not isinstance(size, Unknown)
                else None,
                "Instance disks",
                usage_key=None if size is not None else "disk_size_gb",
            )
        )
    return out


PRICERS: dict[str, PriceFn] = {
    **gcp_network.PRICERS,
    **gcp_memorystore.PRICERS,
    "google_compute_instance": google_compute_instance, "google_compute_disk": google_compute_disk,
    "google_sql_database_instance": google_sql_database_instance,
    "google_container_cluster": google_container_cluster,
    "google_container_node_pool": google_container_node_pool,
    "google_redis_instance": google_redis_instance, "google_compute_address": google_compute_address,
    "google_compute_instance_group_manager": google_compute_instance_group_manager,
    "google_compute_region_instance_group_manager": google_compute_instance_group_manager,
    "google_compute_vpn_tunnel": google_compute_vpn_tunnel,
}  # fmt: skip
