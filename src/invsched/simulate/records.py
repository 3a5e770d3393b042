"""The inputs of a simulation: jobs over time, and the scenario they run in.

A :class:`Job` is a :class:`~invsched.admission.QueueUnit` with a place in time: when it is
submitted, how long it runs once started, and optionally when it gives up waiting. A
:class:`Scenario` is everything an admission cycle needs that does not change over the run:
the quota tree, the cluster total and the queue options, plus how often cycles run and what a
preempted job does.

Times are seconds (``int`` or finite ``float``) on the trace's own clock; only differences
matter.

>>> from invsched.resources import Resources
>>> job = Job(name="train", namespace="video", submit=0, duration=600,
...           request=Resources.parse({"nvidia.com/gpu": 2}))
>>> job.end_if_started_at(30), job.key
(630, 'video/train')
"""

from __future__ import annotations

import enum
import math
from typing import Any

import attrs

from invsched._validators import (
    bool_field,
    dns_label_field,
    dns_subdomain_field,
    enum_field,
    field_path,
    instance_field,
    optional,
    render,
    resources_field,
    typed,
)
from invsched.admission import QueuePolicy, QueueUnit, Reclaim

# QueueUnit's rule (an int32, as Kubernetes' PriorityClass), naming Job's field.
from invsched.admission.units import _check_priority
from invsched.errors import InvalidRequest
from invsched.quota import QuotaTree
from invsched.resources import Resources

__all__ = ["MAX_SECONDS", "MIN_INTERVAL", "Job", "Restart", "Scenario"]

#: The largest time accepted, in seconds (about 3 · 10^10 years).
MAX_SECONDS = 10**18


class Restart(enum.Enum):
    """What a preempted job does when it is admitted again."""

    #: It runs its whole duration again (no checkpoint survives preemption).
    FROM_SCRATCH = "FromScratch"
    #: It runs the rest of its duration (a checkpointing job resumes where it stopped).
    RESUME = "Resume"


def _seconds(*, positive: bool = False) -> Any:
    """A validator for a time or duration: an int or finite float in [0, 10^18]."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        where = field_path(instance, attribute)
        if type(value) not in (int, float):
            raise InvalidRequest(where, f"expected int or float seconds, got {typed(value)}")
        assert isinstance(value, int | float)
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidRequest(where, f"must be a finite number, got {render(value)}")
        if value < 0 or (positive and value == 0):
            rule = "must be positive" if positive else "must not be negative"
            raise InvalidRequest(where, f"{rule}, got {render(value)}")
        if value > MAX_SECONDS:
            raise InvalidRequest(where, f"must be at most 10^18 seconds, got {render(value)}")

    return check


def _check_deadline(instance: Job, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    _seconds()(instance, attribute, value)
    assert isinstance(value, int | float)
    if value < instance.submit:
        raise InvalidRequest(
            field_path(instance, attribute),
            f"must not be before submit {render(instance.submit)}, got {render(value)}",
        )


@attrs.frozen(kw_only=True)
class Job:
    """One job of a trace: a queue unit that is submitted, waits, runs and ends.

    Attributes:
        name: the job's name (a DNS-1123 subdomain), unique within its namespace.
        namespace: its namespace; the leaf quota holding it takes the job unless ``quota``
            is set.
        request: the job's whole demand in milli-units (all its pods).
        submit: when it joins its queue, in seconds.
        duration: how long it runs once admitted, in seconds (0 is a job that ends as soon
            as it starts).
        priority: higher is more important (an int32, as Kubernetes' PriorityClass).
        preemptible: ``False`` for a job that must fit its quotas' min and is never a victim.
        quota: the quota's name, or ``None`` to use the leaf holding ``namespace``.
        deadline: when a job still pending leaves its queue, in seconds (``None``: never).

    Raises:
        InvalidRequest: a field of the wrong type or out of range, a deadline before submit.
    """

    name: str = attrs.field(validator=dns_subdomain_field(InvalidRequest))
    namespace: str = attrs.field(validator=dns_label_field(InvalidRequest))
    request: Resources = attrs.field(validator=resources_field(InvalidRequest))
    submit: int | float = attrs.field(validator=_seconds())
    duration: int | float = attrs.field(validator=_seconds())
    priority: int = attrs.field(default=0, validator=_check_priority)
    preemptible: bool = attrs.field(default=True, validator=bool_field(InvalidRequest))
    quota: str | None = attrs.field(
        default=None, validator=optional(dns_subdomain_field(InvalidRequest))
    )
    deadline: int | float | None = attrs.field(default=None, validator=_check_deadline)

    @property
    def key(self) -> str:
        """``namespace/name``, for display."""
        return f"{self.namespace}/{self.name}"

    @property
    def identity(self) -> tuple[str, str]:
        """``(namespace, name)``: what identifies the job in a simulation."""
        return (self.namespace, self.name)

    def unit(self, created: int | float | None = None) -> QueueUnit:
        """The queue unit admission decides for this job (``created`` defaults to submit).

        Runtime complexity: O(1).
        """
        return QueueUnit(
            name=self.name,
            namespace=self.namespace,
            request=self.request,
            priority=self.priority,
            created=self.submit if created is None else created,
            preemptible=self.preemptible,
            quota=self.quota,
        )

    def end_if_started_at(self, start: int | float) -> int | float:
        """When the job ends if it starts at ``start`` and is not preempted."""
        return start + self.duration


def _check_total(instance: Scenario, attribute: attrs.Attribute[Any], value: object) -> None:
    resources_field(InvalidRequest)(instance, attribute, value)


def _check_oversell(instance: Scenario, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 1:
        raise InvalidRequest(
            field_path(instance, attribute), f"expected a positive int, got {render(value)}"
        )


#: The shortest interval between cycles, in seconds: a nanosecond keeps every tick index of
#: a time up to :data:`MAX_SECONDS` far below float overflow.
MIN_INTERVAL = 1e-9


def _check_interval(instance: Scenario, attribute: attrs.Attribute[Any], value: object) -> None:
    assert isinstance(value, int | float)  # checked by _seconds first
    if 0 < value < MIN_INTERVAL:
        raise InvalidRequest(
            field_path(instance, attribute),
            f"must be 0 or at least 1e-09 seconds (a nanosecond), got {render(value)}",
        )


@attrs.frozen(kw_only=True)
class Scenario:
    """What does not change over a simulation: tree, total and queue options.

    Attributes:
        tree: the quota tree.
        total: the cluster's capacity in milli-units (a missing key is 0).
        policy: what a quota's queue does when a job does not fit.
        reclaim: when a job may take back capacity lent to other quotas.
        interval: seconds between admission cycles; 0 runs one cycle at every distinct
            event time (a submission, a completion or a deadline); else at least
            :data:`MIN_INTERVAL`.
        restart: what a preempted job runs when admitted again.
        oversell: koord-queue's oversell rate applied to every max (an int ≥ 1).
        preempt_within_quota: allow preempting lower-priority jobs of the same quota.

    Raises:
        InvalidRequest: a field of the wrong type or out of range.
    """

    tree: QuotaTree = attrs.field(validator=instance_field(InvalidRequest, QuotaTree))
    total: Resources = attrs.field(validator=_check_total)
    policy: QueuePolicy = attrs.field(
        default=QueuePolicy.PRIORITY, validator=enum_field(InvalidRequest, QueuePolicy)
    )
    reclaim: Reclaim = attrs.field(
        default=Reclaim.TO_RUNTIME, validator=enum_field(InvalidRequest, Reclaim)
    )
    interval: int | float = attrs.field(default=0, validator=[_seconds(), _check_interval])
    restart: Restart = attrs.field(
        default=Restart.FROM_SCRATCH, validator=enum_field(InvalidRequest, Restart)
    )
    oversell: int = attrs.field(default=1, validator=_check_oversell)
    preempt_within_quota: bool = attrs.field(default=False, validator=bool_field(InvalidRequest))
