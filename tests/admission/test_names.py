"""Decisions never depend on what quotas are called.

The cycle once named cluster-total failures with the string ``"cluster"`` and compared that
to node names, so a leaf called ``cluster`` never reclaimed. These tests pin the reproducer
and the same cycle under the names most likely to collide with an internal label.
"""

from __future__ import annotations

import pytest

from invsched.admission import PreemptionReason, QueueUnit, Reason, Reclaim, admit, revoke
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources


def cpu(n: int) -> Resources:
    return Resources({"cpu": n * 1000})


def reclaim_case(name: str) -> tuple[QuotaTree, list[QueueUnit], list[QueueUnit]]:
    """Root min 4 / max 8; leaves ``name`` and ``other`` (min 2, max 8); four 1-cpu units run
    in ``other``; one 2-cpu unit waits in ``name``'s namespace; the cluster has 4 cpus."""
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", min=cpu(4), max=cpu(8), children=(name, "other")),
            QuotaNode(name=name, parent="root", min=cpu(2), max=cpu(8), namespaces=("ns-x",)),
            QuotaNode(name="other", parent="root", min=cpu(2), max=cpu(8), namespaces=("ns-o",)),
        ]
    )
    running = [
        QueueUnit(name=f"o{i}", namespace="ns-o", request=cpu(1), created=i) for i in range(4)
    ]
    pending = [QueueUnit(name="x", namespace="ns-x", request=cpu(2), created=10)]
    return tree, running, pending


@pytest.mark.parametrize("name", ["team", "cluster", "total", "root-1", "a.b", "x"])
def test_a_leaf_reclaims_whatever_its_name(name: str) -> None:
    tree, running, pending = reclaim_case(name)
    result = admit(tree, pending, running=running, total=cpu(4))
    assert [unit.name for unit in result.admitted] == ["x"]
    assert [(p.victim.name, p.reason) for p in result.preempted] == [
        ("o2", PreemptionReason.RECLAIM),
        ("o3", PreemptionReason.RECLAIM),
    ]
    assert result.pending == ()
    assert result.usage[name] == cpu(2)
    assert result.usage["other"] == cpu(2)


def test_the_total_is_still_named_cluster_in_details() -> None:
    tree, running, pending = reclaim_case("cluster")
    result = admit(tree, pending, running=running, total=cpu(4), reclaim=Reclaim.NONE)
    assert [(p.reason, p.detail) for p in result.pending] == [
        (Reason.INSUFFICIENT_CAPACITY, "cluster: cpu used 4 + request 2 > total 4")
    ]


def test_revoke_is_name_independent() -> None:
    victims = {}
    for name in ("team", "cluster"):
        tree, running, pending = reclaim_case(name)
        victims[name] = [
            p.victim.name for p in revoke(tree, running, total=cpu(4), pending=pending)
        ]
    assert victims["team"] == victims["cluster"] == ["o2", "o3"]
