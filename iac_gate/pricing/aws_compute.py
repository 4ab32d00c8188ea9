"""AWS compute: EC2 instances and their EBS volumes, Auto Scaling groups, EKS (provider v4-v6)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

ZERO = Decimal(0)

GP3_FREE_IOPS, GP3_FREE_MBPS = Decimal(3000), Decimal(125)
ROOT_GB_DEFAULT = Decimal(8)


def _os(side: Side) -> str:
    """EC2 prices depend on the OS, which the AMI decides; the usage file may say (`os`)."""
    return str(side.usage.get("os", "linux")).lower()


def ebs(
    side: Side,
    p: Pricer,
    label: str,
    vtype: Any,
    size: Any,
    iops: Any = None,
    throughput: Any = None,
) -> list[Component]:
    if isinstance(vtype, Unknown):
        vtype = "gp2"  # the EC2 default when Terraform leaves volume_type computed
    vtype = str(vtype or "gp2")
    out = [p.component(side, f"{label} storage ({vtype})", "ebs_volume", vtype, size)]
    if vtype in ("io1", "io2"):
        out += p.tiered(
            side,
            f"{label} provisioned IOPS",
            "ebs_iops",
            vtype,
            iops if iops is not None else Unknown(f"{label}: iops is required for {vtype}"),
        )
    elif vtype == "gp3":
        if isinstance(iops, Decimal) and iops > GP3_FREE_IOPS:
            out.append(
                p.component(
                    side, f"{label} IOPS above 3,000", "ebs_iops", "gp3", iops - GP3_FREE_IOPS
                )
            )
        if isinstance(throughput, Decimal) and throughput > GP3_FREE_MBPS:
            out.append(
                p.component(
                    side,
                    f"{label} throughput above 125 MB/s",
                    "ebs_throughput",
                    "gp3",
                    throughput - GP3_FREE_MBPS,
                )
            )
    return out


def _instance_components(
    side: Side,
    p: Pricer,
    itype: Any,
    count: Any,
    label: str,
    tenancy: Any = None,
    *,
    spot: bool = False,
    ebs_optimized: bool = False,
) -> list[Component]:
    if tenancy == "host":
        # On a Dedicated Host the host is billed (aws_ec2_host), its instances are not
        # (https://aws.amazon.com/ec2/dedicated-hosts/pricing/).
        return [
            Component(
                f"{label} ({itype}, on a Dedicated Host: billed on the host)", "hours",
                ZERO, ZERO,
            )
        ]  # fmt: skip
    if tenancy == "dedicated":
        return [missing(f"{label} ({itype})", f"{tenancy} tenancy prices are not in the catalog")]
    if spot:
        return [
            missing(
                f"{label} (spot, {itype})",
                "spot prices vary by the hour and are not in the catalog",
            )
        ]
    os_name = _os(side)
    out = [
        p.component(
            side,
            f"{label} ({os_name}, {itype})",
            "ec2_instance",
            itype,
            count,
            attrs={"os": os_name},
            per_hour=True,
        )
    ]
    if ebs_optimized and isinstance(itype, str) and itype in EBS_OPTIMIZED_FOR_A_FEE:
        fee = p.component(
            side, f"EBS-optimized usage ({itype})", "ec2_ebs_optimized", itype, count,
            per_hour=True,
        )  # fmt: skip
        if fee.unit_price is None:
            fee.unpriced_reason = f"the EBS-optimized hourly fee of {itype} is not in the catalog"
        out.append(fee)
    return out


# Instance types on which EBS optimization is optional and billed by the hour; every other type
# either has it built in at no charge or does not offer it (where `ebs_optimized` is ignored)
# (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-previous-generation-instances.html,
# "EBS optimization": previous-generation types "supported", not "default").
EBS_OPTIMIZED_FOR_A_FEE = frozenset(
    {"c1.xlarge", "c3.xlarge", "c3.2xlarge", "c3.4xlarge", "g2.2xlarge", "i2.xlarge",
     "i2.2xlarge", "i2.4xlarge", "m1.large", "m1.xlarge", "m2.2xlarge", "m2.4xlarge",
     "m3.xlarge", "m3.2xlarge", "r3.xlarge", "r3.2xlarge", "r3.4xlarge"}
)  # fmt: skip


def _root_volume(
    side: Side, p: Pricer, root: dict[str, Any] | None, count: Decimal
) -> list[Component]:
    sub = side.sub(root or {})
    size = sub.number("volume_size")
    if isinstance(size, Decimal):
        return ebs(
            side,
            p,
            "Root volume",
            sub.text("volume_type"),
            size * count,
            _mul(sub.number("iops"), count),
            sub.number("throughput"),
        )
    # The root volume's size comes from the AMI unless configured: the usage file may say
    # (`root_volume_size_gb`), else the 8 GB of Amazon's Linux AMIs is assumed and said.
    u = side.usage.get("root_volume_size_gb")
    gb = Decimal(str(u)) if u is not None else ROOT_GB_DEFAULT
    label = "Root volume" if u is not None else f"Root volume ({ROOT_GB_DEFAULT} GB AMI default)"
    vtype = sub.text("volume_type")
    return ebs(side, p, label, vtype if isinstance(vtype, str) else None, gb * count)


def _extra_volumes(
    side: Side, p: Pricer, devices: list[dict[str, Any]], count: Decimal
) -> list[Component]:
    out: list[Component] = []
    for dev in devices:
        d = side.sub(dev)
        out += ebs(
            side,
            p,
            f"EBS volume {dev.get('device_name') or ''}".strip(),
            d.text("volume_type"),
            _mul(d.number("volume_size"), count),
            _mul(d.number("iops"), count),
            d.number("throughput"),
        )
    return out


def _mul(v: Decimal | Unknown | None, n: Decimal) -> Decimal | Unknown | None:
    return v * n if isinstance(v, Decimal) else v


def aws_instance(side: Side, p: Pricer) -> list[Component]:
    one = Decimal(1)
    lt = side.related("launch_template.id") or side.related("launch_template.name")
    if side.get("instance_type") is None and lt is not None:
        out = _lt_components(side, p, lt, one)
        if side.flag("monitoring") and not any("monitoring" in c.name for c in out):
            out.append(_detailed_monitoring(side, p, one))
        return out
    roots = side.blocks("root_block_device")
    spot = bool(side.get("spot_price")) or (
        str(side.text("instance_market_options", "market_type") or "") == "spot"
    )
    return (
        _instance_components(
            side,
            p,
            side.text("instance_type"),
            one,
            "Instance usage",
            "host" if side.get("host_id") is not None else side.text("tenancy"),
            spot=spot,
            ebs_optimized=side.flag("ebs_optimized"),
        )  # fmt: skip
        + _root_volume(side, p, roots[0] if roots else None, one)
        + _extra_volumes(side, p, side.blocks("ebs_block_device"), one)
        + ([_detailed_monitoring(side, p, one)] if side.flag("monitoring") else [])
    )


def aws_spot_instance_request(side: Side, p: Pricer) -> list[Component]:
    """Always spot capacity: the instance is unpriced (spot prices move hourly), its volumes
    are priced, so the request is partial."""
    roots = side.blocks("root_block_device")
    itype = side.text("instance_type")
    return (
        [
            missing(
                f"Instance usage (spot, {itype})",
                "spot prices vary by the hour and are not in the catalog",
            )
        ]
        + _root_volume(side, p, roots[0] if roots else None, Decimal(1))
        + _extra_volumes(side, p, side.blocks("ebs_block_device"), Decimal(1))
    )


def aws_ebs_volume(side: Side, p: Pricer) -> list[Component]:
    return ebs(
        side,
        p,
        "Volume",
        side.text("type"),
        side.number("size"),
        side.number("iops"),
        side.number("throughput"),
    )


def _lt_components(
    side: Side,
    p: Pricer,
    lt: dict[str, Any],
    count: Decimal,
    override_type: Any = None,
    *,
    launch_configuration: bool = False,
) -> list[Component]:
    """Instances from a launch template or (`launch_configuration=True`) a launch
    configuration, with their volumes."""
    lts = side.sub(lt)
    itype = override_type or lts.text("instance_type")
    tenancy = lts.text("placement", "tenancy") or lts.text("placement_tenancy")
    spot = bool(lts.get("spot_price")) or (
        str(lts.text("instance_market_options", "market_type") or "") == "spot"
    )
    out = _instance_components(
        side, p, itype, count, "Instance usage", tenancy,
        spot=spot, ebs_optimized=lts.flag("ebs_optimized"),
    )  # fmt: skip
    devices = []
    for bdm in lts.blocks("block_device_mappings"):
        ebs_block = bdm.get("ebs") or [{}]
        ebs_block = ebs_block[0] if isinstance(ebs_block, list) and ebs_block else ebs_block
        if isinstance(ebs_block, dict) and ebs_block.get("volume_size") is not None:
            devices.append({"device_name": bdm.get("device_name"), **ebs_block})
    roots = lts.blocks("root_block_device")  # launch configurations only
    if roots or not (devices or lts.blocks("ebs_block_device")):
        out += _root_volume(side, p, roots[0] if roots else None, count)
    # Launch configurations enable detailed monitoring unless told not to; templates opt in.
    # (https://docs.aws.amazon.com/autoscaling/ec2/userguide/enable-as-instance-metrics.html)
    lc_monitoring = "enable_monitoring" not in lt or lts.flag("enable_monitoring")
    if (launch_configuration and lc_monitoring) or lts.flag("monitoring", "enabled"):
        out.append(_detailed_monitoring(side, p, count))
    return out + _extra_volumes(side, p, devices + lts.blocks("ebs_block_device"), count)


DETAILED_MONITORING_METRICS = Decimal(7)  # EC2 detailed monitoring: 7 metrics at 1-minute


def _detailed_monitoring(side: Side, p: Pricer, count: Decimal) -> Component:
    n = DETAILED_MONITORING_METRICS * count
    return p.component(side, f"EC2 detailed monitoring ({n} metrics)", "cloudwatch", "metric", n)


def asg_instance_count(side: Side) -> tuple[Decimal | Unknown, str | None]:
    """How many instances an Auto Scaling group is priced for, and the assumption made if any.

    A set `desired_capacity` is the count, 0 included. Unset (or computed in a plan), AWS starts
    the group at `min_size` (CreateAutoScalingGroup: "If you do not specify a desired capacity,
    the default is the minimum size of the group",
    https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html).
    A group that may scale to zero (`min_size = 0`, no desired capacity) runs instances when its
    scaling policies say so: it is priced as one instance, said in the component's name, and the
    usage file's `instance_count` overrides (Infracost's rule for the same case)."""
    u = side.usage.get("instance_count")
    if u is not None:
        return Decimal(str(u)), None  # load_usage bounds usage values (0 to 1e12)
    desired = side.number("desired_capacity")
    if desired is not None and not isinstance(desired, Unknown):
        return desired, None
    n = side.number("min_size", default=0)
    if isinstance(n, Unknown) or n is None:
        return Unknown("desired_capacity/min_size unknown"), None
    if n == 0:
        return Decimal(1), "1 instance assumed: min_size 0, no desired_capacity"
    return n, None


def aws_autoscaling_group(side: Side, p: Pricer) -> list[Component]:
    desired, assumed = asg_instance_count(side)
    if isinstance(desired, Unknown):
        return [missing("Instances", desired.why)]
    out = _asg_components(side, p, desired)
    if assumed and out:
        out[0].name = f"{out[0].name} ({assumed})"
    return out


def _asg_components(side: Side, p: Pricer, desired: Decimal) -> list[Component]:
    mip = side.blocks("mixed_instances_policy")
    if mip:
        lt = side.related("mixed_instances_policy.launch_template.launch_template_specification")
        overrides = side.sub(mip[0]).blocks("launch_template", "override")
        itype, weight = None, Decimal(1)
        if overrides:
            itype = overrides[0].get("instance_type")
            if overrides[0].get("weighted_capacity"):
                weight = Decimal(str(overrides[0]["weighted_capacity"]))
        count = Decimal(math.ceil(desired / weight))
        dist = side.sub(mip[0]).blocks("instances_distribution")
        pct = Decimal(
            str((dist[0] if dist else {}).get("on_demand_percentage_above_base_capacity") or 100)
        )
        base = Decimal(str((dist[0] if dist else {}).get("on_demand_base_capacity") or 0))
        on_demand = min(count, base + max(count - base, ZERO) * pct / 100)
        out = (
            _lt_components(side, p, lt or {}, on_demand, itype)
            if (lt or itype)
            else [missing("Instances", "launch template not found in the plan")]
        )
        if on_demand < count:
            out.append(
                missing(
                    f"Spot instances ({count - on_demand})", "spot prices are not in the catalog"
                )
            )
        return out
    lt = side.related("launch_template.id") or side.related("launch_template.name")
    if lt is not None:
        return _lt_components(side, p, lt, desired)
    lc = side.related("launch_configuration")
    if lc is not None:
        return _lt_components(side, p, lc, desired, launch_configuration=True)
    return [missing("Instances", "the launch template/configuration is not in this plan")]


def aws_ec2_host(side: Side, p: Pricer) -> list[Component]:
    """A Dedicated Host bills per host-hour by its instance type (or family)."""
    itype = side.text("instance_type") or side.text("instance_family")
    return [
        p.component(side, f"Dedicated Host ({itype})", "ec2_host", itype, Decimal(1), per_hour=True)
    ]


def aws_eks_cluster(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(side, "EKS control plane", "eks_cluster", "standard", Decimal(1), per_hour=True)
    ]


# EKS managed node groups launch t3.medium when neither `instance_types` nor the launch template
# names a type (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html).
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"


def aws_eks_node_group(side: Side, p: Pricer) -> list[Component]:
    n = side.number("scaling_config", "desired_size")
    if n is None:
        n = Unknown("scaling_config.desired_size is not set")
    if isinstance(n, Unknown):
        return [missing("Nodes", n.why)]
    if (side.text("capacity_type") or "ON_DEMAND") == "SPOT":
        return [missing("Nodes (spot)", "spot prices are not in the catalog")]
    types = side.get("instance_types")
    lt = side.related("launch_template.id") or side.related("launch_template.name")
    itype = types[0] if isinstance(types, list) and types else None
    if lt is not None:
        if itype is None and side.sub(lt).get("instance_type") is None:
            itype = EKS_DEFAULT_INSTANCE_TYPE  # neither the group nor its template says
        return _lt_components(side, p, lt, n, itype)
    out = _instance_components(
        side, p, itype or EKS_DEFAULT_INSTANCE_TYPE, n, "Node instance usage"
    )
    disk = side.number("disk_size", default=20)
    return out + ebs(side, p, "Node disk", "gp2", _mul(disk, n))


PRICERS: dict[str, PriceFn] = {
    "aws_instance": aws_instance,
    "aws_ebs_volume": aws_ebs_volume,
    "aws_spot_instance_request": aws_spot_instance_request,
    "aws_eks_cluster": aws_eks_cluster,
    "aws_ec2_host": aws_ec2_host,
    "aws_eks_node_group": aws_eks_node_group,
    "aws_autoscaling_group": aws_autoscaling_group,
}
