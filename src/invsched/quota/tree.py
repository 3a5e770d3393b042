"""The quota tree: ``QuotaTree`` (an ``ElasticQuotaTree``'s content), over ``QuotaNode``.

The tree is stored **flat**: each node names its parent and its children, and the tree keeps
its nodes in pre-order. Flat records keep equality, hashing and repr iterative, so a tree
10,000 levels deep is as safe to compare, hash and print as a shallow one.

Names follow Kubernetes: a quota name is a DNS-1123 subdomain (``video``, ``team-a.gpu``) and
a namespace a DNS-1123 label, so two quotas can never collapse onto one koord-queue queue
name (``A`` and ``a`` would both have become ``root-a``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from invsched._validators import bool_field, check_bool, check_tuple_of, render, to_tuple
from invsched.errors import InvalidManifest, InvalidQuotaTree, InvalidRequest
from invsched.quota.elasticquotatree import nodes_from_manifest
from invsched.quota.node import QuotaNode

__all__ = ["QuotaNode", "QuotaTree"]

#: How many names a structural message lists before it says "and N more": a forest of 10^5
#: roots must not produce a megabyte-long message.
_LISTED: Final = 10


def _listing(names: Sequence[str]) -> str:
    """The first :data:`_LISTED` names as a list, then "and N more"."""
    shown = repr(list(names[:_LISTED]))
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"


def _consistent(nodes: Sequence[QuotaNode]) -> bool:
    """Whether the parent and child links agree, checked without visiting listed children.

    Each node must be listed by its parent, no list may repeat a name, and there must be
    exactly as many listed children as nodes with a parent: then every listed child exists
    and names the node that lists it. Only the node's own parent is looked up, so a root with
    10^5 children costs one set and 10^5 lookups in it, with no random access to the
    children's records (which, at that size, no longer fit in the processor's caches).
    """
    listed: dict[str, frozenset[str]] = {}
    links = 0
    for node in nodes:
        if node.children:
            members = frozenset(node.children)
            if len(members) != len(node.children):
                return False
            listed[node.name] = members
            links += len(members)
    parented = 0
    for node in nodes:
        if node.parent is not None:
            siblings = listed.get(node.parent)
            if siblings is None or node.name not in siblings:
                return False
            parented += 1
    return links == parented


def _defects(nodes: Sequence[QuotaNode], index: Mapping[str, int]) -> list[str]:
    """Every inconsistent parent or child link, in node order (the slow, exact path)."""
    errors: list[str] = []
    listed: dict[int, frozenset[str]] = {}
    for node in (nodes[position] for position in index.values()):
        if node.parent is not None:
            parent = index.get(node.parent)
            if parent is None:
                errors.append(f"{node.name}: parent {render(node.parent)} does not exist")
            else:
                members = listed.get(parent)
                if members is None:
                    members = listed[parent] = frozenset(nodes[parent].children)
                if node.name not in members:
                    errors.append(
                        f"{node.name}: parent {render(node.parent)} does not list it as a child"
                    )
        seen: set[str] = set()
        for child in node.children:
            if child in seen:
                errors.append(f"{node.name}: child {render(child)} listed twice")
            seen.add(child)
            target = index.get(child)
            if target is None:
                errors.append(f"{node.name}: child {render(child)} does not exist")
            elif nodes[target].parent != node.name:
                errors.append(
                    f"{node.name}: child {render(child)} names parent "
                    f"{render(nodes[target].parent)}"
                )
    return errors


def _layout(nodes: Sequence[QuotaNode]) -> tuple[list[str], list[int]]:
    """Every structural defect and, when there is none, the nodes' positions in pre-order.

    Defects: duplicate names, not exactly one root, dangling or inconsistent parent and child
    links, cycles detached from the root.

    Runtime complexity: O(n + c) for n nodes and c child links: each parent's children are
    made a set once, so "does the parent list it?" costs O(1) per node, and the pre-order
    walk is iterative (no recursion, whatever the depth).
    """
    errors: list[str] = []
    index: dict[str, int] = {}
    for position, node in enumerate(nodes):
        if index.setdefault(node.name, position) != position:
            errors.append(f"{node.name}: duplicate quota name")
    roots = [node.name for node in nodes if node.parent is None]
    if len(roots) != 1:
        errors.append(f"the tree must have exactly one root, found {len(roots)}: {_listing(roots)}")
    if errors or not _consistent(nodes):
        errors.extend(_defects(nodes, index))
    if errors:
        return errors, []
    # Links are consistent and there is one root: every node is reachable from the root
    # unless some nodes form a cycle detached from it.
    order: list[int] = []
    stack = [index[roots[0]]]
    while stack:
        position = stack.pop()
        order.append(position)
        stack.extend(index[child] for child in reversed(nodes[position].children))
    if len(order) != len(nodes):
        reached = set(order)
        cyclic = sorted(node.name for position, node in enumerate(nodes) if position not in reached)
        errors.append(f"quotas {_listing(cyclic)} form a cycle unreachable from the root")
    return errors, order


def _check_nodes(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    check_tuple_of(InvalidManifest, "nodes", value, QuotaNode)


@attrs.frozen(kw_only=True)
class QuotaTree:
    """An immutable quota tree, its nodes in pre-order (root first, children in order).

    Construct it with :meth:`from_nodes` (any order) or :meth:`from_manifest` (an
    ``ElasticQuotaTree`` object). ``implicit_root`` marks a root that stands for Koordinator's
    implicit cluster root (``koordinator-root-quota``) rather than a quota someone wrote: the
    tree of flat ``ElasticQuota`` objects hangs under such a root, and
    :func:`~invsched.quota.validate_tree` then checks the root's children as Koordinator
    checks first-level quotas (no min-sum or key rules against the root). Structural
    defects — duplicate names, not exactly one root, dangling parent or child links, cycles —
    raise :class:`~invsched.InvalidQuotaTree` listing every defect; the semantic rules (min ≤
    max, namespace placement, …) are reported by :func:`~invsched.quota.validate_tree`.
    Lookups take a quota name: a name that is not a ``str`` raises
    :class:`~invsched.InvalidRequest`, an unknown one :class:`~invsched.InvalidQuotaTree`.

    Runtime complexity: construction O(n + c) for n nodes and c child links; ``node``,
    ``parent``, ``quota_for_namespace`` O(1); ``children`` O(k) for k children; ``path``,
    ``depth`` and ``queue_name`` O(depth).

    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", children=("a",)),
    ...     QuotaNode(name="a", parent="root", namespaces=("team-a",)),
    ... ])
    >>> tree.path("a"), tree.queue_name("a"), tree.quota_for_namespace("team-a")
    (('root', 'a'), 'root-a', 'a')
    """

    nodes: tuple[QuotaNode, ...] = attrs.field(converter=to_tuple, validator=_check_nodes)
    implicit_root: bool = attrs.field(default=False, validator=bool_field(InvalidManifest))
    # Derived indexes, built once at construction and never mutated; excluded from eq/hash
    # because they are functions of `nodes`.
    _index: dict[str, int] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _namespaces: dict[str, str] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        errors, order = _layout(self.nodes)
        if errors:
            raise InvalidQuotaTree(errors)
        if any(position != expected for expected, position in enumerate(order)):
            raise InvalidQuotaTree(["nodes must be in pre-order; use QuotaTree.from_nodes"])
        self._build_indexes()

    def _build_indexes(self) -> None:
        namespaces: dict[str, str] = {}
        for node in self.nodes:
            for namespace in node.namespaces:
                namespaces.setdefault(namespace, node.name)
        object.__setattr__(
            self, "_index", {node.name: position for position, node in enumerate(self.nodes)}
        )
        object.__setattr__(self, "_namespaces", namespaces)

    @classmethod
    def from_nodes(cls, nodes: Iterable[QuotaNode], *, implicit_root: bool = False) -> QuotaTree:
        """Build a tree from nodes in any order (they are put in pre-order).

        The structure is checked once, here; the pre-ordered nodes then become the tree
        without a second check. ``implicit_root`` is stored as given (see the class).

        Raises:
            InvalidManifest: ``nodes`` is not a sequence of :class:`QuotaNode`, or
                ``implicit_root`` is not a bool.
            InvalidQuotaTree: every structural defect found.

        Runtime complexity: O(n + c) for n nodes and c child links.

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="a", parent="root"),
        ...                              QuotaNode(name="root", children=("a",))])
        >>> [node.name for node in tree]
        ['root', 'a']
        """
        given = check_tuple_of(InvalidManifest, "nodes", nodes, QuotaNode)
        check_bool(InvalidManifest, "implicit_root", implicit_root)
        errors, order = _layout(given)
        if errors:
            raise InvalidQuotaTree(errors)
        # The layout was just checked: build the record without running the check again.
        tree = object.__new__(cls)
        object.__setattr__(tree, "nodes", tuple([given[position] for position in order]))
        object.__setattr__(tree, "implicit_root", implicit_root)
        tree._build_indexes()
        return tree

    @classmethod
    def from_manifest(cls, document: object) -> QuotaTree:
        """Read an ``ElasticQuotaTree`` object (as parsed from YAML/JSON).

        See :func:`invsched.quota.elasticquotatree.nodes_from_manifest` for the accepted
        shape; this builds the tree from the nodes it reads, in manifest pre-order.

        Raises:
            InvalidManifest: a field has the wrong type, an invalid name or an unknown kind,
                or a quota name is repeated; the error names the field path
                (``spec.root.children[1].name``).
            InvalidQuantity: a quantity does not parse (also naming the field path).

        Runtime complexity: O(n + q) for n nodes and q quantities; iterative.

        >>> QuotaTree.from_manifest({"kind": "ElasticQuotaTree",
        ...                          "spec": {"root": {"name": "root"}}}).root.name
        'root'
        """
        return cls(nodes=nodes_from_manifest(document))

    # Lookups --------------------------------------------------------------------------------

    @property
    def root(self) -> QuotaNode:
        """The root node.

        >>> QuotaTree.from_nodes([QuotaNode(name="root")]).root.name
        'root'
        """
        return self.nodes[0]

    @property
    def leaves(self) -> tuple[QuotaNode, ...]:
        """The nodes without children, in pre-order (O(n)).

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", children=("a", "b")),
        ...     QuotaNode(name="a", parent="r"), QuotaNode(name="b", parent="r")])
        >>> [leaf.name for leaf in tree.leaves]
        ['a', 'b']
        """
        return tuple(node for node in self.nodes if not node.children)

    def __contains__(self, name: object) -> bool:
        # A value that is not a name (even an unhashable one) is simply not in the tree.
        return isinstance(name, str) and name in self._index

    def __iter__(self) -> Iterator[QuotaNode]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def _position(self, name: object) -> int:
        if not isinstance(name, str):
            raise InvalidRequest(
                "name", f"expected a quota name (str), got {type(name).__name__} {render(name)}"
            )
        position = self._index.get(name)
        if position is None:
            raise InvalidQuotaTree([f"{render(name)}: no such quota"])
        return position

    def node(self, name: str) -> QuotaNode:
        """The node called ``name``.

        Raises:
            InvalidRequest: ``name`` is not a ``str``.
            InvalidQuotaTree: no such node (a ``ValueError``, never a bare ``KeyError``).

        Runtime complexity: O(1).

        >>> from invsched.resources import Resources
        >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", max=Resources({"cpu": 1}))])
        >>> tree.node("root").max["cpu"]
        1
        >>> try:
        ...     tree.node("nope")
        ... except InvalidQuotaTree as error:
        ...     print(error)
        invalid quota tree (1 violation): 'nope': no such quota
        """
        return self.nodes[self._position(name)]

    def parent(self, name: str) -> QuotaNode | None:
        """The parent node of ``name``, or ``None`` for the root.

        Raises:
            InvalidRequest, InvalidQuotaTree: as :meth:`node`.

        Runtime complexity: O(1).

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", children=("a",)),
        ...                              QuotaNode(name="a", parent="r")])
        >>> tree.parent("a").name, tree.parent("r")
        ('r', None)
        """
        parent = self.node(name).parent
        return None if parent is None else self.nodes[self._index[parent]]

    def children(self, name: str) -> tuple[QuotaNode, ...]:
        """The child nodes of ``name``, in order.

        Raises:
            InvalidRequest, InvalidQuotaTree: as :meth:`node`.

        Runtime complexity: O(k) for k children.

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", children=("a",)),
        ...                              QuotaNode(name="a", parent="r")])
        >>> [child.name for child in tree.children("r")]
        ['a']
        """
        index = self._index
        return tuple([self.nodes[index[child]] for child in self.node(name).children])

    def path(self, name: str) -> tuple[str, ...]:
        """The names from the root down to ``name`` (both included).

        Raises:
            InvalidRequest, InvalidQuotaTree: as :meth:`node`.

        Runtime complexity: O(depth); iterative.

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", children=("a",)),
        ...                              QuotaNode(name="a", parent="r")])
        >>> tree.path("a")
        ('r', 'a')
        """
        names = [name]
        node = self.node(name)
        while node.parent is not None:
            names.append(node.parent)
            node = self.nodes[self._index[node.parent]]
        return tuple(reversed(names))

    def quota_for_namespace(self, namespace: str) -> str | None:
        """The name of the quota holding ``namespace`` (first in pre-order), or ``None``.

        Raises:
            InvalidRequest: ``namespace`` is not a ``str``.

        Runtime complexity: O(1).

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", namespaces=("team-a",))])
        >>> tree.quota_for_namespace("team-a"), tree.quota_for_namespace("elsewhere")
        ('r', None)
        """
        if not isinstance(namespace, str):
            raise InvalidRequest(
                "namespace",
                f"expected a namespace (str), got {type(namespace).__name__} {render(namespace)}",
            )
        return self._namespaces.get(namespace)

    def queue_name(self, name: str) -> str:
        """koord-queue's queue name for a quota: the path joined by ``-``, lower-cased, with
        ``/`` and ``_`` turned into ``-`` (``root-algorithm-video``).

        Quota names are DNS-1123 subdomains, so the lower-casing and replacements change
        nothing any more; they are kept as koord-queue's documented transformation. A ``.``
        stays (``root-team.gpu``).

        Raises:
            InvalidRequest, InvalidQuotaTree: as :meth:`node`.

        Runtime complexity: O(depth).

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", children=("team.gpu",)),
        ...                              QuotaNode(name="team.gpu", parent="root")])
        >>> tree.queue_name("team.gpu")
        'root-team.gpu'
        """
        joined = "-".join(self.path(name)).lower()
        return joined.replace("/", "-").replace("_", "-")

    def depth(self, name: str) -> int:
        """0 for the root, 1 for its children, and so on.

        Raises:
            InvalidRequest, InvalidQuotaTree: as :meth:`node`.

        Runtime complexity: O(depth).

        >>> tree = QuotaTree.from_nodes([QuotaNode(name="r", children=("a",)),
        ...                              QuotaNode(name="a", parent="r")])
        >>> tree.depth("r"), tree.depth("a")
        (0, 1)
        """
        depth = 0
        node = self.node(name)
        while node.parent is not None:
            depth += 1
            node = self.nodes[self._index[node.parent]]
        return depth
