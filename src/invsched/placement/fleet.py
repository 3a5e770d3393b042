"""Fleet records: instance types, nodes, node pools, clusters and the fleet with its inventory.

A :class:`Fleet` is a snapshot of what the placement decision sees: every member cluster
with its nodes (allocatable and already requested resources) and its node pools, the
catalog of instance types with hourly prices, and the **inventory** — per region and
instance type, how many more nodes can still be bought (the stock report of ACK One's
GOATScaler). Every record is frozen and hashable; a change is ``attrs.evolve(record, ...)``.

Record-level checks name the record and the field (``"gpu.max_nodes: must be ≥
current_nodes 3, got 2"``); the checks that need the whole fleet (unknown instance type,
duplicate cluster) name the path from the fleet (``"clusters[1].pools[0].instance_types[0]"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from invsched.errors import InvalidFleet
from invsched.frozenmap import FrozenMap
from invsched.resources import Resources

__all__ = ["Cluster", "Fleet", "InstanceType", "Node", "NodePool"]

_K = TypeVar("_K")
_V = TypeVar("_V")

#: Kubernetes' default kubelet ``maxPods``.
DEFAULT_MAX_PODS = 110


def _to_labels(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> FrozenMap[str, str]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _owner(instance: Any) -> str:
    name = getattr(instance, "name", "")
    return name if isinstance(name, str) and name else type(instance).__name__


def _check_name(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidFleet(
            f"{type(instance).__name__}.{attribute.name}",
            f"must be a non-empty string, got {value!r}",
        )


def _check_count(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise InvalidFleet(
            f"{_owner(instance)}.{attribute.name}",
            f"must be an int ≥ 0, got {value!r}",
        )


def _check_resources(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    where = f"{_owner(instance)}.{attribute.name}"
    if not isinstance(value, Resources):
        raise InvalidFleet(where, f"must be Resources, got {type(value).__name__}")
    negative = value.negative_keys()
    if negative:
        raise InvalidFleet(f"{where}.{negative[0]}", f"must be ≥ 0, got {value[negative[0]]}")


def _check_labels(
    instance: Any, attribute: attrs.Attribute[Any], value: FrozenMap[Any, Any]
) -> None:
    for key, text in value.items():
        if not isinstance(key, str) or not isinstance(text, str):
            raise InvalidFleet(
                f"{_owner(instance)}.{attribute.name}",
                f"labels must map str to str, got {key!r}: {text!r}",
            )


@attrs.frozen(kw_only=True)
class InstanceType:
    """A machine shape that a node pool can buy.

    Attributes:
        name: the cloud's instance type name (``"ecs.gn7i-c8g1.2xlarge"``).
        allocatable: what one node of this type offers to pods, in milli-units
            (``nvidia.com/gpu`` 1000 per GPU). Pod slots are not a resource here: a new
            node gets ``max_pods`` slots (110, the kubelet default).
        gpu_model: ``"NVIDIA A10"``; ``""`` when unknown or not a GPU type.
        hourly_price: the price of one node per hour, or ``None`` when unknown. An
            autoscaling pool can only buy types with a price (:class:`Fleet` checks it).
        gpu_memory: bytes of memory per GPU, or ``None`` when unknown.

    >>> a10 = InstanceType(name="ecs.gn7i-c8g1.2xlarge",
    ...     allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
    ...     gpu_model="NVIDIA A10", hourly_price=Decimal("9.74"), gpu_memory=24 * 2**30)
    >>> a10.gpu_count, a10.hourly_price
    (1, Decimal('9.74'))
    """

    name: str = attrs.field(validator=_check_name)
    allocatable: Resources = attrs.field(validator=_check_resources)
    gpu_model: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    hourly_price: Decimal | None = attrs.field(default=None)
    gpu_memory: int | None = attrs.field(default=None)

    @hourly_price.validator
    def _check_price(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise InvalidFleet(
                f"{self.name}.hourly_price", f"must be a finite Decimal ≥ 0, got {value!r}"
            )

    @gpu_memory.validator
    def _check_gpu_memory(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            _check_count(self, attribute, value)

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
        labels: node labels (matched by ``estimate_replicas(..., node_selector=)``).

    >>> n = Node(name="n1", allocatable=Resources.parse({"cpu": 8}), requested=Resources())
    >>> n.max_pods, n.pool
    (110, None)
    """

    name: str = attrs.field(validator=_check_name)
    allocatable: Resources = attrs.field(validator=_check_resources)
    requested: Resources = attrs.field(factory=Resources, validator=_check_resources)
    pods: int = attrs.field(default=0, validator=_check_count)
    max_pods: int = attrs.field(default=DEFAULT_MAX_PODS, validator=_check_count)
    pool: str | None = attrs.field(default=None)
    labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_to_labels, validator=_check_labels
    )

    @pool.validator
    def _check_pool(self, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidFleet(f"{self.name}.pool", f"must be a pool name or None, got {value!r}")


@attrs.frozen(kw_only=True)
class NodePool:
    """A node pool: nodes of given instance types that an autoscaler may add.

    Attributes:
        name: unique within its cluster.
        instance_types: the names (in the fleet catalog) the pool may buy.
        current_nodes: nodes it has now (the "expected node count" of an ACK pool).
        max_nodes: the pool's upper bound; ``max_nodes − current_nodes`` can be added.
        autoscaling: whether the pool may grow at all.

    >>> NodePool(name="gpu", instance_types=["ecs.gn7i-c8g1.2xlarge"], max_nodes=10).headroom
    10
    """

    name: str = attrs.field(validator=_check_name)
    instance_types: tuple[str, ...] = attrs.field(converter=_to_tuple)
    current_nodes: int = attrs.field(default=0, validator=_check_count)
    max_nodes: int = attrs.field(default=0, validator=_check_count)
    autoscaling: bool = attrs.field(default=True)

    def __attrs_post_init__(self) -> None:
        for index, item in enumerate(self.instance_types):
            if not isinstance(item, str) or not item:
                raise InvalidFleet(
                    f"{self.name}.instance_types[{index}]",
                    f"must be an instance type name, got {item!r}",
                )
        if len(set(self.instance_types)) != len(self.instance_types):
            raise InvalidFleet(f"{self.name}.instance_types", "names must be unique")
        if type(self.autoscaling) is not bool:
            raise InvalidFleet(
                f"{self.name}.autoscaling", f"must be a bool, got {self.autoscaling!r}"
            )
        if self.max_nodes < self.current_nodes:
            raise InvalidFleet(
                f"{self.name}.max_nodes",
                f"must be ≥ current_nodes {self.current_nodes}, got {self.max_nodes}",
            )

    @property
    def headroom(self) -> int:
        """How many nodes the pool may still add (0 unless ``autoscaling``)."""
        return self.max_nodes - self.current_nodes if self.autoscaling else 0


@attrs.frozen(kw_only=True)
class Cluster:
    """A member cluster: its region, labels, nodes and node pools.

    >>> Cluster(name="cluster1", region="cn-beijing").labels
    FrozenMap({})
    """

    name: str = attrs.field(validator=_check_name)
    region: str = attrs.field(validator=_check_name)
    labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap, converter=_to_labels, validator=_check_labels
    )
    nodes: tuple[Node, ...] = attrs.field(factory=tuple, converter=_to_tuple)
    pools: tuple[NodePool, ...] = attrs.field(factory=tuple, converter=_to_tuple)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for index, node in enumerate(self.nodes):
            if not isinstance(node, Node):
                raise InvalidFleet(f"{self.name}.nodes[{index}]", f"must be a Node, got {node!r}")
            if node.name in seen:
                raise InvalidFleet(f"{self.name}.nodes[{index}].name", f"duplicate {node.name!r}")
            seen.add(node.name)
        pool_names: set[str] = set()
        for index, pool in enumerate(self.pools):
            if not isinstance(pool, NodePool):
                raise InvalidFleet(
                    f"{self.name}.pools[{index}]", f"must be a NodePool, got {pool!r}"
                )
            if pool.name in pool_names:
                raise InvalidFleet(f"{self.name}.pools[{index}].name", f"duplicate {pool.name!r}")
            pool_names.add(pool.name)
        for index, node in enumerate(self.nodes):
            if node.pool is not None and node.pool not in pool_names:
                raise InvalidFleet(
                    f"{self.name}.nodes[{index}].pool", f"unknown pool {node.pool!r}"
                )


def _to_inventory(
    value: Mapping[str, Mapping[str, int]],
) -> FrozenMap[str, FrozenMap[str, int]]:
    if not isinstance(value, Mapping):
        raise InvalidFleet(
            "inventory", f"must be a mapping region → {{type: stock}}, got {value!r}"
        )
    out: dict[str, FrozenMap[str, int]] = {}
    for region, stock in value.items():
        if not isinstance(stock, Mapping):
            raise InvalidFleet(f"inventory[{region!r}]", f"must be a mapping, got {stock!r}")
        for name, count in stock.items():
            if type(count) is not int or count < 0:
                raise InvalidFleet(
                    f"inventory[{region!r}][{name!r}]", f"must be an int ≥ 0, got {count!r}"
                )
        out[region] = stock if isinstance(stock, FrozenMap) else FrozenMap(stock)
    return FrozenMap(out)


def _to_catalog(value: Iterable[InstanceType]) -> tuple[InstanceType, ...]:
    return tuple(
        sorted(value, key=lambda item: item.name if isinstance(item, InstanceType) else "")
    )


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

    clusters: tuple[Cluster, ...] = attrs.field(converter=_to_tuple)
    inventory: FrozenMap[str, FrozenMap[str, int]] = attrs.field(
        factory=FrozenMap, converter=_to_inventory
    )
    catalog: tuple[InstanceType, ...] = attrs.field(factory=tuple, converter=_to_catalog)

    def __attrs_post_init__(self) -> None:
        types: dict[str, InstanceType] = {}
        for index, item in enumerate(self.catalog):
            if not isinstance(item, InstanceType):
                raise InvalidFleet(f"catalog[{index}]", f"must be an InstanceType, got {item!r}")
            if item.name in types:
                raise InvalidFleet(f"catalog[{index}].name", f"duplicate {item.name!r}")
            types[item.name] = item
        names: set[str] = set()
        for c_index, cluster in enumerate(self.clusters):
            if not isinstance(cluster, Cluster):
                raise InvalidFleet(f"clusters[{c_index}]", f"must be a Cluster, got {cluster!r}")
            if cluster.name in names:
                raise InvalidFleet(f"clusters[{c_index}].name", f"duplicate {cluster.name!r}")
            names.add(cluster.name)
            for p_index, pool in enumerate(cluster.pools):
                for t_index, type_name in enumerate(pool.instance_types):
                    where = f"clusters[{c_index}].pools[{p_index}].instance_types[{t_index}]"
                    if type_name not in types:
                        raise InvalidFleet(where, f"unknown instance type {type_name!r}")
                    if pool.autoscaling and types[type_name].hourly_price is None:
                        raise InvalidFleet(
                            where,
                            f"instance type {type_name!r} has no hourly_price, "
                            "which an autoscaling pool needs",
                        )

    def instance_type(self, name: str) -> InstanceType:
        """The catalog entry called ``name``.

        Raises:
            InvalidFleet: no such instance type.

        Runtime complexity: O(log t) for t catalog entries.
        """
        low, high = 0, len(self.catalog)
        while low < high:
            middle = (low + high) // 2
            if self.catalog[middle].name < name:
                low = middle + 1
            else:
                high = middle
        if low < len(self.catalog) and self.catalog[low].name == name:
            return self.catalog[low]
        raise InvalidFleet("catalog", f"unknown instance type {name!r}")

    def cluster(self, name: str) -> Cluster:
        """The member cluster called ``name``.

        Raises:
            InvalidFleet: no such cluster.

        Runtime complexity: O(c) for c clusters.
        """
        for cluster in self.clusters:
            if cluster.name == name:
                return cluster
        raise InvalidFleet("clusters", f"unknown cluster {name!r}")

    def stock(self, region: str, instance_type: str) -> int:
        """Nodes of ``instance_type`` that can still be bought in ``region`` (0 when unlisted).

        Runtime complexity: O(1).
        """
        regional = self.inventory.get(region)
        return 0 if regional is None else regional.get(instance_type, 0)
