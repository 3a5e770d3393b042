"""The running units an admission cycle may preempt, indexed for cheap victim searches.

Cross-quota reclaim may only take units of leaves that use more than their runtime
(Koordinator's over-used revoke). The pool keeps those leaves and, for every (node, resource),
an upper bound of what their preemptible units could free there, updated incrementally as
victims leave. A reclaim attempt whose need exceeds the bound is refused in O(need) without
scanning any unit, so a saturated cluster does not make the cycle quadratic.

Each leaf's preemptible units are kept in one list, least important first; a victim is
marked gone rather than removed from the list (O(1) instead of a linear ``list.remove``), and
each list skips its gone head. Candidates of several leaves come out of a lazy merge of those
lists, and only as many as the victim search asks for. For preemption within a quota, a
Fenwick tree per leaf and resource answers "how much do the units below this priority still
hold" in O(log n), so a unit that no choice of victims can help is refused without a scan.

The pool never changes usage: the cycle removes a victim from the ledger, then tells the
pool (:meth:`VictimPool.remove`), so the one place that changes usage stays visible there.

The pool reads the running units through a :class:`Running` view: the leaves that hold
some, what each leaf's preemptible units request in total, and (only for the leaves a
victim search visits) those units least important first. :func:`admit` builds the view from
its arguments; a caller that keeps running units between cycles (the simulator) keeps the
view up to date instead, so a cycle's pool costs O(leaves above their runtime · depth · k),
not O(running units).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import NamedTuple

from invsched.admission._ledger import TOTAL, Entry, Ledger
from invsched.admission.units import order_key

#: A constraint: (node position, resource column); node :data:`TOTAL` is the cluster total.
Constraint = tuple[int, int]


class _Fenwick:
    """Prefix sums over positions with point updates, O(log n) each."""

    __slots__ = ("tree",)

    def __init__(self, values: Sequence[int]) -> None:
        tree = [0, *values]
        size = len(tree)
        for index in range(1, size):
            parent = index + (index & -index)
            if parent < size:
                tree[parent] += tree[index]
        self.tree = tree

    def add(self, position: int, amount: int) -> None:
        tree = self.tree
        index = position + 1
        while index < len(tree):
            tree[index] += amount
            index += index & -index

    def prefix(self, count: int) -> int:
        """The sum of the first ``count`` positions."""
        tree = self.tree
        total = 0
        index = count
        while index > 0:
            total += tree[index]
            index -= index & -index
        return total


def _importance(entry: Entry) -> tuple[int, bool, int | float, str, str]:
    return order_key(entry.unit)


class _LeafUnits:
    """One leaf's preemptible running units, least important first, with gone ones marked."""

    __slots__ = ("entries", "gone", "head", "position", "priorities", "sums", "width")

    def __init__(self, entries: list[Entry], width: int) -> None:
        # ``entries`` come least important first (``order_key`` descending).
        self.entries = entries
        self.position = {id(entry): index for index, entry in enumerate(entries)}
        # Least important first is lowest priority first: priorities never decrease here.
        self.priorities = [entry.unit.priority for entry in entries]
        self.gone = [False] * len(entries)
        self.head = 0
        self.width = width
        self.sums: list[_Fenwick] | None = None

    def alive(self, stop: int | None = None) -> Iterator[Entry]:
        """The units still running, least important first, up to position ``stop``."""
        end = len(self.entries) if stop is None else stop
        gone, entries = self.gone, self.entries
        for index in range(self.head, end):
            if not gone[index]:
                yield entries[index]

    def remove(self, entry: Entry) -> None:
        index = self.position[id(entry)]
        self.gone[index] = True
        if self.sums is not None:
            for column, amount in entry.request:
                self.sums[column].add(index, -amount)
        while self.head < len(self.entries) and self.gone[self.head]:
            self.head += 1

    def below(self, priority: int) -> int:
        """How many positions hold units of priority strictly below ``priority``."""
        return bisect_left(self.priorities, priority)

    def held_below(self, count: int, column: int) -> int:
        """What the running units among the first ``count`` positions request of ``column``."""
        if self.sums is None:
            rows = [[0] * len(self.entries) for _ in range(self.width)]
            for index, entry in enumerate(self.entries):
                if not self.gone[index]:
                    for col, amount in entry.request:
                        rows[col][index] = amount
            self.sums = [_Fenwick(row) for row in rows]
        return self.sums[column].prefix(count)


class Running(NamedTuple):
    """The running units a cycle starts from, as the pool reads them.

    Attributes:
        leaves: the leaves holding at least one running unit.
        preemptible_sums: leaf → per resource column, what its preemptible running units
            request in total (a fresh list the pool may change).
        least_first: leaf → its preemptible running units, least important first (a fresh
            list), asked for only when a victim search visits the leaf.
    """

    leaves: Collection[int]
    preemptible_sums: Callable[[int], list[int]]
    least_first: Callable[[int], list[Entry]]


def running_view(running: Mapping[int, list[Entry]], width: int) -> Running:
    """A :class:`Running` view of running units grouped by leaf (what :func:`admit` has).

    Runtime complexity: O(u · k) for u units and k requested resources; each leaf's list is
    sorted only when a victim search asks for it.
    """

    def sums(leaf: int) -> list[int]:
        row = [0] * width
        for entry in running[leaf]:
            if entry.unit.preemptible:
                for index, amount in entry.request:
                    row[index] += amount
        return row

    def least_first(leaf: int) -> list[Entry]:
        entries = [entry for entry in running[leaf] if entry.unit.preemptible]
        entries.sort(key=_importance, reverse=True)
        return entries

    return Running(running.keys(), sums, least_first)


class VictimPool:
    """Running preemptible units per leaf, the leaves above their runtime, and the reclaim
    bound."""

    def __init__(self, ledger: Ledger, running: Running) -> None:
        self.ledger = ledger
        self.running = running
        self.width = len(ledger.names)
        self.leaves: dict[int, _LeafUnits] = {}
        self.over: set[int] = set()
        self.bound: dict[Constraint, int] = {}
        #: What each leaf above its runtime still holds in preemptible units, per column.
        self.sums: dict[int, list[int]] = {}
        for leaf in running.leaves:
            if ledger.over_runtime(leaf):
                self.over.add(leaf)
                row = self.sums[leaf] = running.preemptible_sums(leaf)
                self._count(leaf, enumerate(row), 1)

    def _units(self, leaf: int) -> _LeafUnits:
        units = self.leaves.get(leaf)
        if units is None:
            units = self.leaves[leaf] = _LeafUnits(self.running.least_first(leaf), self.width)
        return units

    def _count(self, leaf: int, amounts: Iterator[tuple[int, int]], sign: int) -> None:
        bound = self.bound
        pairs = [(index, amount) for index, amount in amounts if amount]
        for node in self.ledger.paths[leaf]:
            for index, amount in pairs:
                key = (node, index)
                bound[key] = bound.get(key, 0) + sign * amount

    def can_cover(self, need: Mapping[Constraint, int]) -> bool:
        """Whether taking every unit the bound counts could free ``need``: ``False`` proves
        that no choice of victims can (the bound only shrinks as victims leave).

        Runtime complexity: O(k) for k constraints.
        """
        for (node, index), amount in need.items():
            # The root's bound is the total's: every leaf lies below the root.
            at = 0 if node == TOTAL else node
            if self.bound.get((at, index), 0) < amount:
                return False
        return True

    def remove(self, entry: Entry) -> None:
        """Forget a preempted unit, whose usage the caller has already taken out of the
        ledger.

        Runtime complexity: O(d · k + k log n) for path depth d, k requested resources and n
        units of the leaf.
        """
        leaf = entry.leaf
        self._units(leaf).remove(entry)
        if leaf in self.over:
            self._count(leaf, iter(entry.request), -1)
            row = self.sums[leaf]
            for index, amount in entry.request:
                row[index] -= amount
            if not self.ledger.over_runtime(leaf):
                # The leaf is back within its runtime: none of its units is a candidate now.
                self.over.discard(leaf)
                self._count(leaf, enumerate(self.sums.pop(leaf)), -1)

    def lent_out(
        self, item: Entry, need: Mapping[Constraint, int]
    ) -> Iterator[tuple[Entry, dict[Constraint, int]]]:
        """Reclaim candidates for ``item``, least important first, with what each frees.

        A candidate is a preemptible unit of another leaf that uses more than its runtime on
        a resource ``item`` lacks, and that frees some of that resource where it is lacking
        (an ancestor of the candidate, or the cluster total). Nothing when the bound shows
        that no choice can cover ``need``.

        Candidates are produced as they are consumed, from the state at the first one; the
        pool must not change until the caller is done with them.

        Runtime complexity: O(k) for k constraints when the bound refuses, else
        O(L · k + c · (k + log L)) for L leaves above their runtime and c units looked at.
        """
        if not self.can_cover(need):
            return
        lacking = {index for _, index in need}
        sources: list[Iterator[tuple[Entry, dict[Constraint, int]]]] = []
        for leaf in sorted(self.over):
            if leaf == item.leaf:
                continue
            over = [index for index in self.ledger.over_runtime(leaf) if index in lacking]
            if over:
                sources.append(self._frees(leaf, over, need))
        # Each leaf's list is least important first; merging keeps that order overall.
        yield from heapq.merge(*sources, key=lambda pair: _importance(pair[0]), reverse=True)

    def _frees(
        self, leaf: int, over: list[int], need: Mapping[Constraint, int]
    ) -> Iterator[tuple[Entry, dict[Constraint, int]]]:
        path = set(self.ledger.paths[leaf])
        for entry in self._units(leaf).alive():
            amounts = dict(entry.request)
            if not any(amounts.get(index, 0) > 0 for index in over):
                continue
            frees = {
                (node, index): amounts[index]
                for node, index in need
                if amounts.get(index, 0) > 0 and (node == TOTAL or node in path)
            }
            if frees:
                yield entry, frees

    def lower_priority(self, item: Entry, need: Mapping[int, int]) -> Iterator[Entry]:
        """Preemptible units of ``item``'s own leaf with strictly lower priority, least
        important first (Koordinator PostFilter's candidates); nothing when even all of them
        together cannot free ``need`` (resource column → amount).

        Runtime complexity: O(k log n) to refuse, for k needed resources and n units of the
        leaf; otherwise that plus O(1) per unit consumed.
        """
        if item.leaf not in self.running.leaves:
            return iter(())
        units = self._units(item.leaf)
        count = units.below(item.unit.priority)
        if any(units.held_below(count, column) < amount for column, amount in need.items()):
            return iter(())
        return units.alive(count)
