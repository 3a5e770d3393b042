"""The invariants of a :class:`~invsched.placement.Placement`, one check function each.

Every check takes the :class:`PlacementCase` (the inputs, the answer, and what the oracle
re-derives from the inputs once) and returns the problems it finds as sentences.
:data:`PLACEMENT_CHECKS` lists them in the order :func:`~invsched.testing.check_placement`
reports them.

Nothing here calls the library's capacity or provisioning code (``estimate_replicas``,
``replicas_per_node``, ``provisioning_options``, the ``divide_*`` functions, nor the records'
``headroom``/``stock``/``exclusion_reason`` helpers): an oracle that shares the code it
checks cannot catch that code's bugs. The rules are re-derived from the documented contract
(docs/semantics.md, "Multi-cluster placement"):

* a cluster is a candidate unless the policy's ``exclude`` lists it, ``cluster_names`` is
  non-empty and omits it, or one of ``label_selector``'s pairs is missing from its labels;
* an existing node has room for ``min(max_pods − pods, min over requested resources r with
  request[r] > 0 of ⌊(allocatable[r] − requested[r]) / request[r]⌋)`` replicas, never below
  0 (a resource the node lacks counts as 0 allocatable); a cluster's free room is the sum
  over its nodes;
* a new node of an instance type is an empty node with ``allocatable`` of the type and 110
  pod slots (the kubelet default);
* a pool may add ``max_nodes − current_nodes`` nodes when ``autoscaling``, else none;
* ``inventory[region][type]`` nodes may be bought in a region, 0 when unlisted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    NodePool,
    NodeProvision,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.resources import Resources

__all__ = [
    "PLACEMENT_CHECKS",
    "PlacementCase",
    "headroom",
    "is_candidate",
    "new_node_slots",
    "placement_case",
    "slots",
    "stock",
]

#: Pod slots of a new node: the kubelet's default ``maxPods``, as documented for new nodes.
NEW_NODE_POD_SLOTS = 110


def is_candidate(policy: PlacementPolicy, cluster: Cluster) -> bool:
    """Whether the policy's cluster affinity keeps ``cluster`` (re-derived, see module doc)."""
    if cluster.name in policy.exclude:
        return False
    if policy.cluster_names and cluster.name not in policy.cluster_names:
        return False
    return all(cluster.labels.get(key) == value for key, value in policy.label_selector.items())


def slots(allocatable: Resources, requested: Resources, pod_slots: int, request: Resources) -> int:
    """Replicas of ``request`` that still fit a node (the documented per-node rule)."""
    fit = pod_slots
    for key, amount in request.items():
        if amount > 0:
            fit = min(fit, (allocatable[key] - requested[key]) // amount)
    return max(fit, 0)


def new_node_slots(instance_type: InstanceType | None, request: Resources) -> int:
    """Replicas of ``request`` one new, empty node of ``instance_type`` holds (0 if unknown)."""
    if instance_type is None:
        return 0
    return slots(instance_type.allocatable, Resources(), NEW_NODE_POD_SLOTS, request)


def headroom(pool: NodePool) -> int:
    """Nodes ``pool`` may still add: ``max_nodes − current_nodes`` if it autoscales, else 0."""
    return pool.max_nodes - pool.current_nodes if pool.autoscaling else 0


def stock(fleet: Fleet, region: str, type_name: str) -> int:
    """Nodes of ``type_name`` that can still be bought in ``region`` (0 when unlisted)."""
    regional = fleet.inventory.get(region)
    return 0 if regional is None else regional.get(type_name, 0)


def _price(instance_type: InstanceType | None) -> Decimal:
    if instance_type is None or instance_type.hourly_price is None:
        return Decimal(0)
    return instance_type.hourly_price


def _add(counts: dict[str, int], key: str, amount: int) -> None:
    counts[key] = counts.get(key, 0) + amount


@attrs.frozen(kw_only=True)
class PlacementCase:
    """One answer to judge, with what the oracle derives from the inputs once.

    Attributes:
        workload, policy, fleet, placement, previous, allow_partial: as given to
            :func:`~invsched.testing.check_placement`.
        candidates: the clusters the cluster affinity keeps.
        clusters: every cluster of the fleet by name.
        catalog: every instance type of the fleet by name.
        earlier: the previous placement's new nodes (empty unless ``previous`` is one).
        kept: candidate → replicas the previous placement had there.
        free: candidate → free room for new replicas, after the previous placement.
        provisioned: cluster → replicas ``placement`` puts on its new nodes.
        extra: replicas wanted beyond those kept (negative on a scale-down).
    """

    workload: Workload
    policy: PlacementPolicy
    fleet: Fleet
    placement: Placement
    previous: Placement | Mapping[str, int] | None
    allow_partial: bool
    candidates: frozenset[str]
    clusters: Mapping[str, Cluster]
    catalog: Mapping[str, InstanceType]
    earlier: tuple[NodeProvision, ...]
    kept: Mapping[str, int]
    free: Mapping[str, int]
    provisioned: Mapping[str, int]
    extra: int

    @property
    def divided(self) -> bool:
        """Whether the policy divides the replicas (rather than duplicating them)."""
        return self.policy.replica_scheduling is ReplicaSchedulingType.DIVIDED

    @property
    def capacity_bound(self) -> bool:
        """Whether the division must respect free capacity (divided, not static weights)."""
        return self.divided and self.policy.weight_preference is not WeightPreference.STATIC_WEIGHT


def placement_case(
    workload: Workload,
    policy: PlacementPolicy,
    fleet: Fleet,
    placement: Placement,
    *,
    previous: Placement | Mapping[str, int] | None,
    allow_partial: bool,
) -> PlacementCase:
    """Derive, from the inputs alone, what the checks compare the answer with.

    Runtime complexity: O(N · k + p) for N nodes, k resources, p provisioning entries.
    """
    clusters = {member.name: member for member in fleet.clusters}
    catalog = {instance_type.name: instance_type for instance_type in fleet.catalog}
    candidates = frozenset(
        name for name, member in clusters.items() if is_candidate(policy, member)
    )
    earlier = previous.provisioning if isinstance(previous, Placement) else ()
    counts = previous.replicas if isinstance(previous, Placement) else previous or {}
    kept = {name: count for name, count in counts.items() if name in candidates and count}
    on_earlier: dict[str, int] = {}
    for item in earlier:
        _add(on_earlier, item.cluster, item.replicas)
    free: dict[str, int] = {}
    for name in candidates:
        room = sum(
            slots(node.allocatable, node.requested, node.max_pods - node.pods, workload.request)
            for node in clusters[name].nodes
        )
        if isinstance(previous, Placement):
            # Planned on the same snapshot: its replicas on existing nodes take room there.
            room -= kept.get(name, 0) - on_earlier.get(name, 0)
        free[name] = max(room, 0)
    for item in earlier:
        if item.cluster in free:
            # Spare slots of the nodes the previous placement bought are free too.
            per_node = new_node_slots(catalog.get(item.instance_type), workload.request)
            free[item.cluster] += max(per_node * item.nodes - item.replicas, 0)
    provisioned: dict[str, int] = {}
    for item in placement.provisioning:
        _add(provisioned, item.cluster, item.replicas)
    return PlacementCase(
        workload=workload,
        policy=policy,
        fleet=fleet,
        placement=placement,
        previous=previous,
        allow_partial=allow_partial,
        candidates=candidates,
        clusters=clusters,
        catalog=catalog,
        earlier=earlier,
        kept=kept,
        free=free,
        provisioned=provisioned,
        extra=workload.replicas - sum(kept.values()),
    )


# The checks, in the order check_placement reports them. --------------------------------------


def _check_replicas_add_up(case: PlacementCase) -> list[str]:
    """Σ replicas + unplaced = workload replicas (``DIVIDED``); for ``DUPLICATED``, the
    replicas missing on the candidates = unplaced and no cluster has more than wanted."""
    replicas, unplaced, wanted = (
        case.placement.replicas,
        case.placement.unplaced,
        case.workload.replicas,
    )
    if case.divided:
        placed = sum(replicas.values())
        if placed + unplaced != wanted:
            return [f"Σ replicas {placed} + unplaced {unplaced} ≠ workload replicas {wanted}"]
        return []
    # No candidate at all: the whole workload is unplaced, as for Divided.
    missing = (
        sum(wanted - replicas.get(name, 0) for name in case.candidates)
        if case.candidates
        else wanted
    )
    if missing != unplaced or any(count > wanted for count in replicas.values()):
        return [f"duplicated: missing replicas {missing} ≠ unplaced {unplaced}"]
    return []


def _check_replicas_on_candidates(case: PlacementCase) -> list[str]:
    """Only candidate clusters receive replicas."""
    return [
        f"cluster {name}: replicas on a cluster that is not a candidate"
        for name in case.placement.replicas
        if name not in case.candidates
    ]


def _check_replica_counts(case: PlacementCase) -> list[str]:
    """Every listed replica count is an ``int`` > 0."""
    return [
        f"cluster {name}: replica count must be an int > 0, got {count!r}"
        for name, count in case.placement.replicas.items()
        if type(count) is not int or count <= 0
    ]


def _check_unplaced_allowed(case: PlacementCase) -> list[str]:
    """Replicas are left unplaced only with ``allow_partial``."""
    if case.placement.unplaced and not case.allow_partial:
        return [f"unplaced {case.placement.unplaced} without allow_partial"]
    return []


def _check_provisioning_allowed(case: PlacementCase) -> list[str]:
    """New nodes are bought only with ``ecs_provision``."""
    if case.placement.provisioning and not case.policy.ecs_provision:
        return ["provisioning without ecs_provision"]
    return []


def _where(item: NodeProvision) -> str:
    return f"provisioning {item.cluster}/{item.pool}/{item.instance_type}"


def _check_provisioning_pools(case: PlacementCase) -> list[str]:
    """Each provisioning entry is on a candidate, in an autoscaling pool listing its type."""
    problems: list[str] = []
    for item in case.placement.provisioning:
        if item.cluster not in case.candidates:
            problems.append(f"{_where(item)}: cluster is not a candidate")
            continue
        pool = next((p for p in case.clusters[item.cluster].pools if p.name == item.pool), None)
        if pool is None or not pool.autoscaling or item.instance_type not in pool.instance_types:
            problems.append(f"{_where(item)}: not an autoscaling pool offering this instance type")
    return problems


def _check_provisioning_nodes(case: PlacementCase) -> list[str]:
    """Each entry buys ≥ 1 node, and each node hosts 1 to per-node replicas."""
    problems: list[str] = []
    for item in case.placement.provisioning:
        per_node = new_node_slots(case.catalog.get(item.instance_type), case.workload.request)
        if item.nodes < 1 or not item.nodes <= item.replicas <= item.nodes * per_node:
            problems.append(
                f"{_where(item)}: {item.replicas} replicas on {item.nodes} nodes of {per_node} each"
            )
    return problems


def _check_provisioning_cost(case: PlacementCase) -> list[str]:
    """Each entry's ``hourly_cost`` is its nodes × the hourly price of its type."""
    return [
        f"{_where(item)}: hourly_cost {item.hourly_cost} ≠ nodes × price"
        for item in case.placement.provisioning
        if item.hourly_cost != _price(case.catalog.get(item.instance_type)) * item.nodes
    ]


def _check_pool_headroom(case: PlacementCase) -> list[str]:
    """New nodes per pool (with the previous placement's) stay within its headroom."""
    pool_nodes: dict[tuple[str, str], int] = {}
    for item in (*case.earlier, *case.placement.provisioning):
        key = (item.cluster, item.pool)
        pool_nodes[key] = pool_nodes.get(key, 0) + item.nodes
    problems: list[str] = []
    for (cluster, pool_name), nodes in sorted(pool_nodes.items()):
        member = case.clusters.get(cluster)
        pools = {pool.name: pool for pool in member.pools} if member is not None else {}
        if pool_name in pools and nodes > headroom(pools[pool_name]):
            problems.append(
                f"pool {cluster}/{pool_name}: {nodes} new nodes exceed max_nodes − current_nodes "
                f"{headroom(pools[pool_name])}"
            )
    return problems


def _check_regional_stock(case: PlacementCase) -> list[str]:
    """New nodes per (region, type) (with the previous placement's) stay within its stock."""
    type_nodes: dict[tuple[str, str], int] = {}
    for item in (*case.earlier, *case.placement.provisioning):
        member = case.clusters.get(item.cluster)
        key = (member.region if member is not None else "", item.instance_type)
        type_nodes[key] = type_nodes.get(key, 0) + item.nodes
    problems: list[str] = []
    for (region, name), count in sorted(type_nodes.items()):
        left = stock(case.fleet, region, name)
        if count > left:
            problems.append(f"region {region}: {count} new nodes of {name} exceed stock {left}")
    return problems


def _check_hourly_cost(case: PlacementCase) -> list[str]:
    """``hourly_cost`` is the sum of the provisioning entries' costs."""
    cost = sum((item.hourly_cost for item in case.placement.provisioning), Decimal(0))
    if cost != case.placement.hourly_cost:
        return [f"hourly_cost {case.placement.hourly_cost} ≠ Σ provisioning {cost}"]
    return []


def _check_new_replicas_fit(case: PlacementCase) -> list[str]:
    """New replicas per cluster fit its free room plus its new nodes (when capacity binds:
    dynamic and aggregated division, or ``ecs_provision``)."""
    if not (case.capacity_bound or case.policy.ecs_provision):
        return []
    problems: list[str] = []
    replicas = case.placement.replicas
    for name in sorted(replicas):
        new = replicas[name] - case.kept.get(name, 0)
        added = case.provisioned.get(name, 0)
        if name in case.free and new > case.free[name] + added:
            problems.append(
                f"cluster {name}: {new} new replicas exceed free {case.free[name]} + "
                f"provisioned {added}"
            )
    return problems


def _check_no_needless_provisioning(case: PlacementCase) -> list[str]:
    """No node is bought while free room holds the new replicas (dynamic, aggregated)."""
    room = sum(case.free.values())
    if case.capacity_bound and case.placement.provisioning and room >= case.extra:
        return [
            f"provisioned new nodes although free capacity {room} holds the "
            f"{case.extra} new replicas"
        ]
    return []


def _triple(cluster: str, pool: str, instance_type: str) -> tuple[str, str, str]:
    return (cluster, pool, instance_type)


def _check_scale_in_savings(case: PlacementCase) -> list[str]:
    """Each ``scale_in`` entry saves its nodes × the hourly price of its type."""
    return [
        f"scale_in {release.cluster}/{release.pool}/{release.instance_type}: "
        "savings ≠ nodes × price"
        for release in case.placement.scale_in
        if release.hourly_savings != _price(case.catalog.get(release.instance_type)) * release.nodes
    ]


def _check_scale_in_only_on_scale_down(case: PlacementCase) -> list[str]:
    """Nodes are released only when fewer replicas are wanted than kept."""
    if case.placement.scale_in and case.extra >= 0:
        return ["scale_in without a scale-down"]
    return []


def _check_scale_in_within_bought(case: PlacementCase) -> list[str]:
    """No more nodes are released per (cluster, pool, type) than the previous placement bought."""
    released: dict[tuple[str, str, str], int] = {}
    for release in case.placement.scale_in:
        key = _triple(release.cluster, release.pool, release.instance_type)
        released[key] = released.get(key, 0) + release.nodes
    bought: dict[tuple[str, str, str], int] = {}
    for item in case.earlier:
        key = _triple(item.cluster, item.pool, item.instance_type)
        bought[key] = bought.get(key, 0) + item.nodes
    return [
        f"scale_in {'/'.join(key)}: releases {nodes} nodes, {bought.get(key, 0)} bought"
        for key, nodes in sorted(released.items())
        if nodes > bought.get(key, 0)
    ]


def _check_no_reason_with_replicas(case: PlacementCase) -> list[str]:
    """A cluster that has replicas has no reason."""
    return [
        f"cluster {member.name}: a reason although it has replicas"
        for member in case.fleet.clusters
        if member.name in case.placement.replicas and member.name in case.placement.reasons
    ]


def _check_left_out_have_reasons(case: PlacementCase) -> list[str]:
    """Every cluster of the fleet left without replicas has a reason."""
    return [
        f"cluster {member.name}: left out without a reason"
        for member in case.fleet.clusters
        if member.name not in case.placement.replicas and member.name not in case.placement.reasons
    ]


#: Every placement check, in the order their problems are reported.
PLACEMENT_CHECKS: tuple[Callable[[PlacementCase], list[str]], ...] = (
    _check_replicas_add_up,
    _check_replicas_on_candidates,
    _check_replica_counts,
    _check_unplaced_allowed,
    _check_provisioning_allowed,
    _check_provisioning_pools,
    _check_provisioning_nodes,
    _check_provisioning_cost,
    _check_pool_headroom,
    _check_regional_stock,
    _check_hourly_cost,
    _check_new_replicas_fit,
    _check_no_needless_provisioning,
    _check_scale_in_savings,
    _check_scale_in_only_on_scale_down,
    _check_scale_in_within_bought,
    _check_no_reason_with_replicas,
    _check_left_out_have_reasons,
)
