"""Reading Kubernetes manifests (multi-document YAML) into invsched records.

This module and :mod:`invsched.cli` are the only places that touch files. YAML is read the
way Kubernetes reads it (:mod:`invsched._yaml`: the YAML 1.2 core schema, duplicate keys
refused, libyaml's C parser when PyYAML has it), from PyYAML.

Entry points:

* :func:`load_file` reads a path, or standard input for ``"-"``;
* :func:`loads` reads YAML text;
* :func:`load` and :func:`load_documents` keep the older behaviour of guessing whether a
  ``str`` is a path or text (a ``str`` naming an existing file is read as a path): prefer the
  two above, which never mistake a missing file for YAML text.

Input is bounded (:data:`MAX_BYTES`, and the depth, integer and alias limits of
:mod:`invsched._yaml`). Every error is an :class:`~invsched.InvalidManifest` naming the
document index (its position in the stream, empty documents included) and the field path,
or the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs

from invsched._validators import (
    check_dns_label,
    instance_field,
    names_field,
    optional,
    render,
    to_tuple,
)
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidQuotaTree, InvalidRequest
from invsched.manifests._walk import Field
from invsched.quota.tree import QuotaTree

__all__ = [
    "MAX_BYTES",
    "STDIN",
    "Manifests",
    "SkippedObject",
    "load",
    "load_documents",
    "load_file",
    "loads",
]

#: The largest input read, in bytes (a 10^5-quota tree is about 20 MB).
MAX_BYTES: Final = 64 * 2**20
#: How messages name standard input (read for the path ``"-"``).
STDIN: Final = "<stdin>"

_T = TypeVar("_T")


@attrs.frozen
class SkippedObject:
    """An object of a kind that no decision reads (a ``Service``, a ``ConfigMap``, ...).

    Commands list what they skipped, so a misspelt kind is visible rather than silent.

    Attributes:
        document: the index of its document in the stream.
        field: its path within the document (``""``, or ``items[3]`` inside a ``List``).
        api_version: its ``apiVersion`` (``""`` when absent).
        kind: its ``kind``.
        name: its ``metadata.name`` (``""`` when absent).
    """

    document: int
    field: str
    api_version: str
    kind: str
    name: str


@attrs.frozen(kw_only=True)
class Manifests:
    """What a stream of manifests holds, by kind.

    Attributes:
        quota_tree: the ``ElasticQuotaTree``, if any (at most one, as ACK requires).
        namespaces: the names of ``Namespace`` documents (DNS-1123 labels), in order.
        skipped: the objects of kinds no decision reads, in stream order.

    >>> Manifests(namespaces=["team-a"]).namespaces
    ('team-a',)
    """

    quota_tree: QuotaTree | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidManifest, QuotaTree))
    )
    namespaces: tuple[str, ...] = attrs.field(
        default=(), converter=to_tuple, validator=names_field(InvalidManifest, check_dns_label)
    )
    skipped: tuple[SkippedObject, ...] = attrs.field(default=(), converter=to_tuple)


# Reading bytes ------------------------------------------------------------------------------


def _shown(path: str | os.PathLike[str]) -> str:
    """A path as a message shows it: as is when printable, else quoted and escaped."""
    text = os.fsdecode(path)
    return text if text.isprintable() and text else render(text)


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), at most :data:`MAX_BYTES` long."""
    if len(data) > MAX_BYTES:
        raise InvalidManifest(where, f"larger than {MAX_BYTES // 2**20} MiB, the most read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidManifest(
            where, f"not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})"
        ) from None


def _read_stdin() -> str:
    stdin = sys.stdin
    if stdin is None:
        raise InvalidManifest(STDIN, "standard input is closed")
    try:
        buffer = getattr(stdin, "buffer", None)
        if buffer is None:  # a text stream without bytes underneath (a test's StringIO)
            return _checked_text(stdin.read(MAX_BYTES + 1), STDIN)
        data: bytes = buffer.read(MAX_BYTES + 1)
    except OSError as error:
        raise InvalidManifest(STDIN, f"cannot read: {error.strerror or error}") from None
    return _decode(data, STDIN)


def _read_path(path: str | os.PathLike[str]) -> str:
    where = _shown(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InvalidManifest(where, "no such file") from None
    except IsADirectoryError:
        raise InvalidManifest(where, "is a directory") from None
    except PermissionError:
        raise InvalidManifest(where, "permission denied") from None
    except OSError as error:
        raise InvalidManifest(where, f"cannot read: {error.strerror or error}") from None
    except ValueError:  # a NUL character in the path
        raise InvalidManifest(where, "not a valid path") from None
    return _decode(data, where)


def _checked_text(text: str, where: str = "") -> str:
    # Characters count at least one byte each; count bytes exactly only when it matters.
    if len(text) > MAX_BYTES or (
        len(text) > MAX_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES
    ):
        raise InvalidManifest(where, f"larger than {MAX_BYTES // 2**20} MiB, the most read")
    return text


# Parsing ------------------------------------------------------------------------------------


def _documents(text: str) -> list[object]:
    """Every document of a YAML stream (``None`` for an empty one)."""
    from invsched import _yaml  # noqa: PLC0415 (loaded only when YAML is read)

    try:
        return _yaml.parse_documents(text)
    except _yaml.YamlError as error:
        reason = error.reason
        if error.line:
            reason = f"{reason} (line {error.line}, column {error.column})"
        raise InvalidManifest(error.field, reason, document=error.document) from None


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix and field else prefix or field


def _in_document(index: int, prefix: str, build: Callable[[], _T]) -> _T:
    """Run ``build()``, placing any manifest error in document ``index`` under ``prefix``."""
    try:
        return build()
    except InvalidManifest as error:
        raise InvalidManifest(_join(prefix, error.field), error.reason, document=index) from None
    except InvalidQuantity as error:
        raise InvalidManifest(
            _join(prefix, error.field),
            f"invalid quantity {render(error.value)}: {error.reason}",
            document=index,
        ) from None
    except InvalidQuotaTree as error:  # pragma: no cover - the manifest reader reports first
        raise InvalidManifest(_join(prefix, "spec.root"), str(error), document=index) from None


def _group(api_version: str) -> str:
    """The API group of an ``apiVersion`` (``""`` for the core group's ``v1``)."""
    group, slash, _ = api_version.rpartition("/")
    return group if slash else ""


#: How the objects of one kind are collected: the :class:`Manifests` field they fill, and
#: whether a stream holds at most one of them.
@attrs.frozen
class _Kind:
    slot: str
    read: Callable[[Field], object]
    single: bool = False


def _namespace(document: Field) -> str:
    return document["metadata"]["name"].label()


def _elastic_quota_tree(document: Field) -> QuotaTree:
    return QuotaTree.from_manifest(document.value)


#: The kinds read, by API group and kind. Each reader takes the whole object (a
#: :class:`~invsched.manifests._walk.Field` at the empty path) and returns its record.
_KINDS: Final[dict[tuple[str, str], _Kind]] = {
    ("scheduling.sigs.k8s.io", "ElasticQuotaTree"): _Kind("quota_tree", _elastic_quota_tree, True),
    ("", "Namespace"): _Kind("namespaces", _namespace),
}


class _Reader:
    """Collects the objects of a stream, by kind."""

    def __init__(self) -> None:
        self.slots: dict[str, list[object]] = {}
        self.skipped: list[SkippedObject] = []

    def add(self, index: int, prefix: str, document: Mapping[Any, Any]) -> None:
        top = Field(document)
        kind = document.get("kind")
        if not isinstance(kind, str) or not kind:
            raise InvalidManifest(
                _join(prefix, "kind"),
                f"expected the object's kind (a non-empty string), got {render(kind)}",
                document=index,
            )
        api_version = document.get("apiVersion", "")
        if not isinstance(api_version, str):
            raise InvalidManifest(
                _join(prefix, "apiVersion"),
                f"expected a string, got {render(api_version)}",
                document=index,
            )
        found = _KINDS.get((_group(api_version), kind))
        if found is None and not api_version:
            # A hand-written object without apiVersion is read by its kind alone.
            found = next((k for (_, name), k in _KINDS.items() if name == kind), None)
        if found is None:
            # Another group's kind of the same name (Volcano's Job) is not ours to read.
            metadata = document.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            self.skipped.append(
                SkippedObject(
                    index, prefix, api_version, kind, name if isinstance(name, str) else ""
                )
            )
            return
        values = self.slots.setdefault(found.slot, [])
        if found.single and values:
            raise InvalidManifest(
                _join(prefix, "kind"),
                f"a second {kind} (only one is supported)",
                document=index,
            )
        values.append(_in_document(index, prefix, lambda: found.read(top)))

    def manifests(self) -> Manifests:
        fields: dict[str, Any] = {}
        for kind in _KINDS.values():
            values = self.slots.get(kind.slot, [])
            fields[kind.slot] = (values[0] if values else None) if kind.single else values
        return Manifests(skipped=self.skipped, **fields)


def _manifests(documents: list[object]) -> Manifests:
    reader = _Reader()
    for index, document in enumerate(documents):
        if document is None:
            continue
        if not isinstance(document, Mapping):
            raise InvalidManifest(
                "", f"expected a mapping, got {type(document).__name__}", document=index
            )
        if document.get("kind") != "List":
            reader.add(index, "", document)
            continue
        # What `kubectl get ... -o yaml` prints for several objects: read its items.
        items = document.get("items")
        if not isinstance(items, list):
            got = "null" if items is None else type(items).__name__
            raise InvalidManifest("items", f"expected a list of objects, got {got}", index)
        for position, item in enumerate(items):
            where = f"items[{position}]"
            if not isinstance(item, Mapping):
                raise InvalidManifest(
                    where, f"expected a mapping, got {type(item).__name__}", document=index
                )
            if item.get("kind") == "List":
                raise InvalidManifest(f"{where}.kind", "a List inside a List", document=index)
            reader.add(index, where, item)
    return reader.manifests()


# Entry points -------------------------------------------------------------------------------


def loads(text: str | bytes) -> Manifests:
    """Read every object of a YAML stream given as text.

    ``ElasticQuotaTree`` and ``Namespace`` objects are read; a ``List`` (what ``kubectl get
    -o yaml`` prints) is read for its ``items``; empty documents are skipped.

    Args:
        text: YAML (or JSON) text; bytes are read as UTF-8.

    Raises:
        InvalidManifest: text that is not YAML or breaks a rule of :mod:`invsched._yaml`
            (duplicate keys, unsupported tags, too deep, too many aliases, too large), a
            document that is not a mapping, an unknown kind, a second ``ElasticQuotaTree``,
            or a bad field; the message names the document index and the field path.
        InvalidRequest: ``text`` is neither ``str`` nor ``bytes``.

    Runtime complexity: O(size of the text + nodes of the tree).

    >>> loads("kind: Namespace\\nmetadata: {name: team-a}\\n").namespaces
    ('team-a',)
    >>> try:
    ...     loads("kind: Namespace\\nmetadata: {name: a}\\nkind: List\\n")
    ... except InvalidManifest as error:
    ...     print(error)
    document 0: kind: duplicate key (line 3, column 1)
    """
    if isinstance(text, bytes):
        return _manifests(_documents(_decode(text, "")))
    if not isinstance(text, str):
        raise InvalidRequest(
            "text", f"expected YAML text (str or bytes), got {type(text).__name__} {render(text)}"
        )
    return _manifests(_documents(_checked_text(text)))


def load_file(path: str | os.PathLike[str]) -> Manifests:
    """Read every object of a YAML file, or of standard input for ``"-"``.

    As :func:`loads`, from a file. A path that does not exist or is a directory is an error,
    never YAML text.

    Raises:
        InvalidManifest: as :func:`loads`; or the file cannot be read: ``no such file``,
            ``is a directory``, ``permission denied``, larger than :data:`MAX_BYTES`, not
            UTF-8 (the message starts with the path, ``<stdin>`` for standard input).
        InvalidRequest: ``path`` is not a ``str`` or ``os.PathLike``.

    Runtime complexity: O(size of the file + nodes of the tree).

    >>> load_file("examples/elasticquotatree.yaml").namespaces[:2]
    ('devops', 'text1')
    >>> try:
    ...     load_file("examples/missing.yaml")
    ... except InvalidManifest as error:
    ...     print(error)
    examples/missing.yaml: no such file
    """
    if path == "-":
        return _manifests(_documents(_read_stdin()))
    if not isinstance(path, str | os.PathLike):
        raise InvalidRequest(
            "path",
            f"expected a path (str or os.PathLike), got {type(path).__name__} {render(path)}",
        )
    return _manifests(_documents(_read_path(path)))


def _source_text(source: object) -> str:
    """The older guess: a ``Path``, or a one-line ``str`` naming an existing file, is read as
    a path; any other ``str`` is YAML text."""
    if isinstance(source, os.PathLike):
        return _read_path(source)
    if isinstance(source, bytes):
        return _decode(source, "")
    if not isinstance(source, str):
        raise InvalidRequest(
            "source", f"expected YAML text or a path, got {type(source).__name__} {render(source)}"
        )
    if "\n" not in source:
        try:
            is_file = Path(source).is_file()
        except (OSError, ValueError):  # a name too long for the file system, a NUL character
            is_file = False
        if is_file:
            return _read_path(source)
    return _checked_text(source)


def load_documents(source: str | Path) -> tuple[Mapping[str, Any], ...]:
    """Parse multi-document YAML (text, or a path to a file) into mappings.

    Empty documents are skipped. A ``str`` that names an existing file is read as a path;
    any other ``str`` is YAML text (prefer :func:`loads` or :func:`load_file`).

    Raises:
        InvalidManifest: the YAML does not parse or breaks a rule of :mod:`invsched._yaml`,
            or a document is not a mapping.
        InvalidRequest: ``source`` is neither text nor a path.

    Runtime complexity: O(size of the text).

    >>> load_documents("a: 1\\n---\\n---\\nb: on\\n")
    ({'a': 1}, {'b': 'on'})
    """
    documents: list[Mapping[str, Any]] = []
    for index, document in enumerate(_documents(_source_text(source))):
        if document is None:
            continue
        if not isinstance(document, Mapping):
            raise InvalidManifest(
                "", f"expected a mapping, got {type(document).__name__}", document=index
            )
        documents.append(document)
    return tuple(documents)


def load(source: str | Path) -> Manifests:
    """Read every document of a manifest stream: text, or a path to a file.

    A ``str`` that names an existing file is read as a path; any other ``str`` is YAML text.
    This guess makes a mistyped path read as YAML text: prefer :func:`load_file` for paths
    and :func:`loads` for text.

    Raises:
        InvalidManifest: as :func:`loads` and :func:`load_file`.
        InvalidRequest: ``source`` is neither text nor a path.

    Runtime complexity: O(size of the text + nodes of the tree).

    >>> load(Path("examples/elasticquotatree.yaml")).quota_tree.root.name
    'root'
    """
    return _manifests(_documents(_source_text(source)))
