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


def _single_quota_preemption(
    pending: int, running: int
) -> tuple[QuotaTree, list[QueueUnit], list[QueueUnit]]:
    """One leaf full of 2-cpu units of priorities 0..9, and units of priority 5 that would
    need 6000 cpus: more than every lower-priority unit holds, so none can preempt."""
    from invsched.quota import QuotaNode

    def cpu(n: int) -> Resources:
        return Resources({"cpu": n * 1000})

    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", max=cpu(2 * running), children=("q",)),
            QuotaNode(name="q", parent="root", max=cpu(2 * running), namespaces=("q",)),
        ]
    )
    held = [
        QueueUnit(name=f"r{i}", namespace="q", request=cpu(2), priority=i % 10, created=i)
        for i in range(running)
    ]
    hopeless = [
        QueueUnit(name=f"p{i}", namespace="q", request=cpu(running + 2), priority=5, created=i)
        for i in range(pending)
    ]
    return tree, hopeless, held


PREEMPTION_SIZES = [(100, 500), (1000, 5000), *([(10_000, 50_000)] if FULL else [])]


@pytest.mark.parametrize(("pending", "running"), PREEMPTION_SIZES)
def test_admit_hopeless_within_quota_preemption(benchmark, pending: int, running: int) -> None:  # type: ignore[no-untyped-def]
    """Same-quota preemption refused for `pending` units against `running` lower-priority units."""
    benchmark.group = "admit: hopeless same-quota preemption"
    tree, queue, held = _single_quota_preemption(pending, running)
    total = Resources({"cpu": 2 * running * 1000})
    result = benchmark(admit, tree, queue, running=held, total=total, preempt_within_quota=True)
    assert len(result.pending) == pending


def _many_small_victims(victims: int) -> tuple[QuotaTree, list[QueueUnit], list[QueueUnit]]:
    """Leaf ``a`` borrows the whole cluster in 1-millicpu units; leaf ``b`` asks for its min."""
    from invsched.quota import QuotaNode

    def cpu(n: int) -> Resources:
        return Resources({"cpu": n})

    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", min=cpu(2 * victims), max=cpu(2 * victims), children=("a", "b")),
            QuotaNode(name="a", parent="root", max=cpu(2 * victims), namespaces=("a",)),
            QuotaNode(
                name="b", parent="root", min=cpu(victims), max=cpu(2 * victims), namespaces=("b",)
            ),
        ]
    )
    held = [
        QueueUnit(name=f"a{i}", namespace="a", request=cpu(1), created=i)
        for i in range(2 * victims)
    ]
    waiting = [QueueUnit(name="b", namespace="b", request=cpu(victims), created=0)]
    return tree, waiting, held


VICTIM_SIZES = [10**3, 10**4, *([5 * 10**4] if FULL else [])]


@pytest.mark.parametrize("victims", VICTIM_SIZES)
def test_admit_reclaim_many_small_victims(benchmark, victims: int) -> None:  # type: ignore[no-untyped-def]
    """One reclaim that takes `victims` one-millicpu units from a borrowing quota."""
    benchmark.group = "admit: one reclaim, many victims"
    tree, queue, held = _many_small_victims(victims)
    total = Resources({"cpu": 2 * victims})
    result = benchmark(admit, tree, queue, running=held, total=total)
    assert len(result.preempted) == victims
