"""AWS resources: what each bills for, from its Terraform attributes (AWS provider v4-v6)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

ZERO = Decimal(0)
GP3_FREE_IOPS, GP3_FREE_MBPS = Decimal(3000), Decimal(125)
ROOT_GB_DEFAULT = Decimal(8)
RDS_STORAGE_DEFAULT_GB = Decimal(20)  # the RDS console's default allocation
# RDS gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB (MySQL, MariaDB, PostgreSQL;
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage).
RDS_GP3_BASELINE = ((Decimal(400), Decimal(12000)), (ZERO, Decimal(3000)))
# Major versions past end of standard support, billed RDS Extended Support per vCPU-hour
# (https://aws.amazon.com/rds/mysql/pricing/ and /rds/postgresql/pricing/, "Extended Support").
EXTENDED_SUPPORT = {
    "mysql": ("5.7",), "postgres": ("11", "12"), "aurora": ("5.7",), "aurora-mysql": ("5.7",),
    "aurora-postgresql": ("11", "12"),
}  # fmt: skip


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
    if tenancy in ("dedicated", "host"):
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
    if ebs_optimized and isinstance(itype, str):
        spec = p.catalog.instance_specs().get(itype)
        if spec is not None and not spec[1]:  # optional EBS optimization bills an hourly fee
            out.append(
                missing(
                    f"EBS-optimized usage ({itype})",
                    f"the EBS-optimized hourly fee of {itype} is not in the catalog",
                )
            )
    return out


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
            side.text("tenancy"),
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
    side: Side, p: Pricer, lt: dict[str, Any], count: Decimal, override_type: Any = None
) -> list[Component]:
    """Instances from a launch template or launch configuration, with their volumes."""
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
    lc_monitoring = "enable_monitoring" not in lt or lts.flag("enable_monitoring")
    is_lc = "image_id" in lt and "block_device_mappings" not in lt and "monitoring" not in lt
    if (is_lc and lc_monitoring and "launch_template" not in lt) or lts.flag(
        "monitoring", "enabled"
    ):
        out.append(_detailed_monitoring(side, p, count))
    return out + _extra_volumes(side, p, devices + lts.blocks("ebs_block_device"), count)


DETAILED_MONITORING_METRICS = Decimal(7)  # EC2 detailed monitoring: 7 metrics at 1-minute


def _detailed_monitoring(side: Side, p: Pricer, count: Decimal) -> Component:
    n = DETAILED_MONITORING_METRICS * count
    return p.component(side, f"EC2 detailed monitoring ({n} metrics)", "cloudwatch", "metric", n)


def aws_autoscaling_group(side: Side, p: Pricer) -> list[Component]:
    desired = side.number("desired_capacity")
    if desired is None:
        desired = side.number("min_size", default=0)  # an ASG starts at min_size
    if isinstance(desired, Unknown) or desired is None:
        return [missing("Instances", "desired_capacity/min_size unknown")]
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
        return _lt_components(side, p, lc, desired)
    return [missing("Instances", "the launch template/configuration is not in this plan")]


def aws_eks_cluster(side: Side, p: Pricer) -> list[Component]:
    return [
        p.component(side, "EKS control plane", "eks_cluster", "standard", Decimal(1), per_hour=True)
    ]


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
        return _lt_components(side, p, lt, n, itype)
    out = _instance_components(side, p, itype or "t3.medium", n, "Node instance usage")
    disk = side.number("disk_size", default=20)
    return out + ebs(side, p, "Node disk", "gp2", _mul(disk, n))


def aws_db_instance(side: Side, p: Pricer, *, cluster: bool = False) -> list[Component]:
    engine = side.text("engine")
    if engine is None and side.related("replicate_source_db") is not None:
        engine = side.sub(side.related("replicate_source_db") or {}).text("engine")
    engine = engine or ("aurora-mysql" if cluster else "mysql")
    if isinstance(engine, Unknown):
        return [missing("Database instance", engine.why)]
    engine = {"aurora": "aurora-mysql"}.get(engine, engine)
    multi = not cluster and side.flag("multi_az")
    dep = "multi-az" if multi else "single-az"
    cls = side.text("instance_class")
    out = [
        p.component(
            side,
            f"Database instance ({engine}, {cls}{', Multi-AZ' if multi else ''})",
            "rds_instance",
            cls,
            Decimal(1),
            attrs={"deployment": dep, "engine": engine},
            per_hour=True,
        )
    ]
    if cluster or engine.startswith("aurora"):
        out.append(
            p.component(
                side, "Aurora storage", "aurora_storage", "standard", None, usage_key="storage_gb"
            )
        )
        out.append(
            p.component(
                side,
                "Aurora I/O requests",
                "aurora_io",
                "standard",
                None,
                usage_key="monthly_io_requests_millions",
            )
        )
        return out
    out += _extended_support(side, p, engine, cls)
    iops = side.number("iops")
    stype = side.text("storage_type") or (
        "io1" if isinstance(iops, Decimal) and iops > 0 else "gp2"
    )
    size = side.number("allocated_storage")
    label = f"Storage ({stype})"
    if size is None:
        source = side.related("replicate_source_db")
        size = side.sub(source).number("allocated_storage") if source is not None else None
    if size is None:
        size, label = (
            RDS_STORAGE_DEFAULT_GB,
            f"Storage ({stype}, {RDS_STORAGE_DEFAULT_GB} GB default)",
        )
    out.append(p.component(side, label, "rds_storage", stype, size, attrs={"deployment": dep}))
    if stype in ("io1", "io2") and iops is None:
        out.append(missing("Provisioned IOPS", f"`iops` is not set (required for {stype})"))
    elif stype in ("io1", "io2") and iops is not None:
        out.append(
            p.component(
                side, "Provisioned IOPS", "rds_iops", stype, iops, attrs={"deployment": dep}
            )
        )
    elif stype == "gp3" and isinstance(iops, Decimal) and isinstance(size, Decimal):
        free = next(b for floor, b in RDS_GP3_BASELINE if size >= floor)
        if iops > free:
            out.append(
                p.component(
                    side, f"IOPS above {free:,}", "rds_iops", "gp3", iops - free,
                    attrs={"deployment": dep},
                )
            )  # fmt: skip
    out.append(
        p.component(
            side,
            "Backup storage beyond the free allocation",
            "rds_storage",
            "standard",
            None,
            attrs={"deployment": "single-az"},
            usage_key="backup_storage_gb",
        )
    )
    return out


def _extended_support(side: Side, p: Pricer, engine: str, cls: Any) -> list[Component]:
    version = side.text("engine_version")
    majors = EXTENDED_SUPPORT.get(engine, ())
    if not isinstance(version, str) or not any(
        version == m or version.startswith(m + ".") for m in majors
    ):
        return []
    spec = p.catalog.instance_specs().get(str(cls).removeprefix("db."))
    if spec is None:
        return [missing("Extended support", f"vCPUs of {cls} are not in the catalog")]
    vcpus = Decimal(spec[0])
    return [
        p.component(
            side, f"Extended support ({engine} {version}, {vcpus} vCPU)", "rds_extended_support",
            "year1", vcpus, per_hour=True,
        )
    ]  # fmt: skip


def aws_rds_cluster_instance(side: Side, p: Pricer) -> list[Component]:
    return aws_db_instance(side, p, cluster=True)


def aws_elasticache_cluster(side: Side, p: Pricer) -> list[Component]:
    if side.text("replication_group_id"):
        return []  # its nodes are priced on the replication group
    n = side.number("num_cache_nodes", default=1)
    node = side.text("node_type")
    return [p.component(side, f"Cache nodes ({node})", "elasticache_node", node, n, per_hour=True)]


def aws_elasticache_replication_group(side: Side, p: Pricer) -> list[Component]:
    node = side.text("node_type")
    n = side.number("num_cache_clusters")
    if n is None:
        n = side.number("number_cache_clusters")  # provider < 4
    if n is None:
        groups = side.number("num_node_groups")
        if groups is None:
            groups = side.number("cluster_mode", "num_node_groups", default=1)
        replicas = side.number("replicas_per_node_group")
        if replicas is None:
            replicas = side.number("cluster_mode", "replicas_per_node_group", default=0)
        n = (
            (groups * (replicas + 1))
            if isinstance(groups, Decimal) and isinstance(replicas, Decimal)
            else Unknown("node count unknown")
        )
    return [p.component(side, f"Cache nodes ({node})", "elasticache_node", node, n, per_hour=True)]


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


def aws_opensearch_domain(side: Side, p: Pricer) -> list[Component]:
    itype = side.text("cluster_config", "instance_type") or "m5.large.search"
    if isinstance(itype, str):
        itype = itype.replace(".elasticsearch", ".search")  # same instances, older name
    n = side.number("cluster_config", "instance_count", default=1)
    out = [
        p.component(side, f"Instances ({itype})", "opensearch_instance", itype, n, per_hour=True)
    ]
    if side.flag("cluster_config", "dedicated_master_enabled"):
        mtype = side.text("cluster_config", "dedicated_master_type")
        out.append(
            p.component(
                side,
                f"Dedicated masters ({mtype})",
                "opensearch_instance",
                mtype,
                side.number("cluster_config", "dedicated_master_count", default=3),
                per_hour=True,
            )
        )
    if side.flag("ebs_options", "ebs_enabled"):
        vtype = side.text("ebs_options", "volume_type") or "gp2"
        size = side.number("ebs_options", "volume_size")
        out.append(
            p.component(
                side,
                f"Storage ({vtype})",
                "opensearch_storage",
                vtype,
                size * n if isinstance(size, Decimal) and isinstance(n, Decimal) else size,
            )
        )
    return out


def aws_redshift_cluster(side: Side, p: Pricer) -> list[Component]:
    node = side.text("node_type")
    n = side.number("number_of_nodes", default=1)
    out = [p.component(side, f"Nodes ({node})", "redshift_node", node, n, per_hour=True)]
    if isinstance(node, str) and node.startswith("ra3"):
        out.append(
            p.component(
                side,
                "Managed storage",
                "redshift_managed_storage",
                "ra3",
                None,
                usage_key="managed_storage_gb",
            )
        )
    return out


def aws_dynamodb_table(side: Side, p: Pricer) -> list[Component]:
    out = []
    if (side.text("billing_mode") or "PROVISIONED") == "PROVISIONED":
        out += [
            p.component(
                side,
                "Write capacity",
                "dynamodb",
                "wcu",
                side.number("write_capacity"),
                per_hour=True,
            ),
            p.component(
                side,
                "Read capacity",
                "dynamodb",
                "rcu",
                side.number("read_capacity"),
                per_hour=True,
            ),
        ]
    else:
        out += [
            p.component(
                side,
                "Write requests",
                "dynamodb",
                "write_request",
                None,
                usage_key="monthly_write_request_units_millions",
            ),
            p.component(
                side,
                "Read requests",
                "dynamodb",
                "read_request",
                None,
                usage_key="monthly_read_request_units_millions",
            ),
        ]
    out.append(p.component(side, "Storage", "dynamodb", "storage", None, usage_key="storage_gb"))
    return out


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


def aws_msk_cluster(side: Side, p: Pricer) -> list[Component]:
    itype = side.text("broker_node_group_info", "instance_type")
    n = side.number("number_of_broker_nodes")
    size = side.number("broker_node_group_info", "storage_info", "ebs_storage_info", "volume_size")
    if size is None:
        size = side.number("broker_node_group_info", "ebs_volume_size")
    return [
        p.component(side, f"Brokers ({itype})", "msk_broker", itype, n, per_hour=True),
        p.component(
            side,
            "Broker storage",
            "msk_storage",
            "standard",
            size * n if isinstance(size, Decimal) and isinstance(n, Decimal) else size,
        ),
    ]


def aws_mq_broker(side: Side, p: Pricer) -> list[Component]:
    itype = side.text("host_instance_type")
    engine = str(side.text("engine_type") or "ActiveMQ").lower()
    mode = side.text("deployment_mode") or "SINGLE_INSTANCE"
    n = Decimal({"ACTIVE_STANDBY_MULTI_AZ": 2, "CLUSTER_MULTI_AZ": 3}.get(str(mode), 1))
    storage = "ebs" if str(side.text("storage_type") or "efs").lower() == "ebs" else "efs"
    return [
        p.component(
            side,
            f"Brokers ({itype}, {mode})",
            "mq_broker",
            itype,
            n,
            attrs={"engine": engine},
            per_hour=True,
        ),
        p.component(
            side, f"Storage ({storage})", "mq_storage", storage, None, usage_key="storage_gb"
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
    "aws_instance": aws_instance, "aws_ebs_volume": aws_ebs_volume,
    "aws_spot_instance_request": aws_spot_instance_request,
    "aws_db_instance": aws_db_instance, "aws_rds_cluster_instance": aws_rds_cluster_instance,
    "aws_elasticache_cluster": aws_elasticache_cluster,
    "aws_elasticache_replication_group": aws_elasticache_replication_group,
    "aws_eks_cluster": aws_eks_cluster, "aws_eks_node_group": aws_eks_node_group,
    "aws_autoscaling_group": aws_autoscaling_group, "aws_nat_gateway": aws_nat_gateway,
    "aws_lb": aws_lb, "aws_alb": aws_lb, "aws_elb": aws_elb, "aws_eip": aws_eip,
    "aws_vpc_endpoint": aws_vpc_endpoint, "aws_opensearch_domain": aws_opensearch_domain,
    "aws_elasticsearch_domain": aws_opensearch_domain, "aws_redshift_cluster": aws_redshift_cluster,
    "aws_dynamodb_table": aws_dynamodb_table, "aws_kinesis_stream": aws_kinesis_stream,
    "aws_msk_cluster": aws_msk_cluster, "aws_mq_broker": aws_mq_broker,
    "aws_ecs_service": aws_ecs_service, "aws_s3_bucket": aws_s3_bucket,
    "aws_lambda_function": aws_lambda_function, "aws_sqs_queue": aws_sqs_queue,
}  # fmt: skip
