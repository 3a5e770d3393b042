"""The synthetic workload generator and the simulation-input strategy of the testing kit."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidRequest
from invsched.quota import Profile, validate_tree
from invsched.resources import Resources
from invsched.simulate import Job, Restart, SimulationInput
from invsched.testing import JobClass, generate_jobs, simulation_inputs


def _gpus(count: int) -> Resources:
    return Resources.parse({"nvidia.com/gpu": count})


TRAIN = JobClass(
    name="train",
    namespace="research",
    arrivals_per_hour=10,
    sizes=(_gpus(1), _gpus(2)),
    min_duration=60,
    max_duration=3600,
)
SERVE = JobClass(
    name="serve",
    namespace="inference",
    arrivals_per_hour=3,
    sizes=(_gpus(1),),
    min_duration=600,
    max_duration=600,
    priority=9,
    preemptible=False,
    patience=120,
)


def test_the_same_seed_gives_the_same_jobs() -> None:
    jobs = generate_jobs([TRAIN, SERVE], horizon=7200, seed=1)
    assert jobs == generate_jobs([TRAIN, SERVE], horizon=7200, seed=1)
    assert jobs != generate_jobs([TRAIN, SERVE], horizon=7200, seed=2)
    assert jobs[:3] == (
        Job(
            name="train-0",
            namespace="research",
            request=_gpus(1),
            submit=196,
            duration=2596,
        ),
        Job(name="train-1", namespace="research", request=_gpus(1), submit=761, duration=246),
        Job(
            name="serve-0",
            namespace="inference",
            request=_gpus(1),
            submit=782,
            duration=600,
            priority=9,
            preemptible=False,
            deadline=902,
        ),
    )


def test_jobs_come_in_submission_order_with_unique_names() -> None:
    jobs = generate_jobs([TRAIN, SERVE], horizon=86_400, seed=5)
    assert [job.submit for job in jobs] == sorted(job.submit for job in jobs)
    assert len({job.identity for job in jobs}) == len(jobs)
    assert all(0 <= job.submit < 86_400 for job in jobs)


def test_a_class_keeps_its_jobs_when_another_class_is_added() -> None:
    alone = generate_jobs([TRAIN], horizon=7200, seed=3)
    together = generate_jobs([SERVE, TRAIN], horizon=7200, seed=3)
    assert tuple(job for job in together if job.namespace == "research") == alone


def test_arrivals_sizes_and_durations_follow_their_distributions() -> None:
    jobs = generate_jobs([TRAIN], horizon=1000 * 3600, seed=3)
    # Poisson arrivals at 10 per hour: about 10,000 in 1,000 hours (sd 100).
    assert abs(len(jobs) - 10_000) < 300
    # Sizes drawn uniformly from two.
    assert abs(sum(job.request == _gpus(1) for job in jobs) / len(jobs) - 0.5) < 0.02
    # Durations log-uniform in [60, 3600]: the median is the geometric mean, 465 s.
    durations = [job.duration for job in jobs]
    assert min(durations) >= 60
    assert max(durations) <= 3600
    assert abs(statistics.median(durations) - math.sqrt(60 * 3600)) < 30


def test_patience_sets_the_deadline() -> None:
    jobs = generate_jobs([SERVE], horizon=36_000, seed=4)
    assert all(job.deadline == job.submit + 120 for job in jobs)
    assert all(job.duration == 600 for job in jobs)


def _class(**changes: Any) -> JobClass:
    fields: dict[str, Any] = {
        "name": "t",
        "namespace": "ns",
        "arrivals_per_hour": 1,
        "sizes": (_gpus(1),),
        "min_duration": 60,
        "max_duration": 600,
    }
    return JobClass(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"arrivals_per_hour": 0},
            "JobClass.arrivals_per_hour: expected a finite number > 0, got 0",
        ),
        (
            {"arrivals_per_hour": math.inf},
            "JobClass.arrivals_per_hour: expected a finite number > 0, got inf",
        ),
        ({"sizes": ()}, "JobClass.sizes: needs at least one request to draw from"),
        (
            {"sizes": (Resources({"cpu": -1}),)},
            "JobClass.sizes[0].cpu: must not be negative, got -1",
        ),
        ({"min_duration": 0}, "JobClass.min_duration: expected whole seconds in [1, 10^18], got 0"),
        ({"max_duration": 10}, "JobClass.max_duration: must be at least min_duration 60, got 10"),
        ({"priority": 2**31}, "JobClass.priority: expected an int32, got 2147483648"),
        ({"patience": -1}, "JobClass.patience: expected whole seconds in [0, 10^18], got -1"),
    ],
)
def test_a_bad_job_class_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _class(**changes)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: generate_jobs([TRAIN, TRAIN], horizon=10, seed=1),
            "classes[1].name: 'train' is also the name of classes[0]",
        ),
        (
            lambda: generate_jobs([TRAIN], horizon=0, seed=1),
            "horizon: expected seconds in (0, 10^18], got 0",
        ),
        (
            lambda: generate_jobs([TRAIN], horizon=10**9, seed=1, max_jobs=10),
            "max_jobs: the workload has more than 10 jobs; raise max_jobs",
        ),
        (
            lambda: generate_jobs([1], horizon=1, seed=1),  # type: ignore[list-item]
            "classes[0]: expected a JobClass, got int 1",
        ),
        (
            lambda: generate_jobs([TRAIN], horizon=1, seed=1.5),  # type: ignore[arg-type]
            "seed: expected an int, got 1.5",
        ),
    ],
)
def test_bad_arguments_are_typed_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()
    assert str(caught.value) == message


# The hypothesis strategy ---------------------------------------------------------------------


@given(simulation_inputs())
def test_drawn_inputs_are_valid_small_scenarios(drawn: SimulationInput) -> None:
    tree = drawn.scenario.tree
    assert validate_tree(tree, Profile.KOORDINATOR).ok
    assert len(tree) <= 6
    assert len(drawn.jobs) <= 10
    assert len({job.identity for job in drawn.jobs}) == len(drawn.jobs)
    for job in drawn.jobs:
        assert 0 <= job.submit <= 50
        assert 0 <= job.duration <= 50
        assert job.deadline is None or job.submit <= job.deadline <= job.submit + 50
        leaf = job.quota or tree.quota_for_namespace(job.namespace)
        assert leaf is not None
        assert not tree.children(leaf)
    assert set(drawn.scenario.total) <= {"cpu", "nvidia.com/gpu"}


@given(simulation_inputs(options=False, max_jobs=3, max_time=5))
def test_without_options_the_scenario_keeps_its_defaults(drawn: SimulationInput) -> None:
    scenario = drawn.scenario
    assert (scenario.policy, scenario.reclaim, scenario.interval) == (
        QueuePolicy.PRIORITY,
        Reclaim.TO_RUNTIME,
        0,
    )
    assert (scenario.restart, scenario.preempt_within_quota) == (Restart.FROM_SCRATCH, False)
    assert all(job.submit <= 5 for job in drawn.jobs)


@given(st.data())
def test_strays_may_name_no_leaf(data: st.DataObject) -> None:
    drawn = data.draw(simulation_inputs(strays=True, max_jobs=12))
    assert all(isinstance(job, Job) for job in drawn.jobs)


@given(st.data())
def test_the_strategy_refuses_bad_sizes(data: st.DataObject) -> None:
    with pytest.raises(InvalidRequest) as caught:
        data.draw(simulation_inputs(max_time=-1))
    assert str(caught.value) == "max_time: must be an int ≥ 0, got -1"
