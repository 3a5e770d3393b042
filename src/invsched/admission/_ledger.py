"""The bookkeeping of one admission cycle: limits and usage as flat integer arrays.

Everything is indexed once (nodes by pre-order position, resources by sorted name) so that
checking a unit costs O(depth · k) integer comparisons and admitting or removing one updates
its path incrementally; :class:`~invsched.resources.Resources` are built only at the boundary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from invsched.admission.units import QueueUnit, Reason
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources, format_amount

#: What a detail about the cluster total names as its place. Display text only: decisions
#: compare :attr:`Failure.node` (a node position, or ``None`` for the total), never names, so
#: a quota may be called ``cluster`` too.
TOTAL_LABEL = "cluster"

#: The constraint key of the cluster total among (node position, resource column) keys.
TOTAL = -1


class Failure(NamedTuple):
    """The first check a unit fails: where, on which resource, and the numbers.

    ``node`` is the failing node's pre-order position, or ``None`` for the cluster total;
    ``place`` is what the detail names (the node's name, or :data:`TOTAL_LABEL`).
    """

    reason: Reason
    node: int | None
    place: str
    resource: str
    used: int
    request: int
    limit: int
    label: str
    base: int = 0

    def detail(self, oversell: Fraction, fmt: Callable[[str, int], str] = format_amount) -> str:
        """``"video: nvidia.com/gpu used 4 + request 2 > max 4"`` and its variants."""
        name = self.resource
        bound = f"{self.label} {fmt(name, self.limit)}"
        if self.label == "max" and oversell != 1:
            bound = f"max {fmt(name, self.base)} × oversell {oversell} = {fmt(name, self.limit)}"
        if self.reason is Reason.REQUEST_EXCEEDS_MAX_EVER:
            return f"{self.place}: {name} request {fmt(name, self.request)} > {bound}"
        used = "non-preemptible used" if self.label == "min" else "used"
        return (
            f"{self.place}: {name} {used} {fmt(name, self.used)} + request "
            f"{fmt(name, self.request)} > {bound}"
        )


#: A unit's positive requests as (resource column, amount) pairs, in column order. Never
#: mutated, so units with equal requests share one.
Request = tuple[tuple[int, int], ...]


class Entry:
    """One unit as the cycle sees it: its leaf, its positive requests and its queue rank."""

    __slots__ = ("leaf", "rank", "request", "unit")

    def __init__(self, unit: QueueUnit, leaf: int, request: Request, rank: int) -> None:
        self.unit = unit
        self.leaf = leaf
        self.request = request
        self.rank = rank


class Ledger:
    """Limits, runtime and usage of every node, per resource, as lists of ints."""

    def __init__(
        self,
        tree: QuotaTree,
        resources: Sequence[str],
        runtime: Mapping[str, Resources],
        total: Mapping[str, int],
        oversell: Fraction,
    ) -> None:
        self.names = list(resources)
        self.oversell = oversell
        nodes = tree.nodes
        self.node_names = [node.name for node in nodes]
        position = {node.name: index for index, node in enumerate(nodes)}
        parents = [-1 if node.parent is None else position[node.parent] for node in nodes]
        self.paths: list[list[int]] = []
        for index in range(len(nodes)):
            # Pre-order: a parent's path is built before its children's.
            parent = parents[index]
            self.paths.append([index] if parent < 0 else [index, *self.paths[parent]])
        num, den = oversell.numerator, oversell.denominator
        # Plain dicts of every node's max: O(1) lookups per resource name.
        maxes = self._maxes = [dict(node.max.pairs) for node in nodes]
        self.max_base: list[list[int | None]] = [
            [high.get(name) for name in self.names] for high in maxes
        ]
        self.max_limit: list[list[int | None]] = [
            [None if amount is None else amount * num // den for amount in row]
            for row in self.max_base
        ]
        # max × oversell with an unlimited key as infinite, so comparing against it needs no
        # special case.
        caps: list[list[float]] = [
            [math.inf if bound is None else bound for bound in row] for row in self.max_limit
        ]
        # Room left under max × oversell (limit − usage), kept in step with the usage by add():
        # checking a unit against every max on its path is one comparison per node and key.
        self.max_room = [list(row) for row in caps]
        # The tightest max × oversell over each node's path (the node and its ancestors): a
        # request within it fits every max on the path when nothing is used.
        self.path_cap: list[list[float]] = []
        for index, row in enumerate(caps):
            # Pre-order: a parent's cap is built before its children's.
            parent = parents[index]
            above = row if parent < 0 else self.path_cap[parent]
            self.path_cap.append([min(own, cap) for own, cap in zip(row, above, strict=True)])
        self.min = [[node.min[name] for name in self.names] for node in nodes]
        self.runtime_limit: list[list[int | None]] = []
        self.set_runtime(runtime)
        self.total = [total.get(name, 0) for name in self.names]
        width = len(self.names)
        self.usage = [[0] * width for _ in nodes]
        # Canonical quantity strings and whole details, memoised for this cycle: many units of
        # a queue fail the same way.
        self._formatted: dict[tuple[str, int], str] = {}
        self._details: dict[Failure, str] = {}
        self.np_usage = [[0] * width for _ in nodes]

    def set_runtime(self, runtime: Mapping[str, Resources]) -> None:
        """Decide with ``runtime`` (node name → runtime, every node) from now on.

        Runtime complexity: O(n · k) for n nodes and k resources.
        """
        # Koordinator masks runtime to the keys of the quota's max: an unlimited key is not
        # compared (plugin.go PreFilter).
        self.runtime_limit = [
            [granted.get(name, 0) if name in high else None for name in self.names]
            for granted, high in zip(
                (dict(runtime[name].pairs) for name in self.node_names), self._maxes, strict=True
            )
        ]

    def set_runtime_columns(self, columns: Mapping[str, Sequence[int]]) -> None:
        """:meth:`set_runtime` from one runtime column per resource (node positions in
        pre-order); every resource of the ledger must have its column.

        Runtime complexity: O(n · k) for n nodes and k resources.
        """
        rows = [columns[name] for name in self.names]
        self.runtime_limit = [
            [
                row[node] if name in high else None
                for name, row in zip(self.names, rows, strict=True)
            ]
            for node, high in enumerate(self._maxes)
        ]

    # Usage ---------------------------------------------------------------------------------

    def add(self, entry: Entry, sign: int = 1) -> None:
        """Add (or, with ``sign=-1``, remove) a unit's request along its path."""
        usage, max_room = self.usage, self.max_room
        for node in self.paths[entry.leaf]:
            row = usage[node]
            room = max_room[node]
            for index, amount in entry.request:
                row[index] += sign * amount
                room[index] -= sign * amount
        if not entry.unit.preemptible:
            np_usage = self.np_usage
            for node in self.paths[entry.leaf]:
                row = np_usage[node]
                for index, amount in entry.request:
                    row[index] += sign * amount

    def borrows(self, leaf: int, request: Request) -> bool:
        """Whether admitting ``request`` takes ``leaf`` beyond its min on a requested resource."""
        row = self.usage[leaf]
        floor = self.min[leaf]
        # A plain loop: every queued unit passes here, and a generator per call costs more
        # than the comparisons.
        for index, amount in request:  # noqa: SIM110
            if row[index] + amount > floor[index]:
                return True
        return False

    def over_runtime(self, leaf: int) -> list[int]:
        """The resources on which the leaf uses more than its runtime."""
        row = self.usage[leaf]
        limits = self.runtime_limit[leaf]
        return [
            index for index, bound in enumerate(limits) if bound is not None and row[index] > bound
        ]

    # Checks --------------------------------------------------------------------------------

    def check_quota(self, entry: Entry) -> Failure | None:
        """Steps (1) and (2): max × oversell on the path, then runtime at the leaf (or, for a
        non-preemptible unit, min on the path)."""
        failure = self.check_max(entry)
        if failure is None:
            failure = self.check_runtime(entry) if entry.unit.preemptible else self.check_min(entry)
        return failure

    def check_max(self, entry: Entry) -> Failure | None:
        """used + request ≤ floor(max × oversell) at the leaf and every ancestor.

        Runtime complexity: O(d · k) for path depth d and k requested resources.
        """
        max_room, request = self.max_room, entry.request
        for node in self.paths[entry.leaf]:
            room = max_room[node]
            for index, amount in request:
                if amount > room[index]:
                    return self._failure(
                        Reason.EXCEEDS_MAX,
                        node,
                        index,
                        row=self.usage[node],
                        amount=amount,
                        label="max",
                    )
        return None

    def check_runtime(self, entry: Entry) -> Failure | None:
        """used + request ≤ runtime at the leaf, on the keys of its max."""
        row = self.usage[entry.leaf]
        limits = self.runtime_limit[entry.leaf]
        for index, amount in entry.request:
            bound = limits[index]
            if bound is not None and row[index] + amount > bound:
                return self._failure(
                    Reason.EXCEEDS_RUNTIME,
                    entry.leaf,
                    index,
                    row=row,
                    amount=amount,
                    label="runtime",
                )
        return None

    def check_min(self, entry: Entry) -> Failure | None:
        """non-preemptible used + request ≤ min at every node of the path (missing min = 0)."""
        for node in self.paths[entry.leaf]:
            row = self.np_usage[node]
            floor = self.min[node]
            for index, amount in entry.request:
                if row[index] + amount > floor[index]:
                    return self._failure(
                        Reason.EXCEEDS_MIN_NON_PREEMPTIBLE,
                        node,
                        index,
                        row=row,
                        amount=amount,
                        label="min",
                    )
        return None

    def check_total(self, entry: Entry) -> Failure | None:
        """Step (3): room in the cluster total (the root's usage is the cluster's)."""
        row = self.usage[0]
        total = self.total
        for index, amount in entry.request:
            if row[index] + amount > total[index]:
                return Failure(
                    Reason.INSUFFICIENT_CAPACITY,
                    None,
                    TOTAL_LABEL,
                    self.names[index],
                    row[index],
                    amount,
                    total[index],
                    "total",
                )
        return None

    def fits_leaf(self, entry: Entry) -> bool:
        """Whether everything reclaim cannot change holds: max × oversell at the leaf, and
        runtime at the leaf (or min on the path for a non-preemptible unit)."""
        row = self.usage[entry.leaf]
        limits = self.max_limit[entry.leaf]
        for index, amount in entry.request:
            bound = limits[index]
            if bound is not None and row[index] + amount > bound:
                return False
        if entry.unit.preemptible:
            return self.check_runtime(entry) is None
        return self.check_min(entry) is None

    def shortfall(self, entry: Entry) -> dict[tuple[int, int], int]:
        """What other leaves must free: (ancestor, resource) → overshoot of max × oversell,
        and (:data:`TOTAL`, resource) → overshoot of the cluster total."""
        need: dict[tuple[int, int], int] = {}
        for node in self.paths[entry.leaf][1:]:
            row = self.usage[node]
            limits = self.max_limit[node]
            for index, amount in entry.request:
                bound = limits[index]
                if bound is not None and row[index] + amount > bound:
                    need[node, index] = row[index] + amount - bound
        root = self.usage[0]
        for index, amount in entry.request:
            if root[index] + amount > self.total[index]:
                need[TOTAL, index] = root[index] + amount - self.total[index]
        return need

    def never_fits(self, entry: Entry) -> Failure | None:
        """The first place where the request alone exceeds max × oversell, if any.

        Runtime complexity: O(k) for k requested resources when the request fits (the path's
        caps tell at once), O(d · k) for path depth d to name the place otherwise.
        """
        cap = self.path_cap[entry.leaf]
        if all(amount <= cap[index] for index, amount in entry.request):
            return None
        for node in self.paths[entry.leaf]:
            limits = self.max_limit[node]
            for index, amount in entry.request:
                bound = limits[index]
                if bound is not None and amount > bound:
                    return self._failure(
                        Reason.REQUEST_EXCEEDS_MAX_EVER,
                        node,
                        index,
                        row=None,
                        amount=amount,
                        label="max",
                    )
        return None

    def excess(self, entry: Entry) -> dict[int, int]:
        """Per resource, how much must leave the unit's leaf for every check to pass.

        Removing a unit of the same leaf lowers every node of the path and the cluster by its
        request, so the need is the largest overshoot among max × oversell on the path, the
        leaf's runtime (for a preemptible unit) and the total.
        """
        need: dict[int, int] = {}

        def note(index: int, over: int) -> None:
            if over > need.get(index, 0):
                need[index] = over

        for node in self.paths[entry.leaf]:
            row = self.usage[node]
            limits = self.max_limit[node]
            for index, amount in entry.request:
                bound = limits[index]
                if bound is not None:
                    note(index, row[index] + amount - bound)
        if entry.unit.preemptible:
            row = self.usage[entry.leaf]
            runtime = self.runtime_limit[entry.leaf]
            for index, amount in entry.request:
                bound = runtime[index]
                if bound is not None:
                    note(index, row[index] + amount - bound)
        root = self.usage[0]
        for index, amount in entry.request:
            note(index, root[index] + amount - self.total[index])
        return need

    def _failure(
        self,
        reason: Reason,
        node: int,
        index: int,
        *,
        row: list[int] | None,
        amount: int,
        label: str,
    ) -> Failure:
        if label == "max":
            limit = self.max_limit[node][index]
            base = self.max_base[node][index]
        elif label == "runtime":
            limit = self.runtime_limit[node][index]
            base = limit
        else:
            limit = base = self.min[node][index]
        return Failure(
            reason,
            node,
            self.node_names[node],
            self.names[index],
            0 if row is None else row[index],
            amount,
            0 if limit is None else limit,
            label,
            0 if base is None else base,
        )

    def describe(self, failure: Failure) -> str:
        """The failure's detail, its quantities in canonical form."""
        text = self._details.get(failure)
        if text is None:
            text = self._details[failure] = failure.detail(self.oversell, self._format)
        return text

    def _format(self, name: str, amount: int) -> str:
        key = (name, amount)
        text = self._formatted.get(key)
        if text is None:
            text = self._formatted[key] = format_amount(name, amount)
        return text

    # Boundary ------------------------------------------------------------------------------

    def usage_by_node(self) -> dict[str, Resources]:
        """Node name → usage, zero amounts left out."""
        # The resources are sorted and the amounts are ints: the pairs need no checking.
        return {
            name: Resources.from_sorted_pairs(
                tuple(
                    (resource, amount)
                    for resource, amount in zip(self.names, row, strict=True)
                    if amount
                )
            )
            for name, row in zip(self.node_names, self.usage, strict=True)
        }
