"""Koordinator's own runtime-quota unit tests, reproduced case by case.

Upstream files (koordinator-sh/koordinator, ``pkg/scheduler/plugins/elasticquota/core``):
``runtime_quota_calculator_test.go`` (one parent's calculator: :func:`redistribute`) and
``group_quota_manager_test.go`` (whole trees: :func:`runtime_quota`). Each case names its
upstream test in its id.

Units. Koordinator computes cpu on ``Quantity.MilliValue()`` and every other resource on
``Quantity.Value()`` (bytes, GPUs) — ``getQuantityValue`` in ``runtime_quota_calculator.go``.
Our amounts are milli-units throughout, and :func:`runtime_quota` shares a non-cpu resource in
whole units whenever all its amounts are whole, so the upstream numbers convert exactly:
``cores(96)`` is 96 cpu, ``gib(160)`` is 160 GiB and ``byte_(4096)`` is 4096 bytes, and the
rounding happens on the same integers as upstream (the scaled-min cases below depend on it: an
upstream memory runtime of ``200Gi/3 + 1`` *bytes*). The calculator-level cases feed the upstream
int64 values to :func:`redistribute` as they are, since it works on plain integers.

Top-level siblings. Upstream quotas whose parent is the virtual ``koordinator-root-quota`` share
the cluster total directly; our tree has one root, so those cases hang the siblings under a
root without min or max (``cluster``), which takes ``min(total, Σ limited requests)`` and
splits it exactly as upstream splits the total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from invsched.quota._share import Share, redistribute
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources

_GIB = 1024**3


def cores(amount: int) -> int:
    return amount * 1000


def gib(amount: int) -> int:
    return amount * _GIB * 1000


def byte_(amount: int) -> int:
    return amount * 1000


def pair(cpu: int, memory: int) -> Resources:
    """Upstream ``createResourceList(cpu, memory)``: cores and bytes, as milli-units."""
    return Resources({"cpu": cpu * 1000, "memory": memory * 1000})


def quota(
    name: str,
    parent: str | None,
    max_: Resources,
    min_: Resources,
    *,
    lend: bool = True,
    children: Sequence[str] = (),
) -> QuotaNode:
    """Upstream ``AddQuotaToManager``: shared weight defaults to max."""
    return QuotaNode(
        name=name,
        parent=parent,
        max=max_,
        min=min_,
        allow_lent=lend,
        children=tuple(children),
    )


def cluster(children: Sequence[str]) -> QuotaNode:
    """The virtual cluster root of upstream, as a node that neither guarantees nor caps."""
    return QuotaNode(name="cluster", children=tuple(children))


def runtimes(
    nodes: Sequence[QuotaNode],
    requests: Mapping[str, Resources],
    total: Resources,
    *,
    scale_min: bool = True,
) -> dict[str, Resources]:
    return runtime_quota(QuotaTree.from_nodes(nodes), requests, total, scale_min=scale_min)


# runtime_quota_calculator_test.go -------------------------------------------------------------

NODE1 = Share(name="node1", weight=40, request=5, min=10)
NODE2 = Share(name="node2", weight=60, request=20, min=15)
NODE3 = Share(name="node3", weight=50, request=40, min=20)
NODE4 = Share(name="node4", weight=80, request=70, min=15)


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        pytest.param(
            [NODE1, NODE2, NODE3, NODE4],
            (5, 20, 35, 40),
            id="TestRuntimeQuotaCalculator_IterationAdjustQuota/case1-no-guarantee",
        ),
        pytest.param(
            [NODE1, NODE2, NODE3, Share(name="node4", weight=0, request=70, min=15)],
            (5, 20, 40, 15),
            id="TestRuntimeQuotaCalculator_IterationAdjustQuota/case2-node4.sharedWeight=0",
        ),
        pytest.param(
            [NODE1, NODE2, NODE3, Share(name="node4", weight=0, request=70, min=15, guarantee=45)],
            (5, 20, 30, 45),
            id="TestRuntimeQuotaCalculator_IterationAdjustQuota/case3-node4.guarantee>min",
        ),
    ],
)
def test_iteration_adjust_quota(shares: list[Share], expected: tuple[int, ...]) -> None:
    assert redistribute(100, shares) == expected


def test_update_one_group_runtime_quota_steps() -> None:
    """TestRuntimeQuotaCalculator_UpdateOneGroupRuntimeQuota and _DeleteOneGroup: four steps.

    Shared weight 1 for both quotas (cpu 1 core = 1000 milli, memory 1 byte); total
    [100 cores, 1000 bytes]; test1 max [80, 800] min [60, 600]; test2 max [100, 1000]
    min [50, 500] request [90, 900].
    """

    def step(test1_request: int | None, test2_request: int, scale: int) -> tuple[int, ...]:
        shares = [Share(name="test2", min=50 * scale, request=test2_request * scale, weight=1)]
        if test1_request is not None:
            shares.insert(
                0, Share(name="test1", min=60 * scale, request=test1_request * scale, weight=1)
            )
        return redistribute(100 * scale, shares)

    # cpu in milli (×1000), memory in bytes (×10 on the upstream [.., 1000] list).
    assert step(0, 90, 1000) == (0, 90_000)
    assert step(0, 90, 10) == (0, 900)
    assert step(30, 90, 1000) == (30_000, 70_000)
    assert step(30, 90, 10) == (300, 700)
    # test1 asks for exactly its min: test2 keeps only its min (60 + 50 > 100, no borrowing).
    assert step(60, 90, 1000) == (60_000, 50_000)
    assert step(60, 90, 10) == (600, 500)
    # After deleting test1, test2 gets its whole request again.
    assert step(None, 90, 1000) == (90_000,)


def test_update_one_group_runtime_quota2() -> None:
    """TestRuntimeQuotaCalculator_UpdateOneGroupRuntimeQuota2: request above max, then a peer."""
    test1 = Share(name="test1", min=cores(50), request=cores(80), weight=1)  # request 100 > max 80
    assert redistribute(cores(120), [test1]) == (cores(80),)
    test2 = Share(name="test2", min=cores(50), request=cores(100), weight=1)  # 150 > max 100
    assert redistribute(cores(120), [test1, test2]) == (cores(60), cores(60))
    memory1 = Share(name="test1", min=500, request=800, weight=1)
    memory2 = Share(name="test2", min=500, request=1000, weight=1)
    assert redistribute(1200, [memory1, memory2]) == (600, 600)


def test_update_one_group_request() -> None:
    """TestRuntimeQuotaCalculator_UpdateOneGroupRequest: request < min gives runtime = request.

    Quotas test-1..test-5 join one by one on a total of [50, 5000]: max [i·100, i·10000],
    min [i·80, i·8000], request [i·10, i·1000]; the mins over-commit the total, yet every
    quota asking below its min gets exactly its request.
    """
    shares: list[Share] = []
    for i in range(1, 6):
        shares.append(
            Share(name=f"test-{i}", min=cores(i * 80), request=cores(i * 10), weight=cores(i * 100))
        )
        assert redistribute(cores(50), shares) == tuple(cores(k * 10) for k in range(1, i + 1))


def test_update_one_group_min_quota() -> None:
    """TestRuntimeQuotaCalculator_UpdateOneGroupMinQuota: runtime keeps the request as min drops."""
    for min_cpu, expected in ((70, 70), (50, 70)):
        share = Share(name="test1", min=cores(min_cpu), request=cores(70), weight=cores(100))
        assert redistribute(cores(100), [share]) == (cores(expected),)


# group_quota_manager_test.go ------------------------------------------------------------------


def test_update_quota_internal_and_request() -> None:
    """TestGroupQuotaManager_UpdateQuotaInternalAndRequest: runtime capped by total, then by max."""
    total = Resources({"cpu": cores(96), "memory": gib(160)})
    request = Resources({"cpu": cores(120), "memory": gib(290)})
    first = [quota("test1", None, total, Resources({"cpu": cores(50), "memory": gib(80)}))]
    assert runtimes(first, {"test1": request}, total)["test1"] == total
    smaller = Resources({"cpu": cores(64), "memory": gib(100)})
    second = [quota("test1", None, smaller, Resources({"cpu": cores(60), "memory": gib(90)}))]
    assert runtimes(second, {"test1": request}, total)["test1"] == smaller


def _two_top_level() -> list[QuotaNode]:
    maximum = Resources({"cpu": cores(96), "memory": gib(160)})
    return [
        cluster(["test1", "test2"]),
        quota("test1", "cluster", maximum, Resources({"cpu": cores(50), "memory": gib(80)})),
        quota("test2", "cluster", maximum, Resources({"cpu": cores(40), "memory": gib(80)})),
    ]


def test_update_quota_request_steps() -> None:
    """TestGroupQuotaManager_UpdateQuotaRequest (and _UpdateQuotaDeltaRequest): three steps."""
    total = Resources({"cpu": cores(96), "memory": gib(160)})
    first = Resources({"cpu": cores(60), "memory": gib(100)})
    assert runtimes(_two_top_level(), {"test1": first}, total)["test1"] == first
    second = Resources({"cpu": cores(120), "memory": gib(200)})
    assert runtimes(_two_top_level(), {"test1": second}, total)["test1"] == total
    third = Resources({"cpu": cores(150), "memory": gib(210)})
    result = runtimes(_two_top_level(), {"test1": second, "test2": third}, total)
    # cpu: mins 50 + 40, the 6 spare cores split 96:96; memory: the mins take all 160Gi.
    assert result["test1"] == Resources({"cpu": cores(53), "memory": gib(80)})
    assert result["test2"] == Resources({"cpu": cores(43), "memory": gib(80)})


def test_not_allow_lent_resource() -> None:
    """TestGroupQuotaManager_NotAllowLentResource: a non-lending quota keeps its idle min."""
    nodes = [
        cluster(["test1", "test2"]),
        quota("test1", "cluster", pair(96, 0), pair(60, 0)),
        quota("test2", "cluster", pair(96, 0), pair(40, 0), lend=False),
    ]
    result = runtimes(nodes, {"test1": pair(120, 0)}, pair(100, 0))
    assert (result["test1"]["cpu"], result["test2"]["cpu"]) == (cores(60), cores(40))


def _lending_family(root_lends: bool, child2_lends: bool) -> list[QuotaNode]:
    return [
        quota(
            "test-root",
            None,
            pair(96, 0),
            pair(60, 0),
            lend=root_lends,
            children=["test-child1", "test-child2"],
        ),
        quota("test-child1", "test-root", pair(96, 0), pair(20, 0), lend=False),
        quota("test-child2", "test-root", pair(96, 0), pair(20, 0), lend=child2_lends),
    ]


@pytest.mark.parametrize(
    ("root_lends", "child2_lends", "expected"),
    [
        pytest.param(
            False,
            False,
            [(60, 20, 20), (60, 40, 20), (80, 60, 20)],
            id="TestGroupQuotaManager_NotAllowLentResource_2",
        ),
        pytest.param(
            True,
            True,
            [(20, 20, 0), (40, 40, 0), (60, 60, 0)],
            id="TestGroupQuotaManager_NotAllowLentResource_3",
        ),
        pytest.param(
            True,
            False,
            [(40, 20, 20), (60, 40, 20), (80, 60, 20)],
            id="TestGroupQuotaManager_NotAllowLentResource_4",
        ),
    ],
)
def test_not_allow_lent_resource_steps(
    root_lends: bool, child2_lends: bool, expected: list[tuple[int, int, int]]
) -> None:
    """Three steps each: no request, child1 asks 40 cores, then 60 cores; total 100 cores."""
    nodes = _lending_family(root_lends, child2_lends)
    for child1_request, (root, child1, child2) in zip((None, 40, 60), expected, strict=True):
        requests = {} if child1_request is None else {"test-child1": pair(child1_request, 0)}
        result = runtimes(nodes, requests, pair(100, 0))
        assert [result[name]["cpu"] for name in ("test-root", "test-child1", "test-child2")] == [
            cores(root),
            cores(child1),
            cores(child2),
        ]


def _chain(leaf_max: Resources, leaf_min: Resources) -> list[QuotaNode]:
    maximum = Resources({"cpu": cores(96), "memory": gib(160)})
    minimum = Resources({"cpu": cores(50), "memory": gib(80)})
    return [
        quota("test1", None, maximum, minimum, children=["test1-a"]),
        quota("test1-a", "test1", maximum, minimum, children=["a-123"]),
        quota("a-123", "test1-a", leaf_max, leaf_min),
    ]


def test_multi_update_quota_request() -> None:
    """TestGroupQuotaManager_MultiUpdateQuotaRequest: the request flows up limited by max."""
    total = Resources({"cpu": cores(96), "memory": gib(160)})
    request = Resources({"cpu": cores(96), "memory": gib(130)})
    minimum = Resources({"cpu": cores(50), "memory": gib(80)})
    result = runtimes(_chain(total, minimum), {"a-123": request}, total)
    assert [result[name] for name in ("a-123", "test1-a", "test1")] == [request] * 3
    # a-123's max shrinks to [64, 128Gi]: its runtime and its parent's request follow.
    smaller = Resources({"cpu": cores(64), "memory": gib(128)})
    tree = QuotaTree.from_nodes(_chain(smaller, minimum))
    assert runtime_quota(tree, {"a-123": request}, total)["a-123"] == smaller
    assert aggregate_requests(tree, {"a-123": request})["test1-a"] == smaller
    # ... and grows to [100, 200Gi] with min [90, 160Gi]: the full request comes back.
    larger = Resources({"cpu": cores(100), "memory": gib(200)})
    tree = QuotaTree.from_nodes(_chain(larger, Resources({"cpu": cores(90), "memory": gib(160)})))
    assert runtime_quota(tree, {"a-123": request}, total)["a-123"] == request
    assert aggregate_requests(tree, {"a-123": request})["test1-a"] == request


def test_multi_update_quota_request2() -> None:
    """TestGroupQuotaManager_MultiUpdateQuotaRequest2: request below min, between, above max."""
    total = Resources({"cpu": cores(96), "memory": gib(160)})
    nodes = [
        quota(
            "test1",
            None,
            total,
            Resources({"cpu": cores(80), "memory": gib(80)}),
            children=["test1-a"],
        ),
        quota(
            "test1-a",
            "test1",
            Resources({"cpu": cores(60), "memory": gib(80)}),
            Resources({"cpu": cores(50), "memory": gib(80)}),
            children=["a-123"],
        ),
        quota(
            "a-123",
            "test1-a",
            Resources({"cpu": cores(30), "memory": gib(60)}),
            Resources({"cpu": cores(20), "memory": gib(40)}),
        ),
    ]
    tree = QuotaTree.from_nodes(nodes)
    steps = [
        ((10, 30), (10, 30)),  # request < min
        ((25, 45), (25, 45)),  # min < request < max
        ((55, 75), (30, 60)),  # request > max
    ]
    for (cpu, memory), (limited_cpu, limited_memory) in steps:
        request = Resources({"cpu": cores(cpu), "memory": gib(memory)})
        limited = Resources({"cpu": cores(limited_cpu), "memory": gib(limited_memory)})
        result = runtime_quota(tree, {"a-123": request}, total)
        demand = aggregate_requests(tree, {"a-123": request})
        assert result["a-123"] == limited
        assert demand["test1-a"] == limited
        assert demand["test1"] == limited


def _scaled_family() -> list[QuotaNode]:
    large = Resources({"cpu": cores(1000), "memory": gib(1000)})
    return [
        quota("p", None, large, Resources({"cpu": cores(300), "memory": gib(300)}), children="abc"),
        *(
            quota(name, "p", large, Resources({"cpu": cores(100), "memory": gib(100)}))
            for name in "abc"
        ),
    ]


def test_multi_update_quota_request_with_scaled_min_quota1() -> None:
    """TestGroupQuotaManager_MultiUpdateQuotaRequest_WithScaledMinQuota1.

    Mins 3 × 100 on a 200 cluster scale to 66666m cpu and ⌊200Gi/3⌋ bytes each; the two
    units left go to the largest remainders, tied, so by name: a and b. Memory rounds on
    bytes, as upstream: a gets 200Gi/3 + 1 *bytes*.
    """
    request = Resources({"cpu": cores(200), "memory": gib(200)})
    requests = dict.fromkeys("abc", request)
    result = runtimes(
        _scaled_family(), requests, Resources({"cpu": cores(200), "memory": gib(200)})
    )
    assert result["p"] == Resources({"cpu": cores(200), "memory": gib(200)})
    third = Resources({"cpu": 66667, "memory": byte_(200 * _GIB // 3 + 1)})
    assert result["a"] == third
    assert result["b"] == third
    assert result["c"] == Resources({"cpu": 66666, "memory": byte_(200 * _GIB // 3)})
    # The cluster grows to 600: the original mins come back and everyone gets its request.
    result = runtimes(
        _scaled_family(), requests, Resources({"cpu": cores(600), "memory": gib(600)})
    )
    assert result["p"] == Resources({"cpu": cores(600), "memory": gib(600)})
    assert [result[name] for name in "abc"] == [request] * 3


def test_multi_update_quota_request_with_scaled_min_quota2() -> None:
    """TestGroupQuotaManager_MultiUpdateQuotaRequest_WithScaledMinQuota2: b asks nothing."""
    request = Resources({"cpu": cores(200), "memory": gib(200)})
    result = runtimes(
        _scaled_family(),
        {"a": request, "b": Resources({"cpu": 0, "memory": 0}), "c": request},
        Resources({"cpu": cores(200), "memory": gib(200)}),
    )
    assert result["p"] == Resources({"cpu": cores(200), "memory": gib(200)})
    assert result["a"] == Resources({"cpu": cores(100), "memory": gib(100)})
    assert result["b"] == Resources({"cpu": 0, "memory": 0})
    assert result["c"] == Resources({"cpu": cores(100), "memory": gib(100)})


def test_scaled_min_disabled_keeps_min_above_total() -> None:
    """Upstream rule (``GroupQuotaManager.scaleMinQuotaEnabled=false``): no min scaling.

    Not an upstream test case: the same family as the scaled-min tests, with scaling off,
    shows the documented consequence — p keeps its min 300 on a 200 cluster.
    """
    request = Resources({"cpu": cores(200), "memory": gib(200)})
    result = runtimes(
        _scaled_family(),
        dict.fromkeys("abc", request),
        Resources({"cpu": cores(200), "memory": gib(200)}),
        scale_min=False,
    )
    assert result["p"] == Resources({"cpu": cores(300), "memory": gib(300)})
    assert [result[name] for name in "abc"] == [
        Resources({"cpu": cores(100), "memory": gib(100)})
    ] * 3


# Two top-level quotas "1" and "2" (upstream ``createQuota``), memory in bytes like cpu in cores.
# Each step: (max1, min1, max2, min2, request1, request2, total, runtime1, runtime2); the
# requests are cumulative, as upstream adds each delta to the quota's request.
_TWO_QUOTA_STEPS = {
    "TestGroupQuotaManager_RefreshAndGetRuntimeQuota_UpdateQuota": [
        (40, 10, 40, 0, 0, 0, 50, 0, 0),  # case1: no request, no runtime
        (40, 10, 40, 0, 5, 5, 50, 5, 5),  # case4
        (40, 10, 40, 0, 30, 30, 50, 30, 20),  # case5: +25 each; 40 spare split 40:40
    ],
    "TestGroupQuotaManager_UpdateOneGroupMaxQuota_UpdateQuota": [
        (40, 10, 40, 10, 35, 35, 50, 25, 25),  # case1: min < req < max
        (30, 10, 30, 10, 35, 35, 50, 25, 25),  # case2: min < max < req
        (50, 10, 50, 10, 35, 35, 50, 25, 25),  # case3: max grows back
    ],
    "TestGroupQuotaManager_UpdateOneGroupMinQuota_UpdateQuota": [
        (40, 10, 40, 10, 15, 15, 50, 15, 15),  # case1: min < req < max
        (40, 15, 40, 15, 15, 15, 50, 15, 15),  # case2: req = min
        (40, 20, 40, 20, 15, 15, 50, 15, 15),  # case3: req < min
        (40, 5, 40, 5, 15, 15, 50, 15, 15),  # case4: min < req < max
        (40, 40, 40, 5, 115, 115, 50, 40, 10),  # case5: +100 each; min = max < req
    ],
    "TestGroupQuotaManager_DeleteOneGroup_UpdateQuota": [
        (0, 0, 40, 10, 0, 15, 50, 0, 15),  # quota 1 deleted: quota 2 keeps its request
    ],
}


@pytest.mark.parametrize(
    "steps", [pytest.param(steps, id=name) for name, steps in _TWO_QUOTA_STEPS.items()]
)
def test_two_top_level_quotas(steps: list[tuple[int, ...]]) -> None:
    for max1, min1, max2, min2, request1, request2, total, runtime1, runtime2 in steps:
        nodes = [
            cluster(["1", "2"]),
            quota("1", "cluster", pair(max1, max1), pair(min1, min1)),
            quota("2", "cluster", pair(max2, max2), pair(min2, min2)),
        ]
        requests = {"1": pair(request1, request1), "2": pair(request2, request2)}
        result = runtimes(nodes, requests, pair(total, total))
        assert (result["1"], result["2"]) == (pair(runtime1, runtime1), pair(runtime2, runtime2))


def test_multi_child_max_greater_parent_max() -> None:
    """TestGroupQuotaManager_MultiChildMaxGreaterParentMax: the parent's max caps the child."""
    nodes = [
        quota(
            "test1",
            None,
            Resources({"cpu": cores(300), "memory": gib(1024)}),
            Resources({"cpu": cores(176), "memory": gib(756)}),
            children=["test1-sub1"],
        ),
        quota(
            "test1-sub1",
            "test1",
            Resources({"cpu": cores(500), "memory": gib(2048)}),
            Resources({"cpu": cores(100), "memory": gib(512)}),
        ),
    ]
    tree = QuotaTree.from_nodes(nodes)
    total = Resources({"cpu": cores(350), "memory": gib(1800)})
    capped = Resources({"cpu": cores(300), "memory": gib(1024)})
    for cpu, memory in ((400, 1500), (800, 3000)):
        requests = {"test1-sub1": Resources({"cpu": cores(cpu), "memory": gib(memory)})}
        assert runtime_quota(tree, requests, total)["test1-sub1"] == capped


def test_multi_child_max_greater_parent_max_max_greater_than_total_res() -> None:
    """TestGroupQuotaManager_MultiChildMaxGreaterParentMax_MaxGreaterThanTotalRes."""
    nodes = [
        quota("test1", None, pair(600, 4096), pair(100, 100), children=["test1-sub1"]),
        quota("test1-sub1", "test1", pair(500, 2048), pair(100, 100)),
    ]
    tree = QuotaTree.from_nodes(nodes)
    requests = {"test1-sub1": pair(500, 4096)}
    result = runtime_quota(tree, requests, pair(300, 8000))
    assert result["test1-sub1"] == pair(300, 2048)
    assert result["test1"] == pair(300, 2048)
    assert aggregate_requests(tree, requests)["test1"] == pair(500, 2048)
