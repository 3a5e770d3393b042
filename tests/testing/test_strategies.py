"""The strategies produce only valid inputs, within the sizes asked."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.admission import QueueUnit
from invsched.errors import InvalidRequest
from invsched.placement import (
    Cluster,
    Fleet,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.quantity import parse_quantity
from invsched.quota import Profile, QuotaNode, QuotaTree, validate_tree
from invsched.resources import Resources
from invsched.testing import (
    clusters,
    fleets,
    placement_policies,
    quantity_texts,
    queue_units,
    quota_trees,
    resources,
    running_sets,
    workloads,
)

NAMES = ("cpu", "memory", "nvidia.com/gpu")

# Resources -----------------------------------------------------------------------------------


@given(resources(max_amount=5000, min_amount=100))
def test_resources_amounts_stay_in_range(amounts: Resources) -> None:
    assert set(amounts) <= set(NAMES)
    assert all(100 <= amount <= 5000 for amount in amounts.values())


@given(resources(("cpu", "example.com/fpga"), max_amount=7, require_all=True))
def test_resources_require_all_gives_every_name(amounts: Resources) -> None:
    assert sorted(amounts) == ["cpu", "example.com/fpga"]
    assert all(0 <= amount <= 7 for amount in amounts.values())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"min_amount": 5, "max_amount": 4}, "min_amount: 5 exceeds max_amount 4"),
        ({"max_amount": 1.5}, "max_amount: must be an int, got float"),
        (
            {"names": ("cpu", "cpu")},
            "names: must be distinct non-empty strings, got ('cpu', 'cpu')",
        ),
    ],
)
def test_resources_rejects_bad_bounds(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        resources(**arguments)  # type: ignore[arg-type]
    assert str(caught.value) == message


@given(quantity_texts())
def test_quantity_texts_parse(text: str) -> None:
    assert isinstance(parse_quantity(text), int)


# Quota trees ---------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", list(Profile), ids=lambda profile: profile.name)
@given(data=st.data())
def test_quota_trees_validate_under_their_profile(profile: Profile, data: st.DataObject) -> None:
    tree = data.draw(quota_trees(max_nodes=10, max_depth=3, profile=profile))
    assert validate_tree(tree, profile).violations == ()
    assert 1 <= len(tree) <= 10
    assert all(tree.depth(node.name) <= 3 for node in tree)


@given(quota_trees(max_nodes=1))
def test_quota_trees_respect_max_nodes_of_one(tree: QuotaTree) -> None:
    assert [node.name for node in tree] == ["root"]


@given(quota_trees(max_nodes=8, max_depth=0))
def test_quota_trees_of_depth_zero_are_a_root(tree: QuotaTree) -> None:
    assert len(tree) == 1


@given(quota_trees(resources=("cpu",)))
def test_quota_trees_use_only_the_resources_given(tree: QuotaTree) -> None:
    assert all(set(node.max) <= {"cpu"} and set(node.min) <= {"cpu"} for node in tree)


def test_quota_trees_reject_bad_sizes() -> None:
    @given(quota_trees(max_nodes=0))
    def draw(tree: QuotaTree) -> None:
        raise AssertionError(f"drew {tree}")

    with pytest.raises(InvalidRequest, match=r"^max_nodes: must be an int ≥ 1, got 0\n"):
        draw()


# Queue units and running sets ----------------------------------------------------------------


def reaches_a_leaf(tree: QuotaTree, namespace: str, quota: str | None) -> bool:
    name = quota if quota is not None else tree.quota_for_namespace(namespace)
    return name is not None and name in tree and not tree.node(name).children


@given(data=st.data())
def test_queue_units_reference_quotas_of_the_tree(data: st.DataObject) -> None:
    tree = data.draw(quota_trees(max_nodes=8))
    units = data.draw(queue_units(tree, max_units=8, strays=False))
    assert len(units) <= 8
    assert [unit.name for unit in units] == [f"p{index}" for index in range(len(units))]
    assert all(reaches_a_leaf(tree, unit.namespace, unit.quota) for unit in units)


def test_queue_units_with_strays_also_draw_units_without_a_leaf() -> None:
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", children=("a",)),
            QuotaNode(name="a", parent="root", namespaces=("ns-a",)),
        ]
    )
    seen: set[bool] = set()

    @given(queue_units(tree, max_units=20))
    def collect(units: tuple[QueueUnit, ...]) -> None:
        seen.update(reaches_a_leaf(tree, unit.namespace, unit.quota) for unit in units)

    collect()
    assert seen == {True, False}


@given(data=st.data())
def test_running_sets_fit_max_and_the_total(data: st.DataObject) -> None:
    tree = data.draw(quota_trees(max_nodes=8))
    total = data.draw(resources(require_all=True, max_amount=10_000))
    running = data.draw(running_sets(tree, total, max_units=8))
    assert [unit.name for unit in running] == sorted(
        (unit.name for unit in running), key=lambda name: int(name[1:])
    )
    used: dict[str, Resources] = {node.name: Resources() for node in tree}
    for unit in running:
        leaf = unit.quota if unit.quota is not None else tree.quota_for_namespace(unit.namespace)
        assert leaf is not None
        assert reaches_a_leaf(tree, unit.namespace, unit.quota)
        for name in tree.path(leaf):
            used[name] += unit.request
    for node in tree:
        assert used[node.name].fits_in(node.max, missing_is_unlimited=True)
    assert used[tree.root.name].fits_in(total)


# Placement -----------------------------------------------------------------------------------


def assert_fleet_is_consistent(fleet: Fleet) -> None:
    catalog = {item.name: item for item in fleet.catalog}
    assert len({cluster.name for cluster in fleet.clusters}) == len(fleet.clusters)
    for cluster in fleet.clusters:
        assert_cluster_is_consistent(cluster, catalog_names=set(catalog))
        for pool in cluster.pools:
            if pool.autoscaling:
                assert all(catalog[name].hourly_price is not None for name in pool.instance_types)
    for item in fleet.catalog:
        for cluster in fleet.clusters:
            assert 0 <= fleet.stock(cluster.region, item.name) <= 6


def assert_cluster_is_consistent(cluster: Cluster, *, catalog_names: set[str]) -> None:
    # ``attrs.evolve`` runs every validator again: the records construct.
    assert attrs.evolve(cluster) == cluster
    pools = {pool.name for pool in cluster.pools}
    assert len(pools) == len(cluster.pools)
    assert len({node.name for node in cluster.nodes}) == len(cluster.nodes)
    for pool in cluster.pools:
        assert set(pool.instance_types) <= catalog_names
        assert pool.max_nodes >= pool.current_nodes
    for node in cluster.nodes:
        assert node.pool is None or node.pool in pools
        assert node.requested.fits_in(node.allocatable)
        assert node.pods <= node.max_pods


@given(fleets(max_clusters=3, max_nodes=3))
def test_fleets_construct_and_are_self_consistent(fleet: Fleet) -> None:
    assert attrs.evolve(fleet) == fleet
    assert len(fleet.clusters) <= 3
    assert all(len(cluster.nodes) <= 3 for cluster in fleet.clusters)
    assert_fleet_is_consistent(fleet)


@given(fleets(autoscaling=True))
def test_fleets_can_force_autoscaling_pools(fleet: Fleet) -> None:
    assert all(pool.autoscaling for cluster in fleet.clusters for pool in cluster.pools)
    assert all(pool.headroom >= 1 for cluster in fleet.clusters for pool in cluster.pools)


@given(clusters(name="edge", region="far", max_nodes=2, max_pools=1))
def test_clusters_construct_and_are_self_consistent(cluster: Cluster) -> None:
    assert (cluster.name, cluster.region) == ("edge", "far")
    assert len(cluster.nodes) <= 2
    assert len(cluster.pools) <= 1
    # Without a catalog the pools name ``type<i>`` of a drawn one.
    names = {name for pool in cluster.pools for name in pool.instance_types}
    assert_cluster_is_consistent(cluster, catalog_names=names)


@given(workloads(max_replicas=5, gpu=True))
def test_workloads_construct_within_their_knobs(workload: Workload) -> None:
    assert attrs.evolve(workload) == workload
    assert 0 <= workload.replicas <= 5
    assert workload.request["nvidia.com/gpu"] in {1000, 2000}


@given(workloads(gpu=False))
def test_workloads_without_gpu(workload: Workload) -> None:
    assert "nvidia.com/gpu" not in workload.request


@given(placement_policies(cluster_names=("a", "b")))
def test_placement_policies_name_only_the_given_clusters(policy: PlacementPolicy) -> None:
    assert attrs.evolve(policy) == policy
    assert set(policy.cluster_names) <= {"a", "b"}
    assert set(policy.exclude) <= {"a", "b"}
    assert set(policy.static_weights) <= {"a", "b"}
    assert all(weight >= 1 for weight in policy.static_weights.values())


@given(
    placement_policies(ecs_provision=True, weight_preference=WeightPreference.AVAILABLE_REPLICAS)
)
def test_placement_policies_fix_the_fields_given(policy: PlacementPolicy) -> None:
    assert policy.ecs_provision
    assert policy.replica_scheduling is ReplicaSchedulingType.DIVIDED
    assert policy.weight_preference is WeightPreference.AVAILABLE_REPLICAS
