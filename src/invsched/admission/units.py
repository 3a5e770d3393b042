"""Admission records: queue units, policies, reasons and the result of one admission cycle.

A :class:`QueueUnit` is one job's total demand (a RayJob's head plus workers, a Job's pods),
as koord-queue's ``QueueUnit`` carries it. :func:`~invsched.admission.admit` decides a whole
queue at once and returns an :class:`AdmissionResult`: what is admitted, what is preempted to
make room, and, for every unit left waiting, a :class:`Reason` with a detail that names the
quota, the resource and the numbers.
"""

from __future__ import annotations

import enum
import math
from typing import Any

import attrs

from invsched._validators import (
    MAX_AMOUNT,
    bool_field,
    check_dns_subdomain,
    check_resources,
    dns_label_field,
    dns_subdomain_field,
    enum_field,
    field_path,
    instance_field,
    mapping_field,
    optional,
    printable_field,
    render,
    resources_field,
    to_frozen_map,
    to_tuple,
    tuple_of_field,
    typed,
)
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.resources import Resources

__all__ = [
    "AdmissionResult",
    "Pending",
    "Preemption",
    "PreemptionReason",
    "QueuePolicy",
    "QueueUnit",
    "Reason",
    "Reclaim",
    "order_key",
]


class QueuePolicy(enum.Enum):
    """What a quota's queue does when a unit does not fit (koord-queue's ``queuePolicy``)."""

    #: Skip the unit and try the next one of the same queue (koord-queue ``Priority``).
    PRIORITY = "Priority"
    #: The first unit that does not fit blocks the rest of its quota's queue for the cycle
    #: (koord-queue ``Block``, or ``StrictPriority=true``).
    BLOCK = "Block"


class Reclaim(enum.Enum):
    """When a unit may take back capacity lent to other quotas."""

    #: Reclaim from quotas whose usage exceeds their runtime (Koordinator's over-used revoke).
    TO_RUNTIME = "ToRuntime"
    #: As ``TO_RUNTIME``, but only for a unit whose quota stays within its min
    #: (used + request ≤ min at its leaf; Kueue's ``reclaimWithinCohort``, and ACK's wording:
    #: a quota reclaims only to guarantee its min).
    WITHIN_MIN = "WithinMin"
    #: Never preempt units of other quotas.
    NONE = "None"


class Reason(enum.Enum):
    """Why a unit stays pending after an admission cycle."""

    #: The unit has no leaf quota: unknown quota name, a parent quota, or a namespace no
    #: quota holds.
    NO_QUOTA = "NoQuota"
    #: used + request > max × oversell at the unit's quota or an ancestor (koord-queue).
    EXCEEDS_MAX = "ExceedsMax"
    #: used + request > runtime at the unit's quota (Koordinator PreFilter).
    EXCEEDS_RUNTIME = "ExceedsRuntime"
    #: a non-preemptible unit: non-preemptible used + request > min on its path.
    EXCEEDS_MIN_NON_PREEMPTIBLE = "ExceedsMinNonPreemptible"
    #: the cluster total has no room and nothing could be reclaimed.
    INSUFFICIENT_CAPACITY = "InsufficientCapacity"
    #: ``QueuePolicy.BLOCK``: an earlier unit of the same quota did not fit.
    BLOCKED_BY_HEAD = "BlockedByHead"
    #: request > max × oversell somewhere on the path: the unit can never be admitted.
    REQUEST_EXCEEDS_MAX_EVER = "RequestExceedsMaxEver"


class PreemptionReason(enum.Enum):
    """Why a running unit is preempted."""

    #: Its quota uses more than its runtime and another quota needs the capacity back.
    RECLAIM = "Reclaim"
    #: A strictly higher-priority unit of the same quota needs the room (Koordinator
    #: PostFilter; ``preempt_within_quota=True``).
    WITHIN_QUOTA = "WithinQuota"
    #: Its quota uses more than its runtime (:func:`~invsched.admission.revoke`).
    OVER_RUNTIME = "OverRuntime"


#: Kubernetes' ``PriorityClass.value`` is an int32.
_PRIORITY_RANGE = range(-(2**31), 2**31)

_check_bool = bool_field(InvalidRequest)
_check_name = dns_subdomain_field(InvalidRequest)
_check_namespace = dns_label_field(InvalidRequest)
_check_quota = optional(dns_subdomain_field(InvalidRequest))
_check_request = resources_field(InvalidRequest)


def _check_priority(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int:
        raise InvalidRequest(
            field_path(instance, attribute), f"expected an int, got {typed(value)}"
        )
    if value not in _PRIORITY_RANGE:
        raise InvalidRequest(
            field_path(instance, attribute),
            f"must be an int32 as Kubernetes' PriorityClass value, got {render(value)}",
        )


def _check_created(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    where = field_path(instance, attribute)
    if type(value) not in (int, float):
        raise InvalidRequest(where, f"expected int or float seconds, got {typed(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequest(where, f"must be a finite number, got {render(value)}")
    if not -MAX_AMOUNT < value < MAX_AMOUNT:  # type: ignore[operator]
        raise InvalidRequest(where, f"must be below 10^100 in magnitude, got {render(value)}")


@attrs.frozen(kw_only=True)
class QueueUnit:
    """One job waiting for (or holding) admission: its total demand and its ordering keys.

    Attributes:
        name: the unit's name, unique within its namespace.
        namespace: the namespace; its leaf quota holds the unit unless ``quota`` is set.
        request: the job's total demand in milli-units (all pods of all pod sets).
        priority: higher is more important (``spec.priority``).
        created: creation time in seconds (int or float); only the order matters.
        preemptible: ``False`` for a job that must fit its quotas' min (koord-queue's
            ``quota.scheduling.koordinator.sh/preemptible=false``); such a unit is never a victim.
        quota: the quota's name (the ``quota.scheduling.koordinator.sh/name`` label), or
            ``None`` to use the leaf holding ``namespace``.

    >>> unit = QueueUnit(name="ray-a", namespace="video", created=0,
    ...                  request=Resources.parse({"nvidia.com/gpu": 3}))
    >>> unit.key, unit.priority, unit.preemptible
    ('video/ray-a', 0, True)
    """

    name: str = attrs.field(validator=_check_name)
    namespace: str = attrs.field(validator=_check_namespace)
    request: Resources = attrs.field(validator=_check_request)
    priority: int = attrs.field(default=0, validator=_check_priority)
    created: int | float = attrs.field(validator=_check_created)
    preemptible: bool = attrs.field(default=True, validator=_check_bool)
    quota: str | None = attrs.field(default=None, validator=_check_quota)

    @property
    def key(self) -> str:
        """``namespace/name``, for display: what identifies the unit within one admission
        cycle (namespaces cannot contain ``/``); code compares :attr:`identity`."""
        return f"{self.namespace}/{self.name}"

    @property
    def identity(self) -> tuple[str, str]:
        """``(namespace, name)``: what identifies the unit within one admission cycle."""
        return (self.namespace, self.name)


def order_key(unit: QueueUnit) -> tuple[int, bool, int | float, str, str]:
    """Queue order, most important first (koord-queue ``schedulingqueuev2.less``).

    Higher priority first; at equal priority non-preemptible before preemptible; then older;
    then name and namespace, so that the order is total.

    >>> a = QueueUnit(name="a", namespace="n", request=Resources(), created=5, priority=1)
    >>> b = QueueUnit(name="b", namespace="n", request=Resources(), created=1)
    >>> [u.name for u in sorted([b, a], key=order_key)]
    ['a', 'b']

    Runtime complexity: O(1).
    """
    return (-unit.priority, unit.preemptible, unit.created, unit.name, unit.namespace)


_check_units = tuple_of_field(InvalidRequest, QueueUnit)
_check_unit = instance_field(InvalidRequest, QueueUnit)
_check_preemptor = optional(instance_field(InvalidRequest, QueueUnit))
_check_detail = printable_field(InvalidRequest)
_check_node_map = mapping_field(
    InvalidRequest,
    check_dns_subdomain,
    check_resources,
)


@attrs.frozen(kw_only=True)
class Preemption:
    """A running unit removed to make room.

    Attributes:
        victim: the running unit that is preempted.
        preemptor: the unit admitted in its place, or ``None`` for a revoke with no
            preemptor (:func:`~invsched.admission.revoke`).
        reason: why.

    >>> victim = QueueUnit(name="v", namespace="devops", request=Resources(), created=0)
    >>> Preemption(victim=victim, preemptor=None, reason=PreemptionReason.OVER_RUNTIME).reason
    <PreemptionReason.OVER_RUNTIME: 'OverRuntime'>
    """

    victim: QueueUnit = attrs.field(validator=_check_unit)
    preemptor: QueueUnit | None = attrs.field(validator=_check_preemptor)
    reason: PreemptionReason = attrs.field(validator=enum_field(InvalidRequest, PreemptionReason))


@attrs.frozen(kw_only=True)
class Pending:
    """A unit that stays in the queue, with the reason and a detail naming the numbers.

    ``detail`` names the quota, the resource, the usage, the request and the limit in
    canonical quantities, e.g. ``"video: nvidia.com/gpu used 4 + request 2 > max 4"``.

    >>> unit = QueueUnit(name="u", namespace="nowhere", request=Resources(), created=0)
    >>> Pending(unit=unit, reason=Reason.NO_QUOTA, detail="no quota").reason.name
    'NO_QUOTA'
    """

    unit: QueueUnit = attrs.field(validator=_check_unit)
    reason: Reason = attrs.field(validator=enum_field(InvalidRequest, Reason))
    detail: str = attrs.field(validator=_check_detail)


@attrs.frozen(kw_only=True)
class AdmissionResult:
    """The outcome of one admission cycle.

    Attributes:
        admitted: the admitted units, in the order they were decided.
        preempted: the running units removed to make room, in the order decided.
        pending: every unit not admitted, with its reason, in queue order.
        usage: node name → usage after the cycle (running − preempted + admitted), for
            every node of the tree; zero amounts are left out.
        runtime: node name → the runtime quota the cycle decided with, for every node.

    >>> result = AdmissionResult(admitted=(), preempted=(), pending=(), usage={}, runtime={})
    >>> result.admitted, len(result.usage)
    ((), 0)
    """

    admitted: tuple[QueueUnit, ...] = attrs.field(converter=to_tuple, validator=_check_units)
    preempted: tuple[Preemption, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, Preemption)
    )
    pending: tuple[Pending, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, Pending)
    )
    usage: FrozenMap[str, Resources] = attrs.field(
        converter=to_frozen_map, validator=_check_node_map
    )
    runtime: FrozenMap[str, Resources] = attrs.field(
        converter=to_frozen_map, validator=_check_node_map
    )
