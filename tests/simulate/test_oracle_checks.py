"""Each check of the simulation oracle catches the one invariant it guards.

Every row starts from a correct result (which the whole oracle accepts), breaks the
invariant its check guards with ``attrs.evolve``, and states the check's own exact problems;
the whole oracle then reports them too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from invsched.admission import PreemptionReason, Reclaim
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.simulate import (
    Job,
    JobOutcome,
    JobState,
    Run,
    Scenario,
    SimulationResult,
    simulate,
)
from invsched.testing import assert_simulation_consistent, check_simulation
from invsched.testing._simulation_checks import (
    RECORD_CHECKS,
    REPLAY_CHECKS,
    TIME_CHECKS,
    Check,
)
from invsched.testing._simulation_oracle import RERUN_CHECKS
from invsched.testing._simulation_replay import SimulationCase


def gpu(count: int) -> Resources:
    return Resources({"nvidia.com/gpu": count * 1000})


TREE = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", min=gpu(2), max=gpu(2), children=("a", "b")),
        QuotaNode(name="a", parent="root", min=gpu(1), max=gpu(2), namespaces=("a",)),
        QuotaNode(name="b", parent="root", min=gpu(1), max=gpu(2), namespaces=("b",)),
    ]
)
SCENARIO = Scenario(tree=TREE, total=gpu(2))
#: ``a/big`` borrows b's GPU, ``b/small`` takes it back (a reclaim at 2), ``a/big`` runs again
#: from 6 to 16; ``b/late`` can never fit b's max and expires at 5; ``nowhere/stray`` has no
#: quota; ``b/solo`` runs for no time at 20.
JOBS = (
    Job(name="big", namespace="a", request=gpu(2), submit=0, duration=10),
    Job(name="small", namespace="b", request=gpu(1), submit=2, duration=4),
    Job(name="late", namespace="b", request=gpu(2), submit=3, duration=5, deadline=5),
    Job(name="stray", namespace="nowhere", request=gpu(1), submit=1, duration=1),
    Job(name="solo", namespace="b", request=gpu(1), submit=20, duration=0),
)
GOOD = simulate(SCENARIO, JOBS)

ALL_CHECKS = (*RECORD_CHECKS, *TIME_CHECKS, *REPLAY_CHECKS, *RERUN_CHECKS)


def test_the_base_result_is_what_the_rows_assume() -> None:
    summary = [
        (o.job.key, o.state, [(r.start, r.end, r.preempted) for r in o.runs]) for o in GOOD.jobs
    ]
    assert summary == [
        ("a/big", JobState.FINISHED, [(0, 2, True), (6, 16, False)]),
        ("nowhere/stray", JobState.PENDING, []),
        ("b/small", JobState.FINISHED, [(2, 6, False)]),
        ("b/late", JobState.EXPIRED, []),
        ("b/solo", JobState.FINISHED, [(20, 20, False)]),
    ]
    assert check_simulation(SCENARIO, JOBS, GOOD) == ()
    assert_simulation_consistent(SCENARIO, JOBS, GOOD)
    case = SimulationCase(scenario=SCENARIO, jobs=JOBS, result=GOOD)
    assert [check(case) for check in ALL_CHECKS] == [[] for _ in ALL_CHECKS]


def _job(result: SimulationResult, name: str) -> JobOutcome:
    return next(outcome for outcome in result.jobs if outcome.job.name == name)


def _replace(result: SimulationResult, name: str, **changes: Any) -> SimulationResult:
    jobs = tuple(
        attrs.evolve(outcome, **changes) if outcome.job.name == name else outcome
        for outcome in result.jobs
    )
    return attrs.evolve(result, jobs=jobs)


def _quota(result: SimulationResult, name: str, **changes: Any) -> SimulationResult:
    quotas = tuple(
        attrs.evolve(stats, **changes) if stats.name == name else stats for stats in result.quotas
    )
    return attrs.evolve(result, quotas=quotas)


def _root_pending(result: SimulationResult) -> SimulationResult:
    root = result.timeline[0]
    broken = attrs.evolve(root, pending=(0, 5, *root.pending[2:]))
    return attrs.evolve(result, timeline=(broken, *result.timeline[1:]))


def _overlap(result: SimulationResult) -> SimulationResult:
    # big's second run starts at 5, while small still holds b's GPU.
    return _replace(
        result, "big", runs=(Run(start=0, end=2, preempted=True), Run(start=5, end=15)), end=15
    )


_GOOD_SMALL = _job(GOOD, "small")

ROWS: list[tuple[str, Callable[[SimulationResult], SimulationResult], Check, list[str]]] = [
    (
        "a job left out",
        lambda r: attrs.evolve(r, jobs=tuple(o for o in r.jobs if o.job.name != "late")),
        RECORD_CHECKS[0],
        ["b/late is reported 0 times"],
    ),
    (
        "a job reported twice",
        lambda r: attrs.evolve(r, jobs=(*r.jobs, _GOOD_SMALL)),
        RECORD_CHECKS[0],
        ["b/small is reported 2 times"],
    ),
    (
        "the wrong quota",
        lambda r: _replace(r, "big", quota="b"),
        RECORD_CHECKS[1],
        ["a/big: quota 'b', the tree gives 'a'"],
    ),
    (
        "runs out of order",
        lambda r: _replace(
            r, "big", runs=(Run(start=6, end=16), Run(start=0, end=2, preempted=True))
        ),
        RECORD_CHECKS[2],
        [
            "a/big: run 0 ended without finishing or a preemption",
            "a/big: run 1 [0, 2] is out of order",
        ],
    ),
    (
        "running but finished",
        lambda r: _replace(r, "small", state=JobState.RUNNING, end=None),
        RECORD_CHECKS[3],
        ["b/small: RUNNING needs a last run open at the stop time"],
    ),
    (
        "expired at the wrong time",
        lambda r: _replace(r, "late", end=4),
        RECORD_CHECKS[3],
        ["b/late: EXPIRED needs an end at its deadline (or at the preemption after it)"],
    ),
    (
        "pending past its deadline",
        lambda r: _replace(r, "late", state=JobState.PENDING, end=None),
        RECORD_CHECKS[3],
        ["b/late: PENDING past its deadline 5"],
    ),
    (
        "a job without quota runs",
        lambda r: _replace(r, "stray", runs=(Run(start=1, end=2),), state=JobState.FINISHED, end=2),
        RECORD_CHECKS[4],
        ["nowhere/stray has no leaf quota but ran"],
    ),
    (
        "a start at the deadline",
        lambda r: _replace(
            r, "late", runs=(Run(start=5, end=10),), state=JobState.FINISHED, end=10
        ),
        TIME_CHECKS[0],
        ["b/late starts at 5, not before its deadline 5"],
    ),
    (
        "a finished job ran too long",
        lambda r: _replace(r, "small", runs=(Run(start=2, end=7),), end=7),
        TIME_CHECKS[1],
        ["b/small finished after 5s of its 4s left"],
    ),
    (
        "a preemption for a reason the scenario does not allow",
        lambda r: attrs.evolve(
            r, preemptions=(attrs.evolve(r.preemptions[0], reason=PreemptionReason.WITHIN_QUOTA),)
        ),
        TIME_CHECKS[2],
        [
            "preemption of a/big by b/small at 2: WITHIN_QUOTA needs the same quota, a lower "
            "priority and the option"
        ],
    ),
    (
        "a preemption left out",
        lambda r: attrs.evolve(r, preemptions=()),
        TIME_CHECKS[2],
        ["1 preempted runs but 0 preemptions"],
    ),
    (
        "usage above max and total",
        _overlap,
        REPLAY_CHECKS[0],
        [
            "root: nvidia.com/gpu used 3000 > max 2000 at 5",
            "cluster: nvidia.com/gpu used 3000 > total 2000 at 5",
        ],
    ),
    (
        "a timeline that is not the records'",
        _root_pending,
        REPLAY_CHECKS[1],
        ["timeline of root differs from the job records at point 1 (6 points, 6 rebuilt)"],
    ),
    (
        "a quota's job count",
        lambda r: _quota(r, "root", jobs=5),
        REPLAY_CHECKS[2],
        ["root: jobs is 5, the job records give 4"],
    ),
    (
        "a quota's usage integral",
        lambda r: _quota(r, "a", used={"nvidia.com/gpu": 1}),
        REPLAY_CHECKS[3],
        ["a: used {'nvidia.com/gpu': 1} but the states give {'nvidia.com/gpu': 24000}"],
    ),
    (
        "a figure only a rerun can judge",
        lambda r: attrs.evolve(r, cluster=attrs.evolve(r.cluster, cycles=99)),
        RERUN_CHECKS[0],
        [
            "the jobs in reversed order give a different result",
            "the jobs in rotated order give a different result",
        ],
    ),
]


@pytest.mark.parametrize(("label", "breaking", "check", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_each_check_catches_its_invariant(
    label: str,
    breaking: Callable[[SimulationResult], SimulationResult],
    check: Check,
    expected: list[str],
) -> None:
    broken = breaking(GOOD)
    case = SimulationCase(scenario=SCENARIO, jobs=JOBS, result=broken)
    assert check(case) == expected
    reported = check_simulation(SCENARIO, JOBS, broken)
    assert set(expected) <= set(reported)
    with pytest.raises(AssertionError, match="inconsistent simulation"):
        assert_simulation_consistent(SCENARIO, JOBS, broken)


def test_the_prefix_check_catches_a_result_of_another_scenario() -> None:
    # Without reclaim, small waits for big: a consistent result, but not this scenario's.
    other = simulate(attrs.evolve(SCENARIO, reclaim=Reclaim.NONE), JOBS)
    case = SimulationCase(scenario=SCENARIO, jobs=JOBS, result=other)
    assert [check(case) for check in (*RECORD_CHECKS, *TIME_CHECKS, *REPLAY_CHECKS)] == [
        [] for _ in (*RECORD_CHECKS, *TIME_CHECKS, *REPLAY_CHECKS)
    ]
    assert RERUN_CHECKS[1](case) == [
        "the run stopped at 10 differs from this result's prefix in jobs",
        "the run stopped at 10 differs from this result's prefix in preemptions",
        "the run stopped at 10 differs from this result's prefix in timeline",
    ]
