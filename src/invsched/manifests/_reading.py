"""Typed reads shared by the placement and fleet readers, on top of :class:`Field`.

Each helper reads one value at a field's path and raises
:class:`~invsched.InvalidManifest` naming that path, the rule and the value:

* :func:`read_name` / :func:`read_names` — names of placement objects (clusters, pools,
  nodes, instance types, regions): non-empty printable text, any script;
* :func:`read_labels` — labels (non-empty printable keys, printable values);
* :func:`read_int` — an integer within bounds (Kubernetes' ``int32`` fields);
* :func:`read_choice` — one of an enum's values, written as text;
* :func:`refuse` — a field that would change a decision and is not modelled;
* :func:`build` — a record constructor whose refusal is reported at a field's path.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Final, TypeVar, cast

from invsched._validators import check_name, render
from invsched.errors import InvalidManifest, InvalidRequest
from invsched.manifests._walk import MISSING, Field

__all__ = [
    "INT32_MAX",
    "INT32_MIN",
    "build",
    "read_choice",
    "read_int",
    "read_labels",
    "read_name",
    "read_names",
    "refuse",
]

#: Kubernetes' ``int32`` fields (``replicas``, ``maxPods``, Karmada's ``priority``).
INT32_MIN: Final = -(2**31)
INT32_MAX: Final = 2**31 - 1

_T = TypeVar("_T")
_E = TypeVar("_E", bound=enum.Enum)


def build(field: Field, construct: Callable[[], _T]) -> _T:
    """Run a record constructor, reporting a refused value at ``field``'s path.

    >>> from invsched.placement import Workload
    >>> from invsched.resources import Resources
    >>> try:
    ...     build(Field({}, "metadata"), lambda: Workload(name="w", replicas=-1,
    ...         request=Resources()))
    ... except InvalidManifest as error:
    ...     print(error)
    metadata: Workload.replicas: must be ≥ 0, got -1
    """
    try:
        return construct()
    except InvalidRequest as error:
        raise InvalidManifest(field.path, str(error)) from None


def read_name(field: Field) -> str:
    """A required name: a non-empty string of printable characters.

    >>> read_name(Field("東京", "region"))
    '東京'
    """
    return check_name(InvalidManifest, field.path, field.string())


def read_names(field: Field) -> tuple[str, ...]:
    """A list of names (``()`` when absent or null), each checked as :func:`read_name`.

    >>> read_names(Field(["a", "b"], "clusterNames"))
    ('a', 'b')
    """
    return tuple(read_name(item) for item in field.items())


def read_labels(field: Field) -> dict[str, str]:
    """Labels: non-empty printable keys, printable string values (``{}`` when absent).

    >>> read_labels(Field({"gpu": "a10", "zone": ""}, "labels"))
    {'gpu': 'a10', 'zone': ''}
    """
    labels = field.strings()
    for key, value in labels.items():
        if not key or not key.isprintable():
            field.fail(f"a label key must be non-empty printable text, got {render(key)}")
        if not value.isprintable():
            field[key].fail(f"must be printable text, got {render(value)}")
    return labels


def read_int(field: Field, default: int | None, *, minimum: int, maximum: int) -> int:
    """An integer in ``minimum … maximum`` (``default`` when absent; required when ``None``).

    >>> try:
    ...     read_int(Field(2**31, "spec.replicas"), 1, minimum=0, maximum=INT32_MAX)
    ... except InvalidManifest as error:
    ...     print(error)
    spec.replicas: must be at most 2147483647, got 2147483648
    """
    if field.present and isinstance(field.value, int) and not isinstance(field.value, bool):
        value = field.value
        if value < minimum:
            field.fail(f"must be at least {minimum}, got {render(value)}")
    else:
        value = field.integer(default)
    if value > maximum:
        field.fail(f"must be at most {maximum}, got {render(value)}")
    return value


def read_choice(field: Field, kind: type[_E], default: _E | None = None) -> _E:
    """The member of ``kind`` whose value is written (``default`` when absent; required
    when ``None``).

    >>> from invsched.placement import ReplicaSchedulingType
    >>> try:
    ...     read_choice(Field("Split", "replicaSchedulingType"), ReplicaSchedulingType)
    ... except InvalidManifest as error:
    ...     print(error)
    replicaSchedulingType: expected one of Duplicated, Divided, got 'Split'
    """
    if not field.present and default is not None:
        return default
    text = field.string()
    for member in kind:
        if member.value == text:
            return member
    choices = ", ".join(str(member.value) for member in kind)
    return cast("_E", field.fail(f"expected one of {choices}, got {render(text)}"))


def _is_empty(value: object) -> bool:
    """Absent, null, or collections holding nothing but empty collections."""
    if value is None or value is MISSING:
        return True
    if isinstance(value, Mapping):
        return all(_is_empty(item) for item in value.values())
    if isinstance(value, list):
        return not value
    return False


def refuse(field: Field, why: str) -> None:
    """An error unless ``field`` is absent or empty: it would decide, and is not modelled.

    >>> refuse(Field([], "spreadConstraints"), "spread constraints")
    >>> try:
    ...     refuse(Field([{"maxGroups": 2}], "spreadConstraints"), "spread constraints")
    ... except InvalidManifest as error:
    ...     print(error)
    spreadConstraints: not supported: spread constraints
    """
    if not _is_empty(field.value):
        field.fail(f"not supported: {why}")
