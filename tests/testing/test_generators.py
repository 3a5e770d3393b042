"""The seeded generators: deterministic for a seed, sized as asked, valid records."""

from __future__ import annotations

import attrs
import pytest

from invsched.errors import InvalidRequest
from invsched.quantity import parse_quantity
from invsched.quota import Profile, validate_tree
from invsched.testing import (
    generate_fleet,
    generate_quantity_texts,
    generate_queue,
    generate_tree,
)

# Trees ---------------------------------------------------------------------------------------


def test_generate_tree_is_deterministic_for_a_seed() -> None:
    assert generate_tree(50, 3, seed=1) == generate_tree(50, 3, seed=1)
    assert generate_tree(50, 3, seed=1) != generate_tree(50, 3, seed=2)


@pytest.mark.parametrize(
    ("n_leaves", "depth", "size"),
    [(1, 0, 1), (1, 1, 2), (10, 1, 11), (100, 2, 111), (1000, 4, 1201), (7, 3, 14)],
)
def test_generate_tree_has_the_leaves_and_depth_asked(n_leaves: int, depth: int, size: int) -> None:
    tree = generate_tree(n_leaves, depth, seed=3)
    assert len(tree.leaves) == n_leaves
    assert {tree.depth(leaf.name) for leaf in tree.leaves} == {depth}
    assert len(tree) == size


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("profile", [Profile.KOORDINATOR, Profile.STRICT])
def test_generate_tree_validates(seed: int, profile: Profile) -> None:
    report = validate_tree(generate_tree(200, 3, seed=seed), profile)
    assert report.violations == ()


def test_generate_tree_gives_every_leaf_one_namespace() -> None:
    tree = generate_tree(30, 2, seed=4)
    namespaces = [leaf.namespaces for leaf in tree.leaves]
    assert all(len(names) == 1 for names in namespaces)
    assert len({names[0] for names in namespaces}) == 30
    assert all(tree.quota_for_namespace(leaf.namespaces[0]) == leaf.name for leaf in tree.leaves)


@pytest.mark.parametrize(
    ("n_leaves", "depth", "message"),
    [
        (0, 2, "n_leaves: must be an int ≥ 1, got 0"),
        (True, 2, "n_leaves: must be an int ≥ 1, got True"),
        (5, 0, "depth: must be an int ≥ 1 (0 only for one leaf), got 0"),
        (5, -1, "depth: must be an int ≥ 1 (0 only for one leaf), got -1"),
    ],
)
def test_generate_tree_rejects_bad_sizes(n_leaves: int, depth: int, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        generate_tree(n_leaves, depth, seed=0)
    assert str(caught.value) == message


# Queues --------------------------------------------------------------------------------------

TREE = generate_tree(20, 2, seed=5)


def test_generate_queue_is_deterministic_for_a_seed() -> None:
    assert generate_queue(TREE, 200, seed=1) == generate_queue(TREE, 200, seed=1)
    assert generate_queue(TREE, 200, seed=1) != generate_queue(TREE, 200, seed=2)


@pytest.mark.parametrize("n_units", [0, 1, 1000])
def test_generate_queue_has_the_units_asked(n_units: int) -> None:
    queue = generate_queue(TREE, n_units, seed=6)
    assert len(queue) == n_units
    assert [unit.name for unit in queue] == [f"job-{index}" for index in range(n_units)]


def test_generate_queue_units_reach_leaves_and_request_the_root_resources() -> None:
    leaves = {leaf.name for leaf in TREE.leaves}
    for unit in generate_queue(TREE, 500, seed=7):
        assert unit.quota is None
        assert TREE.quota_for_namespace(unit.namespace) in leaves
        assert set(unit.request) <= set(TREE.root.max)
        assert unit.request["cpu"] >= 1000


def test_generate_queue_rejects_a_negative_size() -> None:
    with pytest.raises(ValueError, match=r"^n_units must be an int >= 0, got -1$"):
        generate_queue(TREE, -1, seed=0)


# Fleets --------------------------------------------------------------------------------------


def test_generate_fleet_is_deterministic_for_a_seed() -> None:
    assert generate_fleet(20, 10, seed=1) == generate_fleet(20, 10, seed=1)
    assert generate_fleet(20, 10, seed=1) != generate_fleet(20, 10, seed=2)


@pytest.mark.parametrize(("n_clusters", "nodes_per_cluster"), [(0, 5), (1, 0), (3, 7), (50, 20)])
def test_generate_fleet_has_the_sizes_asked(n_clusters: int, nodes_per_cluster: int) -> None:
    fleet = generate_fleet(n_clusters, nodes_per_cluster, seed=8)
    assert len(fleet.clusters) == n_clusters
    assert [len(cluster.nodes) for cluster in fleet.clusters] == [nodes_per_cluster] * n_clusters
    assert len({cluster.name for cluster in fleet.clusters}) == n_clusters


def test_generate_fleet_records_construct_again() -> None:
    # ``attrs.evolve`` runs every validator again, the fleet's cross-checks included.
    fleet = generate_fleet(10, 12, seed=9)
    assert attrs.evolve(fleet) == fleet
    for cluster in fleet.clusters:
        assert attrs.evolve(cluster) == cluster
        assert all(attrs.evolve(node) == node for node in cluster.nodes)
        assert all(attrs.evolve(pool) == pool for pool in cluster.pools)


def test_generate_fleet_is_self_consistent() -> None:
    fleet = generate_fleet(30, 8, seed=10)
    catalog = {item.name for item in fleet.catalog}
    for cluster in fleet.clusters:
        pools = {pool.name: pool for pool in cluster.pools}
        for pool in cluster.pools:
            assert pool.autoscaling
            assert set(pool.instance_types) <= catalog
            assert pool.max_nodes >= pool.current_nodes
            assert pool.current_nodes == sum(node.pool == pool.name for node in cluster.nodes)
        for node in cluster.nodes:
            assert node.pool in pools
            assert node.requested.fits_in(node.allocatable)
            assert node.pods <= node.max_pods
        for name in catalog:
            assert 0 <= fleet.stock(cluster.region, name) <= 40


@pytest.mark.parametrize(
    ("n_clusters", "nodes_per_cluster", "message"),
    [
        (-1, 5, "n_clusters: must be an int ≥ 0, got -1"),
        (2, 1.5, "nodes_per_cluster: must be an int ≥ 0, got 1.5"),
    ],
)
def test_generate_fleet_rejects_bad_sizes(
    n_clusters: int, nodes_per_cluster: int, message: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        generate_fleet(n_clusters, nodes_per_cluster, seed=0)
    assert str(caught.value) == message


# Quantity texts ------------------------------------------------------------------------------


def test_generate_quantity_texts_is_deterministic_and_parses() -> None:
    texts = generate_quantity_texts(2000, seed=11)
    assert texts == generate_quantity_texts(2000, seed=11)
    assert texts != generate_quantity_texts(2000, seed=12)
    assert len(texts) == 2000
    assert all(parse_quantity(text) >= 0 for text in texts)
