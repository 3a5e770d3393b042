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
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence

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
        entries.sort(key=_importance, reverse=True)
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


class VictimPool:
    """Running preemptible units per leaf, the leaves above their runtime, and the reclaim
    bound."""

    def __init__(self, ledger: Ledger, running: Mapping[int, list[Entry]]) -> None:
        self.ledger = ledger
        width = len(ledger.names)
        self.leaves = {
            leaf: _LeafUnits([entry for entry in units if entry.unit.preemptible], width)
            for leaf, units in running.items()
        }
        self.over: set[int] = set()
        self.bound: dict[Constraint, int] = {}
        for leaf, units in self.leaves.items():
            if ledger.over_runtime(leaf):
                self.over.add(leaf)
                for entry in units.alive():
                    self._count(entry, 1)

    def _count(self, entry: Entry, sign: int) -> None:
        bound = self.bound
        for node in self.ledger.paths[entry.leaf]:
            for index, amount in entry.request:
                key = (node, index)
                bound[key] = bound.get(key, 0) + sign * amount

    def remove(self, entry: Entry) -> None:
        """Forget a preempted unit, whose usage the caller has already taken out of the
        ledger.

        Runtime complexity: O(d · k + k log n) for path depth d, k requested resources and n
        units of the leaf; O(n) once when the leaf falls back within its runtime.
        """
        leaf = entry.leaf
        units = self.leaves[leaf]
        units.remove(entry)
        if leaf in self.over:
            self._count(entry, -1)
            if not self.ledger.over_runtime(leaf):
                # The leaf is back within its runtime: none of its units is a candidate now.
                self.over.discard(leaf)
                for other in units.alive():
                    self._count(other, -1)

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
        for (node, index), amount in need.items():
            # The root's bound is the total's: every leaf lies below the root.
            at = 0 if node == TOTAL else node
            if self.bound.get((at, index), 0) < amount:
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
        for entry in self.leaves[leaf].alive():
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
        units = self.leaves.get(item.leaf)
        if units is None:
            return iter(())
        count = units.below(item.unit.priority)
        if any(units.held_below(count, column) < amount for column, amount in need.items()):
            return iter(())
        return units.alive(count)
