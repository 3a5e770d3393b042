"""The ``Scenario`` kind (``invsched.io/v1alpha1``): what a simulation runs, as a manifest.

::

    apiVersion: invsched.io/v1alpha1
    kind: Scenario
    metadata:
      name: two-teams
    spec:
      description: Two teams share 8 GPUs.   # optional text
      tree:                                  # exactly one of:
        file: tree.yaml                      #   a file holding an ElasticQuotaTree, or
        # root: {name: root, ...}            #   the tree inline, as ElasticQuotaTree spec.root
      total: {cpu: 64, nvidia.com/gpu: 8}    # optional; default: the root's max
      policy: Priority                       # Priority (default) or Block
      reclaim: ToRuntime                     # ToRuntime (default), WithinMin or None
      interval: 0                            # seconds between cycles; 0: one per event time
      restart: FromScratch                   # FromScratch (default) or Resume
      oversell: 1                            # an integer ≥ 1
      preemptWithinQuota: false
      trace:                                 # optional; exactly one of:
        file: trace.csv                      #   a trace file, with
        format: csv                          #   csv, jsonl or alibaba-v2023 (default: from
                                             #   the file's suffix), or
        # packaged: alibaba-v2023-default    #   a trace shipped with invsched

Reading the manifest reads text only: :func:`read_scenario` returns a
:class:`ScenarioObject` that keeps ``spec.tree.file`` and ``spec.trace.file`` as written.
Relative paths are relative to the directory of the file holding the scenario, which only
the caller knows: :func:`resolve_scenario` reads the tree and the trace from a given
directory, and :func:`load_scenario` does both steps for one file. Unknown fields in
``spec`` are errors. See ``docs/manifests/scenario.md``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import attrs

from invsched._validators import (
    bool_field,
    check_printable,
    dns_subdomain_field,
    enum_field,
    instance_field,
    optional,
    printable_field,
    render,
    resources_field,
    string_field,
)
from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidQuotaTree, InvalidRequest
from invsched.manifests._reading import build, read_choice, read_int
from invsched.manifests._walk import Field
from invsched.quota import QuotaTree
from invsched.quota.elasticquotatree import API_GROUP
from invsched.resources import Resources
from invsched.simulate.records import MAX_SECONDS, Job, Restart, Scenario
from invsched.simulate.scenarios import SimulationInput
from invsched.simulate.traces import (
    PackagedTrace,
    TraceFormat,
    load_packaged_trace,
    load_trace,
)

__all__ = [
    "API_VERSION",
    "ScenarioObject",
    "TraceSource",
    "load_scenario",
    "load_scenario_object",
    "read_scenario",
    "resolve_scenario",
]

#: The ``apiVersion`` of the kind.
API_VERSION: Final = "invsched.io/v1alpha1"

#: ``status`` is read past: ``kubectl get -o yaml`` prints one for every object.
_OBJECT_FIELDS: Final = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
_SPEC_FIELDS: Final = frozenset(
    {
        "description",
        "tree",
        "total",
        "policy",
        "reclaim",
        "interval",
        "restart",
        "oversell",
        "preemptWithinQuota",
        "trace",
    }
)
_TREE_FIELDS: Final = frozenset({"file", "root"})
_TRACE_FIELDS: Final = frozenset({"file", "format", "packaged"})


def _check_trace(instance: TraceSource, attribute: attrs.Attribute[Any], value: object) -> None:
    if (instance.file is None) == (instance.packaged is None):
        raise InvalidRequest("TraceSource", "give exactly one of file and packaged")
    if instance.format is not None and instance.file is None:
        raise InvalidRequest("TraceSource.format", "only a trace file has a format")


@attrs.frozen(kw_only=True)
class TraceSource:
    """Where a scenario's jobs come from: a file, or a trace shipped with the package.

    Attributes:
        file: the trace file as written (relative to the scenario's directory, or absolute).
        format: how the file is written; ``None`` tells it from the suffix.
        packaged: a packaged trace, instead of a file.

    Raises:
        InvalidRequest: both or neither of ``file`` and ``packaged``, a ``format`` without a
            file, or a field of the wrong type.

    >>> TraceSource(packaged=PackagedTrace.ALIBABA_V2023_DEFAULT).packaged.value
    'alibaba-v2023-default'
    """

    file: str | None = attrs.field(
        default=None, validator=optional(printable_field(InvalidRequest))
    )
    format: TraceFormat | None = attrs.field(
        default=None, validator=optional(enum_field(InvalidRequest, TraceFormat))
    )
    packaged: PackagedTrace | None = attrs.field(
        default=None, validator=[optional(enum_field(InvalidRequest, PackagedTrace)), _check_trace]
    )


def _check_tree(instance: ScenarioObject, attribute: attrs.Attribute[Any], value: object) -> None:
    if (instance.tree is None) == (instance.tree_file is None):
        raise InvalidRequest("ScenarioObject", "give exactly one of tree and tree_file")


def _check_interval(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) not in (int, float) or not 0 <= value <= MAX_SECONDS:  # type: ignore[operator]
        raise InvalidRequest(
            "ScenarioObject.interval", f"expected seconds in [0, 10^18], got {render(value)}"
        )


def _check_oversell(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 1:
        raise InvalidRequest("ScenarioObject.oversell", f"expected an int ≥ 1, got {render(value)}")


@attrs.frozen(kw_only=True)
class ScenarioObject:
    """A ``Scenario`` object as written: its tree inline or as a file still to read.

    Attributes:
        name: ``metadata.name``.
        description: ``spec.description`` (``""`` when absent).
        tree: the inline tree (``spec.tree.root``), or ``None`` when the tree is in a file.
        tree_file: ``spec.tree.file`` as written, or ``None`` for an inline tree.
        total: ``spec.total``, or ``None`` to use the root's max.
        policy: ``spec.policy``.
        reclaim: ``spec.reclaim``.
        interval: ``spec.interval``, seconds.
        restart: ``spec.restart``.
        oversell: ``spec.oversell``.
        preempt_within_quota: ``spec.preemptWithinQuota``.
        trace: ``spec.trace``, or ``None`` when the scenario names no trace.

    Raises:
        InvalidRequest: both or neither of ``tree`` and ``tree_file``, or a field of the
            wrong type.
    """

    name: str = attrs.field(validator=dns_subdomain_field(InvalidRequest))
    description: str = attrs.field(default="", validator=string_field(InvalidRequest))
    tree: QuotaTree | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidRequest, QuotaTree))
    )
    tree_file: str | None = attrs.field(
        default=None, validator=[optional(printable_field(InvalidRequest)), _check_tree]
    )
    total: Resources | None = attrs.field(
        default=None, validator=optional(resources_field(InvalidRequest))
    )
    policy: QueuePolicy = attrs.field(
        default=QueuePolicy.PRIORITY, validator=enum_field(InvalidRequest, QueuePolicy)
    )
    reclaim: Reclaim = attrs.field(
        default=Reclaim.TO_RUNTIME, validator=enum_field(InvalidRequest, Reclaim)
    )
    interval: int | float = attrs.field(default=0, validator=_check_interval)
    restart: Restart = attrs.field(
        default=Restart.FROM_SCRATCH, validator=enum_field(InvalidRequest, Restart)
    )
    oversell: int = attrs.field(default=1, validator=_check_oversell)
    preempt_within_quota: bool = attrs.field(default=False, validator=bool_field(InvalidRequest))
    trace: TraceSource | None = attrs.field(
        default=None, validator=optional(instance_field(InvalidRequest, TraceSource))
    )

    def scenario(self, tree: QuotaTree | None = None) -> Scenario:
        """The :class:`~invsched.simulate.Scenario` on the inline tree, or on ``tree`` (the
        one read from :attr:`tree_file`).

        Raises:
            InvalidManifest: ``spec.total`` is absent and the root has no max (no total to
                simulate on), or the tree is in a file and ``tree`` is not given.
            InvalidRequest: ``tree`` is given for a scenario with an inline tree, or an
                option the :class:`~invsched.simulate.Scenario` refuses.

        Runtime complexity: O(1).
        """
        if tree is not None and self.tree is not None:
            raise InvalidRequest("tree", "the scenario's tree is inline; give no other tree")
        chosen = self.tree if tree is None else tree
        if chosen is None:
            raise InvalidManifest(
                "spec.tree.file", f"the tree of {render(self.tree_file)} is not read yet"
            )
        total = self.total if self.total is not None else chosen.root.max
        if not total:
            raise InvalidManifest(
                "spec.total", "required when the tree's root has no max (nothing to run on)"
            )
        return Scenario(
            tree=chosen,
            total=total,
            policy=self.policy,
            reclaim=self.reclaim,
            interval=self.interval,
            restart=self.restart,
            oversell=self.oversell,
            preempt_within_quota=self.preempt_within_quota,
        )


# Reading ------------------------------------------------------------------------------------


def _moved(field: str, spec_root: str) -> str:
    """An ElasticQuotaTree field path (``spec.root.children[0]``) under ``spec_root``."""
    return spec_root + field.removeprefix("spec.root") if field.startswith("spec.root") else field


def _inline_tree(root: Field) -> QuotaTree:
    """``spec.tree.root``, read as an ElasticQuotaTree's ``spec.root``."""
    document = {
        "apiVersion": f"{API_GROUP}/v1beta1",
        "kind": "ElasticQuotaTree",
        "spec": {"root": root.value},
    }
    try:
        return QuotaTree.from_manifest(document)
    except InvalidManifest as error:
        # The reader names fields from its own spec.root, also inside a reason
        # ("first at spec.root.children[0].name").
        reason = error.reason.replace("at spec.root", f"at {root.path}")
        raise InvalidManifest(_moved(error.field, root.path), reason) from None
    except InvalidQuantity as error:
        raise InvalidManifest(
            _moved(error.field, root.path),
            f"invalid quantity {render(error.value)}: {error.reason}",
        ) from None
    except InvalidQuotaTree as error:
        raise InvalidManifest(root.path, str(error)) from None


def _path(field: Field) -> str:
    """A file path: non-empty printable text."""
    text = field.string()
    if not text:
        field.fail("expected a path, got ''")
    return check_printable(InvalidManifest, field.path, text)


def _read_tree(tree: Field) -> tuple[QuotaTree | None, str | None]:
    tree.required().only(_TREE_FIELDS)
    file, root = tree["file"], tree["root"]
    if file.present == root.present:
        tree.fail("give exactly one of file (an ElasticQuotaTree file) and root (the tree inline)")
    if file.present:
        return None, _path(file)
    return _inline_tree(root), None


def _read_trace(trace: Field) -> TraceSource | None:
    if not trace.present:
        return None
    trace.only(_TRACE_FIELDS)
    file, packaged, form = trace["file"], trace["packaged"], trace["format"]
    if file.present == packaged.present:
        trace.fail("give exactly one of file (a trace file) and packaged (a packaged trace)")
    if packaged.present:
        if form.present:
            form.fail("a packaged trace has its own format; give no format")
        return TraceSource(packaged=read_choice(packaged, PackagedTrace))
    chosen = read_choice(form, TraceFormat) if form.present else None
    return TraceSource(file=_path(file), format=chosen)


def _read_interval(field: Field) -> int | float:
    if not field.present:
        return 0
    value = field.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        field.fail(f"expected seconds (a number ≥ 0), got {render(value)}")
    assert isinstance(value, int | float)
    if isinstance(value, float) and not math.isfinite(value):
        field.fail(f"expected seconds (a number ≥ 0), got {render(value)}")
    if not 0 <= value <= MAX_SECONDS:
        field.fail(f"must be in [0, 10^18] seconds, got {render(value)}")
    return value


def _read_total(field: Field) -> Resources | None:
    if not field.present:
        return None
    total = field.quantities()
    for name in total.negative_keys():
        field[name].fail(f"must not be negative, got {render(field[name].value)}")
    return total


def read_scenario(document: Field) -> ScenarioObject:
    """Read a ``Scenario`` object (``invsched.io/v1alpha1``).

    Args:
        document: the whole object, at the empty path.

    Raises:
        InvalidManifest: another ``apiVersion``, a missing ``metadata.name`` or
            ``spec.tree``, both or neither of ``tree.file`` and ``tree.root`` (or of
            ``trace.file`` and ``trace.packaged``), an unknown field in the object or its
            ``spec``, a value of the wrong type or out of range; the message names the
            field path (``spec.tree.root.children[1].min.cpu``).

    Runtime complexity: O(size of the object).

    >>> obj = read_scenario(Field({"apiVersion": "invsched.io/v1alpha1", "kind": "Scenario",
    ...     "metadata": {"name": "tiny"},
    ...     "spec": {"tree": {"root": {"name": "root", "max": {"nvidia.com/gpu": 4},
    ...                                "namespaces": ["ml"]}},
    ...              "policy": "Block", "trace": {"file": "jobs.jsonl"}}}))
    >>> obj.scenario().policy, str(obj.scenario().total), obj.trace.file
    (<QueuePolicy.BLOCK: 'Block'>, 'nvidia.com/gpu=4', 'jobs.jsonl')
    >>> try:
    ...     read_scenario(Field({"kind": "Scenario", "metadata": {"name": "x"},
    ...                          "spec": {"tree": {"file": "t.yaml"}, "polcy": "Block"}}))
    ... except InvalidManifest as error:
    ...     print(error.field)
    spec.polcy
    """
    document.only(_OBJECT_FIELDS)
    api_version = document["apiVersion"]
    if api_version.present and api_version.value != API_VERSION:
        api_version.fail(f"expected {API_VERSION!r}, got {render(api_version.value)}")
    name = document["metadata"]["name"].name()
    spec = document["spec"].required()
    spec.only(_SPEC_FIELDS)
    description = spec["description"].string("")
    tree, tree_file = _read_tree(spec["tree"])
    total = _read_total(spec["total"])
    fields = {
        "name": name,
        "description": description,
        "tree": tree,
        "tree_file": tree_file,
        "total": total,
        "policy": read_choice(spec["policy"], QueuePolicy, QueuePolicy.PRIORITY),
        "reclaim": read_choice(spec["reclaim"], Reclaim, Reclaim.TO_RUNTIME),
        "interval": _read_interval(spec["interval"]),
        "restart": read_choice(spec["restart"], Restart, Restart.FROM_SCRATCH),
        "oversell": read_int(spec["oversell"], 1, minimum=1, maximum=2**31 - 1),
        "preempt_within_quota": spec["preemptWithinQuota"].boolean(False),
        "trace": _read_trace(spec["trace"]),
    }
    return build(spec, lambda: ScenarioObject(**fields))  # type: ignore[arg-type]


# Resolving ----------------------------------------------------------------------------------


def _check_directory(directory: object) -> Path:
    if not isinstance(directory, str | os.PathLike):
        raise InvalidRequest(
            "directory", f"expected a path (str or os.PathLike), got {render(directory)}"
        )
    return Path(directory)


def _tree_from_file(path: Path) -> QuotaTree:
    from invsched.manifests import load_file  # noqa: PLC0415 (the package imports this module)

    tree = load_file(path).quota_tree
    if tree is None:
        raise InvalidManifest("spec.tree.file", f"{path} holds no ElasticQuotaTree")
    return tree


def _jobs_from(trace: TraceSource, directory: Path) -> tuple[Job, ...]:
    if trace.packaged is not None:
        return load_packaged_trace(trace.packaged)
    assert trace.file is not None  # one of the two, by construction
    return load_trace(directory / trace.file, format=trace.format)


def resolve_scenario(
    scenario: ScenarioObject,
    *,
    directory: str | os.PathLike[str] = ".",
    jobs: Iterable[Job] | None = None,
) -> SimulationInput:
    """Read what a scenario names, relative to ``directory``, and build the simulation input.

    Args:
        scenario: the object as read.
        directory: the directory of the file that held the scenario: relative paths in
            ``spec.tree.file`` and ``spec.trace.file`` are taken from there.
        jobs: jobs to run instead of the scenario's trace (a command line's ``--trace``);
            ``None`` reads ``spec.trace``.

    Raises:
        InvalidManifest: the tree file or the trace cannot be read or holds no tree (the
            error names the file), the scenario names no trace and ``jobs`` is ``None``, or
            no total (see :meth:`ScenarioObject.scenario`).
        InvalidRequest: an argument of the wrong type.

    Runtime complexity: O(size of the tree and the trace).

    >>> run = resolve_scenario(load_scenario_object("examples/simulate/scenario.yaml"),
    ...                        directory="examples/simulate")
    >>> run.name, len(run.jobs), str(run.scenario.total)
    ('two-teams', 12, 'cpu=64, memory=256Gi, nvidia.com/gpu=8')
    """
    if not isinstance(scenario, ScenarioObject):
        raise InvalidRequest("scenario", f"expected a ScenarioObject, got {render(scenario)}")
    base = _check_directory(directory)
    tree = None if scenario.tree is not None else _tree_from_file(base / str(scenario.tree_file))
    built = scenario.scenario(tree)
    if jobs is None:
        if scenario.trace is None:
            raise InvalidManifest(
                "spec.trace", "required: the scenario names no trace and no jobs were given"
            )
        jobs = _jobs_from(scenario.trace, base)
    return SimulationInput(
        name=scenario.name, description=scenario.description, scenario=built, jobs=jobs
    )


def load_scenario_object(path: str | os.PathLike[str]) -> ScenarioObject:
    """The one ``Scenario`` object of a manifest file (``"-"``: standard input), as written.

    Raises:
        InvalidManifest: as :func:`invsched.manifests.load_file`, or the file holds no
            ``Scenario``.

    Runtime complexity: O(size of the file).
    """
    from invsched.manifests import STDIN, _read, load_file  # noqa: PLC0415 (the package imports this module)

    found = load_file(path).scenario
    if found is None:
        source = STDIN if path == "-" else _read.shown(path)
        raise InvalidManifest("", "holds no Scenario", source=source)
    assert isinstance(found, ScenarioObject)
    return found


def load_scenario(path: str | os.PathLike[str]) -> SimulationInput:
    """Read a ``Scenario`` file and everything it names (paths relative to the file).

    Raises:
        InvalidManifest: as :func:`load_scenario_object` and :func:`resolve_scenario`.

    Runtime complexity: O(size of the files read).

    >>> run = load_scenario("examples/simulate/alibaba.yaml")
    >>> run.name, len(run.jobs), run.scenario.reclaim.value
    ('alibaba-v2023-default', 8152, 'WithinMin')
    """
    obj = load_scenario_object(path)
    return resolve_scenario(obj, directory=Path(path).parent)
