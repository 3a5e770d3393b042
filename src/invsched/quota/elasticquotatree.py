"""Reading an ``ElasticQuotaTree`` object (already parsed from YAML or JSON) into quota nodes.

This module depends on :mod:`invsched.quota.node` only; :meth:`QuotaTree.from_manifest
<invsched.quota.QuotaTree.from_manifest>` builds the tree from the nodes it returns, so the
dependency points one way (``tree`` → ``elasticquotatree`` → ``node``).

Accepted shape (ACK's ``scheduling.sigs.k8s.io/v1beta1`` ``ElasticQuotaTree``)::

    apiVersion: scheduling.sigs.k8s.io/v1beta1
    kind: ElasticQuotaTree
    metadata: {name: elasticquotatree, namespace: kube-system}
    spec:
      root:
        name: root                         # a DNS-1123 subdomain, unique in the tree
        min: {cpu: 100, memory: 50Gi}      # optional; missing keys are 0
        max: {cpu: 100, memory: 50Gi}      # optional; missing keys are unlimited
        namespaces: [ns1]                  # optional; DNS-1123 labels
        children: [...]                    # optional, nodes of the same shape
        sharedWeight: {cpu: 1}             # optional extension: Koordinator's shared-weight
        allowLentResource: true            # optional extension: Koordinator's allow-lent-resource

Unknown node fields are rejected (a typo such as ``mins`` must not silently mean "no
guarantee"). The walk is iterative, so depth is bounded only by memory, and field paths are
spelled out only when an error needs one, so a 10^4-deep tree costs no 10^4-long path per node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from invsched._validators import check_dns_label, check_dns_subdomain, render
from invsched.errors import InvalidManifest, InvalidQuantity
from invsched.quota.node import QuotaNode
from invsched.resources import Resources

__all__ = ["API_GROUP", "nodes_from_manifest"]

#: The API group of an ``ElasticQuotaTree`` (any version of it is read).
API_GROUP: Final = "scheduling.sigs.k8s.io"
_NODE_FIELDS: Final = frozenset(
    {"name", "min", "max", "namespaces", "children", "sharedWeight", "allowLentResource"}
)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


class _Walk:
    """The nodes read so far, in pre-order, as parallel lists indexed by position.

    ``parents[p]`` is the parent's position (-1 for the root) and ``slots[p]`` the node's
    index among its siblings: together they spell the node's field path on demand.
    """

    def __init__(self) -> None:
        self.parents: list[int] = []
        self.slots: list[int] = []
        self.names: list[str] = []
        self.children: list[list[str]] = []
        self.first_seen: dict[str, int] = {}

    def path(self, position: int) -> str:
        """``spec.root.children[1].children[0]`` for the node at ``position``; O(depth)."""
        parts: list[str] = []
        while position >= 0:
            if self.parents[position] >= 0:
                parts.append(f".children[{self.slots[position]}]")
            position = self.parents[position]
        parts.append("spec.root")
        return "".join(reversed(parts))

    def resources(self, value: object, position: int, label: str) -> Resources:
        """The quantities of ``label`` (``min``, ``max``, ``sharedWeight``) of one node."""
        if value is None:
            return Resources()
        if not isinstance(value, Mapping):
            raise InvalidManifest(
                f"{self.path(position)}.{label}",
                f"expected a mapping of quantities, got {_type_name(value)}",
            )
        for key in value:
            if not isinstance(key, str) or not key:
                raise InvalidManifest(
                    f"{self.path(position)}.{label}",
                    f"a resource name must be a non-empty string, got {render(key)}",
                )
        try:
            return Resources.parse(value)
        except InvalidQuantity as error:
            where = f"{self.path(position)}.{label}"
            field = f"{where}.{error.field}" if error.field else where
            raise InvalidQuantity(error.value, error.reason, field) from None

    def namespaces(self, value: object, position: int) -> tuple[str, ...]:
        """The namespaces of one node: a list of DNS-1123 labels."""
        if value is None:
            return ()
        if not isinstance(value, list | tuple):
            raise InvalidManifest(
                f"{self.path(position)}.namespaces",
                f"expected a list of strings, got {_type_name(value)}",
            )
        for index, item in enumerate(value):
            try:
                check_dns_label(InvalidManifest, "", item)
            except InvalidManifest as error:
                raise InvalidManifest(
                    f"{self.path(position)}.namespaces[{index}]", error.reason
                ) from None
        return tuple(value)

    def name(self, raw: Mapping[object, object], position: int) -> str:
        """The node's name: a DNS-1123 subdomain not used by an earlier node."""
        name = raw.get("name")
        try:
            check_dns_subdomain(InvalidManifest, "", name)
        except InvalidManifest as error:
            raise InvalidManifest(f"{self.path(position)}.name", error.reason) from None
        assert isinstance(name, str)  # checked above; for the type checker
        first = self.first_seen.setdefault(name, position)
        if first != position:
            raise InvalidManifest(
                f"{self.path(position)}.name",
                f"duplicate quota name {render(name)} (first at {self.path(first)}.name)",
            )
        return name


def _check_header(document: object) -> object:
    """Check the kind, API group and ``spec``; return the raw root node."""
    if not isinstance(document, Mapping):
        raise InvalidManifest("", f"expected a mapping, got {_type_name(document)}")
    kind = document.get("kind")
    if kind != "ElasticQuotaTree":
        raise InvalidManifest("kind", f"expected 'ElasticQuotaTree', got {render(kind)}")
    api_version = document.get("apiVersion", f"{API_GROUP}/v1beta1")
    if not isinstance(api_version, str) or not api_version.startswith(f"{API_GROUP}/"):
        raise InvalidManifest(
            "apiVersion", f"expected '{API_GROUP}/<version>', got {render(api_version)}"
        )
    spec = document.get("spec")
    if not isinstance(spec, Mapping):
        raise InvalidManifest("spec", f"expected a mapping, got {_type_name(spec)}")
    if "root" not in spec:
        raise InvalidManifest("spec.root", "required field is missing")
    root: object = spec["root"]
    return root


def nodes_from_manifest(document: object) -> list[QuotaNode]:
    """Read the quota nodes of an ``ElasticQuotaTree`` object, in manifest pre-order.

    The structure (one root, consistent links) is checked by
    :class:`~invsched.quota.QuotaTree` when the nodes become a tree:
    ``QuotaTree.from_manifest`` is the usual entry point.

    Args:
        document: the object as parsed from YAML or JSON (a mapping).

    Returns:
        The nodes, in manifest pre-order (the root first).

    Raises:
        InvalidManifest: not a mapping, an unknown kind or API group, a missing
            ``spec.root``, an unknown node field, a field of the wrong type, a quota name
            that is not a DNS-1123 subdomain or is repeated, a namespace that is not a
            DNS-1123 label; the message names the field path.
        InvalidQuantity: a quantity does not parse; it names the field path
            (``spec.root.children[1].min.cpu``).

    Runtime complexity: O(n + q) for n nodes and q quantities; iterative.

    >>> nodes = nodes_from_manifest({
    ...     "apiVersion": "scheduling.sigs.k8s.io/v1beta1", "kind": "ElasticQuotaTree",
    ...     "spec": {"root": {"name": "root", "max": {"cpu": 4},
    ...                       "children": [{"name": "a", "namespaces": ["team-a"]}]}}})
    >>> [(node.name, node.parent) for node in nodes], nodes[0].max["cpu"]
    ([('root', None), ('a', 'root')], 4000)
    """
    walk = _Walk()
    # Each node's fields, in pre-order; the nodes are built once the walk is over, when
    # every parent knows its children's names.
    fields: list[tuple[Resources, Resources, tuple[str, ...], Resources | None, bool]] = []
    # (raw node, parent position, index among its siblings); children are pushed in reverse
    # so that they come out in manifest pre-order.
    stack: list[tuple[object, int, int]] = [(_check_header(document), -1, 0)]
    while stack:
        raw, parent, slot = stack.pop()
        position = len(walk.parents)
        walk.parents.append(parent)
        walk.slots.append(slot)
        if not isinstance(raw, Mapping):
            raise InvalidManifest(walk.path(position), f"expected a mapping, got {_type_name(raw)}")
        unknown = sorted(
            key if isinstance(key, str) else render(key) for key in raw if key not in _NODE_FIELDS
        )
        if unknown:
            raise InvalidManifest(
                f"{walk.path(position)}.{unknown[0]}",
                f"unknown field (allowed: {', '.join(sorted(_NODE_FIELDS))})",
            )
        name = walk.name(raw, position)
        walk.names.append(name)
        walk.children.append([])
        if parent >= 0:
            walk.children[parent].append(name)
        children_raw = raw.get("children")
        if children_raw is None:
            children_raw = []
        if not isinstance(children_raw, list | tuple):
            raise InvalidManifest(
                f"{walk.path(position)}.children",
                f"expected a list of nodes, got {_type_name(children_raw)}",
            )
        allow_lent = raw.get("allowLentResource", True)
        if type(allow_lent) is not bool:
            raise InvalidManifest(
                f"{walk.path(position)}.allowLentResource",
                f"expected a bool, got {_type_name(allow_lent)}",
            )
        shared = raw.get("sharedWeight")
        fields.append(
            (
                walk.resources(raw.get("min"), position, "min"),
                walk.resources(raw.get("max"), position, "max"),
                walk.namespaces(raw.get("namespaces"), position),
                None if shared is None else walk.resources(shared, position, "sharedWeight"),
                allow_lent,
            )
        )
        stack.extend(
            (children_raw[index], position, index) for index in reversed(range(len(children_raw)))
        )
    names = walk.names
    return [
        QuotaNode(
            name=name,
            min=low,
            max=high,
            namespaces=namespaces,
            parent=None if parent < 0 else names[parent],
            children=tuple(children),
            shared_weight=shared,
            allow_lent=allow_lent,
        )
        for name, parent, children, (low, high, namespaces, shared, allow_lent) in zip(
            names, walk.parents, walk.children, fields, strict=True
        )
    ]
