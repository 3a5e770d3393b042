"""Least-cost provisioning of new nodes for a replica shortfall.

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
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from invsched.placement._flow import Router, Transport
from invsched.placement._knapsack import cheapest_cover
from invsched.placement.estimate import GrowablePool, InstanceFit, Offer, Shape
from invsched.placement.records import NodeProvision, NodeRelease
from invsched.placement.release import release_nodes

# NodeProvision and NodeRelease live in ``records``, release_nodes in ``release``; they are
# re-exported here so that older imports keep working.
__all__ = [
    "NodeProvision",
    "NodeRelease",
    "Offer",
    "Shape",
    "most_provisionable",
    "plan_provisioning",
    "release_nodes",
]


def _order_key(fit: InstanceFit) -> tuple[Fraction, Decimal, int, str]:
    """The tie-break order of types: price per replica, price, larger nodes, name."""
    return (Fraction(fit.price) / fit.per_node, fit.price, -fit.per_node, fit.name)


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
    offers: Sequence[GrowablePool],
    shapes: Sequence[InstanceFit],
    stock: Mapping[tuple[str, str], int],
) -> tuple[Transport, list[InstanceFit]]:
    """The transport network and the fit of each of its types, in type index order."""
    by_name = {fit.name: fit for fit in shapes}
    transport = Transport(offers, list(by_name.values()), stock)
    return transport, [by_name[name] for name in transport.names]


def most_provisionable(
    offers: Sequence[GrowablePool],
    shapes: Sequence[InstanceFit],
    stock: Mapping[tuple[str, str], int],
) -> int:
    """The most replicas new nodes could hold, all offers and stock together.

    Contract: ``plan_provisioning(s, ...)`` returns ``None`` exactly when
    ``s > most_provisionable(...)``. Types without a fit, with 0 replicas per node or
    without stock in the pool's region, and pools without headroom, add nothing.

    Runtime complexity: O(o + t log t) for o offers and t types when every pool lists one
    usable type; otherwise O(o + t · V · E²) for the greedy over one Edmonds–Karp max-flow
    on V = t + stock pairs + groups vertices and E arcs (groups merge the pools of a region
    with the same types, so V and E do not grow with the number of clusters).

    >>> offer = GrowablePool(cluster="c", region="r", pool="p", headroom=5, types=("a10",))
    >>> most_provisionable([offer], [InstanceFit(name="a10", per_node=2, price=Decimal(1))],
    ...     {("r", "a10"): 3})
    6
    """
    transport, kinds = _problem(offers, shapes, stock)
    return _capacity(transport, [fit.per_node for fit in kinds])


def _cheapest_vector(
    shortfall: int, transport: Transport, kinds: Sequence[InstanceFit]
) -> tuple[list[int], Router | None] | None:
    """Nodes per type index (module notes, step 2), and a router when types compete."""
    sizes = [fit.per_node for fit in kinds]
    capacity = _capacity(transport, sizes)
    if shortfall > capacity:
        return None
    if transport.single and shortfall == capacity:
        return list(transport.bounds), None  # only buying everything covers it
    order = sorted(range(len(kinds)), key=lambda i: _order_key(kinds[i]))
    costs = _integer_prices([fit.price for fit in kinds])
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
    offers: Sequence[GrowablePool],
    shapes: Sequence[InstanceFit],
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

    >>> offers = [GrowablePool(cluster=c, region=c, pool="gpu", headroom=4, types=("a10",))
    ...     for c in ("c1", "c2")]
    >>> plan = plan_provisioning(4, offers, [InstanceFit(name="a10", per_node=1, price=Decimal(2))],
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
    fill = _Fill(offers, stock, base, concentrate=concentrate)
    vector = {kinds[i].name: (i, count) for i, count in enumerate(counts) if count}
    order = sorted(
        vector,
        key=lambda n: (Fraction(kinds[vector[n][0]].price) / kinds[vector[n][0]].per_node, n),
    )
    for name in order:
        kind, count = vector[name]
        fill.place(kinds[kind], kind, count, transport, router)
    hosted = fill.trim(shortfall, {fit.name: fit for fit in kinds})
    plan = [
        NodeProvision(
            cluster=offers[index].cluster,
            pool=offers[index].pool,
            instance_type=fit.name,
            nodes=fill.nodes[index][fit.name],
            replicas=hosted[(index, fit.name)],
            hourly_cost=fit.price * fill.nodes[index][fit.name],
        )
        for index, fit in ((index, kinds[vector[name][0]]) for index, name in hosted)
    ]
    return tuple(sorted(plan, key=lambda p: (p.cluster, p.pool, p.instance_type)))


class _Fill:
    """Water-filling of chosen nodes onto pools (module notes, step 3): mutable, call-local.

    Attributes:
        nodes: pool index → type → nodes placed there.
        totals: cluster → replicas so far (``base`` plus the new nodes' slots).
    """

    def __init__(
        self,
        pools: Sequence[GrowablePool],
        stock: Mapping[tuple[str, str], int],
        base: Mapping[str, int],
        *,
        concentrate: bool,
    ) -> None:
        self.pools = pools
        self.headroom = [pool.headroom for pool in pools]
        self.left = dict(stock)
        self.totals = dict(base)
        self.nodes: dict[int, dict[str, int]] = {}
        self.concentrate = concentrate
        self.sign = -1 if concentrate else 1

    def place(
        self, fit: InstanceFit, kind: int, count: int, transport: Transport, router: Router | None
    ) -> None:
        """Put ``count`` nodes of ``fit`` one at a time on the emptiest (fullest) cluster."""
        name, sign, totals = fit.name, self.sign, self.totals
        heap = [
            (sign * totals.get(pool.cluster, 0), pool.cluster, pool.pool, index)
            for index, pool in enumerate(self.pools)
            if name in pool.types
        ]
        heapq.heapify(heap)
        while count > 0:
            # The vector is routable, so some pool can always take the next node.
            assert heap, "a routable vector always has a pool for its next node"
            key, cluster, pool_name, index = heapq.heappop(heap)
            region = self.pools[index].region
            if self.headroom[index] <= 0 or self.left.get((region, name), 0) <= 0:
                continue
            if key != sign * totals.get(cluster, 0):  # stale: the cluster grew meanwhile
                heapq.heappush(heap, (sign * totals.get(cluster, 0), cluster, pool_name, index))
                continue
            # When types compete, the pool must leave the rest of the vector buyable. A pool
            # refused once stays refused for this type: taking nodes only removes options.
            if router is not None and not router.take(transport.group_of[index], kind):
                continue
            self.headroom[index] -= 1
            self.left[(region, name)] -= 1
            count -= 1
            totals[cluster] = totals.get(cluster, 0) + fit.per_node
            per_type = self.nodes.setdefault(index, {})
            per_type[name] = per_type.get(name, 0) + 1
            heapq.heappush(heap, (sign * totals[cluster], cluster, pool_name, index))

    def trim(self, shortfall: int, fits: Mapping[str, InstanceFit]) -> dict[tuple[int, str], int]:
        """Replicas per (pool index, type), excess slots of the last nodes trimmed."""
        nodes, pools, totals, sign = self.nodes, self.pools, self.totals, self.sign
        hosted = {
            (index, name): count * fits[name].per_node
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
                    -sign * totals[pools[key[0]].cluster],
                    pools[key[0]].cluster,
                    pools[key[0]].pool,
                    key[1],
                ),
            )
            take = (
                min(excess, hosted[(index, name)] - nodes[index][name]) if self.concentrate else 1
            )
            hosted[(index, name)] -= take
            totals[pools[index].cluster] -= take
            excess -= take
        return hosted
