"""Reading Kubernetes manifests (multi-document YAML) into invsched records.

This module and :mod:`invsched.cli` are the only places that touch files. YAML is read with
``yaml.safe_load_all`` (PyYAML, the ``[cli]`` extra). Every error is an
:class:`~invsched.InvalidManifest` naming the document index and the field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from invsched.errors import InvalidManifest, InvalidQuantity, InvalidQuotaTree
from invsched.quota.tree import QuotaTree

__all__ = ["Manifests", "load", "load_documents"]


@attrs.frozen(kw_only=True)
class Manifests:
    """What a stream of manifests holds, by kind.

    Attributes:
        quota_tree: the ``ElasticQuotaTree``, if any (at most one, as ACK requires).
        namespaces: the names of ``Namespace`` documents, in order.
    """

    quota_tree: QuotaTree | None = None
    namespaces: tuple[str, ...] = ()


def load_documents(source: str | Path) -> tuple[Mapping[str, Any], ...]:
    """Parse multi-document YAML (text, or a path to a file) into mappings.

    Empty documents are skipped. A ``str`` that names an existing file is read as a path;
    any other ``str`` is YAML text.

    Raises:
        InvalidManifest: the YAML does not parse, nests too deeply, or a document is not a
            mapping.
    """
    import yaml  # noqa: PLC0415 (optional dependency, needed only here)

    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and Path(source).is_file()
    ):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidManifest("", f"cannot read {str(source)!r}: {error}") from None
    else:
        text = source
    try:
        raw = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        raise InvalidManifest("", f"not valid YAML: {error}") from None
    except RecursionError:
        raise InvalidManifest("", "YAML nests too deeply to read") from None
    documents: list[Mapping[str, Any]] = []
    for index, document in enumerate(raw):
        if document is None:
            continue
        if not isinstance(document, Mapping):
            raise InvalidManifest(
                "", f"expected a mapping, got {type(document).__name__}", document=index
            )
        documents.append(document)
    return tuple(documents)


def load(source: str | Path) -> Manifests:
    """Read every document of a manifest stream.

    Raises:
        InvalidManifest: unreadable YAML, an unknown kind, a second ``ElasticQuotaTree``, or a
            bad field (the message names the document index and the field path).
    """
    quota_tree: QuotaTree | None = None
    namespaces: list[str] = []
    for index, document in enumerate(load_documents(source)):
        kind = document.get("kind")
        if kind == "ElasticQuotaTree":
            if quota_tree is not None:
                raise InvalidManifest(
                    "kind", "a second ElasticQuotaTree (only one is supported)", document=index
                )
            quota_tree = _with_document(index, QuotaTree.from_manifest, document)
        elif kind == "Namespace":
            metadata = document.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            if not isinstance(name, str) or not name:
                raise InvalidManifest("metadata.name", f"expected a string, got {name!r}", index)
            namespaces.append(name)
        else:
            raise InvalidManifest("kind", f"unknown kind {kind!r}", document=index)
    return Manifests(quota_tree=quota_tree, namespaces=tuple(namespaces))


def _with_document(index: int, build: Any, document: Mapping[str, Any]) -> Any:
    """Run ``build(document)``, tagging any manifest error with the document index."""
    try:
        return build(document)
    except InvalidManifest as error:
        raise InvalidManifest(error.field, error.reason, document=index) from None
    except InvalidQuantity as error:
        raise InvalidManifest(
            error.field, f"invalid quantity {error.value!r}: {error.reason}", document=index
        ) from None
    except InvalidQuotaTree as error:
        raise InvalidManifest("spec.root", str(error), document=index) from None
