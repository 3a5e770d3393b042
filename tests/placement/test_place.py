"""place(): Karmada's division without ecs_provision, provisioning with it, scale-down."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from invsched.errors import InsufficientReplicas, InvalidFleet, InvalidRequest
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    NodeProvision,
    NodeRelease,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
    divide_aggregated,
    divide_dynamic,
    divide_static,
    estimate_replicas,
    place,
)
from invsched.resources import Resources
from invsched.testing import assert_placement_consistent, fleets, placement_policies, workloads

ONE = Resources.parse({"cpu": 1})
T1 = InstanceType(name="t1", allocatable=Resources.parse({"cpu": 2}), hourly_price=Decimal("1.00"))
T2 = InstanceType(name="t2", allocatable=Resources.parse({"cpu": 2}), hourly_price=Decimal("1.50"))
DIVIDED = ReplicaSchedulingType.DIVIDED


def member(name: str, region: str, cores: int, pool_type: str = "t1", **labels: str) -> Cluster:
    return Cluster(
        name=name,
        region=region,
        labels=labels,
        nodes=[Node(name="n", allocatable=Resources.parse({"cpu": cores}))],
        pools=[NodePool(name="p", instance_types=[pool_type], max_nodes=4)],
    )


# Free capacity 6 : 8 : 10, as in Karmada's division tests; m1 and m2 share region r1.
FLEET = Fleet(
    clusters=[
        member("m1", "r1", 6, tier="gold"),
        member("m2", "r1", 8),
        member("m3", "r2", 10, "t2"),
    ],
    inventory={"r1": {"t1": 4}, "r2": {"t2": 4}},
    catalog=[T1, T2],
)


def workload(replicas: int) -> Workload:
    return Workload(name="w", replicas=replicas, request=ONE)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param(
            PlacementPolicy(),
            {"m1": 3, "m2": 4, "m3": 5},
            id="dynamic weight 6:8:10, 12 → 3/4/5 (division_algorithm_test.go)",
        ),
        pytest.param(
            PlacementPolicy(weight_preference=WeightPreference.AGGREGATED),
            {"m2": 5, "m3": 7},
            id="aggregated 6:8:10, 12 → [10, 8] → 7/5",
        ),
        pytest.param(
            PlacementPolicy(
                weight_preference=WeightPreference.STATIC_WEIGHT,
                static_weights={"m1": 3, "m2": 2, "m3": 1},
            ),
            {"m1": 6, "m2": 4, "m3": 2},
            id="static weight 3:2:1, 12 → 6/4/2 (Webster)",
        ),
        pytest.param(
            PlacementPolicy(replica_scheduling=ReplicaSchedulingType.DUPLICATED),
            {"m1": 12, "m2": 12, "m3": 12},
            id="duplicated",
        ),
    ],
)
def test_without_ecs_provision_the_karmada_division(
    policy: PlacementPolicy, expected: dict[str, int]
) -> None:
    result = place(workload(12), policy, FLEET)
    assert dict(result.replicas) == expected
    assert (result.provisioning, result.hourly_cost, result.unplaced) == ((), Decimal(0), 0)
    assert_placement_consistent(workload(12), policy, FLEET, result)


def test_aggregated_reason_for_an_unused_candidate() -> None:
    policy = PlacementPolicy(weight_preference=WeightPreference.AGGREGATED)
    result = place(workload(12), policy, FLEET)
    assert dict(result.reasons) == {"m1": "not needed: the division gave it no replica"}


def test_affinity_reasons_and_provisioning_on_the_only_candidate() -> None:
    policy = PlacementPolicy(label_selector={"tier": "gold"}, exclude=["m3"], ecs_provision=True)
    result = place(workload(12), policy, FLEET)
    assert dict(result.replicas) == {"m1": 12}
    assert result.provisioning == (
        NodeProvision(
            cluster="m1",
            pool="p",
            instance_type="t1",
            nodes=3,
            replicas=6,
            hourly_cost=Decimal("3.00"),
        ),
    )
    assert dict(result.reasons) == {
        "m2": "label tier=gold does not match the cluster affinity",
        "m3": "excluded by the cluster affinity",
    }
    names_only = place(workload(1), PlacementPolicy(cluster_names=["m3"]), FLEET)
    assert names_only.reasons["m1"] == "not in the cluster affinity's clusterNames"


def test_shortfall_goes_to_the_cheapest_type_spread_evenly() -> None:
    # Free 24, shortfall 6: three t1 nodes (0.50 per replica) beat t2 (0.75); the first two
    # go to m1 (6 → 8 → 10), the third to m2 (8 → 10).
    policy = PlacementPolicy(ecs_provision=True)
    result = place(workload(30), policy, FLEET)
    assert dict(result.replicas) == {"m1": 10, "m2": 10, "m3": 10}
    assert [(p.cluster, p.nodes, p.replicas) for p in result.provisioning] == [
        ("m1", 2, 4),
        ("m2", 1, 2),
    ]
    assert result.hourly_cost == Decimal("3.00")


def test_aggregated_concentrates_new_nodes() -> None:
    policy = PlacementPolicy(ecs_provision=True, weight_preference=WeightPreference.AGGREGATED)
    result = place(workload(30), policy, FLEET)
    assert dict(result.replicas) == {"m1": 6, "m2": 14, "m3": 10}
    assert [(p.cluster, p.nodes) for p in result.provisioning] == [("m2", 3)]


def test_static_weight_with_ecs_provisions_each_clusters_own_shortfall() -> None:
    policy = PlacementPolicy(
        ecs_provision=True,
        weight_preference=WeightPreference.STATIC_WEIGHT,
        static_weights={"m1": 3, "m2": 2, "m3": 1},
    )
    result = place(workload(24), policy, FLEET)
    # Targets 12/8/4; m1 has room for 6, so it buys three t1 nodes.
    assert dict(result.replicas) == {"m1": 12, "m2": 8, "m3": 4}
    assert [(p.cluster, p.nodes, p.replicas) for p in result.provisioning] == [("m1", 3, 6)]


def test_scale_up_from_a_previous_placement_keeps_its_nodes_and_stock() -> None:
    policy = PlacementPolicy(ecs_provision=True)
    first = place(workload(30), policy, FLEET)
    result = place(workload(34), policy, FLEET, previous=first)
    # r1 has one t1 node of stock left; the last two replicas need a t2 node in r2.
    assert dict(result.replicas) == {"m1": 12, "m2": 10, "m3": 12}
    assert [(p.cluster, p.instance_type, p.nodes) for p in result.provisioning] == [
        ("m1", "t1", 1),
        ("m3", "t2", 1),
    ]
    assert result.hourly_cost == Decimal("2.50")
    assert_placement_consistent(workload(34), policy, FLEET, result, previous=first)


def test_scale_down_with_ecs_takes_elastic_replicas_first() -> None:
    policy = PlacementPolicy(ecs_provision=True)
    first = place(workload(30), policy, FLEET)
    result = place(workload(25), policy, FLEET, previous=first)
    assert dict(result.replicas) == {"m1": 7, "m2": 8, "m3": 10}
    assert result.scale_in == (
        NodeRelease(
            cluster="m1", pool="p", instance_type="t1", nodes=1, hourly_savings=Decimal("1.00")
        ),
        NodeRelease(
            cluster="m2", pool="p", instance_type="t1", nodes=1, hourly_savings=Decimal("1.00")
        ),
    )
    assert_placement_consistent(workload(25), policy, FLEET, result, previous=first)


def test_scale_down_without_ecs_is_karmadas_and_still_reports_empty_nodes() -> None:
    first = place(workload(30), PlacementPolicy(ecs_provision=True), FLEET)
    result = place(workload(25), PlacementPolicy(), FLEET, previous=first)
    assert dict(result.replicas) == divide_dynamic(
        25, {"m1": 0, "m2": 0, "m3": 0}, previous=dict(first.replicas)
    )
    assert result.scale_in == (
        NodeRelease(
            cluster="m2", pool="p", instance_type="t1", nodes=1, hourly_savings=Decimal("1.00")
        ),
    )


def test_mapping_previous_is_karmadas_running_replicas() -> None:
    result = place(workload(14), PlacementPolicy(), FLEET, previous={"m1": 2, "m2": 2, "gone": 5})
    expected = divide_dynamic(14, {"m1": 6, "m2": 8, "m3": 10}, previous={"m1": 2, "m2": 2})
    assert dict(result.replicas) == expected
    assert result.scale_in == ()


def test_no_candidate_at_all() -> None:
    policy = PlacementPolicy(cluster_names=["nowhere"])
    with pytest.raises(InsufficientReplicas):
        place(workload(2), policy, FLEET)
    result = place(workload(2), policy, FLEET, allow_partial=True)
    assert (dict(result.replicas), result.unplaced) == ({}, 2)
    assert set(result.reasons) == {"m1", "m2", "m3"}


def test_reason_names_the_pool_limit() -> None:
    full = attrs.evolve(
        FLEET.clusters[0],
        nodes=(),
        pools=(NodePool(name="p", instance_types=["t1"], current_nodes=4, max_nodes=4),),
    )
    off = attrs.evolve(
        FLEET.clusters[1],
        nodes=(),
        pools=(NodePool(name="q", instance_types=["t1"], max_nodes=4, autoscaling=False),),
    )
    fleet = Fleet(
        clusters=[full, off, FLEET.clusters[2]], inventory=FLEET.inventory, catalog=FLEET.catalog
    )
    result = place(workload(12), PlacementPolicy(ecs_provision=True), fleet)
    assert dict(result.reasons) == {
        "m1": "no free capacity for one replica; pool p: at max_nodes 4",
        "m2": "no free capacity for one replica; pool q: autoscaling off",
    }
    big = Workload(name="w", replicas=1, request=Resources.parse({"cpu": 3}))
    lone = Fleet(
        clusters=[
            attrs.evolve(full, pools=(NodePool(name="p", instance_types=["t1"], max_nodes=1),))
        ],
        inventory=FLEET.inventory,
        catalog=FLEET.catalog,
    )
    partial = place(big, PlacementPolicy(ecs_provision=True), lone, allow_partial=True)
    assert dict(partial.reasons) == {
        "m1": "no free capacity for one replica; pool p: t1 cannot hold one replica"
    }


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: place("w", PlacementPolicy(), FLEET),  # type: ignore[arg-type]
            "workload: expected a Workload, got str 'w'",
        ),
        (
            lambda: place(workload(1), None, FLEET),  # type: ignore[arg-type]
            "policy: expected a PlacementPolicy, got NoneType None",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), FLEET, previous={"m1": -1}),
            "previous['m1']: must be ≥ 0, got -1",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), FLEET, allow_partial=1),  # type: ignore[arg-type]
            "allow_partial: expected a bool, got 1",
        ),
        (
            lambda: Workload(name="w", replicas=True, request=ONE),
            "Workload.replicas: expected an int, got bool True",
        ),
        (
            lambda: PlacementPolicy(static_weights={"m1": 0}),
            "PlacementPolicy.static_weights['m1']: must be ≥ 1, got 0",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), FLEET, previous=["m1"]),  # type: ignore[arg-type]
            "previous: expected a Placement or a mapping, got list ['m1']",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), FLEET, previous={3: 1}),  # type: ignore[dict-item]
            "previous key: expected a non-empty string, got 3",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), FLEET, previous={"m1": 10**5000}),
            "previous['m1']: must be below 10^100, got an int of about 5001 digits",
        ),
        (
            lambda: place(workload(1), PlacementPolicy(), "fleet"),  # type: ignore[arg-type]
            "fleet: expected a Fleet, got str 'fleet'",
        ),
        (
            lambda: PlacementPolicy(exclude="m3"),
            "PlacementPolicy.exclude: expected a sequence of names, got the string 'm3'",
        ),
        (
            lambda: PlacementPolicy(weight_preference=ReplicaSchedulingType.DIVIDED),  # type: ignore[arg-type]
            "PlacementPolicy.weight_preference: expected one of WeightPreference.STATIC_WEIGHT, "
            "WeightPreference.AVAILABLE_REPLICAS, WeightPreference.AGGREGATED, got "
            "<ReplicaSchedulingType.DIVIDED: 'Divided'>",
        ),
        (
            lambda: Workload(name="w", replicas=1, request=Resources({"cpu": -1})),
            "Workload.request.cpu: must be ≥ 0, got -1",
        ),
        (
            lambda: Workload(name="w", replicas=1, request=ONE, uid=None),  # type: ignore[arg-type]
            "Workload.uid: expected a string, got NoneType None",
        ),
    ],
)
def test_bad_input_names_the_field(call: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message


def test_exclude_names_whole_clusters() -> None:
    result = place(workload(12), PlacementPolicy(exclude=["m3"]), FLEET, allow_partial=True)
    assert dict(result.replicas) == {"m1": 5, "m2": 7}
    assert result.reasons["m3"] == "excluded by the cluster affinity"


def test_a_previous_placement_from_another_catalog_is_a_typed_error() -> None:
    previous = Placement(
        replicas={"m1": 1},
        provisioning=[
            NodeProvision(
                cluster="m1",
                pool="p",
                instance_type="gone",
                nodes=1,
                replicas=1,
                hourly_cost=Decimal(1),
            )
        ],
        hourly_cost=Decimal(1),
    )
    with pytest.raises(InvalidFleet) as caught:
        place(workload(2), PlacementPolicy(), FLEET, previous=previous)
    assert str(caught.value) == "Fleet.catalog: unknown instance type 'gone'"


def test_a_previous_placement_whose_nodes_host_more_than_its_replicas_is_refused() -> None:
    # Such a placement once crashed the scale-down with a KeyError.
    previous = Placement(
        replicas={"m1": 1},
        provisioning=[
            NodeProvision(
                cluster="m2",
                pool="p",
                instance_type="t1",
                nodes=1,
                replicas=1,
                hourly_cost=Decimal(1),
            )
        ],
        hourly_cost=Decimal(1),
    )
    with pytest.raises(InvalidRequest) as caught:
        place(workload(0), PlacementPolicy(ecs_provision=True), FLEET, previous=previous)
    assert str(caught.value) == (
        "previous.provisioning[0]: new nodes host 1 replicas in cluster 'm2', more than "
        "previous.replicas gives it (0)"
    )


@given(
    workload=workloads(),
    fleet=fleets(),
    policy=placement_policies(
        ecs_provision=False, weight_preference=WeightPreference.AVAILABLE_REPLICAS
    ),
)
def test_without_ecs_place_equals_divide_over_estimates(
    workload: Workload, fleet: Fleet, policy: PlacementPolicy
) -> None:
    candidates = [c for c in fleet.clusters if policy.exclusion_reason(c) is None]
    available = {c.name: estimate_replicas(c, workload.request) for c in candidates}
    expected = divide_dynamic(
        workload.replicas, available, uid=workload.uid or None, allow_partial=True
    )
    result = place(workload, policy, fleet, allow_partial=True)
    assert dict(result.replicas) == dict(expected)
    assert result.unplaced == (expected.unplaced if candidates else workload.replicas)


@given(
    workload=workloads(),
    fleet=fleets(),
    policy=placement_policies(ecs_provision=False, weight_preference=WeightPreference.AGGREGATED),
)
def test_without_ecs_aggregated_equals_divide_aggregated(
    workload: Workload, fleet: Fleet, policy: PlacementPolicy
) -> None:
    candidates = [c for c in fleet.clusters if policy.exclusion_reason(c) is None]
    available = {c.name: estimate_replicas(c, workload.request) for c in candidates}
    expected = divide_aggregated(
        workload.replicas, available, uid=workload.uid or None, allow_partial=True
    )
    assert dict(place(workload, policy, fleet, allow_partial=True).replicas) == dict(expected)


@given(
    workload=workloads(),
    fleet=fleets(),
    policy=placement_policies(
        ecs_provision=False, weight_preference=WeightPreference.STATIC_WEIGHT
    ),
)
def test_without_ecs_static_equals_divide_static(
    workload: Workload, fleet: Fleet, policy: PlacementPolicy
) -> None:
    names = sorted(c.name for c in fleet.clusters if policy.exclusion_reason(c) is None)
    weights = {n: policy.static_weights[n] for n in names if n in policy.static_weights}
    expected = (
        divide_static(
            workload.replicas, weights or dict.fromkeys(names, 1), uid=workload.uid or None
        )
        if names
        else {}
    )
    assert dict(place(workload, policy, fleet, allow_partial=True).replicas) == expected
