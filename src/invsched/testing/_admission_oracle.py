"""The admission oracle: every invariant an admission cycle's answer must keep.

:func:`check_admission` re-derives, from the inputs and the result alone, every invariant an
:class:`~invsched.admission.AdmissionResult` must satisfy, by **replaying** the decisions in
their order: victims leave, the admitted unit must then fit every limit, and putting any one
of its victims back must break that fit. It shares no code with the cycle it checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from invsched.admission.units import (
    AdmissionResult,
    Pending,
    Preemption,
    PreemptionReason,
    QueueUnit,
    Reason,
    Reclaim,
    order_key,
)
from invsched.quota.runtime import runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["assert_admission_consistent", "check_admission"]

_Usage = dict[str, dict[str, int]]


def _leaf(tree: QuotaTree, unit: QueueUnit) -> str | None:
    name = unit.quota if unit.quota is not None else tree.quota_for_namespace(unit.namespace)
    if name is None or name not in tree or tree.node(name).children:
        return None
    return name


def _limit(amount: int, oversell: Fraction) -> int:
    return amount * oversell.numerator // oversell.denominator


class _Replay:
    """Usage per node, replayed decision by decision."""

    def __init__(
        self,
        tree: QuotaTree,
        total: Mapping[str, int],
        runtime: Mapping[str, Resources],
        oversell: Fraction,
    ) -> None:
        self.tree = tree
        self.total = total
        self.runtime = runtime
        self.oversell = oversell
        self.usage: _Usage = {node.name: {} for node in tree.nodes}
        self.np_usage: _Usage = {node.name: {} for node in tree.nodes}

    def move(self, unit: QueueUnit, sign: int) -> None:
        leaf = _leaf(self.tree, unit)
        assert leaf is not None
        for name in self.tree.path(leaf):
            for key, amount in unit.request.items():
                self.usage[name][key] = self.usage[name].get(key, 0) + sign * amount
                if not unit.preemptible:
                    self.np_usage[name][key] = self.np_usage[name].get(key, 0) + sign * amount

    def violations(self, unit: QueueUnit) -> list[str]:
        """Every limit ``unit`` would break if added now."""
        return [
            f"total on {key}" if kind == "total" else f"{kind} of {place} on {key}{extra}"
            for kind, place, key, extra in self.broken(unit)
        ]

    def broken(self, unit: QueueUnit) -> list[tuple[str, str, str, str]]:
        """Every limit ``unit`` would break if added now, as (kind, place, resource, note)
        with kind ``max``, ``runtime``, ``min`` or ``total``; ``place`` is a node's name, or
        ``""`` for the cluster total."""
        tree, usage = self.tree, self.usage
        leaf = _leaf(tree, unit)
        assert leaf is not None
        out: list[tuple[str, str, str, str]] = []
        for key, amount in unit.request.items():
            if amount <= 0:
                continue
            for name in tree.path(leaf):
                node = tree.node(name)
                if key in node.max and usage[name].get(key, 0) + amount > _limit(
                    node.max[key], self.oversell
                ):
                    out.append(("max", name, key, ""))
                if (
                    not unit.preemptible
                    and self.np_usage[name].get(key, 0) + amount > node.min[key]
                ):
                    out.append(("min", name, key, " (non-preemptible)"))
            if (
                unit.preemptible
                and key in tree.node(leaf).max
                and usage[leaf].get(key, 0) + amount > self.runtime[leaf][key]
            ):
                out.append(("runtime", leaf, key, ""))
            if usage[tree.root.name].get(key, 0) + amount > self.total.get(key, 0):
                out.append(("total", "", key, ""))
        return out

    def borrows(self, unit: QueueUnit) -> bool:
        """Whether admitting ``unit`` now takes its leaf beyond its min on a requested key."""
        leaf = _leaf(self.tree, unit)
        assert leaf is not None
        floor = self.tree.node(leaf).min
        return any(
            amount > 0 and self.usage[leaf].get(key, 0) + amount > floor[key]
            for key, amount in unit.request.items()
        )

    def over_runtime(self, leaf: str) -> set[str]:
        """The keys of ``leaf``'s max on which it uses more than its runtime."""
        node = self.tree.node(leaf)
        return {key for key in node.max if self.usage[leaf].get(key, 0) > self.runtime[leaf][key]}


def check_admission(
    tree: QuotaTree,
    total: Mapping[str, int],
    pending: Sequence[QueueUnit],
    running: Sequence[QueueUnit],
    result: AdmissionResult,
    *,
    oversell: int | Fraction | Decimal = 1,
    reclaim: Reclaim | None = None,
) -> tuple[str, ...]:
    """The invariants ``result`` breaks, as readable sentences (empty when consistent).

    Checked: every pending unit appears exactly once in ``admitted`` or ``pending`` and
    nothing else does; units without a leaf quota (and only they) are ``NO_QUOTA``;
    ``REQUEST_EXCEEDS_MAX_EVER`` exactly when the request alone exceeds max × oversell on the
    path; every detail is non-empty; victims are distinct preemptible running units, each
    preempted for an admitted unit; ``usage`` and ``runtime`` cover every node, and
    ``runtime`` equals ``runtime_quota`` over demand = running + pending. Then the decisions
    are replayed in order: a ``RECLAIM`` victim comes from another leaf that, just before, used
    more than its runtime on a resource the preemptor requests; a ``WITHIN_QUOTA`` victim is
    of the same leaf and strictly lower priority; after its victims leave, each admitted unit
    fits max × oversell on its path, its runtime (or min, non-preemptible) and the total;
    putting any one victim back breaks that fit; the replayed usage equals ``usage``.

    With ``reclaim`` given (the option :func:`~invsched.admission.admit` ran with), the
    answer is held to ``admit``'s whole contract, not only to the quota invariants. The
    replay then follows the documented order of consideration (units whose leaf stays
    within its min first, then the rest, each in queue order), so the admitted units must
    come in that order, and each pending unit is checked when its turn comes: it must break
    a limit then, its reason must name the first kind of limit broken (max on the path,
    then runtime — min for a non-preemptible unit —, then the total); and a unit left
    pending on an ancestor's max or the total must be one that taking back everything the
    quotas above their runtime lend could not admit.

    Runtime complexity: O((u + v²) · d · k) for u units, v victims per preemptor, depth d
    and k resource names.

    >>> from invsched.admission import admit
    >>> from invsched.quota import QuotaNode
    >>> cpu = Resources({"cpu": 4000})
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", max=cpu, namespaces=("a",))])
    >>> units = [QueueUnit(name="x", namespace="a", request=cpu, created=0)]
    >>> check_admission(tree, cpu, units, (), admit(tree, units, total=cpu))
    ()
    """
    rate = Fraction(oversell) if not isinstance(oversell, Fraction) else oversell
    problems: list[str] = []
    names = [node.name for node in tree.nodes]
    if sorted(result.usage) != sorted(names):
        problems.append("usage does not cover exactly the nodes of the tree")
    if sorted(result.runtime) != sorted(names):
        problems.append("runtime does not cover exactly the nodes of the tree")
        return tuple(problems)

    expected: dict[tuple[str, str], QueueUnit] = {unit.identity: unit for unit in pending}
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

    for item in result.pending:
        unit = item.unit
        if not item.detail:
            problems.append(f"{unit.key} is pending without a detail")
        leaf = _leaf(tree, unit)
        if (leaf is None) != (item.reason is Reason.NO_QUOTA):
            problems.append(f"{unit.key}: reason {item.reason.name} but leaf quota is {leaf!r}")
        if leaf is not None:
            never = any(
                amount > 0
                and key in tree.node(name).max
                and amount > _limit(tree.node(name).max[key], rate)
                for name in tree.path(leaf)
                for key, amount in unit.request.items()
            )
            if never != (item.reason is Reason.REQUEST_EXCEEDS_MAX_EVER):
                problems.append(f"{unit.key}: reason {item.reason.name} but never-fits is {never}")
    problems.extend(
        f"{unit.key} is admitted without a leaf quota"
        for unit in result.admitted
        if _leaf(tree, unit) is None
    )
    if problems:
        return tuple(problems)

    demand: dict[str, Resources] = {}
    for unit in (*running, *pending):
        leaf = _leaf(tree, unit)
        if leaf is not None:
            demand[leaf] = demand.get(leaf, Resources()) + unit.request
    if dict(result.runtime) != runtime_quota(tree, demand, total):
        problems.append("runtime differs from runtime_quota over demand = running + pending")

    running_by_key = {unit.identity: unit for unit in running}
    victims_of: dict[tuple[str, str], list[Preemption]] = {}
    victim_keys: set[tuple[str, str]] = set()
    admitted_keys = {unit.identity for unit in result.admitted}
    for preemption in result.preempted:
        victim = preemption.victim
        if running_by_key.get(victim.identity) != victim:
            problems.append(f"victim {victim.key} is not a running unit")
        elif victim.identity in victim_keys:
            problems.append(f"victim {victim.key} is preempted twice")
        elif not victim.preemptible:
            problems.append(f"victim {victim.key} is not preemptible")
        victim_keys.add(victim.identity)
        if preemption.preemptor is None or preemption.preemptor.identity not in admitted_keys:
            problems.append(f"victim {victim.key} has no admitted preemptor")
            continue
        victims_of.setdefault(preemption.preemptor.identity, []).append(preemption)
    if problems:
        return tuple(problems)

    replay = _Replay(tree, total, result.runtime, rate)
    for unit in running:
        replay.move(unit, 1)
    requested: dict[str, set[str]] = {name: set() for name in names}
    present = {unit.identity: unit for unit in running}
    # The leaves that may lend back: above their runtime when the cycle starts, for as long
    # as they stay above it.
    lenders = {leaf for leaf in names if tree.node(leaf).is_leaf and replay.over_runtime(leaf)}
    waiting = {item.unit.identity: item for item in result.pending}
    decided: list[QueueUnit] = []

    def decide(unit: QueueUnit) -> None:
        verdict = waiting.get(unit.identity)
        if verdict is not None:
            assert reclaim is not None  # pending units are looked at only then
            problems.extend(
                _reason_problems(
                    replay, unit, verdict, reclaim=reclaim, present=present, lenders=lenders
                )
            )
            return
        decided.append(unit)
        leaf = _leaf(tree, unit)
        assert leaf is not None
        chosen = victims_of.get(unit.identity, [])
        for preemption in chosen:
            problems.extend(_victim_problems(tree, replay, unit, preemption))
        for preemption in chosen:
            replay.move(preemption.victim, -1)
        broken = replay.violations(unit)
        if broken:
            problems.append(f"admitted {unit.key} breaks " + ", ".join(broken))
        for preemption in chosen:
            replay.move(preemption.victim, 1)
            if not replay.violations(unit):
                problems.append(f"victim {preemption.victim.key} of {unit.key} is not needed")
            replay.move(preemption.victim, -1)
            present.pop(preemption.victim.identity, None)
            victim_leaf = _leaf(tree, preemption.victim)
            if victim_leaf in lenders and not replay.over_runtime(victim_leaf):
                lenders.discard(victim_leaf)
        replay.move(unit, 1)
        for name in tree.path(leaf):
            requested[name].update(key for key, amount in unit.request.items() if amount > 0)

    # The documented order of consideration: units whose leaf stays within its min first,
    # then the others, each pass in queue order; a unit blocked behind its queue's head
    # changes nothing.
    deferred: list[QueueUnit] = []
    if reclaim is None:
        # Any scheduler's answer: only the quota invariants, in the answer's own order.
        waiting.clear()
        for unit in result.admitted:
            decide(unit)
    for unit in sorted(pending, key=order_key) if reclaim is not None else ():
        verdict = waiting.get(unit.identity)
        if _leaf(tree, unit) is None or (
            verdict is not None and verdict.reason is Reason.BLOCKED_BY_HEAD
        ):
            continue
        if replay.borrows(unit):
            deferred.append(unit)
        else:
            decide(unit)
    for unit in deferred:
        decide(unit)
    if decided != list(result.admitted):
        problems.append(
            "admitted units are not in the documented order of consideration: "
            f"{[u.key for u in result.admitted]} instead of {[u.key for u in decided]}"
        )
    for name in names:
        final = Resources(replay.usage[name]).without_zeros()
        if final != result.usage[name]:
            problems.append(f"usage of {name} is {result.usage[name]}, replay gives {final}")
        node = tree.node(name)
        problems.extend(
            f"usage of {name} on {key} ends above max after admissions"
            for key in sorted(requested[name])
            if key in node.max and final[key] > _limit(node.max[key], rate)
        )
    root = tree.root.name
    problems.extend(
        f"cluster usage on {key} ends above the total after admissions"
        for key in sorted(requested[root])
        if replay.usage[root].get(key, 0) > total.get(key, 0)
    )
    return tuple(problems)


#: The reason a unit gets for the first kind of limit it breaks, in the order checked.
_FIRST_BROKEN = {
    "max": Reason.EXCEEDS_MAX,
    "runtime": Reason.EXCEEDS_RUNTIME,
    "min": Reason.EXCEEDS_MIN_NON_PREEMPTIBLE,
    "total": Reason.INSUFFICIENT_CAPACITY,
}


def _reason_problems(
    replay: _Replay,
    unit: QueueUnit,
    item: Pending,
    *,
    reclaim: Reclaim,
    present: Mapping[tuple[str, str], QueueUnit],
    lenders: set[str],
) -> list[str]:
    """Whether ``item``'s reason holds when ``unit`` is decided, and whether the documented
    reclaim would have admitted it instead."""
    if item.reason in (Reason.NO_QUOTA, Reason.REQUEST_EXCEEDS_MAX_EVER):
        return []  # checked against the inputs alone
    tree = replay.tree
    broken = replay.broken(unit)
    if not broken:
        return [f"{unit.key} is pending ({item.reason.name}) but fits when it is decided"]
    # Limits are checked max on the path first, then runtime (min when non-preemptible),
    # then the total; the reason names the first kind broken.
    kinds = [kind for kind, *_ in broken]
    first = min(kinds, key=list(_FIRST_BROKEN).index)
    if item.reason is not _FIRST_BROKEN[first]:
        return [f"{unit.key}: reason {item.reason.name} but the first limit it breaks is {first}"]
    if reclaim is Reclaim.NONE:
        return []
    leaf = _leaf(tree, unit)
    assert leaf is not None
    on_path = [
        (kind, place, key)
        for kind, place, key, _ in broken
        if kind == "total" or (kind == "max" and place != leaf)
    ]
    if len(on_path) != len(broken) or (reclaim is Reclaim.WITHIN_MIN and replay.borrows(unit)):
        return []  # a limit of its own leaf, which no other quota's victim can lower
    need: dict[tuple[str, str], int] = {}
    for _, place, key in on_path:
        used = replay.usage[place or tree.root.name].get(key, 0) + unit.request[key]
        bound = (
            replay.total.get(key, 0)
            if not place
            else _limit(tree.node(place).max[key], replay.oversell)
        )
        need[place, key] = used - bound
    lacking = {key for _, key in need}
    freed = dict.fromkeys(need, 0)
    for other in present.values():
        other_leaf = _leaf(tree, other)
        if (
            not other.preemptible
            or other_leaf is None
            or other_leaf == leaf
            or other_leaf not in lenders
            or not replay.over_runtime(other_leaf) & lacking
        ):
            continue
        path = set(tree.path(other_leaf))
        for place, key in need:
            if not place or place in path:
                freed[place, key] += other.request[key]
    if all(freed[spot] >= amount for spot, amount in need.items()):
        return [
            f"{unit.key} is pending ({item.reason.name}) but taking back what quotas above "
            "their runtime borrow would admit it"
        ]
    return []


def _victim_problems(
    tree: QuotaTree, replay: _Replay, preemptor: QueueUnit, item: Preemption
) -> list[str]:
    victim = item.victim
    leaf = _leaf(tree, victim)
    own = _leaf(tree, preemptor)
    if leaf is None:
        return [f"victim {victim.key} has no leaf quota"]
    if item.reason is PreemptionReason.WITHIN_QUOTA:
        if leaf != own or victim.priority >= preemptor.priority:
            return [f"victim {victim.key} is not a lower-priority unit of {own}"]
        return []
    if item.reason is not PreemptionReason.RECLAIM:
        return [f"victim {victim.key} has reason {item.reason.name} inside admit"]
    if leaf == own:
        return [f"reclaim victim {victim.key} is in the preemptor's own quota"]
    node = tree.node(leaf)
    over = [
        key
        for key, amount in preemptor.request.items()
        if amount > 0
        and key in node.max
        and replay.usage[leaf].get(key, 0) > replay.runtime[leaf][key]
    ]
    if not over:
        return [f"reclaim victim {victim.key} is from {leaf}, not above its runtime"]
    return []


def assert_admission_consistent(
    tree: QuotaTree,
    total: Mapping[str, int],
    pending: Sequence[QueueUnit],
    running: Sequence[QueueUnit],
    result: AdmissionResult,
    *,
    oversell: int | Fraction | Decimal = 1,
    reclaim: Reclaim | None = None,
) -> None:
    """Raise ``AssertionError`` listing every invariant :func:`check_admission` finds broken.

    Runtime complexity: as :func:`check_admission`.

    >>> from invsched.admission import admit
    >>> from invsched.quota import QuotaNode
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("a",))])
    >>> assert_admission_consistent(tree, {}, (), (), admit(tree, (), total={}))
    """
    problems = check_admission(
        tree, total, pending, running, result, oversell=oversell, reclaim=reclaim
    )
    if problems:
        raise AssertionError("inconsistent admission:\n  " + "\n  ".join(problems))
