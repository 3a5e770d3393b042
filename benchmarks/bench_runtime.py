"""Runtime quota: one whole-tree refresh, and one parent's redistribution.

Target (SPEC F): ``runtime_quota`` on a tree of 10^4 nodes with 3 resources in ≤ 100 ms.
Trees come from ``generate_tree`` (branching 10) and demands from ``random.Random(0xC0FFEE)``:
every leaf asks for a random amount between 0 and twice its max, so most quotas borrow.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from invsched.quota._share import Share, redistribute
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources
from invsched.testing import generate_tree

#: nodes → (leaves, depth) giving exactly that many nodes at branching 10.
SHAPES = {10**2: (90, 2), 10**3: (900, 3), 10**4: (9000, 4)}


def _scenario(nodes: int) -> tuple[QuotaTree, dict[str, Resources], Resources]:
    leaves, depth = SHAPES[nodes]
    tree = generate_tree(leaves, depth, seed=0xC0FFEE)
    rng = random.Random(0xC0FFEE)
    requests = {
        leaf.name: Resources({key: rng.randint(0, 2 * amount) for key, amount in leaf.max.items()})
        for leaf in tree.leaves
    }
    return tree, requests, tree.root.max


@pytest.mark.parametrize("nodes", sorted(SHAPES))
def test_runtime_quota(benchmark: Any, nodes: int) -> None:
    """runtime_quota over a whole tree, 3 resources."""
    benchmark.group = "runtime_quota (3 resources)"
    tree, requests, total = _scenario(nodes)
    assert len(tree) == nodes
    result = benchmark(runtime_quota, tree, requests, total)
    assert result[tree.root.name].fits_in(total)


@pytest.mark.parametrize("nodes", sorted(SHAPES))
def test_aggregate_requests(benchmark: Any, nodes: int) -> None:
    """aggregate_requests over a whole tree, 3 resources."""
    benchmark.group = "aggregate_requests (3 resources)"
    tree, requests, _ = _scenario(nodes)
    result = benchmark(aggregate_requests, tree, requests)
    assert len(result) == nodes


@pytest.mark.parametrize("shares", [10**2, 10**3, 10**4])
def test_redistribute(benchmark: Any, shares: int) -> None:
    """redistribute one amount among many borrowers of one parent."""
    benchmark.group = "redistribute (one parent)"
    rng = random.Random(0xC0FFEE)
    items = [
        Share(
            name=f"q{index}",
            min=rng.randint(0, 10) * 1000,
            request=rng.randint(0, 40) * 1000,
            weight=rng.randint(1, 100) * 1000,
        )
        for index in range(shares)
    ]
    total = 15 * 1000 * shares
    result = benchmark(redistribute, total, items)
    assert sum(result) <= total
