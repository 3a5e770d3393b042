"""Quota trees: building, validating and loading wide and deep trees.

Target: near-linear cost in the number of quotas — 10x the children of one root costs at
most about 13x the time — for ``QuotaTree.from_nodes``, ``QuotaTree.from_manifest``,
``validate_tree`` and ``manifests.loads``. Amounts come from ``random.Random(0xC0FFEE)``; the
nodes are given shuffled, so ``from_nodes`` has to put them in pre-order. The 10^5 sizes (and
10^4 with the pure-Python YAML parser) run only with ``INVSCHED_BENCH_FULL=1``.
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
import yaml

from invsched import _yaml as yaml_reader
from invsched.manifests import loads
from invsched.quota import QuotaNode, QuotaTree, validate_tree
from invsched.resources import Resources

FULL = os.environ.get("INVSCHED_BENCH_FULL") == "1"
WIDTHS = [10**3, 10**4, *([10**5] if FULL else [])]
#: The pure-Python YAML parser is about 4x slower: one size fewer.
LOADS = [(width, "libyaml") for width in WIDTHS] + [
    (width, "python") for width in WIDTHS[: 1 + FULL]
]
GPU = "nvidia.com/gpu"


def _wide_nodes(children: int) -> list[QuotaNode]:
    rng = random.Random(0xC0FFEE)
    names = tuple(f"q{index}" for index in range(children))
    total = Resources({"cpu": 10_000 * children, GPU: 1000 * children})
    nodes = [QuotaNode(name="root", min=total, max=total, children=names)]
    for name in names:
        low = Resources({"cpu": rng.randint(0, 10) * 1000, GPU: rng.randint(0, 1) * 1000})
        high = Resources({"cpu": 20_000, GPU: 2000})
        nodes.append(QuotaNode(name=name, parent="root", min=low, max=high, namespaces=(name,)))
    rng.shuffle(nodes)
    return nodes


def _wide_manifest(children: int) -> dict[str, Any]:
    rng = random.Random(0xC0FFEE)
    total = {"cpu": 10 * children, GPU: children}
    return {
        "apiVersion": "scheduling.sigs.k8s.io/v1beta1",
        "kind": "ElasticQuotaTree",
        "spec": {
            "root": {
                "name": "root",
                "min": total,
                "max": total,
                "children": [
                    {
                        "name": f"q{index}",
                        "min": {"cpu": rng.randint(0, 10), GPU: rng.randint(0, 1)},
                        "max": {"cpu": 20, GPU: 2},
                        "namespaces": [f"q{index}"],
                    }
                    for index in range(children)
                ],
            }
        },
    }


def _wide_yaml(children: int) -> str:
    rng = random.Random(0xC0FFEE)
    lines = [
        "apiVersion: scheduling.sigs.k8s.io/v1beta1",
        "kind: ElasticQuotaTree",
        "metadata: {name: elasticquotatree, namespace: kube-system}",
        "spec:",
        "  root:",
        "    name: root",
        f"    min: {{cpu: {10 * children}, memory: {children}Gi, {GPU}: {children}}}",
        f"    max: {{cpu: {10 * children}, memory: {children}Gi, {GPU}: {children}}}",
        "    children:",
    ]
    for index in range(children):
        lines += [
            f"    - name: q{index}",
            "      min:",
            f"        cpu: {rng.randint(0, 10)}",
            "        memory: 512Mi",
            f"        {GPU}: {rng.randint(0, 1)}",
            "      max:",
            "        cpu: 20",
            "        memory: 1Gi",
            f"        {GPU}: 2",
            "      namespaces:",
            f"      - q{index}",
        ]
    return "\n".join(lines) + "\n"


def _chain(depth: int) -> list[QuotaNode]:
    names = [f"q{index}" for index in range(depth)]
    cpu = Resources({"cpu": 1000})
    nodes = [
        QuotaNode(
            name=name,
            min=cpu,
            max=cpu,
            parent=names[index - 1] if index else None,
            children=(names[index + 1],) if index + 1 < depth else (),
        )
        for index, name in enumerate(names)
    ]
    random.Random(0xC0FFEE).shuffle(nodes)
    return nodes


def _build_and_validate(nodes: list[QuotaNode]) -> QuotaTree:
    tree = QuotaTree.from_nodes(nodes)
    validate_tree(tree)
    return tree


@pytest.mark.parametrize("children", WIDTHS)
def test_from_nodes_and_validate_wide(benchmark: Any, children: int) -> None:
    """QuotaTree.from_nodes + validate_tree, one root with many children."""
    benchmark.group = "build + validate: children of one root"
    nodes = _wide_nodes(children)
    tree = benchmark(_build_and_validate, nodes)
    assert len(tree) == children + 1


@pytest.mark.parametrize("children", WIDTHS)
def test_from_manifest_wide(benchmark: Any, children: int) -> None:
    """QuotaTree.from_manifest, one root with many children."""
    benchmark.group = "from_manifest: children of one root"
    document = _wide_manifest(children)
    tree = benchmark(QuotaTree.from_manifest, document)
    assert len(tree) == children + 1


@pytest.mark.parametrize("depth", [10**4])
def test_from_nodes_and_validate_deep(benchmark: Any, depth: int) -> None:
    """QuotaTree.from_nodes + validate_tree, a chain 10^4 deep."""
    benchmark.group = "build + validate: a deep chain"
    nodes = _chain(depth)
    tree = benchmark(_build_and_validate, nodes)
    assert tree.depth(f"q{depth - 1}") == depth - 1


@pytest.mark.parametrize(("children", "parser"), LOADS)
def test_loads_wide_manifest(
    benchmark: Any, monkeypatch: pytest.MonkeyPatch, children: int, parser: str
) -> None:
    """manifests.loads of a YAML ElasticQuotaTree, one root with many children."""
    benchmark.group = f"loads YAML: children of one root ({parser})"
    if parser == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.setattr(yaml_reader, "PARSER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yaml_reader, "PARSER", yaml.SafeLoader)
    text = _wide_yaml(children)
    result = benchmark(loads, text)
    assert result.quota_tree is not None
    assert len(result.quota_tree) == children + 1
