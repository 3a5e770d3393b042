"""estimate_replicas and friends, reproducing Karmada's estimator tests case by case."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invsched.errors import InvalidRequest
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    estimate_node_replicas,
    estimate_replicas,
    provisionable_replicas,
    replicas_per_node,
)
from invsched.resources import Resources


def res(**amounts: str | int) -> Resources:
    return Resources.parse({k.replace("_", "/"): v for k, v in amounts.items()})


def machine(
    name: str,
    used_cpu: int,
    used_mem: int,
    pods: int,
    *,
    max_pods: int = 11,
    labels: dict[str, str] | None = None,
) -> Node:
    """testhelper.NewNode(8 cpu, 16 mem, max_pods pods) with pods requesting used_*."""
    return Node(
        name=name,
        allocatable=res(cpu=8, memory="16Gi"),
        requested=res(cpu=used_cpu, memory=f"{used_mem}Gi"),
        pods=pods,
        max_pods=max_pods,
        labels=labels or {},
    )


# karmada pkg/estimator/server/server_test.go,
# TestAccurateSchedulerEstimatorServer_MaxAvailableReplicas:
# machine1 runs pod1..pod3 (6 cpu, 10 mem), machine2 runs pod4, pod5 (5 cpu, 11 mem).
@pytest.mark.parametrize(
    ("nodes", "selector", "expected"),
    [
        pytest.param(
            [
                machine("machine1", 6, 10, 3),
                machine("machine2", 5, 11, 2),
                machine("machine3", 0, 0, 0),
            ],
            None,
            12,
            id="server_test.go/normal",
        ),
        pytest.param(
            [
                machine("machine1", 6, 10, 3, max_pods=4),
                machine("machine2", 5, 11, 2, max_pods=3),
                machine("machine3", 0, 0, 0),
            ],
            None,
            10,
            id="server_test.go/pod resource strict",
        ),
        pytest.param(
            [
                machine("machine1", 6, 10, 3, labels={"a": "1"}),
                machine("machine2", 5, 11, 2, labels={"a": "3", "b": "2"}),
                machine("machine3", 0, 0, 0),
            ],
            {"a": "3"},
            2,
            id="server_test.go/request with node selector",
        ),
    ],
)
def test_karmada_accurate_estimator_server(
    nodes: list[Node], selector: dict[str, str] | None, expected: int
) -> None:
    cluster = Cluster(name="fake", region="r", nodes=nodes)
    assert estimate_replicas(cluster, res(cpu=1, memory="2Gi"), node_selector=selector) == expected


def small_node(
    name: str,
    cpu: int,
    mem: str,
    *,
    labels: dict[str, str] | None = None,
    used: Resources | None = None,
    pods: int = 0,
) -> Node:
    return Node(
        name=name,
        allocatable=res(cpu=cpu, memory=mem),
        requested=used or Resources(),
        pods=pods,
        max_pods=10,
        labels=labels or {},
    )


# karmada pkg/estimator/server/framework/plugins/noderesource/noderesource_test.go,
# TestNodeResourceEstimator_EstimateComponents, the single-component single-replica cases.
@pytest.mark.parametrize(
    ("nodes", "request_", "selector", "expected"),
    [
        pytest.param(
            [small_node("node1", 4, "8Gi")],
            res(cpu=1, memory="1Gi"),
            None,
            4,
            id="noderesource_test.go/single component single replica fits in single node",
        ),
        pytest.param(
            [small_node("node1", 2, "2Gi")],
            res(cpu=3, memory="3Gi"),
            None,
            0,
            id="noderesource_test.go/insufficient resources",
        ),
        pytest.param(
            [small_node("node1", 4, "8Gi", used=res(cpu=1, memory="2Gi"), pods=1)],
            res(cpu=1, memory="2Gi"),
            None,
            3,
            id="noderesource_test.go/node with existing pods",
        ),
        pytest.param(
            [
                small_node("node1", 4, "8Gi", labels={"zone": "us-west"}),
                small_node("node2", 4, "8Gi", labels={"zone": "us-east"}),
            ],
            res(cpu=1, memory="1Gi"),
            {"zone": "us-west"},
            4,
            id="noderesource_test.go/node affinity constraints",
        ),
        pytest.param(
            [
                small_node("node1", 4, "8Gi", labels={"zone": "us-west"}),
                small_node("node2", 4, "8Gi", labels={"zone": "us-east"}),
            ],
            res(cpu=1, memory="1Gi"),
            {"zone": "us-south"},
            0,
            id="noderesource_test.go/no component match node affinity constraints",
        ),
    ],
)
def test_karmada_node_resource_estimator(
    nodes: list[Node], request_: Resources, selector: dict[str, str] | None, expected: int
) -> None:
    cluster = Cluster(name="fake", region="r", nodes=nodes)
    assert estimate_replicas(cluster, request_, node_selector=selector) == expected


# karmada pkg/estimator/client/general_test.go (ResourceSummary path): a cluster summary
# behaves as one node whose allocatable and allocated are the sums.
def summary(allocatable: Resources, allocated: Resources, pods: int) -> Node:
    """A ResourceSummary as one node: 100 pod slots, ``pods`` = allocated + allocating."""
    return Node(
        name="summary", allocatable=allocatable, requested=allocated, pods=pods, max_pods=100
    )


@pytest.mark.parametrize(
    ("node", "request_", "expected"),
    [
        pytest.param(
            summary(res(cpu=4, memory="8Gi"), res(cpu=1, memory="2Gi"), 20),
            res(cpu="500m", memory="1Gi"),
            6,
            id="general_test.go/enough resources",
        ),
        pytest.param(
            summary(res(cpu=4, memory="2Gi"), res(cpu=1, memory="1.5Gi"), 20),
            res(cpu="500m", memory="1Gi"),
            0,
            id="general_test.go/memory short",
        ),
        pytest.param(
            summary(res(cpu=4), Resources(), 40 + 10),
            Resources(),
            50,
            id="general_test.go/no requirements: pod slots only",
        ),
        pytest.param(
            summary(res(cpu=4), Resources(), 90 + 20),
            Resources(),
            0,
            id="general_test.go/pods exhausted",
        ),
    ],
)
def test_karmada_general_estimator_summary(node: Node, request_: Resources, expected: int) -> None:
    assert estimate_node_replicas(node, request_) == expected


def test_a_resource_the_node_lacks_gives_zero() -> None:
    node = small_node("cpu-only", 64, "256Gi")
    assert estimate_node_replicas(node, res(cpu=1, nvidia_com_gpu=1)) == 0


def test_zero_amounts_in_a_request_constrain_nothing() -> None:
    node = small_node("n", 4, "8Gi")
    assert estimate_node_replicas(node, Resources({"cpu": 1000, "nvidia.com/gpu": 0})) == 4


def test_overcommitted_node_holds_nothing() -> None:
    node = small_node("n", 4, "8Gi", used=res(cpu=6))
    assert estimate_node_replicas(node, res(cpu=1)) == 0


def test_empty_cluster_holds_nothing() -> None:
    assert estimate_replicas(Cluster(name="c", region="r"), res(cpu=1)) == 0


def test_negative_request_is_rejected_with_its_field() -> None:
    with pytest.raises(InvalidRequest) as caught:
        estimate_replicas(Cluster(name="c", region="r"), Resources({"cpu": -1}))
    assert str(caught.value) == "request.cpu: must be ≥ 0, got -1"


def test_request_must_be_resources() -> None:
    with pytest.raises(InvalidRequest) as caught:
        estimate_replicas(Cluster(name="c", region="r"), {"cpu": 1})  # type: ignore[arg-type]
    assert str(caught.value) == "request: expected Resources, got dict {'cpu': 1}"


A10 = InstanceType(
    name="a10",
    allocatable=res(cpu=8, memory="30Gi", nvidia_com_gpu=1),
    hourly_price=Decimal("9.74"),
)
QUAD = InstanceType(
    name="quad",
    allocatable=res(cpu=32, memory="128Gi", nvidia_com_gpu=4),
    hourly_price=Decimal("36.5"),
)


def test_replicas_per_node_of_an_instance_type() -> None:
    assert replicas_per_node(A10, res(cpu=4, memory="24Gi", nvidia_com_gpu=1)) == 1
    assert replicas_per_node(QUAD, res(cpu=4, memory="24Gi", nvidia_com_gpu=1)) == 4
    assert replicas_per_node(QUAD, res(cpu="100m")) == 110  # pod slots of a new node
    assert replicas_per_node(A10, res(cpu=4, memory="31Gi")) == 0


def test_provisionable_replicas_bounded_by_pool_headroom_and_regional_stock() -> None:
    pools = [
        NodePool(name="small", instance_types=["a10"], current_nodes=2, max_nodes=5),
        NodePool(name="big", instance_types=["quad"], current_nodes=0, max_nodes=1),
        NodePool(name="off", instance_types=["quad"], max_nodes=9, autoscaling=False),
    ]
    cluster = Cluster(name="c", region="r", pools=pools)
    fleet = Fleet(clusters=[cluster], inventory={"r": {"a10": 2, "quad": 5}}, catalog=[A10, QUAD])
    request = res(nvidia_com_gpu=1)
    # small: headroom 3 but stock 2 → 2 nodes × 1; big: 1 node × 4; off: nothing.
    assert provisionable_replicas(cluster, fleet, request) == 6
    other_region = Cluster(name="c", region="elsewhere", pools=pools)
    fleet2 = Fleet(clusters=[other_region], inventory={"r": {"a10": 2}}, catalog=[A10, QUAD])
    assert provisionable_replicas(other_region, fleet2, request) == 0
