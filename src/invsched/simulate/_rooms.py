"""Which buckets of pending units can act in a cycle, one vector comparison each.

A unit acts when the cycle admits it or it preempts (see :mod:`invsched.simulate._admission`).
With ``QueuePolicy.PRIORITY`` and no preemption within a quota, the admission cycle admits a
unit without preempting when its request fits, on every resource it asks for:

* the room under every max × oversell on its path, and in the cluster total;
* its leaf's runtime (a preemptible unit, on the keys of the leaf's max), or the room under
  every min on its path left by the non-preemptible units (a non-preemptible unit).

Failing that, it preempts only when it may reclaim and the victim pool can cover its
shortfall: it fits its leaf's max and the runtime (or the mins) above, stays within its
leaf's min under ``Reclaim.WITHIN_MIN``, and its shortfall at every ancestor's max and in
the total is at most what the pool's bound holds there (``VictimPool.can_cover``). A
shortfall at a node is ``request − room`` there, so that last condition reads
``request ≤ room + bound`` at each ancestor and in the total.

All these limits depend on the leaf, not on the unit: :class:`Rooms` computes them once per
leaf as vectors (the tightest over the path), and a bucket is live exactly when
:meth:`Rooms.can_act` holds for its request — the same answer the ledger's own checks give,
at O(k) per bucket instead of O(depth · k).
"""

from __future__ import annotations

import math

from invsched.admission import Reclaim
from invsched.admission._ledger import Ledger, Request
from invsched.admission._pool import VictimPool

__all__ = ["Rooms"]


class _LeafRooms:
    """One leaf's rooms, per resource column (``math.inf`` where nothing limits)."""

    __slots__ = ("fit", "fit_np", "leaf", "leaf_np", "reclaim", "within")

    def __init__(self, rooms: Rooms, leaf: int) -> None:
        ledger = rooms.ledger
        used = ledger.usage[leaf]
        free = rooms.free
        on_path = rooms.on_path(leaf)
        under_mins = rooms.under_mins(leaf)
        under_runtime: list[float] = [
            math.inf if bound is None else bound - amount
            for bound, amount in zip(ledger.runtime_limit[leaf], used, strict=True)
        ]
        self.fit = list(map(min, free, on_path, under_runtime))
        self.fit_np = list(map(min, free, on_path, under_mins))
        own = ledger.max_room[leaf]
        self.leaf = list(map(min, own, under_runtime))
        self.leaf_np = list(map(min, own, under_mins))
        self.within = [floor - amount for floor, amount in zip(ledger.min[leaf], used, strict=True)]
        parent = rooms.parents[leaf]
        self.reclaim = rooms.reclaim_room(parent) if parent >= 0 else rooms.reclaim_total


class Rooms:
    """The rooms of the leaves of one state (usage, runtime, pool), built when first asked."""

    def __init__(self, ledger: Ledger, pool: VictimPool, reclaim: Reclaim) -> None:
        self.ledger = ledger
        self.pool = pool
        self.reclaim = reclaim
        self.leaves: dict[int, _LeafRooms] = {}
        paths = ledger.paths
        self.parents = [path[1] if len(path) > 1 else -1 for path in paths]
        width = len(ledger.names)
        root = ledger.usage[0]
        self.free: list[float] = [ledger.total[i] - root[i] for i in range(width)]
        # Memos per node: the tightest room over the path from the node to the root.
        self._on_path: dict[int, list[float]] = {}
        self._under_mins: dict[int, list[float]] = {}
        self._reclaim: dict[int, list[float]] = {}
        bound = pool.bound
        if reclaim is Reclaim.NONE:
            self.reclaim_total: list[float] = [-1] * width
        else:
            # The root's bound stands for the total's (every leaf lies below the root).
            self.reclaim_total = [self.free[i] + bound.get((0, i), 0) for i in range(width)]

    def on_path(self, node: int) -> list[float]:
        """Per column, the least room under max × oversell from ``node`` up to the root."""
        row = self._on_path.get(node)
        if row is None:
            own = self.ledger.max_room[node]
            parent = self.parents[node]
            row = list(own) if parent < 0 else list(map(min, own, self.on_path(parent)))
            self._on_path[node] = row
        return row

    def under_mins(self, node: int) -> list[float]:
        """Per column, the least room under min left by non-preemptible units, up the path."""
        row = self._under_mins.get(node)
        if row is None:
            ledger = self.ledger
            own: list[float] = [
                floor - used
                for floor, used in zip(ledger.min[node], ledger.np_usage[node], strict=True)
            ]
            parent = self.parents[node]
            row = own if parent < 0 else list(map(min, own, self.under_mins(parent)))
            self._under_mins[node] = row
        return row

    def reclaim_room(self, node: int) -> list[float]:
        """Per column, the most a request may exceed the room at ``node`` and its ancestors
        and still have its shortfall covered by the pool's bound (and in the total)."""
        row = self._reclaim.get(node)
        if row is None:
            if self.reclaim is Reclaim.NONE:
                row = self.reclaim_total
            else:
                bound = self.pool.bound
                own = [
                    room + bound.get((node, i), 0)
                    for i, room in enumerate(self.ledger.max_room[node])
                ]
                parent = self.parents[node]
                above = self.reclaim_total if parent < 0 else self.reclaim_room(parent)
                row = list(map(min, own, above))
            self._reclaim[node] = row
        return row

    def can_act(self, leaf: int, request: Request, preemptible: bool) -> bool:
        """Whether a unit of ``leaf`` asking ``request`` would be admitted or preempt if the
        cycle decided it now.

        Runtime complexity: O(k) for k requested resources, plus O(d · k') the first time
        a leaf is asked about (depth d, k' resource names).
        """
        rooms = self.leaves.get(leaf)
        if rooms is None:
            rooms = self.leaves[leaf] = _LeafRooms(self, leaf)
        fit = rooms.fit if preemptible else rooms.fit_np
        for index, amount in request:
            if amount > fit[index]:
                break
        else:
            return True
        at_leaf = rooms.leaf if preemptible else rooms.leaf_np
        reclaim = rooms.reclaim
        for index, amount in request:
            if amount > at_leaf[index] or amount > reclaim[index]:
                return False
        if self.reclaim is Reclaim.WITHIN_MIN:
            within = rooms.within
            return all(amount <= within[index] for index, amount in request)
        return True
