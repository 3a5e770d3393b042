"""A seeded generator of large, realistic GPU fleets for benchmarks and simulations."""

from __future__ import annotations

import random
from decimal import Decimal

from invsched.errors import InvalidRequest
from invsched.placement.catalog import load_catalog
from invsched.placement.fleet import Cluster, Fleet, Node, NodePool
from invsched.resources import Resources

__all__ = ["GENERATED_REGIONS", "GENERATED_TYPES", "generate_fleet"]

#: Regions the generated clusters live in.
GENERATED_REGIONS = ("cn-beijing", "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-zhangjiakou")

#: Instance types of the packaged catalog used by generated fleets, with illustrative
#: hourly prices (Alibaba publishes no static list price).
GENERATED_TYPES = {
    "ecs.gn6i-c4g1.xlarge": Decimal("11.84"),
    "ecs.gn7i-c8g1.2xlarge": Decimal("9.74"),
    "ecs.gn7i-c16g1.4xlarge": Decimal("12.30"),
    "ecs.gn7i-4x.8xlarge": Decimal("36.50"),
    "ecs.gn8is.2xlarge": Decimal("14.63"),
}


def generate_fleet(n_clusters: int, nodes_per_cluster: int, seed: int) -> Fleet:
    """A fleet of ``n_clusters`` busy GPU clusters with ``nodes_per_cluster`` nodes each.

    Each cluster sits in one of :data:`GENERATED_REGIONS`; its nodes are instances of one or
    two types of :data:`GENERATED_TYPES`, with 70–100 % of their GPUs and a matching share of
    cpu and memory already requested; it has one or two autoscaling pools (one type each,
    ``current_nodes`` = its nodes, room for 0–8 more). Each region has 0–40 nodes of stock
    per type. Equal arguments give equal fleets.

    Raises:
        InvalidRequest: a size is not an ``int`` ≥ 0.

    Runtime complexity: O(n_clusters · nodes_per_cluster).

    >>> fleet = generate_fleet(3, 4, seed=7)
    >>> len(fleet.clusters), len(fleet.clusters[0].nodes), fleet == generate_fleet(3, 4, seed=7)
    (3, 4, True)
    """
    for field, value in (("n_clusters", n_clusters), ("nodes_per_cluster", nodes_per_cluster)):
        if type(value) is not int or value < 0:
            raise InvalidRequest(field, f"must be an int ≥ 0, got {value!r}")
    rng = random.Random(seed)
    catalog = load_catalog(GENERATED_TYPES)
    shapes = {item.name: item.allocatable for item in catalog if item.name in GENERATED_TYPES}
    names = sorted(shapes)
    # Node shapes repeat across the fleet: share the Resources objects, as a real snapshot
    # built from a few instance types would.
    usage_cache: dict[tuple[str, int], Resources] = {}

    def usage(type_name: str, gpus_used: int) -> Resources:
        key = (type_name, gpus_used)
        if key not in usage_cache:
            shape = shapes[type_name]
            gpus = max(shape["nvidia.com/gpu"] // 1000, 1)
            usage_cache[key] = Resources(
                {
                    "cpu": shape["cpu"] * gpus_used // gpus,
                    "memory": shape["memory"] * gpus_used // gpus,
                    "nvidia.com/gpu": gpus_used * 1000,
                }
            )
        return usage_cache[key]

    clusters = []
    for index in range(n_clusters):
        pool_types = rng.sample(names, rng.choice((1, 2)))
        pools = []
        nodes = []
        per_pool = [nodes_per_cluster // len(pool_types)] * len(pool_types)
        per_pool[0] += nodes_per_cluster - sum(per_pool)
        for pool_index, (type_name, count) in enumerate(zip(pool_types, per_pool, strict=True)):
            pool_name = f"gpu-{pool_index}"
            gpus = max(shapes[type_name]["nvidia.com/gpu"] // 1000, 1)
            for node_index in range(count):
                used = gpus if rng.random() < 0.7 else rng.randint(0, gpus)
                nodes.append(
                    Node(
                        name=f"{pool_name}-{node_index:04d}",
                        allocatable=shapes[type_name],
                        requested=usage(type_name, used),
                        pods=used,
                        pool=pool_name,
                    )
                )
            pools.append(
                NodePool(
                    name=pool_name,
                    instance_types=[type_name],
                    current_nodes=count,
                    max_nodes=count + rng.randint(0, 8),
                )
            )
        clusters.append(
            Cluster(
                name=f"cluster-{index:04d}",
                region=rng.choice(GENERATED_REGIONS),
                labels={"env": rng.choice(("prod", "staging"))},
                nodes=nodes,
                pools=pools,
            )
        )
    inventory = {
        region: {name: rng.randint(0, 40) for name in names} for region in GENERATED_REGIONS
    }
    return Fleet(clusters=clusters, inventory=inventory, catalog=catalog)
