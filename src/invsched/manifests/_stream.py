"""Where each object of a manifest stream came from, and the objects read so far.

A stream may span several files (:func:`invsched.manifests.load_files`). Every object read
keeps its :class:`Place` — the file, the document's index in it and, inside a ``List``, the
item's path — so that an error found only at the end of the stream (a quota whose parent is
missing, a job naming an unknown ``PriorityClass``, a second ``ClusterState``) still names the
object it is about, and a conflict names both objects.

>>> place = Place(source="jobs.yaml", document=2, prefix="items[1]")
>>> str(place)
'jobs.yaml, document 2, items[1]'
>>> print(place.error("spec.suspend", "expected true or false"))
jobs.yaml: document 2: items[1].spec.suspend: expected true or false
"""

from __future__ import annotations

from typing import Generic, TypeVar

import attrs

from invsched.errors import InvalidManifest

_T = TypeVar("_T")


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped, so that a field path made
    of a document's keys stays one readable line.

    >>> printable("spec.a\\nb"), printable("metadata.name")
    ('spec.a\\\\nb', 'metadata.name')
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def join_path(prefix: str, field: str) -> str:
    """``prefix.field``, or whichever of the two is not empty.

    >>> join_path("items[0]", "kind"), join_path("", "kind"), join_path("items[0]", "")
    ('items[0].kind', 'kind', 'items[0]')
    """
    return f"{prefix}.{field}" if prefix and field else prefix or field


@attrs.frozen
class SkippedObject:
    """An object of a kind that no decision reads (a ``Service``, a ``ConfigMap``, ...).

    Commands list what they skipped, so a misspelt kind is visible rather than silent.

    Attributes:
        document: the index of its document in its file (or text).
        field: its path within the document (``""``, or ``items[3]`` inside a ``List``).
        api_version: its ``apiVersion`` (``""`` when absent).
        kind: its ``kind``.
        name: its ``metadata.name`` (``""`` when absent).
        file: the file holding it, as messages show it (``<stdin>`` for standard input);
            ``""`` when it was read from text or by
            :func:`~invsched.manifests.load_file`.
    """

    document: int
    field: str
    api_version: str
    kind: str
    name: str
    file: str = ""


@attrs.frozen(kw_only=True)
class Place:
    """The position of one object in a stream.

    Attributes:
        source: the file (``"<stdin>"`` for standard input), or ``None`` for text.
        document: the index of its document in that file (empty documents count).
        prefix: its path inside the document: ``""``, or ``items[3]`` inside a ``List``.
    """

    source: str | None
    document: int
    prefix: str = ""

    def error(self, field: str, reason: str) -> InvalidManifest:
        """An :class:`~invsched.InvalidManifest` about ``field`` of the object here.

        Runtime complexity: O(len(field)).
        """
        return InvalidManifest(
            printable(join_path(self.prefix, field)),
            reason,
            document=self.document,
            source=self.source,
        )

    def skipped(self, api_version: str, kind: str, name: str) -> SkippedObject:
        """The :class:`SkippedObject` record of an object here that no decision reads."""
        return SkippedObject(self.document, self.prefix, api_version, kind, name, self.source or "")

    def __str__(self) -> str:
        parts = [] if self.source is None else [self.source]
        parts.append(f"document {self.document}")
        if self.prefix:
            parts.append(self.prefix)
        return ", ".join(parts)


@attrs.frozen(kw_only=True)
class Read(Generic[_T]):
    """One object read: the record its kind's reader returned, and where it came from.

    Attributes:
        value: the record.
        place: where the object is.
        order: its position among every object of the stream (0 for the first), across
            files: the order in which the objects were written.
    """

    value: _T
    place: Place
    order: int


class Collected:
    """The objects read so far, by slot (a :class:`~invsched.manifests.Manifests` field or a
    draft that a finishing step turns into one), in stream order."""

    def __init__(self) -> None:
        self._slots: dict[str, list[Read[object]]] = {}
        self._count = 0

    def next_order(self) -> int:
        """The order of the next object of the stream (read or skipped); O(1)."""
        order = self._count
        self._count += 1
        return order

    def add(self, slot: str, value: object, place: Place, order: int) -> Read[object]:
        """Record ``value`` under ``slot``; return it with its place and order.

        Runtime complexity: O(1).
        """
        read: Read[object] = Read(value=value, place=place, order=order)
        self._slots.setdefault(slot, []).append(read)
        return read

    def get(self, slot: str) -> list[Read[object]]:
        """The objects of ``slot``, in stream order (a new list; empty when none)."""
        return list(self._slots.get(slot, ()))

    def first(self, slot: str) -> Read[object] | None:
        """The first object of ``slot``, or ``None``."""
        values = self._slots.get(slot)
        return values[0] if values else None
