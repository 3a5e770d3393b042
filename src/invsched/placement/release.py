"""Scale-in from a previous placement: which replicas leave and which elastic nodes empty.

A :class:`~invsched.placement.Placement` passed as ``previous`` says where the replicas run
and which nodes were bought for them (``provisioning``). Scaling it down removes replicas
from the most expensive elastic capacity first (with ``ecs_provision``), then follows
Karmada's scale-down (the new total split by the previous counts). Within a cluster removed
replicas always come off its most expensive elastic nodes first, and the nodes they empty
are listed as :class:`~invsched.placement.NodeRelease`.

Scale-down from an observed snapshot (``current``) is the sibling module
:mod:`invsched.placement.observed`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from invsched.placement.estimate import InstanceFit
from invsched.placement.records import NodeProvision, NodeRelease

__all__ = ["release_nodes"]


def release_nodes(
    desired: int,
    kept: Mapping[str, int],
    elastic: Sequence[NodeProvision],
    shapes: Mapping[str, InstanceFit],
    divide: Callable[[int, Mapping[str, int]], Mapping[str, int]],
    *,
    cost_first: bool,
    concentrate: bool = False,
) -> tuple[dict[str, int], tuple[NodeRelease, ...]]:
    """Scale ``kept`` down to ``desired`` replicas and say which elastic nodes empty.

    Args:
        desired: the new total (< Σ kept).
        kept: cluster → replicas now.
        elastic: the nodes bought for those replicas (``NodeProvision`` of the previous
            placement); the rest of each cluster's replicas run on existing nodes.
        shapes: instance type → replicas per node and price.
        divide: Karmada's scale-down for what is left to remove (``divide_dynamic`` or
            ``divide_aggregated`` with ``previous``): split ``desired`` by previous counts.
        cost_first: first take replicas off the most expensive elastic capacity (the
            ``ecs_provision`` rule), one at a time, from the cluster with the most replicas
            (the fewest when ``concentrate``), ties by name.

    Within a cluster, replicas always leave the most expensive elastic nodes first; the
    remaining replicas of a group are assumed consolidated (the autoscaler's scale-in then
    frees ``nodes − ceil(left / per_node)`` nodes).

    Runtime complexity: O((r + g) log g) for r replicas removed by cost and g elastic
    groups, plus the division.

    >>> fit = InstanceFit(name="a10", per_node=1, price=Decimal(2))
    >>> bought = [NodeProvision(cluster=c, pool="gpu", instance_type="a10", nodes=2, replicas=2,
    ...     hourly_cost=Decimal(4)) for c in ("c1", "c2")]
    >>> counts, released = release_nodes(2, {"c1": 2, "c2": 2}, bought, {"a10": fit},
    ...     lambda n, prev: dict(prev), cost_first=True)
    >>> counts, [(r.cluster, r.nodes, r.hourly_savings) for r in released]
    ({'c1': 1, 'c2': 1}, [('c1', 1, Decimal('2')), ('c2', 1, Decimal('2'))])
    """
    counts = dict(kept)
    to_remove = sum(counts.values()) - desired
    if cost_first:
        to_remove = _remove_by_cost(to_remove, counts, elastic, shapes, concentrate=concentrate)
    if to_remove > 0:
        counts = dict(divide(desired, counts))
    removed = {name: kept[name] - counts.get(name, 0) for name in kept}
    releases = _emptied(removed, elastic, shapes)
    return {name: count for name, count in counts.items() if count}, releases


def _remove_by_cost(
    to_remove: int,
    counts: dict[str, int],
    elastic: Sequence[NodeProvision],
    fits: Mapping[str, InstanceFit],
    *,
    concentrate: bool,
) -> int:
    """Take replicas off the most expensive elastic capacity, one at a time; updates
    ``counts`` and returns how many are still to remove."""
    left = {index: item.replicas for index, item in enumerate(elastic)}
    sign = 1 if concentrate else -1

    def key(index: int) -> tuple[Decimal, int, str, str, str, int]:
        item = elastic[index]
        price = fits[item.instance_type].price
        return (
            -price,
            sign * counts[item.cluster],
            item.cluster,
            item.pool,
            item.instance_type,
            index,
        )

    heap = [key(index) for index in left if left[index] > 0]
    heapq.heapify(heap)
    while heap and to_remove > 0:
        entry = heapq.heappop(heap)
        index = entry[-1]
        if entry != key(index):  # stale: the cluster shrank meanwhile
            heapq.heappush(heap, key(index))
            continue
        left[index] -= 1
        counts[elastic[index].cluster] -= 1
        to_remove -= 1
        if left[index] > 0:
            heapq.heappush(heap, key(index))
    return to_remove


def _emptied(
    removed: dict[str, int],
    elastic: Sequence[NodeProvision],
    fits: Mapping[str, InstanceFit],
) -> tuple[NodeRelease, ...]:
    """The elastic nodes that the removals empty, most expensive groups first, sorted."""
    releases: list[NodeRelease] = []
    for index in sorted(
        range(len(elastic)),
        key=lambda i: (
            -fits[elastic[i].instance_type].price,
            elastic[i].pool,
            elastic[i].instance_type,
        ),
    ):
        item = elastic[index]
        take = min(removed.get(item.cluster, 0), item.replicas)
        if take <= 0:
            continue
        removed[item.cluster] -= take
        fit = fits[item.instance_type]
        # The group's remaining replicas are assumed consolidated on as few nodes as hold them.
        still = -(-(item.replicas - take) // fit.per_node)
        freed = item.nodes - still
        if freed > 0:
            releases.append(
                NodeRelease(
                    cluster=item.cluster,
                    pool=item.pool,
                    instance_type=item.instance_type,
                    nodes=freed,
                    hourly_savings=fit.price * freed,
                )
            )
    releases.sort(key=lambda r: (r.cluster, r.pool, r.instance_type))
    return tuple(releases)
