"""The running units an admission cycle may preempt, indexed for cheap victim searches.

Cross-quota reclaim may only take units of leaves that use more than their runtime
(Koordinator's over-used revoke). The pool keeps those leaves and, for every (node, resource),
an upper bound of what their preemptible units could free there, updated incrementally as
victims leave. A reclaim attempt whose need exceeds the bound is refused in O(need) without
scanning any unit, so a saturated cluster does not make the cycle quadratic. The preemptible
units are kept in one list, least important first, so candidates come out in order, and only
as many as the victim search asks for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from invsched.admission._ledger import Entry, Ledger
from invsched.admission.units import order_key

#: A constraint: (node position, resource column); node -1 is the cluster total.
Constraint = tuple[int, int]


class VictimPool:
    """Running units per leaf, the leaves above their runtime, and the reclaim bound."""

    def __init__(self, ledger: Ledger, running: Mapping[int, list[Entry]]) -> None:
        self.ledger = ledger
        self.running = {leaf: list(units) for leaf, units in running.items()}
        self.least_first = sorted(
            (entry for units in running.values() for entry in units if entry.unit.preemptible),
            key=lambda entry: order_key(entry.unit),
            reverse=True,
        )
        self.over: set[int] = set()
        self.bound: dict[Constraint, int] = {}
        for leaf in self.running:
            if ledger.over_runtime(leaf):
                self.over.add(leaf)
                for entry in self.running[leaf]:
                    self._count(entry, 1)

    def _count(self, entry: Entry, sign: int) -> None:
        if not entry.unit.preemptible:
            return
        bound = self.bound
        for node in self.ledger.paths[entry.leaf]:
            for index, amount in entry.request:
                key = (node, index)
                bound[key] = bound.get(key, 0) + sign * amount

    def remove(self, entry: Entry) -> None:
        """Take a preempted unit out of the ledger and the pool."""
        leaf = entry.leaf
        self.ledger.add(entry, -1)
        self.running[leaf].remove(entry)
        if entry.unit.preemptible:
            self.least_first.remove(entry)
        if leaf in self.over:
            self._count(entry, -1)
            if not self.ledger.over_runtime(leaf):
                # The leaf is back within its runtime: none of its units is a candidate now.
                self.over.discard(leaf)
                for other in self.running[leaf]:
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

        Runtime complexity: O(k) for k constraints when the bound refuses, else O(c · k) for
        the c units looked at.
        """
        for (node, index), amount in need.items():
            if self.bound.get((max(node, 0), index), 0) < amount:
                return
        lacking = {index for _, index in need}
        # Per leaf, the lacking resources it uses beyond its runtime and its path as a set.
        leaves: dict[int, tuple[list[int], set[int]]] = {}
        for entry in self.least_first:
            leaf = entry.leaf
            if leaf == item.leaf or leaf not in self.over:
                continue
            found = leaves.get(leaf)
            if found is None:
                over = [index for index in self.ledger.over_runtime(leaf) if index in lacking]
                found = leaves[leaf] = (over, set(self.ledger.paths[leaf]))
            over, path = found
            if not over:
                continue
            amounts = dict(entry.request)
            if not any(amounts.get(index, 0) > 0 for index in over):
                continue
            frees = {
                (node, index): amounts[index]
                for node, index in need
                if amounts.get(index, 0) > 0 and (node < 0 or node in path)
            }
            if frees:
                yield entry, frees

    def lower_priority(self, item: Entry) -> list[Entry]:
        """Preemptible units of ``item``'s own leaf with strictly lower priority, least
        important first (Koordinator PostFilter's candidates)."""
        units = [
            entry
            for entry in self.running.get(item.leaf, ())
            if entry.unit.preemptible and entry.unit.priority < item.unit.priority
        ]
        units.sort(key=lambda entry: order_key(entry.unit), reverse=True)
        return units
