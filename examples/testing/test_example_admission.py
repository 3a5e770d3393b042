"""Property tests of a third-party admission function, checked by invsched's oracle."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invsched.admission import AdmissionResult, Pending, QueueUnit, Reason
from invsched.quota import QuotaNode, QuotaTree, runtime_quota
from invsched.resources import Resources
from invsched.testing import check_admission, queue_units, quota_trees, resources

Case = tuple[QuotaTree, Resources, tuple[QueueUnit, ...]]


def leaf_of(tree: QuotaTree, unit: QueueUnit) -> str | None:
    """The unit's quota (``quota``, else the quota holding its namespace) if it is a leaf."""
    name = unit.quota if unit.quota is not None else tree.quota_for_namespace(unit.namespace)
    if name is None or name not in tree or tree.node(name).children:
        return None
    return name


def first_fit(
    tree: QuotaTree, pending: Sequence[QueueUnit], *, total: Resources, whole_path: bool
) -> AdmissionResult:
    """Admit, in queue order, every unit that fits; no preemption.

    With ``whole_path=False`` only the leaf's max is checked: that is the bug.
    """
    demand: dict[str, Resources] = {}
    for unit in pending:
        leaf = leaf_of(tree, unit)
        if leaf is not None:
            demand[leaf] = demand.get(leaf, Resources()) + unit.request
    runtime = runtime_quota(tree, demand, total)
    used = {node.name: Resources() for node in tree}
    guaranteed = {node.name: Resources() for node in tree}  # non-preemptible usage
    admitted: list[QueueUnit] = []
    waiting: list[Pending] = []
    for unit in pending:
        leaf = leaf_of(tree, unit)
        if leaf is None:
            waiting.append(Pending(unit=unit, reason=Reason.NO_QUOTA, detail="no leaf quota"))
            continue
        path = tree.path(leaf)
        request = unit.request
        if not all(request.fits_in(tree.node(n).max, missing_is_unlimited=True) for n in path):
            reason, detail = Reason.REQUEST_EXCEEDS_MAX_EVER, "request above a max"
        elif not all(
            (used[n] + request).fits_in(tree.node(n).max, missing_is_unlimited=True)
            for n in (path if whole_path else (leaf,))
        ):
            reason, detail = Reason.EXCEEDS_MAX, "max reached"
        elif whole_path and not (used[tree.root.name] + request).fits_in(total):
            reason, detail = Reason.INSUFFICIENT_CAPACITY, "cluster full"
        elif (
            whole_path
            and unit.preemptible
            and any(
                used[leaf][key] + amount > runtime[leaf][key]
                for key, amount in request.items()
                if amount > 0 and key in tree.node(leaf).max
            )
        ):
            reason, detail = Reason.EXCEEDS_RUNTIME, "runtime reached"
        elif (
            whole_path
            and not unit.preemptible
            and not all((guaranteed[n] + request).fits_in(tree.node(n).min) for n in path)
        ):
            reason, detail = Reason.EXCEEDS_MIN_NON_PREEMPTIBLE, "min reached"
        else:
            admitted.append(unit)
            for name in path:
                used[name] += request
                if not unit.preemptible:
                    guaranteed[name] += request
            continue
        waiting.append(Pending(unit=unit, reason=reason, detail=detail))
    return AdmissionResult(
        admitted=admitted,
        preempted=(),
        pending=waiting,
        usage={name: amount.without_zeros() for name, amount in used.items()},
        runtime=runtime,
    )


def my_admit(tree: QuotaTree, pending: Sequence[QueueUnit], *, total: Resources) -> AdmissionResult:
    """A naive first fit that respects max on the leaf only."""
    return first_fit(tree, pending, total=total, whole_path=False)


def my_admit_fixed(
    tree: QuotaTree, pending: Sequence[QueueUnit], *, total: Resources
) -> AdmissionResult:
    """The first fit with every limit: max on the path, runtime or min, the cluster total."""
    return first_fit(tree, pending, total=total, whole_path=True)


@st.composite
def admission_cases(draw: st.DrawFn) -> Case:
    """A quota tree, a cluster total and a queue, all valid by construction."""
    tree = draw(quota_trees(max_nodes=6, max_depth=2))
    total = draw(resources(max_amount=20_000))
    pending = draw(queue_units(tree, max_units=6))
    return tree, total, pending


@settings(max_examples=100, deadline=None)
@given(admission_cases())
def test_my_admit_fixed_keeps_every_invariant(case: Case) -> None:
    tree, total, pending = case
    result = my_admit_fixed(tree, pending, total=total)
    assert check_admission(tree, total, pending, (), result) == ()


@pytest.mark.xfail(
    raises=AssertionError, strict=True, reason="my_admit checks max on the leaf only"
)
@settings(max_examples=100, deadline=None)
@given(admission_cases())
def test_my_admit_keeps_every_invariant(case: Case) -> None:
    tree, total, pending = case
    result = my_admit(tree, pending, total=total)
    assert check_admission(tree, total, pending, (), result) == ()


def test_check_admission_names_what_my_admit_breaks() -> None:
    # The team's max (8 cpu) is looser than its parent's (4 cpu), as Koordinator allows.
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", max=Resources.parse({"cpu": 4}), children=("team",)),
            QuotaNode(
                name="team", max=Resources.parse({"cpu": 8}), parent="root", namespaces=("ml",)
            ),
        ]
    )
    total = Resources.parse({"cpu": 10})
    pending = tuple(
        QueueUnit(
            name=f"job-{index}", namespace="ml", request=Resources.parse({"cpu": 3}), created=index
        )
        for index in range(2)
    )
    naive = my_admit(tree, pending, total=total)
    assert check_admission(tree, total, pending, (), naive) == (
        "admitted ml/job-1 breaks max of root on cpu, runtime of team on cpu",
        "usage of root on cpu ends above max after admissions",
    )
    fixed = my_admit_fixed(tree, pending, total=total)
    assert check_admission(tree, total, pending, (), fixed) == ()
    assert [unit.name for unit in fixed.admitted] == ["job-0"]
    assert [(item.unit.name, item.reason) for item in fixed.pending] == [
        ("job-1", Reason.EXCEEDS_MAX)
    ]
