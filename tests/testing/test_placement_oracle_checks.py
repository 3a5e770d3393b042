"""Each check of the placement oracle catches the one invariant it guards.

Every row starts from a correct answer of ``place`` (which the oracle accepts), breaks
exactly the invariant its check guards with ``attrs.evolve``, and states the check's own
exact problems and everything the whole oracle then reports.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from invsched.placement import (
    Fleet,
    Node,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    Workload,
    place,
)
from invsched.testing import check_placement
from invsched.testing._placement_checks import PLACEMENT_CHECKS, placement_case
from tests.testing.test_oracles import FLEET, GPU_SMALL, POLICY, WORKLOAD

Previous = Placement | None


@attrs.frozen(kw_only=True)
class Broken:
    """A broken answer with the inputs it answers."""

    placement: Placement
    workload: Workload = WORKLOAD
    policy: PlacementPolicy = POLICY
    fleet: Fleet = FLEET
    previous: Previous = None


def _base() -> Placement:
    """The library's answer: two new nodes in ``east``, one replica each."""
    return place(WORKLOAD, POLICY, FLEET)


def _scale_down() -> tuple[Placement, Placement]:
    """The base answer, then ``place``'s scale-down of it to one replica."""
    before = _base()
    return before, place(attrs.evolve(WORKLOAD, replicas=1), POLICY, FLEET, previous=before)


def _grown(nodes: int) -> Placement:
    """The base answer with ``nodes`` new nodes in ``east``, one replica each, priced right."""
    base = _base()
    (item,) = base.provisioning
    cost = Decimal("2.50") * nodes
    return attrs.evolve(
        base,
        replicas={"east": nodes},
        provisioning=(attrs.evolve(item, nodes=nodes, replicas=nodes, hourly_cost=cost),),
        hourly_cost=cost,
    )


def replicas_add_up() -> Broken:
    return Broken(placement=attrs.evolve(_base(), replicas={"east": 1}))


def duplicated_replicas_add_up() -> Broken:
    policy = attrs.evolve(POLICY, replica_scheduling=ReplicaSchedulingType.DUPLICATED)
    return Broken(placement=_base(), policy=policy)


def replicas_on_candidates() -> Broken:
    return Broken(placement=attrs.evolve(_base(), replicas={"east": 1, "ghost": 1}))


def replica_counts() -> Broken:
    return Broken(placement=attrs.evolve(_base(), replicas={"east": 2, "west": 0}, reasons={}))


def unplaced_allowed() -> Broken:
    return Broken(placement=attrs.evolve(_grown(1), unplaced=1))


def provisioning_allowed() -> Broken:
    return Broken(placement=_base(), policy=attrs.evolve(POLICY, ecs_provision=False))


def provisioning_pools() -> Broken:
    base = _base()
    (item,) = base.provisioning
    return Broken(placement=attrs.evolve(base, provisioning=(attrs.evolve(item, pool="cpu"),)))


def provisioning_nodes() -> Broken:
    base = _base()
    (item,) = base.provisioning
    cost = Decimal("2.50")
    return Broken(
        placement=attrs.evolve(
            base, provisioning=(attrs.evolve(item, nodes=1, hourly_cost=cost),), hourly_cost=cost
        )
    )


def provisioning_cost() -> Broken:
    base = _base()
    (item,) = base.provisioning
    cost = Decimal("4.00")
    return Broken(
        placement=attrs.evolve(
            base, provisioning=(attrs.evolve(item, hourly_cost=cost),), hourly_cost=cost
        )
    )


def pool_headroom() -> Broken:
    stocked = attrs.evolve(FLEET, inventory={"r1": {"gpu-small": 10}})
    return Broken(placement=_grown(5), workload=attrs.evolve(WORKLOAD, replicas=5), fleet=stocked)


def regional_stock() -> Broken:
    return Broken(placement=_grown(4), workload=attrs.evolve(WORKLOAD, replicas=4))


def hourly_cost() -> Broken:
    return Broken(placement=attrs.evolve(_base(), hourly_cost=Decimal("4.00")))


def new_replicas_fit() -> Broken:
    return Broken(placement=attrs.evolve(_base(), replicas={"east": 1, "west": 1}, reasons={}))


#: ``west`` has an existing node with room for both replicas.
ROOMY = attrs.evolve(
    FLEET,
    clusters=[
        FLEET.clusters[0],
        attrs.evolve(
            FLEET.clusters[1],
            nodes=[Node(name="n1", allocatable=GPU_SMALL.allocatable.scaled(2))],
        ),
    ],
)


def no_needless_provisioning() -> Broken:
    answer = place(WORKLOAD, POLICY, ROOMY)
    assert dict(answer.replicas) == {"west": 2}
    assert not answer.provisioning
    base = _base()
    return Broken(
        placement=attrs.evolve(
            answer,
            replicas=base.replicas,
            provisioning=base.provisioning,
            hourly_cost=base.hourly_cost,
            reasons={"west": "left out"},
        ),
        fleet=ROOMY,
    )


def scale_in_savings() -> Broken:
    before, after = _scale_down()
    (release,) = after.scale_in
    return Broken(
        placement=attrs.evolve(
            after, scale_in=(attrs.evolve(release, hourly_savings=Decimal("1.00")),)
        ),
        workload=attrs.evolve(WORKLOAD, replicas=1),
        previous=before,
    )


def scale_in_only_on_scale_down() -> Broken:
    before, after = _scale_down()
    same = place(WORKLOAD, POLICY, FLEET, previous=before)
    assert not same.scale_in
    return Broken(placement=attrs.evolve(same, scale_in=after.scale_in), previous=before)


def scale_in_within_bought() -> Broken:
    before, after = _scale_down()
    (release,) = after.scale_in
    return Broken(
        placement=attrs.evolve(
            after,
            scale_in=(attrs.evolve(release, nodes=3, hourly_savings=Decimal("7.50")),),
        ),
        workload=attrs.evolve(WORKLOAD, replicas=1),
        previous=before,
    )


def no_reason_with_replicas() -> Broken:
    base = _base()
    return Broken(placement=attrs.evolve(base, reasons={**base.reasons, "east": "full"}))


def left_out_have_reasons() -> Broken:
    return Broken(placement=attrs.evolve(_base(), reasons={}))


#: check → (how to break it, the check's own problems, everything the oracle reports when
#: other checks fire too, else None: the oracle reports the check's problems alone).
TABLE: list[tuple[str, Callable[[], Broken], tuple[str, ...], tuple[str, ...] | None]] = [
    (
        "_check_replicas_add_up",
        replicas_add_up,
        ("Σ replicas 1 + unplaced 0 ≠ workload replicas 2",),
        None,
    ),
    (
        "_check_replicas_add_up",
        duplicated_replicas_add_up,
        ("duplicated: missing replicas 2 ≠ unplaced 0",),
        None,
    ),
    (
        "_check_replicas_on_candidates",
        replicas_on_candidates,
        ("cluster ghost: replicas on a cluster that is not a candidate",),
        None,
    ),
    (
        "_check_replica_counts",
        replica_counts,
        ("cluster west: replica count must be an int > 0, got 0",),
        None,
    ),
    ("_check_unplaced_allowed", unplaced_allowed, ("unplaced 1 without allow_partial",), None),
    (
        "_check_provisioning_allowed",
        provisioning_allowed,
        ("provisioning without ecs_provision",),
        None,
    ),
    (
        "_check_provisioning_pools",
        provisioning_pools,
        ("provisioning east/cpu/gpu-small: not an autoscaling pool offering this instance type",),
        None,
    ),
    (
        "_check_provisioning_nodes",
        provisioning_nodes,
        ("provisioning east/gpu/gpu-small: 2 replicas on 1 nodes of 1 each",),
        None,
    ),
    (
        "_check_provisioning_cost",
        provisioning_cost,
        ("provisioning east/gpu/gpu-small: hourly_cost 4.00 ≠ nodes × price",),
        None,
    ),
    (
        "_check_pool_headroom",
        pool_headroom,
        ("pool east/gpu: 5 new nodes exceed max_nodes − current_nodes 4",),
        None,
    ),
    (
        "_check_regional_stock",
        regional_stock,
        ("region r1: 4 new nodes of gpu-small exceed stock 3",),
        None,
    ),
    ("_check_hourly_cost", hourly_cost, ("hourly_cost 4.00 ≠ Σ provisioning 5.00",), None),
    (
        "_check_new_replicas_fit",
        new_replicas_fit,
        ("cluster west: 1 new replicas exceed free 0 + provisioned 0",),
        None,
    ),
    (
        "_check_no_needless_provisioning",
        no_needless_provisioning,
        ("provisioned new nodes although free capacity 2 holds the 2 new replicas",),
        None,
    ),
    (
        "_check_scale_in_savings",
        scale_in_savings,
        ("scale_in east/gpu/gpu-small: savings ≠ nodes × price",),
        None,
    ),
    (
        "_check_scale_in_only_on_scale_down",
        scale_in_only_on_scale_down,
        ("scale_in without a scale-down",),
        None,
    ),
    (
        "_check_scale_in_within_bought",
        scale_in_within_bought,
        ("scale_in east/gpu/gpu-small: releases 3 nodes, 2 bought",),
        None,
    ),
    (
        "_check_no_reason_with_replicas",
        no_reason_with_replicas,
        ("cluster east: a reason although it has replicas",),
        None,
    ),
    (
        "_check_left_out_have_reasons",
        left_out_have_reasons,
        ("cluster west: left out without a reason",),
        None,
    ),
]

CHECKS = {check.__name__: check for check in PLACEMENT_CHECKS}


def test_every_check_has_a_breaking_case() -> None:
    assert sorted({name for name, *_ in TABLE}) == sorted(CHECKS)


@pytest.mark.parametrize(
    ("name", "build", "own", "everything"), TABLE, ids=[build.__name__ for _, build, *_ in TABLE]
)
def test_the_check_catches_exactly_its_broken_invariant(
    name: str,
    build: Callable[[], Broken],
    own: tuple[str, ...],
    everything: tuple[str, ...] | None,
) -> None:
    broken = build()
    case = placement_case(
        broken.workload,
        broken.policy,
        broken.fleet,
        broken.placement,
        previous=broken.previous,
        allow_partial=False,
    )
    assert tuple(CHECKS[name](case)) == own
    reported = check_placement(
        broken.workload, broken.policy, broken.fleet, broken.placement, previous=broken.previous
    )
    assert reported == (own if everything is None else everything)


def test_the_unbroken_answers_are_consistent() -> None:
    before, after = _scale_down()
    assert check_placement(WORKLOAD, POLICY, FLEET, before) == ()
    one = attrs.evolve(WORKLOAD, replicas=1)
    assert check_placement(one, POLICY, FLEET, after, previous=before) == ()
    assert check_placement(WORKLOAD, POLICY, ROOMY, place(WORKLOAD, POLICY, ROOMY)) == ()
