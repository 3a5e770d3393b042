"""Karmada's propagation policies, and which one places a workload.

* ``PropagationPolicy`` and ``ClusterPropagationPolicy`` (``policy.karmada.io/v1alpha1``,
  and ACK One's ``policy.one.alibabacloud.com/v1alpha1``, which adds
  ``spec.autoScaling.ecsProvision``) become a :class:`PolicyObject`: the resource
  selectors, the explicit priority and the :class:`~invsched.placement.PlacementPolicy`
  that :func:`~invsched.placement.place` takes, in ``Manifests.policies``;
* :func:`policy_for` picks the policy that places a workload
  (:class:`~invsched.manifests.workloads.WorkloadObject`), as Karmada's resource detector
  does (``pkg/detector/compare.go``, ``pkg/util/selector.go``).

Fields Karmada has that decide nothing in one placement (tolerations, failover, conflict
resolution, ...) are read past. Fields that would change the decision and are not modelled
(``spreadConstraints``, ``clusterAffinities``, ``workloadAffinity``, field selectors, label
expressions on clusters) are refused with ``not supported: ...`` rather than silently
ignored. An unknown field in a policy's ``spec`` is an error. See
``docs/manifests/placement.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final, cast

import attrs

from invsched._validators import (
    count_field,
    enum_field,
    instance_field,
    name_field,
    optional,
    printable_field,
    to_tuple,
    tuple_of_field,
)
from invsched.errors import InvalidRequest
from invsched.manifests._reading import (
    INT32_MAX,
    INT32_MIN,
    build,
    read_choice,
    read_int,
    read_labels,
    read_name,
    read_names,
    refuse,
)
from invsched.manifests._selectors import (
    SELECTOR_FIELDS,
    LabelRequirement,
    LabelSelector,
    SelectorOperator,
    read_label_selector,
)
from invsched.manifests._walk import Field
from invsched.manifests.workloads import WorkloadObject
from invsched.placement.records import PlacementPolicy, ReplicaSchedulingType, WeightPreference

__all__ = [
    "LabelRequirement",
    "LabelSelector",
    "MatchPriority",
    "PolicyMatch",
    "PolicyObject",
    "PolicyScope",
    "ResourceSelector",
    "SelectorOperator",
    "policy_for",
]

#: Namespaces whose objects Karmada's detector never propagates (``names.IsReservedNamespace``).
_RESERVED_NAMESPACES: Final = frozenset({"karmada-system", "karmada-cluster"})
_RESERVED_PREFIXES: Final = ("kube-", "karmada-es-")


def _to_selectors(value: Iterable[ResourceSelector]) -> tuple[ResourceSelector, ...]:
    return cast("tuple[ResourceSelector, ...]", to_tuple(value))


class PolicyScope(enum.Enum):
    """Which kind of policy: one namespace's, or the whole fleet's."""

    NAMESPACED = "PropagationPolicy"
    CLUSTER = "ClusterPropagationPolicy"


class MatchPriority(enum.IntEnum):
    """How precisely a resource selector matches a workload (Karmada's implicit priority).

    Among policies of equal explicit ``priority`` the higher value wins.
    """

    #: apiVersion and kind only (``name`` and ``labelSelector`` empty).
    KIND = 1
    #: by ``labelSelector``.
    LABEL_SELECTOR = 2
    #: by ``name``.
    NAME = 3

    @property
    def description(self) -> str:
        """How messages say it: ``by name``, ``by label selector``, ``by apiVersion and kind``."""
        return _MATCH_WORDS[self]


_MATCH_WORDS: Final = {
    MatchPriority.KIND: "by apiVersion and kind",
    MatchPriority.LABEL_SELECTOR: "by label selector",
    MatchPriority.NAME: "by name",
}


@attrs.frozen(kw_only=True)
class ResourceSelector:
    """One entry of a policy's ``spec.resourceSelectors``.

    Attributes:
        api_version, kind: must equal the workload's (``apps/v1``, ``Deployment``).
        namespace: the workload's namespace must equal it; ``""`` matches any (the
            selectors of a ``PropagationPolicy`` default to the policy's namespace, as
            Karmada's webhook sets them).
        name: when set, the workload's name must equal it and ``label_selector`` is ignored.
        label_selector: when set (and no ``name``), the workload's labels must match it;
            ``None`` (absent) matches every workload of the kind.

    >>> selector = ResourceSelector(api_version="apps/v1", kind="Deployment", name="web")
    >>> selector.match_priority(api_version="apps/v1", kind="Deployment", name="web",
    ...     namespace="default", labels={})
    <MatchPriority.NAME: 3>
    """

    api_version: str = attrs.field(validator=name_field(InvalidRequest))
    kind: str = attrs.field(validator=name_field(InvalidRequest))
    namespace: str = attrs.field(default="", validator=printable_field(InvalidRequest))
    name: str = attrs.field(default="", validator=printable_field(InvalidRequest))
    label_selector: LabelSelector | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidRequest, LabelSelector))
    )

    def match_priority(
        self,
        *,
        api_version: str,
        kind: str,
        name: str,
        namespace: str,
        labels: Mapping[str, str],
    ) -> MatchPriority | None:
        """How this selector matches the object, or ``None`` when it does not.

        Karmada's ``ResourceSelectorPriority``: apiVersion, kind and (if set) namespace must
        be equal; then a name decides alone; else a label selector, if any; else the
        selector matches every object of the kind.

        Runtime complexity: O(l + e·v) for the label selector's size.
        """
        if self.api_version != api_version or self.kind != kind:
            return None
        if self.namespace and self.namespace != namespace:
            return None
        if self.name:
            return MatchPriority.NAME if self.name == name else None
        if self.label_selector is None:
            return MatchPriority.KIND
        return MatchPriority.LABEL_SELECTOR if self.label_selector.matches(labels) else None


@attrs.frozen(kw_only=True)
class PolicyObject:
    """A ``PropagationPolicy`` or ``ClusterPropagationPolicy`` as read.

    Attributes:
        scope: ``NAMESPACED`` (a ``PropagationPolicy``) or ``CLUSTER``.
        name: ``metadata.name``.
        namespace: ``metadata.namespace`` (``default`` when absent); ``""`` for a
            ``ClusterPropagationPolicy``.
        priority: ``spec.priority``, Karmada's explicit priority (0 when absent).
        selectors: ``spec.resourceSelectors``.
        policy: the placement (``spec.placement`` and ``spec.autoScaling``).

    >>> from invsched.placement import PlacementPolicy
    >>> PolicyObject(scope=PolicyScope.NAMESPACED, name="web", namespace="default",
    ...     selectors=[ResourceSelector(api_version="apps/v1", kind="Deployment")],
    ...     policy=PlacementPolicy()).key
    'PropagationPolicy default/web'
    """

    scope: PolicyScope = attrs.field(validator=enum_field(InvalidRequest, PolicyScope))
    name: str = attrs.field(validator=name_field(InvalidRequest))
    namespace: str = attrs.field(default="", validator=printable_field(InvalidRequest))
    priority: int = attrs.field(default=0, validator=count_field(InvalidRequest, minimum=INT32_MIN))
    selectors: tuple[ResourceSelector, ...] = attrs.field(
        converter=_to_selectors, validator=tuple_of_field(InvalidRequest, ResourceSelector)
    )
    policy: PlacementPolicy = attrs.field(validator=instance_field(InvalidRequest, PlacementPolicy))

    @property
    def key(self) -> str:
        """``PropagationPolicy namespace/name`` or ``ClusterPropagationPolicy name``."""
        if self.scope is PolicyScope.CLUSTER:
            return f"{self.scope.value} {self.name}"
        return f"{self.scope.value} {self.namespace}/{self.name}"

    def match_priority(self, workload: WorkloadObject) -> MatchPriority | None:
        """The best match of any selector for ``workload``, or ``None``.

        A ``PropagationPolicy`` only selects workloads of its own namespace (Karmada looks
        up the policies of the workload's namespace).

        Runtime complexity: O(s) selectors (times a label selector's size).
        """
        if self.scope is PolicyScope.NAMESPACED and workload.namespace != self.namespace:
            return None
        best: MatchPriority | None = None
        for selector in self.selectors:
            found = selector.match_priority(
                api_version=workload.api_version,
                kind=workload.kind,
                name=workload.name,
                namespace=workload.namespace,
                labels=workload.labels,
            )
            if found is not None and (best is None or found > best):
                best = found
        return best


@attrs.frozen(kw_only=True)
class PolicyMatch:
    """Which policy places a workload, and why (or why none does).

    Attributes:
        policy: the winning policy, or ``None``.
        match: how its selectors matched (``None`` when no policy matched).
        reason: one sentence for people.
    """

    policy: PolicyObject | None
    match: MatchPriority | None
    reason: str


# Matching ---------------------------------------------------------------------------------


def _is_reserved(namespace: str) -> bool:
    return namespace in _RESERVED_NAMESPACES or namespace.startswith(_RESERVED_PREFIXES)


def _wins(
    policy: PolicyObject, match: MatchPriority, held: PolicyObject, held_match: MatchPriority
) -> bool:
    """Karmada's ``getHighestPriorityPropagationPolicy``: the higher explicit priority, then
    the more precise match, then the alphabetically lower name (Go compares bytes, Python
    code points: the same order)."""
    if policy.priority != held.priority:
        return policy.priority > held.priority
    if match != held_match:
        return match > held_match
    return policy.name < held.name


def _best(
    workload: WorkloadObject, policies: list[PolicyObject]
) -> tuple[PolicyObject, MatchPriority, int] | None:
    """The winning policy among ``policies``, how it matched, and how many matched at all."""
    best: tuple[PolicyObject, MatchPriority] | None = None
    matched = 0
    for policy in policies:
        found = policy.match_priority(workload)
        if found is None:
            continue
        matched += 1
        if best is None or _wins(policy, found, *best):
            best = (policy, found)
    return None if best is None else (best[0], best[1], matched)


def _checked(workload: object, policies: object) -> list[PolicyObject]:
    """The arguments of :func:`policy_for`, checked; of policies with one kind, namespace and
    name only the last is kept (applying such a stream leaves the last one in place)."""
    if not isinstance(workload, WorkloadObject):
        raise InvalidRequest(
            "workload", f"expected a WorkloadObject, got {type(workload).__name__}"
        )
    if isinstance(policies, (str, bytes, Mapping)) or not isinstance(policies, Iterable):
        raise InvalidRequest(
            "policies", f"expected a sequence of PolicyObject, got {type(policies).__name__}"
        )
    latest: dict[tuple[PolicyScope, str, str], PolicyObject] = {}
    for index, item in enumerate(policies):
        if not isinstance(item, PolicyObject):
            raise InvalidRequest(
                f"policies[{index}]", f"expected a PolicyObject, got {type(item).__name__}"
            )
        latest.pop((item.scope, item.namespace, item.name), None)
        latest[item.scope, item.namespace, item.name] = item
    return list(latest.values())


def policy_for(workload: WorkloadObject, policies: Iterable[PolicyObject]) -> PolicyMatch:
    """The policy that places ``workload``, chosen as Karmada's resource detector does.

    1. objects in a namespace Karmada reserves (``kube-*``, ``karmada-system``,
       ``karmada-cluster``, ``karmada-es-*``) are never propagated;
    2. the ``PropagationPolicy`` objects of the workload's namespace come first; only when
       none matches are ``ClusterPropagationPolicy`` objects considered;
    3. among matching policies of one kind: the highest ``priority``, then the most precise
       match (:class:`MatchPriority`: name > label selector > apiVersion and kind), then the
       alphabetically lowest name.

    A policy's claim on a workload (Karmada keeps a claimed workload with its policy until
    a ``preemption: Always`` policy of higher priority takes it) is not modelled: the
    answer is Karmada's for a workload that no policy has claimed yet.

    Args:
        workload: the Deployment or StatefulSet.
        policies: every policy of the input, in any order; of two with the same kind,
            namespace and name the later counts (as when the stream is applied).

    Returns:
        A :class:`PolicyMatch`; its ``policy`` is ``None`` (with the reason) when none
        matches.

    Raises:
        InvalidRequest: not a :class:`WorkloadObject`, or an item that is not a
            :class:`PolicyObject`.

    Runtime complexity: O(p · s) for p policies of s selectors.

    >>> from invsched.placement import PlacementPolicy, Workload
    >>> from invsched.resources import Resources
    >>> web = WorkloadObject(api_version="apps/v1", kind="Deployment", name="web",
    ...     namespace="default", workload=Workload(name="web", replicas=1, request=Resources()))
    >>> every = PolicyObject(scope=PolicyScope.NAMESPACED, name="all", namespace="default",
    ...     selectors=[ResourceSelector(api_version="apps/v1", kind="Deployment")],
    ...     policy=PlacementPolicy())
    >>> print(policy_for(web, [every]).reason)
    PropagationPolicy default/all selects it by apiVersion and kind (priority 0)
    >>> print(policy_for(web, []).reason)
    no PropagationPolicy in namespace default nor ClusterPropagationPolicy selects it
    """
    listed = _checked(workload, policies)
    if _is_reserved(workload.namespace):
        return PolicyMatch(
            policy=None,
            match=None,
            reason=f"namespace {workload.namespace} is reserved: Karmada propagates nothing "
            "from it",
        )
    for scope in PolicyScope:
        found = _best(workload, [policy for policy in listed if policy.scope is scope])
        if found is None:
            continue
        policy, match, matched = found
        reason = f"{policy.key} selects it {match.description} (priority {policy.priority})"
        if matched > 1:
            others = matched - 1
            reason += f", over {others} other matching {'policy' if others == 1 else 'policies'}"
        return PolicyMatch(policy=policy, match=match, reason=reason)
    return PolicyMatch(
        policy=None,
        match=None,
        reason=f"no PropagationPolicy in namespace {workload.namespace} nor "
        "ClusterPropagationPolicy selects it",
    )


# Reading ----------------------------------------------------------------------------------

#: Karmada's ``int64`` static weight.
_INT64_MAX: Final = 2**63 - 1


class _DivisionPreference(enum.Enum):
    """Karmada's ``replicaDivisionPreference``."""

    AGGREGATED = "Aggregated"
    WEIGHTED = "Weighted"


class _DynamicWeight(enum.Enum):
    """Karmada's ``dynamicWeight`` factor (only one exists)."""

    AVAILABLE_REPLICAS = "AvailableReplicas"


#: ``spec`` fields that decide the placement.
_SPEC_READ: Final = frozenset({"resourceSelectors", "placement", "priority", "autoScaling"})
#: ``spec`` fields that change nothing in one placement decision: which dependents travel
#: along, failover, conflicts on apply, dispatch suspension, claims between policies over
#: time, the scheduler's queue order and name.
_SPEC_IGNORED: Final = frozenset(
    {
        "activationPreference",
        "association",
        "conflictResolution",
        "dependentOverrides",
        "failover",
        "preemption",
        "preserveResourcesOnDeletion",
        "propagateDeps",
        "schedulePriority",
        "schedulerName",
        "suspension",
    }
)
#: ``spec.placement`` fields read, and read past: the fleet has no cluster taints, so
#: tolerations change nothing (Karmada's webhook adds two to every policy).
_PLACEMENT_READ: Final = frozenset({"clusterAffinity", "replicaScheduling"})
_PLACEMENT_IGNORED: Final = frozenset({"clusterTolerations"})
#: ``spec.placement`` fields that would change the decision and are not modelled.
_PLACEMENT_REFUSED: Final = {
    "clusterAffinities": "ordered cluster groups (clusterAffinities); give one clusterAffinity",
    "spreadConstraints": "spread constraints (how many clusters and regions are chosen)",
    "workloadAffinity": "workload affinity (placement tied to other workloads)",
}
_AFFINITY_FIELDS: Final = frozenset({"clusterNames", "exclude", "labelSelector", "fieldSelector"})


def _resource_selector(field: Field, default_namespace: str) -> ResourceSelector:
    field.only(frozenset({"apiVersion", "kind", "namespace", "name", "labelSelector"}))
    api_version = read_name(field["apiVersion"])
    kind = read_name(field["kind"])
    namespace = field["namespace"].string("") or default_namespace
    name = field["name"].string("")
    chosen = field["labelSelector"]
    # A present selector, even {}, matches "by label selector" (a non-nil pointer in Go).
    label_selector = read_label_selector(chosen) if chosen.present else None
    return build(
        field,
        lambda: ResourceSelector(
            api_version=api_version,
            kind=kind,
            namespace=namespace,
            name=name,
            label_selector=label_selector,
        ),
    )


def _cluster_affinity(field: Field) -> dict[str, object]:
    """``clusterAffinity`` as :class:`PlacementPolicy` fields."""
    field.only(_AFFINITY_FIELDS)
    refuse(field["fieldSelector"], "selecting clusters by provider, region or zone")
    selector = field["labelSelector"]
    selector.only(SELECTOR_FIELDS)
    refuse(selector["matchExpressions"], "label expressions on clusters (give matchLabels)")
    return {
        "cluster_names": read_names(field["clusterNames"]),
        "exclude": read_names(field["exclude"]),
        "label_selector": read_labels(selector["matchLabels"]),
    }


def _static_weights(field: Field) -> dict[str, int]:
    """``staticWeightList``: each listed cluster's weight, the highest of its entries (as
    Karmada's ``getStaticWeightInfoList``), excluded clusters left out."""
    weights: dict[str, int] = {}
    for item in field.items():
        item.only(frozenset({"targetCluster", "weight"}))
        weight = read_int(item["weight"], None, minimum=1, maximum=_INT64_MAX)
        target = item["targetCluster"].required()
        target.only(_AFFINITY_FIELDS)
        refuse(target["labelSelector"], "a weight target chosen by cluster labels")
        refuse(target["fieldSelector"], "a weight target chosen by cluster fields")
        names = read_names(target["clusterNames"])
        if not names:
            target["clusterNames"].fail(
                "not supported: a weight target without clusterNames (it matches every cluster)"
            )
        excluded = set(read_names(target["exclude"]))
        for name in names:
            if name not in excluded:
                weights[name] = max(weights.get(name, 0), weight)
    return weights


def _replica_scheduling(field: Field) -> dict[str, object]:
    """``replicaScheduling`` as :class:`PlacementPolicy` fields, with Karmada's defaults:
    absent → ``Duplicated``; present → ``Divided``, then ``Weighted``; ``Weighted`` with a
    ``dynamicWeight`` → available replicas, else static weights (each candidate 1 when no
    list is given)."""
    if not field.present:
        return {"replica_scheduling": ReplicaSchedulingType.DUPLICATED}
    field.only(
        frozenset({"replicaSchedulingType", "replicaDivisionPreference", "weightPreference"})
    )
    scheduling = read_choice(
        field["replicaSchedulingType"], ReplicaSchedulingType, ReplicaSchedulingType.DIVIDED
    )
    division = read_choice(
        field["replicaDivisionPreference"], _DivisionPreference, _DivisionPreference.WEIGHTED
    )
    preference = field["weightPreference"]
    preference.only(frozenset({"staticWeightList", "dynamicWeight"}))
    dynamic = preference["dynamicWeight"]
    read_choice(dynamic, _DynamicWeight, _DynamicWeight.AVAILABLE_REPLICAS)
    weights = _static_weights(preference["staticWeightList"])
    if scheduling is ReplicaSchedulingType.DUPLICATED:
        return {"replica_scheduling": scheduling}
    if division is _DivisionPreference.AGGREGATED:
        return {"replica_scheduling": scheduling, "weight_preference": WeightPreference.AGGREGATED}
    if dynamic.present:  # Karmada ignores a static list beside a dynamic weight
        return {
            "replica_scheduling": scheduling,
            "weight_preference": WeightPreference.AVAILABLE_REPLICAS,
        }
    return {
        "replica_scheduling": scheduling,
        "weight_preference": WeightPreference.STATIC_WEIGHT,
        "static_weights": weights,
    }


def _placement_policy(spec: Field) -> PlacementPolicy:
    placement = spec["placement"]
    placement.only(_PLACEMENT_READ | _PLACEMENT_IGNORED | frozenset(_PLACEMENT_REFUSED))
    for key, why in _PLACEMENT_REFUSED.items():
        refuse(placement[key], why)
    fields = _cluster_affinity(placement["clusterAffinity"])
    fields.update(_replica_scheduling(placement["replicaScheduling"]))
    auto_scaling = spec["autoScaling"]
    auto_scaling.only(frozenset({"ecsProvision"}))
    fields["ecs_provision"] = auto_scaling["ecsProvision"].boolean(default=False)
    return build(placement, lambda: PlacementPolicy(**fields))  # type: ignore[arg-type]


def _read_policy(document: Field) -> PolicyObject:
    """Read a ``PropagationPolicy`` or ``ClusterPropagationPolicy`` object.

    Karmada's defaults apply: a ``PropagationPolicy`` without ``metadata.namespace`` is in
    ``default``, and its selectors without a namespace take the policy's; no
    ``replicaScheduling`` means ``Duplicated``; ``Divided`` without a division preference
    means ``Weighted``, and ``Weighted`` without weights gives every candidate weight 1.
    ``spec.autoScaling.ecsProvision`` (ACK One) turns on buying nodes where stock exists.

    Args:
        document: the whole object, at the empty path.

    Raises:
        InvalidManifest: a missing ``spec``, ``metadata.name`` or ``resourceSelectors``, a
            value of the wrong type or out of range, an unknown field in ``spec``, or a
            field that would change the decision and is not supported (the reason starts
            with ``not supported:``).

    Runtime complexity: O(size of the object).

    >>> policy = _read_policy(Field({"kind": "PropagationPolicy", "metadata": {"name": "web"},
    ...     "spec": {"resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment"}],
    ...     "placement": {"replicaScheduling": {"replicaDivisionPreference": "Aggregated"}}}}))
    >>> policy.namespace, policy.selectors[0].namespace, policy.policy.weight_preference.name
    ('default', 'default', 'AGGREGATED')
    """
    scope = read_choice(document["kind"], PolicyScope)
    metadata = document["metadata"]
    name = metadata["name"].name()
    namespace = (
        "" if scope is PolicyScope.CLUSTER else metadata["namespace"].label(default="default")
    )
    spec = document["spec"].required()
    spec.only(_SPEC_READ | _SPEC_IGNORED)
    priority = read_int(spec["priority"], 0, minimum=INT32_MIN, maximum=INT32_MAX)
    listed = spec["resourceSelectors"].required()
    selectors = tuple(_resource_selector(item, namespace) for item in listed.items())
    if not selectors:
        listed.fail("needs at least one selector (Karmada refuses an empty list)")
    policy = _placement_policy(spec)
    return build(
        document,
        lambda: PolicyObject(
            scope=scope,
            name=name,
            namespace=namespace,
            priority=priority,
            selectors=selectors,
            policy=policy,
        ),
    )
