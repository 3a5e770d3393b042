"""Least-cost provisioning of new nodes for a replica shortfall, and its result records.

The problem: ``shortfall`` replicas need new nodes. Each autoscaling pool may add up to its
headroom (``max_nodes − current_nodes``) nodes of the instance types it lists; each region
has a stock per instance type that all pools of the region share; a node of type ``t`` holds
``k_t`` replicas and costs ``price_t`` per hour. Choose how many nodes of each type, and
where, so that they hold at least ``shortfall`` replicas at the least total hourly cost.

How it is solved (every step exact, integer arithmetic for counts and money):

1. Pools of a region that list the same usable types are merged into one group; types,
   (region, type) stock and groups become an integer-indexed transport network
   (:mod:`invsched.placement._flow`). The most replicas new nodes can hold is computed
   directly: ``Σ_t k_t · U_t`` when every group offers one type (``U_t`` = Σ over regions
   of min(stock, headroom of the groups listing ``t``)), else Edmonds' polymatroid greedy
   with one incremental max-flow. A shortfall above it is answered at once.
2. Cost depends only on ``n_t``, the nodes per type. The objective is lexicographic: least
   cost, then fewest nodes, then the most nodes of the first type in the order (price per
   replica, price, larger nodes, name), then of the second, and so on.

   * Every group offers one type: types do not interact and ``0 ≤ n_t ≤ U_t`` is the whole
     constraint, a bounded knapsack cover solved exactly by a table over replicas
     (:mod:`invsched.placement._knapsack`, O(t · S)).
   * Some group offers several: the same table is a relaxation, and its answer is taken
     when one max-flow shows it can be bought; otherwise a small MIP over ``n_t`` and the
     flow, solved by HiGHS in stages and checked with integer arithmetic
     (:mod:`invsched.placement._mip`).
3. The chosen nodes are then placed one at a time on the pool of the cluster with the
   fewest replicas so far (water-filling: the most even spread among equal-cost plans), or
   the most replicas when concentrating (Aggregated); when types compete for pools, a pool
   is taken only if the rest of the vector can still be bought, which one maintained
   max-flow answers in O(1), or one BFS when the flow must be rerouted. Excess slots of the
   last nodes are trimmed from the most loaded clusters.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from invsched.placement._flow import Router, Transport
from invsched.placement._knapsack import cheapest_cover
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
        replicas: how many replicas of the workload they host (≥ 0).
        hourly_cost: ``nodes × hourly_price`` of the type (a finite ``Decimal`` ≥ 0).

    Raises:
        InvalidRequest: a name that is not a non-empty printable string, a count out of
            range, or a cost that is not a finite ``Decimal`` ≥ 0.

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

    def __attrs_post_init__(self) -> None:
        # Checked here, with local imports, so that the record stays self-contained in this
        # module (whose header belongs to the provisioning search).
        from invsched import _validators as check  # noqa: PLC0415
        from invsched.errors import InvalidRequest  # noqa: PLC0415

        check.check_name(InvalidRequest, "NodeProvision.cluster", self.cluster)
        check.check_name(InvalidRequest, "NodeProvision.pool", self.pool)
        check.check_name(InvalidRequest, "NodeProvision.instance_type", self.instance_type)
        check.check_count(InvalidRequest, "NodeProvision.nodes", self.nodes, minimum=1)
        check.check_count(InvalidRequest, "NodeProvision.replicas", self.replicas)
        # A cost is a product of bounded factors (price × nodes): finite, ≥ 0, not bounded.
        check.check_decimal(
            InvalidRequest, "NodeProvision.hourly_cost", self.hourly_cost, bounded=False
        )


@attrs.frozen(kw_only=True)
class NodeRelease:
    """Nodes that a scale-down empties and that their pool can release.

    Attributes:
        cluster, pool, instance_type: where the nodes are.
        nodes: how many become empty (≥ 1).
        hourly_savings: ``nodes × hourly_price`` of the type (a finite ``Decimal`` ≥ 0).

    Raises:
        InvalidRequest: as :class:`NodeProvision`.

    >>> NodeRelease(cluster="c1", pool="gpu", instance_type="a10", nodes=1,
    ...     hourly_savings=Decimal("9.74")).nodes
    1
    """

    cluster: str
    pool: str
    instance_type: str
    nodes: int
    hourly_savings: Decimal

    def __attrs_post_init__(self) -> None:
        # As NodeProvision: checked here, with local imports.
        from invsched import _validators as check  # noqa: PLC0415
        from invsched.errors import InvalidRequest  # noqa: PLC0415

        check.check_name(InvalidRequest, "NodeRelease.cluster", self.cluster)
        check.check_name(InvalidRequest, "NodeRelease.pool", self.pool)
        check.check_name(InvalidRequest, "NodeRelease.instance_type", self.instance_type)
        check.check_count(InvalidRequest, "NodeRelease.nodes", self.nodes, minimum=1)
        check.check_decimal(
            InvalidRequest, "NodeRelease.hourly_savings", self.hourly_savings, bounded=False
        )


def _order_key(shape: Shape) -> tuple[Fraction, Decimal, int, str]:
    """The tie-break order of types: price per replica, price, larger nodes, name."""
    return (Fraction(shape.price) / shape.per_node, shape.price, -shape.per_node, shape.name)


def _integer_prices(prices: Sequence[Decimal]) -> list[int]:
    """Prices in one integer unit (their common denominator, then divided by their gcd)."""
    exact = [Fraction(price) for price in prices]
    unit = math.lcm(1, *(price.denominator for price in exact))
    scaled = [int(price * unit) for price in exact]
    common = math.gcd(*scaled)
    return [price // common for price in scaled] if common > 1 else scaled


def _capacity(transport: Transport, sizes: Sequence[int]) -> int:
    """The most replicas new nodes can hold (see the module notes, step 1)."""
    counts = transport.bounds if transport.single else transport.max_nodes(sizes)
    return sum(size * count for size, count in zip(sizes, counts, strict=True))


def _problem(
    offers: Sequence[Offer], shapes: Sequence[Shape], stock: Mapping[tuple[str, str], int]
) -> tuple[Transport, list[Shape]]:
    """The transport network and the shape of each of its types, in type index order."""
    by_name = {shape.name: shape for shape in shapes}
    transport = Transport(offers, list(by_name.values()), stock)
    return transport, [by_name[name] for name in transport.names]


def most_provisionable(
    offers: Sequence[Offer],
    shapes: Sequence[Shape],
    stock: Mapping[tuple[str, str], int],
) -> int:
    """The most replicas new nodes could hold, all offers and stock together.

    Contract: ``plan_provisioning(s, ...)`` returns ``None`` exactly when
    ``s > most_provisionable(...)``. Types without a shape, with 0 replicas per node or
    without stock in the pool's region, and pools without headroom, add nothing.

    Runtime complexity: O(o + t log t) for o offers and t types when every pool lists one
    usable type; otherwise O(o + t · V · E²) for the greedy over one Edmonds–Karp max-flow
    on V = t + stock pairs + groups vertices and E arcs (groups merge the pools of a region
    with the same types, so V and E do not grow with the number of clusters).

    >>> offer = Offer(cluster="c", region="r", pool="p", headroom=5, types=("a10",))
    >>> most_provisionable([offer], [Shape(name="a10", per_node=2, price=Decimal(1))],
    ...     {("r", "a10"): 3})
    6
    """
    transport, kinds = _problem(offers, shapes, stock)
    return _capacity(transport, [shape.per_node for shape in kinds])


def _cheapest_vector(
    shortfall: int, transport: Transport, kinds: Sequence[Shape]
) -> tuple[list[int], Router | None] | None:
    """Nodes per type index (module notes, step 2), and a router when types compete."""
    sizes = [shape.per_node for shape in kinds]
    capacity = _capacity(transport, sizes)
    if shortfall > capacity:
        return None
    if transport.single and shortfall == capacity:
        return list(transport.bounds), None  # only buying everything covers it
    order = sorted(range(len(kinds)), key=lambda i: _order_key(kinds[i]))
    costs = _integer_prices([shape.price for shape in kinds])
    # The knapsack over the box 0 ≤ n_t ≤ U_t. When every group offers one type the box is
    # the whole constraint. Otherwise it is a relaxation: if its answer can be bought, it
    # is also the answer of the real problem (the real vectors are a subset of the box's, so
    # the key cannot be lower, and the box's lexicographically largest least vector stays
    # the largest in any subset that holds it).
    items = [(costs[i], sizes[i], transport.bounds[i]) for i in order]
    found = cheapest_cover(shortfall, items)
    assert found is not None  # the shortfall is within capacity
    counts = [0] * len(kinds)
    for kind, count in zip(order, found, strict=True):
        counts[kind] = count
    if transport.single:
        return counts, None
    router = transport.router(counts)
    if router is not None:
        return counts, router
    from invsched.placement._mip import cheapest_routed  # noqa: PLC0415 (imports HiGHS)

    routed = cheapest_routed(shortfall, transport, order, costs, sizes)
    assert routed is not None  # the shortfall is within capacity
    router = transport.router(routed)
    assert router is not None  # checked inside cheapest_routed
    return routed, router


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
        shortfall: replicas that need new nodes (> 0; ``()`` for ≤ 0).
        offers: pools that can grow, with only the types that fit one replica.
        shapes: every usable type (replicas per node > 0, price).
        stock: ``(region, type)`` → nodes still for sale, shared by the region's pools.
        base: replicas each cluster already gets, for the spread.
        concentrate: put new nodes on the most loaded cluster first (Aggregated) instead of
            the least loaded (the default: the most even spread).

    Returns:
        One :class:`NodeProvision` per (cluster, pool, type), sorted, whose replicas sum to
        ``shortfall``; each provisioned node hosts at least one replica. The nodes per type
        have the least total price; among those the fewest nodes; among those the most
        nodes of the first type in the order (price per replica, price, larger nodes, name),
        then of the next. ``None`` when ``shortfall > most_provisionable(...)``.

    Raises:
        invsched.placement._mip.SolverError: pools list several types and HiGHS twice
            returned a vector that the exact checks refute (never seen).

    Runtime complexity: O(o + t · S) for o offers, t types and S = ``shortfall`` when every
    pool lists one usable type (a knapsack table); when pools list several types, the
    capacity greedy of :func:`most_provisionable` plus at most t + 1 MIP solves over t
    integers (see :mod:`invsched.placement._mip`). Then O(N log o) to place N new nodes,
    plus O(V + E) per node that needs the flow rerouted when types compete, and
    O(k · h) to trim the k < max replicas-per-node excess slots over h (pool, type) entries.

    >>> offers = [Offer(cluster=c, region=c, pool="gpu", headroom=4, types=("a10",))
    ...     for c in ("c1", "c2")]
    >>> plan = plan_provisioning(4, offers, [Shape(name="a10", per_node=1, price=Decimal(2))],
    ...     {("c1", "a10"): 9, ("c2", "a10"): 9}, base={})
    >>> [(p.cluster, p.nodes, p.replicas, p.hourly_cost) for p in plan]
    [('c1', 2, 2, Decimal('4')), ('c2', 2, 2, Decimal('4'))]
    """
    if shortfall <= 0:
        return ()
    transport, kinds = _problem(offers, shapes, stock)
    chosen = _cheapest_vector(shortfall, transport, kinds)
    if chosen is None:
        return None
    counts, router = chosen
    kind_of = {shape.name: index for index, shape in enumerate(kinds)}
    vector = {kinds[i].name: count for i, count in enumerate(counts) if count}
    by_name = {shape.name: shape for shape in kinds}
    headroom = {index: offer.headroom for index, offer in enumerate(offers)}
    left = dict(stock)
    totals = dict(base)
    nodes: dict[int, dict[str, int]] = {}
    sign = -1 if concentrate else 1
    remaining = dict(vector)
    for name in sorted(vector, key=lambda n: (Fraction(by_name[n].price) / by_name[n].per_node, n)):
        size = by_name[name].per_node
        heap = [
            (sign * totals.get(offer.cluster, 0), offer.cluster, offer.pool, index)
            for index, offer in enumerate(offers)
            if name in offer.types
        ]
        heapq.heapify(heap)
        while remaining[name] > 0:
            # The vector is routable, so some pool can always take the next node.
            assert heap, "a routable vector always has a pool for its next node"
            key, cluster, pool, index = heapq.heappop(heap)
            offer = offers[index]
            if headroom[index] <= 0 or left.get((offer.region, name), 0) <= 0:
                continue
            if key != sign * totals.get(cluster, 0):  # stale: the cluster grew meanwhile
                heapq.heappush(heap, (sign * totals.get(cluster, 0), cluster, pool, index))
                continue
            # When types compete, the pool must leave the rest of the vector buyable. A pool
            # refused once stays refused for this type: taking nodes only removes options.
            if router is not None and not router.take(transport.group_of[index], kind_of[name]):
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
