"""The invariants of an :class:`~invsched.admission.AdmissionResult`, one check function each.

The checks come in stages, and a stage runs only when the ones before it found nothing:
the later stages index the answer by the facts the earlier ones vouch for (a usage map
over the tree's nodes, units with a leaf quota, victims that are running units).

1. :data:`SHAPE_CHECKS`: ``usage`` and ``runtime`` cover the tree;
2. :data:`DECISION_CHECKS`: each pending unit decided once, with a reason that holds on
   the inputs alone;
3. :data:`INPUT_CHECKS`: ``runtime`` and the victims, against the inputs;
4. :data:`REPLAY_CHECKS`: the decisions replayed in order
   (:func:`~invsched.testing._admission_replay.replay`).
"""

from __future__ import annotations

from collections.abc import Callable

from invsched.admission import PreemptionReason, QueueUnit, Reason
from invsched.quota import runtime_quota
from invsched.resources import Resources
from invsched.testing._admission_replay import (
    FIRST_BROKEN,
    AdmissionCase,
    Trace,
    final_usage,
    leaf_of,
    limit,
)

__all__ = ["DECISION_CHECKS", "INPUT_CHECKS", "REPLAY_CHECKS", "SHAPE_CHECKS"]

Check = Callable[[AdmissionCase], list[str]]
ReplayCheck = Callable[[AdmissionCase, Trace], list[str]]


# 1. Shape ------------------------------------------------------------------------------------


def _check_usage_covers_tree(case: AdmissionCase) -> list[str]:
    """``usage`` has exactly the nodes of the tree."""
    if sorted(case.result.usage) != sorted(case.names):
        return ["usage does not cover exactly the nodes of the tree"]
    return []


def _check_runtime_covers_tree(case: AdmissionCase) -> list[str]:
    """``runtime`` has exactly the nodes of the tree."""
    if sorted(case.result.runtime) != sorted(case.names):
        return ["runtime does not cover exactly the nodes of the tree"]
    return []


# 2. Decisions on the inputs alone -------------------------------------------------------------


def _check_every_unit_decided_once(case: AdmissionCase) -> list[str]:
    """Every pending unit is in ``admitted`` or ``pending`` exactly once; nothing else is."""
    expected = {unit.identity: unit for unit in case.pending}
    result = case.result
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for unit in (*result.admitted, *(item.unit for item in result.pending)):
        seen[unit.identity] = seen.get(unit.identity, 0) + 1
        if expected.get(unit.identity) != unit:
            problems.append(f"{unit.key} is in the result but not among the pending units")
    problems.extend(
        f"{unit.key} appears {seen.get(key, 0)} times in admitted + pending"
        for key, unit in expected.items()
        if seen.get(key, 0) != 1
    )
    return problems


def _check_pending_details(case: AdmissionCase) -> list[str]:
    """Every pending unit has a non-empty detail."""
    return [
        f"{item.unit.key} is pending without a detail"
        for item in case.result.pending
        if not item.detail
    ]


def _check_no_quota_reason(case: AdmissionCase) -> list[str]:
    """``NO_QUOTA`` exactly for the pending units without a leaf quota."""
    problems: list[str] = []
    for item in case.result.pending:
        leaf = leaf_of(case.tree, item.unit)
        if (leaf is None) != (item.reason is Reason.NO_QUOTA):
            problems.append(
                f"{item.unit.key}: reason {item.reason.name} but leaf quota is {leaf!r}"
            )
    return problems


def _never_fits(case: AdmissionCase, unit: QueueUnit, leaf: str) -> bool:
    """Whether the request alone exceeds max × oversell somewhere on the leaf's path."""
    tree = case.tree
    return any(
        amount > 0
        and key in tree.node(name).max
        and amount > limit(tree.node(name).max[key], case.oversell)
        for name in tree.path(leaf)
        for key, amount in unit.request.items()
    )


def _check_never_fits_reason(case: AdmissionCase) -> list[str]:
    """``REQUEST_EXCEEDS_MAX_EVER`` exactly when the request alone exceeds max × oversell
    on the path (for pending units with a leaf quota)."""
    problems: list[str] = []
    for item in case.result.pending:
        leaf = leaf_of(case.tree, item.unit)
        if leaf is None:
            continue
        never = _never_fits(case, item.unit, leaf)
        if never != (item.reason is Reason.REQUEST_EXCEEDS_MAX_EVER):
            problems.append(f"{item.unit.key}: reason {item.reason.name} but never-fits is {never}")
    return problems


def _check_admitted_have_leaf(case: AdmissionCase) -> list[str]:
    """Every admitted unit has a leaf quota."""
    return [
        f"{unit.key} is admitted without a leaf quota"
        for unit in case.result.admitted
        if leaf_of(case.tree, unit) is None
    ]


# 3. Runtime and victims against the inputs ---------------------------------------------------


def _check_runtime_is_runtime_quota(case: AdmissionCase) -> list[str]:
    """``runtime`` equals ``runtime_quota`` over demand = running + pending (the documented
    contract of the cycle's runtime, computed by the public function that defines it)."""
    demand: dict[str, Resources] = {}
    for unit in (*case.running, *case.pending):
        leaf = leaf_of(case.tree, unit)
        if leaf is not None:
            demand[leaf] = demand.get(leaf, Resources()) + unit.request
    if dict(case.result.runtime) != runtime_quota(case.tree, demand, case.total):
        return ["runtime differs from runtime_quota over demand = running + pending"]
    return []


def _check_victims_are_running(case: AdmissionCase) -> list[str]:
    """Every victim is one of the running units, as given."""
    running = {unit.identity: unit for unit in case.running}
    return [
        f"victim {item.victim.key} is not a running unit"
        for item in case.result.preempted
        if running.get(item.victim.identity) != item.victim
    ]


def _check_victims_distinct(case: AdmissionCase) -> list[str]:
    """No unit is preempted twice."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in case.result.preempted:
        if item.victim.identity in seen:
            problems.append(f"victim {item.victim.key} is preempted twice")
        seen.add(item.victim.identity)
    return problems


def _check_victims_preemptible(case: AdmissionCase) -> list[str]:
    """Every victim is preemptible."""
    return [
        f"victim {item.victim.key} is not preemptible"
        for item in case.result.preempted
        if not item.victim.preemptible
    ]


def _check_victims_have_preemptor(case: AdmissionCase) -> list[str]:
    """Every victim is preempted for a unit that this answer admits."""
    admitted = {unit.identity for unit in case.result.admitted}
    return [
        f"victim {item.victim.key} has no admitted preemptor"
        for item in case.result.preempted
        if item.preemptor is None or item.preemptor.identity not in admitted
    ]


# 4. The replay -------------------------------------------------------------------------------


def _check_victim_reasons(case: AdmissionCase, trace: Trace) -> list[str]:
    """A ``WITHIN_QUOTA`` victim is a strictly lower-priority unit of the preemptor's leaf; a
    ``RECLAIM`` victim is from another leaf that, just before, used more than its runtime on
    a resource the preemptor requests; ``admit`` gives no other reason."""
    problems: list[str] = []
    for fact in trace.victims:
        victim, reason = fact.preemption.victim, fact.preemption.reason
        if fact.leaf is None:
            # Defensive: admit refuses running units without a leaf quota.
            problems.append(f"victim {victim.key} has no leaf quota")
        elif reason is PreemptionReason.WITHIN_QUOTA:
            if fact.leaf != fact.own_leaf or victim.priority >= fact.preemptor.priority:
                problems.append(
                    f"victim {victim.key} is not a lower-priority unit of {fact.own_leaf}"
                )
        elif reason is not PreemptionReason.RECLAIM:
            problems.append(f"victim {victim.key} has reason {reason.name} inside admit")
        elif fact.leaf == fact.own_leaf:
            problems.append(f"reclaim victim {victim.key} is in the preemptor's own quota")
        elif not fact.over:
            problems.append(
                f"reclaim victim {victim.key} is from {fact.leaf}, not above its runtime"
            )
    return problems


def _check_admitted_fit(case: AdmissionCase, trace: Trace) -> list[str]:
    """After its victims leave, each admitted unit fits max × oversell on its path, its
    runtime (min when non-preemptible) and the cluster total."""
    return [
        f"admitted {unit.key} breaks " + ", ".join(broken) for unit, broken in trace.fits if broken
    ]


def _check_victims_minimal(case: AdmissionCase, trace: Trace) -> list[str]:
    """Putting any one victim back breaks its preemptor's fit."""
    return [
        f"victim {victim.key} of {unit.key} is not needed"
        for victim, unit, needed in trace.needed
        if not needed
    ]


def _check_pending_units_blocked(case: AdmissionCase, trace: Trace) -> list[str]:
    """(With ``reclaim``) a unit left pending breaks some limit when its turn comes."""
    return [
        f"{fact.unit.key} is pending ({fact.item.reason.name}) but fits when it is decided"
        for fact in trace.waiting
        if not fact.broken
    ]


def _check_pending_reason_names_first_limit(case: AdmissionCase, trace: Trace) -> list[str]:
    """(With ``reclaim``) a pending unit's reason names the first kind of limit it breaks:
    max on the path, then runtime (min when non-preemptible), then the total."""
    return [
        f"{fact.unit.key}: reason {fact.item.reason.name} but the first limit it breaks is "
        f"{fact.first}"
        for fact in trace.waiting
        if fact.broken and fact.item.reason is not FIRST_BROKEN[fact.first]
    ]


def _check_reclaim_would_not_admit(case: AdmissionCase, trace: Trace) -> list[str]:
    """(With ``reclaim`` other than ``NONE``) a unit left pending on an ancestor's max or the
    total is one that taking back all the quotas above their runtime lend could not admit."""
    return [
        f"{fact.unit.key} is pending ({fact.item.reason.name}) but taking back what quotas "
        "above their runtime borrow would admit it"
        for fact in trace.waiting
        if fact.reclaim_admits
    ]


def _check_admission_order(case: AdmissionCase, trace: Trace) -> list[str]:
    """(With ``reclaim``) the admitted units come in the documented order of consideration."""
    if list(trace.decided) != list(case.result.admitted):
        return [
            "admitted units are not in the documented order of consideration: "
            f"{[u.key for u in case.result.admitted]} instead of {[u.key for u in trace.decided]}"
        ]
    return []


def _check_usage_matches_replay(case: AdmissionCase, trace: Trace) -> list[str]:
    """``usage`` of every node equals the replayed usage."""
    problems: list[str] = []
    for name in case.names:
        final = final_usage(trace, name)
        if final != case.result.usage[name]:
            problems.append(f"usage of {name} is {case.result.usage[name]}, replay gives {final}")
    return problems


def _check_usage_within_max(case: AdmissionCase, trace: Trace) -> list[str]:
    """After the admissions, no node uses more than max × oversell of a resource that an
    admitted unit under it requests."""
    problems: list[str] = []
    for name in case.names:
        node, final = case.tree.node(name), final_usage(trace, name)
        problems.extend(
            f"usage of {name} on {key} ends above max after admissions"
            for key in sorted(trace.requested[name])
            if key in node.max and final[key] > limit(node.max[key], case.oversell)
        )
    return problems


def _check_usage_within_total(case: AdmissionCase, trace: Trace) -> list[str]:
    """After the admissions, the cluster uses no more than the total of a resource that an
    admitted unit requests."""
    root = case.tree.root.name
    return [
        f"cluster usage on {key} ends above the total after admissions"
        for key in sorted(trace.requested[root])
        if trace.usage[root].get(key, 0) > case.total.get(key, 0)
    ]


SHAPE_CHECKS: tuple[Check, ...] = (_check_usage_covers_tree, _check_runtime_covers_tree)
DECISION_CHECKS: tuple[Check, ...] = (
    _check_every_unit_decided_once,
    _check_pending_details,
    _check_no_quota_reason,
    _check_never_fits_reason,
    _check_admitted_have_leaf,
)
INPUT_CHECKS: tuple[Check, ...] = (
    _check_runtime_is_runtime_quota,
    _check_victims_are_running,
    _check_victims_distinct,
    _check_victims_preemptible,
    _check_victims_have_preemptor,
)
REPLAY_CHECKS: tuple[ReplayCheck, ...] = (
    _check_victim_reasons,
    _check_admitted_fit,
    _check_victims_minimal,
    _check_pending_units_blocked,
    _check_pending_reason_names_first_limit,
    _check_reclaim_would_not_admit,
    _check_admission_order,
    _check_usage_matches_replay,
    _check_usage_within_max,
    _check_usage_within_total,
)
