"""Reading Kubernetes manifests (multi-document YAML) into invsched records.

This module and :mod:`invsched.cli` are the only places that touch files. YAML is read the
way Kubernetes reads it (:mod:`invsched._yaml`: the YAML 1.2 core schema, duplicate keys
refused, libyaml's C parser when PyYAML has it), from PyYAML.

Entry points:

* :func:`load_files` reads several files (or ``"-"`` for standard input) as one stream,
  every error naming its file: what a command uses;
* :func:`load_file` reads a path, or standard input for ``"-"``;
* :func:`loads` reads YAML text;
* :func:`load` and :func:`load_documents` keep the older behaviour of guessing whether a
  ``str`` is a path or text (a ``str`` naming an existing file is read as a path): prefer the
  two above, which never mistake a missing file for YAML text.

The kinds read are listed in one table (``_KINDS``), each read by its own module: the quota
kinds (:mod:`invsched.manifests.quota`), the job kinds and ``PriorityClass``
(:mod:`invsched.manifests.jobs`, with a pod's effective request in
:mod:`invsched.manifests.pods`), ``ClusterState`` (:mod:`invsched.manifests.state`), the
placement kinds and ``Fleet``, ``Scenario``. Objects of any other kind are listed as
:class:`SkippedObject`. Some kinds are finished only once the whole stream is read: flat
``ElasticQuota`` objects become one tree, and a job's ``priorityClassName`` may name a class
written after it.

Input is bounded (:data:`MAX_BYTES`, and the depth, integer and alias limits of
:mod:`invsched._yaml`). Every error is an :class:`~invsched.InvalidManifest` naming the
document index (its position in the stream, empty documents included) and the field path,
or the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import attrs

from invsched._validators import (
    check_dns_label,
    instance_field,
    names_field,
    optional,
    render,
    to_tuple,
    tuple_of_field,
)
from invsched.admission.units import QueueUnit
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidQuotaTree, InvalidRequest
from invsched.manifests import _read, fleet, jobs, placement, quota, state, workloads
from invsched.manifests._read import MAX_BYTES, STDIN
from invsched.manifests._stream import Collected, Place, SkippedObject
from invsched.manifests._walk import Field
from invsched.manifests.fleet import FleetObject
from invsched.manifests.jobs import PriorityClass
from invsched.manifests.placement import (
    LabelRequirement,
    LabelSelector,
    MatchPriority,
    PolicyMatch,
    PolicyObject,
    PolicyScope,
    ResourceSelector,
    SelectorOperator,
    policy_for,
)
from invsched.manifests.pods import pod_request
from invsched.manifests.quota import ROOT_QUOTA
from invsched.manifests.scenario import (
    ScenarioObject,
    TraceSource,
    load_scenario,
    load_scenario_object,
    read_scenario,
    resolve_scenario,
)
from invsched.manifests.state import ClusterState
from invsched.manifests.workloads import WorkloadObject
from invsched.quota.tree import QuotaTree

__all__ = [
    "MAX_BYTES",
    "ROOT_QUOTA",
    "STDIN",
    "ClusterState",
    "FleetObject",
    "LabelRequirement",
    "LabelSelector",
    "Manifests",
    "MatchPriority",
    "PolicyMatch",
    "PolicyObject",
    "PolicyScope",
    "PriorityClass",
    "ResourceSelector",
    "ScenarioObject",
    "SelectorOperator",
    "SkippedObject",
    "TraceSource",
    "WorkloadObject",
    "load",
    "load_documents",
    "load_file",
    "load_files",
    "load_scenario",
    "load_scenario_object",
    "loads",
    "pod_request",
    "policy_for",
    "read_scenario",
    "resolve_scenario",
]

_T = TypeVar("_T")


@attrs.frozen(kw_only=True)
class Manifests:
    """What a stream of manifests holds, by kind.

    Attributes:
        quota_tree: the ``ElasticQuotaTree`` (at most one, as ACK requires), or the tree of
            Koordinator's flat ``ElasticQuota`` objects under its implicit root, if any
            (:mod:`invsched.manifests.quota`).
        namespaces: the names of ``Namespace`` documents (DNS-1123 labels), in order.
        skipped: the objects of kinds no decision reads, in stream order.
        units: one pending :class:`~invsched.admission.QueueUnit` per ``RayJob``, ``Job``,
            ``PyTorchJob`` and bare ``Pod``, in stream order (:mod:`invsched.manifests.jobs`).
        priority_classes: the ``PriorityClass`` objects, in stream order.
        cluster_state: the ``ClusterState`` (the cluster's total and its running units), if
            any (at most one; :mod:`invsched.manifests.state`).
        policies: the ``PropagationPolicy`` and ``ClusterPropagationPolicy`` objects (Karmada's
            and ACK One's), in stream order (:mod:`invsched.manifests.placement`).
        workloads: the ``Deployment`` and ``StatefulSet`` objects, in stream order
            (:mod:`invsched.manifests.workloads`).
        fleet: the ``Fleet``, if any (at most one; :mod:`invsched.manifests.fleet`).
        scenario: the ``Scenario``, if any (at most one; :mod:`invsched.manifests.scenario`).

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
    units: tuple[QueueUnit, ...] = attrs.field(
        default=(), converter=to_tuple, validator=tuple_of_field(InvalidManifest, QueueUnit)
    )
    priority_classes: tuple[PriorityClass, ...] = attrs.field(
        default=(), converter=to_tuple, validator=tuple_of_field(InvalidManifest, PriorityClass)
    )
    cluster_state: ClusterState | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidManifest, ClusterState))
    )
    policies: tuple[PolicyObject, ...] = attrs.field(
        default=(), converter=to_tuple, validator=tuple_of_field(InvalidManifest, PolicyObject)
    )
    workloads: tuple[WorkloadObject, ...] = attrs.field(
        default=(), converter=to_tuple, validator=tuple_of_field(InvalidManifest, WorkloadObject)
    )
    fleet: FleetObject | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidManifest, FleetObject))
    )
    scenario: ScenarioObject | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidManifest, ScenarioObject))
    )


def _in_document(place: Place, build: Callable[[], _T]) -> _T:
    """Run ``build()``, placing any error about the object in the object's ``place``."""
    try:
        return build()
    except InvalidManifest as error:
        raise place.error(error.field, error.reason) from None
    except InvalidQuantity as error:
        raise place.error(
            error.field, f"invalid quantity {render(error.value)}: {error.reason}"
        ) from None
    except InvalidQuotaTree as error:  # pragma: no cover - the manifest reader reports first
        raise place.error("spec.root", str(error)) from None
    except InvalidRequest as error:  # pragma: no cover - readers check fields before records
        raise place.error("", str(error)) from None


def _group(api_version: str) -> str:
    """The API group of an ``apiVersion`` (``""`` for the core group's ``v1``)."""
    group, slash, _ = api_version.rpartition("/")
    return group if slash else ""


#: How the objects of one kind are collected: the slot they fill (a :class:`Manifests` field,
#: or a draft slot that a finishing step of :data:`_FINISHERS` turns into fields), and whether
#: a stream holds at most one of them.
@attrs.frozen
class _Kind:
    slot: str
    read: Callable[[Field], object]
    single: bool = False


def _namespace(document: Field) -> str:
    return document["metadata"]["name"].label()


#: The kinds read, by API group and kind. Each reader takes the whole object (a
#: :class:`~invsched.manifests._walk.Field` at the empty path) and returns its record.
_KINDS: Final[dict[tuple[str, str], _Kind]] = {
    ("scheduling.sigs.k8s.io", "ElasticQuotaTree"): _Kind(
        quota._TREE_SLOT, quota._read_elastic_quota_tree, True
    ),
    ("scheduling.sigs.k8s.io", "ElasticQuota"): _Kind(quota._FLAT_SLOT, quota._read_elastic_quota),
    ("", "Namespace"): _Kind("namespaces", _namespace),
    ("ray.io", "RayJob"): _Kind(jobs._UNIT_SLOT, jobs._read_ray_job),
    ("batch", "Job"): _Kind(jobs._UNIT_SLOT, jobs._read_job),
    ("kubeflow.org", "PyTorchJob"): _Kind(jobs._UNIT_SLOT, jobs._read_pytorch_job),
    ("", "Pod"): _Kind(jobs._UNIT_SLOT, jobs._read_pod),
    ("scheduling.k8s.io", "PriorityClass"): _Kind(jobs._CLASS_SLOT, jobs._read_priority_class),
    ("invsched.io", "ClusterState"): _Kind(state._STATE_SLOT, state._read_cluster_state, True),
    ("policy.karmada.io", "PropagationPolicy"): _Kind("policies", placement._read_policy),
    ("policy.karmada.io", "ClusterPropagationPolicy"): _Kind("policies", placement._read_policy),
    ("policy.one.alibabacloud.com", "PropagationPolicy"): _Kind("policies", placement._read_policy),
    ("policy.one.alibabacloud.com", "ClusterPropagationPolicy"): _Kind(
        "policies", placement._read_policy
    ),
    ("apps", "Deployment"): _Kind("workloads", workloads._read_workload),
    ("apps", "StatefulSet"): _Kind("workloads", workloads._read_workload),
    ("invsched.io", "Fleet"): _Kind("fleet", fleet._read_fleet, True),
    ("invsched.io", "Scenario"): _Kind("scenario", read_scenario, True),
}

#: The steps that turn draft slots into :class:`Manifests` fields once the whole stream is
#: read (a tree from flat quotas, units whose priority names a class written later). Each
#: takes everything collected and returns the fields it fills.
_FINISHERS: Final[tuple[Callable[[Collected], Mapping[str, object]], ...]] = (
    quota._finish_quota,
    jobs._finish_units,
    state._finish_state,
)


def _finished(
    finish: Callable[[Collected], Mapping[str, object]], collected: Collected
) -> Mapping[str, object]:
    """Run a finishing step; an error it does not place itself (an amount summed beyond
    10^100) still comes out as an :class:`~invsched.InvalidManifest`."""
    try:
        return finish(collected)
    except (InvalidQuantity, InvalidQuotaTree, InvalidRequest) as error:
        raise InvalidManifest("", str(error)) from None


class _Reader:
    """Collects the objects of a stream (one or several files), by kind."""

    def __init__(self) -> None:
        self.collected = Collected()
        #: (order in the stream, record) of every object no decision reads.
        self.skipped: list[tuple[int, SkippedObject]] = []

    def read(self, documents: list[object], source: str | None) -> None:
        """Read every document of one file (or text); ``source`` names the file."""
        for index, document in enumerate(documents):
            if document is None:
                continue
            place = Place(source=source, document=index)
            if not isinstance(document, Mapping):
                raise place.error("", f"expected a mapping, got {type(document).__name__}")
            if document.get("kind") != "List":
                self.add(place, document)
                continue
            # What `kubectl get ... -o yaml` prints for several objects: read its items.
            items = document.get("items")
            if not isinstance(items, list):
                got = "null" if items is None else type(items).__name__
                raise place.error("items", f"expected a list of objects, got {got}")
            for position, item in enumerate(items):
                where = Place(source=source, document=index, prefix=f"items[{position}]")
                if not isinstance(item, Mapping):
                    raise where.error("", f"expected a mapping, got {type(item).__name__}")
                if item.get("kind") == "List":
                    raise where.error("kind", "a List inside a List")
                self.add(where, item)

    def add(self, place: Place, document: Mapping[Any, Any]) -> None:
        """Read one object with its kind's reader, or list it as skipped."""
        order = self.collected.next_order()
        kind = document.get("kind")
        if not isinstance(kind, str) or not kind:
            raise place.error(
                "kind", f"expected the object's kind (a non-empty string), got {render(kind)}"
            )
        api_version = document.get("apiVersion", "")
        if not isinstance(api_version, str):
            raise place.error("apiVersion", f"expected a string, got {render(api_version)}")
        found = _KINDS.get((_group(api_version), kind))
        if found is None and not api_version:
            # A hand-written object without apiVersion is read by its kind alone.
            found = next((k for (_, name), k in _KINDS.items() if name == kind), None)
        if found is None:
            # Another group's kind of the same name (Volcano's Job) is not ours to read.
            metadata = document.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            self.skipped.append(
                (order, place.skipped(api_version, kind, name if isinstance(name, str) else ""))
            )
            return
        first = self.collected.first(found.slot)
        if found.single and first is not None:
            raise place.error(
                "kind", f"a second {kind} (only one is supported; the first is {first.place})"
            )
        reader = found.read
        value = _in_document(place, lambda: reader(Field(document)))
        self.collected.add(found.slot, value, place, order)

    def manifests(self) -> Manifests:
        """The :class:`Manifests` of everything read, after the finishing steps."""
        known = attrs.fields_dict(Manifests)
        fields: dict[str, Any] = {}
        # One kind per slot (several kinds may share one, as both policy kinds do).
        for kind in {kind.slot: kind for kind in _KINDS.values()}.values():
            if kind.slot not in known:
                continue  # a draft slot: a finishing step reads it
            values = [read.value for read in self.collected.get(kind.slot)]
            fields[kind.slot] = (values[0] if values else None) if kind.single else values
        skipped = list(self.skipped)
        for finish in _FINISHERS:
            found = dict(_finished(finish, self.collected))
            # A finishing step may leave objects out too: (order, SkippedObject) pairs.
            skipped.extend(cast(list[tuple[int, SkippedObject]], found.pop("skipped", [])))
            fields.update(found)
        skipped.sort(key=lambda item: item[0])
        return Manifests(skipped=[record for _, record in skipped], **fields)


def _manifests(documents: list[object], source: str | None = None) -> Manifests:
    reader = _Reader()
    reader.read(documents, source)
    return reader.manifests()


# Entry points -------------------------------------------------------------------------------


def loads(text: str | bytes) -> Manifests:
    """Read every object of a YAML stream given as text.

    Objects of the kinds listed in the module docstring are read, others listed as skipped;
    a ``List`` (what ``kubectl get -o yaml`` prints) is read for its ``items``; empty
    documents are skipped.

    Args:
        text: YAML (or JSON) text; bytes are read as UTF-8.

    Raises:
        InvalidManifest: text that is not YAML or breaks a rule of :mod:`invsched._yaml`
            (duplicate keys, unsupported tags, too deep, too many aliases, too large), a
            document that is not a mapping or has no kind, a second object of a kind allowed
            once, or a bad field; the message names the document index and the field path.
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
        return _manifests(_read.documents(_read.decode(text, "")))
    if not isinstance(text, str):
        raise InvalidRequest(
            "text", f"expected YAML text (str or bytes), got {type(text).__name__} {render(text)}"
        )
    return _manifests(_read.documents(_read.checked_text(text)))


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
        return _manifests(_read.documents(_read.read_stdin()))
    if not isinstance(path, str | os.PathLike):
        raise InvalidRequest(
            "path",
            f"expected a path (str or os.PathLike), got {type(path).__name__} {render(path)}",
        )
    return _manifests(_read.documents(_read.read_path(path)))


def _with_source(error: InvalidManifest, source: str) -> InvalidManifest:
    """``error`` naming ``source`` first (unchanged when it already names a file)."""
    if error.source is not None:
        return error
    return InvalidManifest(error.field, error.reason, error.document, source=source)


def load_files(paths: Iterable[str | os.PathLike[str]]) -> Manifests:
    """Read several files (``"-"`` for standard input, at most once) as one stream.

    The files are read in order and their objects merged as if they were one file: a tree in
    one file, jobs in another and their ``PriorityClass`` objects in a third make one
    :class:`Manifests`; so do flat ``ElasticQuota`` objects spread over several files.
    Document indices count within each file. Every error names the file first
    (``jobs.yaml: document 2: spec.entrypoint: ...``; ``<stdin>`` for standard input); a kind
    of which only one object is allowed (``ElasticQuotaTree``, ``ClusterState``), given twice,
    is an error naming both places. Skipped objects carry their file.

    Args:
        paths: the files, in order; ``"-"`` reads standard input.

    Returns:
        What the files hold, by kind (an empty :class:`Manifests` for no files).

    Raises:
        InvalidManifest: a file cannot be read (``missing.yaml: no such file``), or a
            document is refused as by :func:`loads`; the message starts with the file.
        InvalidRequest: ``paths`` is a single path instead of a sequence of them, an element
            is not a path, or ``"-"`` is given twice.

    Runtime complexity: O(total size of the files + objects read).

    >>> manifests = load_files(["examples/elasticquotatree.yaml"])
    >>> manifests.quota_tree.root.name, len(manifests.namespaces)
    ('root', 6)
    >>> try:
    ...     load_files(["examples/elasticquotatree.yaml", "examples/elasticquotatree.yaml"])
    ... except InvalidManifest as error:
    ...     print(error)  # doctest: +NORMALIZE_WHITESPACE
    examples/elasticquotatree.yaml: document 6: kind: a second ElasticQuotaTree (only one is
    supported; the first is examples/elasticquotatree.yaml, document 6)
    """
    if isinstance(paths, str | bytes | os.PathLike) or not isinstance(paths, Iterable):
        raise InvalidRequest(
            "paths", f"expected a sequence of paths, got {type(paths).__name__} {render(paths)}"
        )
    reader = _Reader()
    stdin_at: int | None = None
    for position, path in enumerate(paths):
        if isinstance(path, str) and path == "-":
            if stdin_at is not None:
                raise InvalidRequest(
                    f"paths[{position}]",
                    f"standard input ('-') can be read once; it is also paths[{stdin_at}]",
                )
            stdin_at, shown, text = position, STDIN, _read.read_stdin()
        elif isinstance(path, str | os.PathLike):
            shown, text = _read.shown(path), _read.read_path(path)
        else:
            raise InvalidRequest(
                f"paths[{position}]",
                f"expected a path (str or os.PathLike), got {type(path).__name__} {render(path)}",
            )
        try:
            reader.read(_read.documents(text), shown)
        except InvalidManifest as error:
            raise _with_source(error, shown) from None
    return reader.manifests()


def _source_text(source: object) -> str:
    """The older guess: a ``Path``, or a one-line ``str`` naming an existing file, is read as
    a path; any other ``str`` is YAML text."""
    if isinstance(source, os.PathLike):
        return _read.read_path(source)
    if isinstance(source, bytes):
        return _read.decode(source, "")
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
            return _read.read_path(source)
    return _read.checked_text(source)


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
    for index, document in enumerate(_read.documents(_source_text(source))):
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
    return _manifests(_read.documents(_source_text(source)))
