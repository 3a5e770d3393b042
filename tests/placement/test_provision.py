"""Least-cost provisioning: hand-made cases and a differential test against exhaustive search."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings

from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    NodePool,
    NodeProvision,
    PlacementPolicy,
    Workload,
    estimate_replicas,
    place,
    replicas_per_node,
)
from invsched.placement.estimate import Offer, Shape
from invsched.placement.provision import most_provisionable, plan_provisioning
from invsched.resources import Resources
from invsched.testing import assert_placement_consistent, fleets, workloads

ONE_CPU = Workload(name="w", replicas=5, request=Resources.parse({"cpu": 1}))
ECS = PlacementPolicy(ecs_provision=True)


def cpu_type(name: str, cores: int, price: str) -> InstanceType:
    return InstanceType(
        name=name, allocatable=Resources.parse({"cpu": cores}), hourly_price=Decimal(price)
    )


def one_pool_fleet(types: list[InstanceType], stock: dict[str, int], max_nodes: int = 10) -> Fleet:
    pool = NodePool(name="p", instance_types=[t.name for t in types], max_nodes=max_nodes)
    return Fleet(
        clusters=[Cluster(name="c1", region="r", pools=[pool])],
        inventory={"r": stock},
        catalog=types,
    )


def test_least_cost_beats_the_cheapest_per_replica_greedy() -> None:
    # 5 replicas: a 4-replica node is cheapest per replica (1.00), but two 3-replica nodes
    # (6.60) beat one 4-node plus anything for the last replica (4.00 + 3.30 = 7.30).
    fleet = one_pool_fleet(
        [cpu_type("big", 4, "4.00"), cpu_type("mid", 3, "3.30")], {"big": 9, "mid": 9}
    )
    result = place(ONE_CPU, ECS, fleet)
    assert result.provisioning == (
        NodeProvision(
            cluster="c1",
            pool="p",
            instance_type="mid",
            nodes=2,
            replicas=5,
            hourly_cost=Decimal("6.60"),
        ),
    )
    assert result.hourly_cost == Decimal("6.60")


def test_equal_cost_prefers_fewer_nodes() -> None:
    fleet = one_pool_fleet(
        [cpu_type("one", 1, "1.00"), cpu_type("two", 2, "2.00")], {"one": 9, "two": 9}
    )
    result = place(ONE_CPU.__class__(name="w", replicas=4, request=ONE_CPU.request), ECS, fleet)
    assert [(p.instance_type, p.nodes) for p in result.provisioning] == [("two", 2)]


def test_many_equal_types_and_a_large_shortfall_stay_fast() -> None:
    # Equal prices per replica tie every mix; the bound on (cost, nodes) cuts the ties.
    types = [cpu_type(f"t{index}", 1, "1.00") for index in range(6)]
    fleet = one_pool_fleet(types, {t.name: 400 for t in types}, max_nodes=2000)
    result = place(Workload(name="w", replicas=1500, request=ONE_CPU.request), ECS, fleet)
    assert result.hourly_cost == Decimal(1500)
    assert [(p.instance_type, p.nodes) for p in result.provisioning] == [
        ("t0", 400),
        ("t1", 400),
        ("t2", 400),
        ("t3", 300),
    ]


def test_existing_free_capacity_is_used_before_any_new_node() -> None:
    fleet = one_pool_fleet([cpu_type("one", 1, "1.00")], {"one": 9})
    from invsched.placement import Node

    node = Node(name="n", allocatable=Resources.parse({"cpu": 5}))
    fleet = Fleet(
        clusters=[Cluster(name="c1", region="r", nodes=[node], pools=fleet.clusters[0].pools)],
        inventory=fleet.inventory,
        catalog=fleet.catalog,
    )
    result = place(ONE_CPU, ECS, fleet)
    assert dict(result.replicas) == {"c1": 5}
    assert result.provisioning == ()


def test_regional_stock_is_shared_by_the_clusters_of_a_region() -> None:
    a10 = cpu_type("t", 1, "2.00")
    pools = [NodePool(name="p", instance_types=["t"], max_nodes=10)]
    fleet = Fleet(
        clusters=[Cluster(name=n, region="r", pools=pools) for n in ("c1", "c2")],
        inventory={"r": {"t": 3}},
        catalog=[a10],
    )
    with pytest.raises(InsufficientReplicas) as caught:
        place(ONE_CPU, ECS, fleet)
    assert (caught.value.available, caught.value.requested) == (3, 5)
    partial = place(ONE_CPU, ECS, fleet, allow_partial=True)
    assert (dict(partial.replicas), partial.unplaced) == ({"c1": 2, "c2": 1}, 2)


def test_a_pool_shared_by_two_types_is_left_to_the_type_that_needs_it() -> None:
    # c1's pool takes "a" or "b", c2's only "a"; stock: 2 of each. Four replicas need both
    # types: the "a" nodes must go to c2 although c1 comes first by name.
    a, b = cpu_type("a", 1, "1.00"), cpu_type("b", 1, "1.50")
    fleet = Fleet(
        clusters=[
            Cluster(
                name="c1",
                region="r",
                pools=[NodePool(name="ab", instance_types=["a", "b"], max_nodes=2)],
            ),
            Cluster(
                name="c2", region="r", pools=[NodePool(name="a", instance_types=["a"], max_nodes=2)]
            ),
        ],
        inventory={"r": {"a": 2, "b": 2}},
        catalog=[a, b],
    )
    workload = Workload(name="w", replicas=4, request=Resources.parse({"cpu": 1}))
    result = place(workload, ECS, fleet)
    assert [(p.cluster, p.instance_type, p.nodes) for p in result.provisioning] == [
        ("c1", "b", 2),
        ("c2", "a", 2),
    ]
    assert result.hourly_cost == Decimal("5.00")
    assert_placement_consistent(workload, ECS, fleet, result)


def test_most_provisionable_counts_down_when_types_compete() -> None:
    offers = [
        Offer(cluster="c1", region="r", pool="ab", headroom=2, types=("a", "b")),
        Offer(cluster="c2", region="r", pool="a", headroom=1, types=("a",)),
    ]
    shapes = [
        Shape(name="a", per_node=1, price=Decimal(1)),
        Shape(name="b", per_node=3, price=Decimal(1)),
    ]
    # Per type alone: a ≤ 3 nodes, b ≤ 2 nodes → bound 9; jointly c1 holds 2 b-nodes (6)
    # and c2 one a-node (1).
    assert most_provisionable(offers, shapes, {("r", "a"): 3, ("r", "b"): 2}) == 7


def test_previous_placement_from_another_snapshot_is_rejected() -> None:
    fleet = one_pool_fleet([cpu_type("one", 1, "1.00")], {"one": 9})
    first = place(ONE_CPU, ECS, fleet)
    poorer = Fleet(clusters=fleet.clusters, inventory={"r": {"one": 2}}, catalog=fleet.catalog)
    with pytest.raises(InvalidRequest) as caught:
        place(ONE_CPU, ECS, poorer, previous=first)
    assert str(caught.value) == (
        "previous.provisioning: bought 5 nodes of one in r, more than its stock 2: "
        "pass the fleet the placement was planned on"
    )


def test_plan_is_none_when_stock_cannot_cover() -> None:
    offers = [Offer(cluster="c", region="r", pool="p", headroom=9, types=("t",))]
    shapes = [Shape(name="t", per_node=1, price=Decimal(1))]
    assert plan_provisioning(3, offers, shapes, {("r", "t"): 2}, base={}) is None


def _exhaustive_least_cost(workload: Workload, fleet: Fleet) -> Decimal | None:
    """Every combination of new nodes per (pool, type), checked against headroom and stock."""
    free = sum(estimate_replicas(c, workload.request) for c in fleet.clusters)
    shortfall = workload.replicas - free
    if shortfall <= 0:
        return Decimal(0)
    variables = []
    for cluster in fleet.clusters:
        for pool in cluster.pools:
            for name in pool.instance_types:
                size = replicas_per_node(fleet.instance_type(name), workload.request)
                if pool.headroom and size:
                    variables.append((cluster, pool, name, size))
    best: Decimal | None = None
    ranges = [range(min(pool.headroom, shortfall) + 1) for _, pool, _, _ in variables]
    for counts in itertools.product(*ranges):
        pools: dict[tuple[str, str], int] = {}
        stock: dict[tuple[str, str], int] = {}
        for (cluster, pool, name, _), count in zip(variables, counts, strict=True):
            pools[(cluster.name, pool.name)] = pools.get((cluster.name, pool.name), 0) + count
            stock[(cluster.region, name)] = stock.get((cluster.region, name), 0) + count
        if any(
            count > pool.headroom
            for (cluster, pool, _, _) in variables
            for key, count in pools.items()
            if key == (cluster.name, pool.name)
        ):
            continue
        if any(count > fleet.stock(*key) for key, count in stock.items()):
            continue
        covered = sum(
            count * size for (_, _, _, size), count in zip(variables, counts, strict=True)
        )
        if covered < shortfall:
            continue
        cost = sum(
            (
                (fleet.instance_type(name).hourly_price or Decimal(0)) * count
                for (_, _, name, _), count in zip(variables, counts, strict=True)
            ),
            Decimal(0),
        )
        if best is None or cost < best:
            best = cost
    return best


@settings(max_examples=200)
@given(
    workload=workloads(max_replicas=8, gpu=False),
    fleet=fleets(max_clusters=3, max_pools=1, max_nodes=1, autoscaling=True),
)
def test_provisioning_cost_equals_exhaustive_search(workload: Workload, fleet: Fleet) -> None:
    policy = PlacementPolicy(ecs_provision=True)  # every cluster a candidate
    expected = _exhaustive_least_cost(workload, fleet)
    if expected is None:
        with pytest.raises(InsufficientReplicas):
            place(workload, policy, fleet)
        return
    result = place(workload, policy, fleet)
    assert result.hourly_cost == expected
    assert_placement_consistent(workload, policy, fleet, result)
