"""A seeded generator of synthetic job traces (plain records, no hypothesis needed).

A workload is a set of :class:`JobClass`: each class submits jobs as a Poisson process at its
own rate, with a request drawn from its sizes, a heavy-tailed duration and its own priority,
namespace or quota. :func:`generate_jobs` turns the classes into a trace for a simulation,
the same for the same seed, for benchmarks and for scenarios without a recorded trace.

>>> from invsched.resources import Resources
>>> gpus = lambda n: Resources.parse({"nvidia.com/gpu": n})
>>> training = JobClass(name="train", namespace="research", arrivals_per_hour=2,
...                     sizes=(gpus(1), gpus(4)), min_duration=600, max_duration=36000)
>>> serving = JobClass(name="serve", namespace="inference", arrivals_per_hour=0.5,
...                    sizes=(gpus(1),), min_duration=3600, max_duration=3600, priority=1000,
...                    preemptible=False)
>>> jobs = generate_jobs([training, serving], horizon=86400, seed=7)
>>> jobs == generate_jobs([training, serving], horizon=86400, seed=7)
True
>>> len(jobs), jobs[0].key, jobs[0].submit
(54, 'research/train-0', 1801)
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Any, Final

import attrs

from invsched._validators import (
    bool_field,
    check_tuple_of,
    dns_label_field,
    dns_subdomain_field,
    optional,
    render,
    to_tuple,
)
from invsched.errors import InvalidRequest
from invsched.resources import Resources
from invsched.simulate.records import MAX_SECONDS, Job

__all__ = ["JobClass", "generate_jobs"]

#: The most jobs :func:`generate_jobs` makes unless told otherwise.
DEFAULT_MAX_JOBS: Final = 10**6


def _check_rate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) not in (int, float) or not 0 < value < math.inf:  # type: ignore[operator]
        raise InvalidRequest(
            f"JobClass.{attribute.name}", f"expected a finite number > 0, got {render(value)}"
        )


def _check_sizes(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    sizes = check_tuple_of(InvalidRequest, "JobClass.sizes", value, Resources)
    if not sizes:
        raise InvalidRequest("JobClass.sizes", "needs at least one request to draw from")
    for index, size in enumerate(sizes):
        for name in size.negative_keys():
            raise InvalidRequest(
                f"JobClass.sizes[{index}].{name}", f"must not be negative, got {size[name]}"
            )


def _check_seconds(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 1 <= value <= MAX_SECONDS:
        raise InvalidRequest(
            f"JobClass.{attribute.name}",
            f"expected whole seconds in [1, 10^18], got {render(value)}",
        )


def _check_patience(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 <= value <= MAX_SECONDS:
        raise InvalidRequest(
            "JobClass.patience", f"expected whole seconds in [0, 10^18], got {render(value)}"
        )


def _check_max_duration(instance: JobClass, attribute: attrs.Attribute[Any], value: int) -> None:
    _check_seconds(instance, attribute, value)
    if value < instance.min_duration:
        raise InvalidRequest(
            "JobClass.max_duration",
            f"must be at least min_duration {instance.min_duration}, got {value}",
        )


def _check_priority(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not -(2**31) <= value < 2**31:
        raise InvalidRequest("JobClass.priority", f"expected an int32, got {render(value)}")


@attrs.frozen(kw_only=True)
class JobClass:
    """One kind of job in a synthetic workload.

    Attributes:
        name: the prefix of the jobs' names (``<name>-<index>``); distinct per workload.
        namespace: the jobs' namespace (it picks their quota unless ``quota`` is set).
        quota: the jobs' quota, or ``None`` to use the leaf holding the namespace.
        arrivals_per_hour: the mean rate of the Poisson process that submits the jobs.
        sizes: the requests a job draws from, uniformly (list one twice to double its odds).
        min_duration: the shortest duration, in whole seconds (≥ 1).
        max_duration: the longest; durations are log-uniform in between (most jobs short, a
            few long, as GPU jobs are), whole seconds.
        priority: the jobs' priority (an int32).
        preemptible: whether the jobs may be preempted.
        patience: seconds a job waits before it leaves its queue (``deadline = submit +
            patience``; 0 leaves at once unless admitted on submission), or ``None`` to wait
            forever.

    Raises:
        InvalidRequest: a field of the wrong type or out of range, no sizes, a negative
            size, ``max_duration < min_duration``.
    """

    name: str = attrs.field(validator=dns_subdomain_field(InvalidRequest))
    namespace: str = attrs.field(validator=dns_label_field(InvalidRequest))
    arrivals_per_hour: int | float = attrs.field(validator=_check_rate)
    sizes: tuple[Resources, ...] = attrs.field(converter=to_tuple, validator=_check_sizes)
    min_duration: int = attrs.field(validator=_check_seconds)
    max_duration: int = attrs.field(validator=_check_max_duration)
    priority: int = attrs.field(default=0, validator=_check_priority)
    preemptible: bool = attrs.field(default=True, validator=bool_field(InvalidRequest))
    quota: str | None = attrs.field(
        default=None, validator=optional(dns_subdomain_field(InvalidRequest))
    )
    patience: int | None = attrs.field(default=None, validator=optional(_check_patience))


def _duration(rng: random.Random, low: int, high: int) -> int:
    if low == high:
        return low
    drawn = round(math.exp(rng.uniform(math.log(low), math.log(high))))
    return min(high, max(low, drawn))


def _class_jobs(job_class: JobClass, horizon: int | float, seed: int, budget: int) -> list[Job]:
    # One stream per class, seeded by the class's name: adding a class leaves the others'
    # jobs unchanged.
    rng = random.Random(f"{seed}/{job_class.name}")
    per_second = job_class.arrivals_per_hour / 3600
    jobs: list[Job] = []
    clock = rng.expovariate(per_second)
    while clock < horizon:
        if len(jobs) == budget:
            raise InvalidRequest(
                "max_jobs", f"the workload has more than {budget} jobs; raise max_jobs"
            )
        submit = int(clock)
        jobs.append(
            Job(
                name=f"{job_class.name}-{len(jobs)}",
                namespace=job_class.namespace,
                quota=job_class.quota,
                request=job_class.sizes[rng.randrange(len(job_class.sizes))],
                submit=submit,
                duration=_duration(rng, job_class.min_duration, job_class.max_duration),
                priority=job_class.priority,
                preemptible=job_class.preemptible,
                deadline=None if job_class.patience is None else submit + job_class.patience,
            )
        )
        clock += rng.expovariate(per_second)
    return jobs


def generate_jobs(
    classes: Iterable[JobClass],
    *,
    horizon: int | float,
    seed: int,
    max_jobs: int = DEFAULT_MAX_JOBS,
) -> tuple[Job, ...]:
    """A synthetic trace: every class's Poisson arrivals in ``[0, horizon)``, the same for the
    same seed.

    Each class draws from its own ``random.Random`` seeded by ``seed`` and the class's name,
    so a class's jobs do not change when another class is added or removed. Submission times
    are whole seconds (the arrival time rounded down).

    Args:
        classes: the job classes, with distinct names.
        horizon: the end of the arrival window, in seconds (> 0).
        seed: seeds the classes' generators.
        max_jobs: the most jobs made in all (a guard against a rate typed per second).

    Returns:
        The jobs, ordered by submission time, then name.

    Raises:
        InvalidRequest: a class that is not a :class:`JobClass`, two classes of one name,
            a horizon that is not a finite number > 0, or more than ``max_jobs`` jobs.

    Runtime complexity: O(jobs · log jobs).

    >>> from invsched.resources import Resources
    >>> batch = JobClass(name="batch", namespace="be", arrivals_per_hour=60,
    ...                  sizes=(Resources.parse({"cpu": 4}),), min_duration=1, max_duration=600,
    ...                  patience=300)
    >>> [(job.submit, job.duration, job.deadline) for job in generate_jobs(
    ...     [batch], horizon=600, seed=1)][:3]
    [(15, 121, 315), (113, 8, 413), (171, 5, 471)]
    """
    checked = check_tuple_of(InvalidRequest, "classes", classes, JobClass)
    if type(horizon) not in (int, float) or not 0 < horizon <= MAX_SECONDS:
        raise InvalidRequest("horizon", f"expected seconds in (0, 10^18], got {render(horizon)}")
    if type(seed) is not int:
        raise InvalidRequest("seed", f"expected an int, got {render(seed)}")
    if type(max_jobs) is not int or max_jobs < 0:
        raise InvalidRequest("max_jobs", f"expected an int ≥ 0, got {render(max_jobs)}")
    seen: dict[str, int] = {}
    for index, job_class in enumerate(checked):
        first = seen.setdefault(job_class.name, index)
        if first != index:
            raise InvalidRequest(
                f"classes[{index}].name",
                f"{render(job_class.name)} is also the name of classes[{first}]",
            )
    jobs: list[Job] = []
    for job_class in checked:
        jobs.extend(_class_jobs(job_class, horizon, seed, max_jobs - len(jobs)))
    jobs.sort(key=lambda job: (job.submit, job.name))
    return tuple(jobs)
