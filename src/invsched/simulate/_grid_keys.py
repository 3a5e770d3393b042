"""The keys of a sweep's grid: what each sets, how it is spelt, and how its values read.

Grid keys (resource and quota names may hold dots and slashes, so a key is read against the
scenario's tree):

========================================  ==================================================
key                                       what a value sets
========================================  ==================================================
``policy``                                ``Scenario.policy``: ``Priority`` or ``Block``
``reclaim``                               ``Scenario.reclaim``: ``ToRuntime``, ``WithinMin``
                                          or ``None``
``restart``                               ``Scenario.restart``: ``FromScratch`` or ``Resume``
``interval``                              ``Scenario.interval``: seconds (≥ 0)
``oversell``                              ``Scenario.oversell``: an int ≥ 1
``total.<resource>``                      the cluster total of one resource (a quantity);
                                          the tree is unchanged, so a max below the total
                                          still caps what the quotas may use
``capacity.<resource>``                   the cluster total of one resource, with every
                                          ``min`` and ``max`` of it in the tree scaled by
                                          new total / old total (rounded down to a
                                          milli-unit): the cluster grows or shrinks and
                                          keeps its split; the question "how many GPUs do
                                          we need?"
``min.<quota>.<resource>``                one quota's ``min`` of one resource (a quantity)
``max.<quota>.<resource>``                one quota's ``max`` of one resource (a quantity)
``min[<quota>].<resource>``, ``max[…]…``  the same, with the quota's name spelt out
========================================  ==================================================

In ``total.<resource>`` and ``capacity.<resource>`` the resource is everything after the
first dot (``total.nvidia.com/gpu``). In ``min.<quota>.<resource>`` the quota is the one
prefix, cut at a dot, that names a quota of the tree, and the resource is the rest
(``min.best-effort.nvidia.com/gpu``). When no prefix names a quota the key is refused; when
more than one does (quotas ``a`` and ``a.b``, resource ``b.c/x``) it is refused as ambiguous,
and the bracket form ``min[a.b].c/x`` names the quota without reading the tree.

A point applies its ``capacity`` keys first, then the others in the grid's order, so that a
``min`` or ``max`` it sets is the amount given, not a scaled one.

Values: an enum member, or its value or name in any case, with or without ``-`` and ``_``
(``"block"``, ``"WithinMin"``, ``"within-min"``); seconds as an int, a finite float or their
text; amounts as Kubernetes quantities (``32``, ``"32"``, ``"500m"``, ``"64Gi"``), as in a
manifest. Every problem — an unknown key or quota, a bad value, a value listed twice, two
keys naming one setting, a point whose tree breaks a rule the scenario's own tree keeps,
``capacity`` of a resource the total lacks — is an :class:`~invsched.InvalidRequest` naming
the key, the value or the point.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from typing import Final, TypeAlias

import attrs

from invsched._validators import render, typed
from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidQuantity, InvalidRequest
from invsched.quantity import parse_quantity
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources, format_amount
from invsched.simulate.records import MAX_SECONDS, Restart, Scenario

__all__ = ["GridKey", "GridSetting", "GridValue"]

#: A grid value once read: an enum member, seconds, an oversell rate or milli-units.
GridValue: TypeAlias = QueuePolicy | Reclaim | Restart | int | float


class GridSetting(enum.Enum):
    """What a grid key sets."""

    #: ``Scenario.policy``.
    POLICY = "policy"
    #: ``Scenario.reclaim``.
    RECLAIM = "reclaim"
    #: ``Scenario.restart``.
    RESTART = "restart"
    #: ``Scenario.interval``.
    INTERVAL = "interval"
    #: ``Scenario.oversell``.
    OVERSELL = "oversell"
    #: One resource of ``Scenario.total``; the tree is unchanged.
    TOTAL = "total"
    #: One resource of ``Scenario.total``, with every min and max of it scaled alike.
    CAPACITY = "capacity"
    #: One resource of one quota's ``min``.
    MIN = "min"
    #: One resource of one quota's ``max``.
    MAX = "max"


#: The settings that name a resource (and, for min and max, a quota).
_AMOUNTS: Final = frozenset(
    {GridSetting.TOTAL, GridSetting.CAPACITY, GridSetting.MIN, GridSetting.MAX}
)
#: The keys that are a setting's name alone.
_PLAIN: Final = frozenset(setting.value for setting in GridSetting if setting not in _AMOUNTS)
#: The enum each enum-valued setting takes.
_ENUMS: Final[Mapping[GridSetting, type[QueuePolicy] | type[Reclaim] | type[Restart]]] = {
    GridSetting.POLICY: QueuePolicy,
    GridSetting.RECLAIM: Reclaim,
    GridSetting.RESTART: Restart,
}
#: The grammar, as error messages list it.
_KEYS_HELP: Final = (
    "policy, reclaim, restart, interval, oversell, total.<resource>, capacity.<resource>, "
    "min.<quota>.<resource> or max.<quota>.<resource>"
)


@attrs.frozen(kw_only=True)
class GridKey:
    """A grid key, read: the setting, and the quota and resource it is about.

    The keys: ``policy``, ``reclaim``, ``restart``, ``interval``, ``oversell`` (the scenario's
    fields); ``total.<resource>`` (the total only); ``capacity.<resource>`` (the total, with
    every min and max of the resource in the tree scaled by new / old total, rounded down);
    ``min.<quota>.<resource>`` and ``max.<quota>.<resource>`` (one amount of one quota), or
    ``min[<quota>].<resource>`` to spell the quota out. After ``total.`` or ``capacity.`` the
    resource is the rest of the key; after ``min.``/``max.`` the quota is the one prefix, cut
    at a dot, that names a quota of the tree (none: unknown; several: ambiguous). Values are
    enum values in any case (``block``, ``within-min``), seconds, or Kubernetes quantities
    (``32``, ``500m``, ``64Gi``).

    Attributes:
        text: the key as given (``"min.best-effort.nvidia.com/gpu"``).
        setting: what it sets.
        quota: the quota's name for ``min`` and ``max``, else ``None``.
        resource: the resource's name for ``total``, ``capacity``, ``min`` and ``max``, else
            ``None``.

    >>> GridKey.parse("total.nvidia.com/gpu", _doctest_tree(["team"])).resource
    'nvidia.com/gpu'
    """

    text: str
    setting: GridSetting
    quota: str | None = None
    resource: str | None = None

    @classmethod
    def parse(cls, text: object, tree: QuotaTree) -> GridKey:
        """Read a key of the grammar in the module docstring, against ``tree``'s quota names.

        Raises:
            InvalidRequest: not a string, an unknown setting, an unknown or ambiguous quota,
                a missing resource.

        Runtime complexity: O(len(text)) (one quota lookup per dot in the key).

        >>> key = GridKey.parse("min.team.nvidia.com/gpu", _doctest_tree(["team"]))
        >>> key.setting, key.quota, key.resource
        (<GridSetting.MIN: 'min'>, 'team', 'nvidia.com/gpu')
        >>> GridKey.parse("min[team].cpu", _doctest_tree(["team"])).quota
        'team'
        """
        if not isinstance(text, str):
            raise InvalidRequest("grid", f"a key must be a string, got {typed(text)}")
        head, _, rest = text.partition(".")
        bracket = head.partition("[")[0]
        if text in _PLAIN:
            return cls(text=text, setting=GridSetting(text))
        if head in (GridSetting.TOTAL.value, GridSetting.CAPACITY.value):
            return cls(text=text, setting=GridSetting(head), resource=_resource(text, rest))
        if bracket in (GridSetting.MIN.value, GridSetting.MAX.value):
            quota, resource = _quota_and_resource(text, len(bracket), tree)
            return cls(text=text, setting=GridSetting(bracket), quota=quota, resource=resource)
        raise InvalidRequest("grid", f"unknown key {render(text)}; expected {_KEYS_HELP}")

    @property
    def target(self) -> tuple[GridSetting, str | None, str | None]:
        """What the key sets, whichever way it was spelt: two keys with equal targets clash
        (``total.x`` and ``capacity.x`` both set the total of ``x``)."""
        setting = GridSetting.TOTAL if self.setting is GridSetting.CAPACITY else self.setting
        return (setting, self.quota, self.resource)

    def read(self, value: object) -> GridValue:
        """A value for this key, read and checked (see the module docstring).

        Raises:
            InvalidRequest: a value of the wrong type or out of range, naming key and value.

        Runtime complexity: O(len(value)).

        >>> key = GridKey.parse("total.nvidia.com/gpu", _doctest_tree(["team"]))
        >>> key.read("64"), key.read(8)
        (64000, 8000)
        >>> GridKey.parse("policy", _doctest_tree(["team"])).read("block")
        <QueuePolicy.BLOCK: 'Block'>
        """
        where = f"grid[{render(self.text)}]"
        kind = _ENUMS.get(self.setting)
        if kind is not None:
            return _member(where, kind, value)
        if self.setting is GridSetting.INTERVAL:
            return _seconds(where, value)
        if self.setting is GridSetting.OVERSELL:
            return _oversell(where, value)
        if type(value) not in (str, int):
            raise InvalidRequest(where, f"expected a quantity, got {typed(value)}")
        assert isinstance(value, str | int)
        try:
            amount = parse_quantity(value)
        except InvalidQuantity as error:
            raise InvalidRequest(
                where, f"invalid quantity {render(value)}: {error.reason}"
            ) from None
        if amount < 0:
            raise InvalidRequest(where, f"must not be negative, got {render(value)}")
        return amount

    def show(self, value: GridValue) -> str:
        """``value`` as text: an enum's value, seconds, or a canonical quantity.

        >>> key = GridKey.parse("total.memory", _doctest_tree(["team"]))
        >>> key.show(key.read("64Gi"))
        '64Gi'
        """
        if isinstance(value, enum.Enum):
            return str(value.value)
        if self.resource is not None and type(value) is int:
            return format_amount(self.resource, value)
        return str(value)

    def apply(self, scenario: Scenario, value: GridValue) -> Scenario:
        """``scenario`` with this key set to ``value`` (a value from :meth:`read`).

        ``min`` and ``max`` rebuild the tree with the quota's node changed
        (``attrs.evolve``); the tree's structure is unchanged, so it stays in pre-order.
        ``capacity`` scales every ``min`` and ``max`` of the resource by value / total, rounded
        down to a milli-unit: rounding down keeps Σ children's min ≤ the parent's, min ≤ max
        and a child's max ≤ its parent's wherever they held.

        Raises:
            InvalidRequest: ``capacity`` of a resource the scenario's total lacks.

        Runtime complexity: O(1) for a scenario field or the total, O(n) for a tree of n nodes.
        """
        if self.setting in _AMOUNTS:
            assert self.resource is not None
            assert type(value) is int
            total = _with(scenario.total, self.resource, value)
            if self.setting is GridSetting.TOTAL:
                return attrs.evolve(scenario, total=total)
            if self.setting is GridSetting.CAPACITY:
                tree = _scaled(scenario.tree, self.resource, value, scenario.total[self.resource])
                return attrs.evolve(scenario, total=total, tree=tree)
            assert self.quota is not None
            return attrs.evolve(scenario, tree=self._tree(scenario.tree, value))
        if isinstance(value, QueuePolicy):
            return attrs.evolve(scenario, policy=value)
        if isinstance(value, Reclaim):
            return attrs.evolve(scenario, reclaim=value)
        if isinstance(value, Restart):
            return attrs.evolve(scenario, restart=value)
        if self.setting is GridSetting.INTERVAL:
            return attrs.evolve(scenario, interval=value)
        assert type(value) is int
        return attrs.evolve(scenario, oversell=value)

    def _tree(self, tree: QuotaTree, value: int) -> QuotaTree:
        assert self.resource is not None
        nodes = list(tree.nodes)
        position = next(i for i, node in enumerate(nodes) if node.name == self.quota)
        node = nodes[position]
        if self.setting is GridSetting.MIN:
            nodes[position] = attrs.evolve(node, min=_with(node.min, self.resource, value))
        else:
            nodes[position] = attrs.evolve(node, max=_with(node.max, self.resource, value))
        # evolve keeps the tree's other fields (a Koordinator implicit root stays one).
        return attrs.evolve(tree, nodes=nodes)


def _scaled(tree: QuotaTree, resource: str, new: int, old: int) -> QuotaTree:
    """``tree`` with every min and max of ``resource`` times ``new / old``, rounded down."""
    if old == 0:
        raise InvalidRequest(
            f"grid['capacity.{resource}']",
            f"the scenario's total has no {resource} to scale the tree from",
        )

    def scale(amounts: Resources) -> Resources:
        if resource not in amounts:
            return amounts
        return _with(amounts, resource, amounts[resource] * new // old)

    return attrs.evolve(
        tree, nodes=[attrs.evolve(node, min=scale(node.min), max=scale(node.max)) for node in tree]
    )


def _resource(text: str, resource: str) -> str:
    if not resource:
        raise InvalidRequest("grid", f"key {render(text)} names no resource")
    return resource


def _quota_and_resource(text: str, start: int, tree: QuotaTree) -> tuple[str, str]:
    """The quota and resource of ``min…``/``max…`` after the setting's ``start`` characters."""
    tail = text[start:]
    if tail.startswith("["):
        quota, closed, rest = tail[1:].partition("]")
        if not closed or not rest.startswith("."):
            raise InvalidRequest(
                "grid", f"key {render(text)}: expected {text[:start]}[<quota>].<resource>"
            )
        if quota not in tree:
            raise InvalidRequest("grid", f"key {render(text)}: no quota named {render(quota)}")
        return quota, _resource(text, rest[1:])
    if not tail.startswith("."):
        raise InvalidRequest("grid", f"unknown key {render(text)}; expected {_KEYS_HELP}")
    tail = tail[1:]
    splits = [
        (tail[:cut], tail[cut + 1 :])
        for cut, char in enumerate(tail)
        if char == "." and tail[:cut] in tree and tail[cut + 1 :]
    ]
    if not splits:
        raise InvalidRequest(
            "grid", f"key {render(text)}: no quota of the tree followed by a resource"
        )
    if len(splits) > 1:
        names = ", ".join(render(quota) for quota, _ in splits)
        raise InvalidRequest(
            "grid",
            f"key {render(text)} is ambiguous: quotas {names} all match; "
            f"write {text[:start]}[<quota>].<resource>",
        )
    return splits[0]


def _member(
    where: str, kind: type[QueuePolicy] | type[Reclaim] | type[Restart], value: object
) -> QueuePolicy | Reclaim | Restart:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        wanted = _folded(value)
        for member in kind:
            if wanted in (_folded(member.name), _folded(str(member.value))):
                return member
    choices = ", ".join(str(member.value) for member in kind)
    raise InvalidRequest(where, f"unknown value {render(value)}; expected one of {choices}")


def _folded(text: str) -> str:
    """``text`` in lower case without ``-`` and ``_``: how enum spellings are compared."""
    return text.lower().replace("-", "").replace("_", "")


def _seconds(where: str, value: object) -> int | float:
    number: object = value
    if isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                raise InvalidRequest(
                    where, f"expected seconds (a number), got {render(value)}"
                ) from None
    if type(number) not in (int, float):
        raise InvalidRequest(where, f"expected seconds (a number), got {typed(value)}")
    assert isinstance(number, int | float)
    if not math.isfinite(number) or not 0 <= number <= MAX_SECONDS:
        raise InvalidRequest(where, f"must be between 0 and 10^18 seconds, got {render(value)}")
    return number


def _oversell(where: str, value: object) -> int:
    number: object = value
    # A rate has a few digits; a longer text is refused before int() (whose digit limit
    # would raise an untyped ValueError on 5,000 of them).
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        number = int(value)
    if type(number) is not int or number < 1:
        raise InvalidRequest(where, f"expected an int ≥ 1, got {typed(value)}")
    assert isinstance(number, int)
    return number


def _with(amounts: Resources, resource: str, value: int) -> Resources:
    """``amounts`` with ``resource`` set to ``value``."""
    return Resources({**dict(amounts), resource: value})


def _doctest_tree(names: Sequence[str]) -> QuotaTree:
    """A root over leaves ``names`` (each with its own namespace), for the doctests."""
    return QuotaTree.from_nodes(
        [QuotaNode(name="root", children=tuple(names))]
        + [
            QuotaNode(name=name, parent="root", namespaces=(name.replace(".", "-"),))
            for name in names
        ]
    )
