"""Scale-in from what a stateless controller observes (``place(..., current=...)``).

The seed's second half: the Qwen3-8B Deployment runs 4 replicas, one on each of four
elastic A10 nodes bought earlier (two per cluster); the controller sees that snapshot, not
the placement it planned, and scaling to 2 must release one node in each cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.errors import InvalidRequest
from invsched.placement import (
    Fleet,
    InstanceType,
    Node,
    NodePool,
    NodeRelease,
    PlacementPolicy,
    place,
)
from invsched.placement.observed import ObservedNode
from invsched.resources import Resources
from tests.placement.test_seed_scenario import A10, POLICY, PRICE, QWEN3_8B, seed_fleet

POOL = "gpu-pool"
REQUEST = QWEN3_8B.request


def busy_node(
    name: str, replicas: int = 1, *, pool: str | None = POOL, other_pods: int = 0
) -> Node:
    """An A10 node running ``replicas`` of the workload (and maybe other pods)."""
    return Node(
        name=name,
        allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
        requested=REQUEST.scaled(replicas),
        pods=replicas + other_pods,
        pool=pool,
        labels={"node.kubernetes.io/instance-type": A10},
    )


def snapshot(nodes: Mapping[str, list[Node]], *, autoscaling: bool = True) -> Fleet:
    """The seed fleet with ``nodes`` per cluster, each pool grown by its nodes."""
    base = seed_fleet()
    clusters = []
    for cluster in base.clusters:
        members = nodes.get(cluster.name, [])
        pooled = sum(1 for node in members if node.pool == POOL)
        pool = NodePool(
            name=POOL,
            instance_types=[A10],
            current_nodes=pooled,
            max_nodes=10,
            autoscaling=autoscaling,
        )
        clusters.append(attrs.evolve(cluster, nodes=members, pools=[pool]))
    return attrs.evolve(base, clusters=clusters)


def release(cluster: str, nodes: int) -> NodeRelease:
    return NodeRelease(
        cluster=cluster, pool=POOL, instance_type=A10, nodes=nodes, hourly_savings=PRICE * nodes
    )


SEED_NODES = {
    "cluster1": [busy_node("c1-a"), busy_node("c1-b")],
    "cluster2": [busy_node("c2-a"), busy_node("c2-b")],
}
SEED_CURRENT = {"cluster1": {"c1-a": 1, "c1-b": 1}, "cluster2": {"c2-a": 1, "c2-b": 1}}


def test_seed_scale_to_two_from_the_snapshot_releases_one_node_in_each_cluster() -> None:
    fleet = snapshot(SEED_NODES)
    result = place(attrs.evolve(QWEN3_8B, replicas=2), POLICY, fleet, current=SEED_CURRENT)
    assert dict(result.replicas) == {"cluster1": 1, "cluster2": 1}
    assert result.provisioning == ()
    assert result.hourly_cost == Decimal(0)
    assert result.scale_in == (release("cluster1", 1), release("cluster2", 1))
    assert dict(result.reasons) == {}


def test_scale_to_one_empties_a_cluster_and_says_why() -> None:
    fleet = snapshot(SEED_NODES)
    result = place(attrs.evolve(QWEN3_8B, replicas=1), POLICY, fleet, current=SEED_CURRENT)
    # Equal nodes, equal clusters: the cluster with the most replicas left gives first,
    # ties by name, so cluster1 gives twice.
    assert dict(result.replicas) == {"cluster2": 1}
    assert result.scale_in == (release("cluster1", 2), release("cluster2", 1))
    assert dict(result.reasons) == {
        "cluster1": "scaled down: its 2 replicas were removed first "
        "(elastic capacity first, most expensive first)"
    }


def test_delete_from_the_snapshot_releases_every_node() -> None:
    fleet = snapshot(SEED_NODES)
    result = place(attrs.evolve(QWEN3_8B, replicas=0), POLICY, fleet, current=SEED_CURRENT)
    assert dict(result.replicas) == {}
    assert result.scale_in == (release("cluster1", 2), release("cluster2", 2))


def test_the_node_with_fewest_replicas_empties_first() -> None:
    nodes = {"cluster1": [busy_node("full", 2), busy_node("half", 1)]}
    current = {"cluster1": {"full": 2, "half": 1}}
    result = place(attrs.evolve(QWEN3_8B, replicas=2), POLICY, snapshot(nodes), current=current)
    assert dict(result.replicas) == {"cluster1": 2}
    assert result.scale_in == (release("cluster1", 1),)


def test_elastic_nodes_go_before_fixed_ones_and_busy_nodes_stay() -> None:
    nodes = {
        "cluster1": [busy_node("fixed", pool=None), busy_node("shared", other_pods=3)],
        "cluster2": [busy_node("elastic")],
    }
    current = {"cluster1": {"fixed": 1, "shared": 1}, "cluster2": {"elastic": 1}}
    fleet = snapshot(nodes)
    result = place(attrs.evolve(QWEN3_8B, replicas=1), POLICY, fleet, current=current)
    # Both elastic nodes lose their replica; only the one that runs nothing else is released.
    assert dict(result.replicas) == {"cluster1": 1}
    assert result.scale_in == (release("cluster2", 1),)


def test_the_most_expensive_elastic_node_goes_first() -> None:
    cheap = InstanceType(
        name="cheap-a10",
        allocatable=Resources.parse({"cpu": 16, "memory": "60Gi", "nvidia.com/gpu": 2}),
        gpu_model="NVIDIA A10",
        hourly_price=Decimal("1.00"),
    )
    cheap_node = attrs.evolve(
        busy_node("cheap"),
        pool="cheap-pool",
        labels={"node.kubernetes.io/instance-type": "cheap-a10"},
    )
    fleet = snapshot({"cluster1": [busy_node("dear")]})
    cluster2 = attrs.evolve(
        fleet.cluster("cluster2"),
        nodes=[cheap_node],
        pools=[
            *fleet.cluster("cluster2").pools,
            NodePool(name="cheap-pool", instance_types=["cheap-a10"], current_nodes=1, max_nodes=4),
        ],
    )
    fleet = attrs.evolve(
        fleet,
        clusters=[fleet.cluster("cluster1"), cluster2],
        catalog=(*fleet.catalog, cheap),
        inventory={**fleet.inventory, "cn-hangzhou": {A10: 10, "cheap-a10": 0}},
    )
    current = {"cluster1": {"dear": 1}, "cluster2": {"cheap": 1}}
    result = place(attrs.evolve(QWEN3_8B, replicas=1), POLICY, fleet, current=current)
    assert dict(result.replicas) == {"cluster2": 1}
    assert result.scale_in == (release("cluster1", 1),)


def test_without_ecs_provision_the_division_decides_and_emptied_nodes_are_released() -> None:
    policy = attrs.evolve(POLICY, ecs_provision=False)
    nodes = {
        "cluster1": [busy_node("c1-a"), busy_node("c1-b"), busy_node("c1-c")],
        "cluster2": [busy_node("c2-a")],
    }
    current = {"cluster1": {"c1-a": 1, "c1-b": 1, "c1-c": 1}, "cluster2": {"c2-a": 1}}
    result = place(attrs.evolve(QWEN3_8B, replicas=2), policy, snapshot(nodes), current=current)
    # Karmada scales down by the counts now (3 : 1), exactly as from a previous mapping;
    # the nodes that lose replicas are then chosen within each cluster.
    expected = place(
        attrs.evolve(QWEN3_8B, replicas=2),
        policy,
        snapshot(nodes),
        previous={"cluster1": 3, "cluster2": 1},
    )
    assert dict(result.replicas) == dict(expected.replicas)
    released = sum(item.nodes for item in result.scale_in)
    assert released == 2


def test_scale_up_from_the_snapshot_counts_what_runs() -> None:
    fleet = snapshot(SEED_NODES)
    result = place(attrs.evolve(QWEN3_8B, replicas=6), POLICY, fleet, current=SEED_CURRENT)
    assert dict(result.replicas) == {"cluster1": 3, "cluster2": 3}
    assert [(item.cluster, item.nodes) for item in result.provisioning] == [
        ("cluster1", 1),
        ("cluster2", 1),
    ]
    assert result.scale_in == ()


@pytest.mark.parametrize(
    ("current", "previous", "message"),
    [
        (
            {"cluster9": {"n": 1}},
            None,
            "current['cluster9']: no cluster of the fleet has that name",
        ),
        (
            {"cluster1": {"ghost": 1}},
            None,
            "current['cluster1']['ghost']: cluster cluster1 has no such node",
        ),
        (
            {"cluster1": {"c1-a": 2}},
            None,
            "current['cluster1']['c1-a']: 2 replicas on a node that runs 1 pods",
        ),
        (
            {"cluster1": {"c1-a": -1}},
            None,
            "current['cluster1']['c1-a']: must be ≥ 0, got -1",
        ),
        ({"cluster1": "c1-a"}, None, "current['cluster1']: expected a mapping, got str 'c1-a'"),
        (
            SEED_CURRENT,
            {"cluster1": 2},
            "current: give the previous placement or the current replicas, not both",
        ),
    ],
)
def test_bad_snapshots_are_typed_errors(
    current: object, previous: Mapping[str, int] | None, message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        place(
            QWEN3_8B,
            POLICY,
            snapshot(SEED_NODES),
            current=current,  # type: ignore[arg-type]
            previous=previous,
        )
    assert str(caught.value) == message


def test_clusters_outside_the_policy_keep_their_replicas_out_of_the_count() -> None:
    policy = PlacementPolicy(cluster_names=["cluster2"], ecs_provision=True)
    result = place(
        attrs.evolve(QWEN3_8B, replicas=1), policy, snapshot(SEED_NODES), current=SEED_CURRENT
    )
    assert dict(result.replicas) == {"cluster2": 1}
    assert result.scale_in == (release("cluster2", 1),)
    assert isinstance(result.reasons["cluster1"], str)


def test_provisioning_options_read_by_their_plain_names() -> None:
    from invsched.placement import provisioning_options

    fleet = seed_fleet()
    options = provisioning_options(fleet, REQUEST, list(fleet.clusters))
    assert options.fits == options.shapes
    assert [fit.name for fit in options.fits] == [A10]
    assert options.pools == options.offers
    assert [(pool.cluster, pool.pool, pool.headroom) for pool in options.pools] == [
        ("cluster1", POOL, 10),
        ("cluster2", POOL, 10),
    ]


def test_scale_down_time_does_not_grow_with_the_replicas_removed() -> None:
    """A node is emptied in one step: 10^15 replicas leave as fast as 10, with the same nodes
    released as the replica-by-replica order gives on small counts."""
    from invsched.placement.observed import ObservedNode, release_observed

    def nodes(scale: int) -> list[ObservedNode]:
        return [
            ObservedNode(
                cluster=cluster,
                name=name,
                replicas=replicas * scale,
                elastic=True,
                pool=POOL,
                instance_type=A10,
                price=Decimal(price),
                only_workload=True,
            )
            for cluster, name, replicas, price in (
                ("c1", "n1", 3, 2),
                ("c1", "n2", 1, 2),
                ("c2", "n3", 2, 3),
                ("c2", "n4", 5, 1),
            )
        ]

    small = release_observed(4, nodes(1), None)
    huge = release_observed(4 * 10**15, nodes(10**15), None)
    # The most expensive node empties first (n3), then c1's (fewest replicas first), then n4.
    assert small[0] == {"c2": 4}
    assert huge[0] == {"c2": 4 * 10**15}
    assert [(r.cluster, r.nodes, r.hourly_savings) for r in small[1]] == [
        ("c1", 2, Decimal(4)),
        ("c2", 1, Decimal(3)),
    ]
    assert huge[1] == small[1]


def _one_at_a_time(desired: int, nodes: list[ObservedNode], *, concentrate: bool) -> dict[str, int]:
    """The documented order applied literally: remove one replica at a time from the node
    whose removal_order key is smallest, recomputed over every node at every step."""
    from invsched.placement.observed import removal_order

    left = [node.replicas for node in nodes]
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.cluster] = counts.get(node.cluster, 0) + node.replicas
    for _ in range(sum(left) - desired):
        index = min(
            (i for i in range(len(nodes)) if left[i]),
            key=lambda i: removal_order(
                nodes[i], left[i], counts[nodes[i].cluster], concentrate=concentrate
            ),
        )
        left[index] -= 1
        counts[nodes[index].cluster] -= 1
    return {name: count for name, count in counts.items() if count}


def test_concentrating_takes_from_the_cluster_that_shrank_first() -> None:
    """Aggregated: once c1 (3 replicas) loses its 1-replica node it has 2 left, as many as
    c2, and its name comes first, so its next node goes before c2's."""
    from invsched.placement.observed import ObservedNode, release_observed

    def node(cluster: str, name: str, replicas: int) -> ObservedNode:
        return ObservedNode(
            cluster=cluster,
            name=name,
            replicas=replicas,
            elastic=True,
            pool=POOL,
            instance_type=A10,
            price=Decimal(2),
            only_workload=True,
        )

    nodes = [node("c1", "x", 1), node("c1", "y", 2), node("c2", "z", 2)]
    counts, released = release_observed(3, nodes, None, concentrate=True)
    assert counts == {"c1": 1, "c2": 2} == _one_at_a_time(3, nodes, concentrate=True)
    assert [(r.cluster, r.nodes) for r in released] == [("c1", 1)]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c3"]),
            st.integers(1, 4),
            st.booleans(),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
    st.data(),
)
def test_removal_follows_the_documented_order_replica_by_replica(
    specs: list[tuple[str, int, bool, int]], concentrate: bool, data: st.DataObject
) -> None:
    from invsched.placement.observed import ObservedNode, release_observed

    nodes = [
        ObservedNode(
            cluster=cluster,
            name=f"n{position}",
            replicas=replicas,
            elastic=elastic,
            pool=POOL if elastic else None,
            instance_type=A10,
            price=Decimal(price),
            only_workload=True,
        )
        for position, (cluster, replicas, elastic, price) in enumerate(specs)
    ]
    desired = data.draw(st.integers(0, sum(node.replicas for node in nodes) - 1))
    counts, _ = release_observed(desired, nodes, None, concentrate=concentrate)
    assert counts == _one_at_a_time(desired, nodes, concentrate=concentrate)
