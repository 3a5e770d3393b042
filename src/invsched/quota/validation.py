"""Quota-tree validation: every violation at once, under a chosen rule profile.

Rules always checked (Koordinator's webhook and the ACK guide agree on them):
namespaces only on leaves, each namespace on one quota, no negative amount (``min``, ``max``,
``sharedWeight``), every ``min`` key ≤ its ``max`` when ``max`` has the key (a key missing from
``max`` is unlimited). Structural rules (unique names, one root, acyclic) are enforced when a
:class:`~invsched.quota.QuotaTree` is built.

Profiles add:

* ``KOORDINATOR`` — Koordinator's webhook with its default feature gates
  (``pkg/webhook/elasticquota/quota_topology_check.go``): Σ children.min ≤ parent.min per
  resource (missing = 0); every min key is also a max key; a child's min keys ⊆ its parent's
  min keys; a child's max keys = its parent's max keys. Max *values* are not compared.
* ``ACK_DOC`` — the ACK guide read literally: parent.min ≤ Σ children.min and child.max ≤
  parent.max (a key missing from a child's max is unlimited, so it exceeds a finite parent
  max).
* ``STRICT`` — ``KOORDINATOR`` plus child.max ≤ parent.max and, when a cluster total is
  given, root.min ≤ total.

Unlike Koordinator, whose first-level quotas hang under an implicit cluster root that is
exempt from the min-sum and key rules, a ``QuotaTree`` read from an ``ElasticQuotaTree`` has an
explicit root with its own ``min`` and ``max``: its children are checked against it like any
other parent's. A tree whose root is marked ``implicit_root`` (the tree of Koordinator's flat
``ElasticQuota`` objects) is checked as Koordinator checks it: in every profile, no rule
relates the root to its children (no min-sum at the root, no min-key or max-key rule and no
max comparison between a first-level quota and the root), and the root's own min (the sum of
its children's) needs no max key; ``STRICT`` still compares the root's min with the total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from invsched._validators import (
    check_enum,
    check_instance,
    enum_field,
    field_path,
    render,
    to_tuple,
    tuple_of_field,
)
from invsched.errors import InvalidQuotaTree, InvalidRequest
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources, format_amount

__all__ = ["Profile", "Rule", "ValidationReport", "Violation", "validate_tree"]

#: How many children a min-sum message lists by name before it says "and N more"; a parent
#: with 10^5 children must not produce a megabyte-long message.
_LISTED_CHILDREN: Final = 10


class Profile(enum.Enum):
    """Which rule set :func:`validate_tree` applies (see the module docstring)."""

    KOORDINATOR = "koordinator"
    ACK_DOC = "ack-doc"
    STRICT = "strict"


class Rule(enum.Enum):
    """One validation rule; every :class:`Violation` names the rule it breaks.

    The upstream rule each member follows is named in ``docs/semantics.md`` ("Validation").
    """

    #: A quota with children lists namespaces (pods cannot bind to a parent quota).
    NAMESPACE_ON_PARENT = "namespace-on-parent"
    #: A namespace is already listed by an earlier quota (in pre-order).
    DUPLICATE_NAMESPACE = "duplicate-namespace"
    #: A ``min``, ``max`` or ``sharedWeight`` amount is below 0.
    NEGATIVE_AMOUNT = "negative-amount"
    #: ``min`` of a resource exceeds ``max`` of the same resource on one quota.
    MIN_EXCEEDS_MAX = "min-exceeds-max"
    #: A resource in ``min`` is missing from ``max`` (KOORDINATOR, STRICT).
    MIN_KEY_NOT_IN_MAX = "min-key-not-in-max"
    #: A resource in a child's ``min`` is missing from its parent's ``min`` (KOORDINATOR, STRICT).
    CHILD_MIN_KEY_NOT_IN_PARENT_MIN = "child-min-key-not-in-parent-min"
    #: A child's ``max`` keys are not its parent's ``max`` keys (KOORDINATOR, STRICT).
    MAX_KEYS_DIFFER_FROM_PARENT = "max-keys-differ-from-parent"
    #: Σ children's ``min`` exceeds the parent's ``min`` (KOORDINATOR, STRICT).
    CHILDREN_MIN_EXCEED_PARENT_MIN = "children-min-exceed-parent-min"
    #: The parent's ``min`` exceeds Σ children's ``min`` (ACK_DOC).
    PARENT_MIN_EXCEEDS_CHILDREN_MIN = "parent-min-exceeds-children-min"
    #: A child's ``max`` exceeds (or, missing, is looser than) its parent's (ACK_DOC, STRICT).
    CHILD_MAX_EXCEEDS_PARENT_MAX = "child-max-exceeds-parent-max"
    #: The root's ``min`` exceeds the cluster total (STRICT, when a total is given).
    ROOT_MIN_EXCEEDS_TOTAL = "root-min-exceeds-total"


def _check_str(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    check_instance(InvalidRequest, field_path(instance, attribute), value, str)


_check_rule = enum_field(InvalidRequest, Rule)
_check_profile = enum_field(InvalidRequest, Profile)


@attrs.frozen(kw_only=True)
class Violation:
    """One broken rule at one node (and one resource, when the rule is per resource).

    Attributes:
        rule: the rule broken.
        node: the quota's name.
        resource: the resource name, or ``""`` for rules that are not per resource.
        message: a sentence with the numbers, e.g.
            ``"algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12)"``.

    >>> v = Violation(rule=Rule.MIN_EXCEEDS_MAX, node="a", resource="cpu",
    ...               message="a: min cpu=2 exceeds max cpu=1")
    >>> str(v)
    'a: min cpu=2 exceeds max cpu=1'
    """

    rule: Rule = attrs.field(validator=_check_rule)
    node: str = attrs.field(validator=_check_str)
    resource: str = attrs.field(validator=_check_str)
    message: str = attrs.field(validator=_check_str)

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class ValidationReport:
    """Every violation found, in tree pre-order (rules in a fixed order within a node).

    Attributes:
        profile: the profile the tree was checked against.
        violations: the violations; empty when the tree is valid.

    >>> report = ValidationReport(profile=Profile.STRICT, violations=())
    >>> report.ok
    True
    >>> report.raise_if_invalid()  # nothing to raise
    """

    profile: Profile = attrs.field(validator=_check_profile)
    violations: tuple[Violation, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, Violation)
    )

    @property
    def ok(self) -> bool:
        """Whether no rule is broken."""
        return not self.violations

    def raise_if_invalid(self) -> None:
        """Raise :class:`~invsched.InvalidQuotaTree` listing every violation, if any.

        Runtime complexity: O(v) for v violations.

        Raises:
            InvalidQuotaTree: at least one violation; its ``violations`` are this report's.

        >>> v = Violation(rule=Rule.MIN_EXCEEDS_MAX, node="a", resource="cpu",
        ...               message="a: min cpu=2 exceeds max cpu=1")
        >>> try:
        ...     ValidationReport(profile=Profile.KOORDINATOR, violations=[v]).raise_if_invalid()
        ... except InvalidQuotaTree as error:
        ...     print(error)
        invalid quota tree (1 violation): a: min cpu=2 exceeds max cpu=1
        """
        if self.violations:
            raise InvalidQuotaTree(self.violations)

    def by_rule(self, rule: Rule) -> tuple[Violation, ...]:
        """The violations of one rule, in report order.

        Runtime complexity: O(v) for v violations.

        Raises:
            InvalidRequest: ``rule`` is not a :class:`Rule`.

        >>> report = ValidationReport(profile=Profile.STRICT, violations=())
        >>> report.by_rule(Rule.MIN_EXCEEDS_MAX)
        ()
        """
        check_enum(InvalidRequest, "rule", rule, Rule)
        return tuple(v for v in self.violations if v.rule is rule)


# Messages -----------------------------------------------------------------------------------


def _amount(name: str, amount: int) -> str:
    return f"{name}={format_amount(name, amount)}"


def _names(names: Sequence[str]) -> str:
    """A list of names for a message: the first ten, then "and N more"."""
    shown = repr(list(names[:_LISTED_CHILDREN]))
    if len(names) > _LISTED_CHILDREN:
        shown += f" and {len(names) - _LISTED_CHILDREN} more"
    return shown


def _children_parts(key: str, children: Sequence[QuotaNode]) -> str:
    parts = [
        f"{child.name}={format_amount(key, child.min[key])}"
        for child in children[:_LISTED_CHILDREN]
    ]
    if len(children) > _LISTED_CHILDREN:
        parts.append(f"and {len(children) - _LISTED_CHILDREN} more")
    return ", ".join(parts)


def _violation(rule: Rule, node: str, resource: str, message: str) -> Violation:
    return Violation(rule=rule, node=node, resource=resource, message=message)


# Rules, one family per function; each yields in a fixed order (sorted by resource) ----------


#: One node's amounts as plain dicts (sorted by resource, as ``Resources`` keeps them): the
#: rules look keys up many times per node, and a dict answers in O(1).
_Plain = dict[str, int]


def _plain(resources: Resources) -> _Plain:
    return dict(resources.pairs)


def _own_rules(
    node: QuotaNode,
    low: _Plain,
    high: _Plain,
    owners: Mapping[str, str],
    profile: Profile,
    *,
    implicit: bool = False,
) -> Iterator[Violation]:
    """Rules about a node on its own (Koordinator's ``validateQuotaSelfItem`` and namespaces).

    ``low`` and ``high`` are the node's ``min`` and ``max``; ``implicit`` tells that the node
    is Koordinator's implicit root, whose max is unlimited by definition.
    """
    if node.namespaces and node.children:
        # Koordinator: a pod may not bind to an is-parent quota (pod_check.go); a namespace
        # on a parent would route pods there.
        yield _violation(
            Rule.NAMESPACE_ON_PARENT,
            node.name,
            "",
            f"{node.name}: namespaces {_names(node.namespaces)} are on a quota with children "
            f"{_names(node.children)}; namespaces belong on leaves only",
        )
    for namespace in node.namespaces:
        owner = owners[namespace]
        if owner != node.name:
            # Koordinator's ValidAddQuota: "namespace %s is already bound to quota %s".
            yield _violation(
                Rule.DUPLICATE_NAMESPACE,
                node.name,
                "",
                f"{node.name}: namespace {render(namespace)} is already bound to quota "
                f"{render(owner)}",
            )
    shared = None if node.shared_weight is None else _plain(node.shared_weight)
    for label, amounts in (("min", low), ("max", high), ("sharedWeight", shared)):
        if amounts is None:
            continue
        for key, amount in amounts.items():
            if amount < 0:
                yield _violation(
                    Rule.NEGATIVE_AMOUNT,
                    node.name,
                    key,
                    f"{node.name}: {label} {_amount(key, amount)} is negative",
                )
    for key, amount in low.items():
        limit = high.get(key)
        if limit is None:
            # ACK reads a missing max key as unlimited, so min ≤ max holds; Koordinator
            # rejects the key ("is included in min, which is not included in max"), but its
            # implicit root has no max to write a key in.
            if profile is not Profile.ACK_DOC and not implicit:
                yield _violation(
                    Rule.MIN_KEY_NOT_IN_MAX,
                    node.name,
                    key,
                    f"{node.name}: resource {key} is in min but not in max",
                )
        elif amount > limit:
            yield _violation(
                Rule.MIN_EXCEEDS_MAX,
                node.name,
                key,
                f"{node.name}: min {_amount(key, amount)} exceeds max {_amount(key, limit)}",
            )


def _total_rules(root: QuotaNode, total: Resources) -> Iterator[Violation]:
    """STRICT: the root's guarantees must fit the cluster (a key missing from total is 0)."""
    for key, amount in root.min.items():
        if amount > total[key]:
            yield _violation(
                Rule.ROOT_MIN_EXCEEDS_TOTAL,
                root.name,
                key,
                f"{root.name}: min {_amount(key, amount)} exceeds the cluster total "
                f"{_amount(key, total[key])}",
            )


def _parent_relation_rules(
    child: tuple[str, _Plain, _Plain],
    parent: tuple[str, _Plain, _Plain],
    profile: Profile,
) -> Iterator[Violation]:
    """Rules relating a node to its parent, reported at the child.

    ``child`` and ``parent`` are (name, min, max).
    """
    name, low, high = child
    parent_name, parent_low, parent_high = parent
    if profile is not Profile.ACK_DOC:
        # checkSubAndParentGroupQuotaKey (quota_topology_check.go): min keys are always
        # "included"; max keys must be the same while the feature gate
        # ElasticQuotaEnableUpdateResourceKey is off, its default.
        for key in low:
            if key not in parent_low:
                yield _violation(
                    Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                    name,
                    key,
                    f"{name}: resource {key} is in min but not in the min of parent {parent_name}",
                )
        if high.keys() != parent_high.keys():
            yield _violation(
                Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                name,
                "",
                f"{name}: max keys {sorted(high)} differ from the max keys "
                f"{sorted(parent_high)} of parent {parent_name}",
            )
    if profile is not Profile.KOORDINATOR:
        # A key missing from the parent's max is unlimited there: nothing to exceed. A key
        # missing from the child's max is unlimited, which exceeds any finite parent max.
        for key, limit in parent_high.items():
            amount = high.get(key)
            if amount is None:
                yield _violation(
                    Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
                    name,
                    key,
                    f"{name}: max {key} is unlimited but the max of parent "
                    f"{parent_name} is {format_amount(key, limit)}",
                )
            elif amount > limit:
                yield _violation(
                    Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
                    name,
                    key,
                    f"{name}: max {_amount(key, amount)} exceeds the max "
                    f"{_amount(key, limit)} of parent {parent_name}",
                )


def _children_sum_rules(
    node: QuotaNode, low: _Plain, children_lows: Iterator[_Plain], tree: QuotaTree, profile: Profile
) -> Iterator[Violation]:
    """The min-sum rule between a parent and all its children, reported at the parent."""
    children_min: dict[str, int] = {}
    for child_low in children_lows:
        for key, amount in child_low.items():
            children_min[key] = children_min.get(key, 0) + amount
    for key in sorted(children_min.keys() | low.keys()):
        total, own = children_min.get(key, 0), low.get(key, 0)
        if profile is Profile.ACK_DOC:
            if own > total:
                yield _violation(
                    Rule.PARENT_MIN_EXCEEDS_CHILDREN_MIN,
                    node.name,
                    key,
                    f"{node.name}: min {_amount(key, own)} exceeds the sum of children's min "
                    f"{_amount(key, total)} ({_children_parts(key, tree.children(node.name))})",
                )
        elif total > own:
            # checkMinQuotaValidate (quota_topology_check.go) checks this from both sides, as
            # "all brothers' MinQuota > parent MinQuota" and "all children's MinQuota >
            # current MinQuota"; on a whole tree both are this one inequality.
            yield _violation(
                Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                node.name,
                key,
                f"{node.name}: sum of children's min {_amount(key, total)} exceeds min "
                f"{_amount(key, own)} ({_children_parts(key, tree.children(node.name))})",
            )


def _check_arguments(tree: object, profile: object, total: object) -> None:
    if not isinstance(tree, QuotaTree):
        raise InvalidRequest("tree", f"expected a QuotaTree, got {type(tree).__name__}")
    if not isinstance(profile, Profile):
        raise InvalidRequest("profile", f"expected a Profile, got {render(profile)}")
    if total is None:
        return
    if not isinstance(total, Resources):
        raise InvalidRequest(
            "total", f"expected Resources, got {type(total).__name__} {render(total)}"
        )
    if profile is not Profile.STRICT:
        # Only STRICT compares the root with the cluster; ignoring the argument would let a
        # caller believe the capacity was checked.
        raise InvalidRequest(
            "total", f"is checked only by Profile.STRICT, not by Profile.{profile.name}"
        )
    negative = total.negative_keys()
    if negative:
        key = negative[0]
        raise InvalidRequest(
            f"total.{key}", f"must not be negative, got {_amount(key, total[key])}"
        )


def validate_tree(
    tree: QuotaTree, profile: Profile = Profile.KOORDINATOR, *, total: Resources | None = None
) -> ValidationReport:
    """Check a quota tree against a rule profile and report every violation at once.

    Args:
        tree: the tree (structurally sound by construction).
        profile: the rule set; see the module docstring.
        total: the cluster's capacity (milli-units; a missing key is 0). Only with
            ``Profile.STRICT``, where the root's min must fit it.

    Returns:
        A :class:`ValidationReport`. Violations are grouped by node in tree pre-order; within
        a node: its own rules (namespaces, negative amounts, min against max), the cluster
        total (root only), its rules against its parent (min keys, max keys, max values),
        then the min-sum rule over its children; resources in sorted order within a rule.

    Raises:
        InvalidRequest: ``tree`` is not a ``QuotaTree``, ``profile`` not a ``Profile``,
            ``total`` not ``Resources``, negative, or given with a profile other than STRICT.

    Runtime complexity: O(n · r) for n nodes and r resource names per node.

    >>> import yaml, pathlib
    >>> docs = list(yaml.safe_load_all(pathlib.Path("examples/elasticquotatree.yaml").read_text()))
    >>> report = validate_tree(QuotaTree.from_manifest(docs[-1]))
    >>> for violation in report.violations:
    ...     print(violation)
    algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12)
    algorithm: sum of children's min memory=27Gi exceeds min memory=25Gi (text=15Gi, video=12Gi)
    >>> validate_tree(QuotaTree.from_manifest(docs[-1]), Profile.ACK_DOC).ok
    True
    """
    _check_arguments(tree, profile, total)
    nodes = tree.nodes
    owners: dict[str, str] = {}
    for node in nodes:
        for namespace in node.namespaces:
            owners.setdefault(namespace, node.name)
    position = {node.name: index for index, node in enumerate(nodes)}
    lows = [_plain(node.min) for node in nodes]
    highs = [_plain(node.max) for node in nodes]
    # Koordinator's implicit root (pkg/webhook/elasticquota/quota_topology_check.go): a quota
    # whose parent is koordinator-root-quota skips the key rules and the min-sum check, so
    # that a shrinking cluster never blocks an update of a first-level quota.
    implicit = tree.implicit_root
    violations: list[Violation] = []
    for index, node in enumerate(nodes):
        low, high = lows[index], highs[index]
        violations.extend(
            _own_rules(node, low, high, owners, profile, implicit=implicit and index == 0)
        )
        if node.parent is None:
            if total is not None:
                violations.extend(_total_rules(node, total))
        elif not (implicit and node.parent == nodes[0].name):
            parent = position[node.parent]
            violations.extend(
                _parent_relation_rules(
                    (node.name, low, high), (node.parent, lows[parent], highs[parent]), profile
                )
            )
        if node.children and not (implicit and index == 0):
            children_lows = (lows[position[child]] for child in node.children)
            violations.extend(_children_sum_rules(node, low, children_lows, tree, profile))
    return ValidationReport(profile=profile, violations=violations)
