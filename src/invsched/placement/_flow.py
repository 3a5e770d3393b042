"""Integer-indexed transport network for provisioning: capacity, feasibility, routing.

New nodes flow ``type → (region, type) stock → group → sink``: a group is the set of pools of
one region that list the same usable types (they are interchangeable, so their headroom
adds up). Vertices are integer indices and arcs positions in flat lists: no vertex is ever
named by a string built from instance-type, pool or region names, so no name can collide
with another or with the source and the sink.

Nodes per type that can be bought together form an integral polymatroid (the vectors a
network can route from its sources; max-flow min-cut gives the rank function
``f(A) = max flow from the types in A``). Two consequences used by :mod:`provision`:

* the most replicas is a max-weight point of that polymatroid, which Edmonds' greedy finds:
  fill types in decreasing replicas per node, each as far as the max-flow allows
  (:meth:`Transport.max_nodes`);
* feasibility of a vector is one max-flow that saturates every source arc
  (:meth:`Transport.router`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from invsched.placement.estimate import GrowablePool, InstanceFit

__all__ = ["Router", "Transport"]

_SOURCE = 0
_SINK = 1


class _Network:
    """A residual graph over vertices ``0..n-1``; arc ``a`` and its reverse ``a ^ 1``."""

    def __init__(self, vertices: int) -> None:
        self.head: list[int] = []
        self.room: list[int] = []  # residual capacity per arc
        self.out: list[list[int]] = [[] for _ in range(vertices)]

    def add_arc(self, tail: int, head: int, capacity: int) -> int:
        arc = len(self.head)
        self.head += (head, tail)
        self.room += (capacity, 0)
        self.out[tail].append(arc)
        self.out[head].append(arc + 1)
        return arc

    def path(self, start: int, goal: int) -> list[int] | None:
        """Arcs of a shortest path with residual room from ``start`` to ``goal`` (BFS)."""
        via: dict[int, int] = {start: -1}
        frontier = deque((start,))
        while frontier:
            vertex = frontier.popleft()
            for arc in self.out[vertex]:
                target = self.head[arc]
                if self.room[arc] > 0 and target not in via:
                    via[target] = arc
                    if target == goal:
                        arcs = []
                        while target != start:
                            arcs.append(via[target])
                            target = self.head[arcs[-1] ^ 1]
                        return arcs
                    frontier.append(target)
        return None

    def push(self, arcs: Iterable[int], amount: int) -> None:
        for arc in arcs:
            self.room[arc] -= amount
            self.room[arc ^ 1] += amount

    def augment(self) -> int:
        """Edmonds–Karp from the source to the sink: the flow added."""
        total = 0
        while (arcs := self.path(_SOURCE, _SINK)) is not None:
            amount = min(self.room[arc] for arc in arcs)
            self.push(arcs, amount)
            total += amount
        return total


class Transport:
    """The pools, stock and usable types of a provisioning problem, as integer indices.

    Attributes:
        names: usable instance types (with an InstanceFit, replicas per node > 0, listed by a pool
            with headroom in a region with stock), sorted; type ``i`` is ``names[i]``.
        groups: ``(region, type indices)`` per group of interchangeable pools.
        headroom: nodes each group can add.
        group_of: offer index → its group (offers that can add nothing are absent).
        stock: ``(region, type index)`` → nodes for sale, for every pair a group uses.
        bounds: per type, the most nodes it could get if no other type were bought:
            Σ over regions of min(stock, headroom of the groups listing it).

    Runtime complexity: O(o · p) to build, for o offers listing p types each.

    >>> from decimal import Decimal
    >>> offers = [GrowablePool(cluster="c1", region="r", pool="p", headroom=2, types=("a", "b")),
    ...     GrowablePool(cluster="c2", region="r", pool="q", headroom=1, types=("a",))]
    >>> fits = [InstanceFit(name=n, per_node=k, price=Decimal(1)) for n, k in (("a", 1), ("b", 3))]
    >>> transport = Transport(offers, fits, {("r", "a"): 3, ("r", "b"): 2})
    >>> transport.names, transport.bounds, transport.single
    (('a', 'b'), [3, 2], False)
    >>> transport.max_nodes([1, 3])  # two 3-replica nodes in c1, one 1-replica node in c2
    [1, 2]
    >>> transport.router([3, 0]) is None, transport.router([1, 2]) is not None
    (False, True)
    """

    def __init__(
        self,
        offers: Sequence[GrowablePool],
        shapes: Sequence[InstanceFit],
        stock: Mapping[tuple[str, str], int],
    ) -> None:
        usable = {fit.name for fit in shapes if fit.per_node > 0}
        per_offer: list[tuple[int, str, tuple[str, ...]]] = []
        seen: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}  # pools repeat
        for index, offer in enumerate(offers):
            if offer.headroom <= 0:
                continue
            types = seen.get((offer.region, offer.types))
            if types is None:
                types = seen[(offer.region, offer.types)] = tuple(
                    sorted(
                        {
                            name
                            for name in offer.types
                            if name in usable and stock.get((offer.region, name), 0) > 0
                        }
                    )
                )
            if types:
                per_offer.append((index, offer.region, types))
        self.names: tuple[str, ...] = tuple(sorted({n for _, _, ts in per_offer for n in ts}))
        position = {name: i for i, name in enumerate(self.names)}
        # Keyed by the names (a tuple, never a joined string); stored as type indices.
        keys: dict[tuple[str, tuple[str, ...]], int] = {}
        self.groups: list[tuple[str, tuple[int, ...]]] = []
        self.headroom: list[int] = []
        self.group_of: dict[int, int] = {}
        for index, region, types in per_offer:
            group = keys.get((region, types))
            if group is None:
                group = keys[(region, types)] = len(self.groups)
                self.groups.append((region, tuple(position[name] for name in types)))
                self.headroom.append(0)
            self.group_of[index] = group
            self.headroom[group] += offers[index].headroom
        self.stock: dict[tuple[str, int], int] = {}
        room: dict[tuple[str, int], int] = {}
        for (region, kinds), headroom in zip(self.groups, self.headroom, strict=True):
            for kind in kinds:
                self.stock[(region, kind)] = stock[(region, self.names[kind])]
                room[(region, kind)] = room.get((region, kind), 0) + headroom
        self.bounds = [0] * len(self.names)
        for pair, count in self.stock.items():
            self.bounds[pair[1]] += min(count, room[pair])

    @property
    def single(self) -> bool:
        """Whether every group offers one type: types then never compete for headroom."""
        return all(len(types) == 1 for _, types in self.groups)

    def router(self, demand: Sequence[int]) -> Router | None:
        """A :class:`Router` holding ``demand[i]`` nodes of each type, or ``None`` if none can.

        Runtime complexity: O(V · E²) (Edmonds–Karp) for V = types + stock pairs + groups
        vertices and E arcs.
        """
        router = Router(self, demand)
        return router if router.routed == sum(demand) else None

    def max_nodes(self, per_node: Sequence[int]) -> list[int]:
        """A vector of nodes per type, buyable at once, holding the most replicas.

        Edmonds' greedy on the polymatroid of buyable vectors: types in decreasing
        ``per_node[i]`` (ties by index), each given ``f(first i types) − f(first i − 1)``
        nodes, the flow the max-flow gains when its source arc opens. A max-flow never
        lowers the flow on a source arc (an augmenting path leaves the source once), so
        the types already filled keep their counts.

        Runtime complexity: O(t · V · E²) for t types.
        """
        router = Router(self, [0] * len(self.names))
        counts = [0] * len(self.names)
        for kind in sorted(range(len(self.names)), key=lambda i: (-per_node[i], i)):
            counts[kind] = router.open(kind, self.bounds[kind])
        return counts


class Router:
    """A max-flow routing a vector of nodes per type, which placements then draw from.

    :meth:`take` commits one node of a type to a group when the rest of the vector can still
    be routed; the answer is exact, as the old per-node full max-flow check was, but costs
    O(1) when the current flow already sends a node of the type to the group and one BFS
    (O(V + E)) otherwise.
    """

    def __init__(self, transport: Transport, demand: Sequence[int]) -> None:
        types = len(transport.names)
        pairs = {key: 2 + types + i for i, key in enumerate(transport.stock)}
        first_group = 2 + types + len(pairs)
        self._network = network = _Network(first_group + len(transport.groups))
        total = sum(demand)
        self._source_arc = [network.add_arc(_SOURCE, 2 + i, demand[i]) for i in range(types)]
        self._stock_arc = {
            key: network.add_arc(2 + key[1], vertex, transport.stock[key])
            for key, vertex in pairs.items()
        }
        self._group_arc: dict[tuple[int, int], int] = {}
        self._sink_arc: list[int] = []
        for group, ((region, kinds), headroom) in enumerate(
            zip(transport.groups, transport.headroom, strict=True)
        ):
            vertex = first_group + group
            for kind in kinds:
                # Unbounded in effect: the stock and headroom arcs around it bind.
                self._group_arc[(group, kind)] = network.add_arc(
                    pairs[(region, kind)], vertex, max(total, transport.stock[(region, kind)])
                )
            self._sink_arc.append(network.add_arc(vertex, _SINK, headroom))
        self._transport = transport
        self.routed = network.augment()

    def open(self, kind: int, amount: int) -> int:
        """Raise the demand of ``kind`` by ``amount`` and route what fits; what was routed."""
        arc = self._source_arc[kind]
        self._network.room[arc] += amount
        gained = self._network.augment()
        self.routed += gained
        return gained

    def take(self, group: int, kind: int) -> bool:
        """Commit one node of ``kind`` in ``group`` if the rest of the demand still routes.

        Committing lowers by one the demand of the type, the stock of (region, type) and
        the headroom of the group. Possible iff some max-flow sends a unit on the arc
        (stock, group): if the current flow does not, a residual cycle through that arc
        reroutes one (one BFS from the group back to the stock vertex).
        """
        network = self._network
        region = self._transport.groups[group][0]
        middle = self._group_arc[(group, kind)]
        if network.room[middle ^ 1] == 0:  # no flow on the arc yet: look for a cycle
            pair = network.head[middle ^ 1]
            cycle = network.path(network.head[middle], pair)
            if cycle is None:
                return False
            network.push((*cycle, middle), 1)
        # One unit fewer on source → type → stock → group → sink, and one less capacity on
        # the three arcs that stand for demand, stock and headroom.
        arcs = (self._source_arc[kind], self._stock_arc[(region, kind)], middle)
        network.push((*arcs, self._sink_arc[group]), -1)
        for arc in (arcs[0], arcs[1], self._sink_arc[group]):
            network.room[arc] -= 1
        self.routed -= 1
        return True
