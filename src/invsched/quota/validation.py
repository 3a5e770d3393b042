"""Quota-tree validation: every violation at once, under a chosen rule profile.

Rules always checked (Koordinator's webhook and the ACK guide agree on them):
namespaces only on leaves, each namespace on one quota, no negative amount, every ``min`` key
≤ its ``max`` when ``max`` has the key. Structural rules (unique names, one root, acyclic) are
enforced when a :class:`~invsched.quota.QuotaTree` is built.

Profiles add:

* ``KOORDINATOR`` — Koordinator's webhook (``pkg/webhook/elasticquota/quota_topology_check.go``):
  Σ children.min ≤ parent.min per resource (missing = 0); every min key is also a max key; a
  child's min keys ⊆ its parent's min keys; a child's max keys = its parent's max keys. Max
  *values* are not compared.
* ``ACK_DOC`` — the ACK guide read literally: parent.min ≤ Σ children.min and child.max ≤
  parent.max.
* ``STRICT`` — ``KOORDINATOR`` plus child.max ≤ parent.max and, when a cluster total is
  given, root.min ≤ total.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping

import attrs

from invsched.errors import InvalidQuotaTree
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources, format_amount

__all__ = ["Profile", "Rule", "ValidationReport", "Violation", "validate_tree"]


class Profile(enum.Enum):
    """Which rule set :func:`validate_tree` applies."""

    KOORDINATOR = "koordinator"
    ACK_DOC = "ack-doc"
    STRICT = "strict"


class Rule(enum.Enum):
    """One validation rule; every :class:`Violation` names the rule it breaks."""

    NAMESPACE_ON_PARENT = "namespace-on-parent"
    DUPLICATE_NAMESPACE = "duplicate-namespace"
    NEGATIVE_AMOUNT = "negative-amount"
    MIN_EXCEEDS_MAX = "min-exceeds-max"
    MIN_KEY_NOT_IN_MAX = "min-key-not-in-max"
    CHILD_MIN_KEY_NOT_IN_PARENT_MIN = "child-min-key-not-in-parent-min"
    MAX_KEYS_DIFFER_FROM_PARENT = "max-keys-differ-from-parent"
    CHILDREN_MIN_EXCEED_PARENT_MIN = "children-min-exceed-parent-min"
    PARENT_MIN_EXCEEDS_CHILDREN_MIN = "parent-min-exceeds-children-min"
    CHILD_MAX_EXCEEDS_PARENT_MAX = "child-max-exceeds-parent-max"
    ROOT_MIN_EXCEEDS_TOTAL = "root-min-exceeds-total"


@attrs.frozen(kw_only=True)
class Violation:
    """One broken rule at one node (and one resource, when the rule is per resource).

    Attributes:
        rule: the rule broken.
        node: the quota's name.
        resource: the resource name, or ``""`` for rules that are not per resource.
        message: a sentence with the numbers, e.g.
            ``"algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12)"``.
    """

    rule: Rule
    node: str
    resource: str
    message: str

    def __str__(self) -> str:
        return self.message


def _to_violation_tuple(value: Iterable[Violation]) -> tuple[Violation, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ValidationReport:
    """Every violation found, in tree pre-order (rules in a fixed order within a node)."""

    profile: Profile
    violations: tuple[Violation, ...] = attrs.field(converter=_to_violation_tuple)

    @property
    def ok(self) -> bool:
        """Whether no rule is broken."""
        return not self.violations

    def raise_if_invalid(self) -> None:
        """Raise :class:`~invsched.InvalidQuotaTree` listing every violation, if any."""
        if self.violations:
            raise InvalidQuotaTree(self.violations)

    def by_rule(self, rule: Rule) -> tuple[Violation, ...]:
        """The violations of one rule."""
        return tuple(v for v in self.violations if v.rule is rule)


def _amount(name: str, amount: int) -> str:
    return f"{name}={format_amount(name, amount)}"


def _sum(resources: list[Resources]) -> Resources:
    total: dict[str, int] = {}
    for item in resources:
        for name, amount in item.items():
            total[name] = total.get(name, 0) + amount
    return Resources(total)


def _own_rules(node: QuotaNode, owners: Mapping[str, str], profile: Profile) -> Iterator[Violation]:
    """Rules about a node on its own."""
    if node.namespaces and node.children:
        yield Violation(
            rule=Rule.NAMESPACE_ON_PARENT,
            node=node.name,
            resource="",
            message=(
                f"{node.name}: namespaces {list(node.namespaces)} are on a quota with children "
                f"{list(node.children)}; namespaces belong on leaves only"
            ),
        )
    for namespace in node.namespaces:
        owner = owners[namespace]
        if owner != node.name:
            yield Violation(
                rule=Rule.DUPLICATE_NAMESPACE,
                node=node.name,
                resource="",
                message=f"{node.name}: namespace {namespace!r} is already bound to quota {owner!r}",
            )
    for label, resources in (
        ("min", node.min),
        ("max", node.max),
        ("sharedWeight", node.shared_weight),
    ):
        if resources is None:
            continue
        for key in resources.negative_keys():
            yield Violation(
                rule=Rule.NEGATIVE_AMOUNT,
                node=node.name,
                resource=key,
                message=f"{node.name}: {label} {_amount(key, resources[key])} is negative",
            )
    for key, amount in node.min.items():
        if key not in node.max:
            if profile is not Profile.ACK_DOC:
                yield Violation(
                    rule=Rule.MIN_KEY_NOT_IN_MAX,
                    node=node.name,
                    resource=key,
                    message=f"{node.name}: resource {key} is in min but not in max",
                )
        elif amount > node.max[key]:
            yield Violation(
                rule=Rule.MIN_EXCEEDS_MAX,
                node=node.name,
                resource=key,
                message=(
                    f"{node.name}: min {_amount(key, amount)} exceeds max "
                    f"{_amount(key, node.max[key])}"
                ),
            )


def _parent_rules(
    node: QuotaNode, children: tuple[QuotaNode, ...], profile: Profile
) -> Iterator[Violation]:
    """Rules relating a parent to its children."""
    if not children:
        return
    koordinator_like = profile in (Profile.KOORDINATOR, Profile.STRICT)
    if koordinator_like:
        for child in children:
            for key in child.min:
                if key not in node.min:
                    yield Violation(
                        rule=Rule.CHILD_MIN_KEY_NOT_IN_PARENT_MIN,
                        node=child.name,
                        resource=key,
                        message=(
                            f"{child.name}: resource {key} is in min but not in the min of "
                            f"parent {node.name}"
                        ),
                    )
            if set(child.max) != set(node.max):
                yield Violation(
                    rule=Rule.MAX_KEYS_DIFFER_FROM_PARENT,
                    node=child.name,
                    resource="",
                    message=(
                        f"{child.name}: max keys {sorted(child.max)} differ from the max keys "
                        f"{sorted(node.max)} of parent {node.name}"
                    ),
                )
    children_min = _sum([child.min for child in children])
    keys = sorted(set(children_min) | set(node.min))
    for key in keys:
        total, own = children_min[key], node.min[key]
        parts = ", ".join(
            f"{child.name}={format_amount(key, child.min[key])}" for child in children
        )
        if koordinator_like and total > own:
            yield Violation(
                rule=Rule.CHILDREN_MIN_EXCEED_PARENT_MIN,
                node=node.name,
                resource=key,
                message=(
                    f"{node.name}: sum of children's min {_amount(key, total)} exceeds min "
                    f"{_amount(key, own)} ({parts})"
                ),
            )
        if profile is Profile.ACK_DOC and own > total:
            yield Violation(
                rule=Rule.PARENT_MIN_EXCEEDS_CHILDREN_MIN,
                node=node.name,
                resource=key,
                message=(
                    f"{node.name}: min {_amount(key, own)} exceeds the sum of children's min "
                    f"{_amount(key, total)} ({parts})"
                ),
            )
    if profile in (Profile.ACK_DOC, Profile.STRICT):
        for child in children:
            for key, amount in child.max.items():
                # A key missing from the parent's max is unlimited there; a key missing from
                # the child's max is unlimited, which exceeds any finite parent max.
                if key in node.max and amount > node.max[key]:
                    yield Violation(
                        rule=Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
                        node=child.name,
                        resource=key,
                        message=(
                            f"{child.name}: max {_amount(key, amount)} exceeds the max "
                            f"{_amount(key, node.max[key])} of parent {node.name}"
                        ),
                    )
            for key in sorted(set(node.max) - set(child.max)):
                yield Violation(
                    rule=Rule.CHILD_MAX_EXCEEDS_PARENT_MAX,
                    node=child.name,
                    resource=key,
                    message=(
                        f"{child.name}: max {key} is unlimited but the max of parent "
                        f"{node.name} is {format_amount(key, node.max[key])}"
                    ),
                )


def validate_tree(
    tree: QuotaTree, profile: Profile = Profile.KOORDINATOR, *, total: Resources | None = None
) -> ValidationReport:
    """Check a quota tree against a rule profile and report every violation at once.

    Args:
        tree: the tree (structurally sound by construction).
        profile: the rule set; see the module docstring.
        total: the cluster's capacity; with ``Profile.STRICT`` the root's min must fit it.

    Returns:
        A :class:`ValidationReport`; violations are in tree pre-order, and within a node:
        its own rules first, then the rules it has as a parent (on its children's keys and
        its children's min sum), then the ones about its children's max.

    Runtime complexity: O(n · r) for n nodes and r resource names.

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
    if not isinstance(profile, Profile):
        raise InvalidQuotaTree([f"profile: expected a Profile, got {profile!r}"])
    owners: dict[str, str] = {}
    for node in tree:
        for namespace in node.namespaces:
            owners.setdefault(namespace, node.name)
    violations: list[Violation] = []
    for node in tree:
        violations.extend(_own_rules(node, owners, profile))
        violations.extend(_parent_rules(node, tree.children(node.name), profile))
    if profile is Profile.STRICT and total is not None:
        root = tree.root
        for key, amount in root.min.items():
            if amount > total[key]:
                violations.append(
                    Violation(
                        rule=Rule.ROOT_MIN_EXCEEDS_TOTAL,
                        node=root.name,
                        resource=key,
                        message=(
                            f"{root.name}: min {_amount(key, amount)} exceeds the cluster "
                            f"total {_amount(key, total[key])}"
                        ),
                    )
                )
    return ValidationReport(profile=profile, violations=violations)
