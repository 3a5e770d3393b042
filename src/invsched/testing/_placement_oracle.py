"""The placement oracle: every invariant a :class:`~invsched.placement.Placement` must keep.

:func:`check_placement` returns the broken invariants as strings (empty when consistent);
:func:`assert_placement_consistent` raises ``AssertionError`` listing them. Unit, property
and benchmark tests share it; the checks themselves, one per invariant, are in
:mod:`invsched.testing._placement_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping

from invsched.placement import Fleet, Placement, PlacementPolicy, Workload
from invsched.testing._placement_checks import PLACEMENT_CHECKS, placement_case

__all__ = ["assert_placement_consistent", "check_placement"]


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

    One check per invariant, reported in this order: replicas + unplaced add up (per
    cluster for ``DUPLICATED``); replicas only on candidate clusters; replica counts are
    ints > 0; ``unplaced`` only with ``allow_partial``; provisioning only with
    ``ecs_provision``; only on autoscaling pools of candidates listing the instance type;
    each node hosting 1..per-node replicas; each entry costing nodes × price; within pool
    headroom and regional stock (together with the previous placement's nodes);
    ``hourly_cost`` = Σ entries; new replicas within free + provisioned room; no new node
    when free room suffices (dynamic and aggregated division); ``scale_in`` saving nodes ×
    price, only on a scale-down, never more nodes than were bought; no reason for a cluster
    with replicas; a reason for every cluster left out.

    Free room and per-node capacity are re-derived from the documented contract, not taken
    from the library: a node holds ``min(max_pods − pods, min over requested resources of
    ⌊(allocatable − requested) / request⌋)`` more replicas (never below 0), a new node is
    empty with 110 pod slots, a pool may add ``max_nodes − current_nodes`` nodes when it
    autoscales, and a region sells ``inventory[region][type]`` nodes (0 when unlisted).

    Runtime complexity: O(N · k + p) for N nodes, k resources, p provisioning entries.

    >>> from invsched.placement import Cluster, Fleet, FrozenMap
    >>> from invsched.resources import Resources
    >>> fleet = Fleet(clusters=[Cluster(name="a", region="r")])
    >>> w = Workload(name="w", replicas=1, request=Resources.parse({"cpu": 1}))
    >>> check_placement(w, PlacementPolicy(), fleet, Placement(replicas=FrozenMap({"a": 1})))
    ('cluster a: 1 new replicas exceed free 0 + provisioned 0',)
    """
    case = placement_case(
        workload, policy, fleet, placement, previous=previous, allow_partial=allow_partial
    )
    return tuple(problem for check in PLACEMENT_CHECKS for problem in check(case))


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
