"""The oracles catch deliberately broken answers and name the invariant each one breaks.

Every case starts from a correct answer of the library (``admit``, ``place``), which the
oracle accepts, and breaks one thing with ``attrs.evolve``. The tables of
``test_admission_oracle_checks.py`` and ``test_placement_oracle_checks.py`` hold one such
case for every check function of the oracles.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from invsched.admission import (
    AdmissionResult,
    Pending,
    Preemption,
    PreemptionReason,
    QueueUnit,
    Reason,
    Reclaim,
    admit,
)
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    NodePool,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    Workload,
    place,
)
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.testing import (
    assert_admission_consistent,
    assert_placement_consistent,
    check_admission,
    check_placement,
)


def cpu(amount: int) -> Resources:
    return Resources.parse({"cpu": amount})


# Admission ------------------------------------------------------------------------------------

#: A team whose max (8 cpu) is looser than its parent's (4 cpu), as Koordinator allows.
TREE = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", max=cpu(4), children=("team",)),
        QuotaNode(name="team", parent="root", max=cpu(8), namespaces=("ml",)),
    ]
)
#: The same shape without any max: only the cluster total limits it.
UNLIMITED = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", children=("team",)),
        QuotaNode(name="team", parent="root", namespaces=("ml",)),
    ]
)
FIRST = QueueUnit(name="a", namespace="ml", request=cpu(3), created=0)
SECOND = QueueUnit(name="b", namespace="ml", request=cpu(3), created=1)
PENDING = (FIRST, SECOND)


def admit_both(result: AdmissionResult) -> AdmissionResult:
    """``result`` with both units admitted and the usage that follows."""
    return attrs.evolve(
        result, admitted=PENDING, pending=(), usage={"root": cpu(6), "team": cpu(6)}
    )


def test_the_library_answers_are_consistent() -> None:
    for tree, total in ((TREE, cpu(10)), (UNLIMITED, cpu(4))):
        result = admit(tree, PENDING, total=total)
        assert [unit.name for unit in result.admitted] == ["a"]
        assert check_admission(tree, total, PENDING, (), result) == ()
        assert_admission_consistent(tree, total, PENDING, (), result)


def test_a_result_whose_usage_exceeds_max() -> None:
    broken = admit_both(admit(TREE, PENDING, total=cpu(10)))
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "admitted ml/b breaks max of root on cpu, runtime of team on cpu",
        "usage of root on cpu ends above max after admissions",
    )


def test_a_result_admitting_over_the_total() -> None:
    broken = admit_both(admit(UNLIMITED, PENDING, total=cpu(4)))
    assert check_admission(UNLIMITED, cpu(4), PENDING, (), broken) == (
        "admitted ml/b breaks total on cpu",
        "cluster usage on cpu ends above the total after admissions",
    )


def test_a_result_that_loses_a_pending_unit() -> None:
    broken = attrs.evolve(admit(TREE, PENDING, total=cpu(10)), pending=())
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "ml/b appears 0 times in admitted + pending",
    )


def test_a_result_that_lists_a_unit_twice_or_invents_one() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    stranger = QueueUnit(name="c", namespace="ml", request=cpu(1), created=2)
    broken = attrs.evolve(
        result,
        admitted=(FIRST, stranger),
        pending=(*result.pending, Pending(unit=FIRST, reason=Reason.EXCEEDS_MAX, detail="x")),
    )
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "ml/c is in the result but not among the pending units",
        "ml/a appears 2 times in admitted + pending",
    )


def test_a_result_with_a_wrong_reason_or_no_detail() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    (item,) = result.pending
    broken = attrs.evolve(result, pending=(attrs.evolve(item, reason=Reason.NO_QUOTA, detail=""),))
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "ml/b is pending without a detail",
        "ml/b: reason NO_QUOTA but leaf quota is 'team'",
    )


def test_a_result_whose_usage_map_disagrees_with_its_decisions() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    broken = attrs.evolve(result, usage={"root": cpu(3), "team": cpu(2)})
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "usage of team is cpu=2, replay gives cpu=3",
    )


def test_a_result_whose_runtime_is_not_runtime_quota() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    broken = attrs.evolve(result, runtime={"root": cpu(4), "team": cpu(8)})
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "runtime differs from runtime_quota over demand = running + pending",
    )


def test_a_victim_that_is_not_running() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    ghost = QueueUnit(name="ghost", namespace="ml", request=cpu(1), created=0)
    broken = attrs.evolve(
        result,
        preempted=(
            Preemption(victim=ghost, preemptor=FIRST, reason=PreemptionReason.WITHIN_QUOTA),
        ),
    )
    assert check_admission(TREE, cpu(10), PENDING, (), broken) == (
        "victim ml/ghost is not a running unit",
    )


def _reclaim_case() -> tuple[QuotaTree, tuple[QueueUnit, ...], tuple[QueueUnit, ...]]:
    """Leaf ``other`` borrows the whole cluster (4 cpus) in 1-cpu units; leaf ``cluster``
    asks for its min of 2: the documented reclaim takes two units back."""
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", min=cpu(4), max=cpu(8), children=("cluster", "other")),
            QuotaNode(name="cluster", parent="root", min=cpu(2), max=cpu(8), namespaces=("x",)),
            QuotaNode(name="other", parent="root", min=cpu(2), max=cpu(8), namespaces=("o",)),
        ]
    )
    running = tuple(
        QueueUnit(name=f"o{i}", namespace="o", request=cpu(1), created=i) for i in range(4)
    )
    return tree, (QueueUnit(name="x", namespace="x", request=cpu(2), created=9),), running


def test_a_unit_left_pending_that_the_documented_reclaim_would_admit() -> None:
    """The answer a name-dependent cycle once gave: nothing reclaimed, the unit pending on
    the total. It keeps the quota invariants, so only the full contract catches it."""
    tree, pending, running = _reclaim_case()
    result = admit(tree, pending, running=running, total=cpu(4))
    assert check_admission(tree, cpu(4), pending, running, result, reclaim=Reclaim.TO_RUNTIME) == ()
    broken = attrs.evolve(
        result,
        admitted=(),
        preempted=(),
        pending=(
            Pending(
                unit=pending[0],
                reason=Reason.INSUFFICIENT_CAPACITY,
                detail="cluster: cpu used 4 + request 2 > total 4",
            ),
        ),
        usage={"root": cpu(4), "cluster": Resources(), "other": cpu(4)},
    )
    assert check_admission(tree, cpu(4), pending, running, broken) == ()
    assert check_admission(tree, cpu(4), pending, running, broken, reclaim=Reclaim.TO_RUNTIME) == (
        "x/x is pending (INSUFFICIENT_CAPACITY) but taking back what quotas above their "
        "runtime borrow would admit it",
    )
    assert check_admission(tree, cpu(4), pending, running, broken, reclaim=Reclaim.NONE) == ()


def test_a_pending_reason_that_does_not_hold_when_the_unit_is_decided() -> None:
    result = admit(TREE, PENDING, total=cpu(10))
    (item,) = result.pending
    assert item.reason is Reason.EXCEEDS_MAX
    wrong = attrs.evolve(result, pending=(attrs.evolve(item, reason=Reason.EXCEEDS_RUNTIME),))
    assert check_admission(TREE, cpu(10), PENDING, (), wrong, reclaim=Reclaim.NONE) == (
        "ml/b: reason EXCEEDS_RUNTIME but the first limit it breaks is max",
    )
    roomy = admit(UNLIMITED, PENDING, total=cpu(10))
    kept_out = attrs.evolve(
        roomy,
        admitted=(FIRST,),
        pending=(Pending(unit=SECOND, reason=Reason.INSUFFICIENT_CAPACITY, detail="full"),),
        usage={"root": cpu(3), "team": cpu(3)},
    )
    assert check_admission(UNLIMITED, cpu(10), PENDING, (), kept_out, reclaim=Reclaim.NONE) == (
        "ml/b is pending (INSUFFICIENT_CAPACITY) but fits when it is decided",
    )


def test_admissions_out_of_the_documented_order() -> None:
    roomy = admit(UNLIMITED, PENDING, total=cpu(10))
    assert [unit.name for unit in roomy.admitted] == ["a", "b"]
    swapped = attrs.evolve(roomy, admitted=(SECOND, FIRST))
    assert check_admission(UNLIMITED, cpu(10), PENDING, (), swapped) == ()
    assert check_admission(UNLIMITED, cpu(10), PENDING, (), swapped, reclaim=Reclaim.NONE) == (
        "admitted units are not in the documented order of consideration: "
        "['ml/b', 'ml/a'] instead of ['ml/a', 'ml/b']",
    )


def test_assert_admission_consistent_lists_every_problem() -> None:
    broken = attrs.evolve(admit(TREE, PENDING, total=cpu(10)), pending=())
    with pytest.raises(AssertionError) as caught:
        assert_admission_consistent(TREE, cpu(10), PENDING, (), broken)
    assert str(caught.value) == (
        "inconsistent admission:\n  ml/b appears 0 times in admitted + pending"
    )


# Placement ------------------------------------------------------------------------------------

GPU_SMALL = InstanceType(
    name="gpu-small",
    allocatable=Resources.parse({"cpu": 8, "memory": "32Gi", "nvidia.com/gpu": 1}),
    hourly_price=Decimal("2.50"),
)
#: Two empty clusters of one region; only ``east`` can grow (up to 4 nodes), stock is 3.
FLEET = Fleet(
    clusters=[
        Cluster(
            name="east",
            region="r1",
            pools=[NodePool(name="gpu", instance_types=["gpu-small"], max_nodes=4)],
        ),
        Cluster(name="west", region="r1"),
    ],
    inventory={"r1": {"gpu-small": 3}},
    catalog=[GPU_SMALL],
)
WORKLOAD = Workload(
    name="llm",
    replicas=2,
    request=Resources.parse({"cpu": 4, "memory": "16Gi", "nvidia.com/gpu": 1}),
)
POLICY = PlacementPolicy(ecs_provision=True)


@pytest.fixture(scope="module")
def placement() -> Placement:
    """The library's answer: two new nodes in ``east``."""
    return place(WORKLOAD, POLICY, FLEET)


def grown(placement: Placement, nodes: int) -> Placement:
    """``placement`` with ``nodes`` new nodes in ``east``, one replica each, priced right."""
    (item,) = placement.provisioning
    cost = GPU_SMALL.hourly_price * nodes if GPU_SMALL.hourly_price else Decimal(0)
    return attrs.evolve(
        placement,
        replicas={"east": nodes},
        provisioning=(attrs.evolve(item, nodes=nodes, replicas=nodes, hourly_cost=cost),),
        hourly_cost=cost,
    )


def test_the_library_placement_is_consistent(placement: Placement) -> None:
    assert dict(placement.replicas) == {"east": 2}
    assert placement.hourly_cost == Decimal("5.00")
    assert check_placement(WORKLOAD, POLICY, FLEET, placement) == ()
    assert_placement_consistent(WORKLOAD, POLICY, FLEET, placement)


def test_a_placement_over_stock(placement: Placement) -> None:
    workload = attrs.evolve(WORKLOAD, replicas=4)
    assert check_placement(workload, POLICY, FLEET, grown(placement, 4)) == (
        "region r1: 4 new nodes of gpu-small exceed stock 3",
    )


def test_a_placement_over_the_pool_max(placement: Placement) -> None:
    workload = attrs.evolve(WORKLOAD, replicas=5)
    stocked = attrs.evolve(FLEET, inventory={"r1": {"gpu-small": 10}})
    assert check_placement(workload, POLICY, stocked, grown(placement, 5)) == (
        "pool east/gpu: 5 new nodes exceed max_nodes − current_nodes 4",
    )


def test_a_placement_that_loses_replicas(placement: Placement) -> None:
    broken = attrs.evolve(placement, replicas={"east": 1})
    assert check_placement(WORKLOAD, POLICY, FLEET, broken) == (
        "Σ replicas 1 + unplaced 0 ≠ workload replicas 2",
    )


def test_a_placement_with_a_wrong_hourly_cost(placement: Placement) -> None:
    broken = attrs.evolve(placement, hourly_cost=Decimal("4.00"))
    assert check_placement(WORKLOAD, POLICY, FLEET, broken) == (
        "hourly_cost 4.00 ≠ Σ provisioning 5.00",
    )
    (item,) = placement.provisioning
    mispriced = attrs.evolve(
        placement,
        provisioning=(attrs.evolve(item, hourly_cost=Decimal("4.00")),),
        hourly_cost=Decimal("4.00"),
    )
    assert check_placement(WORKLOAD, POLICY, FLEET, mispriced) == (
        "provisioning east/gpu/gpu-small: hourly_cost 4.00 ≠ nodes × price",
    )


def test_a_placement_that_leaves_a_cluster_out_silently(placement: Placement) -> None:
    broken = attrs.evolve(placement, reasons={})
    assert check_placement(WORKLOAD, POLICY, FLEET, broken) == (
        "cluster west: left out without a reason",
    )


def test_a_placement_that_provisions_without_ecs_provision(placement: Placement) -> None:
    policy = attrs.evolve(POLICY, ecs_provision=False)
    assert check_placement(WORKLOAD, policy, FLEET, placement) == (
        "provisioning without ecs_provision",
    )


def test_a_duplicated_placement_missing_a_cluster(placement: Placement) -> None:
    policy = attrs.evolve(POLICY, replica_scheduling=ReplicaSchedulingType.DUPLICATED)
    assert check_placement(WORKLOAD, policy, FLEET, placement) == (
        "duplicated: missing replicas 2 ≠ unplaced 0",
    )


def test_assert_placement_consistent_lists_every_problem(placement: Placement) -> None:
    broken = attrs.evolve(placement, replicas={"east": 1})
    with pytest.raises(AssertionError) as caught:
        assert_placement_consistent(WORKLOAD, POLICY, FLEET, broken)
    assert str(caught.value) == (
        "placement inconsistent:\n  Σ replicas 1 + unplaced 0 ≠ workload replicas 2"
    )
