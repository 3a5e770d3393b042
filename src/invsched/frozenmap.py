"""``FrozenMap``: an immutable, hashable mapping for record fields (labels, per-cluster results).

Records are frozen and their fields hashable, so a mapping field cannot be a ``dict``. Unlike
:class:`~invsched.resources.Resources` (whose missing keys read as 0), a ``FrozenMap`` is an
ordinary mapping: a missing key is a ``KeyError``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from invsched.errors import InvalidRequest

__all__ = ["FrozenMap"]

_K = TypeVar("_K")
_V = TypeVar("_V")


def _kind(value: object) -> str:
    return type(value).__name__


def _kinds(values: Iterable[object]) -> str:
    """The distinct type names of ``values``, sorted, at most five (messages stay short)."""
    names = sorted({_kind(value) for value in values})
    return ", ".join(names[:5]) + (", …" if len(names) > 5 else "")


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


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
        InvalidRequest: not a mapping or ``(key, value)`` pairs, keys that are not hashable
            or cannot be ordered against each other, or values that are not hashable (the
            map is hashed whole, so every value must be).
    """

    __slots__ = ("_hash", "_lookup", "_pairs")

    def __init__(self, value: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = (), /) -> None:
        if isinstance(value, Mapping):
            pairs: list[tuple[_K, _V]] = list(value.items())
        elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            # A string would iterate into characters; refuse it as a whole.
            raise InvalidRequest(
                "FrozenMap", f"expected a mapping or (key, value) pairs, got {_kind(value)}"
            )
        else:
            pairs = []
            for pair in value:
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise InvalidRequest(
                        "FrozenMap",
                        f"expected (key, value) pairs, got an item of type {_kind(pair)}",
                    )
                pairs.append((pair[0], pair[1]))
        try:
            lookup = dict(pairs)
        except TypeError:
            kinds = _kinds(key for key, _ in pairs if not isinstance(key, Hashable))
            raise InvalidRequest("FrozenMap", f"keys must be hashable, got {kinds}") from None
        try:
            ordered = tuple(sorted(lookup.items(), key=_first))
        except TypeError:
            kinds = _kinds(lookup)
            raise InvalidRequest(
                "FrozenMap", f"keys must be mutually comparable, got {kinds}"
            ) from None
        try:
            # Hashed now, not on first use: an unhashable value is refused where it enters.
            digest = hash(ordered)
        except TypeError:
            kinds = _kinds(item for _, item in ordered if not _hashable(item))
            raise InvalidRequest("FrozenMap", f"values must be hashable, got {kinds}") from None
        self._pairs: tuple[tuple[_K, _V], ...] = ordered
        self._lookup: dict[_K, _V] = lookup
        self._hash: int = digest

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
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._lookup!r})"
