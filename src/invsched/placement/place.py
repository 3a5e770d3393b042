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

from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from invsched._validators import check_bool, check_counts, check_instance, render, short, typed
from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement.divide import divide_aggregated, divide_dynamic, divide_static
from invsched.placement.estimate import (
    Offer,
    Shape,
    estimate_replicas,
    provisioning_options,
    replicas_per_node,
)
from invsched.placement.fleet import Cluster, Fleet
from invsched.placement.observed import ObservedNode, observe, release_observed
from invsched.placement.policy import (
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.placement.provision import (
    NodeProvision,
    NodeRelease,
    most_provisionable,
    plan_provisioning,
    release_nodes,
)
from invsched.resources import Resources

__all__ = ["place"]


@attrs.define(kw_only=True)
class _Context:
    """Working state of one ``place`` call: shapes, stock left and pools that can grow.

    Mutable on purpose (per-cluster provisioning consumes stock and headroom); it never
    leaves the call.
    """

    shapes: dict[str, Shape]
    stock: dict[tuple[str, str], int]
    offers: dict[str, list[Offer]]
    unusable: dict[str, str]


def _context(
    workload: Workload, fleet: Fleet, candidates: list[Cluster], bought: Iterable[NodeProvision]
) -> _Context:
    regions = {cluster.name: cluster.region for cluster in fleet.clusters}
    used: dict[tuple[str, str], int] = {}
    sold: dict[tuple[str, str], int] = {}
    for item in bought:
        used[(item.cluster, item.pool)] = used.get((item.cluster, item.pool), 0) + item.nodes
        key = (regions[item.cluster], item.instance_type)
        sold[key] = sold.get(key, 0) + item.nodes
    for (region, name), nodes in sorted(sold.items()):
        if nodes > fleet.stock(region, name):
            raise InvalidRequest(
                "previous.provisioning",
                f"bought {nodes} nodes of {short(name)} in {short(region)}, more than its stock "
                f"{fleet.stock(region, name)}: pass the fleet the placement was planned on",
            )
    # Stock a previous placement bought is gone: take it off before offering anything.
    fleet = (
        attrs.evolve(
            fleet,
            inventory={
                region: {name: count - sold.get((region, name), 0) for name, count in types.items()}
                for region, types in fleet.inventory.items()
            },
        )
        if sold
        else fleet
    )
    options = provisioning_options(fleet, workload.request, candidates, bought=used)
    offers: dict[str, list[Offer]] = {}
    for offer in options.offers:
        offers.setdefault(offer.cluster, []).append(offer)
    return _Context(
        shapes={shape.name: shape for shape in options.shapes},
        stock=dict(options.stock),
        offers=offers,
        unusable=dict(options.unusable),
    )


def _previous(
    previous: Placement | Mapping[str, int] | None,
) -> tuple[dict[str, int], tuple[NodeProvision, ...]]:
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


def _provision(
    shortfall: int,
    offers: list[Offer],
    context: _Context,
    base: Mapping[str, int],
    *,
    concentrate: bool,
    allow_partial: bool,
    available: int,
) -> tuple[tuple[NodeProvision, ...], int]:
    """New nodes for ``shortfall`` replicas, and how many replicas stay unplaced."""
    shapes = list(context.shapes.values())
    plan = plan_provisioning(
        shortfall, offers, shapes, context.stock, base=base, concentrate=concentrate
    )
    if plan is not None:
        return plan, 0
    most = most_provisionable(offers, shapes, context.stock)
    if not allow_partial:
        raise InsufficientReplicas(available=available + most, requested=available + shortfall)
    if most == 0:
        return (), shortfall
    plan = plan_provisioning(
        most, offers, shapes, context.stock, base=base, concentrate=concentrate
    )
    assert plan is not None
    return plan, shortfall - most


def _consume(context: _Context, plan: Iterable[NodeProvision], regions: Mapping[str, str]) -> None:
    for item in plan:
        key = (regions[item.cluster], item.instance_type)
        context.stock[key] -= item.nodes
        for index, offer in enumerate(context.offers.get(item.cluster, [])):
            if offer.pool == item.pool:
                context.offers[item.cluster][index] = attrs.evolve(
                    offer, headroom=offer.headroom - item.nodes
                )


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
    check_instance(InvalidRequest, "workload", workload, Workload)
    check_instance(InvalidRequest, "policy", policy, PlacementPolicy)
    check_instance(InvalidRequest, "fleet", fleet, Fleet)
    check_bool(InvalidRequest, "allow_partial", allow_partial)
    reasons: dict[str, str] = {}
    candidates: list[Cluster] = []
    for cluster in sorted(fleet.clusters, key=lambda c: c.name):
        why = policy.exclusion_reason(cluster)
        if why is None:
            candidates.append(cluster)
        else:
            reasons[cluster.name] = why
    names = {cluster.name for cluster in candidates}
    observed: list[ObservedNode] | None = None
    if current is not None:
        if previous is not None:
            raise InvalidRequest(
                "current", "give the previous placement or the current replicas, not both"
            )
        observed = observe(fleet, current, frozenset(names))
        previous = {}
        for node in observed:
            previous[node.cluster] = previous.get(node.cluster, 0) + node.replicas
    previous_counts, previous_nodes = _previous(previous)
    kept = {name: count for name, count in previous_counts.items() if name in names and count}
    previous_nodes = tuple(item for item in previous_nodes if item.cluster in names)
    on_new: dict[str, int] = {}
    for item in previous_nodes:
        on_new[item.cluster] = on_new.get(item.cluster, 0) + item.replicas
    available: dict[str, int] = {}
    for cluster in candidates:
        free = estimate_replicas(cluster, workload.request)
        if isinstance(previous, Placement):
            # Replicas planned on existing nodes occupy their slots; spare slots of the
            # nodes bought for the previous placement are free.
            free -= kept.get(cluster.name, 0) - on_new.get(cluster.name, 0)
        available[cluster.name] = max(free, 0)
    for item in previous_nodes:
        shape = replicas_per_node(fleet.instance_type(item.instance_type), workload.request)
        available[item.cluster] += max(shape * item.nodes - item.replicas, 0)
    regions = {cluster.name: cluster.region for cluster in fleet.clusters}
    context = (
        _context(workload, fleet, candidates, previous_nodes) if policy.ecs_provision else None
    )
    desired = workload.replicas
    provisioning: tuple[NodeProvision, ...] = ()
    unplaced = 0
    scale_in: tuple[NodeRelease, ...] = ()
    divided = policy.replica_scheduling is ReplicaSchedulingType.DIVIDED
    static = divided and policy.weight_preference is WeightPreference.STATIC_WEIGHT
    if not candidates:
        result: dict[str, int] = {}
        unplaced = desired
        if desired and not allow_partial:
            raise InsufficientReplicas(available=0, requested=desired)
    elif not divided or static:
        if divided:
            weights = {
                name: policy.static_weights[name]
                for name in sorted(names)
                if name in policy.static_weights
            }
            result = divide_static(
                desired, weights or dict.fromkeys(names, 1), uid=workload.uid or None
            )
        else:
            result = dict.fromkeys(sorted(names), desired) if desired else {}
        if context is not None:
            result, provisioning, unplaced = _provision_fixed(
                result, kept, available, context, regions, allow_partial=allow_partial
            )
    else:
        aggregated = policy.weight_preference is WeightPreference.AGGREGATED
        divide = divide_aggregated if aggregated else divide_dynamic
        uid = workload.uid or None
        total_kept = sum(kept.values())
        extra = desired - total_kept
        if extra < 0 and observed is not None:
            result, scale_in = release_observed(
                desired,
                observed,
                None
                if context is not None
                else lambda count, counts: divide(count, available, previous=counts, uid=uid),
                concentrate=aggregated,
            )
        elif extra < 0:
            shapes = _shapes(fleet, workload.request, previous_nodes)
            result, scale_in = release_nodes(
                desired,
                kept,
                previous_nodes,
                shapes,
                lambda count, counts: divide(count, available, previous=counts, uid=uid),
                cost_first=context is not None,
                concentrate=aggregated,
            )
        elif context is None or sum(available.values()) >= extra:
            division = divide(desired, available, previous=kept, uid=uid, allow_partial=True)
            result, unplaced = dict(division), division.unplaced
            if unplaced and not allow_partial:
                raise InsufficientReplicas(available=sum(available.values()), requested=extra)
        else:
            result = {name: kept.get(name, 0) + available[name] for name in names}
            offers = [offer for name in sorted(context.offers) for offer in context.offers[name]]
            provisioning, unplaced = _provision(
                extra - sum(available.values()),
                offers,
                context,
                result,
                concentrate=aggregated,
                allow_partial=allow_partial,
                available=sum(available.values()),
            )
            for item in provisioning:
                result[item.cluster] += item.replicas
    replicas = FrozenMap({name: count for name, count in result.items() if count})
    for cluster in candidates:
        if cluster.name not in replicas:
            reasons[cluster.name] = _left_out(cluster.name, available, context, kept)
    return Placement(
        replicas=replicas,
        provisioning=provisioning,
        hourly_cost=sum((item.hourly_cost for item in provisioning), Decimal(0)),
        scale_in=scale_in,
        unplaced=unplaced,
        reasons=FrozenMap(reasons),
    )


def _shapes(fleet: Fleet, request: Resources, nodes: Iterable[NodeProvision]) -> dict[str, Shape]:
    shapes = {}
    for item in nodes:
        instance_type = fleet.instance_type(item.instance_type)
        shapes[item.instance_type] = Shape(
            name=item.instance_type,
            per_node=max(replicas_per_node(instance_type, request), 1),
            price=instance_type.hourly_price or Decimal(0),
        )
    return shapes


def _left_out(
    name: str, available: Mapping[str, int], context: _Context | None, kept: Mapping[str, int]
) -> str:
    if kept.get(name, 0) > 0:
        # It ran replicas before: a scale-down, not a lack of capacity, left it out.
        if context is not None:
            return (
                f"scaled down: its {kept[name]} replicas were removed first "
                "(elastic capacity first, most expensive first)"
            )
        return f"scaled down: the division of fewer replicas left none of its {kept[name]}"
    if available.get(name, 0) > 0:
        return "not needed: the division gave it no replica"
    if context is None:
        return "no free capacity for one replica"
    if name in context.unusable:
        return f"no free capacity for one replica; {context.unusable[name]}"
    return "no free capacity for one replica; new nodes were cheaper or more even elsewhere"


def _provision_fixed(
    targets: Mapping[str, int],
    kept: Mapping[str, int],
    available: Mapping[str, int],
    context: _Context,
    regions: Mapping[str, str],
    *,
    allow_partial: bool,
) -> tuple[dict[str, int], tuple[NodeProvision, ...], int]:
    """Per-cluster targets (static weight, duplicated): each shortfall in its own pools."""
    result = dict(targets)
    plans: list[NodeProvision] = []
    unplaced = 0
    for name in sorted(targets):
        room = kept.get(name, 0) + available.get(name, 0)
        shortfall = targets[name] - room
        if shortfall <= 0:
            continue
        plan, missing = _provision(
            shortfall,
            context.offers.get(name, []),
            context,
            {},
            concentrate=False,
            allow_partial=allow_partial,
            available=room,
        )
        _consume(context, plan, regions)
        plans.extend(plan)
        result[name] -= missing
        unplaced += missing
    return result, tuple(plans), unplaced
