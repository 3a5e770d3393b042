"""The ``Fleet`` kind (``invsched.io/v1alpha1``): the snapshot a placement decides on.

A ``Fleet`` object describes, in one document, what :func:`~invsched.placement.place` reads
as a :class:`~invsched.placement.Fleet` — member clusters with their nodes and node pools,
the regional stock of instance types that can still be bought (the inventory report of ACK
One's GOATScaler), and the catalog of instance types with hourly prices (inline, or the
packaged Alibaba Cloud GPU catalog with a price list) — plus, per node, how many replicas of
each workload run there now, which a scale-down starts from (:meth:`FleetObject.current`).

It is our own kind, so an unknown field anywhere under ``spec`` is an error, and every rule
of the fleet records (unique names, known pools and instance types, a price for what an
autoscaling pool buys, ``maxNodes ≥ currentNodes``) is checked here first, so that each
error names its field path. The schema is in ``docs/manifests/fleet.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, cast

import attrs

from invsched._validators import (
    check_count,
    check_decimal,
    instance_field,
    name_field,
    render,
    to_frozen_map,
)
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.manifests._reading import INT32_MAX, build, read_int, read_labels, read_name
from invsched.manifests._walk import Field
from invsched.manifests.pods import _amounts
from invsched.placement.catalog import load_catalog
from invsched.placement.fleet import DEFAULT_MAX_PODS, Cluster, Fleet, InstanceType, Node, NodePool
from invsched.placement.observed import INSTANCE_TYPE_LABEL
from invsched.quantity import parse_quantity

__all__ = ["FleetObject"]

#: The packaged catalogs a ``Fleet`` may name in ``spec.catalog.packaged``.
_PACKAGED_CATALOGS: Final[Mapping[str, Callable[[], tuple[InstanceType, ...]]]] = FrozenMap(
    {"alibaba-gpu": load_catalog}
)

#: The longest price text read (a price is below 10^100).
_PRICE_TEXT_MAX: Final = 120

_SPEC: Final = frozenset({"clusters", "inventory", "catalog"})
_CATALOG: Final = frozenset({"packaged", "prices", "instanceTypes"})
_INSTANCE_TYPE: Final = frozenset({"name", "allocatable", "gpuModel", "gpuMemory", "hourlyPrice"})
_CLUSTER: Final = frozenset({"name", "region", "labels", "pools", "nodes"})
_POOL: Final = frozenset({"name", "instanceTypes", "currentNodes", "maxNodes", "autoscaling"})
_NODE: Final = frozenset(
    {"name", "allocatable", "requested", "pods", "maxPods", "pool", "labels", "replicas"}
)

#: workload → cluster → node → replicas.
_Replicas = FrozenMap[str, FrozenMap[str, FrozenMap[str, int]]]


def _to_replicas(value: Mapping[str, Mapping[str, Mapping[str, int]]]) -> _Replicas:
    """Nested mappings as nested :class:`FrozenMap`; junk is left for the validator."""
    if not isinstance(value, Mapping) or not all(
        isinstance(clusters, Mapping) and all(isinstance(n, Mapping) for n in clusters.values())
        for clusters in value.values()
    ):
        return cast("_Replicas", value)
    frozen = {
        workload: to_frozen_map(
            {cluster: to_frozen_map(nodes) for cluster, nodes in clusters.items()}
        )
        for workload, clusters in value.items()
    }
    return cast("_Replicas", to_frozen_map(frozen))


def _check_replicas(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    where = "FleetObject.replicas"
    if not isinstance(value, FrozenMap):
        raise InvalidRequest(
            where, f"expected workload → cluster → node → count, got {render(value)}"
        )
    for workload, clusters in value.items():
        for cluster, nodes in clusters.items():
            for node, count in nodes.items():
                at = f"{where}[{render(workload)}][{render(cluster)}][{render(node)}]"
                check_count(InvalidRequest, at, count)


@attrs.frozen(kw_only=True)
class FleetObject:
    """A ``Fleet`` object as read: the snapshot, and where each workload's replicas run.

    Attributes:
        name: ``metadata.name``.
        fleet: the clusters, the regional inventory and the catalog.
        replicas: workload name → cluster → node → replicas running there now (from each
            node's ``replicas`` field; nodes without any are left out).

    >>> from invsched.placement import Fleet
    >>> FleetObject(name="empty", fleet=Fleet(clusters=[])).current("web")
    FrozenMap({})
    """

    name: str = attrs.field(validator=name_field(InvalidRequest))
    fleet: Fleet = attrs.field(validator=instance_field(InvalidRequest, Fleet))
    replicas: _Replicas = attrs.field(
        factory=FrozenMap, converter=_to_replicas, validator=_check_replicas
    )

    def current(self, workload: str) -> FrozenMap[str, FrozenMap[str, int]]:
        """Where ``workload``'s replicas run now: cluster → node → count, for
        ``place(..., current=...)``; empty when no node lists it.

        Runtime complexity: O(1).
        """
        return self.replicas.get(workload, FrozenMap())


# Reading ----------------------------------------------------------------------------------


def _count(field: Field, default: int | None) -> int:
    """A count of pods, replicas or nodes: 0 … 2147483647, Kubernetes' 32-bit integers
    (``default`` when absent; required when ``None``)."""
    return read_int(field, default, minimum=0, maximum=INT32_MAX)


def _keys(field: Field) -> list[str]:
    """The keys of a mapping, each a name (``[]`` when absent)."""
    keys: list[str] = []
    for key in field.mapping():
        if not isinstance(key, str):
            field.fail(f"a key must be a name, got {render(key)}")
        keys.append(read_name(Field(key, f"{field.path}.{key}")))
    return keys


def _price(field: Field) -> Decimal:
    """An hourly price: a decimal string (``"9.74"``) or an integer; a YAML float is refused
    because it is not exact."""
    value = field.value
    if isinstance(value, float):
        field.fail(f'write a price as a string ("{value!r}"): a YAML float is not exact')
    if isinstance(value, int) and not isinstance(value, bool):
        price = Decimal(value)
    else:
        text = field.string()
        if len(text) > _PRICE_TEXT_MAX:
            field.fail(f"not a price: {render(text)}")
        try:
            price = Decimal(text.strip())
        except InvalidOperation:
            field.fail(f"not a decimal number: {render(text)}")
    return check_decimal(InvalidManifest, field.path, price)


def _instance_type(field: Field) -> InstanceType:
    field.only(_INSTANCE_TYPE)
    name = read_name(field["name"])
    allocatable = _amounts(field["allocatable"].required())
    gpu_model = field["gpuModel"].string("")
    gpu_memory: int | None = None
    memory = field["gpuMemory"]
    if memory.present:
        try:
            milli = parse_quantity(memory.value)  # type: ignore[arg-type]
        except InvalidQuantity as error:
            memory.fail(f"invalid quantity {render(memory.value)}: {error.reason}")
        if milli < 0 or milli % 1000:
            memory.fail(f"must be a whole number of bytes ≥ 0, got {render(memory.value)}")
        gpu_memory = milli // 1000
    price = _price(field["hourlyPrice"]) if field["hourlyPrice"].present else None
    return build(
        field,
        lambda: InstanceType(
            name=name,
            allocatable=allocatable,
            gpu_model=gpu_model,
            hourly_price=price,
            gpu_memory=gpu_memory,
        ),
    )


def _catalog(field: Field) -> dict[str, InstanceType]:
    """Name → instance type: the packaged catalog (if named) and the inline types, with the
    prices of ``prices`` applied."""
    field.only(_CATALOG)
    types: dict[str, InstanceType] = {}
    packaged = field["packaged"]
    if packaged.present:
        chosen = packaged.string()
        if chosen not in _PACKAGED_CATALOGS:
            known = ", ".join(_PACKAGED_CATALOGS)
            packaged.fail(f"unknown packaged catalog {render(chosen)} (known: {known})")
        types = {item.name: item for item in _PACKAGED_CATALOGS[chosen]()}
    inline: set[str] = set()
    for item in field["instanceTypes"].items():
        instance_type = _instance_type(item)
        if instance_type.name in types:
            where = "an earlier entry" if instance_type.name in inline else "the packaged catalog"
            item["name"].fail(f"duplicate instance type {render(instance_type.name)} ({where})")
        inline.add(instance_type.name)
        types[instance_type.name] = instance_type
    prices = field["prices"]
    for name in _keys(prices):
        price_field = prices[name]
        if name not in types:
            price_field.fail(f"unknown instance type {render(name)}, not in the catalog")
        if types[name].hourly_price is not None and name in inline:
            price_field.fail(f"instance type {render(name)} already has an hourlyPrice")
        types[name] = attrs.evolve(types[name], hourly_price=_price(price_field))
    return types


def _inventory(field: Field, types: Mapping[str, InstanceType]) -> dict[str, dict[str, int]]:
    """Region → instance type → nodes that can still be bought."""
    inventory: dict[str, dict[str, int]] = {}
    for region in _keys(field):
        regional = field[region]
        stock: dict[str, int] = {}
        for name in _keys(regional):
            entry = regional[name]
            if name not in types:
                entry.fail(f"unknown instance type {render(name)}, not in the catalog")
            stock[name] = _count(entry, None)
        inventory[region] = stock
    return inventory


def _pool(field: Field, types: Mapping[str, InstanceType], listed: int) -> NodePool:
    """A node pool; ``listed`` is how many nodes of the cluster name it."""
    field.only(_POOL)
    name = read_name(field["name"])
    names = field["instanceTypes"]
    autoscaling = field["autoscaling"].boolean(default=True)
    instance_types: list[str] = []
    seen: set[str] = set()
    for item in names.items():
        type_name = read_name(item)
        if type_name in seen:
            item.fail(f"duplicate {render(type_name)}")
        if type_name not in types:
            item.fail(f"unknown instance type {render(type_name)}, not in the catalog")
        if autoscaling and types[type_name].hourly_price is None:
            item.fail(
                f"instance type {render(type_name)} has no price, which an autoscaling pool "
                "needs (give one in spec.catalog.prices)"
            )
        seen.add(type_name)
        instance_types.append(type_name)
    current = _count(field["currentNodes"], listed)
    if current < listed:
        field["currentNodes"].fail(f"is {current}, but {listed} nodes of the pool are listed")
    maximum = _count(field["maxNodes"], current)
    if maximum < current:
        field["maxNodes"].fail(f"must be ≥ currentNodes {current}, got {maximum}")
    return build(
        field,
        lambda: NodePool(
            name=name,
            instance_types=instance_types,
            current_nodes=current,
            max_nodes=maximum,
            autoscaling=autoscaling,
        ),
    )


def _node_replicas(field: Field) -> dict[str, int]:
    """A node's ``replicas``: workload name → replicas of it on the node."""
    counts: dict[str, int] = {}
    for workload in _keys(field):
        counts[workload] = _count(field[workload], None)
    return counts


def _node(
    field: Field, pools: Mapping[str, list[str]], types: Mapping[str, InstanceType]
) -> tuple[Node, dict[str, int]]:
    """A node and its replicas per workload."""
    field.only(_NODE)
    name = read_name(field["name"])
    labels = read_labels(field["labels"])
    pool: str | None = None
    if field["pool"].present:
        pool = read_name(field["pool"])
        if pool not in pools:
            field["pool"].fail(f"unknown pool {render(pool)}, not among the cluster's pools")
    allocatable_field = field["allocatable"]
    if allocatable_field.present:
        allocatable = _amounts(allocatable_field)
    else:
        # The node's instance type: its label, else its pool's first type (as the scale-in
        # prices a node).
        kind = labels.get(INSTANCE_TYPE_LABEL) or (pools[pool][0] if pool and pools[pool] else "")
        if kind not in types:
            allocatable_field.fail(
                "required field is missing (no instance type of the catalog to take it from)"
            )
        allocatable = types[kind].allocatable
    replicas = _node_replicas(field["replicas"])
    running = sum(replicas.values())
    pods = _count(field["pods"], running)
    if pods < running:
        field["pods"].fail(f"is {pods}, but {running} replicas are listed on the node")
    max_pods = read_int(field["maxPods"], DEFAULT_MAX_PODS, minimum=0, maximum=INT32_MAX)
    requested = _amounts(field["requested"])
    node = build(
        field,
        lambda: Node(
            name=name,
            allocatable=allocatable,
            requested=requested,
            pods=pods,
            max_pods=max_pods,
            pool=pool,
            labels=labels,
        ),
    )
    return node, replicas


def _cluster(
    field: Field, types: Mapping[str, InstanceType], replicas: dict[str, dict[str, dict[str, int]]]
) -> Cluster:
    """A cluster; the replicas listed on its nodes are added to ``replicas``."""
    field.only(_CLUSTER)
    name = read_name(field["name"])
    region = read_name(field["region"])
    labels = read_labels(field["labels"])
    node_fields = list(field["nodes"].items())
    listed: dict[str, int] = {}
    for node_field in node_fields:
        pool_name = node_field["pool"].value
        if isinstance(pool_name, str):
            listed[pool_name] = listed.get(pool_name, 0) + 1
    pools: list[NodePool] = []
    # Names seen so far, so that a duplicate costs O(1) to find (10^5 nodes read in seconds).
    pool_names: set[str] = set()
    for pool_field in field["pools"].items():
        pool_name = read_name(pool_field["name"])
        if pool_name in pool_names:
            pool_field["name"].fail(f"duplicate pool {render(pool_name)} in this cluster")
        pool_names.add(pool_name)
        pools.append(_pool(pool_field, types, listed.get(pool_name, 0)))
    pool_types = {pool.name: list(pool.instance_types) for pool in pools}
    nodes: list[Node] = []
    node_names: set[str] = set()
    for node_field in node_fields:
        node, counts = _node(node_field, pool_types, types)
        if node.name in node_names:
            node_field["name"].fail(f"duplicate node {render(node.name)} in this cluster")
        node_names.add(node.name)
        nodes.append(node)
        for workload, count in counts.items():
            if count:
                replicas.setdefault(workload, {}).setdefault(name, {})[node.name] = count
    return build(
        field, lambda: Cluster(name=name, region=region, labels=labels, nodes=nodes, pools=pools)
    )


def _read_fleet(document: Field) -> FleetObject:
    """Read a ``Fleet`` object (schema: ``docs/manifests/fleet.md``).

    Defaults: a pool's ``currentNodes`` is the number of nodes listed with ``pool: <it>``,
    its ``maxNodes`` is its ``currentNodes`` (it cannot grow), ``autoscaling`` is ``true``;
    a node's ``pods`` is the number of replicas listed on it, ``maxPods`` 110, ``requested``
    nothing, and ``allocatable`` that of its instance type (its
    ``node.kubernetes.io/instance-type`` label, else its pool's first type).

    Args:
        document: the whole object, at the empty path.

    Raises:
        InvalidManifest: an unknown field under ``spec``, a value of the wrong type, a
            negative or malformed quantity, a price that is not an exact decimal, a
            duplicate name, a pool or instance type that does not exist, an autoscaling
            pool whose type has no price, ``maxNodes < currentNodes``, fewer ``pods`` than
            listed replicas; the message names the field path.

    Runtime complexity: O(size of the object + t) for t packaged catalog entries.

    >>> fleet = _read_fleet(Field({"kind": "Fleet", "metadata": {"name": "f"}, "spec": {
    ...     "clusters": [{"name": "c1", "region": "r1", "nodes": [{"name": "n1",
    ...     "allocatable": {"cpu": "8"}, "replicas": {"web": 2}}]}]}}))
    >>> fleet.fleet.clusters[0].nodes[0].pods, dict(fleet.current("web")["c1"])
    (2, {'n1': 2})
    """
    name = document["metadata"]["name"].name()
    spec = document["spec"].required()
    spec.only(_SPEC)
    types = _catalog(spec["catalog"])
    inventory = _inventory(spec["inventory"], types)
    replicas: dict[str, dict[str, dict[str, int]]] = {}
    clusters: list[Cluster] = []
    cluster_names: set[str] = set()
    for cluster_field in spec["clusters"].items():
        cluster = _cluster(cluster_field, types, replicas)
        if cluster.name in cluster_names:
            cluster_field["name"].fail(f"duplicate cluster {render(cluster.name)}")
        cluster_names.add(cluster.name)
        clusters.append(cluster)
    fleet = build(
        spec, lambda: Fleet(clusters=clusters, inventory=inventory, catalog=types.values())
    )
    return build(document, lambda: FleetObject(name=name, fleet=fleet, replicas=replicas))
