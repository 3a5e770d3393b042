"""ElasticQuotaTree manifests: the seed loads as is; bad input gets typed errors with paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import invsched
from invsched import InvalidManifest, InvalidQuantity, InvalidQuotaTree, Resources
from invsched.quota import QuotaTree
from tests.quota.seed import EXAMPLE, seed_tree

GPU = "nvidia.com/gpu"


def _manifest(root: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "scheduling.sigs.k8s.io/v1beta1",
        "kind": "ElasticQuotaTree",
        "metadata": {"name": "elasticquotatree", "namespace": "kube-system"},
        "spec": {"root": root},
    }


def _seed_root() -> dict[str, Any]:
    import yaml

    documents = list(yaml.safe_load_all(EXAMPLE.read_text(encoding="utf-8")))
    assert [d["kind"] for d in documents] == ["Namespace"] * 6 + ["ElasticQuotaTree"]
    root: dict[str, Any] = documents[-1]["spec"]["root"]
    return root


def test_seed_manifest_values() -> None:
    tree = seed_tree()
    root = tree.node("root")
    assert (
        root.min
        == root.max
        == Resources({"cpu": 100_000, "memory": 50 * 1024**3 * 1000, GPU: 16_000})
    )
    text = tree.node("text")
    assert text.namespaces == ("text1", "text2")
    assert text.max == Resources({"cpu": 40_000, "memory": 30 * 1024**3 * 1000, GPU: 10_000})
    assert text.shared_weight is None
    assert text.allow_lent is True
    assert tree.node("algorithm").children == ("text", "video")


def test_extensions_shared_weight_and_allow_lent() -> None:
    tree = QuotaTree.from_manifest(
        _manifest(
            {
                "name": "root",
                "children": [
                    {"name": "a", "sharedWeight": {"cpu": "2"}, "allowLentResource": False},
                    {"name": "b", "min": None, "max": None, "namespaces": None, "children": None},
                ],
            }
        )
    )
    assert tree.node("a").shared_weight == Resources({"cpu": 2000})
    assert tree.node("a").allow_lent is False
    assert tree.node("b").min == Resources()


def _set(root: dict[str, Any], path: list[Any], value: Any) -> None:
    target: Any = root
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "error", "message"),
    [
        (
            ["children", 1, "min", "cpu"],
            "12x",
            InvalidQuantity,
            "spec.root.children[1].min.cpu: invalid quantity '12x': "
            "unexpected character 'x' at position 2",
        ),
        (
            ["children", 1, "children", 0, "max", "memory"],
            "1.5.Gi",
            InvalidQuantity,
            "spec.root.children[1].children[0].max.memory: invalid quantity '1.5.Gi': "
            "unexpected character '.' at position 3",
        ),
        (
            ["children", 0, "max", GPU],
            True,
            InvalidQuantity,
            "spec.root.children[0].max.nvidia.com/gpu: invalid quantity True: "
            "expected a string or an int, got bool",
        ),
        (
            ["children", 0, "max", "cpu"],
            2.5,
            InvalidQuantity,
            "spec.root.children[0].max.cpu: invalid quantity 2.5: "
            "expected a string or an int, got float",
        ),
        (
            ["children", 2, "name"],
            7,
            InvalidManifest,
            "spec.root.children[2].name: expected a non-empty string, got 7",
        ),
        (
            ["children", 2, "name"],
            "Infrastructure",
            InvalidManifest,
            "spec.root.children[2].name: must be a DNS-1123 subdomain (at most 253 lower-case "
            "letters, digits, '-' or '.', starting and ending with a letter or digit), "
            "got 'Infrastructure'",
        ),
        (
            ["children", 1, "children", 0, "namespaces", 1],
            "text_2",
            InvalidManifest,
            "spec.root.children[1].children[0].namespaces[1]: must be a DNS-1123 label (at most "
            "63 lower-case letters, digits or '-', starting and ending with a letter or digit), "
            "got 'text_2'",
        ),
        pytest.param(
            ["children", 0, "max", "cpu"],
            10**5000,
            InvalidQuantity,
            "spec.root.children[0].max.cpu: invalid quantity an int of about 5001 digits: "
            "exceeds the supported range of 100 digits",
            id="huge-int",
        ),
        (
            ["children", 1, "children", 1, "name"],
            "devops",
            InvalidManifest,
            "spec.root.children[1].children[1].name: duplicate quota name 'devops' "
            "(first at spec.root.children[0].name)",
        ),
        (
            ["children", 0, "min"],
            ["cpu", 1],
            InvalidManifest,
            "spec.root.children[0].min: expected a mapping of quantities, got list",
        ),
        (
            ["children", 0, "namespaces"],
            "devops",
            InvalidManifest,
            "spec.root.children[0].namespaces: expected a list of strings, got str",
        ),
        (
            ["children", 0, "namespaces", 0],
            3,
            InvalidManifest,
            "spec.root.children[0].namespaces[0]: expected a non-empty string, got 3",
        ),
        (
            ["children", 1, "children"],
            {"name": "x"},
            InvalidManifest,
            "spec.root.children[1].children: expected a list of nodes, got dict",
        ),
        (
            ["children", 1, "children", 0],
            "text",
            InvalidManifest,
            "spec.root.children[1].children[0]: expected a mapping, got str",
        ),
        (
            ["children", 0, "mins"],
            {"cpu": 1},
            InvalidManifest,
            "spec.root.children[0].mins: unknown field (allowed: allowLentResource, children, "
            "max, min, name, namespaces, sharedWeight)",
        ),
        (
            ["children", 0, "allowLentResource"],
            "false",
            InvalidManifest,
            "spec.root.children[0].allowLentResource: expected a bool, got str",
        ),
        (
            ["max", "cpu"],
            "1e999",
            InvalidQuantity,
            "spec.root.max.cpu: invalid quantity '1e999': exceeds the supported range of "
            "100 digits",
        ),
    ],
)
def test_bad_fields_name_their_path(
    path: list[Any], value: Any, error: type[Exception], message: str
) -> None:
    root = _seed_root()
    pristine = copy.deepcopy(root)
    broken = copy.deepcopy(root)
    _set(broken, path, value)
    with pytest.raises(error) as raised:
        QuotaTree.from_manifest(_manifest(broken))
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)
    assert root == pristine


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a mapping, got list"),
        (
            {"kind": "ElasticQuota", "spec": {}},
            "kind: expected 'ElasticQuotaTree', got 'ElasticQuota'",
        ),
        (
            {"kind": "ElasticQuotaTree", "apiVersion": "v1", "spec": {}},
            "apiVersion: expected 'scheduling.sigs.k8s.io/<version>', got 'v1'",
        ),
        ({"kind": "ElasticQuotaTree", "spec": None}, "spec: expected a mapping, got null"),
        ({"kind": "ElasticQuotaTree", "spec": {}}, "spec.root: required field is missing"),
        (
            {"kind": "ElasticQuotaTree", "spec": {"root": None}},
            "spec.root: expected a mapping, got null",
        ),
    ],
)
def test_document_level_errors(document: Any, message: str) -> None:
    with pytest.raises(InvalidManifest) as raised:
        QuotaTree.from_manifest(document)
    assert str(raised.value) == message


def test_huge_quantity_is_exact() -> None:
    tree = QuotaTree.from_manifest(_manifest({"name": "root", "max": {"cpu": "1e30"}}))
    assert tree.root.max["cpu"] == 10**33


def test_negative_amount_loads_and_is_reported_by_validation() -> None:
    from invsched.quota import Rule, validate_tree

    tree = QuotaTree.from_manifest(
        _manifest({"name": "root", "min": {"cpu": "-1"}, "max": {"cpu": 2}})
    )
    report = validate_tree(tree)
    assert [(v.rule, v.node, v.resource, v.message) for v in report.violations] == [
        (Rule.NEGATIVE_AMOUNT, "root", "cpu", "root: min cpu=-1 is negative")
    ]


def test_ten_thousand_deep_manifest() -> None:
    depth = 10_000
    root: dict[str, Any] = {"name": "q0", "max": {"cpu": 1}}
    node = root
    for index in range(1, depth):
        child: dict[str, Any] = {"name": f"q{index}", "max": {"cpu": 1}}
        node["children"] = [child]
        node = child
    node["namespaces"] = ["deep"]
    tree = QuotaTree.from_manifest(_manifest(root))
    assert len(tree) == depth
    assert tree.quota_for_namespace("deep") == f"q{depth - 1}"


def test_duplicate_name_through_from_nodes_is_quota_tree_error() -> None:
    # The manifest reader reports the path; the record constructor lists the defect.
    from invsched.quota import QuotaNode

    nodes = [QuotaNode(name="r", children=("a", "a")), QuotaNode(name="a", parent="r")]
    with pytest.raises(InvalidQuotaTree) as raised:
        QuotaTree.from_nodes(nodes)
    assert raised.value.violations == ("r: child 'a' listed twice",)


def test_the_reader_returns_nodes_and_the_tree_builds_from_them() -> None:
    # The reader depends on quota/node.py only; QuotaTree.from_manifest builds on it.
    from invsched.quota import elasticquotatree, node, tree

    document = _manifest({"name": "root", "children": [{"name": "a", "namespaces": ["team-a"]}]})
    nodes = elasticquotatree.nodes_from_manifest(document)
    assert [(n.name, n.parent, n.children) for n in nodes] == [
        ("root", None, ("a",)),
        ("a", "root", ()),
    ]
    assert QuotaTree.from_manifest(document) == QuotaTree.from_nodes(nodes)
    assert tree.QuotaNode is node.QuotaNode is invsched.QuotaNode
    assert not hasattr(elasticquotatree, "QuotaTree")
