"""What a simulation measures per quota node over time, kept as the events happen.

Each node's state (usage, pending jobs, pending request) holds from the time it changes until
the next change. Integrals are therefore updated lazily: when a node changes at time ``t``,
the state it leaves is integrated over ``[last change, t)``; the nodes that did not change
cost nothing. So an event costs O(depth · k) for the nodes on its path, never O(nodes).

Only the state after everything at a time (events, then the cycle) lasts: states in between
last zero seconds, and integrate to zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from invsched.admission._ledger import Entry, Ledger
from invsched.resources import Resources
from invsched.simulate.result import QuotaTimeline, _Seconds

__all__ = ["Accounting"]


class Accounting:
    """Integrals and change points per quota node (pre-order positions), over one run."""

    def __init__(self, ledger: Ledger, start: _Seconds) -> None:
        self.ledger = ledger
        self.names = ledger.names
        nodes = len(ledger.node_names)
        width = len(self.names)
        self.minimum = ledger.min
        self.pending = [0] * nodes
        self.pending_request = [[0] * width for _ in range(nodes)]
        # The state each node is in since ``since[node]``, as it was when it started.
        self.since: list[_Seconds] = [start] * nodes
        self.held_usage = [[0] * width for _ in range(nodes)]
        self.held_request = [[0] * width for _ in range(nodes)]
        self.used: list[list[_Seconds]] = [[0] * width for _ in range(nodes)]
        self.borrowed: list[list[_Seconds]] = [[0] * width for _ in range(nodes)]
        self.asked: list[_Seconds] = [0] * nodes
        self.honoured: list[_Seconds] = [0] * nodes
        self.times: list[list[_Seconds]] = [[] for _ in range(nodes)]
        self.samples: list[list[tuple[list[int], int]]] = [[] for _ in range(nodes)]
        self.dirty: set[int] = set()
        self.nothing = [0] * width

    def touch(self, entry: Entry) -> None:
        """The usage of ``entry``'s path changed (it started or stopped)."""
        self.dirty.update(self.ledger.paths[entry.leaf])

    def queued(self, entry: Entry, sign: int) -> None:
        """``entry`` joined (``sign`` 1) or left (-1) its queue."""
        path = self.ledger.paths[entry.leaf]
        self.dirty.update(path)
        for node in path:
            self.pending[node] += sign
            row = self.pending_request[node]
            for index, amount in entry.request:
                row[index] += sign * amount

    def _integrate(self, node: int, until: _Seconds) -> None:
        span = until - self.since[node]
        if span == 0:
            return
        usage = self.held_usage[node]
        request = self.held_request[node]
        floor = self.minimum[node]
        used = self.used[node]
        borrowed = self.borrowed[node]
        asking = within = False
        honoured = True
        for index, amount in enumerate(usage):
            if amount:
                used[index] += amount * span
                if amount > floor[index]:
                    borrowed[index] += (amount - floor[index]) * span
            waiting = request[index]
            if waiting:
                honoured = False
            demand = amount + waiting
            if demand:
                if not asking:
                    asking = within = True
                if demand > floor[index]:
                    within = False
        if asking and within:
            self.asked[node] += span
            if honoured:
                self.honoured[node] += span

    def flush(self, time: _Seconds) -> None:
        """Close the time ``time`` (once per time, after its cycle): the nodes that changed
        start their new state there."""
        usage = self.ledger.usage
        for node in self.dirty:
            self._integrate(node, time)
            self.since[node] = time
            row = usage[node]
            self.held_usage[node] = list(row)
            self.held_request[node] = list(self.pending_request[node])
            sample = (self.held_usage[node], self.pending[node])
            samples = self.samples[node]
            # A point is kept when the state differs from the one before; before the first
            # point, nothing is used and nothing waits.
            if (samples[-1] if samples else (self.nothing, 0)) != sample:
                samples.append(sample)
                self.times[node].append(time)
        self.dirty.clear()

    def finish(self, end: _Seconds) -> None:
        """Integrate every node up to ``end``, the stop time."""
        for node in range(len(self.since)):
            self._integrate(node, end)
            self.since[node] = end

    def amounts(self, row: Sequence[_Seconds]) -> dict[str, _Seconds]:
        """A row of integrals as resource name → amount, zeros left out."""
        return {name: amount for name, amount in zip(self.names, row, strict=True) if amount}

    def timeline(self, node: int) -> QuotaTimeline:
        """The node's change points."""
        names = self.names

        def resources(row: list[int]) -> Resources:
            return Resources.from_sorted_pairs(
                tuple((name, amount) for name, amount in zip(names, row, strict=True) if amount)
            )

        samples = self.samples[node]
        return QuotaTimeline(
            name=self.ledger.node_names[node],
            times=tuple(self.times[node]),
            pending=tuple(pending for _, pending in samples),
            usage=tuple(resources(usage) for usage, _ in samples),
        )
