"""AWS databases and caches: RDS, ElastiCache, OpenSearch, Redshift, DynamoDB, MSK, MQ."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

ZERO = Decimal(0)

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


def aws_db_instance(side: Side, p: Pricer, *, cluster: bool = False) -> list[Component]:
    engine = side.text("engine")
    if engine is None and side.related("replicate_source_db") is not None:
        engine = side.sub(side.related("replicate_source_db") or {}).text("engine")
    engine = engine or ("aurora-mysql" if cluster else "mysql")
    if isinstance(engine, Unknown):
        return [missing("Database instance", engine.why)]
    engine = {"aurora": "aurora-mysql"}.get(engine, engine)
    price_engine = rds_price_engine(engine, side.text("license_model"))
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
            attrs={"deployment": dep, "engine": price_engine},
            per_hour=True,
        )
    ]
    out += _extended_support(side, p, engine, cls)
    out += _performance_insights(side, p, cls)
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
        out.append(
            p.component(
                side, f"Provisioned IOPS ({RDS_PIOPS_MINIMUM:,} minimum, `iops` not set)",
                "rds_iops", stype, RDS_PIOPS_MINIMUM, attrs={"deployment": dep},
            )
        )  # fmt: skip
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


# Provisioned IOPS storage takes at least 1,000 IOPS on every RDS engine
# (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#USER_PIOPS).
RDS_PIOPS_MINIMUM = Decimal(1000)
# RDS for Oracle Enterprise Edition is offered only with your own licence; Standard Edition 2
# with the licence included unless `license_model` says otherwise. BYOL instances of every
# edition bill one rate per class (https://aws.amazon.com/rds/oracle/pricing/).
ORACLE_BYOL_ONLY = ("oracle-ee", "oracle-ee-cdb")
BYOL = "bring-your-own-license"


def rds_price_engine(engine: str, license_model: Any) -> str:
    """The engine key of an instance's hourly price: `oracle-byol` for Oracle on a licence
    you bring, else the engine itself (licence-included SQL Server and Oracle SE2 rows are
    per edition)."""
    if not engine.startswith("oracle"):
        return engine
    lm = license_model if isinstance(license_model, str) else None
    if lm == BYOL or (lm is None and engine in ORACLE_BYOL_ONLY):
        return "oracle-byol"
    return engine


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


# Performance Insights keeps 7 days free; longer retention (31-day months, 731 days = 24) bills
# per vCPU-month: one rate for the first month, another for each further month
# (https://aws.amazon.com/rds/performance-insights/pricing/).
PI_FREE_DAYS = 7


def _performance_insights(side: Side, p: Pricer, cls: Any) -> list[Component]:
    if not side.flag("performance_insights_enabled"):
        return []
    days = side.number("performance_insights_retention_period", default=PI_FREE_DAYS)
    if not isinstance(days, Decimal) or days <= PI_FREE_DAYS:
        return []
    months = Decimal(24) if days >= 731 else max(Decimal(1), days // 31)
    spec = p.catalog.instance_specs().get(str(cls).removeprefix("db."))
    if spec is None:
        return [missing("Performance Insights retention", f"vCPUs of {cls} are not in the catalog")]
    # a Multi-AZ instance counts the vCPUs of both its instances
    vcpus = Decimal(spec[0]) * (2 if side.flag("multi_az") else 1)
    out = [
        p.component(
            side, f"Performance Insights retention, first month ({vcpus} vCPU)",
            "rds_performance_insights", "retention_first_month", vcpus,
        )
    ]  # fmt: skip
    if months > 1:
        out.append(
            p.component(
                side, f"Performance Insights retention, {months - 1} more months ({vcpus} vCPU)",
                "rds_performance_insights", "retention_additional_month", vcpus * (months - 1),
            )
        )  # fmt: skip
    return out


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


PRICERS: dict[str, PriceFn] = {
    "aws_db_instance": aws_db_instance,
    "aws_rds_cluster_instance": aws_rds_cluster_instance,
    "aws_elasticache_cluster": aws_elasticache_cluster,
    "aws_elasticache_replication_group": aws_elasticache_replication_group,
    "aws_opensearch_domain": aws_opensearch_domain,
    "aws_elasticsearch_domain": aws_opensearch_domain,
    "aws_redshift_cluster": aws_redshift_cluster,
    "aws_dynamodb_table": aws_dynamodb_table,
    "aws_msk_cluster": aws_msk_cluster,
    "aws_mq_broker": aws_mq_broker,
}
