"""The placement oracle: every invariant a :class:`~invsched.placement.Placement` must keep.

:func:`check_placement` returns the broken invariants as strings (empty when consistent);
:func:`assert_placement_consistent` raises ``AssertionError`` listing them. Unit, property
and benchmark tests share it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from invsched.placement.estimate import estimate_replicas, replicas_per_node
from invsched.placement.fleet import Fleet
from invsched.placement.policy import (
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)

__all__ = ["assert_placement_consistent", "check_placement"]


def _kept(previous: Placement | Mapping[str, int] | None, candidates: set[str]) -> dict[str, int]:
    if previous is None:
        return {}
    counts = previous.replicas if isinstance(previous, Placement) else previous
    return {name: count for name, count in counts.items() if name in candidates and count}


def check_placement(
    workload: Workload,
    policy: PlacementPolicy,
    fleet: Fleet,
    placement: Placement,
    *,
    previous: Placement | Mapping[str, int] | None = None,
    allow_partial: bool = False,
) -> tuple[str, ...]:
    """The invariants ``placement`` breaks, each named, in a fixed order (empty if none).

    Checked: replicas + unplaced add up (per cluster for ``DUPLICATED``); replicas only on
    candidate clusters; ``unplaced`` only with ``allow_partial``; provisioning only with
    ``ecs_provision``, only on autoscaling pools of candidates, with listed instance types,
    each node hosting 1..per-node replicas, within pool headroom and regional stock
    (together with the previous placement's nodes); no new node when free capacity suffices
    (dynamic and aggregated division); new replicas within free + provisioned capacity;
    ``hourly_cost`` = Σ nodes × price; ``scale_in`` only on a scale-down and never more nodes
    than were bought; a reason for every cluster left out and for no other.

    Runtime complexity: O(N · k + p) for N nodes, k resources, p provisioning entries.

    >>> from invsched.placement import Cluster, Fleet, FrozenMap
    >>> from invsched.resources import Resources
    >>> fleet = Fleet(clusters=[Cluster(name="a", region="r")])
    >>> w = Workload(name="w", replicas=1, request=Resources.parse({"cpu": 1}))
    >>> check_placement(w, PlacementPolicy(), fleet, Placement(replicas=FrozenMap({"a": 1})))
    ('cluster a: 1 new replicas exceed free 0 + provisioned 0',)
    """
    problems: list[str] = []
    candidates = {c.name for c in fleet.clusters if policy.exclusion_reason(c) is None}
    regions = {c.name: c.region for c in fleet.clusters}
    replicas = dict(placement.replicas)
    wanted = workload.replicas
    divided = policy.replica_scheduling is ReplicaSchedulingType.DIVIDED
    if divided:
        if sum(replicas.values()) + placement.unplaced != wanted:
            problems.append(
                f"Σ replicas {sum(replicas.values())} + unplaced {placement.unplaced} "
                f"≠ workload replicas {wanted}"
            )
    else:
        # No candidate at all: the whole workload is unplaced, as for Divided.
        missing = (
            sum(wanted - replicas.get(name, 0) for name in candidates) if candidates else wanted
        )
        if missing != placement.unplaced or any(n > wanted for n in replicas.values()):
            problems.append(
                f"duplicated: missing replicas {missing} ≠ unplaced {placement.unplaced}"
            )
    for name, count in replicas.items():
        if name not in candidates:
            problems.append(f"cluster {name}: replicas on a cluster that is not a candidate")
        if type(count) is not int or count <= 0:
            problems.append(f"cluster {name}: replica count must be an int > 0, got {count!r}")
    if placement.unplaced and not allow_partial:
        problems.append(f"unplaced {placement.unplaced} without allow_partial")
    if placement.provisioning and not policy.ecs_provision:
        problems.append("provisioning without ecs_provision")

    earlier = previous.provisioning if isinstance(previous, Placement) else ()
    pool_nodes: dict[tuple[str, str], int] = {}
    type_nodes: dict[tuple[str, str], int] = {}
    for item in (*earlier, *placement.provisioning):
        pool_nodes[(item.cluster, item.pool)] = (
            pool_nodes.get((item.cluster, item.pool), 0) + item.nodes
        )
        key = (regions.get(item.cluster, ""), item.instance_type)
        type_nodes[key] = type_nodes.get(key, 0) + item.nodes
    provisioned: dict[str, int] = {}
    cost = Decimal(0)
    for item in placement.provisioning:
        where = f"provisioning {item.cluster}/{item.pool}/{item.instance_type}"
        provisioned[item.cluster] = provisioned.get(item.cluster, 0) + item.replicas
        cost += item.hourly_cost
        if item.cluster not in candidates:
            problems.append(f"{where}: cluster is not a candidate")
            continue
        pools = {pool.name: pool for pool in fleet.cluster(item.cluster).pools}
        pool = pools.get(item.pool)
        if pool is None or not pool.autoscaling or item.instance_type not in pool.instance_types:
            problems.append(f"{where}: not an autoscaling pool offering this instance type")
            continue
        instance_type = fleet.instance_type(item.instance_type)
        per_node = replicas_per_node(instance_type, workload.request)
        if item.nodes < 1 or not item.nodes <= item.replicas <= item.nodes * per_node:
            problems.append(
                f"{where}: {item.replicas} replicas on {item.nodes} nodes of {per_node} each"
            )
        if item.hourly_cost != (instance_type.hourly_price or Decimal(0)) * item.nodes:
            problems.append(f"{where}: hourly_cost {item.hourly_cost} ≠ nodes × price")
    for (cluster, pool_name), nodes in sorted(pool_nodes.items()):
        pools = {pool.name: pool for pool in fleet.cluster(cluster).pools}
        if pool_name in pools and nodes > pools[pool_name].headroom:
            problems.append(
                f"pool {cluster}/{pool_name}: {nodes} new nodes exceed max_nodes − current_nodes "
                f"{pools[pool_name].headroom}"
            )
    for (region, name), count in sorted(type_nodes.items()):
        if count > fleet.stock(region, name):
            problems.append(
                f"region {region}: {count} new nodes of {name} exceed stock "
                f"{fleet.stock(region, name)}"
            )
    if cost != placement.hourly_cost:
        problems.append(f"hourly_cost {placement.hourly_cost} ≠ Σ provisioning {cost}")

    kept = _kept(previous, candidates)
    on_new: dict[str, int] = {}
    for item in earlier:
        on_new[item.cluster] = on_new.get(item.cluster, 0) + item.replicas
    free: dict[str, int] = {}
    for member in fleet.clusters:
        if member.name not in candidates:
            continue
        room = estimate_replicas(member, workload.request)
        if isinstance(previous, Placement):
            room -= kept.get(member.name, 0) - on_new.get(member.name, 0)
        free[member.name] = max(room, 0)
    for item in earlier:
        if item.cluster in free:
            per_node = replicas_per_node(fleet.instance_type(item.instance_type), workload.request)
            free[item.cluster] += max(per_node * item.nodes - item.replicas, 0)
    capacity_bound = divided and policy.weight_preference is not WeightPreference.STATIC_WEIGHT
    if capacity_bound or policy.ecs_provision:
        for name in sorted(replicas):
            new = replicas[name] - kept.get(name, 0)
            if name in free and new > free[name] + provisioned.get(name, 0):
                problems.append(
                    f"cluster {name}: {new} new replicas exceed free {free[name]} + "
                    f"provisioned {provisioned.get(name, 0)}"
                )
    extra = wanted - sum(kept.values())
    if capacity_bound and placement.provisioning and sum(free.values()) >= extra:
        problems.append(
            f"provisioned new nodes although free capacity {sum(free.values())} holds the "
            f"{extra} new replicas"
        )

    released: dict[tuple[str, str, str], int] = {}
    for release in placement.scale_in:
        triple = (release.cluster, release.pool, release.instance_type)
        released[triple] = released.get(triple, 0) + release.nodes
        price = fleet.instance_type(release.instance_type).hourly_price or Decimal(0)
        if release.hourly_savings != price * release.nodes:
            problems.append(f"scale_in {'/'.join(triple)}: savings ≠ nodes × price")
    if placement.scale_in and extra >= 0:
        problems.append("scale_in without a scale-down")
    bought: dict[tuple[str, str, str], int] = {}
    for item in earlier:
        triple = (item.cluster, item.pool, item.instance_type)
        bought[triple] = bought.get(triple, 0) + item.nodes
    for triple, nodes in sorted(released.items()):
        if nodes > bought.get(triple, 0):
            problems.append(
                f"scale_in {'/'.join(triple)}: releases {nodes} nodes, "
                f"{bought.get(triple, 0)} bought"
            )

    for member in fleet.clusters:
        has_reason = member.name in placement.reasons
        if member.name in replicas and has_reason:
            problems.append(f"cluster {member.name}: a reason although it has replicas")
        if member.name not in replicas and not has_reason:
            problems.append(f"cluster {member.name}: left out without a reason")
    return tuple(problems)


def assert_placement_consistent(
    workload: Workload,
    policy: PlacementPolicy,
    fleet: Fleet,
    placement: Placement,
    *,
    previous: Placement | Mapping[str, int] | None = None,
    allow_partial: bool = False,
) -> None:
    """Raise ``AssertionError`` listing every invariant of :func:`check_placement` broken.

    Runtime complexity: as :func:`check_placement`.

    >>> from invsched.placement import Cluster, Fleet, FrozenMap
    >>> from invsched.resources import Resources
    >>> fleet = Fleet(clusters=[Cluster(name="a", region="r")])
    >>> w = Workload(name="w", replicas=0, request=Resources.parse({"cpu": 1}))
    >>> empty = Placement(replicas=FrozenMap(), reasons=FrozenMap({"a": "no replica"}))
    >>> assert_placement_consistent(w, PlacementPolicy(), fleet, empty)
    """
    problems = check_placement(
        workload, policy, fleet, placement, previous=previous, allow_partial=allow_partial
    )
    if problems:
        raise AssertionError("placement inconsistent:\n  " + "\n  ".join(problems))
