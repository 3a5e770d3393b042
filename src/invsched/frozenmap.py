"""``FrozenMap``: an immutable, hashable mapping for record fields (labels, per-cluster results).

Records are frozen and their fields hashable, so a mapping field cannot be a ``dict``. Unlike
:class:`~invsched.resources.Resources` (whose missing keys read as 0), a ``FrozenMap`` is an
ordinary mapping: a missing key is a ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from invsched.errors import InvalidRequest

__all__ = ["FrozenMap"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenMap(Mapping[_K, _V], Generic[_K, _V]):
    """An immutable, hashable mapping that iterates in sorted key order.

    Used for labels, inventory and the per-cluster results of a placement, where a record
    field must be hashable. Unlike :class:`~invsched.resources.Resources`, a missing key is
    a ``KeyError`` (it is an ordinary mapping).

    Runtime complexity: construction O(n log n); lookup O(1).

    >>> labels = FrozenMap({"zone": "b", "gpu": "a10"})
    >>> list(labels), labels["gpu"], hash(labels) == hash(FrozenMap({"gpu": "a10", "zone": "b"}))
    (['gpu', 'zone'], 'a10', True)

    Raises:
        InvalidRequest: keys that cannot be ordered against each other.
    """

    __slots__ = ("_hash", "_lookup", "_pairs")

    def __init__(self, value: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = (), /) -> None:
        lookup = dict(value.items() if isinstance(value, Mapping) else value)
        try:
            pairs = sorted(lookup.items(), key=lambda pair: pair[0])
        except TypeError:
            kinds = ", ".join(sorted({type(key).__name__ for key in lookup}))
            raise InvalidRequest("keys", f"must be mutually comparable, got {kinds}") from None
        self._pairs: tuple[tuple[_K, _V], ...] = tuple(pairs)
        self._lookup: dict[_K, _V] = dict(self._pairs)
        self._hash: int | None = None

    def __getitem__(self, key: _K) -> _V:
        return self._lookup[key]

    def __iter__(self) -> Iterator[_K]:
        return (key for key, _ in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __contains__(self, key: object) -> bool:
        return key in self._lookup

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._pairs == other._pairs
        if isinstance(other, Mapping):
            return self._lookup == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self._pairs)
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._lookup!r})"
