"""The replay behind the admission oracle: usage per quota node, decision by decision.

:func:`replay` re-runs an :class:`~invsched.admission.AdmissionResult`'s decisions in order
(victims leave, the admitted unit joins) and records, at each decision, the facts the checks
of :mod:`invsched.testing._admission_checks` judge: which limits an admitted unit breaks,
whether each victim was needed, what a pending unit breaks when its turn comes. It shares
no code with the admission cycle it checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import attrs

from invsched.admission import (
    AdmissionResult,
    Pending,
    Preemption,
    QueueUnit,
    Reason,
    Reclaim,
    order_key,
)
from invsched.quota import QuotaTree
from invsched.resources import Resources

__all__ = [
    "FIRST_BROKEN",
    "AdmissionCase",
    "PendingFact",
    "Trace",
    "UsageReplay",
    "VictimFact",
    "final_usage",
    "leaf_of",
    "limit",
    "replay",
]

_Usage = dict[str, dict[str, int]]
#: A broken limit: (kind, place, resource, note) with kind ``max``, ``runtime``, ``min`` or
#: ``total``; ``place`` is a node's name, or ``""`` for the cluster total.
Broken = tuple[str, str, str, str]


def leaf_of(tree: QuotaTree, unit: QueueUnit) -> str | None:
    """The unit's quota (``quota``, else the one holding its namespace) if it is a leaf."""
    name = unit.quota if unit.quota is not None else tree.quota_for_namespace(unit.namespace)
    if name is None or name not in tree or tree.node(name).children:
        return None
    return name


def limit(amount: int, oversell: Fraction) -> int:
    """``amount`` × ``oversell``, rounded down: a max as the cycle may fill it."""
    return amount * oversell.numerator // oversell.denominator


@attrs.frozen(kw_only=True)
class AdmissionCase:
    """The inputs of :func:`~invsched.testing.check_admission` and the answer to judge."""

    tree: QuotaTree
    total: Mapping[str, int]
    pending: tuple[QueueUnit, ...]
    running: tuple[QueueUnit, ...]
    result: AdmissionResult
    oversell: Fraction
    reclaim: Reclaim | None

    @property
    def names(self) -> list[str]:
        """Every node of the tree, in tree order."""
        return [node.name for node in self.tree.nodes]


class UsageReplay:
    """Usage per node (all units, and non-preemptible ones), replayed decision by decision.

    Args:
        tree: the quota tree.
        total: the cluster total.
        runtime: each node's runtime quota (only read by :meth:`broken` for preemptible
            units and by :meth:`over_runtime`).
        oversell: the factor on every max.
    """

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
        leaf = leaf_of(self.tree, unit)
        assert leaf is not None
        for name in self.tree.path(leaf):
            for key, amount in unit.request.items():
                self.usage[name][key] = self.usage[name].get(key, 0) + sign * amount
                if not unit.preemptible:
                    self.np_usage[name][key] = self.np_usage[name].get(key, 0) + sign * amount

    def broken(self, unit: QueueUnit) -> list[Broken]:
        """Every limit ``unit`` would break if added now."""
        tree, usage = self.tree, self.usage
        leaf = leaf_of(tree, unit)
        assert leaf is not None
        out: list[Broken] = []
        for key, amount in unit.request.items():
            if amount <= 0:
                continue
            for name in tree.path(leaf):
                node = tree.node(name)
                if key in node.max and usage[name].get(key, 0) + amount > limit(
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
        leaf = leaf_of(self.tree, unit)
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


@attrs.frozen(kw_only=True)
class VictimFact:
    """A victim as its preemptor is decided: its leaf, and the keys of the preemptor's
    request on which that leaf then used more than its runtime."""

    preemptor: QueueUnit
    preemption: Preemption
    own_leaf: str | None
    leaf: str | None
    over: tuple[str, ...]


@attrs.frozen(kw_only=True)
class PendingFact:
    """A pending unit when its turn comes: the limits it breaks then, the first kind among
    them in the order checked (``""`` if none), and whether the documented reclaim would
    admit it (only looked at when its reason names that first kind)."""

    unit: QueueUnit
    item: Pending
    broken: tuple[Broken, ...]
    first: str
    reclaim_admits: bool


@attrs.frozen(kw_only=True)
class Trace:
    """What the replay saw.

    Attributes:
        victims: each victim as its preemptor is decided.
        fits: each admitted unit, after its victims leave, with the limits it breaks.
        needed: (victim, preemptor, whether putting the victim back breaks the fit).
        waiting: each pending unit with a capacity reason, when its turn comes (only with
            ``reclaim`` given).
        decided: the admitted units in the order the replay considered them.
        usage: node → resource → usage after every decision.
        requested: node → the resources some admitted unit under it requests.
    """

    victims: tuple[VictimFact, ...]
    fits: tuple[tuple[QueueUnit, tuple[str, ...]], ...]
    needed: tuple[tuple[QueueUnit, QueueUnit, bool], ...]
    waiting: tuple[PendingFact, ...]
    decided: tuple[QueueUnit, ...]
    usage: Mapping[str, Mapping[str, int]]
    requested: Mapping[str, frozenset[str]]


#: The reason a unit gets for the first kind of limit it breaks, in the order checked.
FIRST_BROKEN = {
    "max": Reason.EXCEEDS_MAX,
    "runtime": Reason.EXCEEDS_RUNTIME,
    "min": Reason.EXCEEDS_MIN_NON_PREEMPTIBLE,
    "total": Reason.INSUFFICIENT_CAPACITY,
}


def _words(broken: Sequence[Broken]) -> tuple[str, ...]:
    return tuple(
        f"total on {key}" if kind == "total" else f"{kind} of {place} on {key}{extra}"
        for kind, place, key, extra in broken
    )


def _reclaim_admits(
    state: UsageReplay,
    unit: QueueUnit,
    broken: Sequence[Broken],
    *,
    reclaim: Reclaim,
    present: Mapping[tuple[str, str], QueueUnit],
    lenders: set[str],
) -> bool:
    """Whether taking back everything the quotas above their runtime lend would admit a unit
    that breaks only an ancestor's max or the total."""
    if reclaim is Reclaim.NONE:
        return False
    tree = state.tree
    leaf = leaf_of(tree, unit)
    assert leaf is not None
    on_path = [
        (kind, place, key)
        for kind, place, key, _ in broken
        if kind == "total" or (kind == "max" and place != leaf)
    ]
    if len(on_path) != len(broken) or (reclaim is Reclaim.WITHIN_MIN and state.borrows(unit)):
        return False  # a limit of its own leaf, which no other quota's victim can lower
    need: dict[tuple[str, str], int] = {}
    for _, place, key in on_path:
        used = state.usage[place or tree.root.name].get(key, 0) + unit.request[key]
        bound = (
            state.total.get(key, 0)
            if not place
            else limit(tree.node(place).max[key], state.oversell)
        )
        need[place, key] = used - bound
    lacking = {key for _, key in need}
    freed = dict.fromkeys(need, 0)
    for other in present.values():
        other_leaf = leaf_of(tree, other)
        if (
            not other.preemptible
            or other_leaf is None
            or other_leaf == leaf
            or other_leaf not in lenders
            or not state.over_runtime(other_leaf) & lacking
        ):
            continue
        path = set(tree.path(other_leaf))
        for place, key in need:
            if not place or place in path:
                freed[place, key] += other.request[key]
    return all(freed[spot] >= amount for spot, amount in need.items())


def replay(case: AdmissionCase) -> Trace:
    """Replay ``case.result``'s decisions and record what each check needs.

    Without ``case.reclaim`` the admitted units are replayed in the answer's own order (any
    scheduler's answer, held to the quota invariants only). With it, in the documented order
    of consideration: units whose leaf stays within its min first, then the rest, each pass
    in queue order; a unit blocked behind its queue's head changes nothing.

    Runtime complexity: O((u + v²) · d · k) for u units, v victims per preemptor, depth d
    and k resource names.
    """
    tree, result = case.tree, case.result
    state = UsageReplay(case.tree, case.total, case.result.runtime, case.oversell)
    for unit in case.running:
        state.move(unit, 1)
    requested: dict[str, set[str]] = {name: set() for name in case.names}
    present = {unit.identity: unit for unit in case.running}
    # The leaves that may lend back: above their runtime when the cycle starts, for as long
    # as they stay above it.
    lenders = {leaf for leaf in case.names if tree.node(leaf).is_leaf and state.over_runtime(leaf)}
    victims_of: dict[tuple[str, str], list[Preemption]] = {}
    for preemption in result.preempted:
        if preemption.preemptor is not None:
            victims_of.setdefault(preemption.preemptor.identity, []).append(preemption)
    waiting = (
        {item.unit.identity: item for item in result.pending} if case.reclaim is not None else {}
    )
    victims: list[VictimFact] = []
    fits: list[tuple[QueueUnit, tuple[str, ...]]] = []
    needed: list[tuple[QueueUnit, QueueUnit, bool]] = []
    pending_facts: list[PendingFact] = []
    decided: list[QueueUnit] = []

    def decide(unit: QueueUnit) -> None:
        verdict = waiting.get(unit.identity)
        if verdict is not None:
            if verdict.reason in (Reason.NO_QUOTA, Reason.REQUEST_EXCEEDS_MAX_EVER):
                return  # checked against the inputs alone
            assert case.reclaim is not None  # pending units are looked at only then
            broken = state.broken(unit)
            # Limits are checked max on the path first, then runtime (min when
            # non-preemptible), then the total; the reason names the first kind broken.
            first = min((kind for kind, *_ in broken), key=list(FIRST_BROKEN).index, default="")
            admits = bool(broken) and verdict.reason is FIRST_BROKEN[first]
            admits = admits and _reclaim_admits(
                state, unit, broken, reclaim=case.reclaim, present=present, lenders=lenders
            )
            pending_facts.append(
                PendingFact(
                    unit=unit,
                    item=verdict,
                    broken=tuple(broken),
                    first=first,
                    reclaim_admits=admits,
                )
            )
            return
        decided.append(unit)
        leaf = leaf_of(tree, unit)
        assert leaf is not None
        chosen = victims_of.get(unit.identity, [])
        for preemption in chosen:
            victim_leaf = leaf_of(tree, preemption.victim)
            over: tuple[str, ...] = ()
            if victim_leaf is not None:
                node = tree.node(victim_leaf)
                over = tuple(
                    key
                    for key, amount in unit.request.items()
                    if amount > 0
                    and key in node.max
                    and state.usage[victim_leaf].get(key, 0) > state.runtime[victim_leaf][key]
                )
            victims.append(
                VictimFact(
                    preemptor=unit,
                    preemption=preemption,
                    own_leaf=leaf,
                    leaf=victim_leaf,
                    over=over,
                )
            )
        for preemption in chosen:
            state.move(preemption.victim, -1)
        fits.append((unit, _words(state.broken(unit))))
        for preemption in chosen:
            state.move(preemption.victim, 1)
            needed.append((preemption.victim, unit, bool(state.broken(unit))))
            state.move(preemption.victim, -1)
            present.pop(preemption.victim.identity, None)
            victim_leaf = leaf_of(tree, preemption.victim)
            if victim_leaf in lenders and not state.over_runtime(victim_leaf):
                lenders.discard(victim_leaf)
        state.move(unit, 1)
        for name in tree.path(leaf):
            requested[name].update(key for key, amount in unit.request.items() if amount > 0)

    if case.reclaim is None:
        for unit in result.admitted:
            decide(unit)
    else:
        deferred: list[QueueUnit] = []
        for unit in sorted(case.pending, key=order_key):
            verdict = waiting.get(unit.identity)
            if leaf_of(tree, unit) is None or (
                verdict is not None and verdict.reason is Reason.BLOCKED_BY_HEAD
            ):
                continue
            if state.borrows(unit):
                deferred.append(unit)
            else:
                decide(unit)
        for unit in deferred:
            decide(unit)
    return Trace(
        victims=tuple(victims),
        fits=tuple(fits),
        needed=tuple(needed),
        waiting=tuple(pending_facts),
        decided=tuple(decided),
        usage=state.usage,
        requested={name: frozenset(keys) for name, keys in requested.items()},
    )


def final_usage(trace: Trace, name: str) -> Resources:
    """The replayed usage of node ``name`` after every decision, zeros dropped."""
    return Resources(trace.usage[name]).without_zeros()
