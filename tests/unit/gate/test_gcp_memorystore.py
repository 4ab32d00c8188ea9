"""Memorystore for Redis Cluster: node-hours from shards and replicas (issue 17).

Each shard runs one primary and `replica_count` replicas
(cloud.google.com/memorystore/docs/cluster/memorystore-for-redis-cluster-overview); node prices
are not in the catalog yet (no citable copy of cloud.google.com/memorystore/docs/cluster/pricing
was found), so the nodes are an unpriced part that names its SKU.
"""

from __future__ import annotations

from tests.gate_plans import change, plan, priced


def test_redis_cluster_node_hours_and_named_missing_price(catalog) -> None:
    out = priced(
        plan(
            change("google_redis_cluster", "a", {"name": "a", "region": "us-central1",
                                                 "shard_count": 3, "replica_count": 2,
                                                 "node_type": "REDIS_STANDARD_SMALL"}),
            change("google_redis_cluster", "d", {"name": "d", "region": "us-central1",
                                                 "shard_count": 2}),
        ),
        catalog,
    )  # fmt: skip
    a = out["google_redis_cluster.a"].after.components[0]
    assert a.quantity == 3 * 3 * 730  # 3 shards × (1 primary + 2 replicas) × 730 hours
    assert "redis-standard-small" in str(a.unpriced_reason)
    d = out["google_redis_cluster.d"].after.components[0]
    assert d.quantity == 2 * 730 and "redis-highmem-medium" in d.name  # provider defaults
