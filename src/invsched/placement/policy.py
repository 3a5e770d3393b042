"""The records of a placement decision: the workload, the policy and the result.

``Workload`` is one Deployment's replicas and per-replica request; ``PlacementPolicy``
mirrors a Karmada ``PropagationPolicy`` (cluster affinity, replica scheduling, and ACK One's
``autoScaling.ecsProvision``); ``Placement`` is what :func:`~invsched.placement.place`
decides.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement.fleet import Cluster
from invsched.placement.provision import NodeProvision, NodeRelease
from invsched.resources import Resources

__all__ = [
    "Placement",
    "PlacementPolicy",
    "ReplicaSchedulingType",
    "WeightPreference",
    "Workload",
]


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


def _count(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 0:
        raise InvalidRequest(attribute.name, f"must be an int ≥ 0, got {value!r}")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    names = tuple(value)
    for index, name in enumerate(names):
        if not isinstance(name, str):
            raise InvalidRequest(f"cluster names[{index}]", f"must be a str, got {name!r}")
    return names


def _weights(value: Mapping[str, int]) -> FrozenMap[str, int]:
    for name, weight in value.items():
        if type(weight) is not int or weight < 1:
            raise InvalidRequest(f"static_weights[{name!r}]", f"must be an int ≥ 1, got {weight!r}")
    return FrozenMap(value)


def _labels(value: Mapping[str, str]) -> FrozenMap[str, str]:
    for key, text in value.items():
        if not isinstance(key, str) or not isinstance(text, str):
            raise InvalidRequest("labels", f"must map str to str, got {key!r}: {text!r}")
    return FrozenMap(value)


def _counts(value: Mapping[str, int]) -> FrozenMap[str, int]:
    return FrozenMap(value)


def _provisions(value: Iterable[NodeProvision]) -> tuple[NodeProvision, ...]:
    return tuple(value)


def _releases(value: Iterable[NodeRelease]) -> tuple[NodeRelease, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Workload:
    """A workload to place: ``replicas`` copies of a pod requesting ``request``.

    >>> Workload(name="qwen3-8b", replicas=4, request=Resources.parse({"nvidia.com/gpu": 1})).uid
    ''
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    replicas: int = attrs.field(validator=_count)
    request: Resources = attrs.field(validator=attrs.validators.instance_of(Resources))
    uid: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    def __attrs_post_init__(self) -> None:
        negative = self.request.negative_keys()
        if negative:
            raise InvalidRequest(
                f"{self.name}.request.{negative[0]}",
                f"must be ≥ 0, got {self.request[negative[0]]}",
            )


@attrs.frozen(kw_only=True)
class PlacementPolicy:
    """A ``PropagationPolicy``'s placement, plus ACK One's ``autoScaling.ecsProvision``.

    Attributes:
        cluster_names: ``clusterAffinity.clusterNames``; empty means every cluster.
        label_selector: ``clusterAffinity.labelSelector.matchLabels`` (every pair must match).
        exclude: ``clusterAffinity.exclude``.
        replica_scheduling: ``DUPLICATED`` or ``DIVIDED``.
        weight_preference: for ``DIVIDED``, how to split.
        static_weights: cluster → weight for ``STATIC_WEIGHT`` (unlisted candidates get
            none; if no candidate is listed, every candidate weighs 1, as Karmada does).
        ecs_provision: buy new nodes for what existing capacity cannot hold.

    >>> policy = PlacementPolicy(cluster_names=["cluster1", "cluster2"], ecs_provision=True)
    >>> policy.weight_preference
    <WeightPreference.AVAILABLE_REPLICAS: 'AvailableReplicas'>
    """

    cluster_names: tuple[str, ...] = attrs.field(factory=tuple, converter=_names)
    label_selector: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=_labels)
    exclude: tuple[str, ...] = attrs.field(factory=tuple, converter=_names)
    replica_scheduling: ReplicaSchedulingType = attrs.field(
        default=ReplicaSchedulingType.DIVIDED,
        validator=attrs.validators.instance_of(ReplicaSchedulingType),
    )
    weight_preference: WeightPreference = attrs.field(
        default=WeightPreference.AVAILABLE_REPLICAS,
        validator=attrs.validators.instance_of(WeightPreference),
    )
    static_weights: FrozenMap[str, int] = attrs.field(factory=FrozenMap, converter=_weights)
    ecs_provision: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

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

    Attributes:
        replicas: cluster → replicas (clusters with none omitted).
        provisioning: new nodes to add, one entry per (cluster, pool, instance type).
        hourly_cost: Σ hourly cost of ``provisioning``.
        scale_in: nodes that become empty after a scale-down (with their savings).
        unplaced: replicas that fit nowhere (only with ``allow_partial``).
        reasons: cluster → why it gets no replica, for every cluster of the fleet left out.
    """

    replicas: FrozenMap[str, int] = attrs.field(converter=_counts)
    provisioning: tuple[NodeProvision, ...] = attrs.field(default=(), converter=_provisions)
    hourly_cost: Decimal = Decimal(0)
    scale_in: tuple[NodeRelease, ...] = attrs.field(default=(), converter=_releases)
    unplaced: int = 0
    reasons: FrozenMap[str, str] = attrs.field(factory=FrozenMap, converter=_labels)
