"""Provisioning: least-cost new nodes, meetable and unmeetable, one and several types per pool.

Generated fleets come from ``generate_fleet(n, 100, seed=0xC0FFEE)`` with the workload of
``bench_placement`` (1 GPU, 4 cpu, 16Gi per replica) asking for every free slot plus a
shortfall; the multi-type cases are one cluster whose pools list several one-GPU types, with
prices drawn from ``random.Random(0xC0FFEE)``. Every case used to take seconds to minutes
(see docs/performance.md); all now take milliseconds. 3000 clusters only with
``INVSCHED_BENCH_FULL=1``.
"""

from __future__ import annotations

import os
import random
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from invsched.errors import InsufficientReplicas
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    NodePool,
    Placement,
    PlacementPolicy,
    Workload,
    estimate_replicas,
    place,
)
from invsched.resources import Resources
from invsched.testing import generate_fleet

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

SEED = 0xC0FFEE
FULL = os.environ.get("INVSCHED_BENCH_FULL") == "1"
REQUEST = Resources.parse({"cpu": 4, "memory": "16Gi", "nvidia.com/gpu": 1})
ONE_GPU = Resources.parse({"nvidia.com/gpu": 1})
POLICY = PlacementPolicy(ecs_provision=True)


def _fleet_case(clusters: int, extra: int) -> tuple[Workload, Fleet]:
    fleet = generate_fleet(clusters, 100, SEED)
    free = sum(estimate_replicas(cluster, REQUEST) for cluster in fleet.clusters)
    return Workload(name="qwen3-8b", replicas=free + extra, request=REQUEST), fleet


def _place_or_refuse(workload: Workload, fleet: Fleet, *, partial: bool) -> Placement | None:
    try:
        return place(workload, POLICY, fleet, allow_partial=partial)
    except InsufficientReplicas:
        return None


@pytest.fixture(scope="module")
def fleet_100() -> Fleet:
    return generate_fleet(100, 100, SEED)


@pytest.mark.parametrize("extra", [50, 1000], ids=["meetable+50", "unmeetable+1000"])
@pytest.mark.parametrize("partial", [True, False], ids=["partial", "strict"])
def test_shortfall_on_generated_fleet(
    benchmark: BenchmarkFixture, fleet_100: Fleet, extra: int, partial: bool
) -> None:
    """place over generate_fleet(100, 100): every free slot + extra, partial or strict."""
    benchmark.group = "provision: 100 x 100 nodes, free + extra"
    free = sum(estimate_replicas(cluster, REQUEST) for cluster in fleet_100.clusters)
    workload = Workload(name="qwen3-8b", replicas=free + extra, request=REQUEST)
    result = benchmark(_place_or_refuse, workload, fleet_100, partial=partial)
    assert (result is None) == (extra == 1000 and not partial)


@pytest.fixture(scope="module", params=[1000, *([3000] if FULL else [])], ids=lambda n: f"{n}x100")
def large_unmeetable(request: pytest.FixtureRequest) -> tuple[Workload, Fleet]:
    return _fleet_case(request.param, 1500)


def test_unmeetable_shortfall_scales_with_clusters(
    benchmark: BenchmarkFixture, large_unmeetable: tuple[Workload, Fleet]
) -> None:
    """place, strict, every free slot + 1500 that new nodes cannot hold (raises)."""
    benchmark.group = "provision: unmeetable +1500 (clusters x 100 nodes)"
    workload, fleet = large_unmeetable
    assert benchmark(_place_or_refuse, workload, fleet, partial=False) is None


def _gpu_type(name: str, rng: random.Random, low: int, high: int) -> InstanceType:
    price = Decimal(rng.randint(low, high)) / 100
    allocatable = Resources.parse({"cpu": 8, "memory": "32Gi", "nvidia.com/gpu": 1})
    return InstanceType(name=name, allocatable=allocatable, hourly_price=price)


def multi_type_fleet(types: int, room: int, *, fallback: bool = False) -> Fleet:
    """One cluster; a pool of ``room`` nodes listing ``types`` one-GPU types, maybe a fallback.

    Each type has a stock of ``room`` nodes: alone, any type could fill the pool.

    >>> len(multi_type_fleet(4, 10).catalog)
    4
    """
    rng = random.Random(SEED)
    catalog = [_gpu_type(f"gpu.t{index}", rng, 900, 1100) for index in range(types)]
    pools = [NodePool(name="gpu", instance_types=[t.name for t in catalog], max_nodes=room)]
    stock = dict.fromkeys((t.name for t in catalog), room)
    if fallback:
        # A pricier type in a pool of its own: the cheap pool fills first, then this one.
        spare = _gpu_type("gpu.fallback", rng, 2000, 2400)
        catalog.append(spare)
        pools.append(NodePool(name="fallback", instance_types=[spare.name], max_nodes=room))
        stock[spare.name] = room
    return Fleet(
        clusters=[Cluster(name="c1", region="r", pools=pools)],
        inventory={"r": stock},
        catalog=catalog,
    )


#: (types in the pool, its max_nodes, replicas, with a fallback pool)
MULTI_TYPE_CASES = {
    "T4-room10-11": (4, 10, 11, False),
    "T5-room10-11": (5, 10, 11, False),
    "T6-room10-11": (6, 10, 11, False),
    "T4-room40-41": (4, 40, 41, False),
    "T7+fallback-20": (7, 10, 20, True),
}


@pytest.mark.parametrize("case", MULTI_TYPE_CASES.values(), ids=MULTI_TYPE_CASES.keys())
@pytest.mark.parametrize("partial", [True, False], ids=["partial", "strict"])
def test_pool_listing_several_types(
    benchmark: BenchmarkFixture, case: tuple[int, int, int, bool], partial: bool
) -> None:
    """place with a pool listing several instance types (ACK fallbacks), partial or strict."""
    benchmark.group = "provision: pools listing several types"
    types, room, replicas, fallback = case
    fleet = multi_type_fleet(types, room, fallback=fallback)
    workload = Workload(name="w", replicas=replicas, request=ONE_GPU)
    result = benchmark(_place_or_refuse, workload, fleet, partial=partial)
    if fallback:
        assert result is not None
        assert sum(p.nodes for p in result.provisioning if p.pool == "fallback") == 10
    elif partial:
        assert result is not None
        assert result.unplaced == 1
    else:
        assert result is None
