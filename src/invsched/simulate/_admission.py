"""The admission state a simulation keeps between cycles, and one cycle over it.

:func:`~invsched.admission.admit` rebuilds everything from its arguments: it sorts the queue,
sums usage over every running unit and indexes the victims. A simulation runs thousands of
cycles over queues and running sets that change by a few jobs each time, so it keeps that
state instead and updates it with the events:

* the :class:`~invsched.admission._ledger.Ledger` (usage per node and resource), changed by
  each start, completion and preemption; its runtime is recomputed only when demand
  (running + pending per leaf) changed since the last cycle;
* the queue in ``order_key`` order (a ``SortedKeyList``), and the same units grouped into
  **buckets** of equal (leaf, request, preemptible), each ordered the same way;
* the running preemptible units of each leaf in order and what they request in total, the
  view a cycle's :class:`~invsched.admission._pool.VictimPool` is built from.

A cycle then decides with the admission cycle's own code (:class:`_Cycle`: the same checks,
reclaim and victim search as ``admit``), but visits only the units that can change
something. The argument, under ``QueuePolicy.PRIORITY`` without preemption within a quota:

1. Until the first preemption of a cycle, usage only grows (admissions add, nothing
   leaves), the runtime is fixed for the cycle, and the victim pool only loses units.
2. A unit *acts* when its decision changes the state: it is admitted, or it preempts. A
   unit that does not act changes nothing (no reason is recorded; under ``PRIORITY`` a
   failure blocks nothing).
3. A unit can act only if it fits (max on its path, runtime or min, the total) or may
   reclaim: it fits everything at its own leaf, and the pool's bound covers its
   shortfall. Each of those fails for good once it fails: more usage never makes a unit
   fit, never makes it fit at its leaf, never makes it stop borrowing, and only enlarges
   the shortfall that the (shrinking) bound must cover. All of them read only the
   bucket's (leaf, request, preemptible), never the unit's name or priority.
4. So a bucket found *dead* (none of its units can act) stays dead until the first
   preemption, and its units can be left out of the cycle. If no bucket is live, the
   cycle admits and preempts nothing: it is skipped outright.
5. Whether a unit is deferred to the second pass depends on its leaf's usage when its turn
   comes (``borrows``), which only grows: once a unit of a bucket borrows, every later unit
   of that bucket borrows too, and the rest of the bucket moves to the second pass whole.

The live buckets are merged in queue order with a heap, so a cycle costs
O(buckets + (units decided) · log buckets) instead of O(pending). At the first preemption the
argument stops holding: the cycle is undone (usage restored from its decisions) and run
again over the whole queue, exactly as ``admit`` runs it. So are cycles under
``QueuePolicy.BLOCK`` or with preemption within a quota, where a failure or a priority
matters.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from fractions import Fraction

# sortedcontainers ships neither stubs nor py.typed.
from sortedcontainers import SortedKeyList

from invsched.admission import PreemptionReason, QueuePolicy, QueueUnit, Reclaim, order_key
from invsched.admission._ledger import Entry, Ledger, Request
from invsched.admission._pool import Running, VictimPool
from invsched.admission.cycle import _Cycle, _Queue
from invsched.quota.runtime import runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources
from invsched.simulate._rooms import Rooms
from invsched.simulate._runtime import RuntimeColumns

__all__ = ["AdmissionState", "Decisions"]

#: What one cycle decided: the units admitted (decision order), and every preemption as
#: (victim, preemptor, reason), in decision order. Entries carry the job's index as rank.
Decisions = tuple[list[Entry], list[tuple[Entry, Entry, PreemptionReason]]]

_BucketKey = tuple[int, Request, bool]


def _order(entry: Entry) -> tuple[int, bool, int | float, str, str]:
    return order_key(entry.unit)


class _Bucket:
    """The pending units of one (leaf, request, preemptible), in queue order."""

    __slots__ = ("members", "probe")

    def __init__(self, first: Entry) -> None:
        self.members: SortedKeyList = SortedKeyList(key=_order)
        # Any member stands for all in the checks: they read leaf, request, preemptible.
        self.probe = first


class AdmissionState:
    """Usage, runtime, queues and running units of a simulation, updated by its events.

    Every unit is an :class:`Entry` whose ``rank`` is the job's index; the caller resolves
    each job's leaf (jobs without one never enter).
    """

    def __init__(
        self,
        tree: QuotaTree,
        resources: Sequence[str],
        total: Resources,
        *,
        policy: QueuePolicy,
        reclaim: Reclaim,
        oversell: int,
        within_quota: bool,
    ) -> None:
        self.policy = policy
        self.reclaim = reclaim
        self.within_quota = within_quota
        self.names = list(resources)
        self.ledger = Ledger(
            tree, self.names, runtime_quota(tree, {}, total), total, Fraction(oversell)
        )
        self.runtime_columns = RuntimeColumns(tree, self.names, total)
        self.queue: SortedKeyList = SortedKeyList(key=_order)
        self.buckets: dict[_BucketKey, _Bucket] = {}
        #: Leaf → its preemptible running units, ``order_key`` ascending.
        self.running: dict[int, SortedKeyList] = {}
        #: Leaf → how many units run there (preemptible or not).
        self.running_count: dict[int, int] = {}
        #: Leaf → what its preemptible running units request, per column.
        self.preemptible_sums: dict[int, list[int]] = {}
        #: Leaf → running + pending demand per resource name (what ``admit`` sums).
        self.demand: dict[int, dict[str, int]] = {}
        self.demand_changed = False
        #: Cycles run over the whole queue, and why (counts, for the curious and for tests).
        self.full_cycles = 0
        self.aborted_cycles = 0
        self.skipped_cycles = 0

    # Events ------------------------------------------------------------------------------

    def _add_demand(self, entry: Entry, sign: int) -> None:
        sums = self.demand.setdefault(entry.leaf, {})
        for key, amount in entry.unit.request.pairs:
            left = sums.get(key, 0) + sign * amount
            if left:
                sums[key] = left
            else:
                sums.pop(key, None)
        if not sums:
            del self.demand[entry.leaf]
        self.demand_changed = True

    def _key(self, entry: Entry) -> _BucketKey:
        return (entry.leaf, entry.request, entry.unit.preemptible)

    def enqueue(self, entry: Entry, *, new: bool) -> None:
        """A unit joins the queue: ``new`` when submitted, else requeued after preemption
        (its demand is already counted). O(log n)."""
        self.queue.add(entry)
        key = self._key(entry)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(entry)
        bucket.members.add(entry)
        if new:
            self._add_demand(entry, 1)

    def dequeue(self, entry: Entry, *, gone: bool) -> None:
        """A unit leaves the queue: admitted, or ``gone`` (its deadline passed). O(log n)."""
        self.queue.remove(entry)
        key = self._key(entry)
        bucket = self.buckets[key]
        bucket.members.remove(entry)
        if not bucket.members:
            del self.buckets[key]
        elif bucket.probe is entry:
            bucket.probe = bucket.members[0]
        if gone:
            self._add_demand(entry, -1)

    def start(self, entry: Entry) -> None:
        """An admitted unit starts (the cycle has put it in the ledger). O(log n + k)."""
        leaf = entry.leaf
        self.running_count[leaf] = self.running_count.get(leaf, 0) + 1
        if entry.unit.preemptible:
            units = self.running.get(leaf)
            if units is None:
                units = self.running[leaf] = SortedKeyList(key=_order)
                self.preemptible_sums[leaf] = [0] * len(self.names)
            units.add(entry)
            row = self.preemptible_sums[leaf]
            for index, amount in entry.request:
                row[index] += amount

    def stop(self, entry: Entry, *, finished: bool) -> None:
        """A running unit stops: ``finished`` (its capacity returns now and its demand
        leaves), or preempted (the cycle took it out of the ledger). O(log n + d · k)."""
        leaf = entry.leaf
        left = self.running_count[leaf] - 1
        if left:
            self.running_count[leaf] = left
        else:
            del self.running_count[leaf]
        if entry.unit.preemptible:
            units = self.running[leaf]
            units.remove(entry)
            row = self.preemptible_sums[leaf]
            for index, amount in entry.request:
                row[index] -= amount
            if not units:
                del self.running[leaf], self.preemptible_sums[leaf]
        if finished:
            self.ledger.add(entry, -1)
            self._add_demand(entry, -1)

    # Cycle -------------------------------------------------------------------------------

    def pending_units(self) -> list[QueueUnit]:
        """The queued units in queue order. O(n)."""
        return [entry.unit for entry in self.queue]

    def _pool(self) -> VictimPool:
        width = len(self.names)

        def sums(leaf: int) -> list[int]:
            row = self.preemptible_sums.get(leaf)
            return [0] * width if row is None else list(row)

        def least_first(leaf: int) -> list[Entry]:
            units = self.running.get(leaf)
            return [] if units is None else list(reversed(units))

        return VictimPool(self.ledger, Running(self.running_count.keys(), sums, least_first))

    def _cycle(self) -> _Cycle:
        return _Cycle(
            self.ledger,
            self._pool(),
            policy=self.policy,
            reclaim=self.reclaim,
            within_quota=self.within_quota,
        )

    def refresh_runtime(self) -> None:
        """Recompute the runtime, as ``admit`` does from demand = running + pending, if
        demand changed since the last cycle (admitting or preempting moves a unit between
        running and pending: demand stays).

        Runtime complexity: O(n · k) for n nodes when demand changed, else O(1).
        """
        if self.demand_changed:
            self.ledger.set_runtime_columns(self.runtime_columns.columns(self.demand))
            self.demand_changed = False

    def decide(self) -> Decisions:
        """Run one admission cycle over the queue: what ``admit`` decides for these pending
        and running units. The ledger and the victim pool reflect the decisions; the caller
        moves the units (:meth:`dequeue`, :meth:`start`, :meth:`stop`, :meth:`enqueue`)."""
        if self.policy is QueuePolicy.PRIORITY and not self.within_quota:
            self.refresh_runtime()
            cycle = self._cycle()
            if self._skim(cycle):
                return cycle.admitted, cycle.preempted
            # A preemption: undo the cycle (usage is linear in the units) and run it whole.
            for victim, _, _ in cycle.preempted:
                self.ledger.add(victim)
            for item in cycle.admitted:
                self.ledger.add(item, -1)
            self.aborted_cycles += 1
        return self._whole()

    def _whole(self) -> Decisions:
        """The cycle over every queued unit, exactly as ``admit`` runs it."""
        self.refresh_runtime()
        self.full_cycles += 1
        cycle = self._cycle()
        entries = list(self.queue)
        cycle.run(
            _Queue(
                [entry.unit for entry in entries],
                [entry.leaf for entry in entries],
                [entry.request for entry in entries],
                [entry.rank for entry in entries],
            )
        )
        return cycle.admitted, cycle.preempted

    def _can_act(self, cycle: _Cycle, item: Entry) -> bool:
        """Whether ``item`` (standing for its bucket) may be admitted or preempt from now on,
        until the first preemption (see the module's argument, step 3)."""
        ledger = self.ledger
        if ledger.check_quota(item) is None and ledger.check_total(item) is None:
            return True
        if not cycle.may_reclaim(item):
            return False
        need = ledger.shortfall(item)
        return bool(need) and cycle.pool.can_cover(need)

    def _skim(self, cycle: _Cycle) -> bool:
        """Decide the live buckets' units in queue order, both passes; ``False`` at the
        first preemption (the cycle must then run whole)."""
        rooms = Rooms(self.ledger, cycle.pool, self.reclaim)
        live = []
        for bucket in self.buckets.values():
            probe = bucket.probe
            if rooms.can_act(probe.leaf, probe.request, probe.unit.preemptible):
                live.append(bucket)
        if not live:
            self.skipped_cycles += 1
            return True
        first: list[tuple[tuple[int, bool, int | float, str, str], int, Entry, Iterator[Entry]]]
        first = []
        for tie, bucket in enumerate(live):
            members: Iterator[Entry] = iter(bucket.members)
            head = next(members)
            first.append((_order(head), tie, head, members))
        heapq.heapify(first)
        second: list[tuple[tuple[int, bool, int | float, str, str], int, Entry, Iterator[Entry]]]
        second = []
        ledger = self.ledger
        while first:
            slot = heapq.heappop(first)
            _, tie, item, members = slot
            if ledger.borrows(item.leaf, item.request):
                # Borrowing only grows with usage: the rest of the bucket is deferred too.
                heapq.heappush(second, slot)
                continue
            cycle.decide(item)
            if cycle.preempted:
                return False
            follower = next(members, None)
            if follower is not None and self._can_act(cycle, follower):
                heapq.heappush(first, (_order(follower), tie, follower, members))
        while second:
            _, tie, item, members = heapq.heappop(second)
            cycle.decide(item)
            if cycle.preempted:
                return False
            follower = next(members, None)
            if follower is not None and self._can_act(cycle, follower):
                heapq.heappush(second, (_order(follower), tie, follower, members))
        return True
