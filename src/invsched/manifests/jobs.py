"""The job kinds — ``RayJob``, ``Job``, ``PyTorchJob`` and bare ``Pod`` — and ``PriorityClass``.

Each job becomes one :class:`~invsched.admission.QueueUnit` (``Manifests.units``, in stream
order): its whole demand, as a queue admits it, with its ordering keys:

* **request**: the sum over the job's pods of Kubernetes' effective pod request
  (:func:`~invsched.manifests.pod_request`):

  - ``RayJob`` (``ray.io``): the head pod, plus each worker group's pods — ``replicas``
    (KubeRay's default 0) kept within ``minReplicas`` (default 0) and ``maxReplicas``
    (default 2147483647), times ``numOfHosts`` (default 1); a group with ``suspend: true``
    has none (KubeRay's ``GetWorkerGroupDesiredReplicas``). The submitter pod of
    ``K8sJobMode`` is not counted, as koord-queue does not count it;
  - ``Job`` (``batch``): ``parallelism`` (default 1) pods, or ``completions`` when fewer
    (Kubernetes never runs more pods than completions remain; Kueue counts the same);
  - ``PyTorchJob`` (``kubeflow.org``): Σ over ``pytorchReplicaSpecs`` (``Master``,
    ``Worker``) of ``replicas`` (default 1) pods;
  - ``Pod``: itself. A pod that a controller owns (an ``ownerReferences`` entry with
    ``controller: true``) is its controller's, not a unit: it is listed as skipped;

* **namespace**: ``metadata.namespace`` (default ``default``); the quota holding it takes the
  unit unless the label ``quota.scheduling.koordinator.sh/name`` names one;
* **priority**: the value of the ``PriorityClass`` the job names — ``priorityClassName`` of
  the pod spec (a ``RayJob``'s head template; a ``PyTorchJob``'s
  ``runPolicy.schedulingPolicy.priorityClass``, else its ``Worker`` template's, else its
  ``Master`` template's) — looked up among the ``PriorityClass`` objects of the input, and
  Kubernetes' built-in ``system-cluster-critical`` and ``system-node-critical``; without a
  name, the class with ``globalDefault: true`` if any, else 0. A name that no class defines
  is an error naming the field;
* **preemptible**: false only with the label ``quota.scheduling.koordinator.sh/preemptible:
  "false"`` (Koordinator's ``IsPodNonPreemptible``);
* **created**: ``metadata.creationTimestamp`` (RFC 3339, as ``kubectl get -o yaml`` prints
  it) in seconds since 1970; an object without one counts its position among the objects of
  the stream instead (0, 1, 2, ...), so hand-written jobs queue in the order written (and
  before any job with a timestamp).

The two labels are read from the job's own ``metadata.labels``, else from its pod templates,
which must then agree. Every job in the input is a *pending* unit, suspended or not: the
input says what to decide; what already runs is a ``ClusterState``'s
(:mod:`invsched.manifests.state`). ``spec.suspend`` must still be a boolean.

>>> from invsched.manifests import loads
>>> (unit,) = loads('''
... apiVersion: batch/v1
... kind: Job
... metadata: {name: train, namespace: video}
... spec:
...   parallelism: 2
...   template:
...     spec:
...       containers: [{name: c, resources: {limits: {nvidia.com/gpu: 1}}}]
... ''').units
>>> unit.name, unit.namespace, dict(unit.request), unit.priority, unit.created
('train', 'video', {'nvidia.com/gpu': 2000}, 0, 0)
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Sequence
from typing import Any, Final

import attrs

from invsched._validators import bool_field, dns_subdomain_field, render
from invsched.admission.units import QueueUnit
from invsched.errors import InvalidManifest, InvalidQuantity
from invsched.manifests._reading import INT32_MAX, INT32_MIN
from invsched.manifests._stream import Collected, Read
from invsched.manifests._walk import Field
from invsched.manifests.pods import pod_request
from invsched.manifests.quota import _PREFIX, _strings
from invsched.resources import Resources

__all__ = ["PriorityClass"]


_QUOTA_LABEL: Final = f"{_PREFIX}/name"
_PREEMPTIBLE_LABEL: Final = f"{_PREFIX}/preemptible"

#: The classes every Kubernetes cluster defines (``scheduling.SystemPriorityClasses``).
_BUILT_IN: Final = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}

#: The slots the kinds fill; a finishing step turns them into ``units``.
_UNIT_SLOT: Final = "job_units"
_CLASS_SLOT: Final = "priority_classes"


def _check_value(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not INT32_MIN <= value <= INT32_MAX:
        raise InvalidManifest(
            f"PriorityClass.{attribute.name}", f"expected an int32, got {render(value)}"
        )


@attrs.frozen(kw_only=True)
class PriorityClass:
    """A ``PriorityClass`` (``scheduling.k8s.io``): the priority its name stands for.

    Attributes:
        name: the class's name, as pods and jobs name it in ``priorityClassName``.
        value: the priority (an int32; higher is more important).
        global_default: whether pods that name no class get this one (at most one class).

    >>> PriorityClass(name="high", value=1000).global_default
    False
    """

    name: str = attrs.field(validator=dns_subdomain_field(InvalidManifest))
    value: int = attrs.field(validator=_check_value)
    global_default: bool = attrs.field(default=False, validator=bool_field(InvalidManifest))


@attrs.frozen(kw_only=True)
class _UnitDraft:
    """A unit as read, before its priority class is looked up.

    ``priority`` is an explicit value (a ``ClusterState`` entry's ``priority``);
    ``priority_class`` a class name, read at ``priority_field``; ``created`` is ``None`` when
    the object has no timestamp.
    """

    kind: str
    name: str
    namespace: str
    request: Resources
    priority: int | None = None
    priority_class: str | None = None
    priority_field: str = ""
    created: int | float | None = None
    preemptible: bool = True
    quota: str | None = None


@attrs.frozen(kw_only=True)
class _OwnedPod:
    """A pod that a controller owns: not a unit of its own."""

    name: str
    api_version: str


# Small readers ----------------------------------------------------------------------------

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z"
)


def _read_timestamp(field: Field) -> int | float | None:
    """An RFC 3339 time (``2024-05-01T09:00:00Z``) in seconds since 1970, or ``None``.

    Whole seconds give an ``int``; a fraction gives a ``float``.

    >>> _read_timestamp(Field("1970-01-01T01:00:00+01:00")), _read_timestamp(Field(None))
    (0, None)
    >>> _read_timestamp(Field("2024-05-01T09:00:00.5Z"))
    1714554000.5
    """
    if not field.present:
        return None
    text = field.string()
    match = _RFC3339.match(text)
    if match is None:
        raise InvalidManifest(
            field.path, f"expected an RFC 3339 time (2024-05-01T09:00:00Z), got {render(text)}"
        )
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        moment = datetime.datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise InvalidManifest(field.path, f"not a valid time: {render(text)} ({error})") from None
    zone = match.group(8)
    offset = 0
    if zone not in ("Z", "z"):
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            raise InvalidManifest(field.path, f"not a valid time zone offset: {render(text)}")
        offset = (hours * 60 + minutes) * 60 * (1 if zone[0] == "+" else -1)
    seconds = calendar.timegm(moment.timetuple()) - offset
    fraction = match.group(7)
    # A fraction of zeros adds nothing; never int() it (a 5,000-digit one is a ValueError).
    if fraction is None or not fraction[1:].strip("0"):
        return seconds
    return seconds + float(fraction)


def _int(field: Field, default: int, *, minimum: int = 0) -> int:
    value = field.integer(default, minimum=minimum)
    if value > INT32_MAX:
        field.fail(f"must be at most {INT32_MAX} (an int32), got {value}")
    return value


def _times(
    request: Resources, count: int, where: Field, base: Resources | None = None
) -> Resources:
    """``base + count × request``; beyond 10^100 milli-units, an error at ``where``."""
    try:
        scaled = request.scaled(count)
        return scaled if base is None else base + scaled
    except InvalidQuantity:
        raise InvalidManifest(
            where.path, f"{count} pods of this request exceed 10^100 milli-units"
        ) from None


class _Labels:
    """The quota and preemptible labels of a job: its own, else its pod templates'."""

    def __init__(self, metadata: Field, templates: Sequence[Field]) -> None:
        self.sources = [(metadata["labels"], _strings(metadata["labels"]))]
        self.sources.extend(
            (template["metadata"]["labels"], _strings(template["metadata"]["labels"]))
            for template in templates
        )

    def value(self, key: str) -> tuple[Field, str] | None:
        """The first label ``key`` found, with its field; templates must agree."""
        own, values = self.sources[0]
        if key in values:
            return own[key], values[key]
        found: tuple[Field, str] | None = None
        for labels, values in self.sources[1:]:
            if key not in values:
                continue
            if found is not None and found[1] != values[key]:
                labels[key].fail(
                    f"the pod templates of one job disagree: {render(values[key])} here, "
                    f"{render(found[1])} at {found[0].path}"
                )
            if found is None:
                found = (labels[key], values[key])
        return found

    def quota(self) -> str | None:
        found = self.value(_QUOTA_LABEL)
        return None if found is None else found[0].name()

    def preemptible(self) -> bool:
        found = self.value(_PREEMPTIBLE_LABEL)
        return found is None or found[1] != "false"


def _priority_class(field: Field) -> tuple[str | None, str]:
    name = field.string("")
    return (field.name() if name else None), field.path


def _draft(
    kind: str, document: Field, request: Resources, templates: Sequence[Field], priority: Field
) -> _UnitDraft:
    metadata = document["metadata"]
    labels = _Labels(metadata, templates)
    class_name, class_field = _priority_class(priority)
    return _UnitDraft(
        kind=kind,
        name=metadata["name"].name(),
        namespace=metadata["namespace"].label(default="default"),
        request=request,
        priority_class=class_name,
        priority_field=class_field,
        created=_read_timestamp(metadata["creationTimestamp"]),
        preemptible=labels.preemptible(),
        quota=labels.quota(),
    )


def _template_request(template: Field) -> Resources:
    return pod_request(template["spec"].required().value, template["spec"].path)


# The kinds ----------------------------------------------------------------------------------


def _read_ray_job(document: Field) -> _UnitDraft:
    """A ``RayJob``: the head pod plus every worker group's pods (see the module docstring).

    Runtime complexity: O(size of the object).
    """
    spec = document["spec"]
    spec["suspend"].boolean()
    cluster = spec["rayClusterSpec"]
    if not cluster.present and spec["clusterSelector"].present:
        cluster.fail(
            "required field is missing: a RayJob with spec.clusterSelector runs on an existing "
            "RayCluster and asks the queue for nothing (koord-queue and Kueue do not queue it)"
        )
    cluster.required()
    head = cluster["headGroupSpec"].required()["template"].required()
    request = _template_request(head)
    templates = [head]
    for group in cluster["workerGroupSpecs"].items():
        template = group["template"].required()
        templates.append(template)
        pod = _template_request(template)
        low = _int(group["minReplicas"], 0)
        high = _int(group["maxReplicas"], INT32_MAX)
        if low > high:
            group["minReplicas"].fail(f"must be at most maxReplicas ({high}), got {low}")
        replicas = min(max(_int(group["replicas"], 0), low), high)
        hosts = _int(group["numOfHosts"], 1, minimum=1)
        pods = 0 if group["suspend"].boolean() else replicas * hosts
        request = _times(pod, pods, group["replicas"], request)
    priority = head["spec"]["priorityClassName"]
    return _draft("RayJob", document, request, templates, priority)


def _read_job(document: Field) -> _UnitDraft:
    """A ``Job``: ``parallelism`` pods, or ``completions`` when fewer.

    Runtime complexity: O(size of the object).
    """
    spec = document["spec"]
    spec["suspend"].boolean()
    template = spec["template"].required()
    parallelism = _int(spec["parallelism"], 1)
    completions = _int(spec["completions"], parallelism)
    pods = min(parallelism, completions)
    request = _times(_template_request(template), pods, spec["parallelism"])
    return _draft("Job", document, request, [template], template["spec"]["priorityClassName"])


_REPLICA_TYPES: Final = ("Master", "Worker")


def _read_pytorch_job(document: Field) -> _UnitDraft:
    """A ``PyTorchJob``: Σ over its replica specs of ``replicas`` pods.

    Runtime complexity: O(size of the object).
    """
    spec = document["spec"]
    run_policy = spec["runPolicy"]
    run_policy["suspend"].boolean()
    replica_specs = spec["pytorchReplicaSpecs"].required()
    replica_specs.only(frozenset(_REPLICA_TYPES))
    request = Resources()
    templates: dict[str, Field] = {}
    for replica_type in _REPLICA_TYPES:
        replica = replica_specs[replica_type]
        if not replica.present:
            continue
        template = replica["template"].required()
        templates[replica_type] = template
        pods = _int(replica["replicas"], 1)
        request = _times(_template_request(template), pods, replica["replicas"], request)
    if not templates:
        replica_specs.fail("expected a Master or a Worker replica spec, got none")
    priority = run_policy["schedulingPolicy"]["priorityClass"]
    if not priority.string(""):
        named = [
            templates[replica_type]["spec"]["priorityClassName"]
            for replica_type in ("Worker", "Master")
            if replica_type in templates
        ]
        priority = next((field for field in named if field.string("")), named[0])
    return _draft("PyTorchJob", document, request, list(templates.values()), priority)


def _controller(document: Field) -> bool:
    """Whether an ``ownerReferences`` entry says a controller owns the object."""
    return any(
        owner["controller"].boolean() for owner in document["metadata"]["ownerReferences"].items()
    )


def _read_pod(document: Field) -> _UnitDraft | _OwnedPod:
    """A bare ``Pod``: itself; a pod a controller owns is only noted.

    Runtime complexity: O(size of the object).
    """
    if _controller(document):
        return _OwnedPod(
            name=document["metadata"]["name"].string(""),
            api_version=document["apiVersion"].string(""),
        )
    spec = document["spec"].required()
    request = pod_request(spec.value, spec.path)
    return _draft("Pod", document, request, [], spec["priorityClassName"])


def _read_priority_class(document: Field) -> PriorityClass:
    """A ``PriorityClass``: its name, ``value`` (an int32) and ``globalDefault``.

    Runtime complexity: O(1).
    """
    value = document["value"].required().integer()
    if not INT32_MIN <= value <= INT32_MAX:
        document["value"].fail(f"must be an int32, got {value}")
    return PriorityClass(
        name=document["metadata"]["name"].name(),
        value=value,
        global_default=document["globalDefault"].boolean(),
    )


# Finishing: priorities, then units -----------------------------------------------------------


class _Priorities:
    """The priority classes of a stream: name → value, and the default for no name."""

    def __init__(self, collected: Collected) -> None:
        self.classes: dict[str, Read[object]] = {}
        default: Read[object] | None = None
        for read in collected.get(_CLASS_SLOT):
            value = read.value
            assert isinstance(value, PriorityClass)
            first = self.classes.setdefault(value.name, read)
            if first is not read:
                raise read.place.error(
                    "metadata.name",
                    f"a second PriorityClass named {render(value.name)} (the first is "
                    f"{first.place})",
                )
            if value.global_default:
                if default is not None:
                    raise read.place.error(
                        "globalDefault",
                        f"a second PriorityClass with globalDefault: true (the first is "
                        f"{default.place})",
                    )
                default = read
        self.default = 0 if default is None else _class(default).value

    def value(self, draft: _UnitDraft, read: Read[object]) -> int:
        """The draft's priority: explicit, from its class, or the default."""
        if draft.priority is not None:
            return draft.priority
        if draft.priority_class is None:
            return self.default
        found = self.classes.get(draft.priority_class)
        if found is not None:
            return _class(found).value
        if draft.priority_class in _BUILT_IN:
            return _BUILT_IN[draft.priority_class]
        known = sorted(self.classes)
        listed = ", ".join(known) if known else "none"
        raise read.place.error(
            draft.priority_field,
            f"no PriorityClass named {render(draft.priority_class)} in the input (classes "
            f"given: {listed})",
        )


def _class(read: Read[object]) -> PriorityClass:
    value = read.value
    assert isinstance(value, PriorityClass)
    return value


def _to_unit(draft: _UnitDraft, read: Read[object], priorities: _Priorities) -> QueueUnit:
    """The :class:`QueueUnit` of a draft; ``created`` defaults to the object's order."""
    return QueueUnit(
        name=draft.name,
        namespace=draft.namespace,
        request=draft.request,
        priority=priorities.value(draft, read),
        created=read.order if draft.created is None else draft.created,
        preemptible=draft.preemptible,
        quota=draft.quota,
    )


def _check_unique(units: Sequence[tuple[QueueUnit, Read[object]]], what: str) -> None:
    """Refuse two units with one ``namespace/name``, naming both places."""
    seen: dict[tuple[str, str], Read[object]] = {}
    for unit, read in units:
        first = seen.setdefault(unit.identity, read)
        if first is not read:
            raise read.place.error(
                "metadata.name", f"a second {what} {unit.key!r} (the first is {first.place})"
            )


def _finish_units(collected: Collected) -> dict[str, Any]:
    """Turn the job drafts into ``units`` and the classes into ``priority_classes``.

    Raises:
        InvalidManifest: a class name no ``PriorityClass`` defines; two classes of one name
            or two with ``globalDefault: true``; two jobs with one ``namespace/name``.

    Runtime complexity: O(jobs + classes).
    """
    priorities = _Priorities(collected)
    units: list[tuple[QueueUnit, Read[object]]] = []
    skipped: list[tuple[int, object]] = []
    for read in collected.get(_UNIT_SLOT):
        draft = read.value
        if isinstance(draft, _OwnedPod):
            skipped.append((read.order, read.place.skipped(draft.api_version, "Pod", draft.name)))
            continue
        assert isinstance(draft, _UnitDraft)
        units.append((_to_unit(draft, read, priorities), read))
    _check_unique(units, "job")
    return {
        "units": [unit for unit, _ in units],
        "priority_classes": [_class(read) for read in collected.get(_CLASS_SLOT)],
        "skipped": skipped,
    }
