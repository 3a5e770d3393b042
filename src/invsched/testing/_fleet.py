"""Hypothesis strategies for placement: instance types, clusters, fleets, workloads, policies.

Every strategy is valid by construction: pools name instance types of the fleet's catalog,
autoscaling pools' types have prices, ``max_nodes ≥ current_nodes``, names are unique. Sizes
are small on purpose (a few clusters, nodes and pods) so that laws run fast and hit the edges:
full pod slots, missing resources, empty stock, pools at their maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import strategies as st

from invsched.placement.fleet import Cluster, Fleet, InstanceType, Node, NodePool
from invsched.placement.policy import (
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.resources import Resources

__all__ = ["clusters", "fleets", "instance_types", "placement_policies", "workloads"]

_GI = 2**30 * 1000  # one GiB in milli-units
#: Karmada's test UIDs (even and odd FNV-32a hash) and the empty UID.
_UIDS = ("", "4858ca61-3ff8-4095-8267-f3d059d8074c", "d43fdeeb-d750-4e2b-bee3-64eb94534f4c")


@st.composite
def _instance_type(draw: st.DrawFn, name: str) -> InstanceType:
    gpus = draw(st.integers(0, 4))
    cents = draw(st.integers(1, 3000))
    amounts = {
        "cpu": draw(st.integers(1, 16)) * 1000,
        "memory": draw(st.integers(1, 64)) * _GI,
    }
    if gpus or draw(st.booleans()):
        amounts["nvidia.com/gpu"] = gpus * 1000
    return InstanceType(
        name=name,
        allocatable=Resources(amounts),
        gpu_model="NVIDIA A10" if gpus else "",
        hourly_price=Decimal(cents) / 100,
        gpu_memory=24 * 2**30 if gpus else None,
    )


@st.composite
def instance_types(draw: st.DrawFn, *, max_size: int = 3) -> tuple[InstanceType, ...]:
    """A catalog of 1..``max_size`` priced instance types named ``type0``, ``type1`` ….

    >>> from hypothesis import strategies as st
    >>> isinstance(instance_types(), st.SearchStrategy)
    True
    """
    size = draw(st.integers(1, max_size))
    return tuple(draw(_instance_type(f"type{index}")) for index in range(size))


@st.composite
def _node(draw: st.DrawFn, name: str, catalog: Sequence[InstanceType], pool: str | None) -> Node:
    shape = draw(st.sampled_from(catalog)).allocatable
    requested = Resources({key: draw(st.integers(0, amount)) for key, amount in shape.items()})
    max_pods = draw(st.integers(0, 8))
    return Node(
        name=name,
        allocatable=shape,
        requested=requested,
        pods=draw(st.integers(0, max_pods)),
        max_pods=max_pods,
        pool=pool,
        labels={"gpu": "yes"} if "nvidia.com/gpu" in shape else {},
    )


@st.composite
def clusters(
    draw: st.DrawFn,
    *,
    name: str = "cluster0",
    region: str = "region0",
    catalog: Sequence[InstanceType] | None = None,
    max_nodes: int = 4,
    max_pools: int = 2,
    autoscaling: bool | None = None,
) -> Cluster:
    """One cluster with up to ``max_nodes`` nodes and ``max_pools`` pools over ``catalog``.

    Without ``catalog`` a small one is drawn. Pool nodes are listed as nodes of their pool.
    ``autoscaling``, when given, fixes every pool's flag.

    >>> from hypothesis import strategies as st
    >>> isinstance(clusters(), st.SearchStrategy)
    True
    """
    types = tuple(catalog) if catalog is not None else draw(instance_types())
    pools = []
    for index in range(draw(st.integers(0, max_pools))):
        chosen = draw(
            st.lists(st.sampled_from([t.name for t in types]), min_size=1, max_size=2, unique=True)
        )
        current = draw(st.integers(0, 3))
        pools.append(
            NodePool(
                name=f"pool{index}",
                instance_types=chosen,
                current_nodes=current,
                # A forced autoscaling pool can always grow by at least one node.
                max_nodes=current + draw(st.integers(1 if autoscaling else 0, 4)),
                autoscaling=(
                    autoscaling
                    if autoscaling is not None
                    else draw(st.booleans()) or draw(st.booleans())
                ),
            )
        )
    nodes = []
    for index in range(draw(st.integers(0, max_nodes))):
        pool = draw(st.sampled_from([None, *[p.name for p in pools]]))
        nodes.append(draw(_node(f"node{index}", types, pool)))
    return Cluster(
        name=name,
        region=region,
        labels={"tier": draw(st.sampled_from(["gold", "silver"]))},
        nodes=nodes,
        pools=pools,
    )


@st.composite
def fleets(
    draw: st.DrawFn,
    *,
    max_clusters: int = 4,
    regions: Sequence[str] = ("region0", "region1"),
    instance_types: Sequence[InstanceType] | None = None,
    max_pools: int = 2,
    max_nodes: int = 4,
    autoscaling: bool | None = None,
) -> Fleet:
    """A fleet of 0..``max_clusters`` clusters over ``regions``, with stock 0..6 per type.

    Each cluster has up to ``max_nodes`` nodes and ``max_pools`` node pools over the catalog
    (``instance_types``, or a drawn one); ``autoscaling``, when given, fixes every pool's flag.

    >>> from hypothesis import strategies as st
    >>> isinstance(fleets(max_clusters=2), st.SearchStrategy)
    True
    """
    catalog = tuple(instance_types) if instance_types is not None else draw(_catalog_strategy())
    members = [
        draw(
            clusters(
                name=f"cluster{index}",
                region=draw(st.sampled_from(regions)),
                catalog=catalog,
                max_nodes=max_nodes,
                max_pools=max_pools,
                autoscaling=autoscaling,
            )
        )
        for index in range(draw(st.integers(0, max_clusters)))
    ]
    inventory = {
        region: {item.name: draw(st.integers(0, 6)) for item in catalog} for region in regions
    }
    return Fleet(clusters=members, inventory=inventory, catalog=catalog)


def _catalog_strategy() -> st.SearchStrategy[tuple[InstanceType, ...]]:
    return instance_types()


@st.composite
def workloads(draw: st.DrawFn, *, max_replicas: int = 12, gpu: bool | None = None) -> Workload:
    """A workload of 0..``max_replicas`` replicas; requests of cpu, memory and maybe a GPU.

    ``gpu``, when given, fixes whether one replica requests GPUs.

    >>> from hypothesis import strategies as st
    >>> isinstance(workloads(), st.SearchStrategy)
    True
    """
    request = {
        "cpu": draw(st.integers(0, 4)) * 500,
        "memory": draw(st.integers(0, 16)) * _GI,
    }
    if draw(st.booleans()) if gpu is None else gpu:
        request["nvidia.com/gpu"] = draw(st.integers(1, 2)) * 1000
    return Workload(
        name="workload",
        replicas=draw(st.integers(0, max_replicas)),
        request=Resources(request),
        uid=draw(st.sampled_from(_UIDS)),
    )


@st.composite
def placement_policies(
    draw: st.DrawFn,
    *,
    cluster_names: Sequence[str] = ("cluster0", "cluster1", "cluster2"),
    ecs_provision: bool | None = None,
    weight_preference: WeightPreference | None = None,
) -> PlacementPolicy:
    """A policy over some of ``cluster_names``: affinity, division, weights, ecs_provision.

    ``ecs_provision`` and ``weight_preference``, when given, fix those fields (and a fixed
    weight preference also fixes ``DIVIDED``).

    >>> from hypothesis import strategies as st
    >>> isinstance(placement_policies(), st.SearchStrategy)
    True
    """
    names = list(cluster_names)
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    excluded = draw(st.lists(st.sampled_from(names), unique=True, max_size=1)) if names else []
    weights = (
        {
            name: draw(st.integers(1, 5))
            for name in draw(st.lists(st.sampled_from(names), unique=True))
        }
        if names
        else {}
    )
    return PlacementPolicy(
        cluster_names=chosen,
        label_selector=draw(st.sampled_from([{}, {}, {"tier": "gold"}])),
        exclude=excluded,
        replica_scheduling=(
            ReplicaSchedulingType.DIVIDED
            if weight_preference is not None
            else draw(st.sampled_from(ReplicaSchedulingType))
        ),
        weight_preference=(
            weight_preference
            if weight_preference is not None
            else draw(st.sampled_from(WeightPreference))
        ),
        static_weights=weights,
        ecs_provision=draw(st.booleans()) if ecs_provision is None else ecs_provision,
    )
