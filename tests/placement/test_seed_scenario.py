"""The seed scenario of ACK One's inventory-aware elastic scheduling, as tests.

Two member clusters in two regions, each with an empty autoscaling pool of
``ecs.gn7i-c8g1.2xlarge`` (one 24 GiB NVIDIA A10); the ``vllm serve`` Qwen3-8B Deployment,
4 replicas of 1 GPU each, propagated with ``Divided`` + ``AvailableReplicas`` and
``autoScaling.ecsProvision: true``.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from invsched.errors import InsufficientReplicas
from invsched.placement import (
    Cluster,
    Fleet,
    NodePool,
    NodeProvision,
    NodeRelease,
    PlacementPolicy,
    Workload,
    load_catalog,
    place,
)
from invsched.resources import Resources
from invsched.testing import assert_placement_consistent

A10 = "ecs.gn7i-c8g1.2xlarge"
#: An illustrative hourly price: the packaged catalog carries none (see data/README.md).
PRICE = Decimal("9.74")

QWEN3_8B = Workload(
    name="qwen3-8b",
    replicas=4,
    # vllm serve Qwen3-8B: one GPU, with cpu and memory that fit the 8 vCPU / 30 GiB node.
    request=Resources.parse({"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": 1}),
    uid="4858ca61-3ff8-4095-8267-f3d059d8074c",
)
POLICY = PlacementPolicy(cluster_names=["cluster1", "cluster2"], ecs_provision=True)


def seed_fleet(stock1: int = 10, stock2: int = 10) -> Fleet:
    def cluster(name: str, region: str) -> Cluster:
        pool = NodePool(name="gpu-pool", instance_types=[A10], current_nodes=0, max_nodes=10)
        return Cluster(name=name, region=region, pools=[pool])

    return Fleet(
        clusters=[cluster("cluster1", "cn-beijing"), cluster("cluster2", "cn-hangzhou")],
        inventory={"cn-beijing": {A10: stock1}, "cn-hangzhou": {A10: stock2}},
        catalog=load_catalog({A10: PRICE}),
    )


def provision(cluster: str, nodes: int) -> NodeProvision:
    return NodeProvision(
        cluster=cluster,
        pool="gpu-pool",
        instance_type=A10,
        nodes=nodes,
        replicas=nodes,
        hourly_cost=PRICE * nodes,
    )


def test_four_replicas_on_two_empty_clusters_split_two_and_two() -> None:
    fleet = seed_fleet()
    result = place(QWEN3_8B, POLICY, fleet)
    assert dict(result.replicas) == {"cluster1": 2, "cluster2": 2}
    assert result.provisioning == (provision("cluster1", 2), provision("cluster2", 2))
    assert result.hourly_cost == Decimal("38.96")
    assert result.unplaced == 0
    assert result.scale_in == ()
    assert dict(result.reasons) == {}
    assert_placement_consistent(QWEN3_8B, POLICY, fleet, result)


def test_scale_down_to_two_keeps_one_each_and_releases_two_nodes() -> None:
    fleet = seed_fleet()
    first = place(QWEN3_8B, POLICY, fleet)
    smaller = attrs.evolve(QWEN3_8B, replicas=2)
    result = place(smaller, POLICY, fleet, previous=first)
    assert dict(result.replicas) == {"cluster1": 1, "cluster2": 1}
    assert result.provisioning == ()
    assert result.hourly_cost == Decimal(0)
    assert result.scale_in == (
        NodeRelease(
            cluster="cluster1", pool="gpu-pool", instance_type=A10, nodes=1, hourly_savings=PRICE
        ),
        NodeRelease(
            cluster="cluster2", pool="gpu-pool", instance_type=A10, nodes=1, hourly_savings=PRICE
        ),
    )
    assert_placement_consistent(smaller, POLICY, fleet, result, previous=first)


def test_delete_releases_every_node() -> None:
    fleet = seed_fleet()
    first = place(QWEN3_8B, POLICY, fleet)
    result = place(attrs.evolve(QWEN3_8B, replicas=0), POLICY, fleet, previous=first)
    assert dict(result.replicas) == {}
    assert sum(item.nodes for item in result.scale_in) == 4
    assert sum(item.hourly_savings for item in result.scale_in) == PRICE * 4


def test_one_region_out_of_stock_puts_all_four_in_the_other() -> None:
    fleet = seed_fleet(stock1=0)
    result = place(QWEN3_8B, POLICY, fleet)
    assert dict(result.replicas) == {"cluster2": 4}
    assert result.provisioning == (provision("cluster2", 4),)
    assert dict(result.reasons) == {
        "cluster1": f"no free capacity for one replica; region cn-beijing: no stock of {A10}"
    }
    assert_placement_consistent(QWEN3_8B, POLICY, fleet, result)


def test_stock_for_three_only_is_insufficient() -> None:
    with pytest.raises(InsufficientReplicas) as caught:
        place(QWEN3_8B, POLICY, seed_fleet(stock1=1, stock2=2))
    assert str(caught.value) == "Clusters available replicas 3 are not enough to schedule."


def test_stock_for_three_with_allow_partial_places_three_and_reports_one() -> None:
    fleet = seed_fleet(stock1=1, stock2=2)
    result = place(QWEN3_8B, POLICY, fleet, allow_partial=True)
    assert dict(result.replicas) == {"cluster1": 1, "cluster2": 2}
    assert result.unplaced == 1
    assert result.provisioning == (provision("cluster1", 1), provision("cluster2", 2))
    assert_placement_consistent(QWEN3_8B, POLICY, fleet, result, allow_partial=True)


def test_without_ecs_provision_nothing_fits_on_empty_pools() -> None:
    policy = attrs.evolve(POLICY, ecs_provision=False)
    with pytest.raises(InsufficientReplicas) as caught:
        place(QWEN3_8B, policy, seed_fleet())
    assert str(caught.value) == "Clusters available replicas 0 are not enough to schedule."
