"""Placement: ``place`` with ``ecs_provision`` over busy generated fleets, and the estimator.

Target (SPEC F): ``place`` with ``ecs_provision`` over 10^3 clusters × 100 nodes in ≤ 250 ms.
Fleets come from ``generate_fleet(n, 100, seed=0xC0FFEE)``; the workload (1 GPU, 4 cpu, 16Gi
per replica) asks for every free slot plus a shortfall that new nodes must cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pytest

from invsched.placement import (
    Fleet,
    PlacementPolicy,
    Workload,
    estimate_replicas,
    place,
)
from invsched.resources import Resources
from invsched.testing import check_placement, generate_fleet

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

SEED = 0xC0FFEE
CLUSTERS = (10, 100, 1000)
NODES_PER_CLUSTER = 100
REQUEST = Resources.parse({"cpu": 4, "memory": "16Gi", "nvidia.com/gpu": 1})
POLICY = PlacementPolicy(ecs_provision=True)


@pytest.fixture(scope="module", params=CLUSTERS, ids=lambda n: f"{n}x{NODES_PER_CLUSTER}")
def case(request: pytest.FixtureRequest) -> tuple[Workload, Fleet]:
    fleet = generate_fleet(request.param, NODES_PER_CLUSTER, SEED)
    free = sum(estimate_replicas(cluster, REQUEST) for cluster in fleet.clusters)
    shortfall = max(request.param // 2, 4)
    return Workload(name="qwen3-8b", replicas=free + shortfall, request=REQUEST), fleet


def test_place_with_ecs_provision(
    benchmark: BenchmarkFixture, case: tuple[Workload, Fleet]
) -> None:
    """place, Divided + AvailableReplicas + ecs_provision, first schedule with a shortfall."""
    benchmark.group = "place ecs_provision (clusters x 100 nodes)"
    workload, fleet = case
    result = benchmark(place, workload, POLICY, fleet, allow_partial=True)
    assert result.provisioning
    assert check_placement(workload, POLICY, fleet, result, allow_partial=True) == ()


def test_place_scale_down(benchmark: BenchmarkFixture, case: tuple[Workload, Fleet]) -> None:
    """place, scale-down to half from a provisioned placement (elastic nodes released)."""
    benchmark.group = "place scale-down (clusters x 100 nodes)"
    workload, fleet = case
    first = place(workload, POLICY, fleet, allow_partial=True)
    half = attrs.evolve(workload, replicas=workload.replicas // 2)
    result = benchmark(place, half, POLICY, fleet, previous=first)
    assert sum(result.replicas.values()) == half.replicas


@pytest.mark.parametrize("nodes", [10**2, 10**3, 10**4])
def test_estimate_replicas(benchmark: BenchmarkFixture, nodes: int) -> None:
    """estimate_replicas over one cluster of n nodes (per-node cost = median / n)."""
    benchmark.group = "estimate_replicas (nodes)"
    cluster = generate_fleet(1, nodes, SEED).clusters[0]
    result = benchmark(estimate_replicas, cluster, REQUEST)
    assert 0 <= result <= nodes * 8
