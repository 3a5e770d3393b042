"""Each check of the admission oracle catches the one invariant it guards.

Every row starts from a correct answer of ``admit`` (which the oracle accepts), breaks
exactly the invariant its check guards with ``attrs.evolve``, and states the check's own
exact problems and everything the whole oracle then reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

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
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.testing import check_admission
from invsched.testing._admission_checks import (
    DECISION_CHECKS,
    INPUT_CHECKS,
    REPLAY_CHECKS,
    SHAPE_CHECKS,
)
from invsched.testing._admission_replay import AdmissionCase, replay
from tests.testing.test_oracles import FIRST, PENDING, SECOND, TREE, UNLIMITED, cpu


@attrs.frozen(kw_only=True)
class Broken:
    """A broken answer with the inputs it answers."""

    result: AdmissionResult
    tree: QuotaTree = TREE
    total: Mapping[str, int] = cpu(10)
    pending: tuple[QueueUnit, ...] = PENDING
    running: tuple[QueueUnit, ...] = ()
    reclaim: Reclaim | None = None


def _base() -> AdmissionResult:
    """``a`` admitted, ``b`` pending on the root's max (4 cpu)."""
    return admit(TREE, PENDING, total=cpu(10))


#: Leaf ``other`` borrows the whole cluster (4 cpus) in 1-cpu units; leaf ``cluster``
#: asks for its min of 2: the documented reclaim takes two units back.
RECLAIM_TREE = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", min=cpu(4), max=cpu(8), children=("cluster", "other")),
        QuotaNode(name="cluster", parent="root", min=cpu(2), max=cpu(8), namespaces=("x",)),
        QuotaNode(name="other", parent="root", min=cpu(2), max=cpu(8), namespaces=("o",)),
    ]
)
BORROWERS = tuple(
    QueueUnit(name=f"o{i}", namespace="o", request=cpu(1), created=i) for i in range(4)
)
CLAIMANT = QueueUnit(name="x", namespace="x", request=cpu(2), created=9)


def _reclaimed() -> AdmissionResult:
    """``x`` admitted, reclaiming two of ``other``'s units."""
    result = admit(RECLAIM_TREE, (CLAIMANT,), running=BORROWERS, total=cpu(4))
    assert [item.reason for item in result.preempted] == [PreemptionReason.RECLAIM] * 2
    return result


def _reclaim_case(result: AdmissionResult) -> Broken:
    return Broken(
        result=result, tree=RECLAIM_TREE, total=cpu(4), pending=(CLAIMANT,), running=BORROWERS
    )


def usage_covers_tree() -> Broken:
    return Broken(result=attrs.evolve(_base(), usage={"root": cpu(3)}))


def runtime_covers_tree() -> Broken:
    return Broken(result=attrs.evolve(_base(), runtime={"root": cpu(4)}))


def every_unit_decided_once() -> Broken:
    return Broken(result=attrs.evolve(_base(), pending=()))


def _pending_item(*, reason: Reason | None = None, detail: str | None = None) -> Broken:
    """The base answer with ``b``'s reason or detail replaced."""
    base = _base()
    (item,) = base.pending
    changed = attrs.evolve(item, reason=reason or item.reason, detail=item.detail)
    if detail is not None:
        changed = attrs.evolve(changed, detail=detail)
    return Broken(result=attrs.evolve(base, pending=(changed,)))


def pending_details() -> Broken:
    return _pending_item(detail="")


def no_quota_reason() -> Broken:
    return _pending_item(reason=Reason.NO_QUOTA)


def never_fits_reason() -> Broken:
    return _pending_item(reason=Reason.REQUEST_EXCEEDS_MAX_EVER)


STRAY = QueueUnit(name="s", namespace="nowhere", request=cpu(1), created=2)


def admitted_have_leaf() -> Broken:
    pending = (*PENDING, STRAY)
    result = admit(TREE, pending, total=cpu(10))
    assert [item.reason for item in result.pending] == [Reason.EXCEEDS_MAX, Reason.NO_QUOTA]
    return Broken(
        result=attrs.evolve(result, admitted=(*result.admitted, STRAY), pending=result.pending[:1]),
        pending=pending,
    )


def runtime_is_runtime_quota() -> Broken:
    return Broken(result=attrs.evolve(_base(), runtime={"root": cpu(4), "team": cpu(8)}))


def victims_are_running() -> Broken:
    ghost = QueueUnit(name="ghost", namespace="ml", request=cpu(1), created=0)
    preemption = Preemption(victim=ghost, preemptor=FIRST, reason=PreemptionReason.WITHIN_QUOTA)
    return Broken(result=attrs.evolve(_base(), preempted=(preemption,)))


def victims_distinct() -> Broken:
    result = _reclaimed()
    return _reclaim_case(attrs.evolve(result, preempted=(*result.preempted, result.preempted[0])))


def victims_preemptible() -> Broken:
    held = QueueUnit(name="r", namespace="ml", request=cpu(1), created=-1, preemptible=False)
    result = admit(TREE, PENDING, running=(held,), total=cpu(10))
    assert [unit.name for unit in result.admitted] == ["a"]
    preemption = Preemption(victim=held, preemptor=FIRST, reason=PreemptionReason.WITHIN_QUOTA)
    return Broken(
        result=attrs.evolve(result, preempted=(preemption,)),
        running=(held,),
    )


def victims_have_preemptor() -> Broken:
    result = _reclaimed()
    first, second = result.preempted
    return _reclaim_case(
        attrs.evolve(result, preempted=(first, attrs.evolve(second, preemptor=None)))
    )


def victim_reasons() -> Broken:
    result = _reclaimed()
    first, second = result.preempted
    within = attrs.evolve(second, reason=PreemptionReason.WITHIN_QUOTA)
    return _reclaim_case(attrs.evolve(result, preempted=(first, within)))


def _both_admitted(tree: QuotaTree, total: Resources) -> Broken:
    result = admit(tree, PENDING, total=total)
    return Broken(
        result=attrs.evolve(
            result, admitted=PENDING, pending=(), usage={"root": cpu(6), "team": cpu(6)}
        ),
        tree=tree,
        total=total,
    )


def admitted_fit() -> Broken:
    return _both_admitted(TREE, cpu(10))


def victims_minimal() -> Broken:
    result = _reclaimed()
    taken = {item.victim.identity for item in result.preempted}
    spare = next(unit for unit in BORROWERS if unit.identity not in taken)
    extra = Preemption(victim=spare, preemptor=CLAIMANT, reason=PreemptionReason.RECLAIM)
    usage = {name: Resources(amount) for name, amount in result.usage.items()}
    usage["root"] -= cpu(1)
    usage["other"] -= cpu(1)
    return _reclaim_case(attrs.evolve(result, preempted=(*result.preempted, extra), usage=usage))


def pending_units_blocked() -> Broken:
    roomy = admit(UNLIMITED, PENDING, total=cpu(10))
    kept_out = attrs.evolve(
        roomy,
        admitted=(FIRST,),
        pending=(Pending(unit=SECOND, reason=Reason.INSUFFICIENT_CAPACITY, detail="full"),),
        usage={"root": cpu(3), "team": cpu(3)},
    )
    return Broken(result=kept_out, tree=UNLIMITED, reclaim=Reclaim.NONE)


def pending_reason_names_first_limit() -> Broken:
    return attrs.evolve(_pending_item(reason=Reason.EXCEEDS_RUNTIME), reclaim=Reclaim.NONE)


def reclaim_would_not_admit() -> Broken:
    result = _reclaimed()
    waiting = Pending(
        unit=CLAIMANT,
        reason=Reason.INSUFFICIENT_CAPACITY,
        detail="cluster: cpu used 4 + request 2 > total 4",
    )
    nothing = attrs.evolve(
        result,
        admitted=(),
        preempted=(),
        pending=(waiting,),
        usage={"root": cpu(4), "cluster": Resources(), "other": cpu(4)},
    )
    return attrs.evolve(_reclaim_case(nothing), reclaim=Reclaim.TO_RUNTIME)


def admission_order() -> Broken:
    roomy = admit(UNLIMITED, PENDING, total=cpu(10))
    swapped = attrs.evolve(roomy, admitted=(SECOND, FIRST))
    return Broken(result=swapped, tree=UNLIMITED, reclaim=Reclaim.NONE)


def usage_matches_replay() -> Broken:
    return Broken(result=attrs.evolve(_base(), usage={"root": cpu(3), "team": cpu(2)}))


def usage_within_total() -> Broken:
    return _both_admitted(UNLIMITED, cpu(4))


_ROOT_MAX = "admitted ml/b breaks max of root on cpu, runtime of team on cpu"
_ABOVE_MAX = "usage of root on cpu ends above max after admissions"
_TOTAL = "admitted ml/b breaks total on cpu"
_ABOVE_TOTAL = "cluster usage on cpu ends above the total after admissions"

#: check → (how to break it, the check's own problems, everything the oracle reports when
#: other checks fire too, else None: the oracle reports the check's problems alone).
TABLE: list[tuple[str, Callable[[], Broken], tuple[str, ...], tuple[str, ...] | None]] = [
    (
        "_check_usage_covers_tree",
        usage_covers_tree,
        ("usage does not cover exactly the nodes of the tree",),
        None,
    ),
    (
        "_check_runtime_covers_tree",
        runtime_covers_tree,
        ("runtime does not cover exactly the nodes of the tree",),
        None,
    ),
    (
        "_check_every_unit_decided_once",
        every_unit_decided_once,
        ("ml/b appears 0 times in admitted + pending",),
        None,
    ),
    ("_check_pending_details", pending_details, ("ml/b is pending without a detail",), None),
    (
        "_check_no_quota_reason",
        no_quota_reason,
        ("ml/b: reason NO_QUOTA but leaf quota is 'team'",),
        None,
    ),
    (
        "_check_never_fits_reason",
        never_fits_reason,
        ("ml/b: reason REQUEST_EXCEEDS_MAX_EVER but never-fits is False",),
        None,
    ),
    (
        "_check_admitted_have_leaf",
        admitted_have_leaf,
        ("nowhere/s is admitted without a leaf quota",),
        None,
    ),
    (
        "_check_runtime_is_runtime_quota",
        runtime_is_runtime_quota,
        ("runtime differs from runtime_quota over demand = running + pending",),
        None,
    ),
    (
        "_check_victims_are_running",
        victims_are_running,
        ("victim ml/ghost is not a running unit",),
        None,
    ),
    ("_check_victims_distinct", victims_distinct, ("victim o/o2 is preempted twice",), None),
    (
        "_check_victims_preemptible",
        victims_preemptible,
        ("victim ml/r is not preemptible",),
        None,
    ),
    (
        "_check_victims_have_preemptor",
        victims_have_preemptor,
        ("victim o/o3 has no admitted preemptor",),
        None,
    ),
    (
        "_check_victim_reasons",
        victim_reasons,
        ("victim o/o3 is not a lower-priority unit of cluster",),
        None,
    ),
    ("_check_admitted_fit", admitted_fit, (_ROOT_MAX,), (_ROOT_MAX, _ABOVE_MAX)),
    (
        "_check_victims_minimal",
        victims_minimal,
        # Any two of the three free enough room, so each one alone can go back.
        (
            "victim o/o2 of x/x is not needed",
            "victim o/o3 of x/x is not needed",
            "victim o/o0 of x/x is not needed",
        ),
        None,
    ),
    (
        "_check_pending_units_blocked",
        pending_units_blocked,
        ("ml/b is pending (INSUFFICIENT_CAPACITY) but fits when it is decided",),
        None,
    ),
    (
        "_check_pending_reason_names_first_limit",
        pending_reason_names_first_limit,
        ("ml/b: reason EXCEEDS_RUNTIME but the first limit it breaks is max",),
        None,
    ),
    (
        "_check_reclaim_would_not_admit",
        reclaim_would_not_admit,
        (
            "x/x is pending (INSUFFICIENT_CAPACITY) but taking back what quotas above their "
            "runtime borrow would admit it",
        ),
        None,
    ),
    (
        "_check_admission_order",
        admission_order,
        (
            "admitted units are not in the documented order of consideration: "
            "['ml/b', 'ml/a'] instead of ['ml/a', 'ml/b']",
        ),
        None,
    ),
    (
        "_check_usage_matches_replay",
        usage_matches_replay,
        ("usage of team is cpu=2, replay gives cpu=3",),
        None,
    ),
    # A unit that fits when admitted never takes usage above a limit, so the end-of-cycle
    # checks always fire together with _check_admitted_fit.
    ("_check_usage_within_max", admitted_fit, (_ABOVE_MAX,), (_ROOT_MAX, _ABOVE_MAX)),
    ("_check_usage_within_total", usage_within_total, (_ABOVE_TOTAL,), (_TOTAL, _ABOVE_TOTAL)),
]

STAGE_CHECKS = {check.__name__: check for check in (*SHAPE_CHECKS, *DECISION_CHECKS, *INPUT_CHECKS)}
TRACE_CHECKS = {check.__name__: check for check in REPLAY_CHECKS}


def test_every_check_has_a_breaking_case() -> None:
    assert sorted({name for name, *_ in TABLE}) == sorted({*STAGE_CHECKS, *TRACE_CHECKS})


def _own(name: str, broken: Broken) -> tuple[str, ...]:
    case = AdmissionCase(
        tree=broken.tree,
        total=broken.total,
        pending=broken.pending,
        running=broken.running,
        result=broken.result,
        oversell=Fraction(1),
        reclaim=broken.reclaim,
    )
    if name in STAGE_CHECKS:
        return tuple(STAGE_CHECKS[name](case))
    return tuple(TRACE_CHECKS[name](case, replay(case)))


@pytest.mark.parametrize(
    ("name", "build", "own", "everything"), TABLE, ids=[name for name, *_ in TABLE]
)
def test_the_check_catches_exactly_its_broken_invariant(
    name: str,
    build: Callable[[], Broken],
    own: tuple[str, ...],
    everything: tuple[str, ...] | None,
) -> None:
    broken = build()
    assert _own(name, broken) == own
    reported = check_admission(
        broken.tree,
        broken.total,
        broken.pending,
        broken.running,
        broken.result,
        reclaim=broken.reclaim,
    )
    assert reported == (own if everything is None else everything)


def test_the_unbroken_answers_are_consistent() -> None:
    for reclaim in (None, Reclaim.TO_RUNTIME):
        assert check_admission(TREE, cpu(10), PENDING, (), _base(), reclaim=reclaim) == ()
        reclaimed = attrs.evolve(_reclaim_case(_reclaimed()), reclaim=reclaim)
        assert (
            check_admission(
                RECLAIM_TREE, cpu(4), (CLAIMANT,), BORROWERS, reclaimed.result, reclaim=reclaim
            )
            == ()
        )
