"""Laws of placement: totals, stock and pool bounds, order independence, purity, the oracle."""

from __future__ import annotations

import copy
import random
from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invsched.errors import InsufficientReplicas
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
    place,
)
from invsched.resources import Resources
from invsched.testing import check_placement, fleets, placement_policies, workloads

CASES = {"workload": workloads(), "policy": placement_policies(), "fleet": fleets()}


def _place(workload: Workload, policy: PlacementPolicy, fleet: Fleet) -> Placement:
    return place(workload, policy, fleet, allow_partial=True)


@given(**CASES)
def test_check_placement_holds_on_every_case(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet
) -> None:
    try:
        strict = place(workload, policy, fleet)
    except InsufficientReplicas:
        strict = None
    partial = _place(workload, policy, fleet)
    assert check_placement(workload, policy, fleet, partial, allow_partial=True) == ()
    if strict is not None:
        assert check_placement(workload, policy, fleet, strict) == ()
        assert strict == partial
    else:
        assert partial.unplaced > 0


@given(**CASES)
def test_replicas_plus_unplaced_equal_the_workload(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet
) -> None:
    result = _place(workload, policy, fleet)
    if policy.replica_scheduling is ReplicaSchedulingType.DIVIDED:
        assert sum(result.replicas.values()) + result.unplaced == workload.replicas
    else:
        assert all(count <= workload.replicas for count in result.replicas.values())


@given(**CASES)
def test_provisioning_never_exceeds_stock_or_pool_max(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet
) -> None:
    result = _place(workload, policy, fleet)
    per_pool: dict[tuple[str, str], int] = {}
    per_stock: dict[tuple[str, str], int] = {}
    for item in result.provisioning:
        region = fleet.cluster(item.cluster).region
        per_pool[(item.cluster, item.pool)] = (
            per_pool.get((item.cluster, item.pool), 0) + item.nodes
        )
        key = (region, item.instance_type)
        per_stock[key] = per_stock.get(key, 0) + item.nodes
    for (cluster, pool_name), nodes in per_pool.items():
        pool = next(p for p in fleet.cluster(cluster).pools if p.name == pool_name)
        assert pool.current_nodes + nodes <= pool.max_nodes
    for (region, name), nodes in per_stock.items():
        assert nodes <= fleet.stock(region, name)


@given(**CASES, seed=st.integers(0, 2**16))
def test_placement_is_invariant_under_shuffled_cluster_order(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet, seed: int
) -> None:
    clusters = list(fleet.clusters)
    random.Random(seed).shuffle(clusters)
    catalog = list(fleet.catalog)
    random.Random(seed).shuffle(catalog)
    shuffled = Fleet(clusters=clusters, inventory=fleet.inventory, catalog=catalog)
    assert _place(workload, policy, shuffled) == _place(workload, policy, fleet)


@given(**CASES)
def test_inputs_are_unchanged(workload: Workload, policy: PlacementPolicy, fleet: Fleet) -> None:
    before = copy.deepcopy((workload, policy, fleet))
    hashes = (hash(workload), hash(policy), hash(fleet))
    _place(workload, policy, fleet)
    assert (workload, policy, fleet) == before
    assert (hash(workload), hash(policy), hash(fleet)) == hashes


@given(**CASES, smaller=st.integers(0, 12))
def test_scale_down_after_a_placement_stays_consistent(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet, smaller: int
) -> None:
    first = _place(workload, policy, fleet)
    shrunk = attrs.evolve(workload, replicas=min(smaller, workload.replicas))
    result = place(shrunk, policy, fleet, previous=first, allow_partial=True)
    assert check_placement(shrunk, policy, fleet, result, previous=first, allow_partial=True) == ()


PROVISIONING_CASES = {
    "workload": workloads(gpu=False),
    "policy": placement_policies(
        cluster_names=(), ecs_provision=True, weight_preference=WeightPreference.AVAILABLE_REPLICAS
    ),
    "fleet": fleets(max_nodes=1, autoscaling=True),
}


@given(**PROVISIONING_CASES, smaller=st.integers(0, 12))
def test_provisioning_then_scale_down_keeps_every_invariant(
    workload: Workload, policy: PlacementPolicy, fleet: Fleet, smaller: int
) -> None:
    first = _place(workload, policy, fleet)
    assert check_placement(workload, policy, fleet, first, allow_partial=True) == ()
    shrunk = attrs.evolve(workload, replicas=min(smaller, workload.replicas))
    result = place(shrunk, policy, fleet, previous=first, allow_partial=True)
    assert check_placement(shrunk, policy, fleet, result, previous=first, allow_partial=True) == ()
    released = sum(item.nodes for item in result.scale_in)
    assert released <= sum(item.nodes for item in first.provisioning)
    if shrunk.replicas == 0:
        assert released == sum(item.nodes for item in first.provisioning)


# Scale-down from an observed snapshot ------------------------------------------------------

_A10 = InstanceType(
    name="ecs.gn7i-c8g1.2xlarge",
    allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
    gpu_model="NVIDIA A10",
    hourly_price=Decimal("9.74"),
)
#: One replica fills one A10 node: every new node hosts exactly one replica.
_ONE_PER_NODE = Resources.parse({"cpu": 6, "memory": "20Gi", "nvidia.com/gpu": 1})


@st.composite
def empty_elastic_fleets(draw: st.DrawFn) -> Fleet:
    """Seed-shaped fleets: 1–4 clusters over two regions, each with one empty autoscaling
    A10 pool, and some stock per region."""
    clusters = [
        Cluster(
            name=f"cluster{index}",
            region=draw(st.sampled_from(["r0", "r1"])),
            pools=[
                NodePool(
                    name="gpu",
                    instance_types=[_A10.name],
                    max_nodes=draw(st.integers(1, 5)),
                )
            ],
        )
        for index in range(draw(st.integers(1, 4)))
    ]
    stock = {region: {_A10.name: draw(st.integers(1, 6))} for region in ("r0", "r1")}
    return Fleet(clusters=clusters, inventory=stock, catalog=[_A10])


def _snapshot(fleet: Fleet, placed: Placement) -> tuple[Fleet, dict[str, dict[str, int]]]:
    """The fleet a controller sees once ``placed`` is applied: its new nodes exist, each with
    one replica, the pools have grown and the stock they took is gone."""
    current: dict[str, dict[str, int]] = {}
    clusters = []
    for cluster in fleet.clusters:
        bought = [item for item in placed.provisioning if item.cluster == cluster.name]
        nodes = [
            Node(
                name=f"{item.pool}-{index}",
                allocatable=_A10.allocatable,
                requested=_ONE_PER_NODE,
                pods=1,
                pool=item.pool,
                labels={"node.kubernetes.io/instance-type": item.instance_type},
            )
            for item in bought
            for index in range(item.nodes)
        ]
        current[cluster.name] = {node.name: 1 for node in nodes}
        grown = [
            attrs.evolve(pool, current_nodes=pool.current_nodes + sum(i.nodes for i in bought))
            for pool in cluster.pools
        ]
        clusters.append(attrs.evolve(cluster, nodes=nodes, pools=grown))
    sold = {
        region: sum(
            item.nodes
            for item in placed.provisioning
            if fleet.cluster(item.cluster).region == region
        )
        for region in fleet.inventory
    }
    inventory = {
        region: {_A10.name: stock[_A10.name] - sold[region]}
        for region, stock in fleet.inventory.items()
    }
    return attrs.evolve(fleet, clusters=clusters, inventory=inventory), current


@given(
    fleet=empty_elastic_fleets(),
    replicas=st.integers(1, 12),
    smaller=st.integers(0, 11),
    aggregated=st.booleans(),
)
def test_scale_down_from_the_snapshot_equals_scale_down_from_the_placement(
    fleet: Fleet, replicas: int, smaller: int, aggregated: bool
) -> None:
    """With one replica per node, what a stateless controller observes after a placement
    scales down exactly as the placement itself would: same counts, same nodes released."""
    policy = PlacementPolicy(
        ecs_provision=True,
        weight_preference=(
            WeightPreference.AGGREGATED if aggregated else WeightPreference.AVAILABLE_REPLICAS
        ),
    )
    workload = Workload(name="qwen3-8b", replicas=replicas, request=_ONE_PER_NODE)
    first = place(workload, policy, fleet, allow_partial=True)
    placed = sum(first.replicas.values())
    # Any smaller count: the law is about scaling down.
    fewer = attrs.evolve(workload, replicas=smaller % placed)
    snapshot, current = _snapshot(fleet, first)
    from_placement = place(fewer, policy, fleet, previous=first)
    from_snapshot = place(fewer, policy, snapshot, current=current)
    assert dict(from_snapshot.replicas) == dict(from_placement.replicas)
    assert from_snapshot.scale_in == from_placement.scale_in
    assert from_snapshot.provisioning == from_placement.provisioning == ()
