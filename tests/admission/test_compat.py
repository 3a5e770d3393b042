"""Compatibility with Koordinator's revoke and koord-queue's dequeue checks."""

from __future__ import annotations

import pytest

from invsched.admission import (
    Preemption,
    PreemptionReason,
    QueueUnit,
    Reason,
    admit,
    revoke,
    select_victims,
)
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources


def _pod(name: str, priority: int, cpu: int, memory: int) -> QueueUnit:
    """defaultCreatePod(name, priority, cpu cores, memory bytes), as in the upstream test."""
    return QueueUnit(
        name=name,
        namespace="test1",
        priority=priority,
        created=0,
        request=Resources({"cpu": cpu * 1000, "memory": memory * 1000}),
    )


PODS = [_pod("1", 10, 20, 0), _pod("2", 9, 10, 1), _pod("3", 8, 20, 0), _pod("4", 7, 40, 0)]


def _used(pods: list[QueueUnit]) -> Resources:
    return sum((pod.request for pod in pods), Resources())


@pytest.mark.parametrize(
    ("pods", "limit", "expected"),
    [
        pytest.param(PODS, {"cpu": 50_000, "memory": 0}, ["2", "4"], id="runtime-50-cpu-0-memory"),
        pytest.param(
            PODS, {"cpu": -1000, "memory": 0}, ["4", "3", "2", "1"], id="runtime-negative"
        ),
        pytest.param(PODS[:3], {"cpu": -1000, "memory": 0}, ["3", "2", "1"], id="pod-4-unassigned"),
    ],
)
def test_get_to_revoke_pod_list(
    pods: list[QueueUnit], limit: dict[str, int], expected: list[str]
) -> None:
    """koordinator pkg/scheduler/plugins/elasticquota/quota_overuse_revoke_test.go,
    TestQuotaOverUsedRevokeController_GetToRevokePodList: pod 2 goes although it outranks
    pod 3, because only it holds the byte of memory above runtime 0; when nothing can fit,
    every stripped pod is revoked."""
    victims = select_victims(pods, _used(pods), Resources(limit))
    assert [victim.name for victim in victims] == expected


def test_non_preemptible_pods_are_never_revoked() -> None:
    """Newer getToRevokePodList skips non-preemptible pods (label preemptible=false)."""
    pinned = QueueUnit(
        name="5",
        namespace="test1",
        priority=1,
        created=0,
        request=Resources({"cpu": 10_000}),
        preemptible=False,
    )
    pods = [*PODS, pinned]
    fits = select_victims(pods, _used(pods), Resources({"cpu": 10_000, "memory": 0}))
    assert [victim.name for victim in fits] == ["1", "2", "3", "4"]
    cannot = select_victims(pods, _used(pods), Resources({"cpu": 5_000, "memory": 0}))
    assert [victim.name for victim in cannot] == ["4", "3", "2", "1"]


def test_revoke_reproduces_the_upstream_case_through_the_tree() -> None:
    """The same case through revoke(): a one-quota tree whose runtime is cpu 50, memory 0
    (max {cpu: 50, memory: 0}; demand 90 cpu is limited to 50)."""
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(
                name="test1",
                max=Resources({"cpu": 50_000, "memory": 0}),
                namespaces=("test1",),
            )
        ]
    )
    total = Resources({"cpu": 100_000, "memory": 10**12})
    result = revoke(tree, PODS, total=total)
    assert result == (
        Preemption(victim=PODS[1], preemptor=None, reason=PreemptionReason.OVER_RUNTIME),
        Preemption(victim=PODS[3], preemptor=None, reason=PreemptionReason.OVER_RUNTIME),
    )


def _cpu(cores: int) -> Resources:
    return Resources({"cpu": cores * 1000})


def _two_level() -> QuotaTree:
    return QuotaTree.from_nodes(
        [
            QuotaNode(name="root", max=_cpu(100), min=_cpu(100), children=("parent",)),
            QuotaNode(name="parent", parent="root", max=_cpu(4), min=_cpu(4), children=("leaf",)),
            QuotaNode(name="leaf", parent="parent", max=_cpu(10), min=_cpu(4), namespaces=("ns",)),
        ]
    )


def test_every_ancestor_max_is_checked() -> None:
    """koord-queue ElasticQuota Filter: used + request ≤ max × oversell at the quota and every
    ancestor ("Insufficient quota(cpu) in parent quota"); a child's max may exceed its
    parent's (Koordinator does not compare max values)."""
    unit = QueueUnit(name="j", namespace="ns", request=_cpu(5), created=0)
    result = admit(_two_level(), [unit], total=_cpu(100))
    assert result.pending[0].reason is Reason.REQUEST_EXCEEDS_MAX_EVER
    assert result.pending[0].detail == "parent: cpu request 5 > max 4"
    small = QueueUnit(name="k", namespace="ns", request=_cpu(3), created=0)
    running = [QueueUnit(name="r", namespace="ns", request=_cpu(2), created=0)]
    result = admit(_two_level(), [small], running=running, total=_cpu(100))
    assert result.pending[0].detail == "parent: cpu used 2 + request 3 > max 4"


def test_a_key_missing_from_max_is_unlimited_and_max_zero_allows_nothing() -> None:
    """koord-queue: only keys present in max are checked; max 0 means nothing allowed."""
    tree = QuotaTree.from_nodes(
        [QuotaNode(name="root", max=Resources({"nvidia.com/gpu": 0}), namespaces=("ns",))]
    )
    cpu_only = QueueUnit(name="c", namespace="ns", request=_cpu(64), created=0)
    gpu = QueueUnit(
        name="g", namespace="ns", request=Resources({"nvidia.com/gpu": 1000}), created=0
    )
    result = admit(tree, [cpu_only, gpu], total=_cpu(64))
    assert result.admitted == (cpu_only,)
    assert result.pending[0].detail == "root: nvidia.com/gpu request 1 > max 0"


def test_runtime_follows_koordinator_worked_example() -> None:
    """design proposal / IterationAdjustQuota case1: total 100; A(min 10, req 5),
    B(min 15, req 20), C(min 20, req 40), D(min 15, req 70) -> runtime 5, 20, 35, 40.
    The upstream numbers are raw units, so they are used here as milli-units (``70m``); the
    quotas are named in lower case, as Kubernetes object names must be.
    D's unit of 70 waits on its runtime of 40."""

    def milli(amount: int) -> Resources:
        return Resources({"cpu": amount})

    def quota(name: str, low: int, high: int) -> QuotaNode:
        return QuotaNode(
            name=name, parent="root", min=milli(low), max=milli(high), namespaces=(name,)
        )

    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", min=milli(100), max=milli(200), children=("a", "b", "c", "d")),
            quota("a", 10, 40),
            quota("b", 15, 60),
            quota("c", 20, 50),
            quota("d", 15, 80),
        ]
    )
    demand = {"a": 5, "b": 20, "c": 40}
    running = [
        QueueUnit(name=n, namespace=n, request=milli(c), created=0) for n, c in demand.items()
    ]
    over = QueueUnit(name="over", namespace="d", request=milli(70), created=1)
    result = admit(tree, [over], running=running, total=milli(100))
    assert {name: result.runtime[name]["cpu"] for name in "abcd"} == {
        "a": 5,
        "b": 20,
        "c": 35,
        "d": 40,
    }
    assert result.pending[0].reason is Reason.EXCEEDS_RUNTIME
    assert result.pending[0].detail == "d: cpu used 0 + request 70m > runtime 40m"
