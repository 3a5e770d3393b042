"""QuotaTree / QuotaNode: construction, structural errors and lookups."""

from __future__ import annotations

import pickle

import pytest

from invsched import InvalidManifest, InvalidQuotaTree, Resources
from invsched.quota import QuotaNode, QuotaTree
from tests.quota.seed import seed_tree


def _chain(depth: int) -> list[QuotaNode]:
    names = [f"q{i}" for i in range(depth)]
    return [
        QuotaNode(
            name=name,
            parent=names[i - 1] if i else None,
            children=(names[i + 1],) if i + 1 < depth else (),
        )
        for i, name in enumerate(names)
    ]


def test_seed_tree_lookups() -> None:
    tree = seed_tree()
    assert [node.name for node in tree] == [
        "root",
        "devops",
        "algorithm",
        "text",
        "video",
        "infrastructure",
        "test",
    ]
    assert tree.path("video") == ("root", "algorithm", "video")
    assert tree.parent("video") == tree.node("algorithm")
    assert tree.parent("root") is None
    assert [leaf.name for leaf in tree.leaves] == ["devops", "text", "video", "test"]
    assert tree.quota_for_namespace("text2") == "text"
    assert tree.quota_for_namespace("nowhere") is None
    assert tree.queue_name("video") == "root-algorithm-video"
    assert tree.queue_name("root") == "root"
    assert tree.depth("test") == 2
    assert tree.node("video").min == Resources.parse(
        {"cpu": 12, "memory": "12Gi", "nvidia.com/gpu": 2}
    )
    assert "video" in tree
    assert len(tree) == 7


def test_queue_name_lowercases_and_replaces_separators() -> None:
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="Root", children=("team_A",)),
            QuotaNode(name="team_A", parent="Root", children=("x/y",)),
            QuotaNode(name="x/y", parent="team_A"),
        ]
    )
    assert tree.queue_name("x/y") == "root-team-a-x-y"


def test_from_nodes_puts_nodes_in_pre_order() -> None:
    nodes = [
        QuotaNode(name="b", parent="root"),
        QuotaNode(name="a1", parent="a"),
        QuotaNode(name="root", children=("a", "b")),
        QuotaNode(name="a", parent="root", children=("a1",)),
    ]
    assert [node.name for node in QuotaTree.from_nodes(nodes)] == ["root", "a", "a1", "b"]


def test_constructor_rejects_nodes_out_of_pre_order() -> None:
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree(
            nodes=(QuotaNode(name="a", parent="root"), QuotaNode(name="root", children=("a",)))
        )
    assert str(error.value) == (
        "invalid quota tree (1 violation): nodes must be in pre-order; use QuotaTree.from_nodes"
    )


def test_structural_defects_are_all_reported() -> None:
    nodes = [
        QuotaNode(name="root", children=("a", "ghost")),
        QuotaNode(name="a", parent="root"),
        QuotaNode(name="a", parent="root"),
        QuotaNode(name="orphan", parent="missing"),
    ]
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes(nodes)
    assert error.value.violations == (
        "a: duplicate quota name",
        "root: child 'ghost' does not exist",
        "orphan: parent 'missing' does not exist",
    )


def test_two_roots_and_a_cycle() -> None:
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes([QuotaNode(name="r1"), QuotaNode(name="r2")])
    assert error.value.violations == ("the tree must have exactly one root, found 2: ['r1', 'r2']",)
    cycle = [
        QuotaNode(name="root"),
        QuotaNode(name="x", parent="y", children=("y",)),
        QuotaNode(name="y", parent="x", children=("x",)),
    ]
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes(cycle)
    assert error.value.violations == ("quotas ['x', 'y'] form a cycle unreachable from the root",)


def test_child_link_must_match_parent_link() -> None:
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes(
            [QuotaNode(name="root", children=("a",)), QuotaNode(name="a", parent=None)]
        )
    assert "a: child" not in str(error.value)
    assert error.value.violations == (
        "the tree must have exactly one root, found 2: ['root', 'a']",
        "root: child 'a' names parent None",
    )


def test_unknown_node_lookup_is_a_typed_error() -> None:
    with pytest.raises(InvalidQuotaTree, match=r"'nope': no such quota"):
        seed_tree().node("nope")
    with pytest.raises(ValueError, match="no such quota"):
        seed_tree().path("nope")


def test_deep_chain_builds_compares_hashes_and_walks_without_recursion() -> None:
    depth = 10_000
    tree = QuotaTree.from_nodes(reversed(_chain(depth)))
    assert tree.depth(f"q{depth - 1}") == depth - 1
    assert tree.queue_name("q2") == "q0-q1-q2"
    assert tree == QuotaTree.from_nodes(_chain(depth))
    assert hash(tree) == hash(QuotaTree.from_nodes(_chain(depth)))
    assert [leaf.name for leaf in tree.leaves] == [f"q{depth - 1}"]


def test_tree_pickles_and_stays_equal() -> None:
    tree = seed_tree()
    clone = pickle.loads(pickle.dumps(tree))
    assert clone == tree
    assert clone.quota_for_namespace("video") == "video"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "name: a quota name must be a non-empty string, got ''"),
        ({"name": 3}, "name: a quota name must be a non-empty string, got 3"),
        (
            {"name": "a", "namespaces": ("ok", "")},
            "namespaces[1]: expected a non-empty string, got ''",
        ),
        ({"name": "a", "allow_lent": 1}, "allow_lent: expected a bool, got 1"),
    ],
)
def test_node_field_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidManifest) as error:
        QuotaNode(**kwargs)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_weight_defaults_to_max_and_unicode_names_work() -> None:
    node = QuotaNode(
        name="チーム",
        max=Resources({"cpu": 4000}),
        shared_weight=Resources({"cpu": 1000}),
        namespaces=("名前空間",),
    )
    assert node.weight == Resources({"cpu": 1000})
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="根", children=("チーム",)),
            node.__class__(name="チーム", parent="根", namespaces=("名前空間",)),
        ]
    )
    assert tree.quota_for_namespace("名前空間") == "チーム"
    assert tree.queue_name("チーム") == "根-チーム"
