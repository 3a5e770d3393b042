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
    # Equal prices per replica tie every mix: the tie-break gives the first types all they
    # can take (the knapsack table costs O(types × shortfall), ties or not).
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


def test_most_provisionable_when_types_compete() -> None:
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


def _named_fleet(pair: str) -> Fleet:
    """The reproducer of the name-collision bug, with ``pair`` for the type "x,y"."""
    types = [
        InstanceType(
            name=name,
            allocatable=Resources.parse({"cpu": 1, "memory": "2Gi"}),
            hourly_price=Decimal(1),
        )
        for name in (pair, "x", "y")
    ]
    return Fleet(
        clusters=[
            Cluster(
                name="c1",
                region="r",
                pools=[NodePool(name="p1", instance_types=[pair], max_nodes=1)],
            ),
            Cluster(
                name="c2",
                region="r",
                pools=[NodePool(name="p2", instance_types=["x", "y"], max_nodes=5)],
            ),
        ],
        inventory={"r": {pair: 9, "x": 9, "y": 9}},
        catalog=types,
    )


@pytest.mark.parametrize("pair", ["x,y", "xy"])
def test_type_names_with_separators_do_not_collide(pair: str) -> None:
    # The old max-flow named the group of p1 "g:r:x,y", which is also the name of the group
    # of p2 (types "x" and "y"): p1's headroom vanished and place raised "5 available".
    workload = Workload(name="w", replicas=6, request=Resources.parse({"cpu": 1}))
    result = place(workload, ECS, _named_fleet(pair))
    assert dict(result.replicas) == {"c1": 1, "c2": 5}
    assert result.provisioning == (
        NodeProvision(
            cluster="c1",
            pool="p1",
            instance_type=pair,
            nodes=1,
            replicas=1,
            hourly_cost=Decimal(1),
        ),
        NodeProvision(
            cluster="c2",
            pool="p2",
            instance_type="x",
            nodes=5,
            replicas=5,
            hourly_cost=Decimal(5),
        ),
    )
    assert result.hourly_cost == Decimal(6)


@pytest.mark.parametrize("name", ["source", "sink", "t:x", "s:r:x", "g:r:x"])
def test_type_and_region_names_like_the_old_sentinels_are_ordinary(name: str) -> None:
    offers = [
        Offer(cluster="c1", region="g:r", pool="p", headroom=2, types=(name, "x")),
        Offer(cluster="c2", region="r", pool="p", headroom=3, types=("x",)),
    ]
    shapes = [
        Shape(name=name, per_node=1, price=Decimal(1)),
        Shape(name="x", per_node=1, price=Decimal(2)),
    ]
    stock = {("g:r", name): 1, ("g:r", "x"): 5, ("r", "x"): 5}
    assert most_provisionable(offers, shapes, stock) == 5
    plan = plan_provisioning(5, offers, shapes, stock, base={})
    assert plan is not None
    assert sorted((p.cluster, p.instance_type, p.nodes) for p in plan) == [
        ("c1", name, 1),
        ("c1", "x", 1),
        ("c2", "x", 3),
    ]


def test_competing_types_keep_the_even_spread_and_the_tie_break() -> None:
    # Two regions, each with a pool taking "a" or "b" (stock 2 each). Six replicas: "a" is
    # cheaper, so 4 × "a" (2 per region, the most even) and 2 × "b".
    offers = [
        Offer(cluster=f"c{i}", region=f"r{i}", pool="ab", headroom=3, types=("a", "b"))
        for i in (1, 2)
    ]
    shapes = [
        Shape(name="a", per_node=1, price=Decimal(1)),
        Shape(name="b", per_node=1, price=Decimal(2)),
    ]
    stock = {(f"r{i}", t): 2 for i in (1, 2) for t in ("a", "b")}
    plan = plan_provisioning(6, offers, shapes, stock, base={})
    assert plan is not None
    assert [(p.cluster, p.instance_type, p.nodes) for p in plan] == [
        ("c1", "a", 2),
        ("c1", "b", 1),
        ("c2", "a", 2),
        ("c2", "b", 1),
    ]
    packed = plan_provisioning(6, offers, shapes, stock, base={"c2": 1}, concentrate=True)
    assert packed is not None
    assert sum(p.replicas for p in packed) == 6
    assert [(p.cluster, p.nodes) for p in packed if p.cluster == "c2"] == [("c2", 2), ("c2", 1)]


def test_a_pool_of_several_types_beyond_the_box_optimum_needs_the_solver() -> None:
    # Seven cheap types in one pool of 10 nodes, an expensive fallback pool: the cheapest
    # type per type alone would take 20 nodes, but the pool holds 10.
    types = [cpu_type(f"cheap{i}", 1, f"1.0{i}") for i in range(7)]
    spare = cpu_type("spare", 1, "3.00")
    fleet = Fleet(
        clusters=[
            Cluster(
                name="c1",
                region="r",
                pools=[
                    NodePool(name="cheap", instance_types=[t.name for t in types], max_nodes=10),
                    NodePool(name="spare", instance_types=["spare"], max_nodes=20),
                ],
            )
        ],
        inventory={"r": {**{t.name: 10 for t in types}, "spare": 20}},
        catalog=[*types, spare],
    )
    workload = Workload(name="w", replicas=20, request=Resources.parse({"cpu": 1}))
    result = place(workload, ECS, fleet)
    assert [(p.instance_type, p.nodes) for p in result.provisioning] == [
        ("cheap0", 10),
        ("spare", 10),
    ]
    assert result.hourly_cost == Decimal("40.00")


def test_unmeetable_shortfalls_are_answered_without_a_search() -> None:
    offer = Offer(cluster="c", region="r", pool="p", headroom=40, types=("a", "b", "c", "d"))
    shapes = [Shape(name=n, per_node=1, price=Decimal(i + 1)) for i, n in enumerate("abcd")]
    stock = {("r", n): 10 for n in "abcd"}
    assert most_provisionable([offer], shapes, stock) == 40
    assert plan_provisioning(41, [offer], shapes, stock, base={}) is None
    plan = plan_provisioning(40, [offer], shapes, stock, base={})
    assert plan is not None
    assert [p.nodes for p in plan] == [10, 10, 10, 10]


def test_a_solver_answer_that_fails_the_exact_checks_is_retried_then_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from invsched.placement import _mip

    offers = [Offer(cluster="c", region="r", pool="p", headroom=2, types=("a", "b", "c"))]
    shapes = [
        Shape(name="a", per_node=1, price=Decimal(1)),
        Shape(name="b", per_node=1, price=Decimal(2)),
        Shape(name="c", per_node=3, price=Decimal(7)),
    ]
    stock = {("r", name): 5 for name in "abc"}
    # The box optimum (2 × "a" + 1 × "b", 4.00) does not fit the pool of 2: the MIP decides.
    expected = plan_provisioning(3, offers, shapes, stock, base={})
    assert expected is not None
    assert [(p.instance_type, p.nodes) for p in expected] == [("c", 1)]
    modes: list[bool] = []
    original = _mip._Model.__init__

    def spy(self: _mip._Model, *args: object, strict: bool, **kwargs: object) -> None:
        modes.append(strict)
        original(self, *args, strict=strict, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_mip._Model, "__init__", spy)
    calls = iter([False])  # the first check fails, every later one passes
    valid = _mip._Model._valid
    monkeypatch.setattr(
        _mip._Model, "_valid", lambda self, vector: next(calls, True) and valid(self, vector)
    )
    assert plan_provisioning(3, offers, shapes, stock, base={}) == expected
    assert modes == [False, True]
    monkeypatch.setattr(_mip._Model, "_valid", lambda self, vector: False)
    with pytest.raises(_mip.SolverError):
        plan_provisioning(3, offers, shapes, stock, base={})
