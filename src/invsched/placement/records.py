"""Every record of a placement: what to place, under which policy, and what was decided.

One module for the vocabulary, so that a reader meets each name once, before the algorithms
that use it:

* the request — :class:`Workload` (one Deployment's replicas and per-replica request) and
  :class:`PlacementPolicy` (a Karmada ``PropagationPolicy``'s placement plus ACK One's
  ``autoScaling.ecsProvision``), with the enums :class:`ReplicaSchedulingType` and
  :class:`WeightPreference`;
* the decision — :class:`Placement` (replicas per cluster, and why a cluster got none),
  :class:`NodeProvision` (new nodes a pool adds) and :class:`NodeRelease` (nodes a
  scale-down empties).

The fleet itself lives in :mod:`invsched.placement.fleet`. This module imports no solver
(``provision``, ``_mip``, ``_flow``): records are cheap to import and to build by hand.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import cast

import attrs

from invsched._validators import (
    FieldError,
    check_count,
    check_decimal,
    check_name,
    check_printable,
    check_text,
    count_field,
    decimal_field,
    enum_field,
    flag_field,
    mapping_field,
    name_field,
    names_field,
    resources_field,
    string_field,
    to_frozen_map,
    to_tuple,
    tuple_of_field,
)
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement.fleet import Cluster
from invsched.resources import Resources

__all__ = [
    "NodeProvision",
    "NodeRelease",
    "Placement",
    "PlacementPolicy",
    "ReplicaSchedulingType",
    "WeightPreference",
    "Workload",
]

_count = count_field(InvalidRequest)
_names = names_field(InvalidRequest)


# Typed converters: the signatures give the records' __init__ their static types; at run
# time junk passes through unchanged, for the field's validator to refuse by name.


def _to_names(value: Iterable[str]) -> tuple[str, ...]:
    return cast("tuple[str, ...]", to_tuple(value))


def _to_labels(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return cast("FrozenMap[str, str]", to_frozen_map(value))


def _to_counts(value: Mapping[str, int]) -> FrozenMap[str, int]:
    return cast("FrozenMap[str, int]", to_frozen_map(value))


def _to_provisions(value: Iterable[NodeProvision]) -> tuple[NodeProvision, ...]:
    return cast("tuple[NodeProvision, ...]", to_tuple(value))


def _to_releases(value: Iterable[NodeRelease]) -> tuple[NodeRelease, ...]:
    return cast("tuple[NodeRelease, ...]", to_tuple(value))


def _weight(error: FieldError, field: str, value: object) -> int:
    return check_count(error, field, value, minimum=1)


class ReplicaSchedulingType(enum.Enum):
    """Karmada ``replicaSchedulingType``."""

    DUPLICATED = "Duplicated"
    DIVIDED = "Divided"


class WeightPreference(enum.Enum):
    """How ``DIVIDED`` splits: static weights, ``dynamicWeight: AvailableReplicas``, or
    ``Aggregated`` (fewest clusters)."""

    STATIC_WEIGHT = "StaticWeight"
    AVAILABLE_REPLICAS = "AvailableReplicas"
    AGGREGATED = "Aggregated"


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
        check_name(InvalidRequest, "NodeProvision.cluster", self.cluster)
        check_name(InvalidRequest, "NodeProvision.pool", self.pool)
        check_name(InvalidRequest, "NodeProvision.instance_type", self.instance_type)
        check_count(InvalidRequest, "NodeProvision.nodes", self.nodes, minimum=1)
        check_count(InvalidRequest, "NodeProvision.replicas", self.replicas)
        # A cost is a product of bounded factors (price × nodes): finite, ≥ 0, not bounded.
        check_decimal(InvalidRequest, "NodeProvision.hourly_cost", self.hourly_cost, bounded=False)


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
        check_name(InvalidRequest, "NodeRelease.cluster", self.cluster)
        check_name(InvalidRequest, "NodeRelease.pool", self.pool)
        check_name(InvalidRequest, "NodeRelease.instance_type", self.instance_type)
        check_count(InvalidRequest, "NodeRelease.nodes", self.nodes, minimum=1)
        check_decimal(
            InvalidRequest, "NodeRelease.hourly_savings", self.hourly_savings, bounded=False
        )


@attrs.frozen(kw_only=True)
class Workload:
    """A workload to place: ``replicas`` copies of a pod requesting ``request``.

    Attributes:
        name: the workload's name (free-form printable text, not empty).
        replicas: desired replicas (``int`` ≥ 0).
        request: one replica's request (amounts ≥ 0).
        uid: the workload UID, which picks Karmada's tie-break direction (``""`` for none).

    >>> Workload(name="qwen3-8b", replicas=4, request=Resources.parse({"nvidia.com/gpu": 1})).uid
    ''
    """

    name: str = attrs.field(validator=name_field(InvalidRequest))
    replicas: int = attrs.field(validator=_count)
    request: Resources = attrs.field(validator=resources_field(InvalidRequest))
    uid: str = attrs.field(default="", validator=string_field(InvalidRequest))


@attrs.frozen(kw_only=True)
class PlacementPolicy:
    """A ``PropagationPolicy``'s placement, plus ACK One's ``autoScaling.ecsProvision``.

    Attributes:
        cluster_names: ``clusterAffinity.clusterNames``; empty means every cluster. A
            sequence of names: a bare string is refused, not split into characters.
        label_selector: ``clusterAffinity.labelSelector.matchLabels`` (every pair must match).
        exclude: ``clusterAffinity.exclude`` (a sequence of names, as ``cluster_names``).
        replica_scheduling: ``DUPLICATED`` or ``DIVIDED``.
        weight_preference: for ``DIVIDED``, how to split.
        static_weights: cluster → weight (``int`` ≥ 1) for ``STATIC_WEIGHT`` (unlisted
            candidates get none; if no candidate is listed, every candidate weighs 1, as
            Karmada does).
        ecs_provision: buy new nodes for what existing capacity cannot hold.

    >>> policy = PlacementPolicy(cluster_names=["cluster1", "cluster2"], ecs_provision=True)
    >>> policy.weight_preference
    <WeightPreference.AVAILABLE_REPLICAS: 'AvailableReplicas'>
    """

    cluster_names: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_to_names, validator=_names
    )
    label_selector: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap,
        converter=_to_labels,
        validator=mapping_field(InvalidRequest, check_name, check_printable),
    )
    exclude: tuple[str, ...] = attrs.field(factory=tuple, converter=_to_names, validator=_names)
    replica_scheduling: ReplicaSchedulingType = attrs.field(
        default=ReplicaSchedulingType.DIVIDED,
        validator=enum_field(InvalidRequest, ReplicaSchedulingType),
    )
    weight_preference: WeightPreference = attrs.field(
        default=WeightPreference.AVAILABLE_REPLICAS,
        validator=enum_field(InvalidRequest, WeightPreference),
    )
    static_weights: FrozenMap[str, int] = attrs.field(
        factory=FrozenMap,
        converter=_to_counts,
        validator=mapping_field(InvalidRequest, check_name, _weight),
    )
    ecs_provision: bool = attrs.field(default=False, validator=flag_field(InvalidRequest))

    def exclusion_reason(self, cluster: Cluster) -> str | None:
        """Why the cluster affinity leaves ``cluster`` out, or ``None`` if it is a candidate.

        Runtime complexity: O(n + l) for n listed names and l selector labels.
        """
        if cluster.name in self.exclude:
            return "excluded by the cluster affinity"
        if self.cluster_names and cluster.name not in self.cluster_names:
            return "not in the cluster affinity's clusterNames"
        for key, value in self.label_selector.items():
            if cluster.labels.get(key) != value:
                return f"label {key}={value} does not match the cluster affinity"
        return None


@attrs.frozen(kw_only=True)
class Placement:
    """Where the replicas go and which nodes to buy or release.

    Every field is checked, so that a placement built by hand (to pass as ``previous`` to
    :func:`~invsched.placement.place`) is as sound as one ``place`` returns.

    Attributes:
        replicas: cluster → replicas (``int`` ≥ 0; ``place`` omits clusters with none).
        provisioning: new nodes to add, one entry per (cluster, pool, instance type).
        hourly_cost: Σ hourly cost of ``provisioning`` (a finite ``Decimal`` ≥ 0).
        scale_in: nodes that become empty after a scale-down (with their savings).
        unplaced: replicas that fit nowhere (only with ``allow_partial``).
        reasons: cluster → why it gets no replica, for every cluster of the fleet left out.
    """

    replicas: FrozenMap[str, int] = attrs.field(
        converter=_to_counts, validator=mapping_field(InvalidRequest, check_name, check_count)
    )
    provisioning: tuple[NodeProvision, ...] = attrs.field(
        default=(),
        converter=_to_provisions,
        validator=tuple_of_field(InvalidRequest, NodeProvision),
    )
    hourly_cost: Decimal = attrs.field(
        default=Decimal(0), validator=decimal_field(InvalidRequest, bounded=False)
    )
    scale_in: tuple[NodeRelease, ...] = attrs.field(
        default=(), converter=_to_releases, validator=tuple_of_field(InvalidRequest, NodeRelease)
    )
    unplaced: int = attrs.field(default=0, validator=_count)
    reasons: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap,
        converter=_to_labels,
        validator=mapping_field(InvalidRequest, check_name, check_text),
    )

    @property
    def per_cluster(self) -> FrozenMap[str, int]:
        """Cluster → replicas placed: the name that says what :attr:`replicas` holds.

        In this package a bare ``replicas`` is one count (``Workload.replicas``,
        ``NodeProvision.replicas``); per-cluster counts are ``per_cluster``. The field
        ``replicas`` stays for compatibility and holds the same mapping.

        Runtime complexity: O(1).

        >>> Placement(replicas={"c1": 2, "c2": 1}).per_cluster
        FrozenMap({'c1': 2, 'c2': 1})
        """
        return self.replicas

    @property
    def placed(self) -> int:
        """How many replicas the placement puts on clusters (Σ :attr:`per_cluster`).

        Runtime complexity: O(c) for c clusters.

        >>> Placement(replicas={"c1": 2, "c2": 1}, unplaced=1).placed
        3
        """
        return sum(self.replicas.values())
