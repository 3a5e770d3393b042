"""admit(): reasons and details, ordering, options and bad input."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from invsched.admission import (
    Pending,
    Preemption,
    PreemptionReason,
    QueueUnit,
    Reason,
    Reclaim,
    admit,
)
from invsched.errors import InvalidRequest
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.testing import assert_admission_consistent
from tests.admission.helpers import SEED_TOTAL, job, ray_job, seed_tree


def test_units_without_a_leaf_quota_are_no_quota_with_a_detail() -> None:
    tree = seed_tree()
    stray = job("a", "nowhere", gpu=1)
    unknown = job("b", "video", gpu=1, quota="audio")
    parent = job("c", "video", gpu=1, quota="algorithm")
    result = admit(tree, [stray, unknown, parent], total=SEED_TOTAL)
    assert result.admitted == ()
    assert [(p.unit.name, p.reason, p.detail) for p in result.pending] == [
        ("a", Reason.NO_QUOTA, "namespace 'nowhere' is not bound to any quota"),
        ("b", Reason.NO_QUOTA, "quota 'audio' does not exist"),
        (
            "c",
            Reason.NO_QUOTA,
            "quota 'algorithm' is a parent quota; units bind to leaf quotas only",
        ),
    ]


def test_explicit_quota_overrides_the_namespace() -> None:
    tree = seed_tree()
    unit = job("a", "video", gpu=1, quota="text")
    result = admit(tree, [unit], total=SEED_TOTAL)
    assert result.admitted == (unit,)
    assert result.usage["text"]["nvidia.com/gpu"] == 1000
    assert result.usage["video"] == Resources()


def test_a_request_above_max_can_never_fit() -> None:
    tree = seed_tree()
    unit = job("huge", "video", gpu=5)
    result = admit(tree, [unit], total=SEED_TOTAL)
    assert result.pending == (
        Pending(
            unit=unit,
            reason=Reason.REQUEST_EXCEEDS_MAX_EVER,
            detail="video: nvidia.com/gpu request 5 > max 4",
        ),
    )


def test_memory_details_use_binary_quantities() -> None:
    tree = seed_tree()
    first = job("a", "video", memory="10Gi", created=1)
    second = job("b", "video", memory="4608Mi", created=2)
    result = admit(tree, [first, second], total=SEED_TOTAL)
    assert result.pending[0].detail == "video: memory used 10Gi + request 4608Mi > max 14Gi"


def test_non_preemptible_units_must_fit_min_on_the_path() -> None:
    tree = seed_tree()
    unit = job("np", "video", gpu=3, preemptible=False)
    result = admit(tree, [unit], total=SEED_TOTAL)
    assert result.pending == (
        Pending(
            unit=unit,
            reason=Reason.EXCEEDS_MIN_NON_PREEMPTIBLE,
            detail="video: nvidia.com/gpu non-preemptible used 0 + request 3 > min 2",
        ),
    )
    within = job("np2", "video", gpu=2, preemptible=False)
    assert admit(tree, [within], total=SEED_TOTAL).admitted == (within,)


def test_units_within_min_go_before_borrowing_units_of_higher_priority() -> None:
    """The no-borrowing pass: the low-priority text unit (within text's min) is decided
    before the high-priority devops unit that borrows; both fit here."""
    tree = seed_tree()
    borrower = job("d", "devops", gpu=6, priority=9, created=1)
    guaranteed = job("t", "text1", gpu=2, priority=0, created=2)
    result = admit(tree, [borrower, guaranteed], total=SEED_TOTAL)
    assert result.admitted == (guaranteed, borrower)


def test_priority_then_non_preemptible_then_age_then_name() -> None:
    tree = seed_tree()
    units = [
        job("e", "video", gpu=1, priority=0, created=0),
        job("d", "video", gpu=1, priority=1, created=5),
        job("c", "video", gpu=1, priority=1, created=5, preemptible=False),
        job("b", "video", gpu=1, priority=1, created=4),
        job("a", "video", gpu=1, priority=1, created=5),
    ]
    result = admit(tree, units, total=SEED_TOTAL)
    assert [u.name for u in result.admitted] == ["c", "b", "a", "d"]
    assert [p.unit.name for p in result.pending] == ["e"]


def test_oversell_scales_max_exactly() -> None:
    tree = seed_tree()
    unit = ray_job("r", "video")
    half = admit(tree, [unit], total=SEED_TOTAL, oversell=Fraction(1, 2))
    assert half.pending[0].reason is Reason.REQUEST_EXCEEDS_MAX_EVER
    assert half.pending[0].detail == "video: nvidia.com/gpu request 3 > max 4 × oversell 1/2 = 2"
    assert admit(tree, [unit], total=SEED_TOTAL, oversell=Decimal("1.5")).admitted == (unit,)


def test_preempt_within_quota_takes_strictly_lower_priority_units() -> None:
    """Koordinator PostFilter: same quota, strictly lower priority, minimal set."""
    tree = seed_tree()
    running = [
        job("low-1", "video", gpu=2, priority=1, created=1),
        job("low-2", "video", gpu=1, priority=1, created=2),
        job("same", "video", gpu=1, priority=5, created=3),
    ]
    urgent = job("urgent", "video", gpu=2, priority=5, created=4)
    plain = admit(tree, [urgent], running=running, total=SEED_TOTAL)
    assert plain.pending[0].detail == "video: nvidia.com/gpu used 4 + request 2 > max 4"
    result = admit(tree, [urgent], running=running, total=SEED_TOTAL, preempt_within_quota=True)
    assert result.admitted == (urgent,)
    assert result.preempted == (
        Preemption(victim=running[0], preemptor=urgent, reason=PreemptionReason.WITHIN_QUOTA),
    )
    assert_admission_consistent(
        tree, SEED_TOTAL, [urgent], running, result, reclaim=Reclaim.TO_RUNTIME
    )


def test_every_node_is_in_usage_and_runtime() -> None:
    tree = seed_tree()
    result = admit(tree, [], total=SEED_TOTAL)
    names = ["algorithm", "devops", "infrastructure", "root", "test", "text", "video"]
    assert list(result.usage) == names
    assert list(result.runtime) == names
    assert all(amounts == Resources() for amounts in result.usage.values())


def _tiny() -> QuotaTree:
    return QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("a",))])


def _unit(name: str = "u", **kwargs: object) -> QueueUnit:
    fields: dict[str, object] = {
        "name": name,
        "namespace": "a",
        "request": Resources(),
        "created": 0,
    }
    fields.update(kwargs)
    return QueueUnit(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: admit(_tiny(), [], total={}, oversell=1.5),  # type: ignore[arg-type]
            "oversell: expected an int, Fraction or finite Decimal, got float 1.5",
        ),
        (
            lambda: admit(_tiny(), [], total={}, oversell=0),
            "oversell: must be greater than 0, got 0",
        ),
        (
            lambda: admit(_tiny(), [], total={}, oversell=True),
            "oversell: expected an int, Fraction or finite Decimal, got bool True",
        ),
        (
            lambda: admit(_tiny(), [], total={"cpu": -1}),
            "total['cpu']: must not be negative, got -1",
        ),
        (
            lambda: admit(_tiny(), [_unit(), _unit()], total={}),
            "pending[1]: duplicate unit 'a/u', also at pending[0]",
        ),
        (
            lambda: admit(_tiny(), [_unit()], running=[_unit()], total={}),
            "pending[0]: duplicate unit 'a/u', also at running[0]",
        ),
        (
            lambda: admit(_tiny(), [], running=[_unit(namespace="b")], total={}),
            "running[0].quota: namespace 'b' is not bound to any quota",
        ),
        (
            lambda: admit(_tiny(), ["u"], total={}),  # type: ignore[list-item]
            "pending[0]: expected a QueueUnit, got str 'u'",
        ),
        (
            lambda: admit(_tiny(), [], total={}, policy="Block"),  # type: ignore[arg-type]
            "policy: expected one of QueuePolicy.PRIORITY, QueuePolicy.BLOCK, got 'Block'",
        ),
        (lambda: _unit(priority=True), "QueueUnit.priority: expected an int, got bool True"),
        (
            lambda: _unit(created=float("nan")),
            "QueueUnit.created: must be a finite number, got nan",
        ),
        (
            lambda: _unit(created="now"),
            "QueueUnit.created: expected int or float seconds, got str 'now'",
        ),
        (
            lambda: _unit(request=Resources({"cpu": -1})),
            "QueueUnit.request.cpu: must be ≥ 0, got -1",
        ),
        (
            lambda: _unit(request={"cpu": 1}),
            "QueueUnit.request: expected Resources, got dict {'cpu': 1}",
        ),
        (lambda: _unit(name=""), "QueueUnit.name: expected a non-empty string, got ''"),
        (
            lambda: _unit(namespace="Team_A"),
            "QueueUnit.namespace: must be a DNS-1123 label (at most 63 lower-case letters, "
            "digits or '-', starting and ending with a letter or digit), got 'Team_A'",
        ),
        (
            lambda: _unit(priority=2**31),
            "QueueUnit.priority: must be an int32 as Kubernetes' PriorityClass value, "
            "got 2147483648",
        ),
        (
            lambda: _unit(created=10**5000),
            "QueueUnit.created: must be below 10^100 in magnitude, got an int of about 5001 digits",
        ),
        (
            lambda: admit(_tiny(), "u", total={}),  # type: ignore[arg-type]
            "pending: expected a sequence of QueueUnit, got str 'u'",
        ),
    ],
)
def test_bad_input_raises_invalid_request(call: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message
