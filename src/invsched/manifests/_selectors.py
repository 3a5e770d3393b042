"""Kubernetes label selectors (``matchLabels`` and ``matchExpressions``), read and matched.

Karmada's resource selectors use them to pick workloads (``LabelSelectorAsSelector``):
every ``matchLabels`` pair must be present with its value, and every expression must hold.
An empty selector matches every object.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Final, cast

import attrs

from invsched._validators import (
    check_name,
    check_printable,
    enum_field,
    mapping_field,
    name_field,
    render,
    to_frozen_map,
    to_tuple,
    tuple_of_field,
)
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.manifests._reading import build, read_choice, read_labels, read_name
from invsched.manifests._walk import Field

__all__ = [
    "SELECTOR_FIELDS",
    "LabelRequirement",
    "LabelSelector",
    "SelectorOperator",
    "read_label_selector",
]

#: The fields of a Kubernetes ``LabelSelector``.
SELECTOR_FIELDS: Final = frozenset({"matchLabels", "matchExpressions"})


def _to_labels(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return cast("FrozenMap[str, str]", to_frozen_map(value))


def _to_strings(value: Iterable[str]) -> tuple[str, ...]:
    return cast("tuple[str, ...]", to_tuple(value))


def _to_requirements(value: Iterable[LabelRequirement]) -> tuple[LabelRequirement, ...]:
    return cast("tuple[LabelRequirement, ...]", to_tuple(value))


class SelectorOperator(enum.Enum):
    """The operator of a label selector's ``matchExpressions`` entry."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"

    @property
    def takes_values(self) -> bool:
        """``IN`` and ``NOT_IN`` need values; ``EXISTS`` and ``DOES_NOT_EXIST`` take none."""
        return self in (SelectorOperator.IN, SelectorOperator.NOT_IN)


@attrs.frozen(kw_only=True)
class LabelRequirement:
    """One ``matchExpressions`` entry: ``key`` ``operator`` ``values``.

    ``IN`` and ``NOT_IN`` need at least one value; ``EXISTS`` and ``DOES_NOT_EXIST`` none
    (Kubernetes refuses the selector otherwise).

    Raises:
        InvalidRequest: a field of the wrong type, or values that break the rule above.

    >>> LabelRequirement(key="tier", operator=SelectorOperator.IN, values=["gpu"]).matches(
    ...     {"tier": "gpu"})
    True
    """

    key: str = attrs.field(validator=name_field(InvalidRequest))
    operator: SelectorOperator = attrs.field(validator=enum_field(InvalidRequest, SelectorOperator))
    values: tuple[str, ...] = attrs.field(
        default=(), converter=_to_strings, validator=tuple_of_field(InvalidRequest, str)
    )

    def __attrs_post_init__(self) -> None:
        if self.operator.takes_values and not self.values:
            raise InvalidRequest(
                "LabelRequirement.values", f"operator {self.operator.value} needs values"
            )
        if not self.operator.takes_values and self.values:
            raise InvalidRequest(
                "LabelRequirement.values",
                f"operator {self.operator.value} takes no values, got {render(self.values)}",
            )

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy the requirement (``NOT_IN`` holds when the key is absent).

        Runtime complexity: O(v) for v values.
        """
        value = labels.get(self.key)
        if self.operator is SelectorOperator.IN:
            return value is not None and value in self.values
        if self.operator is SelectorOperator.NOT_IN:
            return value is None or value not in self.values
        if self.operator is SelectorOperator.EXISTS:
            return value is not None
        return value is None


@attrs.frozen(kw_only=True)
class LabelSelector:
    """A Kubernetes label selector: every ``match_labels`` pair and every expression.

    An empty selector matches every object (Kubernetes' ``labels.Everything()``).

    >>> LabelSelector(match_labels={"app": "nginx"}).matches({"app": "nginx", "tier": "web"})
    True
    >>> LabelSelector().matches({})
    True
    """

    match_labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap,
        converter=_to_labels,
        validator=mapping_field(InvalidRequest, check_name, check_printable),
    )
    match_expressions: tuple[LabelRequirement, ...] = attrs.field(
        default=(),
        converter=_to_requirements,
        validator=tuple_of_field(InvalidRequest, LabelRequirement),
    )

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy every pair and every expression.

        Runtime complexity: O(l + e·v) for l pairs and e expressions of v values.
        """
        if any(labels.get(key) != value for key, value in self.match_labels.items()):
            return False
        return all(requirement.matches(labels) for requirement in self.match_expressions)


def read_label_selector(field: Field) -> LabelSelector:
    """Read a ``LabelSelector`` (unknown fields are errors: a selector decides what matches).

    Raises:
        InvalidManifest: an unknown field, an unknown operator, values that the operator
            does not take, or a label that is not text.

    Runtime complexity: O(size of the selector).

    >>> read_label_selector(Field({"matchExpressions": [{"key": "app", "operator": "Exists"}]},
    ...     "labelSelector")).matches({"app": "web"})
    True
    """
    field.only(SELECTOR_FIELDS)
    requirements: list[LabelRequirement] = []
    for item in field["matchExpressions"].items():
        item.only(frozenset({"key", "operator", "values"}))
        key = read_name(item["key"])
        operator = read_choice(item["operator"], SelectorOperator)
        values = tuple(value.string() for value in item["values"].items())
        if operator.takes_values and not values:
            item["values"].fail(f"operator {operator.value} needs at least one value")
        if not operator.takes_values and values:
            item["values"].fail(f"operator {operator.value} takes no values")
        requirement = partial(LabelRequirement, key=key, operator=operator, values=values)
        requirements.append(build(item, requirement))
    labels = read_labels(field["matchLabels"])
    return build(field, lambda: LabelSelector(match_labels=labels, match_expressions=requirements))
