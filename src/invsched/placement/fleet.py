"""Fleet records: instance types, nodes, node pools, clusters and the fleet with its inventory.

A :class:`Fleet` is a snapshot of what the placement decision sees: every member cluster
with its nodes (allocatable and already requested resources) and its node pools, the
catalog of instance types with hourly prices, and the **inventory** — per region and
instance type, how many more nodes can still be bought (the stock report of ACK One's
GOATScaler). Every record is frozen and hashable; a change is ``attrs.evolve(record, ...)``.

Every error is an :class:`~invsched.errors.InvalidFleet` whose field path starts with the
record type (``"NodePool.max_nodes: must be ≥ current_nodes 3, got 2"``); the checks that
need a whole cluster or the whole fleet (duplicate names, unknown pool or instance type)
continue the path from it (``"Fleet.clusters[1].pools[0].instance_types[0]"``). Names are
free-form printable strings (``"a,b"``, ``"東京"``); only quota names and namespaces follow
DNS-1123.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, cast

import attrs

from invsched._validators import (
    FieldError,
    check_counts,
    check_mapping,
    check_name,
    check_printable,
    count_field,
    decimal_field,
    flag_field,
    mapping_field,
    name_field,
    names_field,
    optional,
    printable_field,
    render,
    resources_field,
    to_frozen_map,
    to_tuple,
    tuple_of_field,
)
from invsched.errors import InvalidFleet
from invsched.frozenmap import FrozenMap
from invsched.resources import Resources

__all__ = ["DEFAULT_MAX_PODS", "Cluster", "Fleet", "InstanceType", "Node", "NodePool"]

#: Kubernetes' default kubelet ``maxPods``.
DEFAULT_MAX_PODS = 110

_name = name_field(InvalidFleet)
_count = count_field(InvalidFleet)
_resources = resources_field(InvalidFleet)
_labels = mapping_field(InvalidFleet, check_name, check_printable)


# Typed converters: the signatures give the records' __init__ their static types; at run
# time junk passes through unchanged, for the field's validator to refuse by name.


def _to_labels(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return cast("FrozenMap[str, str]", to_frozen_map(value))


def _to_names(value: Iterable[str]) -> tuple[str, ...]:
    return cast("tuple[str, ...]", to_tuple(value))


def _to_nodes(value: Iterable[Node]) -> tuple[Node, ...]:
    return cast("tuple[Node, ...]", to_tuple(value))


def _to_pools(value: Iterable[NodePool]) -> tuple[NodePool, ...]:
    return cast("tuple[NodePool, ...]", to_tuple(value))


def _to_clusters(value: Iterable[Cluster]) -> tuple[Cluster, ...]:
    return cast("tuple[Cluster, ...]", to_tuple(value))


def _stock(error: FieldError, field: str, value: object) -> dict[str, int]:
    return check_counts(error, field, value)


def _to_inventory(
    value: Mapping[str, Mapping[str, int]],
) -> FrozenMap[str, FrozenMap[str, int]]:
    """Region → type → stock as nested :class:`FrozenMap`; junk is left for the validator."""
    if isinstance(value, FrozenMap) or not isinstance(value, Mapping):
        return cast("FrozenMap[str, FrozenMap[str, int]]", value)
    if not all(isinstance(stock, Mapping) for stock in value.values()):
        return cast("FrozenMap[str, FrozenMap[str, int]]", value)
    frozen = to_frozen_map({region: to_frozen_map(stock) for region, stock in value.items()})
    return cast("FrozenMap[str, FrozenMap[str, int]]", frozen)


@attrs.frozen(kw_only=True)
class InstanceType:
    """A machine shape that a node pool can buy.

    Attributes:
        name: the cloud's instance type name (``"ecs.gn7i-c8g1.2xlarge"``).
        allocatable: what one node of this type offers to pods, in milli-units
            (``nvidia.com/gpu`` 1000 per GPU). Pod slots are not a resource here: a new
            node gets ``max_pods`` slots (110, the kubelet default).
        gpu_model: ``"NVIDIA A10"``; ``""`` when unknown or not a GPU type.
        hourly_price: the price of one node per hour (a finite ``Decimal`` ≥ 0 below
            10^100), or ``None`` when unknown. An autoscaling pool can only buy types with a
            price (:class:`Fleet` checks it).
        gpu_memory: bytes of memory per GPU, or ``None`` when unknown.

    >>> a10 = InstanceType(name="ecs.gn7i-c8g1.2xlarge",
    ...     allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
    ...     gpu_model="NVIDIA A10", hourly_price=Decimal("9.74"), gpu_memory=24 * 2**30)
    >>> a10.gpu_count, a10.hourly_price
    (1, Decimal('9.74'))
    """

    name: str = attrs.field(validator=_name)
    allocatable: Resources = attrs.field(validator=_resources)
    gpu_model: str = attrs.field(default="", validator=printable_field(InvalidFleet))
    hourly_price: Decimal | None = attrs.field(
        default=None, validator=optional(decimal_field(InvalidFleet))
    )
    gpu_memory: int | None = attrs.field(default=None, validator=optional(_count))

    @property
    def gpu_count(self) -> int:
        """Whole GPUs per node (``nvidia.com/gpu`` divided by 1000, rounded down)."""
        return self.allocatable["nvidia.com/gpu"] // 1000


@attrs.frozen(kw_only=True)
class Node:
    """One existing node of a member cluster.

    Attributes:
        name: unique within its cluster.
        allocatable: what the node offers to pods (milli-units).
        requested: Σ requests of the pods already bound to it. It may exceed
            ``allocatable`` (a node whose allocatable shrank); such a resource has no room.
        pods: how many pods run on it.
        max_pods: its pod slots (kubelet ``maxPods``).
        pool: the node pool that owns it, or ``None`` for a node outside any pool.
        labels: node labels (matched by ``estimate_replicas(..., node_selector=)``); a
            value may be empty, as in Kubernetes.

    >>> n = Node(name="n1", allocatable=Resources.parse({"cpu": 8}), requested=Resources())
    >>> n.max_pods, n.pool
    (110, None)
    """

    name: str = attrs.field(validator=_name)
    allocatable: Resources = attrs.field(validator=_resources)
    requested: Resources = attrs.field(factory=Resources, validator=_resources)
    pods: int = attrs.field(default=0, validator=_count)
    max_pods: int = attrs.field(default=DEFAULT_MAX_PODS, validator=_count)
    pool: str | None = attrs.field(default=None, validator=optional(_name))
    labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_to_labels, validator=_labels
    )


@attrs.frozen(kw_only=True)
class NodePool:
    """A node pool: nodes of given instance types that an autoscaler may add.

    Attributes:
        name: unique within its cluster.
        instance_types: the names (in the fleet catalog) the pool may buy; a sequence, never
            a bare string.
        current_nodes: nodes it has now (the "expected node count" of an ACK pool).
        max_nodes: the pool's upper bound; ``max_nodes − current_nodes`` can be added.
        autoscaling: whether the pool may grow at all.

    >>> NodePool(name="gpu", instance_types=["ecs.gn7i-c8g1.2xlarge"], max_nodes=10).headroom
    10
    """

    name: str = attrs.field(validator=_name)
    instance_types: tuple[str, ...] = attrs.field(
        converter=_to_names, validator=names_field(InvalidFleet)
    )
    current_nodes: int = attrs.field(default=0, validator=_count)
    max_nodes: int = attrs.field(default=0, validator=_count)
    autoscaling: bool = attrs.field(default=True, validator=flag_field(InvalidFleet))

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for index, name in enumerate(self.instance_types):
            if name in seen:
                raise InvalidFleet(f"NodePool.instance_types[{index}]", f"duplicate {render(name)}")
            seen.add(name)
        if self.max_nodes < self.current_nodes:
            raise InvalidFleet(
                "NodePool.max_nodes",
                f"must be ≥ current_nodes {self.current_nodes}, got {self.max_nodes}",
            )

    @property
    def headroom(self) -> int:
        """How many nodes the pool may still add (0 unless ``autoscaling``)."""
        return self.max_nodes - self.current_nodes if self.autoscaling else 0


@attrs.frozen(kw_only=True)
class Cluster:
    """A member cluster: its region, labels, nodes and node pools.

    Node names and pool names are unique within the cluster, and a node's ``pool`` names
    one of its pools.

    >>> Cluster(name="cluster1", region="cn-beijing").labels
    FrozenMap({})
    """

    name: str = attrs.field(validator=_name)
    region: str = attrs.field(validator=_name)
    labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_to_labels, validator=_labels
    )
    nodes: tuple[Node, ...] = attrs.field(
        factory=tuple, converter=_to_nodes, validator=tuple_of_field(InvalidFleet, Node)
    )
    pools: tuple[NodePool, ...] = attrs.field(
        factory=tuple, converter=_to_pools, validator=tuple_of_field(InvalidFleet, NodePool)
    )

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for index, node in enumerate(self.nodes):
            if node.name in seen:
                raise InvalidFleet(f"Cluster.nodes[{index}].name", f"duplicate {render(node.name)}")
            seen.add(node.name)
        pool_names: set[str] = set()
        for index, pool in enumerate(self.pools):
            if pool.name in pool_names:
                raise InvalidFleet(f"Cluster.pools[{index}].name", f"duplicate {render(pool.name)}")
            pool_names.add(pool.name)
        for index, node in enumerate(self.nodes):
            if node.pool is not None and node.pool not in pool_names:
                raise InvalidFleet(
                    f"Cluster.nodes[{index}].pool", f"unknown pool {render(node.pool)}"
                )


def _check_inventory(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    check_mapping(InvalidFleet, "Fleet.inventory", value, check_name, _stock)
    if not isinstance(value, FrozenMap):  # pragma: no cover - names and ints always freeze
        raise InvalidFleet("Fleet.inventory", f"expected a mapping, got {render(value)}")


def _to_catalog(value: Iterable[InstanceType]) -> tuple[InstanceType, ...]:
    """The catalog sorted by name; junk (or junk items) is left for the validator."""
    items = to_tuple(value)
    if not isinstance(items, tuple) or not all(isinstance(t, InstanceType) for t in items):
        return cast("tuple[InstanceType, ...]", items)
    return tuple(sorted(items, key=lambda item: item.name))


@attrs.frozen(kw_only=True)
class Fleet:
    """Every member cluster, the regional stock of instance types, and the catalog.

    Attributes:
        clusters: the member clusters (names unique).
        inventory: ``inventory[region][instance_type]`` = nodes of that type that can still
            be bought in the region; a missing region or type means **no stock**. Clusters
            of one region share it.
        catalog: the instance types (names unique), kept sorted by name.

    Raises:
        InvalidFleet: duplicate cluster or instance type, a pool naming a type missing from
            the catalog, or an autoscaling pool whose type has no price.

    >>> t = InstanceType(name="small", allocatable=Resources({"cpu": 4000}),
    ...     hourly_price=Decimal("1"))
    >>> c = Cluster(name="c1", region="r1", pools=[NodePool(name="p", instance_types=["small"],
    ...     max_nodes=3)])
    >>> Fleet(clusters=[c], inventory={"r1": {"small": 2}}, catalog=[t]).stock("r1", "small")
    2
    """

    clusters: tuple[Cluster, ...] = attrs.field(
        converter=_to_clusters, validator=tuple_of_field(InvalidFleet, Cluster)
    )
    inventory: FrozenMap[str, FrozenMap[str, int]] = attrs.field(
        factory=FrozenMap, converter=_to_inventory, validator=_check_inventory
    )
    catalog: tuple[InstanceType, ...] = attrs.field(
        factory=tuple, converter=_to_catalog, validator=tuple_of_field(InvalidFleet, InstanceType)
    )

    def __attrs_post_init__(self) -> None:
        types: dict[str, InstanceType] = {}
        for index, item in enumerate(self.catalog):
            if item.name in types:
                raise InvalidFleet(f"Fleet.catalog[{index}].name", f"duplicate {render(item.name)}")
            types[item.name] = item
        names: set[str] = set()
        for c_index, cluster in enumerate(self.clusters):
            if cluster.name in names:
                raise InvalidFleet(
                    f"Fleet.clusters[{c_index}].name", f"duplicate {render(cluster.name)}"
                )
            names.add(cluster.name)
            for p_index, pool in enumerate(cluster.pools):
                for t_index, type_name in enumerate(pool.instance_types):
                    where = f"Fleet.clusters[{c_index}].pools[{p_index}].instance_types[{t_index}]"
                    if type_name not in types:
                        raise InvalidFleet(
                            where, f"unknown instance type {render(type_name)}, not in the catalog"
                        )
                    if pool.autoscaling and types[type_name].hourly_price is None:
                        raise InvalidFleet(
                            where,
                            f"instance type {render(type_name)} has no hourly_price, "
                            "which an autoscaling pool needs",
                        )

    def instance_type(self, name: str) -> InstanceType:
        """The catalog entry called ``name``.

        Raises:
            InvalidFleet: no such instance type, or ``name`` is not a name.

        Runtime complexity: O(log t) for t catalog entries.
        """
        check_name(InvalidFleet, "instance_type", name)
        low, high = 0, len(self.catalog)
        while low < high:
            middle = (low + high) // 2
            if self.catalog[middle].name < name:
                low = middle + 1
            else:
                high = middle
        if low < len(self.catalog) and self.catalog[low].name == name:
            return self.catalog[low]
        raise InvalidFleet("Fleet.catalog", f"unknown instance type {render(name)}")

    def cluster(self, name: str) -> Cluster:
        """The member cluster called ``name``.

        Raises:
            InvalidFleet: no such cluster, or ``name`` is not a name.

        Runtime complexity: O(c) for c clusters.
        """
        check_name(InvalidFleet, "cluster", name)
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        raise InvalidFleet("Fleet.clusters", f"unknown cluster {render(name)}")

    def stock(self, region: str, instance_type: str) -> int:
        """Nodes of ``instance_type`` that can still be bought in ``region`` (0 when unlisted).

        Raises:
            InvalidFleet: ``region`` or ``instance_type`` is not a name.

        Runtime complexity: O(1).
        """
        check_name(InvalidFleet, "region", region)
        check_name(InvalidFleet, "instance_type", instance_type)
        regional = self.inventory.get(region)
        return 0 if regional is None else regional.get(instance_type, 0)
