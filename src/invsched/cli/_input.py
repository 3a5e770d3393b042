"""Reading a command's files: every file (or ``-``), each error naming its file.

A command takes any number of files and finds what it needs among them, whatever the split:
a tree in one file and jobs in another, or everything in one ``kubectl get -o yaml``. What
it does not read is reported as skipped (:class:`Skipped` records).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Final

import attrs

from invsched._files import shown
from invsched.cli._command import BadInput
from invsched.cli._output import listing, note
from invsched.errors import InvalidManifest
from invsched.manifests import STDIN, Manifests, load_files

__all__ = ["Inputs", "Skipped", "note_skipped", "read_inputs", "shown_path"]

#: The kind each field of ``Manifests`` holds, for the list of what a command skipped.
#: (Records that know their kind, a Deployment's or a policy's, say it themselves; a job's
#: unit does not keep whether it was a RayJob, a Job, a PyTorchJob or a Pod.)
_KIND_OF_FIELD = {
    "quota_tree": "ElasticQuotaTree",
    "namespaces": "Namespace",
    "units": "job",
    "priority_classes": "PriorityClass",
    "cluster_state": "ClusterState",
    "fleet": "Fleet",
    "scenario": "Scenario",
}


def shown_path(path: str) -> str:
    """A path as messages show it: ``<stdin>`` for ``-``, quoted when not printable.

    Runtime complexity: O(len(path)).

    >>> shown_path("-"), shown_path("a.yaml"), shown_path("a\\nb")
    ('<stdin>', 'a.yaml', "'a\\\\nb'")
    """
    return STDIN if path == "-" else shown(path)


@attrs.frozen(kw_only=True)
class Skipped:
    """An object a command did not read.

    Attributes:
        file: the file holding it (``<stdin>`` for standard input), or ``None`` when not
            known (an object of a kind another command reads: its record keeps no file).
        document: its document's index in the file, or ``None`` when not known.
        field: its path within the document (``""``, or ``items[3]`` inside a ``List``).
        api_version: its ``apiVersion`` (``""`` when absent or not known).
        kind: its kind.
        name: its name (``""`` when absent).
    """

    file: str | None
    document: int | None
    field: str
    api_version: str
    kind: str
    name: str

    def data(self) -> dict[str, Any]:
        """The machine form (the ``skipped`` items of every command's JSON)."""
        return {
            "file": self.file,
            "document": self.document,
            "field": self.field,
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
        }


def _record_name(record: object) -> str:
    if isinstance(record, str):
        return record
    name = getattr(record, "name", None)
    if isinstance(name, str):
        namespace = getattr(record, "namespace", "")
        return f"{namespace}/{name}" if isinstance(namespace, str) and namespace else name
    return ""  # a quota tree: its record keeps no metadata.name


def _record_kind(field: str, record: object) -> str:
    kind = getattr(record, "kind", None)
    scope = getattr(record, "scope", None)  # a policy: PropagationPolicy or its cluster form
    if not isinstance(kind, str) and isinstance(scope, enum.Enum):
        kind = scope.value
    return kind if isinstance(kind, str) else _KIND_OF_FIELD.get(field, field)


@attrs.frozen(kw_only=True)
class Inputs:
    """Every file a command was given, read as one stream.

    Attributes:
        files: the files, as messages show them, in order.
        manifests: what they hold, merged.
    """

    files: tuple[str, ...]
    manifests: Manifests

    @property
    def names(self) -> str:
        """The files, as messages list them (``a.yaml, b.yaml``)."""
        return ", ".join(self.files)

    def skipped(self, used: frozenset[str]) -> tuple[Skipped, ...]:
        """What a command that reads the ``Manifests`` fields ``used`` leaves out: objects of
        kinds no command reads, then objects of kinds other commands read.

        Runtime complexity: O(objects).
        """
        manifests = self.manifests
        found = [
            Skipped(
                file=item.file or None,
                document=item.document,
                field=item.field,
                api_version=item.api_version,
                kind=item.kind,
                name=item.name,
            )
            for item in manifests.skipped
        ]
        for field in attrs.fields_dict(type(manifests)):
            if field == "skipped" or field in used:
                continue
            value = getattr(manifests, field)
            records = () if value is None else value if isinstance(value, tuple) else (value,)
            found.extend(
                Skipped(
                    file=None,
                    document=None,
                    field="",
                    api_version="",
                    kind=_record_kind(field, record),
                    name=_record_name(record),
                )
                for record in records
            )
        return tuple(found)


def read_inputs(paths: Sequence[str]) -> Inputs:
    """Read every file (``-`` for standard input, at most once) as one stream.

    Raises:
        BadInput: a file cannot be read or holds a bad document; the message starts with
            the file, then the document index and the field path, then why.

    Runtime complexity: O(total size of the files).
    """
    if list(paths).count("-") > 1:
        raise BadInput("-: standard input is given twice (it can be read once)")
    try:
        manifests = load_files(paths)
    except InvalidManifest as error:
        raise BadInput(str(error)) from None
    return Inputs(files=tuple(shown_path(path) for path in paths), manifests=manifests)


#: How many names of one kind a note lists before "and N more" (10^5 Namespaces stay one
#: short line).
_NAMES_LISTED: Final = 10


def note_skipped(skipped: Sequence[Skipped], command: str) -> None:
    """Tell the person at the terminal what ``command`` skipped, one line per file and kind.

    Runtime complexity: O(len(skipped)).
    """
    groups: dict[tuple[str | None, str], list[str]] = {}
    for item in skipped:
        groups.setdefault((item.file, item.kind), []).append(item.name)
    for (file, kind), names in groups.items():
        count = len(names)
        listed = listing([name for name in names if name], _NAMES_LISTED)
        what = f"{count} {kind} object{'s' if count > 1 else ''}"
        if listed:
            what += f" ({listed})"
        where = f"{file}: " if file else ""
        it = "them" if count > 1 else "it"
        note(f"{where}skipped {what}: {command} does not read {it}")
