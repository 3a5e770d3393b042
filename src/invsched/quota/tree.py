"""The quota tree: ``QuotaNode`` and ``QuotaTree`` (an ``ElasticQuotaTree``'s content).

The tree is stored **flat**: each node names its parent and its children, and the tree keeps
its nodes in pre-order. Flat records keep equality, hashing and repr iterative, so a tree
10,000 levels deep is as safe to compare, hash and print as a shallow one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from invsched._validators import bool_field
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidQuotaTree
from invsched.resources import Resources

__all__ = ["QuotaNode", "QuotaTree"]


def _to_str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_name(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidManifest(
            attribute.name, f"a quota name must be a non-empty string, got {value!r}"
        )


def _check_optional_name(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _check_name(instance, attribute, value)


def _check_names(instance: Any, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise InvalidManifest(
                f"{attribute.name}[{index}]", f"expected a non-empty string, got {item!r}"
            )


def _check_resources(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Resources):
        raise InvalidQuantity(value, f"{attribute.name} must be Resources", attribute.name)


def _check_optional_resources(
    instance: Any, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None:
        _check_resources(instance, attribute, value)


_check_bool = bool_field(InvalidManifest)


@attrs.frozen(kw_only=True)
class QuotaNode:
    """One quota: a team's or person's guaranteed ``min`` and capped ``max`` per resource.

    Attributes:
        name: unique in the tree.
        min: guaranteed amounts (a missing key is 0).
        max: caps (a missing key is **unlimited**; an explicit 0 allows nothing).
        namespaces: the namespaces attached to this quota (leaves only).
        parent: the parent's name, ``None`` for the root.
        children: the children's names, in manifest order.
        shared_weight: the weight for sharing idle capacity (Koordinator's
            ``shared-weight``); ``None`` means "equal to ``max``".
        allow_lent: whether this quota lends its idle ``min`` to others (Koordinator's
            ``allow-lent-resource``).

    >>> node = QuotaNode(name="video", min=Resources({"cpu": 12000}), max=Resources({"cpu": 14000}))
    >>> node.is_leaf, node.weight["cpu"]
    (True, 14000)
    """

    name: str = attrs.field(validator=_check_name)
    min: Resources = attrs.field(factory=Resources, validator=_check_resources)
    max: Resources = attrs.field(factory=Resources, validator=_check_resources)
    namespaces: tuple[str, ...] = attrs.field(
        default=(), converter=_to_str_tuple, validator=_check_names
    )
    parent: str | None = attrs.field(default=None, validator=_check_optional_name)
    children: tuple[str, ...] = attrs.field(
        default=(), converter=_to_str_tuple, validator=_check_names
    )
    shared_weight: Resources | None = attrs.field(default=None, validator=_check_optional_resources)
    allow_lent: bool = attrs.field(default=True, validator=_check_bool)

    @property
    def is_leaf(self) -> bool:
        """Whether the node has no children."""
        return not self.children

    @property
    def weight(self) -> Resources:
        """The effective shared weight: ``shared_weight`` if set, else ``max`` (Koordinator)."""
        return self.max if self.shared_weight is None else self.shared_weight


def _to_node_tuple(value: Iterable[QuotaNode]) -> tuple[QuotaNode, ...]:
    return tuple(value)


def _structural_errors(nodes: Sequence[QuotaNode]) -> list[str]:
    """Every structural defect: duplicate names, roots, dangling or inconsistent links, cycles."""
    errors: list[str] = []
    by_name: dict[str, QuotaNode] = {}
    for node in nodes:
        if node.name in by_name:
            errors.append(f"{node.name}: duplicate quota name")
        else:
            by_name[node.name] = node
    roots = [node.name for node in nodes if node.parent is None]
    if len(roots) != 1:
        errors.append(f"the tree must have exactly one root, found {len(roots)}: {roots}")
    for node in by_name.values():
        if node.parent is not None:
            parent = by_name.get(node.parent)
            if parent is None:
                errors.append(f"{node.name}: parent {node.parent!r} does not exist")
            elif node.name not in parent.children:
                errors.append(f"{node.name}: parent {node.parent!r} does not list it as a child")
        seen_children: set[str] = set()
        for child in node.children:
            if child in seen_children:
                errors.append(f"{node.name}: child {child!r} listed twice")
            seen_children.add(child)
            target = by_name.get(child)
            if target is None:
                errors.append(f"{node.name}: child {child!r} does not exist")
            elif target.parent != node.name:
                errors.append(f"{node.name}: child {child!r} names parent {target.parent!r}")
    if not errors:
        # Links are consistent and there is one root: every node is reachable from the root
        # unless some nodes form a cycle detached from it.
        reachable = {roots[0]}
        stack = [roots[0]]
        while stack:
            for child in by_name[stack.pop()].children:
                if child not in reachable:
                    reachable.add(child)
                    stack.append(child)
        cyclic = sorted(set(by_name) - reachable)
        if cyclic:
            errors.append(f"quotas {cyclic} form a cycle unreachable from the root")
    return errors


@attrs.frozen(kw_only=True)
class QuotaTree:
    """An immutable quota tree, its nodes in pre-order (root first, children in order).

    Construct it with :meth:`from_nodes` (any order) or :meth:`from_manifest` (an
    ``ElasticQuotaTree`` object). Structural defects — duplicate names, not exactly one root,
    dangling parent or child links, cycles — raise :class:`~invsched.InvalidQuotaTree` listing
    every defect; the semantic rules (min ≤ max, namespace placement, …) are reported by
    :func:`~invsched.quota.validate_tree`.

    Runtime complexity: construction O(n); ``node``, ``parent`` O(1); ``path`` O(depth).

    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", children=("a",)),
    ...     QuotaNode(name="a", parent="root", namespaces=("team-a",)),
    ... ])
    >>> tree.path("a"), tree.queue_name("a"), tree.quota_for_namespace("team-a")
    (('root', 'a'), 'root-a', 'a')
    """

    nodes: tuple[QuotaNode, ...] = attrs.field(converter=_to_node_tuple)
    # Derived indexes, built once at construction and never mutated; excluded from eq/hash
    # because they are functions of `nodes`.
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _namespaces: dict[str, str] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        for position, node in enumerate(self.nodes):
            if not isinstance(node, QuotaNode):
                raise InvalidManifest(f"nodes[{position}]", f"expected a QuotaNode, got {node!r}")
        errors = _structural_errors(self.nodes)
        if errors:
            raise InvalidQuotaTree(errors)
        index = {node.name: position for position, node in enumerate(self.nodes)}
        if [node.name for node in _pre_order(self.nodes, index)] != [n.name for n in self.nodes]:
            raise InvalidQuotaTree(["nodes must be in pre-order; use QuotaTree.from_nodes"])
        namespaces: dict[str, str] = {}
        for node in self.nodes:
            for namespace in node.namespaces:
                namespaces.setdefault(namespace, node.name)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_namespaces", namespaces)

    @classmethod
    def from_nodes(cls, nodes: Iterable[QuotaNode]) -> QuotaTree:
        """Build a tree from nodes in any order (they are put in pre-order).

        Raises:
            InvalidQuotaTree: every structural defect found.
        """
        given = tuple(nodes)
        for position, node in enumerate(given):
            if not isinstance(node, QuotaNode):
                raise InvalidManifest(f"nodes[{position}]", f"expected a QuotaNode, got {node!r}")
        errors = _structural_errors(given)
        if errors:
            raise InvalidQuotaTree(errors)
        index = {node.name: position for position, node in enumerate(given)}
        return cls(nodes=tuple(_pre_order(given, index)))

    @classmethod
    def from_manifest(cls, document: Mapping[str, Any]) -> QuotaTree:
        """Read an ``ElasticQuotaTree`` object (as parsed from YAML/JSON).

        See :func:`invsched.quota.manifest.tree_from_manifest` for the accepted shape.

        Raises:
            InvalidManifest: a field has the wrong type or an unknown kind; the error names
                the field path (``spec.root.children[1].min.cpu``).
            InvalidQuantity: a quantity does not parse (also naming the field path).
            InvalidQuotaTree: duplicate quota names.
        """
        from invsched.quota.manifest import tree_from_manifest  # noqa: PLC0415 (cycle)

        return tree_from_manifest(document)

    # Lookups --------------------------------------------------------------------------------

    @property
    def root(self) -> QuotaNode:
        """The root node."""
        return self.nodes[0]

    @property
    def leaves(self) -> tuple[QuotaNode, ...]:
        """The nodes without children, in pre-order."""
        return tuple(node for node in self.nodes if not node.children)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[QuotaNode]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, name: str) -> QuotaNode:
        """The node called ``name``.

        Raises:
            InvalidQuotaTree: no such node (a ``ValueError``, never a bare ``KeyError``).
        """
        position = self._index.get(name)
        if position is None:
            raise InvalidQuotaTree([f"{name!r}: no such quota"])
        return self.nodes[position]

    def parent(self, name: str) -> QuotaNode | None:
        """The parent node of ``name``, or ``None`` for the root."""
        parent = self.node(name).parent
        return None if parent is None else self.nodes[self._index[parent]]

    def children(self, name: str) -> tuple[QuotaNode, ...]:
        """The child nodes of ``name``, in order."""
        return tuple(self.nodes[self._index[child]] for child in self.node(name).children)

    def path(self, name: str) -> tuple[str, ...]:
        """The names from the root down to ``name`` (both included)."""
        names = [name]
        node = self.node(name)
        while node.parent is not None:
            names.append(node.parent)
            node = self.nodes[self._index[node.parent]]
        return tuple(reversed(names))

    def quota_for_namespace(self, namespace: str) -> str | None:
        """The name of the quota holding ``namespace`` (first in pre-order), or ``None``."""
        return self._namespaces.get(namespace)

    def queue_name(self, name: str) -> str:
        """koord-queue's queue name for a quota: the path joined by ``-``, lower-cased, with
        ``/`` and ``_`` turned into ``-`` (``root-algorithm-video``)."""
        joined = "-".join(self.path(name)).lower()
        return joined.replace("/", "-").replace("_", "-")

    def depth(self, name: str) -> int:
        """0 for the root, 1 for its children, and so on."""
        return len(self.path(name)) - 1


def _pre_order(nodes: Sequence[QuotaNode], index: Mapping[str, int]) -> Iterator[QuotaNode]:
    """Yield nodes in pre-order, iteratively (no recursion: trees may be very deep)."""
    root = next(node for node in nodes if node.parent is None)
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(nodes[index[child]] for child in reversed(node.children))
