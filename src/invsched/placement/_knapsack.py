"""Exact bounded knapsack cover: least cost, then fewest items, then a fixed tie-break.

``cheapest_cover(S, items)`` with ``items[i] = (cost_i, size_i, bound_i)`` (integers,
``cost ≥ 0``, ``size ≥ 1``, ``bound ≥ 0``) minimises ``Σ cost_i n_i`` subject to
``Σ size_i n_i ≥ S`` and ``0 ≤ n_i ≤ bound_i``; among vectors of least cost it takes the
fewest items ``Σ n_i``, and among those the lexicographically largest ``(n_0, n_1, …)``: the
caller lists items in its tie-break order, so the earliest item gets as much as possible.

Method: a suffix table ``F_i(r)`` = the least ``(cost, items)`` covering ``r`` with items
``i..``, encoded as one integer ``cost · W + items`` (``W`` exceeds any item count, so
integer order is lexicographic order), is computed from ``F_{i+1}`` in O(S): for each residue
``ρ`` of ``r`` modulo ``size_i``, ``F_i(ρ + q·size) = q·D + min over j in [q − bound, q] of
(F_{i+1}(ρ + j·size) − j·D)`` with ``D = cost · W + 1`` the key of one item (``j = −1`` stands
for "covered with room to spare": key 0), a sliding-window minimum kept in a monotone deque.
The vector is read forward: the largest ``n_0`` that keeps ``F_0(S)``, then ``n_1``, …
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

__all__ = ["cheapest_cover"]


def cheapest_cover(shortfall: int, items: Sequence[tuple[int, int, int]]) -> list[int] | None:
    """The least ``(cost, count)`` vector covering ``shortfall``, or ``None`` if none does.

    Runtime complexity: O(t · S) time and memory for t items and S = ``shortfall``.

    >>> cheapest_cover(5, [(400, 4, 9), (330, 3, 9)])  # two 3s (660) beat 4 + 3 (730)
    [0, 2]
    >>> cheapest_cover(4, [(1, 1, 9), (2, 2, 9)])  # equal cost: fewer items
    [0, 2]
    >>> cheapest_cover(3, [(1, 1, 9), (1, 1, 9)])  # equal everything: the first item first
    [3, 0]
    >>> cheapest_cover(7, [(1, 2, 3)]) is None
    True
    """
    if shortfall <= 0:
        return [0] * len(items)
    # No least vector holds more of an item than covers the shortfall alone.
    bounds = [min(bound, -(-shortfall // size)) for _, size, bound in items]
    width = sum(bounds) + 1
    unreachable = (
        sum(cost * bound for (cost, _, _), bound in zip(items, bounds, strict=True)) + 1
    ) * width
    tables = [[unreachable] * (shortfall + 1) for _ in range(len(items) + 1)]
    tables[-1][0] = 0
    for index in range(len(items) - 1, -1, -1):
        cost, size, _ = items[index]
        bound = bounds[index]
        step = cost * width + 1
        after, table = tables[index + 1], tables[index]
        for residue in range(min(size, shortfall + 1)):
            # Window of (j, F_{i+1}(ρ + j·size) − j·step), increasing in the second field.
            window: deque[tuple[int, int]] = deque()
            if residue:
                window.append((-1, step))  # one more item overshoots: F = 0 below zero
            for q, r in enumerate(range(residue, shortfall + 1, size)):
                value = after[r]
                if value < unreachable:
                    shifted = value - q * step
                    while window and window[-1][1] >= shifted:
                        window.pop()
                    window.append((q, shifted))
                while window and window[0][0] < q - bound:
                    window.popleft()
                if window:
                    table[r] = q * step + window[0][1]
    if tables[0][shortfall] >= unreachable:
        return None
    counts = []
    left = shortfall
    for index, (cost, size, _) in enumerate(items):
        step = cost * width + 1
        target, after = tables[index][left], tables[index + 1]
        count = min(bounds[index], -(-left // size))
        while count * step + after[max(left - count * size, 0)] != target:
            count -= 1
        counts.append(count)
        left = max(left - count * size, 0)
    return counts
