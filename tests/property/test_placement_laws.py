"""Laws of placement: totals, stock and pool bounds, order independence, purity, the oracle."""

from __future__ import annotations

import copy
import random

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invsched.errors import InsufficientReplicas
from invsched.placement import (
    Fleet,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
    place,
)
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
