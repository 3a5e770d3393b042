"""``place``: divide a workload's replicas over a fleet, buying nodes where stock allows.

Without ``ecs_provision`` the answer is Karmada's division (``divide_*`` over each candidate's
:func:`~invsched.placement.estimate.estimate_replicas`). With it (ACK One's inventory-aware
elastic scheduling): existing free capacity first; the shortfall on new nodes of autoscaling
pools, bounded by pool headroom and by the regional stock that a region's clusters share; the
least hourly cost of new nodes; among equal-cost plans the most even spread.

``previous`` may be a :class:`Placement` planned on the **same fleet snapshot**: its
replicas and its provisioned nodes are taken as applied on top of the snapshot (existing
capacity minus its replicas there, pools grown and stock reduced by its nodes). Or it may be
a mapping cluster → replicas already running and already counted in the nodes'
``requested`` (Karmada's reading); no elastic nodes are known then, so ``scale_in`` is empty.

``current`` is what a stateless controller observes instead: cluster → node → replicas of
this workload on that node now, counted in the nodes' ``requested`` and ``pods``. The
cluster counts are its sums (as the mapping form of ``previous``), and a scale-down removes
replicas node by node and releases the elastic nodes it empties
(:mod:`invsched.placement.observed`). ``previous`` and ``current`` exclude each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from invsched._validators import check_bool, check_counts, check_instance, render, typed
from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement._elastic import ElasticState, buy, buy_per_cluster, elastic_state
from invsched.placement.divide import divide_aggregated, divide_dynamic, divide_static
from invsched.placement.estimate import InstanceFit, estimate_replicas, replicas_per_node
from invsched.placement.fleet import Cluster, Fleet
from invsched.placement.observed import ObservedNode, observe, release_observed
from invsched.placement.records import (
    NodeProvision,
    NodeRelease,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.placement.release import release_nodes
from invsched.resources import Resources

__all__ = ["place"]

#: Karmada's scale-down of cluster counts: (new total, counts now) → new counts.
_ScaleDown = Callable[[int, Mapping[str, int]], Mapping[str, int]]


@attrs.frozen(kw_only=True)
class _Start:
    """Where the workload's replicas are before this call, restricted to the candidates.

    Attributes:
        kept: candidate cluster → replicas it runs now (zeros dropped).
        bought: the previous placement's new nodes in candidate clusters.
        planned: ``previous`` was a :class:`Placement` (its replicas are not yet counted in
            the nodes' ``requested``).
        observed: the nodes that run replicas now, when ``current`` was given.
    """

    kept: dict[str, int]
    bought: tuple[NodeProvision, ...]
    planned: bool
    observed: list[ObservedNode] | None


@attrs.frozen(kw_only=True)
class _Inputs:
    """Everything a division step reads: the arguments, checked, and what was derived."""

    workload: Workload
    policy: PlacementPolicy
    fleet: Fleet
    candidates: list[Cluster]
    start: _Start
    available: dict[str, int]
    elastic: ElasticState | None
    allow_partial: bool

    @property
    def aggregated(self) -> bool:
        """The policy concentrates replicas on few clusters (``AGGREGATED``)."""
        return self.policy.weight_preference is WeightPreference.AGGREGATED

    def scale_down(self) -> _ScaleDown:
        """Karmada's scale-down over the free capacity, for the release steps."""
        divide = divide_aggregated if self.aggregated else divide_dynamic
        available, uid = self.available, self.workload.uid or None
        return lambda count, counts: divide(count, available, previous=counts, uid=uid)


@attrs.frozen(kw_only=True)
class _Outcome:
    """What a division step decided (the fields of :class:`Placement` it fills)."""

    replicas: Mapping[str, int]
    provisioning: tuple[NodeProvision, ...] = ()
    scale_in: tuple[NodeRelease, ...] = ()
    unplaced: int = 0


def place(
    workload: Workload,
    policy: PlacementPolicy,
    fleet: Fleet,
    *,
    previous: Placement | Mapping[str, int] | None = None,
    current: Mapping[str, Mapping[str, int]] | None = None,
    allow_partial: bool = False,
) -> Placement:
    """Place ``workload`` on ``fleet`` under ``policy``; see the module notes for the rules.

    Args:
        workload: the replicas and one replica's request.
        policy: candidates, division and ``ecs_provision``.
        fleet: the snapshot (clusters, inventory, catalog).
        previous: the last placement of this workload (see the module notes).
        current: the workload's replicas per node now, cluster → node → count (see the
            module notes); excludes ``previous``.
        allow_partial: when capacity (and stock) is short, place what fits and report the
            rest in ``unplaced`` instead of raising (Karmada issue #6333).

    Raises:
        InsufficientReplicas: not enough capacity anywhere (without ``allow_partial``).
        InvalidRequest: an argument of the wrong type, a ``previous`` mapping that is not
            cluster name → ``int`` ≥ 0, a ``previous`` placement that bought more than
            the fleet's stock, both ``previous`` and ``current``, or a ``current`` that
            names an unknown cluster or node or more replicas than a node runs pods.
        InvalidFleet: a ``previous`` placement names an instance type missing from the
            fleet's catalog.

    Runtime complexity: O(N · k + c log c) for N nodes, k requested resources and c
    clusters, plus the provisioning search (see :mod:`invsched.placement.provision`).

    >>> from invsched.placement.fleet import Node
    >>> node = Node(name="n", allocatable=Resources.parse({"cpu": 4}))
    >>> fleet = Fleet(clusters=[Cluster(name="a", region="r", nodes=[node]),
    ...     Cluster(name="b", region="r", nodes=[node])])
    >>> result = place(Workload(name="w", replicas=3, request=Resources.parse({"cpu": 1})),
    ...     PlacementPolicy(), fleet)
    >>> dict(result.replicas), result.hourly_cost
    ({'a': 2, 'b': 1}, Decimal('0'))
    """
    _check_arguments(workload, policy, fleet, allow_partial)
    candidates, reasons = _candidates(policy, fleet)
    start = _start(fleet, candidates, previous, current)
    available = _free_capacity(workload, fleet, candidates, start)
    elastic = (
        elastic_state(workload, fleet, candidates, start.bought) if policy.ecs_provision else None
    )
    inputs = _Inputs(
        workload=workload,
        policy=policy,
        fleet=fleet,
        candidates=candidates,
        start=start,
        available=available,
        elastic=elastic,
        allow_partial=allow_partial,
    )
    return _placement(inputs, _decide(inputs), reasons)


def _check_arguments(
    workload: object, policy: object, fleet: object, allow_partial: object
) -> None:
    check_instance(InvalidRequest, "workload", workload, Workload)
    check_instance(InvalidRequest, "policy", policy, PlacementPolicy)
    check_instance(InvalidRequest, "fleet", fleet, Fleet)
    check_bool(InvalidRequest, "allow_partial", allow_partial)


def _candidates(policy: PlacementPolicy, fleet: Fleet) -> tuple[list[Cluster], dict[str, str]]:
    """The clusters the affinity keeps, in name order, and why it leaves the others out."""
    reasons: dict[str, str] = {}
    candidates: list[Cluster] = []
    for cluster in sorted(fleet.clusters, key=lambda c: c.name):
        why = policy.exclusion_reason(cluster)
        if why is None:
            candidates.append(cluster)
        else:
            reasons[cluster.name] = why
    return candidates, reasons


def _start(
    fleet: Fleet,
    candidates: list[Cluster],
    previous: Placement | Mapping[str, int] | None,
    current: Mapping[str, Mapping[str, int]] | None,
) -> _Start:
    """Read ``previous`` or ``current``; previous clusters no longer candidates are forgotten."""
    names = frozenset(cluster.name for cluster in candidates)
    observed: list[ObservedNode] | None = None
    if current is not None:
        if previous is not None:
            raise InvalidRequest(
                "current", "give the previous placement or the current replicas, not both"
            )
        observed = observe(fleet, current, names)
        sums: dict[str, int] = {}
        for node in observed:
            sums[node.cluster] = sums.get(node.cluster, 0) + node.replicas
        previous = sums
    counts, bought = _previous(previous)
    return _Start(
        kept={name: count for name, count in counts.items() if name in names and count},
        bought=tuple(item for item in bought if item.cluster in names),
        planned=isinstance(previous, Placement),
        observed=observed,
    )


def _previous(
    previous: Placement | Mapping[str, int] | None,
) -> tuple[dict[str, int], tuple[NodeProvision, ...]]:
    """Check ``previous``: its counts per cluster and the nodes it bought."""
    if previous is None:
        return {}, ()
    if isinstance(previous, Placement):
        # New nodes host some of their cluster's replicas: a placement whose nodes host more
        # than its cluster holds was not made by ``place`` and cannot be scaled from.
        hosted: dict[str, int] = {}
        for index, item in enumerate(previous.provisioning):
            hosted[item.cluster] = hosted.get(item.cluster, 0) + item.replicas
            held = previous.replicas.get(item.cluster, 0)
            if hosted[item.cluster] > held:
                raise InvalidRequest(
                    f"previous.provisioning[{index}]",
                    f"new nodes host {hosted[item.cluster]} replicas in cluster "
                    f"{render(item.cluster)}, more than previous.replicas gives it ({held})",
                )
        return dict(previous.replicas), previous.provisioning
    if not isinstance(previous, Mapping):
        got = typed(previous)
        raise InvalidRequest("previous", f"expected a Placement or a mapping, got {got}")
    return check_counts(InvalidRequest, "previous", previous), ()


def _free_capacity(
    workload: Workload, fleet: Fleet, candidates: list[Cluster], start: _Start
) -> dict[str, int]:
    """Candidate → replicas its capacity can still take, on top of ``start``."""
    on_new: dict[str, int] = {}
    for item in start.bought:
        on_new[item.cluster] = on_new.get(item.cluster, 0) + item.replicas
    available: dict[str, int] = {}
    for cluster in candidates:
        free = estimate_replicas(cluster, workload.request)
        if start.planned:
            # Replicas planned on existing nodes occupy their slots; spare slots of the
            # nodes bought for the previous placement are free.
            free -= start.kept.get(cluster.name, 0) - on_new.get(cluster.name, 0)
        available[cluster.name] = max(free, 0)
    for item in start.bought:
        per_node = replicas_per_node(fleet.instance_type(item.instance_type), workload.request)
        available[item.cluster] += max(per_node * item.nodes - item.replicas, 0)
    return available


def _decide(inputs: _Inputs) -> _Outcome:
    """Dispatch over the policy: no candidate, per-cluster targets, or a dynamic division."""
    policy = inputs.policy
    divided = policy.replica_scheduling is ReplicaSchedulingType.DIVIDED
    if not inputs.candidates:
        desired = inputs.workload.replicas
        if desired and not inputs.allow_partial:
            raise InsufficientReplicas(available=0, requested=desired)
        return _Outcome(replicas={}, unplaced=desired)
    if not divided or policy.weight_preference is WeightPreference.STATIC_WEIGHT:
        return _fixed_targets(inputs, divided=divided)
    extra = inputs.workload.replicas - sum(inputs.start.kept.values())
    if extra < 0 and inputs.start.observed is not None:
        return _scale_down_observed(inputs, inputs.start.observed)
    if extra < 0:
        return _scale_down_previous(inputs)
    if inputs.elastic is None or sum(inputs.available.values()) >= extra:
        return _divide_free(inputs, extra)
    return _buy_shortfall(inputs, inputs.elastic, extra)


def _fixed_targets(inputs: _Inputs, *, divided: bool) -> _Outcome:
    """Static weights or ``DUPLICATED``: each cluster's target, its shortfall bought there."""
    names = sorted(cluster.name for cluster in inputs.candidates)
    desired = inputs.workload.replicas
    targets: dict[str, int]
    if divided:
        weights = {
            n: inputs.policy.static_weights[n] for n in names if n in inputs.policy.static_weights
        }
        uid = inputs.workload.uid or None
        targets = dict(divide_static(desired, weights or dict.fromkeys(names, 1), uid=uid))
    else:
        targets = dict.fromkeys(names, desired) if desired else {}
    if inputs.elastic is None:
        return _Outcome(replicas=targets)
    kept, available = inputs.start.kept, inputs.available
    room = {name: kept.get(name, 0) + available.get(name, 0) for name in targets}
    regions = {cluster.name: cluster.region for cluster in inputs.fleet.clusters}
    replicas, provisioning, unplaced = buy_per_cluster(
        targets, room, inputs.elastic, regions, allow_partial=inputs.allow_partial
    )
    return _Outcome(replicas=replicas, provisioning=provisioning, unplaced=unplaced)


def _scale_down_observed(inputs: _Inputs, observed: list[ObservedNode]) -> _Outcome:
    """Fewer replicas than observed now: remove them node by node (``observed``)."""
    replicas, scale_in = release_observed(
        inputs.workload.replicas,
        observed,
        None if inputs.elastic is not None else inputs.scale_down(),
        concentrate=inputs.aggregated,
    )
    return _Outcome(replicas=replicas, scale_in=scale_in)


def _scale_down_previous(inputs: _Inputs) -> _Outcome:
    """Fewer replicas than a previous placement: release its elastic nodes first."""
    replicas, scale_in = release_nodes(
        inputs.workload.replicas,
        inputs.start.kept,
        inputs.start.bought,
        _fits(inputs.fleet, inputs.workload.request, inputs.start.bought),
        inputs.scale_down(),
        cost_first=inputs.elastic is not None,
        concentrate=inputs.aggregated,
    )
    return _Outcome(replicas=replicas, scale_in=scale_in)


def _divide_free(inputs: _Inputs, extra: int) -> _Outcome:
    """Karmada's division over free capacity (enough of it, or no ``ecs_provision``)."""
    divide = divide_aggregated if inputs.aggregated else divide_dynamic
    division = divide(
        inputs.workload.replicas,
        inputs.available,
        previous=inputs.start.kept,
        uid=inputs.workload.uid or None,
        allow_partial=True,
    )
    if division.unplaced and not inputs.allow_partial:
        raise InsufficientReplicas(available=sum(inputs.available.values()), requested=extra)
    return _Outcome(replicas=dict(division), unplaced=division.unplaced)


def _buy_shortfall(inputs: _Inputs, elastic: ElasticState, extra: int) -> _Outcome:
    """Every free slot used; the rest on new nodes at least cost, anywhere (``provision``)."""
    kept, available = inputs.start.kept, inputs.available
    free = sum(available.values())
    replicas = {c.name: kept.get(c.name, 0) + available[c.name] for c in inputs.candidates}
    provisioning, unplaced = buy(
        extra - free,
        elastic.all_pools(),
        elastic,
        replicas,
        concentrate=inputs.aggregated,
        allow_partial=inputs.allow_partial,
        available=free,
    )
    for item in provisioning:
        replicas[item.cluster] += item.replicas
    return _Outcome(replicas=replicas, provisioning=provisioning, unplaced=unplaced)


def _fits(
    fleet: Fleet, request: Resources, nodes: tuple[NodeProvision, ...]
) -> dict[str, InstanceFit]:
    """Replicas per node and price of the types of ``nodes`` (for the scale-in)."""
    fits = {}
    for item in nodes:
        instance_type = fleet.instance_type(item.instance_type)
        fits[item.instance_type] = InstanceFit(
            name=item.instance_type,
            per_node=max(replicas_per_node(instance_type, request), 1),
            price=instance_type.hourly_price or Decimal(0),
        )
    return fits


def _placement(inputs: _Inputs, outcome: _Outcome, reasons: dict[str, str]) -> Placement:
    """The result record: replicas without zeros, and why each left-out cluster got none."""
    replicas = FrozenMap({name: count for name, count in outcome.replicas.items() if count})
    for cluster in inputs.candidates:
        if cluster.name not in replicas:
            reasons[cluster.name] = _left_out(cluster.name, inputs)
    return Placement(
        replicas=replicas,
        provisioning=outcome.provisioning,
        hourly_cost=sum((item.hourly_cost for item in outcome.provisioning), Decimal(0)),
        scale_in=outcome.scale_in,
        unplaced=outcome.unplaced,
        reasons=FrozenMap(reasons),
    )


def _left_out(name: str, inputs: _Inputs) -> str:
    """Why candidate ``name`` got no replica."""
    kept, elastic = inputs.start.kept, inputs.elastic
    if kept.get(name, 0) > 0:
        # It ran replicas before: a scale-down, not a lack of capacity, left it out.
        if elastic is not None:
            return (
                f"scaled down: its {kept[name]} replicas were removed first "
                "(elastic capacity first, most expensive first)"
            )
        return f"scaled down: the division of fewer replicas left none of its {kept[name]}"
    if inputs.available.get(name, 0) > 0:
        return "not needed: the division gave it no replica"
    if elastic is None:
        return "no free capacity for one replica"
    if name in elastic.unusable:
        return f"no free capacity for one replica; {elastic.unusable[name]}"
    return "no free capacity for one replica; new nodes were cheaper or more even elsewhere"
