"""Replica division: Webster and dynamic division cost independent of the replica count.

Target (SPEC F): 10^6 replicas over 10^4 clusters in ≤ 20 ms, and 10^6 replicas cost at most
twice 10^3 replicas at 10^4 clusters. Inputs come from ``random.Random(0xC0FFEE)``.
"""

from __future__ import annotations

from typing import Any

import pytest

from invsched.placement.divide import divide_aggregated, divide_dynamic
from invsched.placement.webster import webster
from invsched.testing._division import generate_capacities, generate_previous

CLUSTERS = 10**4
REPLICAS = [10**3, 10**6]
UID = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c"


@pytest.fixture(scope="module")
def capacities() -> dict[str, int]:
    return generate_capacities(CLUSTERS, seed=0xC0FFEE)


@pytest.mark.parametrize("replicas", REPLICAS)
def test_webster(benchmark: Any, capacities: dict[str, int], replicas: int) -> None:
    """Webster over 10^4 parties, first allocation."""
    benchmark.group = "webster 10^4 clusters"
    result = benchmark(webster, replicas, capacities, uid=UID)
    assert sum(result.values()) == replicas


@pytest.mark.parametrize("replicas", REPLICAS)
def test_divide_dynamic_first_schedule(
    benchmark: Any, capacities: dict[str, int], replicas: int
) -> None:
    """divide_dynamic, first schedule over 10^4 clusters (capacity ≥ replicas at 10^6)."""
    benchmark.group = "divide_dynamic first schedule 10^4 clusters"
    available = {name: free * 1000 for name, free in capacities.items()}
    result = benchmark(divide_dynamic, replicas, available, uid=UID)
    assert sum(result.values()) == replicas


@pytest.mark.parametrize("replicas", REPLICAS)
def test_divide_dynamic_scale_up(benchmark: Any, capacities: dict[str, int], replicas: int) -> None:
    """divide_dynamic, scale-up from half the replicas, keeping previous ones in place."""
    benchmark.group = "divide_dynamic scale-up 10^4 clusters"
    available = {name: free * 1000 for name, free in capacities.items()}
    previous = generate_previous(available, replicas // 2, seed=0xC0FFEE)
    result = benchmark(divide_dynamic, replicas, available, previous=previous, uid=UID)
    assert sum(result.values()) == replicas


@pytest.mark.parametrize("replicas", REPLICAS)
def test_divide_dynamic_scale_down(
    benchmark: Any, capacities: dict[str, int], replicas: int
) -> None:
    """divide_dynamic, scale-down to half the previous replicas."""
    benchmark.group = "divide_dynamic scale-down 10^4 clusters"
    previous = generate_previous(capacities, 2 * replicas, seed=0xC0FFEE)
    result = benchmark(divide_dynamic, replicas, capacities, previous=previous, uid=UID)
    assert sum(result.values()) == replicas


@pytest.mark.parametrize("replicas", REPLICAS)
def test_divide_aggregated(benchmark: Any, capacities: dict[str, int], replicas: int) -> None:
    """divide_aggregated, first schedule over 10^4 clusters."""
    benchmark.group = "divide_aggregated first schedule 10^4 clusters"
    available = {name: free * 1000 for name, free in capacities.items()}
    result = benchmark(divide_aggregated, replicas, available, uid=UID)
    assert sum(result.values()) == replicas
