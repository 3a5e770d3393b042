"""``ClusterState`` (``invsched.io/v1alpha1``): the cluster's total and what runs on it now.

An admission cycle needs, beside the quota tree and the pending jobs, the cluster's capacity
and the units already admitted. Kubernetes has no object that says both, so invsched defines
one (``Manifests.cluster_state``, at most one per input)::

    apiVersion: invsched.io/v1alpha1
    kind: ClusterState
    metadata:
      name: gpu-cluster                    # optional
    spec:
      total: {cpu: 100, memory: 50Gi, nvidia.com/gpu: 16}   # optional
      running:                             # optional; the units admitted and running
      - name: devops-train                 # required, a DNS-1123 subdomain
        namespace: devops                  # default: default
        quota: devops                      # optional: the quota, else the namespace's
        request: {cpu: 8, nvidia.com/gpu: 4}   # required, the unit's whole demand
        priority: 100                      # optional int32 ...
        priorityClassName: high            # ... or a PriorityClass of the input (not both)
        preemptible: false                 # default: true
        created: "2024-05-01T08:00:00Z"    # RFC 3339, or seconds; default: the position

A unit without ``priority`` or ``priorityClassName`` gets the ``globalDefault`` class's value,
else 0, as a job does. ``created`` orders units when victims are chosen (the most recently
admitted goes first); without it, a unit's position in ``running`` stands for it (0, 1, ...).
Every field is checked: unknown fields are errors at every level (a typo such as ``requst``
must not silently mean "nothing"), quantities must not be negative, and two running units
may not share a ``namespace/name`` — nor may a running unit and a pending job.

>>> from invsched.manifests import loads
>>> state = loads('''
... apiVersion: invsched.io/v1alpha1
... kind: ClusterState
... spec:
...   total: {nvidia.com/gpu: 16}
...   running:
...   - {name: train, namespace: video, request: {nvidia.com/gpu: 4}, priority: 10}
... ''').cluster_state
>>> dict(state.total), [(unit.key, unit.priority, unit.created) for unit in state.running]
({'nvidia.com/gpu': 16000}, [('video/train', 10, 0)])
"""

from __future__ import annotations

import math
from typing import Any, Final

import attrs

from invsched._validators import (
    check_resources,
    field_path,
    optional,
    printable_field,
    render,
    to_tuple,
    tuple_of_field,
)
from invsched.admission.units import QueueUnit
from invsched.errors import InvalidManifest
from invsched.manifests._reading import INT32_MAX, INT32_MIN
from invsched.manifests._stream import Collected, Read
from invsched.manifests._walk import Field, type_name
from invsched.manifests.jobs import (
    _UNIT_SLOT,
    _Priorities,
    _read_timestamp,
    _to_unit,
    _UnitDraft,
)
from invsched.manifests.pods import _amounts
from invsched.resources import Resources

__all__ = ["ClusterState"]

_STATE_SLOT: Final = "cluster_state_draft"
_TOP_FIELDS: Final = frozenset({"apiVersion", "kind", "metadata", "spec"})
_SPEC_FIELDS: Final = frozenset({"total", "running"})
_UNIT_FIELDS: Final = frozenset(
    {
        "name",
        "namespace",
        "quota",
        "request",
        "priority",
        "priorityClassName",
        "preemptible",
        "created",
    }
)


def _check_total(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_resources(InvalidManifest, field_path(instance, attribute), value)


@attrs.frozen(kw_only=True)
class ClusterState:
    """A cluster's capacity and the units running on it (the ``ClusterState`` kind).

    Attributes:
        name: ``metadata.name`` (``""`` when absent).
        total: the cluster's allocatable resources in milli-units, or ``None`` when the
            object does not say (a command then takes the total from elsewhere).
        running: the admitted units, in the order written.

    >>> ClusterState(total=Resources({"cpu": 4000})).running
    ()
    """

    name: str = attrs.field(default="", validator=printable_field(InvalidManifest))
    total: Resources | None = attrs.field(default=None, validator=optional(_check_total))
    running: tuple[QueueUnit, ...] = attrs.field(
        default=(), converter=to_tuple, validator=tuple_of_field(InvalidManifest, QueueUnit)
    )


@attrs.frozen(kw_only=True)
class _StateDraft:
    """A ``ClusterState`` as read, before priority class names are looked up."""

    name: str
    total: Resources | None
    running: tuple[_UnitDraft, ...]


def _created(field: Field, position: int) -> int | float:
    value = field.value
    if not field.present:
        return position
    if isinstance(value, str):
        found = _read_timestamp(field)
        assert found is not None
        return found
    if isinstance(value, bool) or not isinstance(value, int | float):
        field.fail(
            "expected an RFC 3339 time or a number of seconds, got "
            f"{type_name(value)} {render(value)}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        field.fail(f"must be a finite number of seconds, got {render(value)}")
    if abs(value) >= 10**100:  # type: ignore[arg-type]
        field.fail(f"must be below 10^100 seconds, got {render(value)}")
    return value  # type: ignore[return-value]


def _running_unit(entry: Field, position: int) -> _UnitDraft:
    entry.required().only(_UNIT_FIELDS)
    priority: int | None = None
    if entry["priority"].present:
        priority = entry["priority"].integer()
        if not INT32_MIN <= priority <= INT32_MAX:
            entry["priority"].fail(f"must be an int32, got {priority}")
    class_field = entry["priorityClassName"]
    class_name = class_field.name() if class_field.present else None
    if priority is not None and class_name is not None:
        class_field.fail("give priority or priorityClassName, not both")
    quota = entry["quota"]
    return _UnitDraft(
        kind="ClusterState",
        name=entry["name"].name(),
        namespace=entry["namespace"].label(default="default"),
        request=_amounts(entry["request"].required()),
        priority=priority,
        priority_class=class_name,
        priority_field=class_field.path,
        created=_created(entry["created"], position),
        preemptible=entry["preemptible"].boolean(default=True),
        quota=quota.name() if quota.present else None,
    )


def _read_cluster_state(document: Field) -> _StateDraft:
    """Read a ``ClusterState`` (see the module docstring).

    Raises:
        InvalidManifest: an unknown field, a bad name, quantity or priority; the error
            names the field path (``spec.running[2].request.nvidia.com/gpu``).

    Runtime complexity: O(size of the object).
    """
    document.only(_TOP_FIELDS)
    metadata = document["metadata"]
    metadata.mapping()
    name = metadata["name"]
    spec = document["spec"].only(_SPEC_FIELDS)
    total = spec["total"]
    return _StateDraft(
        name=name.name() if name.present else "",
        total=_amounts(total) if total.present else None,
        running=tuple(
            _running_unit(entry, position) for position, entry in enumerate(spec["running"].items())
        ),
    )


def _finish_state(collected: Collected) -> dict[str, Any]:
    """Turn the ``ClusterState`` draft into ``cluster_state``.

    Raises:
        InvalidManifest: a ``priorityClassName`` no class defines; two running units with one
            ``namespace/name``; a running unit that is also a pending job.

    Runtime complexity: O(running units + jobs).
    """
    read = collected.first(_STATE_SLOT)
    if read is None:
        return {}
    draft = read.value
    assert isinstance(draft, _StateDraft)
    priorities = _Priorities(collected)
    units: list[tuple[QueueUnit, Read[object]]] = []
    where: dict[tuple[str, str], str] = {}
    for position, entry in enumerate(draft.running):
        unit = _to_unit(entry, read, priorities)
        path = f"spec.running[{position}]"
        first = where.setdefault(unit.identity, path)
        if first != path:
            raise read.place.error(
                f"{path}.name", f"a second running unit {unit.key!r} (the first is {first})"
            )
        units.append((unit, read))
    for job in collected.get(_UNIT_SLOT):
        value = job.value
        if isinstance(value, _UnitDraft) and (value.namespace, value.name) in where:
            raise job.place.error(
                "metadata.name",
                f"the job '{value.namespace}/{value.name}' is also running in the ClusterState "
                f"({read.place}, {where[(value.namespace, value.name)]})",
            )
    return {
        "cluster_state": ClusterState(
            name=draft.name, total=draft.total, running=[unit for unit, _ in units]
        )
    }
