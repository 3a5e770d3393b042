"""QuotaTree / QuotaNode: construction, structural errors and lookups."""

from __future__ import annotations

import pickle

import pytest

from invsched import InvalidManifest, InvalidQuotaTree, InvalidRequest, InvschedError, Resources
from invsched._validators import render
from invsched.quota import (
    Profile,
    QuotaNode,
    QuotaTree,
    aggregate_requests,
    runtime_quota,
    validate_tree,
)
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


def test_queue_name_of_valid_names_is_the_joined_path() -> None:
    # Quota names are DNS-1123 subdomains, so koord-queue's lower-casing and separator
    # replacement change nothing; a "." stays.
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(name="root", children=("team-a",)),
            QuotaNode(name="team-a", parent="root", children=("x.y",)),
            QuotaNode(name="x.y", parent="team-a"),
        ]
    )
    assert tree.queue_name("x.y") == "root-team-a-x.y"


@pytest.mark.parametrize("name", ["Root", "team_A", "x/y", "a..b", "-a", "a-", "チーム", "a" * 254])
def test_names_kubernetes_would_reject_are_refused(name: str) -> None:
    with pytest.raises(InvalidManifest) as error:
        QuotaNode(name=name)
    assert str(error.value) == (
        "QuotaNode.name: must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, "
        f"'-' or '.', starting and ending with a letter or digit), got {render(name)}"
    )


def test_upper_and_lower_case_names_can_no_longer_share_a_queue() -> None:
    with pytest.raises(InvalidManifest, match=r"^QuotaNode.children\[0\]: must be a DNS-1123"):
        QuotaNode(name="root", children=("A", "a"))


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


_SUBDOMAIN = (
    "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' or '.', "
    "starting and ending with a letter or digit)"
)
_LABEL = (
    "must be a DNS-1123 label (at most 63 lower-case letters, digits or '-', "
    "starting and ending with a letter or digit)"
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "QuotaNode.name: expected a non-empty string, got ''"),
        ({"name": 3}, "QuotaNode.name: expected a non-empty string, got 3"),
        ({"name": "A"}, f"QuotaNode.name: {_SUBDOMAIN}, got 'A'"),
        (
            {"name": "a", "namespaces": ("ok", "")},
            "QuotaNode.namespaces[1]: expected a non-empty string, got ''",
        ),
        (
            {"name": "a", "namespaces": "team-a"},
            "QuotaNode.namespaces: expected a sequence of names, got the string 'team-a'",
        ),
        (
            {"name": "a", "namespaces": ("a.b",)},
            f"QuotaNode.namespaces[0]: {_LABEL}, got 'a.b'",
        ),
        (
            {"name": "a", "namespaces": ("x" * 64,)},
            f"QuotaNode.namespaces[0]: {_LABEL}, got '{'x' * 64}'",
        ),
        (
            {"name": "a", "namespaces": 3},
            "QuotaNode.namespaces: expected a sequence of names, got int",
        ),
        (
            {"name": "a", "children": "bc"},
            "QuotaNode.children: expected a sequence of names, got the string 'bc'",
        ),
        ({"name": "a", "children": ("b", "C")}, f"QuotaNode.children[1]: {_SUBDOMAIN}, got 'C'"),
        ({"name": "a", "parent": "P"}, f"QuotaNode.parent: {_SUBDOMAIN}, got 'P'"),
        ({"name": "a", "parent": ""}, "QuotaNode.parent: expected a non-empty string, got ''"),
        (
            {"name": "a", "min": {"cpu": 1}},
            "QuotaNode.min: expected Resources, got dict {'cpu': 1}",
        ),
        ({"name": "a", "max": None}, "QuotaNode.max: expected Resources, got NoneType None"),
        (
            {"name": "a", "shared_weight": 1},
            "QuotaNode.shared_weight: expected Resources, got int 1",
        ),
        ({"name": "a", "allow_lent": 1}, "allow_lent: expected a bool, got 1"),
    ],
)
def test_node_field_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidManifest) as error:
        QuotaNode(**kwargs)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_amounts_beyond_the_quantity_limit_are_refused() -> None:
    with pytest.raises(InvschedError) as error:
        QuotaNode(name="a", max=Resources({"cpu": 10**5000}))
    assert isinstance(error.value, ValueError)
    assert "an int of about 5001 digits" in str(error.value)
    # Negative amounts within the limit are kept: validation reports them.
    assert QuotaNode(name="a", min=Resources({"cpu": -(10**99)})).min["cpu"] == -(10**99)


def test_weight_defaults_to_max() -> None:
    node = QuotaNode(name="team", max=Resources({"cpu": 4000}))
    assert node.weight == Resources({"cpu": 4000})
    weighted = QuotaNode(
        name="team", max=Resources({"cpu": 4000}), shared_weight=Resources({"cpu": 1000})
    )
    assert weighted.weight == Resources({"cpu": 1000})


@pytest.mark.parametrize(
    "names", [("cluster", "total", "root"), ("a.b", "x-1", "0"), ("root.x", "root-x", "r")]
)
def test_names_that_look_like_sentinels_work_everywhere(names: tuple[str, str, str]) -> None:
    first, second, third = names
    tree = QuotaTree.from_nodes(
        [
            QuotaNode(
                name="top",
                min=Resources({"cpu": 2000}),
                max=Resources({"cpu": 10_000}),
                children=(first, second),
            ),
            QuotaNode(
                name=first,
                parent="top",
                min=Resources({"cpu": 2000}),
                max=Resources({"cpu": 10_000}),
                namespaces=(first.replace(".", "-"),),
            ),
            QuotaNode(
                name=second,
                parent="top",
                max=Resources({"cpu": 10_000}),
                children=(third,),
            ),
            QuotaNode(name=third, parent=second, max=Resources({"cpu": 10_000})),
        ]
    )
    assert [node.name for node in tree] == ["top", first, second, third]
    assert tree.path(third) == ("top", second, third)
    assert tree.queue_name(third) == f"top-{second}-{third}"
    assert tree.quota_for_namespace(first.replace(".", "-")) == first
    assert validate_tree(tree, Profile.STRICT, total=Resources({"cpu": 10_000})).violations == ()
    demand = {first: Resources({"cpu": 7000}), third: Resources({"cpu": 7000})}
    runtime = runtime_quota(tree, demand, {"cpu": 10_000})
    assert {name: amounts["cpu"] for name, amounts in runtime.items()} == {
        "top": 10_000,
        first: 6000,
        second: 4000,
        third: 4000,
    }
    limited = aggregate_requests(tree, demand)
    assert {name: amounts["cpu"] for name, amounts in limited.items()} == {
        "top": 10_000,
        first: 7000,
        second: 7000,
        third: 7000,
    }


@pytest.mark.parametrize("method", ["node", "parent", "children", "path", "queue_name", "depth"])
@pytest.mark.parametrize(
    "junk", [3, None, ["root"], b"root", 10**5000], ids=["int", "none", "list", "bytes", "huge"]
)
def test_lookups_of_junk_are_typed_errors(method: str, junk: object) -> None:
    with pytest.raises(InvalidRequest) as error:
        getattr(seed_tree(), method)(junk)
    assert str(error.value) == (
        f"name: expected a quota name (str), got {type(junk).__name__} {render(junk)}"
    )
    assert junk not in seed_tree()


@pytest.mark.parametrize("junk", [3, None, ["video"], {"video": 1}])
def test_namespace_lookup_of_junk_is_a_typed_error(junk: object) -> None:
    with pytest.raises(InvalidRequest) as error:
        seed_tree().quota_for_namespace(junk)  # type: ignore[arg-type]
    assert str(error.value) == (
        f"namespace: expected a namespace (str), got {type(junk).__name__} {render(junk)}"
    )


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        (3, "nodes: expected a sequence of QuotaNode, got int 3"),
        ("ab", "nodes: expected a sequence of QuotaNode, got str 'ab'"),
        ([QuotaNode(name="root"), "x"], "nodes[1]: expected a QuotaNode, got str 'x'"),
    ],
)
def test_tree_of_junk_is_a_typed_error(nodes: object, message: str) -> None:
    with pytest.raises(InvalidManifest) as error:
        QuotaTree.from_nodes(nodes)  # type: ignore[arg-type]
    assert str(error.value) == message
    with pytest.raises(InvalidManifest) as error:
        QuotaTree(nodes=nodes)
    assert str(error.value) == message


def test_many_roots_are_listed_briefly() -> None:
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes([QuotaNode(name=f"r{i}") for i in range(25)])
    assert error.value.violations == (
        "the tree must have exactly one root, found 25: "
        "['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'] and 15 more",
    )


def test_wide_tree_is_built_and_checked_once() -> None:
    # 10^4 children of one root: "does the parent list it?" is a set lookup, not a scan.
    width = 10_000
    names = tuple(f"q{i}" for i in range(width))
    nodes = [QuotaNode(name="root", children=names)]
    nodes += [QuotaNode(name=name, parent="root") for name in names]
    tree = QuotaTree.from_nodes(reversed(nodes))
    assert [node.name for node in tree][:3] == ["root", "q0", "q1"]
    assert len(tree.children("root")) == width
    assert QuotaTree(nodes=tree.nodes) == tree
    assert hash(QuotaTree(nodes=tree.nodes)) == hash(tree)


def test_a_child_listed_by_two_parents_is_named() -> None:
    # The fast consistency count sees one link too many; the exact pass names it.
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes(
            [
                QuotaNode(name="root", children=("p", "q")),
                QuotaNode(name="p", parent="root", children=("a",)),
                QuotaNode(name="q", parent="root", children=("a",)),
                QuotaNode(name="a", parent="p"),
            ]
        )
    assert error.value.violations == ("q: child 'a' names parent 'p'",)


def test_a_listed_root_is_named() -> None:
    with pytest.raises(InvalidQuotaTree) as error:
        QuotaTree.from_nodes(
            [
                QuotaNode(name="root", children=("a",)),
                QuotaNode(name="a", parent="root", children=("root",)),
            ]
        )
    assert error.value.violations == ("a: child 'root' names parent None",)
