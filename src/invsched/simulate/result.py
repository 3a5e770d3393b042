"""What a simulation returns: per job, per quota node, for the cluster, and over time.

Everything here is a frozen record of exact numbers. Times are the trace's seconds (``int``
or ``float``, as the jobs give them). Amounts integrated over time are
**milli-unit-seconds** (a GPU used for an hour is ``1000 × 3600``): ints whenever every time
is an int, floats otherwise. Ratios (utilisation, the share of time the min was honoured)
are computed from those exact sums on demand.

Percentiles are **nearest-rank**: the p-th percentile of n values is the value at rank
``ceil(p · n / 100)`` of the values sorted ascending (ranks from 1), so it is always one of the
values observed, never an interpolation.

>>> waits = WaitStats.of([4, 1, 3, 2])
>>> waits.p50, waits.p90, waits.max
(2, 4, 4)

:meth:`SimulationResult.to_dict` gives the same content as plain data (dicts, lists, str,
int, float, ``None``) for JSON or YAML.
"""

from __future__ import annotations

import enum
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attrs

from invsched._validators import (
    count_field,
    enum_field,
    field_path,
    instance_field,
    optional,
    render,
    to_frozen_map,
    to_tuple,
    tuple_of_field,
    typed,
)
from invsched.admission import PreemptionReason
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.resources import Resources
from invsched.simulate._plain import plain_result
from invsched.simulate.records import Job

__all__ = [
    "ClusterStats",
    "JobOutcome",
    "JobState",
    "QuotaStats",
    "QuotaTimeline",
    "Run",
    "SimulatedPreemption",
    "SimulationResult",
    "WaitStats",
]

#: A time or a duration in seconds.
_Seconds = int | float


class JobState(enum.Enum):
    """Where a job stands when the simulation stops."""

    #: It ran its whole duration.
    FINISHED = "Finished"
    #: It was running when the clock stopped (``until``).
    RUNNING = "Running"
    #: It was waiting in its queue when the clock stopped (never admitted, or preempted and
    #: not admitted again; a job without a leaf quota waits for ever).
    PENDING = "Pending"
    #: Its deadline passed while it was waiting; it left its queue.
    EXPIRED = "Expired"


def _check_seconds(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) not in (int, float) or (isinstance(value, float) and not math.isfinite(value)):
        raise InvalidRequest(
            field_path(instance, attribute),
            f"expected finite int or float seconds, got {typed(value)}",
        )


def _check_amount_seconds(where: str, value: object) -> None:
    """A mapping resource name → resource-seconds (int or finite float, ≥ 0)."""
    if not isinstance(value, FrozenMap):
        raise InvalidRequest(where, f"expected a mapping of resource-seconds, got {typed(value)}")
    for name, amount in value.items():
        if not isinstance(name, str) or type(amount) not in (int, float) or amount < 0:
            raise InvalidRequest(
                f"{where}[{render(name)}]",
                f"expected int or float milli-unit-seconds >= 0, got {render(amount)}",
            )


def _amount_seconds_field(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_amount_seconds(field_path(instance, attribute), value)


@attrs.frozen(kw_only=True)
class Run:
    """One stretch of time a job held its capacity.

    Attributes:
        start: when it was admitted.
        end: when it stopped (finished, preempted or cut by ``until``).
        preempted: whether a preemption ended it.

    >>> Run(start=10, end=70).seconds
    60
    """

    start: _Seconds = attrs.field(validator=_check_seconds)
    end: _Seconds = attrs.field(validator=_check_seconds)
    preempted: bool = attrs.field(default=False, validator=instance_field(InvalidRequest, bool))

    @property
    def seconds(self) -> _Seconds:
        """How long the run lasted."""
        return self.end - self.start


@attrs.frozen(kw_only=True)
class JobOutcome:
    """What happened to one job.

    Attributes:
        job: the job as given.
        quota: the leaf quota that queued it, or ``None`` when it has none (it then waits for
            ever, as :func:`~invsched.admission.admit` leaves it pending with ``NO_QUOTA``).
        state: where it stands when the simulation stops.
        runs: every stretch it ran, in time order; the last one of a ``RUNNING`` job ends at
            the stop time and is not preempted.
        end: when it finished (``FINISHED``) or left its queue (``EXPIRED``); ``None``
            otherwise.

    >>> from invsched.resources import Resources
    >>> job = Job(name="a", namespace="ns", request=Resources(), submit=5, duration=10)
    >>> done = JobOutcome(job=job, quota="ns", state=JobState.FINISHED,
    ...                   runs=(Run(start=7, end=17),), end=17)
    >>> done.first_start, done.wait, done.preemptions
    (7, 2, 0)
    """

    job: Job = attrs.field(validator=instance_field(InvalidRequest, Job))
    quota: str | None = attrs.field(validator=optional(instance_field(InvalidRequest, str)))
    state: JobState = attrs.field(validator=enum_field(InvalidRequest, JobState))
    runs: tuple[Run, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, Run)
    )
    end: _Seconds | None = attrs.field(default=None, validator=optional(_check_seconds))

    @property
    def first_start(self) -> _Seconds | None:
        """When it was first admitted, or ``None`` if it never was."""
        return self.runs[0].start if self.runs else None

    @property
    def wait(self) -> _Seconds | None:
        """First start − submit, or ``None`` if it never started."""
        return None if not self.runs else self.runs[0].start - self.job.submit

    @property
    def preemptions(self) -> int:
        """How many times it was preempted."""
        return sum(1 for run in self.runs if run.preempted)


@attrs.frozen(kw_only=True)
class SimulatedPreemption:
    """A running job preempted by a cycle.

    Attributes:
        time: the cycle's time.
        victim: the job that lost its capacity (back to its queue).
        preemptor: the job admitted in its place.
        reason: ``RECLAIM`` (its quota used more than its runtime) or ``WITHIN_QUOTA``.

    >>> job = Job(name="a", namespace="ns", request=Resources(), submit=0, duration=1)
    >>> SimulatedPreemption(time=3, victim=job, preemptor=job,
    ...                     reason=PreemptionReason.RECLAIM).reason.value
    'Reclaim'
    """

    time: _Seconds = attrs.field(validator=_check_seconds)
    victim: Job = attrs.field(validator=instance_field(InvalidRequest, Job))
    preemptor: Job = attrs.field(validator=instance_field(InvalidRequest, Job))
    reason: PreemptionReason = attrs.field(validator=enum_field(InvalidRequest, PreemptionReason))


def _nearest_rank(values: Sequence[_Seconds], percent: int) -> _Seconds:
    """The nearest-rank percentile of ``values`` sorted ascending (non-empty).

    Runtime complexity: O(1).
    """
    rank = max(1, -(-percent * len(values) // 100))
    return values[rank - 1]


@attrs.frozen(kw_only=True)
class WaitStats:
    """Waits (first start − submit) of the jobs that started, in seconds; nearest-rank
    percentiles, ``None`` when no job started.

    >>> WaitStats.of([]).p99 is None
    True
    """

    count: int = attrs.field(validator=count_field(InvalidRequest))
    p50: _Seconds | None = attrs.field(validator=optional(_check_seconds))
    p90: _Seconds | None = attrs.field(validator=optional(_check_seconds))
    p99: _Seconds | None = attrs.field(validator=optional(_check_seconds))
    max: _Seconds | None = attrs.field(validator=optional(_check_seconds))

    @classmethod
    def of(cls, waits: Iterable[_Seconds]) -> WaitStats:
        """The statistics of ``waits``.

        Runtime complexity: O(n log n).
        """
        ordered = sorted(waits)
        if not ordered:
            return cls(count=0, p50=None, p90=None, p99=None, max=None)
        return cls(
            count=len(ordered),
            p50=_nearest_rank(ordered, 50),
            p90=_nearest_rank(ordered, 90),
            p99=_nearest_rank(ordered, 99),
            max=ordered[-1],
        )


def _ratio(part: _Seconds, whole: _Seconds) -> float | None:
    return None if whole == 0 else part / whole


@attrs.frozen(kw_only=True)
class QuotaStats:
    """One quota node over the simulated window; a parent counts its whole subtree.

    Attributes:
        name: the node.
        jobs: jobs submitted to the subtree.
        started: of those, the jobs admitted at least once.
        finished: the jobs that ran their whole duration.
        expired: the jobs whose deadline passed while they waited.
        waits: first-start waits of the started jobs.
        preemptions_suffered: preemptions of the subtree's jobs.
        preemptions_caused: preemptions made for the subtree's jobs.
        used: resource name → usage integrated over time, milli-unit-seconds.
        borrowed: resource name → usage above the node's min integrated over time
            (a resource missing from min has min 0), milli-unit-seconds.
        asked_within_min: seconds during which the subtree asked for something (running or
            pending) and no more than the node's min on every resource it asked for.
        honoured_within_min: of those seconds, the ones during which everything it asked
            for was running (nothing of it pending).

    >>> stats = QuotaStats(name="video", jobs=3, started=2, finished=2, expired=1,
    ...                    waits=WaitStats.of([0, 30]), preemptions_suffered=0,
    ...                    preemptions_caused=1, used={"nvidia.com/gpu": 7_200_000},
    ...                    borrowed={}, asked_within_min=600, honoured_within_min=450)
    >>> stats.min_honoured, stats.waits.p90
    (0.75, 30)
    """

    name: str = attrs.field(validator=instance_field(InvalidRequest, str))
    jobs: int = attrs.field(validator=count_field(InvalidRequest))
    started: int = attrs.field(validator=count_field(InvalidRequest))
    finished: int = attrs.field(validator=count_field(InvalidRequest))
    expired: int = attrs.field(validator=count_field(InvalidRequest))
    waits: WaitStats = attrs.field(validator=instance_field(InvalidRequest, WaitStats))
    preemptions_suffered: int = attrs.field(validator=count_field(InvalidRequest))
    preemptions_caused: int = attrs.field(validator=count_field(InvalidRequest))
    used: FrozenMap[str, _Seconds] = attrs.field(
        converter=to_frozen_map, validator=_amount_seconds_field
    )
    borrowed: FrozenMap[str, _Seconds] = attrs.field(
        converter=to_frozen_map, validator=_amount_seconds_field
    )
    asked_within_min: _Seconds = attrs.field(validator=_check_seconds)
    honoured_within_min: _Seconds = attrs.field(validator=_check_seconds)

    @property
    def min_honoured(self) -> float | None:
        """The share of the time asking within its min during which the node had it
        (``None`` when it never asked within its min)."""
        return _ratio(self.honoured_within_min, self.asked_within_min)


@attrs.frozen(kw_only=True)
class ClusterStats:
    """The whole cluster over the simulated window ``[start, end]``.

    Attributes:
        start: the first submission (the window's start).
        end: when the clock stopped: ``until``, else the last event or cycle.
        cycles: admission cycles run with at least one job pending.
        total: the cluster's capacity, milli-units.
        used: resource name → the cluster's usage integrated over time, milli-unit-seconds.

    >>> stats = ClusterStats(start=0, end=10, cycles=3, total=Resources({"cpu": 4000}),
    ...                      used={"cpu": 20000})
    >>> stats.makespan, dict(stats.utilisation)
    (10, {'cpu': 0.5})
    """

    start: _Seconds = attrs.field(validator=_check_seconds)
    end: _Seconds = attrs.field(validator=_check_seconds)
    cycles: int = attrs.field(validator=count_field(InvalidRequest))
    total: Resources = attrs.field(validator=instance_field(InvalidRequest, Resources))
    used: FrozenMap[str, _Seconds] = attrs.field(
        converter=to_frozen_map, validator=_amount_seconds_field
    )

    @property
    def makespan(self) -> _Seconds:
        """``end − start``."""
        return self.end - self.start

    @property
    def utilisation(self) -> FrozenMap[str, float]:
        """Per resource of ``total`` (amount > 0): used / (total × makespan); empty when the
        window has no length."""
        span = self.makespan
        if span == 0:
            return FrozenMap()
        return FrozenMap(
            {
                name: self.used.get(name, 0) / (amount * span)
                for name, amount in self.total.items()
                if amount > 0
            }
        )


def _check_timeline(
    instance: QuotaTimeline, attribute: attrs.Attribute[Any], value: object
) -> None:
    tuple_of_field(InvalidRequest, Resources)(instance, attribute, value)
    if len(instance.times) != len(value) or len(instance.pending) != len(value):  # type: ignore[arg-type]
        raise InvalidRequest(
            field_path(instance, attribute), "times, usage and pending must have equal lengths"
        )


@attrs.frozen(kw_only=True)
class QuotaTimeline:
    """One quota node over time, as change points: from ``times[i]`` until the next time,
    the subtree used ``usage[i]`` and had ``pending[i]`` jobs waiting.

    Columns (three equal-length tuples) so that a plot reads them directly. A point is kept
    only when usage or pending differs from the point before; the state is the one after
    everything at that time (events and the cycle).

    >>> line = QuotaTimeline(name="video", times=(0, 60), usage=(Resources({"cpu": 1000}),
    ...                      Resources()), pending=(1, 0))
    >>> line.at(30), line.at(60)
    ((Resources({'cpu': 1000}), 1), (Resources({}), 0))
    """

    name: str = attrs.field(validator=instance_field(InvalidRequest, str))
    times: tuple[_Seconds, ...] = attrs.field(converter=to_tuple)
    pending: tuple[int, ...] = attrs.field(converter=to_tuple)
    usage: tuple[Resources, ...] = attrs.field(converter=to_tuple, validator=_check_timeline)

    def at(self, time: _Seconds) -> tuple[Resources, int]:
        """Usage and pending jobs at ``time`` (nothing before the first point).

        Runtime complexity: O(log n) for n points.
        """
        index = bisect_right(self.times, time) - 1
        if index < 0:
            return Resources(), 0
        return self.usage[index], self.pending[index]


@attrs.frozen(kw_only=True)
class SimulationResult:
    """Everything a simulation measured.

    Attributes:
        jobs: one outcome per job submitted by the stop time, ordered by submit time, then
            namespace, then name (the input order does not matter).
        preemptions: every preemption, in time order and, within a cycle, decision order.
        quotas: one record per quota node, in tree pre-order.
        timeline: one series per quota node, in tree pre-order.
        cluster: the cluster-wide figures.
        until: the stop time given to the simulation, or ``None``.

    >>> from invsched.quota import QuotaNode, QuotaTree
    >>> from invsched.simulate import Scenario, simulate
    >>> gpu = Resources({"nvidia.com/gpu": 1000})
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", max=gpu, namespaces=("ml",))])
    >>> job = Job(name="a", namespace="ml", request=gpu, submit=0, duration=60)
    >>> result = simulate(Scenario(tree=tree, total=gpu), [job])
    >>> result.job("ml", "a").state, result.quota("root").used, result.series("root").times
    (<JobState.FINISHED: 'Finished'>, FrozenMap({'nvidia.com/gpu': 60000}), (0, 60))
    >>> sorted(result.to_dict())
    ['cluster', 'jobs', 'preemptions', 'quotas', 'timeline', 'until']
    """

    jobs: tuple[JobOutcome, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, JobOutcome)
    )
    preemptions: tuple[SimulatedPreemption, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, SimulatedPreemption)
    )
    quotas: tuple[QuotaStats, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, QuotaStats)
    )
    timeline: tuple[QuotaTimeline, ...] = attrs.field(
        converter=to_tuple, validator=tuple_of_field(InvalidRequest, QuotaTimeline)
    )
    cluster: ClusterStats = attrs.field(validator=instance_field(InvalidRequest, ClusterStats))
    until: _Seconds | None = attrs.field(default=None, validator=optional(_check_seconds))

    def job(self, namespace: str, name: str) -> JobOutcome:
        """The outcome of the job ``namespace/name``.

        Raises:
            InvalidRequest: no such job in the result.

        Runtime complexity: O(n) for n jobs.
        """
        for outcome in self.jobs:
            if outcome.job.namespace == namespace and outcome.job.name == name:
                return outcome
        raise InvalidRequest("job", f"no job {namespace}/{name} in the result")

    def quota(self, name: str) -> QuotaStats:
        """The statistics of the quota node ``name``.

        Raises:
            InvalidRequest: no such node.

        Runtime complexity: O(n) for n nodes.
        """
        return _named(self.quotas, name)

    def series(self, name: str) -> QuotaTimeline:
        """The timeline of the quota node ``name``.

        Raises:
            InvalidRequest: no such node.

        Runtime complexity: O(n) for n nodes.
        """
        return _named(self.timeline, name)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data for JSON or YAML: the same content, with resources as
        ``{name: milli-units}`` and resource-seconds as ``{name: milli-unit-seconds}``.

        Runtime complexity: O(size of the result).
        """
        return plain_result(self)


_Named = TypeVar("_Named", QuotaStats, QuotaTimeline)


def _named(items: tuple[_Named, ...], name: str) -> _Named:
    """The entry of quota node ``name`` in ``items``; O(n)."""
    for item in items:
        if item.name == name:
            return item
    raise InvalidRequest("quota", f"no quota node {render(name)} in the result")
