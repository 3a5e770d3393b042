"""Scale-down from what a controller observes: which replicas go, which nodes empty.

A controller is stateless: each reconcile sees a fresh fleet snapshot, not the
:class:`~invsched.placement.Placement` it planned before. What it can see is where the
workload's replicas run now: ``current``, cluster → node → replicas, already counted in
those nodes' ``requested`` and ``pods``. (Node names are unique within a cluster only, hence
the cluster level.)

Scaling down removes replicas node by node in this order (:func:`removal_order`):

1. nodes of an autoscaling pool (elastic capacity) before any other node;
2. the most expensive node first (its instance type's hourly price: the node's
   ``node.kubernetes.io/instance-type`` label, else its pool's first listed type);
3. the node with the fewest replicas of the workload first, so that nodes empty early;
4. the cluster with the most replicas left first (the fewest when concentrating, as
   ``Aggregated`` does), then the cluster's name, then the node's name.

With ``ecs_provision`` this order alone decides (cheapest capacity is what stays). Without
it, Karmada's scale-down decides the clusters' new counts (``divide``), and the order only
picks the nodes within each cluster. A node of an autoscaling pool whose pods were all this
workload's replicas, and that loses all of them, is released (``scale_in``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from invsched._validators import FieldError, check_count, check_mapping, check_name, render, short
from invsched.errors import InvalidRequest
from invsched.placement.fleet import Cluster, Fleet, Node
from invsched.placement.records import NodeRelease

__all__ = ["INSTANCE_TYPE_LABEL", "ObservedNode", "observe", "release_observed", "removal_order"]

#: The well-known Kubernetes node label naming a node's instance type.
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


@attrs.frozen(kw_only=True)
class ObservedNode:
    """One node that runs replicas of the workload now.

    Attributes:
        cluster, name: where it is.
        replicas: the workload's replicas on it.
        elastic: it belongs to an autoscaling pool (it can be released).
        pool: its pool, or ``None``.
        instance_type: its instance type, or ``None`` when unknown.
        price: that type's hourly price (0 when unknown).
        only_workload: every pod on it is a replica of the workload.
    """

    cluster: str
    name: str
    replicas: int
    elastic: bool
    pool: str | None
    instance_type: str | None
    price: Decimal
    only_workload: bool


def _node_type(cluster: Cluster, node: Node) -> str | None:
    label = node.labels.get(INSTANCE_TYPE_LABEL)
    if label:
        return label
    for pool in cluster.pools:
        if pool.name == node.pool and pool.instance_types:
            return pool.instance_types[0]
    return None


def observe(fleet: Fleet, current: object, candidates: frozenset[str]) -> list[ObservedNode]:
    """Check ``current`` (cluster → node → replicas) against ``fleet`` and describe every
    node that runs replicas, in clusters among ``candidates``.

    Raises:
        InvalidRequest: ``current`` is not a mapping of cluster → node → count ≥ 0, names a
            cluster or node the fleet does not have, or puts more replicas on a node than
            the node runs pods.

    Runtime complexity: O(N) for N nodes named in ``current`` plus O(c) for c clusters.
    """
    clusters = {cluster.name: cluster for cluster in fleet.clusters}
    prices = {item.name: item.hourly_price or Decimal(0) for item in fleet.catalog}
    outer = check_mapping(InvalidRequest, "current", current, check_name, _check_inner)
    observed: list[ObservedNode] = []
    for cluster_name, nodes in outer.items():
        cluster = clusters.get(cluster_name)
        if cluster is None:
            raise InvalidRequest(
                f"current[{render(cluster_name)}]", "no cluster of the fleet has that name"
            )
        by_name = {node.name: node for node in cluster.nodes}
        autoscaling = {pool.name for pool in cluster.pools if pool.autoscaling}
        for node_name, count in nodes.items():
            where = f"current[{render(cluster_name)}][{render(node_name)}]"
            node = by_name.get(node_name)
            if node is None:
                raise InvalidRequest(where, f"cluster {short(cluster_name)} has no such node")
            if count > node.pods:
                raise InvalidRequest(
                    where, f"{count} replicas on a node that runs {node.pods} pods"
                )
            if count == 0 or cluster_name not in candidates:
                continue
            kind = _node_type(cluster, node)
            price = prices.get(kind, Decimal(0)) if kind is not None else Decimal(0)
            observed.append(
                ObservedNode(
                    cluster=cluster_name,
                    name=node_name,
                    replicas=count,
                    elastic=node.pool in autoscaling,
                    pool=node.pool,
                    instance_type=kind,
                    price=price,
                    only_workload=node.pods == count,
                )
            )
    return observed


def _check_inner(error: FieldError, field: str, value: object) -> object:
    return check_mapping(error, field, value, check_name, check_count)


def removal_order(
    node: ObservedNode, left: int, cluster_left: int, *, concentrate: bool
) -> tuple[bool, Decimal, int, int, str, str]:
    """The key that orders nodes for removal (smallest first); see the module notes.

    ``left`` is the node's replicas still there, ``cluster_left`` its cluster's.

    >>> node = ObservedNode(cluster="c1", name="n1", replicas=1, elastic=True, pool="gpu",
    ...     instance_type="a10", price=Decimal("9.74"), only_workload=True)
    >>> removal_order(node, 1, 2, concentrate=False)
    (False, Decimal('-9.74'), 1, -2, 'c1', 'n1')
    """
    spread = cluster_left if concentrate else -cluster_left
    return (not node.elastic, -node.price, left, spread, node.cluster, node.name)


def release_observed(
    desired: int,
    nodes: list[ObservedNode],
    divide: Callable[[int, Mapping[str, int]], Mapping[str, int]] | None,
    *,
    concentrate: bool = False,
) -> tuple[dict[str, int], tuple[NodeRelease, ...]]:
    """Scale the replicas on ``nodes`` down to ``desired``; say which nodes empty.

    Args:
        desired: the new total (< the replicas on ``nodes``).
        nodes: :func:`observe`'s description of where replicas run now.
        divide: Karmada's scale-down of the cluster counts (``desired``, counts now) when
            ``ecs_provision`` is off; ``None`` to let :func:`removal_order` decide alone.
        concentrate: prefer to empty the clusters with the fewest replicas (Aggregated).

    Returns:
        The replicas per cluster after the scale-down (clusters left with none omitted) and
        the released nodes grouped per (cluster, pool, instance type), sorted.

    Runtime complexity: O(N log N) for N nodes, whatever the replicas removed (a node is
    emptied in one step), plus the division.

    >>> nodes = [ObservedNode(cluster=c, name=n, replicas=1, elastic=True, pool="gpu",
    ...     instance_type="a10", price=Decimal(2), only_workload=True)
    ...     for c in ("c1", "c2") for n in ("n1", "n2")]
    >>> counts, released = release_observed(2, nodes, None)
    >>> counts, [(r.cluster, r.nodes, r.hourly_savings) for r in released]
    ({'c1': 1, 'c2': 1}, [('c1', 1, Decimal('2')), ('c2', 1, Decimal('2'))])
    """
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.cluster] = counts.get(node.cluster, 0) + node.replicas
    # What each cluster must give up: decided by Karmada's division, or (with the removal
    # order alone deciding) as much as the whole scale-down, in one shared budget.
    to_remove = sum(counts.values()) - desired
    if divide is None:
        quota = dict.fromkeys(counts, to_remove)
    else:
        target = divide(desired, counts)
        quota = {name: count - target.get(name, 0) for name, count in counts.items()}
    left = [node.replicas for node in nodes]
    _remove(nodes, left, counts, quota, to_remove, shared=divide is None, concentrate=concentrate)
    released: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for node, still in zip(nodes, left, strict=True):
        # Only an emptied node of an autoscaling pool, of a known type, is released.
        if still or not node.elastic or not node.only_workload or node.instance_type is None:
            continue
        assert node.pool is not None  # elastic nodes belong to a pool
        group = (node.cluster, node.pool, node.instance_type)
        count, savings = released.get(group, (0, Decimal(0)))
        released[group] = (count + 1, savings + node.price)
    releases = tuple(
        NodeRelease(
            cluster=cluster, pool=pool, instance_type=kind, nodes=count, hourly_savings=savings
        )
        for (cluster, pool, kind), (count, savings) in sorted(released.items())
    )
    return {name: count for name, count in counts.items() if count}, releases


def _remove(
    nodes: list[ObservedNode],
    left: list[int],
    counts: dict[str, int],
    quota: dict[str, int],
    to_remove: int,
    *,
    shared: bool,
    concentrate: bool,
) -> None:
    """Take ``to_remove`` replicas off ``nodes`` in :func:`removal_order`, updating ``left``
    and ``counts`` in place; a cluster gives at most its ``quota`` (unless ``shared``, where
    the one budget is ``to_remove``).

    The order's key is a node part (elastic, price, replicas left), then a cluster part
    (replicas left in the cluster, its name), then the node's name. Each cluster keeps a heap
    of its nodes by the node part, and one heap holds each cluster's best node with the
    cluster part: a removal changes only its own cluster's entry, so no entry of another
    cluster goes stale.

    Removing one replica lowers the node's key (fewer replicas left comes first, and its
    cluster's count is compared after that), so it stays the smallest: removing one at a
    time would take it again until it is empty or a budget is spent. That many go at once.

    Runtime complexity: O(N log N) for N nodes, whatever the replicas removed.
    """
    members: dict[str, list[tuple[bool, Decimal, int, str, int]]] = {}
    for index, node in enumerate(nodes):
        entry = (not node.elastic, -node.price, left[index], node.name, index)
        members.setdefault(node.cluster, []).append(entry)
    for heap in members.values():
        heapq.heapify(heap)

    def cluster_entry(cluster: str) -> tuple[bool, Decimal, int, int, str, str, int]:
        elastic, price, still, name, index = members[cluster][0]
        spread = counts[cluster] if concentrate else -counts[cluster]
        return (elastic, price, still, spread, cluster, name, index)

    clusters = [cluster_entry(cluster) for cluster in members]
    heapq.heapify(clusters)
    while clusters and to_remove > 0:
        *_, cluster, _, index = heapq.heappop(clusters)
        budget = to_remove if shared else max(quota[cluster], 0)
        taken = min(left[index], to_remove, budget)
        left[index] -= taken
        counts[cluster] -= taken
        to_remove -= taken
        if not shared:
            quota[cluster] -= taken
        heap = members[cluster]
        if left[index]:
            elastic, price, _, name, _ = heap[0]
            heapq.heapreplace(heap, (elastic, price, left[index], name, index))
        else:
            heapq.heappop(heap)
        if heap and (shared or quota[cluster] > 0):
            heapq.heappush(clusters, cluster_entry(cluster))
