"""Benchmarks of one admission cycle over a large queue (SPEC F: 10^5 units in ≤ 2 s)."""

from __future__ import annotations

import os
import random

import attrs
import pytest

from invsched.admission import QueueUnit, admit
from invsched.quota import QuotaTree
from invsched.resources import Resources
from invsched.testing import generate_queue, generate_tree

SEED = random.Random(0xC0FFEE).randrange(2**32)
LEAVES = 1000
DEPTH = 4
FULL = os.environ.get("INVSCHED_BENCH_FULL") == "1"
SIZES = [10**3, 10**4, *([10**5] if FULL else [])]


def _workload(
    units: int,
) -> tuple[QuotaTree, tuple[QueueUnit, ...], tuple[QueueUnit, ...], Resources]:
    tree = generate_tree(LEAVES, DEPTH, seed=SEED)
    queue = generate_queue(tree, units, seed=SEED)
    # Some units already run: what an earlier cycle admitted from a queue a tenth as long,
    # so the cluster is busy and some quotas borrow.
    earlier = generate_queue(tree, units // 10, seed=SEED + 1)
    warm = admit(
        tree, [attrs.evolve(u, name=f"run-{u.name}") for u in earlier], total=tree.root.min
    )
    running = warm.admitted
    return tree, queue, running, tree.root.min


@pytest.mark.parametrize("units", SIZES)
def test_admit_one_cycle(benchmark, units: int) -> None:  # type: ignore[no-untyped-def]
    """One admission cycle of `units` pending units over 10^3 leaves at depth 4."""
    benchmark.group = "admit: one cycle, 10^3 leaves, depth 4"
    tree, queue, running, total = _workload(units)
    result = benchmark(admit, tree, queue, running=running, total=total)
    assert len(result.admitted) + len(result.pending) == units
