"""Reading an ``ElasticQuotaTree`` object (already parsed from YAML or JSON) into a QuotaTree.

Accepted shape (ACK's ``scheduling.sigs.k8s.io/v1beta1`` ``ElasticQuotaTree``)::

    apiVersion: scheduling.sigs.k8s.io/v1beta1
    kind: ElasticQuotaTree
    metadata: {name: elasticquotatree, namespace: kube-system}
    spec:
      root:
        name: root
        min: {cpu: 100, memory: 50Gi}      # optional; missing keys are 0
        max: {cpu: 100, memory: 50Gi}      # optional; missing keys are unlimited
        namespaces: [ns1]                  # optional
        children: [...]                    # optional, nodes of the same shape
        sharedWeight: {cpu: 1}             # optional extension: Koordinator's shared-weight
        allowLentResource: true            # optional extension: Koordinator's allow-lent-resource

Unknown node fields are rejected (a typo such as ``mins`` must not silently mean "no
guarantee"). The walk is iterative, so depth is bounded only by memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from invsched.errors import InvalidManifest
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources

__all__ = ["API_GROUP", "tree_from_manifest"]

API_GROUP: Final = "scheduling.sigs.k8s.io"
_NODE_FIELDS: Final = frozenset(
    {"name", "min", "max", "namespaces", "children", "sharedWeight", "allowLentResource"}
)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _resources(value: object, field: str) -> Resources:
    if value is None:
        return Resources()
    if not isinstance(value, Mapping):
        raise InvalidManifest(field, f"expected a mapping of quantities, got {_type_name(value)}")
    for key in value:
        if not isinstance(key, str) or not key:
            raise InvalidManifest(field, f"a resource name must be a non-empty string, got {key!r}")
    return Resources.parse(value, field=field)


def _string_list(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise InvalidManifest(field, f"expected a list of strings, got {_type_name(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise InvalidManifest(
                f"{field}[{index}]", f"expected a non-empty string, got {_type_name(item)} {item!r}"
            )
    return tuple(value)


def tree_from_manifest(document: Mapping[str, Any]) -> QuotaTree:
    """Build a :class:`QuotaTree` from an ``ElasticQuotaTree`` object.

    Raises:
        InvalidManifest: wrong type, unknown kind or API group, missing ``spec.root``, an
            unknown node field, a duplicate quota name; the message names the field path.
        InvalidQuantity: a quantity does not parse; it names the field path
            (``spec.root.children[1].min.cpu``).

    Runtime complexity: O(n + q) for n nodes and q quantities; iterative.

    >>> tree = tree_from_manifest({
    ...     "apiVersion": "scheduling.sigs.k8s.io/v1beta1", "kind": "ElasticQuotaTree",
    ...     "spec": {"root": {"name": "root", "max": {"cpu": 4},
    ...                       "children": [{"name": "a", "namespaces": ["team-a"]}]}}})
    >>> [node.name for node in tree], tree.node("root").max["cpu"]
    (['root', 'a'], 4000)
    """
    if not isinstance(document, Mapping):
        raise InvalidManifest("", f"expected a mapping, got {_type_name(document)}")
    kind = document.get("kind")
    if kind != "ElasticQuotaTree":
        raise InvalidManifest("kind", f"expected 'ElasticQuotaTree', got {kind!r}")
    api_version = document.get("apiVersion", f"{API_GROUP}/v1beta1")
    if not isinstance(api_version, str) or not api_version.startswith(f"{API_GROUP}/"):
        raise InvalidManifest(
            "apiVersion", f"expected '{API_GROUP}/<version>', got {api_version!r}"
        )
    spec = document.get("spec")
    if not isinstance(spec, Mapping):
        raise InvalidManifest("spec", f"expected a mapping, got {_type_name(spec)}")
    if "root" not in spec:
        raise InvalidManifest("spec.root", "required field is missing")

    nodes: list[QuotaNode] = []
    first_seen: dict[str, str] = {}
    # (raw node, its field path, parent name); children pushed in reverse so that the list
    # comes out in pre-order.
    stack: list[tuple[object, str, str | None]] = [(spec["root"], "spec.root", None)]
    while stack:
        raw, path, parent = stack.pop()
        if not isinstance(raw, Mapping):
            raise InvalidManifest(path, f"expected a mapping, got {_type_name(raw)}")
        unknown = sorted(str(key) for key in raw if key not in _NODE_FIELDS)
        if unknown:
            raise InvalidManifest(
                f"{path}.{unknown[0]}",
                f"unknown field (allowed: {', '.join(sorted(_NODE_FIELDS))})",
            )
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise InvalidManifest(
                f"{path}.name", f"expected a non-empty string, got {_type_name(name)} {name!r}"
            )
        if name in first_seen:
            raise InvalidManifest(
                f"{path}.name", f"duplicate quota name {name!r} (first at {first_seen[name]})"
            )
        first_seen[name] = f"{path}.name"
        children_raw = raw.get("children")
        if children_raw is None:
            children_raw = []
        if not isinstance(children_raw, list | tuple):
            raise InvalidManifest(
                f"{path}.children", f"expected a list of nodes, got {_type_name(children_raw)}"
            )
        child_names: list[str] = []
        for index, child in enumerate(children_raw):
            child_name = child.get("name") if isinstance(child, Mapping) else None
            child_names.append(child_name if isinstance(child_name, str) else f"#{index}")
        allow_lent = raw.get("allowLentResource", True)
        if type(allow_lent) is not bool:
            raise InvalidManifest(
                f"{path}.allowLentResource", f"expected a bool, got {_type_name(allow_lent)}"
            )
        shared = raw.get("sharedWeight")
        nodes.append(
            QuotaNode(
                name=name,
                min=_resources(raw.get("min"), f"{path}.min"),
                max=_resources(raw.get("max"), f"{path}.max"),
                namespaces=_string_list(raw.get("namespaces"), f"{path}.namespaces"),
                parent=parent,
                children=tuple(child_names),
                shared_weight=None
                if shared is None
                else _resources(shared, f"{path}.sharedWeight"),
                allow_lent=allow_lent,
            )
        )
        stack.extend(
            (children_raw[index], f"{path}.children[{index}]", name)
            for index in reversed(range(len(children_raw)))
        )
    return QuotaTree(nodes=tuple(nodes))
