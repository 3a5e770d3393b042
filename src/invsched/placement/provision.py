"""Least-cost provisioning of new nodes for a replica shortfall, and its result records.

The problem: ``shortfall`` replicas need new nodes. Each autoscaling pool may add up to its
headroom (``max_nodes − current_nodes``) nodes of the instance types it lists; each region
has a stock per instance type that all pools of the region share; a node of type ``t`` holds
``k_t`` replicas and costs ``price_t`` per hour. Choose how many nodes of each type, and
where, so that they hold at least ``shortfall`` replicas at the least total hourly cost.

How it is solved:

1. Cost depends only on ``n_t``, the number of new nodes per type, so a branch and bound
   searches these vectors (types in order of price per replica; the lower bound is the
   remaining replicas × the best price per replica still available). Ties in cost go to
   fewer nodes. The search is exact; on the instance sizes seen in practice (a handful of
   instance types) it visits few vectors.
2. Whether a vector can be bought is a transportation question (type → regional stock →
   pool headroom). When every pool lists one usable type, types do not interact and
   ``n_t ≤ U_t`` (the type's own maximum) decides it; otherwise a small max-flow over
   (region, type) and groups of interchangeable pools decides it.
3. The chosen nodes are then placed one at a time on the pool of the cluster with the
   fewest replicas so far (water-filling: the most even spread among equal-cost plans), or
   the most replicas when concentrating (Aggregated); excess slots of the last nodes are
   trimmed from the most loaded clusters.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from invsched.placement.estimate import Offer, Shape

__all__ = [
    "NodeProvision",
    "NodeRelease",
    "Offer",
    "Shape",
    "most_provisionable",
    "plan_provisioning",
    "release_nodes",
]


@attrs.frozen(kw_only=True)
class NodeProvision:
    """New nodes that one pool of one cluster must add for a placement.

    Attributes:
        cluster: the member cluster.
        pool: the node pool that grows.
        instance_type: the type of the new nodes.
        nodes: how many nodes to add (≥ 1).
        replicas: how many replicas of the workload they host.
        hourly_cost: ``nodes × hourly_price`` of the type.

    >>> NodeProvision(cluster="c1", pool="gpu", instance_type="a10", nodes=2, replicas=2,
    ...     hourly_cost=Decimal("19.48")).hourly_cost
    Decimal('19.48')
    """

    cluster: str
    pool: str
    instance_type: str
    nodes: int
    replicas: int
    hourly_cost: Decimal


@attrs.frozen(kw_only=True)
class NodeRelease:
    """Nodes that a scale-down empties and that their pool can release.

    Attributes:
        cluster, pool, instance_type: where the nodes are.
        nodes: how many become empty.
        hourly_savings: ``nodes × hourly_price`` of the type.

    >>> NodeRelease(cluster="c1", pool="gpu", instance_type="a10", nodes=1,
    ...     hourly_savings=Decimal("9.74")).nodes
    1
    """

    cluster: str
    pool: str
    instance_type: str
    nodes: int
    hourly_savings: Decimal


def _type_capacity(offers: Sequence[Offer], stock: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """U_t: the most nodes of each type that could be bought if no other type were."""
    headroom: dict[tuple[str, str], int] = {}
    for offer in offers:
        for name in offer.types:
            key = (offer.region, name)
            headroom[key] = headroom.get(key, 0) + offer.headroom
    capacity: dict[str, int] = {}
    for (region, name), room in headroom.items():
        capacity[name] = capacity.get(name, 0) + min(room, stock.get((region, name), 0))
    return capacity


def _max_flow(graph: dict[str, dict[str, int]], source: str, sink: str) -> int:
    """Edmonds–Karp over a tiny residual graph (mutated in place; callers pass a copy)."""
    flow = 0
    while True:
        parent = {source: source}
        frontier = [source]
        while frontier and sink not in parent:
            following = []
            for vertex in frontier:
                for target, room in graph[vertex].items():
                    if room > 0 and target not in parent:
                        parent[target] = vertex
                        following.append(target)
            frontier = following
        if sink not in parent:
            return flow
        push = None
        vertex = sink
        while vertex != source:
            room = graph[parent[vertex]][vertex]
            push = room if push is None else min(push, room)
            vertex = parent[vertex]
        assert push is not None
        vertex = sink
        while vertex != source:
            before = parent[vertex]
            graph[before][vertex] -= push
            graph[vertex][before] = graph[vertex].get(before, 0) + push
            vertex = before
        flow += push


def _is_feasible(
    demand: Mapping[str, int],
    offers: Sequence[Offer],
    headroom: Mapping[int, int],
    stock: Mapping[tuple[str, str], int],
) -> bool:
    """Whether ``demand[type]`` new nodes can be bought at once (shared pools and stock)."""
    wanted = sum(demand.values())
    if wanted == 0:
        return True
    # Pools of one region with the same usable types are interchangeable: merge them.
    groups: dict[tuple[str, tuple[str, ...]], int] = {}
    for index, offer in enumerate(offers):
        key = (offer.region, offer.types)
        groups[key] = groups.get(key, 0) + headroom[index]
    graph: dict[str, dict[str, int]] = {"source": {}, "sink": {}}
    for name, count in demand.items():
        if count:
            graph["source"][f"t:{name}"] = count
            graph.setdefault(f"t:{name}", {})
    for (region, types), room in groups.items():
        group = f"g:{region}:{','.join(types)}"
        graph[group] = {"sink": room}
        for name in types:
            if demand.get(name):
                stock_vertex = f"s:{region}:{name}"
                if stock_vertex not in graph:
                    graph[stock_vertex] = {}
                    graph[f"t:{name}"][stock_vertex] = stock.get((region, name), 0)
                graph[stock_vertex][group] = wanted
    return _max_flow(graph, "source", "sink") == wanted


def _ratio(shape: Shape) -> Fraction:
    return Fraction(shape.price) / shape.per_node


def _cheapest_vector(
    shortfall: int,
    shapes: Sequence[Shape],
    capacity: Mapping[str, int],
    feasible: Callable[[Mapping[str, int]], bool] | None,
) -> dict[str, int] | None:
    """Branch and bound over nodes per type: least cost, then fewest nodes, else ``None``."""
    order = sorted(
        (shape for shape in shapes if capacity.get(shape.name, 0) > 0),
        key=lambda shape: (_ratio(shape), shape.price, -shape.per_node, shape.name),
    )
    ratios = [_ratio(shape) for shape in order]
    # largest[i]: the biggest node among types i.., for a lower bound on the nodes still needed.
    largest = [max((shape.per_node for shape in order[i:]), default=1) for i in range(len(order))]
    counts = [0] * len(order)
    best_key: tuple[Decimal, int] | None = None
    best_vector: dict[str, int] | None = None

    def search(index: int, remaining: int, cost: Decimal, nodes: int) -> None:
        nonlocal best_key, best_vector
        if remaining <= 0:
            if best_key is not None and (cost, nodes) >= best_key:
                return
            vector = {order[i].name: counts[i] for i in range(len(order)) if counts[i]}
            if feasible is not None and not feasible(vector):
                return
            best_key, best_vector = (cost, nodes), vector
            return
        if index == len(order):
            return
        # Every remaining replica costs at least the best price per replica still on offer,
        # and needs at least a share of the largest node still on offer. A branch that
        # cannot beat the best (cost, nodes) is cut, ties included: the first found stays.
        if best_key is not None:
            bound = (
                Fraction(cost) + remaining * ratios[index],
                nodes - (-remaining // largest[index]),
            )
            if bound >= (Fraction(best_key[0]), best_key[1]):
                return
        shape = order[index]
        most = min(capacity[shape.name], -(-remaining // shape.per_node))
        for count in range(most, -1, -1):
            counts[index] = count
            search(
                index + 1,
                remaining - count * shape.per_node,
                cost + shape.price * count,
                nodes + count,
            )
        counts[index] = 0

    search(0, shortfall, Decimal(0), 0)
    return best_vector


def _feasibility(
    offers: Sequence[Offer], stock: Mapping[tuple[str, str], int]
) -> Callable[[Mapping[str, int]], bool] | None:
    """A joint feasibility check, or ``None`` when types cannot compete for a pool."""
    if all(len(offer.types) == 1 for offer in offers):
        return None
    headroom = {index: offer.headroom for index, offer in enumerate(offers)}
    return lambda vector: _is_feasible(vector, offers, headroom, stock)


def most_provisionable(
    offers: Sequence[Offer],
    shapes: Sequence[Shape],
    stock: Mapping[tuple[str, str], int],
) -> int:
    """The most replicas new nodes could hold, all offers and stock together.

    Runtime complexity: O(o · t) when every pool lists one usable type; otherwise one
    branch and bound per candidate total, counting down from the per-type bound.

    >>> offer = Offer(cluster="c", region="r", pool="p", headroom=5, types=("a10",))
    >>> most_provisionable([offer], [Shape(name="a10", per_node=2, price=Decimal(1))],
    ...     {("r", "a10"): 3})
    6
    """
    capacity = _type_capacity(offers, stock)
    per_node = {shape.name: shape.per_node for shape in shapes}
    bound = sum(capacity.get(name, 0) * size for name, size in per_node.items())
    feasible = _feasibility(offers, stock)
    if feasible is None:
        return bound
    for total in range(bound, 0, -1):
        if _cheapest_vector(total, shapes, capacity, feasible) is not None:
            return total
    return 0


def plan_provisioning(
    shortfall: int,
    offers: Sequence[Offer],
    shapes: Sequence[Shape],
    stock: Mapping[tuple[str, str], int],
    *,
    base: Mapping[str, int],
    concentrate: bool = False,
) -> tuple[NodeProvision, ...] | None:
    """The least-cost new nodes holding ``shortfall`` replicas, or ``None`` if impossible.

    Args:
        shortfall: replicas that need new nodes (> 0).
        offers: pools that can grow, with only the types that fit one replica.
        shapes: every usable type (replicas per node > 0, price).
        stock: ``(region, type)`` → nodes still for sale, shared by the region's pools.
        base: replicas each cluster already gets, for the spread.
        concentrate: put new nodes on the most loaded cluster first (Aggregated) instead of
            the least loaded (the default: the most even spread).

    Returns:
        One :class:`NodeProvision` per (cluster, pool, type), sorted, whose replicas sum to
        ``shortfall``; each provisioned node hosts at least one replica.

    Runtime complexity: O(N log o) to place N new nodes over o offers, after the branch and
    bound over types (see the module notes).

    >>> offers = [Offer(cluster=c, region=c, pool="gpu", headroom=4, types=("a10",))
    ...     for c in ("c1", "c2")]
    >>> plan = plan_provisioning(4, offers, [Shape(name="a10", per_node=1, price=Decimal(2))],
    ...     {("c1", "a10"): 9, ("c2", "a10"): 9}, base={})
    >>> [(p.cluster, p.nodes, p.replicas, p.hourly_cost) for p in plan]
    [('c1', 2, 2, Decimal('4')), ('c2', 2, 2, Decimal('4'))]
    """
    capacity = _type_capacity(offers, stock)
    feasible = _feasibility(offers, stock)
    vector = _cheapest_vector(shortfall, shapes, capacity, feasible)
    if vector is None:
        return None
    by_name = {shape.name: shape for shape in shapes}
    headroom = {index: offer.headroom for index, offer in enumerate(offers)}
    left = dict(stock)
    totals = dict(base)
    nodes: dict[int, dict[str, int]] = {}
    sign = -1 if concentrate else 1
    remaining = dict(vector)
    for name in sorted(vector, key=lambda n: (_ratio(by_name[n]), n)):
        size = by_name[name].per_node
        heap = [
            (sign * totals.get(offer.cluster, 0), offer.cluster, offer.pool, index)
            for index, offer in enumerate(offers)
            if name in offer.types
        ]
        heapq.heapify(heap)
        aside: list[tuple[int, str, str, int]] = []
        while remaining[name] > 0:
            if not heap:
                # Pools set aside because another type needed them may fit again now.
                heap, aside = aside, []
                heapq.heapify(heap)
            key, cluster, pool, index = heapq.heappop(heap)
            offer = offers[index]
            if headroom[index] <= 0 or left.get((offer.region, name), 0) <= 0:
                continue
            if key != sign * totals.get(cluster, 0):  # stale: the cluster grew meanwhile
                heapq.heappush(heap, (sign * totals.get(cluster, 0), cluster, pool, index))
                continue
            if feasible is not None:
                trial_headroom = dict(headroom)
                trial_headroom[index] -= 1
                trial_stock = dict(left)
                trial_stock[(offer.region, name)] -= 1
                trial = dict(remaining)
                trial[name] -= 1
                if not _is_feasible(trial, offers, trial_headroom, trial_stock):
                    aside.append((key, cluster, pool, index))  # another type needs it now
                    continue
            headroom[index] -= 1
            left[(offer.region, name)] -= 1
            remaining[name] -= 1
            totals[cluster] = totals.get(cluster, 0) + size
            per_type = nodes.setdefault(index, {})
            per_type[name] = per_type.get(name, 0) + 1
            heapq.heappush(heap, (sign * totals[cluster], cluster, pool, index))
    hosted = {
        (index, name): count * by_name[name].per_node
        for index, per_type in nodes.items()
        for name, count in per_type.items()
    }
    excess = sum(hosted.values()) - shortfall
    while excess > 0:
        # Trim from the most loaded cluster (least loaded when concentrating), never
        # leaving a new node without a replica.
        index, name = min(
            (key for key, count in hosted.items() if count > nodes[key[0]][key[1]]),
            key=lambda key: (
                -sign * totals[offers[key[0]].cluster],
                offers[key[0]].cluster,
                offers[key[0]].pool,
                key[1],
            ),
        )
        take = min(excess, hosted[(index, name)] - nodes[index][name])
        if not concentrate:
            take = 1
        hosted[(index, name)] -= take
        totals[offers[index].cluster] -= take
        excess -= take
    plan = [
        NodeProvision(
            cluster=offers[index].cluster,
            pool=offers[index].pool,
            instance_type=name,
            nodes=nodes[index][name],
            replicas=hosted[(index, name)],
            hourly_cost=by_name[name].price * nodes[index][name],
        )
        for index, name in hosted
    ]
    return tuple(sorted(plan, key=lambda p: (p.cluster, p.pool, p.instance_type)))


def release_nodes(
    desired: int,
    kept: Mapping[str, int],
    elastic: Sequence[NodeProvision],
    shapes: Mapping[str, Shape],
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

    >>> shape = Shape(name="a10", per_node=1, price=Decimal(2))
    >>> bought = [NodeProvision(cluster=c, pool="gpu", instance_type="a10", nodes=2, replicas=2,
    ...     hourly_cost=Decimal(4)) for c in ("c1", "c2")]
    >>> counts, released = release_nodes(2, {"c1": 2, "c2": 2}, bought, {"a10": shape},
    ...     lambda n, prev: dict(prev), cost_first=True)
    >>> counts, [(r.cluster, r.nodes, r.hourly_savings) for r in released]
    ({'c1': 1, 'c2': 1}, [('c1', 1, Decimal('2')), ('c2', 1, Decimal('2'))])
    """
    counts = dict(kept)
    to_remove = sum(counts.values()) - desired
    left = {index: item.replicas for index, item in enumerate(elastic)}
    sign = 1 if concentrate else -1

    def key(index: int) -> tuple[Decimal, int, str, str, str, int]:
        item = elastic[index]
        price = shapes[item.instance_type].price
        return (
            -price,
            sign * counts[item.cluster],
            item.cluster,
            item.pool,
            item.instance_type,
            index,
        )

    heap = [key(index) for index in left if left[index] > 0] if cost_first else []
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
    if to_remove > 0:
        counts = dict(divide(desired, counts))
    removed = {name: kept[name] - counts.get(name, 0) for name in kept}
    releases: list[NodeRelease] = []
    for index in sorted(
        range(len(elastic)),
        key=lambda i: (
            -shapes[elastic[i].instance_type].price,
            elastic[i].pool,
            elastic[i].instance_type,
        ),
    ):
        item = elastic[index]
        take = min(removed.get(item.cluster, 0), item.replicas)
        if take <= 0:
            continue
        removed[item.cluster] -= take
        shape = shapes[item.instance_type]
        still = -(-(item.replicas - take) // shape.per_node)
        freed = item.nodes - still
        if freed > 0:
            releases.append(
                NodeRelease(
                    cluster=item.cluster,
                    pool=item.pool,
                    instance_type=item.instance_type,
                    nodes=freed,
                    hourly_savings=shape.price * freed,
                )
            )
    releases.sort(key=lambda r: (r.cluster, r.pool, r.instance_type))
    return {name: count for name, count in counts.items() if count}, tuple(releases)
