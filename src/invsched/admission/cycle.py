"""One admission cycle over every pending unit (koord-queue dequeue + Koordinator PreFilter).

The cycle decides every pending unit in one call, in two passes over one sorted queue:

1. units whose admission needs **no borrowing** (their leaf stays within its min) go first,
   most important first (``order_key``); a unit that would borrow is deferred;
2. the deferred units then go in the same order.

A unit is admitted when every resource it requests passes, in this order:
(1) ``used + request ≤ max × oversell`` at its leaf and every ancestor (koord-queue
``ElasticQuota`` Filter); (2) ``used + request ≤ runtime`` at its leaf, the runtime computed
once from demand = running + pending (Koordinator PreFilter), or, for a non-preemptible
unit, ``non-preemptible used + request ≤ min`` on the whole path; (3) room in the cluster
total, taking capacity back from quotas above their runtime if (1) and (2) hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import chain
from typing import NamedTuple, TypeVar

from invsched._validators import (
    MAX_AMOUNT,
    check_amount,
    check_bool,
    check_enum,
    check_instance,
    check_mapping,
    check_name,
    check_tuple_of,
    render,
    typed,
)
from invsched.admission._ledger import Entry, Failure, Ledger, Request
from invsched.admission._pool import VictimPool, running_view
from invsched.admission.reclaim import _two_pass
from invsched.admission.units import (
    AdmissionResult,
    Pending,
    Preemption,
    PreemptionReason,
    QueuePolicy,
    QueueUnit,
    Reason,
    Reclaim,
    order_key,
)
from invsched.errors import InvalidRequest
from invsched.quota.runtime import runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["admit"]

_K = TypeVar("_K")

#: Failures that taking back lent capacity can cure: an ancestor's max or the total (never
#: the unit's own leaf, whose usage other quotas' victims do not lower).
_RECLAIMABLE = frozenset({Reason.EXCEEDS_MAX, Reason.INSUFFICIENT_CAPACITY})


def admit(
    tree: QuotaTree,
    pending: Iterable[QueueUnit],
    *,
    running: Iterable[QueueUnit] = (),
    total: Mapping[str, int],
    policy: QueuePolicy = QueuePolicy.PRIORITY,
    oversell: int | Fraction | Decimal = 1,
    reclaim: Reclaim = Reclaim.TO_RUNTIME,
    preempt_within_quota: bool = False,
) -> AdmissionResult:
    """Run one admission cycle: decide every pending unit against quotas and capacity.

    Each unit belongs to ``unit.quota`` if set, else to the leaf holding its namespace. A unit
    whose quota is unknown, is a parent quota, or whose namespace no quota holds stays pending
    with ``Reason.NO_QUOTA`` (Koordinator refuses pods on parent quotas).

    Order: units whose leaf stays within its min first, then the rest; within each pass higher
    priority first, non-preemptible before preemptible, older first, then name, namespace.

    A preemptible unit needs, on every resource it requests: (1) ``used + request ≤ max ×
    oversell`` at its leaf and every ancestor (a key missing from max is unlimited); (2)
    ``used + request ≤ runtime`` at its leaf on the keys of its max; (3) ``Σ used + request ≤
    total``. A non-preemptible unit needs (1), ``non-preemptible used + request ≤ min`` at
    every node of its path (a key missing from min is 0) instead of (2), and (3).

    When only (3) fails, ``reclaim`` may preempt running preemptible units of *other* leaves
    that use more than their runtime on a resource the unit lacks, chosen by
    :func:`~invsched.admission.select_victims` (minimal). With ``preempt_within_quota``, a
    unit failing (1), (2) or (3) may then preempt strictly lower-priority preemptible running
    units of its own leaf (Koordinator PostFilter). Under ``QueuePolicy.BLOCK`` the first unit
    of a leaf that does not fit blocks that leaf's later units (``BLOCKED_BY_HEAD``); a unit
    that can never fit (``REQUEST_EXCEEDS_MAX_EVER``) or has no quota blocks nothing.

    Args:
        tree: the quota tree.
        pending: the units to decide, in any order.
        running: admitted units holding capacity; each must resolve to a leaf quota.
        total: the cluster capacity in milli-units (a missing key is 0).
        policy: what a queue does when a unit does not fit.
        oversell: koord-queue's ``--oversellrate``: an int, ``Fraction`` or ``Decimal`` > 0;
            limits are ``floor(max × oversell)`` in exact arithmetic.
        reclaim: when capacity lent to other quotas may be taken back.
        preempt_within_quota: allow preempting lower-priority units of the same quota.

    Returns:
        The admitted units (decision order), the preemptions (decision order), every other
        unit with its reason (queue order), and the usage after the cycle and the runtime it
        used, for every node.

    Raises:
        InvalidRequest: an argument of the wrong type, a duplicate unit (``namespace/name``
            across pending and running), a running unit without a leaf quota, a negative
            total, or an oversell that is not a positive exact number.

    Runtime complexity: O(u log u + u · d · k + n · k) for u units, path depth d, k resource
    names and n nodes, plus the victim searches of reclaim.

    >>> from invsched.quota import QuotaNode
    >>> gpu = lambda n: Resources.parse({"nvidia.com/gpu": n})
    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", min=gpu(4), max=gpu(4), children=("video",)),
    ...     QuotaNode(name="video", parent="root", min=gpu(2), max=gpu(3), namespaces=("video",)),
    ... ])
    >>> jobs = [QueueUnit(name=n, namespace="video", request=gpu(2), created=t)
    ...         for t, n in enumerate(["a", "b"])]
    >>> result = admit(tree, jobs, total=gpu(4))
    >>> [u.name for u in result.admitted], result.pending[0].detail
    (['a'], 'video: nvidia.com/gpu used 2 + request 2 > max 3')
    """
    check_instance(InvalidRequest, "tree", tree, QuotaTree)
    pending_units = check_tuple_of(InvalidRequest, "pending", pending, QueueUnit)
    running_units = check_tuple_of(InvalidRequest, "running", running, QueueUnit)
    total_amounts = _check_total(total)
    rate = _oversell(oversell)
    check_enum(InvalidRequest, "policy", policy, QueuePolicy)
    check_enum(InvalidRequest, "reclaim", reclaim, Reclaim)
    check_bool(InvalidRequest, "preempt_within_quota", preempt_within_quota)
    _check_unique(pending_units, running_units)
    return _admit(
        tree,
        pending_units,
        running_units,
        total=total_amounts,
        oversell=rate,
        policy=policy,
        reclaim=reclaim,
        within_quota=preempt_within_quota,
    )


def _admit(
    tree: QuotaTree,
    pending: tuple[QueueUnit, ...],
    running: tuple[QueueUnit, ...],
    *,
    total: Mapping[str, int],
    oversell: Fraction,
    policy: QueuePolicy,
    reclaim: Reclaim,
    within_quota: bool,
) -> AdmissionResult:
    """:func:`admit` on checked arguments: build the cycle's state, run it, report."""
    position = {node.name: index for index, node in enumerate(tree.nodes)}
    leaves = {node.name for node in tree.leaves}
    # Every pending unit gets its rank in queue order once, and its result waits at that
    # rank: the pending results are then read off in queue order, with no sort.
    waiting: list[Pending | None] = [None] * len(pending)
    # The queue, in order, as columns of units, leaves and ranks (requests follow once the
    # resources are indexed). An Entry is built only while its unit is decided, so a long
    # queue keeps no record per unit alive for the garbage collector to traverse.
    units: list[QueueUnit] = []
    queue_leaves: list[int] = []
    ranks: list[int] = []
    for rank, unit in enumerate(sorted(pending, key=order_key)):
        quota, problem = _resolve(tree, unit, leaves)
        if problem:
            waiting[rank] = Pending(unit=unit, reason=Reason.NO_QUOTA, detail=problem)
            continue
        units.append(unit)
        queue_leaves.append(position[quota])
        ranks.append(rank)
    held_leaves: list[int] = []
    for index, unit in enumerate(running):
        quota, problem = _resolve(tree, unit, leaves)
        if problem:
            raise InvalidRequest(f"running[{index}].quota", problem)
        held_leaves.append(position[quota])
    # Demand per leaf on plain ints: Resources arithmetic per unit would dominate.
    demand: dict[int, dict[str, int]] = {}
    queued = zip(units, queue_leaves, strict=True)
    for unit, leaf in chain(zip(running, held_leaves, strict=True), queued):
        sums = demand.setdefault(leaf, {})
        for key, amount in unit.request.pairs:
            sums[key] = sums.get(key, 0) + amount
    runtime = runtime_quota(
        tree, {tree.nodes[leaf].name: Resources(sums) for leaf, sums in demand.items()}, total
    )
    resources = sorted(set().union(*demand.values()))
    ledger = Ledger(tree, resources, runtime, total, oversell)
    column = {name: index for index, name in enumerate(resources)}
    # Each distinct request is turned into (column, amount) pairs once.
    requests: dict[tuple[tuple[str, int], ...], Request] = {}

    def request_of(unit: QueueUnit) -> Request:
        items = unit.request.pairs
        request = requests.get(items)
        if request is None:
            request = requests[items] = tuple(
                (column[key], amount) for key, amount in items if amount > 0
            )
        return request

    held_by_leaf: dict[int, list[Entry]] = {}
    for unit, leaf in zip(running, held_leaves, strict=True):
        item = Entry(unit, leaf, request_of(unit), -1)
        ledger.add(item)
        held_by_leaf.setdefault(leaf, []).append(item)
    cycle = _Cycle(
        ledger,
        VictimPool(ledger, running_view(held_by_leaf, len(resources))),
        policy=policy,
        reclaim=reclaim,
        within_quota=within_quota,
        waiting=waiting,
    )
    cycle.run(_Queue(units, queue_leaves, [request_of(unit) for unit in units], ranks))
    return AdmissionResult(
        admitted=[item.unit for item in cycle.admitted],
        preempted=[
            Preemption(victim=victim.unit, preemptor=preemptor.unit, reason=reason)
            for victim, preemptor, reason in cycle.preempted
        ],
        pending=[result for result in waiting if result is not None],
        usage=ledger.usage_by_node(),
        runtime=runtime,
    )


class _Queue(NamedTuple):
    """Pending units in queue order, as columns: unit, leaf position, positive requests
    and rank (where the unit's result goes when reasons are recorded)."""

    units: Sequence[QueueUnit]
    leaves: Sequence[int]
    requests: Sequence[Request]
    ranks: Sequence[int]


class _Cycle:
    """The mutable state of one admission cycle (never shared, never returned).

    It decides units against a :class:`Ledger` and a :class:`VictimPool` that the caller
    built: :func:`admit` from its arguments, the simulator from the state it keeps between
    cycles. :meth:`run` decides a whole queue as documented on :func:`admit`;
    :meth:`decide` decides one unit, for a caller that proves the units it skips would
    change nothing. With ``waiting`` set, every unit left pending gets a :class:`Pending`
    record at its rank; without it no reason is built (the simulator needs none).
    """

    def __init__(
        self,
        ledger: Ledger,
        pool: VictimPool,
        *,
        policy: QueuePolicy,
        reclaim: Reclaim,
        within_quota: bool,
        waiting: list[Pending | None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.pool = pool
        self.policy = policy
        self.reclaim = reclaim
        self.within_quota = within_quota
        self.waiting = waiting
        self.admitted: list[Entry] = []
        #: (victim, preemptor, reason), in decision order.
        self.preempted: list[tuple[Entry, Entry, PreemptionReason]] = []
        #: Leaf → the unit that blocks its queue and why (``QueuePolicy.BLOCK``).
        self.blocked: dict[int, tuple[QueueUnit, Reason]] = {}

    def run(self, queue: _Queue) -> None:
        """Decide every unit of ``queue``: first those whose leaf stays within its min, then
        the deferred ones, each pass in queue order."""
        units, leaves, requests, ranks = queue
        deferred: list[int] = []
        for position, leaf in enumerate(leaves):
            if leaf in self.blocked:
                self._block(Entry(units[position], leaf, requests[position], ranks[position]))
            elif self.ledger.borrows(leaf, requests[position]):
                deferred.append(position)
            else:
                self.decide(Entry(units[position], leaf, requests[position], ranks[position]))
        for position in deferred:
            item = Entry(units[position], leaves[position], requests[position], ranks[position])
            if item.leaf in self.blocked:
                self._block(item)
            else:
                self.decide(item)

    def _block(self, item: Entry) -> None:
        never = self.ledger.never_fits(item)
        if never is not None:
            # A unit that can never fit says so, whatever blocks its queue.
            self._wait(item, never)
            return
        if self.waiting is None:
            return
        head, reason = self.blocked[item.leaf]
        detail = f"{self.ledger.node_names[item.leaf]}: blocked behind {head.key} ({reason.value})"
        self.waiting[item.rank] = Pending(
            unit=item.unit, reason=Reason.BLOCKED_BY_HEAD, detail=detail
        )

    def _wait(self, item: Entry, failure: Failure) -> None:
        if self.waiting is not None:
            self.waiting[item.rank] = Pending(
                unit=item.unit, reason=failure.reason, detail=self.ledger.describe(failure)
            )

    def decide(self, item: Entry) -> bool:
        """Decide one unit: admit it (preempting if allowed and needed) or leave it pending.

        Returns whether it was admitted.
        """
        ledger = self.ledger
        failure = ledger.check_quota(item)
        if failure is None:
            failure = ledger.check_total(item)
        if (
            failure is not None
            and failure.node != item.leaf
            and failure.reason in _RECLAIMABLE
            and self._may_reclaim(item)
            and self._reclaim(item)
        ):
            failure = None
        if (
            failure is not None
            and self.within_quota
            and failure.reason is not Reason.EXCEEDS_MIN_NON_PREEMPTIBLE
            and self._preempt_own(item)
        ):
            failure = None
        if failure is None:
            ledger.add(item)
            self.admitted.append(item)
            return True
        # Only a max can be out of reach for good: a unit that passed every max on its path
        # (usage is never negative) fits each of them alone.
        never = ledger.never_fits(item) if failure.reason is Reason.EXCEEDS_MAX else None
        if never is not None:
            failure = never
        self._wait(item, failure)
        if self.policy is QueuePolicy.BLOCK and never is None:
            self.blocked[item.leaf] = (item.unit, failure.reason)
        return False

    def may_reclaim(self, item: Entry) -> bool:
        """Whether ``item`` may take capacity back from other quotas, on everything a
        victim cannot change (the reclaim option, its own leaf)."""
        return self._may_reclaim(item)

    def _may_reclaim(self, item: Entry) -> bool:
        if self.reclaim is Reclaim.NONE or not self.ledger.fits_leaf(item):
            return False
        if self.reclaim is Reclaim.WITHIN_MIN:
            return not self.ledger.borrows(item.leaf, item.request)
        return True

    def _reclaim(self, item: Entry) -> bool:
        """Take back capacity lent to other leaves above their runtime (two-pass, minimal).

        Only ancestors' max and the cluster total can be short here (``fits_leaf`` holds);
        a victim frees room at its own ancestors and in the total.
        """
        need = self.ledger.shortfall(item)
        if not need:
            return False
        return self._evict(item, self.pool.lent_out(item, need), need, PreemptionReason.RECLAIM)

    def _preempt_own(self, item: Entry) -> bool:
        """Preempt strictly lower-priority preemptible units of the same leaf."""
        ledger = self.ledger
        if ledger.never_fits(item) is not None:
            return False
        if not item.unit.preemptible and ledger.check_min(item) is not None:
            return False
        need = {index: over for index, over in ledger.excess(item).items() if over > 0}
        if not need:
            return False
        candidates = (
            (other, dict(other.request)) for other in self.pool.lower_priority(item, need)
        )
        return self._evict(item, candidates, need, PreemptionReason.WITHIN_QUOTA)

    def _evict(
        self,
        item: Entry,
        candidates: Iterable[tuple[Entry, Mapping[_K, int]]],
        need: Mapping[_K, int],
        reason: PreemptionReason,
    ) -> bool:
        """Preempt a minimal set of ``candidates`` (least important first, each with what it
        frees) that covers ``need``, by the two passes of :func:`_two_pass`; the candidates are
        read only as far as the first pass goes."""
        looked_at: list[Entry] = []

        def frees() -> Iterator[Mapping[_K, int]]:
            for candidate, freed in candidates:
                looked_at.append(candidate)
                yield freed

        chosen, fits = _two_pass(frees(), need, dict.fromkeys(need, 0))
        if not fits or not chosen:
            return False
        for position in chosen:
            victim = looked_at[position]
            # The one place a cycle takes usage away; the pool then forgets the victim.
            self.ledger.add(victim, -1)
            self.pool.remove(victim)
            self.preempted.append((victim, item, reason))
        return True


def _resolve(tree: QuotaTree, unit: QueueUnit, leaves: set[str]) -> tuple[str, str]:
    """The unit's leaf quota, or ``("", why not)``."""
    if unit.quota is not None:
        if unit.quota not in tree:
            return "", f"quota {unit.quota!r} does not exist"
        quota = unit.quota
    else:
        found = tree.quota_for_namespace(unit.namespace)
        if found is None:
            return "", f"namespace {unit.namespace!r} is not bound to any quota"
        quota = found
    if quota not in leaves:
        return "", f"quota {quota!r} is a parent quota; units bind to leaf quotas only"
    return quota, ""


def _check_unique(pending: tuple[QueueUnit, ...], running: tuple[QueueUnit, ...]) -> None:
    keys = [unit.identity for unit in chain(running, pending)]
    if len(set(keys)) == len(keys):
        return
    # A duplicate exists: find the first one in input order, to name both places.
    seen: dict[tuple[str, str], str] = {}
    for field, units in (("running", running), ("pending", pending)):
        for index, unit in enumerate(units):
            where = f"{field}[{index}]"
            first = seen.setdefault(unit.identity, where)
            if first != where:
                raise InvalidRequest(where, f"duplicate unit {unit.key!r}, also at {first}")


def _check_total(total: object, field: str = "total") -> dict[str, int]:
    """The cluster total: a mapping resource name → amount ≥ 0 in milli-units."""
    return check_mapping(InvalidRequest, field, total, check_name, check_amount)


def _oversell(value: object) -> Fraction:
    """koord-queue's oversell rate as an exact fraction (float is refused: 1.1 is inexact)."""
    if type(value) is int:
        rate = Fraction(value)
    elif isinstance(value, Fraction):
        rate = value
    elif isinstance(value, Decimal) and value.is_finite():
        rate = Fraction(value)
    else:
        raise InvalidRequest(
            "oversell",
            f"expected an int, Fraction or finite Decimal, got {typed(value)}",
        )
    if rate <= 0:
        raise InvalidRequest("oversell", f"must be greater than 0, got {render(value)}")
    if rate.numerator >= MAX_AMOUNT or rate.denominator >= MAX_AMOUNT:
        raise InvalidRequest(
            "oversell", f"must be a ratio of numbers below 10^100, got {render(value)}"
        )
    return rate
