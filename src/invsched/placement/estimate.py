"""How many replicas fit: on existing nodes (Karmada's accurate estimator) and on new nodes.

``estimate_replicas`` follows the node-level rule of Karmada's accurate scheduler estimator
(``pkg/estimator/server/framework/plugins/noderesource/noderesource.go``): for each node,
free = allocatable − requested and free pod slots = max_pods − pods; the node holds
``min(free pod slots, min over requested resources of floor(free / request))`` replicas, and
the cluster holds the sum. A resource the node does not have gives that node 0.

``provisionable_replicas`` says how many replicas the cluster could hold on **new** nodes of
its autoscaling pools, bounded by each pool's ``max_nodes − current_nodes`` and by the stock
of the cluster's region (stock that other clusters of the region share: this is what the
cluster could get if it alone bought).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from invsched._validators import (
    FieldError,
    check_count,
    check_instance,
    check_labels,
    check_mapping,
    check_name,
    check_resources,
    check_tuple_of,
    render,
)
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement.fleet import DEFAULT_MAX_PODS, Cluster, Fleet, InstanceType, Node, NodePool
from invsched.resources import Resources

__all__ = [
    "GrowablePool",
    "InstanceFit",
    "Offer",
    "ProvisioningOptions",
    "Shape",
    "estimate_node_replicas",
    "estimate_replicas",
    "provisionable_replicas",
    "provisioning_options",
    "replicas_per_node",
]


@attrs.frozen(kw_only=True)
class GrowablePool:
    """A node pool that can still add nodes for the workload.

    Attributes:
        cluster, region, pool: where the pool is (its region's stock is shared).
        headroom: how many nodes it may still add.
        types: its instance types that hold one replica and have stock in the region.

    >>> GrowablePool(cluster="c", region="r", pool="gpu", headroom=2, types=("a10",)).headroom
    2
    """

    cluster: str
    region: str
    pool: str
    headroom: int
    types: tuple[str, ...]


@attrs.frozen(kw_only=True)
class InstanceFit:
    """How one usable instance type fits the workload: replicas per new node, and its price.

    Attributes:
        name: the instance type.
        per_node: replicas one new, empty node holds (≥ 1 for a usable type).
        price: hourly price per node.

    >>> InstanceFit(name="a10", per_node=1, price=Decimal("9.74")).per_node
    1
    """

    name: str
    per_node: int
    price: Decimal


#: The former name of :class:`GrowablePool`, kept because ``invsched.placement`` exported it.
Offer = GrowablePool
#: The former name of :class:`InstanceFit`, kept because ``invsched.placement`` exported it.
Shape = InstanceFit


@attrs.frozen(kw_only=True)
class ProvisioningOptions:
    """What new nodes could host a workload: usable types, stock left, growable pools.

    Attributes:
        shapes: every instance type that holds one replica and has stock somewhere (also
            readable as :attr:`fits`, the name that says what they are).
        stock: ``(region, type)`` → nodes still for sale.
        offers: the pools that can grow, in cluster order, with their usable types (also
            readable as :attr:`pools`).
        unusable: cluster → why none of its pools can host a replica.
    """

    shapes: tuple[InstanceFit, ...]
    stock: FrozenMap[tuple[str, str], int]
    offers: tuple[GrowablePool, ...]
    unusable: FrozenMap[str, str]

    @property
    def fits(self) -> tuple[InstanceFit, ...]:
        """The usable instance types with their replicas per node and price (``shapes``)."""
        return self.shapes

    @property
    def pools(self) -> tuple[GrowablePool, ...]:
        """The pools that can grow (``offers``)."""
        return self.offers


def _request_items(request: Resources) -> tuple[tuple[str, int], ...]:
    """The positive amounts of a request; a zero request constrains nothing (as upstream)."""
    check_resources(InvalidRequest, "request", request)
    return tuple((name, amount) for name, amount in request.pairs if amount > 0)


def _cluster_pool(error: FieldError, field: str, key: object) -> object:
    if not isinstance(key, tuple) or len(key) != 2:
        raise error(field, f"expected a (cluster, pool) pair, got {render(key)}")
    check_name(error, field, key[0])
    return check_name(error, field, key[1])


def _bought(value: object) -> dict[tuple[str, str], int]:
    """``bought``: (cluster, pool) → nodes already bought."""
    return check_mapping(InvalidRequest, "bought", value, _cluster_pool, check_count)


def _fit(
    allocatable: Resources,
    requested: Resources,
    free_pods: int,
    wanted: tuple[tuple[str, int], ...],
) -> int:
    best = free_pods
    if best <= 0:
        return 0
    # One merge walk over name-sorted pairs (``wanted`` keeps the request's name order):
    # no dict per node, and this runs once per node of the fleet.
    have, taken = allocatable.pairs, requested.pairs
    i = j = 0
    have_count, taken_count = len(have), len(taken)
    for name, amount in wanted:
        while i < have_count and have[i][0] < name:
            i += 1
        if i == have_count or have[i][0] != name:
            return 0  # a requested resource the node lacks
        free = have[i][1]
        while j < taken_count and taken[j][0] < name:
            j += 1
        if j < taken_count and taken[j][0] == name:
            free -= taken[j][1]
        if free < amount:
            return 0
        count = free // amount
        best = min(best, count)
    return best


def estimate_node_replicas(node: Node, request: Resources) -> int:
    """How many more replicas of ``request`` fit on one node.

    ``min(max_pods − pods, min over requested resources of floor(free / request))``; a
    requested resource that the node lacks gives 0; a request with no positive amount is
    limited by pod slots only.

    Raises:
        InvalidRequest: ``node`` is not a :class:`Node`, or ``request`` is not
            :class:`Resources` or has a negative amount.

    Runtime complexity: O(k) for k resources.

    >>> node = Node(name="n", allocatable=Resources.parse({"cpu": 4, "memory": "8Gi"}),
    ...     requested=Resources.parse({"cpu": 1, "memory": "2Gi"}), pods=1, max_pods=10)
    >>> estimate_node_replicas(node, Resources.parse({"cpu": 1, "memory": "2Gi"}))
    3
    """
    check_instance(InvalidRequest, "node", node, Node)
    wanted = _request_items(request)
    return _fit(node.allocatable, node.requested, node.max_pods - node.pods, wanted)


def estimate_replicas(
    cluster: Cluster,
    request: Resources,
    *,
    node_selector: Mapping[str, str] | None = None,
) -> int:
    """How many more replicas of ``request`` the cluster's existing nodes hold.

    Karmada's accurate estimator, node level: Σ over nodes of
    :func:`estimate_node_replicas`. With ``node_selector``, only nodes whose labels contain
    every pair count (the workload's ``nodeSelector``). A cluster without nodes holds 0.

    Raises:
        InvalidRequest: ``cluster`` is not a :class:`Cluster`, ``request`` is not
            :class:`Resources` or has a negative amount, or ``node_selector`` is not a
            mapping of label name to value.

    Runtime complexity: O(n · k) for n nodes and k resources.

    >>> cpu = Resources.parse({"cpu": 8, "memory": "16Gi"})
    >>> cluster = Cluster(name="c", region="r", nodes=[
    ...     Node(name="a", allocatable=cpu, requested=Resources.parse({"cpu": 6})),
    ...     Node(name="b", allocatable=cpu)])
    >>> estimate_replicas(cluster, Resources.parse({"cpu": 1, "memory": "2Gi"}))
    10
    """
    check_instance(InvalidRequest, "cluster", cluster, Cluster)
    wanted = _request_items(request)
    labels = (
        {}
        if node_selector is None
        else check_labels(InvalidRequest, "node_selector", node_selector)
    )
    selector = tuple(labels.items())
    total = 0
    for node in cluster.nodes:
        if selector and any(node.labels.get(key) != value for key, value in selector):
            continue
        total += _fit(node.allocatable, node.requested, node.max_pods - node.pods, wanted)
    return total


def replicas_per_node(
    instance_type: InstanceType, request: Resources, *, max_pods: int = DEFAULT_MAX_PODS
) -> int:
    """How many replicas of ``request`` one new, empty node of ``instance_type`` holds.

    Raises:
        InvalidRequest: ``instance_type`` is not an :class:`InstanceType`, ``request`` is
            not :class:`Resources` or has a negative amount, or ``max_pods`` is not an
            ``int`` ≥ 0.

    Runtime complexity: O(k) for k resources.

    >>> a10 = InstanceType(name="a10",
    ...     allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}))
    >>> replicas_per_node(a10, Resources.parse({"cpu": 4, "nvidia.com/gpu": 1}))
    1
    """
    check_instance(InvalidRequest, "instance_type", instance_type, InstanceType)
    check_count(InvalidRequest, "max_pods", max_pods)
    return _fit(instance_type.allocatable, Resources(), max_pods, _request_items(request))


def provisionable_replicas(cluster: Cluster, fleet: Fleet, request: Resources) -> int:
    """How many replicas new nodes of the cluster's autoscaling pools could hold.

    Each pool adds at most ``max_nodes − current_nodes`` nodes; each instance type is
    bounded by the stock of the cluster's region (``fleet.inventory``), which the pools
    of this cluster share (and, in :func:`~invsched.placement.place`, the other clusters
    of the region too). Types that cannot hold one replica are ignored. Larger nodes are
    bought first, so the answer is exact when every pool offers one instance type (the
    usual ACK setup) and a lower bound otherwise.

    Raises:
        InvalidRequest: bad ``cluster``, ``fleet`` or ``request``.
        InvalidFleet: a pool names an instance type missing from the catalog.

    Runtime complexity: O(p · t log t) for p pools and t instance types per pool.

    >>> from decimal import Decimal
    >>> from invsched.placement.fleet import NodePool
    >>> a10 = InstanceType(name="a10", allocatable=Resources.parse({"nvidia.com/gpu": 1}),
    ...     hourly_price=Decimal("9.74"))
    >>> c = Cluster(name="c", region="r", pools=[NodePool(name="gpu", instance_types=["a10"],
    ...     max_nodes=5)])
    >>> fleet = Fleet(clusters=[c], inventory={"r": {"a10": 3}}, catalog=[a10])
    >>> provisionable_replicas(c, fleet, Resources.parse({"nvidia.com/gpu": 1}))
    3
    """
    check_instance(InvalidRequest, "cluster", cluster, Cluster)
    check_instance(InvalidRequest, "fleet", fleet, Fleet)
    _request_items(request)
    stock: dict[str, int] = {}
    total = 0
    for pool in cluster.pools:
        headroom = pool.headroom
        options = []
        for name in pool.instance_types:
            per_node = replicas_per_node(fleet.instance_type(name), request)
            if per_node > 0:
                options.append((-per_node, name))
        for negative_per_node, name in sorted(options):
            if headroom <= 0:
                break
            left = stock.setdefault(name, fleet.stock(cluster.region, name))
            nodes = min(headroom, left)
            stock[name] = left - nodes
            headroom -= nodes
            total += nodes * -negative_per_node
    return total


def provisioning_options(
    fleet: Fleet,
    request: Resources,
    clusters: Iterable[Cluster],
    *,
    bought: Mapping[tuple[str, str], int] | None = None,
) -> ProvisioningOptions:
    """The pools of ``clusters`` that could add nodes for replicas of ``request``.

    A pool qualifies when autoscaling is on, it has headroom left, and one of its instance
    types holds one replica and has stock in the cluster's region. ``bought`` counts nodes
    already bought per ``(cluster, pool)`` (by a previous placement): they use headroom and
    the stock of their pool's types is reduced by the caller through the returned ``stock``.
    Every cluster without a usable pool gets the reasons in ``unusable``, e.g.
    ``"region cn-beijing: no stock of ecs.gn7i-c8g1.2xlarge"``.

    Raises:
        InvalidRequest: bad ``fleet``, ``request``, ``clusters`` or ``bought``.
        InvalidFleet: a pool names an instance type missing from the catalog.

    Runtime complexity: O(p · t · k) for p pools, t types per pool and k resources.

    >>> a10 = InstanceType(name="a10", allocatable=Resources.parse({"nvidia.com/gpu": 1}),
    ...     hourly_price=Decimal("9.74"))
    >>> from invsched.placement.fleet import NodePool
    >>> c = Cluster(name="c", region="r", pools=[NodePool(name="gpu", instance_types=["a10"],
    ...     max_nodes=5)])
    >>> fleet = Fleet(clusters=[c], inventory={"r": {"a10": 0}}, catalog=[a10])
    >>> provisioning_options(fleet, Resources.parse({"nvidia.com/gpu": 1}), [c]).unusable["c"]
    'region r: no stock of a10'
    """
    check_instance(InvalidRequest, "fleet", fleet, Fleet)
    _request_items(request)
    clusters = check_tuple_of(InvalidRequest, "clusters", clusters, Cluster)
    used = {} if bought is None else _bought(bought)
    fits: dict[str, InstanceFit] = {}
    stock: dict[tuple[str, str], int] = {}
    growable: list[GrowablePool] = []
    unusable: dict[str, str] = {}
    for cluster in clusters:
        why: list[str] = []
        found = False
        for pool in cluster.pools:
            headroom = pool.headroom - used.get((cluster.name, pool.name), 0)
            if not pool.autoscaling:
                why.append(f"pool {pool.name}: autoscaling off")
                continue
            if headroom <= 0:
                why.append(f"pool {pool.name}: at max_nodes {pool.max_nodes}")
                continue
            usable = _usable_types(
                fleet, request, cluster.region, pool, fits=fits, stock=stock, why=why
            )
            if usable:
                found = True
                growable.append(
                    GrowablePool(
                        cluster=cluster.name,
                        region=cluster.region,
                        pool=pool.name,
                        headroom=headroom,
                        types=usable,
                    )
                )
        if not found:
            unusable[cluster.name] = "; ".join(why) if why else "no autoscaling node pool"
    return ProvisioningOptions(
        shapes=tuple(fits[name] for name in sorted(fits)),
        stock=FrozenMap(stock),
        offers=tuple(growable),
        unusable=FrozenMap(unusable),
    )


def _usable_types(
    fleet: Fleet,
    request: Resources,
    region: str,
    pool: NodePool,
    *,
    fits: dict[str, InstanceFit],
    stock: dict[tuple[str, str], int],
    why: list[str],
) -> tuple[str, ...]:
    """The pool's types that hold a replica and have stock; records their fit and stock
    in ``fits`` and ``stock``, and why the others do not qualify in ``why``."""
    usable = []
    for name in pool.instance_types:
        instance_type = fleet.instance_type(name)
        per_node = replicas_per_node(instance_type, request)
        key = (region, name)
        left = stock.setdefault(key, fleet.stock(*key))
        if per_node == 0:
            why.append(f"pool {pool.name}: {name} cannot hold one replica")
        elif left <= 0:
            why.append(f"region {region}: no stock of {name}")
        else:
            # Fleet guarantees a price for the types of autoscaling pools.
            price = instance_type.hourly_price or Decimal(0)
            fits[name] = InstanceFit(name=name, per_node=per_node, price=price)
            usable.append(name)
    return tuple(usable)
