"""Memorystore for Redis Cluster (google provider v5-v6)."""

from __future__ import annotations

from decimal import Decimal

from iac_gate.model import Component, Unknown
from iac_gate.pricing.base import PriceFn, Pricer, Side, missing

# The provider's default node type (registry docs of google_redis_cluster: "If not provided,
# REDIS_HIGHMEM_MEDIUM will be used as default").
REDIS_CLUSTER_DEFAULT_NODE = "REDIS_HIGHMEM_MEDIUM"


def redis_cluster_nodes(side: Side) -> Decimal | Unknown:
    """Every shard runs one primary and `replica_count` replicas
    (https://cloud.google.com/memorystore/docs/cluster/memorystore-for-redis-cluster-overview)."""
    shards = side.number("shard_count")
    replicas = side.number("replica_count", default=0)
    if shards is None:
        return Unknown("shard_count is not set")
    if isinstance(shards, Unknown):
        return shards
    if isinstance(replicas, Unknown) or replicas is None:
        return Unknown("replica_count unknown")
    return shards * (1 + replicas)


def google_redis_cluster(side: Side, p: Pricer) -> list[Component]:
    """Nodes bill per node-hour by node type (https://cloud.google.com/memorystore/docs/cluster/
    pricing); backups by the GB stored (usage)."""
    nodes = redis_cluster_nodes(side)
    if isinstance(nodes, Unknown):
        return [missing("Cluster nodes", nodes.why)]
    ntype = side.text("node_type") or REDIS_CLUSTER_DEFAULT_NODE
    sku = ntype.lower().replace("_", "-") if isinstance(ntype, str) else ntype
    return [
        p.component(
            side, f"Cluster nodes ({nodes} × {sku})", "memorystore_redis_cluster", sku, nodes,
            per_hour=True,
        ),
        p.component(
            side, "Backup storage", "memorystore_redis_cluster", "backup", None,
            usage_key="backup_storage_gb",
        ),
    ]  # fmt: skip


PRICERS: dict[str, PriceFn] = {"google_redis_cluster": google_redis_cluster}
