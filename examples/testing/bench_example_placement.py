"""A benchmark of a third-party placement function over a generated fleet of 1000 clusters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from invsched.placement import Cluster, Fleet, Placement, PlacementPolicy, Workload, place
from invsched.resources import Resources
from invsched.testing import check_placement, generate_fleet

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

WORKLOAD = Workload(
    name="qwen3-8b",
    replicas=2000,
    request=Resources.parse({"cpu": 4, "memory": "16Gi", "nvidia.com/gpu": 1}),
)
#: Divided by available replicas over every cluster: the policy my_place implements.
POLICY = PlacementPolicy()


def free_replicas(cluster: Cluster, request: Resources) -> int:
    """Replicas that fit the free room of the cluster's nodes (pod slots and resources)."""
    total = 0
    for node in cluster.nodes:
        fit = node.max_pods - node.pods
        for key, amount in request.items():
            if amount > 0:
                fit = min(fit, (node.allocatable[key] - node.requested[key]) // amount)
        total += max(fit, 0)
    return total


def my_place(workload: Workload, fleet: Fleet) -> Placement:
    """A greedy placement: fill the clusters with the most free room first."""
    free = {cluster.name: free_replicas(cluster, workload.request) for cluster in fleet.clusters}
    left = workload.replicas
    replicas: dict[str, int] = {}
    for name in sorted(free, key=lambda name: (-free[name], name)):
        if left == 0:
            break
        if free[name] > 0:
            replicas[name] = min(free[name], left)
            left -= replicas[name]
    reasons = {name: "not needed or full" for name in free if name not in replicas}
    return Placement(replicas=replicas, unplaced=left, reasons=reasons)


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return generate_fleet(1000, 100, seed=1)


def test_my_place(benchmark: BenchmarkFixture, fleet: Fleet) -> None:
    """my_place: 2000 GPU replicas over 1000 clusters × 100 nodes."""
    benchmark.group = "place 2000 replicas over 1000 x 100"
    placement = benchmark(my_place, WORKLOAD, fleet)
    assert check_placement(WORKLOAD, POLICY, fleet, placement) == ()


def test_invsched_place(benchmark: BenchmarkFixture, fleet: Fleet) -> None:
    """invsched's place on the same input, as a baseline."""
    benchmark.group = "place 2000 replicas over 1000 x 100"
    placement = benchmark(place, WORKLOAD, POLICY, fleet)
    assert check_placement(WORKLOAD, POLICY, fleet, placement) == ()
