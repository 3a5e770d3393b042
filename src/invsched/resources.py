"""``Resources``: an immutable, hashable vector of named quantities in integer milli-units."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

import attrs

from invsched.errors import InvalidQuantity
from invsched.quantity import format_quantity, parse_quantity

__all__ = ["Resources", "format_amount"]

_T = TypeVar("_T")

#: Resource names whose canonical form is binary (``Gi``) rather than decimal.
_BINARY_RESOURCES = frozenset({"memory", "ephemeral-storage", "storage"})


def _to_items(value: Mapping[str, int] | Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    items: dict[str, int] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidQuantity(pair, "expected a (name, milli-units) pair")
        name, amount = pair
        if not isinstance(name, str) or not name:
            raise InvalidQuantity(name, "a resource name must be a non-empty string")
        if type(amount) is not int:
            raise InvalidQuantity(
                amount,
                f"expected an int of milli-units, got {type(amount).__name__}",
                name,
            )
        if name in items:
            raise InvalidQuantity(amount, "duplicate resource name", name)
        items[name] = amount
    return tuple(sorted(items.items()))


@attrs.frozen(init=False, repr=False)
class Resources(Mapping[str, int]):
    """An immutable mapping resource name → amount in milli-units.

    A missing key reads as 0 through ``r[name]``, but ``name in r`` tells whether the key is
    present: in a quota ``max`` a missing key means *unlimited* while an explicit 0 means
    *nothing allowed*, so the two are kept apart. Iteration is in sorted key order; equal
    mappings are equal and hash alike.

    Construct from milli-units with ``Resources({"cpu": 1500})`` or from Kubernetes quantities
    with :meth:`parse`.

    Runtime complexity: construction O(k log k); lookup O(k); arithmetic O(k₁ + k₂), for k
    keys (a handful in practice).

    >>> r = Resources.parse({"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": 16})
    >>> r["cpu"], r["nvidia.com/gpu"], r["pods"], "pods" in r
    (100000, 16000, 0, False)
    >>> str(r + Resources({"cpu": 500}))
    'cpu=100500m, memory=50Gi, nvidia.com/gpu=16'
    >>> Resources({"cpu": 1000}).fits_in(r)
    True
    """

    items_: tuple[tuple[str, int], ...]

    def __init__(self, value: Mapping[str, int] | Iterable[tuple[str, int]] = (), /) -> None:
        object.__setattr__(self, "items_", _to_items(value))

    @classmethod
    def _from_sorted_items(cls, items: tuple[tuple[str, int], ...]) -> Resources:
        """Build from pairs already sorted by unique name, with ``int`` amounts, unchecked.

        For hot loops whose amounts are computed from checked records (runtime quota over
        10^4 nodes): the constructor's checks would only repeat work there.
        """
        record = object.__new__(cls)
        object.__setattr__(record, "items_", items)
        return record

    @classmethod
    def parse(cls, value: Mapping[str, str | int], *, field: str = "") -> Resources:
        """Build from Kubernetes quantities (``{"memory": "50Gi", "cpu": 2}``).

        Raises:
            InvalidQuantity: a value does not parse; the error names ``field.<resource>``.
        """
        if not isinstance(value, Mapping):
            raise InvalidQuantity(value, f"expected a mapping, got {type(value).__name__}", field)
        out: list[tuple[str, int]] = []
        for name, text in value.items():
            where = f"{field}.{name}" if field else str(name)
            if not isinstance(name, str) or not name:
                raise InvalidQuantity(name, "a resource name must be a non-empty string", field)
            out.append((name, parse_quantity(text, field=where)))
        return cls(out)

    # Mapping protocol -------------------------------------------------------------------

    def __getitem__(self, name: str) -> int:
        for key, amount in self.items_:
            if key == name:
                return amount
        return 0

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.items_)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    @overload
    def get(self, key: str, /) -> int | None: ...
    @overload
    def get(self, key: str, default: int, /) -> int: ...
    @overload
    def get(self, key: str, default: _T, /) -> int | _T: ...
    def get(self, key: str, default: Any = None, /) -> Any:
        """The amount under ``key``, or ``default`` when the key is absent."""
        for name, amount in self.items_:
            if name == key:
                return amount
        return default

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Resources):
            return self.items_ == other.items_
        if isinstance(other, Mapping):
            return dict(self.items_) == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.items_)

    # Arithmetic ------------------------------------------------------------------------

    def __add__(self, other: Mapping[str, int]) -> Resources:
        merged = dict(self.items_)
        for name, amount in other.items():
            merged[name] = merged.get(name, 0) + amount
        return Resources(merged)

    def __sub__(self, other: Mapping[str, int]) -> Resources:
        merged = dict(self.items_)
        for name, amount in other.items():
            merged[name] = merged.get(name, 0) - amount
        return Resources(merged)

    def __neg__(self) -> Resources:
        return Resources((name, -amount) for name, amount in self.items_)

    def scaled(self, factor: int) -> Resources:
        """Every amount multiplied by the integer ``factor``."""
        if type(factor) is not int:
            raise InvalidQuantity(factor, "a scale factor must be an int")
        return Resources((name, amount * factor) for name, amount in self.items_)

    def fits_in(self, limit: Mapping[str, int], *, missing_is_unlimited: bool = False) -> bool:
        """Whether every positive amount here is ≤ the same key of ``limit``.

        A key missing from ``limit`` reads as 0, or as unlimited when ``missing_is_unlimited``
        (the reading of a quota ``max``).

        >>> Resources({"gpu": 1000}).fits_in(Resources({}))
        False
        >>> Resources({"gpu": 1000}).fits_in(Resources({}), missing_is_unlimited=True)
        True
        """
        for name, amount in self.items_:
            if amount <= 0:
                continue
            if name not in limit:
                if missing_is_unlimited:
                    continue
                return False
            if amount > limit[name]:
                return False
        return True

    def union_max(self, other: Mapping[str, int]) -> Resources:
        """Per-key maximum over the union of keys (a missing key reads as 0)."""
        merged = dict(self.items_)
        for name, amount in other.items():
            merged[name] = max(merged.get(name, 0), amount)
        return Resources(merged)

    def union_min(self, other: Mapping[str, int]) -> Resources:
        """Per-key minimum over the union of keys (a missing key reads as 0)."""
        merged = dict(self.items_)
        for name, amount in other.items():
            merged[name] = min(merged.get(name, 0), amount)
        for name in merged.keys() - other.keys():
            merged[name] = min(merged[name], 0)
        return Resources(merged)

    def without_zeros(self) -> Resources:
        """The same amounts with every zero entry dropped."""
        return Resources((name, amount) for name, amount in self.items_ if amount)

    def is_zero(self) -> bool:
        """Whether every amount is 0 (an empty vector included)."""
        return all(amount == 0 for _, amount in self.items_)

    def negative_keys(self) -> tuple[str, ...]:
        """The keys whose amount is below 0, in sorted order."""
        return tuple(name for name, amount in self.items_ if amount < 0)

    def to_quantities(self) -> dict[str, str]:
        """The amounts as canonical Kubernetes strings (memory and storage in binary form)."""
        return {
            name: format_quantity(amount, binary=name in _BINARY_RESOURCES)
            for name, amount in self.items_
        }

    def __str__(self) -> str:
        return ", ".join(f"{name}={text}" for name, text in self.to_quantities().items())

    def __repr__(self) -> str:
        return f"Resources({dict(self.items_)!r})"


def format_amount(name: str, amount: int) -> str:
    """One amount as its canonical quantity string, binary for memory and storage.

    >>> format_amount("memory", 27 * 1024**3 * 1000), format_amount("cpu", 52000)
    ('27Gi', '52')
    """
    return format_quantity(amount, binary=name in _BINARY_RESOURCES)
