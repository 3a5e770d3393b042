"""One quota: ``QuotaNode``, a node of an ``ElasticQuotaTree`` (guaranteed ``min``, capped ``max``).

A node names its parent and children rather than holding them, so it depends on nothing but
``Resources`` and the validators: the manifest reader and the tree both build on it.
"""

from __future__ import annotations

from typing import Any

import attrs

from invsched._validators import (
    MAX_AMOUNT,
    bool_field,
    check_amount,
    check_dns_label,
    check_dns_subdomain,
    check_resources,
    dns_subdomain_field,
    field_path,
    names_field,
    optional,
    short,
    to_tuple,
)
from invsched.errors import InvalidManifest
from invsched.resources import Resources

__all__ = ["QuotaNode"]


def _check_resources(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """``Resources`` whose amounts are within ±10^100 (negative amounts are kept: validation
    reports them with everything else)."""
    where = field_path(instance, attribute)
    checked = check_resources(InvalidManifest, where, value, negative=True)
    for key, amount in checked.pairs:
        if not -MAX_AMOUNT < amount < MAX_AMOUNT:
            # ``Resources`` refuses such amounts itself; this keeps the record's own promise
            # even for vectors built by internal fast paths.
            check_amount(InvalidManifest, f"{where}.{short(key)}", amount, negative=True)


@attrs.frozen(kw_only=True)
class QuotaNode:
    """One quota: a team's or person's guaranteed ``min`` and capped ``max`` per resource.

    Attributes:
        name: unique in the tree; a DNS-1123 subdomain (lower-case letters, digits, ``-``
            and ``.``, at most 253 characters), as Kubernetes requires of an object name.
        min: guaranteed amounts (a missing key is 0).
        max: caps (a missing key is **unlimited**; an explicit 0 allows nothing).
        namespaces: the namespaces attached to this quota (leaves only); each a DNS-1123
            label. A sequence of names, never a bare string.
        parent: the parent's name, ``None`` for the root.
        children: the children's names, in manifest order.
        shared_weight: the weight for sharing idle capacity (Koordinator's
            ``shared-weight``); ``None`` means "equal to ``max``".
        allow_lent: whether this quota lends its idle ``min`` to others (Koordinator's
            ``allow-lent-resource``).

    Every field is checked at construction; a bad one raises
    :class:`~invsched.InvalidManifest` naming it (``QuotaNode.namespaces``). Amounts are
    bounded by ±10^100 milli-units, like every quantity.

    Runtime complexity: construction O(r + k + s) for r amounts, k children and s namespaces.

    >>> node = QuotaNode(name="video", min=Resources({"cpu": 12000}), max=Resources({"cpu": 14000}))
    >>> node.is_leaf, node.weight["cpu"]
    (True, 14000)
    >>> try:
    ...     QuotaNode(name="a", namespaces="team-a")
    ... except InvalidManifest as error:
    ...     print(error)
    QuotaNode.namespaces: expected a sequence of names, got the string 'team-a'
    """

    name: str = attrs.field(validator=dns_subdomain_field(InvalidManifest))
    min: Resources = attrs.field(factory=Resources, validator=_check_resources)
    max: Resources = attrs.field(factory=Resources, validator=_check_resources)
    namespaces: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=names_field(InvalidManifest, check_dns_label)
    )
    parent: str | None = attrs.field(
        default=None, validator=optional(dns_subdomain_field(InvalidManifest))
    )
    children: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=names_field(InvalidManifest, check_dns_subdomain)
    )
    shared_weight: Resources | None = attrs.field(
        default=None, validator=optional(_check_resources)
    )
    allow_lent: bool = attrs.field(default=True, validator=bool_field(InvalidManifest))

    @property
    def is_leaf(self) -> bool:
        """Whether the node has no children.

        >>> QuotaNode(name="a").is_leaf, QuotaNode(name="p", children=("a",)).is_leaf
        (True, False)
        """
        return not self.children

    @property
    def weight(self) -> Resources:
        """The effective shared weight: ``shared_weight`` if set, else ``max`` (Koordinator).

        >>> QuotaNode(name="a", max=Resources({"cpu": 4000})).weight
        Resources({'cpu': 4000})
        """
        return self.max if self.shared_weight is None else self.shared_weight
