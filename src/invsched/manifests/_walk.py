"""A cursor over a parsed manifest that knows its field path.

Every kind reader walks its document through :class:`Field`: each step (``field["spec"]``,
``field.items()``) extends the path, and each typed read (``.mapping()``, ``.string()``,
``.integer()``, ``.quantities()``) raises :class:`~invsched.InvalidManifest` naming that path
(``spec.workerGroupSpecs[0].template.spec.containers[1].resources.requests.nvidia.com/gpu``)
and the rule the value breaks. Paths are strings built once per step, so a reader costs
O(fields read) whatever the depth.

>>> spec = Field({"replicas": "3"}, "spec")
>>> try:
...     spec["replicas"].integer()
... except InvalidManifest as error:
...     print(error)
spec.replicas: expected an integer, got str '3'
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from invsched._validators import check_dns_label, check_dns_subdomain, render
from invsched.errors import InvalidManifest, InvalidQuantity
from invsched.resources import Resources

__all__ = ["MISSING", "Field", "type_name"]


class _Missing:
    """The value of a field that is absent (distinct from an explicit ``null``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: The value a :class:`Field` holds for an absent key.
MISSING: Final = _Missing()


def type_name(value: object) -> str:
    """How messages name a parsed value's type: ``null``, ``str``, ``list``, ``dict``."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "mapping"
    return type(value).__name__


class Field:
    """A value read from a manifest, with the path that leads to it.

    Attributes:
        value: the parsed value, or :data:`MISSING` when the key is absent.
        path: the field path from the object's top (``""`` for the object itself).
    """

    __slots__ = ("path", "value")

    def __init__(self, value: object, path: str = "") -> None:
        self.value = value
        self.path = path

    # Navigation -----------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Field:
        """The field ``key`` of this mapping (:data:`MISSING` when absent or null-parent)."""
        value = self.value
        child: object = MISSING
        if isinstance(value, Mapping):
            child = value.get(key, MISSING)
        elif value is not MISSING and value is not None:
            self.fail(f"expected a mapping, got {type_name(value)}")
        return Field(child, f"{self.path}.{key}" if self.path else key)

    def items(self) -> Iterator[Field]:
        """The elements of this list, each with its ``[i]`` path; none when absent or null."""
        if self.value is MISSING or self.value is None:
            return iter(())
        values = self.value
        if not isinstance(values, list | tuple):
            self.fail(f"expected a list, got {type_name(values)}")
        assert isinstance(values, list | tuple)  # for the type checker
        return (Field(item, f"{self.path}[{index}]") for index, item in enumerate(values))

    @property
    def present(self) -> bool:
        """Whether the key exists with a non-null value."""
        return self.value is not MISSING and self.value is not None

    def fail(self, reason: str) -> Any:
        """Raise :class:`~invsched.InvalidManifest` at this field's path."""
        raise InvalidManifest(self.path, reason)

    # Typed reads ----------------------------------------------------------------------------

    def required(self) -> Field:
        """This field, or an error when it is absent or null."""
        if not self.present:
            self.fail("required field is missing")
        return self

    def mapping(self) -> Mapping[Any, Any]:
        """A mapping (``{}`` when absent or null)."""
        if not self.present:
            return {}
        if not isinstance(self.value, Mapping):
            self.fail(f"expected a mapping, got {type_name(self.value)}")
        return self.value  # type: ignore[return-value]

    def only(self, allowed: frozenset[str]) -> Field:
        """Reject keys of this mapping outside ``allowed`` (first unknown key, sorted)."""
        unknown = sorted(
            key if isinstance(key, str) else render(key)
            for key in self.mapping()
            if key not in allowed
        )
        if unknown:
            self[unknown[0]].fail(f"unknown field (expected one of {', '.join(sorted(allowed))})")
        return self

    def string(self, default: str | None = None) -> str:
        """A string; ``default`` when absent or null (an error if no default)."""
        if not self.present:
            if default is None:
                self.fail("required field is missing")
            return default  # type: ignore[return-value]
        if not isinstance(self.value, str):
            self.fail(f"expected a string, got {type_name(self.value)} {render(self.value)}")
        return self.value  # type: ignore[return-value]

    def boolean(self, default: bool = False) -> bool:
        """``true`` or ``false``; ``default`` when absent or null."""
        if not self.present:
            return default
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {type_name(self.value)} {render(self.value)}")
        return self.value  # type: ignore[return-value]

    def integer(self, default: int | None = None, *, minimum: int | None = None) -> int:
        """An integer (not a bool, not a float), at least ``minimum``; ``default`` if absent."""
        if not self.present:
            if default is None:
                self.fail("required field is missing")
            return default  # type: ignore[return-value]
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"expected an integer, got {type_name(value)} {render(value)}")
        assert isinstance(value, int)
        if minimum is not None and value < minimum:
            self.fail(f"must be at least {minimum}, got {value}")
        return value

    def name(self) -> str:
        """A DNS-1123 subdomain (``metadata.name`` of most kinds)."""
        value = None if self.value is MISSING else self.value
        try:
            return check_dns_subdomain(InvalidManifest, self.path, value)
        except InvalidManifest as error:
            raise InvalidManifest(self.path, error.reason) from None

    def label(self, default: str | None = None) -> str:
        """A DNS-1123 label (namespaces); ``default`` when absent or null."""
        if not self.present and default is not None:
            return default
        value = None if self.value is MISSING else self.value
        try:
            return check_dns_label(InvalidManifest, self.path, value)
        except InvalidManifest as error:
            raise InvalidManifest(self.path, error.reason) from None

    def strings(self) -> dict[str, str]:
        """A mapping of strings to strings (labels, annotations); ``{}`` when absent."""
        result: dict[str, str] = {}
        for key in self.mapping():
            if not isinstance(key, str):
                self.fail(f"a key must be a string, got {type_name(key)} {render(key)}")
            result[key] = self[key].string()
        return result

    def quantities(self) -> Resources:
        """A mapping of resource names to quantities (``{}`` when absent or null).

        Raises:
            InvalidManifest: not a mapping, a key that is not a non-empty string, or a
                quantity that does not parse (the path ends with the resource name).
        """
        values = self.mapping()
        for key in values:
            if not isinstance(key, str) or not key:
                self.fail(f"a resource name must be a non-empty string, got {render(key)}")
        try:
            return Resources.parse(values)
        except InvalidQuantity as error:
            where = f"{self.path}.{error.field}" if error.field else self.path
            raise InvalidManifest(
                where, f"invalid quantity {render(error.value)}: {error.reason}"
            ) from None
