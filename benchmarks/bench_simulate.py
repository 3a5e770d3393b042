"""Benchmarks of ``simulate`` on the packaged Alibaba trace (the 8,152-job trace in ≤ 5 s on
the default contended scenario; ten times the trace in ≤ 12× the time; ≥ 5× faster than a
plain replay calling ``admit`` from scratch at every event time, with equal outcomes).

By default (and in CI, with ``--benchmark-disable``) the cases run on a prefix of the trace;
``INVSCHED_BENCH_FULL=1`` runs the whole trace, the trace ten times over and the plain
reference on the whole trace (about a minute or two for the reference alone).
"""

from __future__ import annotations

import heapq
import os
import time
from collections.abc import Sequence

import attrs
import pytest

from invsched.admission import QueueUnit, admit
from invsched.simulate import Job, JobState, Restart, Scenario, SimulationResult, simulate
from invsched.simulate.scenarios import default_scenario

FULL = os.environ.get("INVSCHED_BENCH_FULL") == "1"
#: Jobs of the trace used without ``INVSCHED_BENCH_FULL`` (the first ones by submission).
SMOKE = 300

#: A job's outcome as both replays report it: state, runs (start, end, preempted), end.
Outcome = tuple[JobState, tuple[tuple[float, float, bool], ...], float | None]


Trace = tuple[Scenario, tuple[Job, ...]]


def _trace() -> Trace:
    run = default_scenario()
    jobs = tuple(sorted(run.jobs, key=lambda job: (job.submit, job.namespace, job.name)))
    return run.scenario, jobs if FULL else jobs[:SMOKE]


@pytest.fixture(scope="module")
def trace() -> Trace:
    """The default scenario and the trace's jobs (read once per module)."""
    return _trace()


def _repeated(jobs: Sequence[Job], times: int) -> tuple[Job, ...]:
    """The trace ``times`` times in a row, each copy shifted past the previous one's last
    event and renamed, so that the queues see ``times`` × the work in ``times`` × the time."""
    span = (
        1
        + max(max(job.submit + job.duration, job.deadline or 0) for job in jobs)
        - min(job.submit for job in jobs)
    )
    copies: list[Job] = []
    for copy in range(times):
        shift = copy * span
        copies.extend(
            attrs.evolve(
                job,
                name=f"{job.name}-r{copy}",
                submit=job.submit + shift,
                deadline=None if job.deadline is None else job.deadline + shift,
            )
            for job in jobs
        )
    return tuple(copies)


def _outcomes(result: SimulationResult) -> dict[tuple[str, str], Outcome]:
    return {
        o.job.identity: (o.state, tuple((r.start, r.end, r.preempted) for r in o.runs), o.end)
        for o in result.jobs
    }


def reference(scenario: Scenario, jobs: Sequence[Job]) -> dict[tuple[str, str], Outcome]:
    """The plain replay: at every event time, ``admit`` from scratch over every pending and
    running job (the documented order of events; ``interval`` 0 only)."""
    assert scenario.interval == 0
    units = [job.unit() for job in jobs]
    index = {job.identity: position for position, job in enumerate(jobs)}
    events: list[tuple[float, int, int, int]] = []  # time, kind, job, run number
    for position, job in enumerate(jobs):
        heapq.heappush(events, (job.submit, 0, position, 0))
    pending: dict[int, QueueUnit] = {}
    running: dict[int, QueueUnit] = {}
    started: dict[int, float] = {}
    stamps = [0] * len(jobs)
    left: list[float] = [job.duration for job in jobs]
    runs: list[list[tuple[float, float, bool]]] = [[] for _ in jobs]
    ends: dict[int, tuple[JobState, float]] = {}

    def expire(position: int, now: float) -> None:
        del pending[position]
        ends[position] = (JobState.EXPIRED, now)

    def finish(position: int, now: float) -> None:
        del running[position]
        runs[position].append((started[position], now, False))
        ends[position] = (JobState.FINISHED, now)

    while events:
        now = events[0][0]
        while events and events[0][0] == now:
            _, kind, position, stamp = heapq.heappop(events)
            job = jobs[position]
            if kind == 0:
                pending[position] = units[position]
                if job.deadline is not None:
                    heapq.heappush(events, (job.deadline, 1, position, 0))
            elif kind == 1 and position in pending:
                expire(position, now)
            elif kind == 2 and position in running and stamps[position] == stamp:
                finish(position, now)
        again = True
        while again and pending:
            decided = admit(
                scenario.tree,
                list(pending.values()),
                running=list(running.values()),
                total=scenario.total,
                policy=scenario.policy,
                oversell=scenario.oversell,
                reclaim=scenario.reclaim,
                preempt_within_quota=scenario.preempt_within_quota,
            )
            late = []
            for preemption in decided.preempted:
                position = index[preemption.victim.identity]
                del running[position]
                runs[position].append((started[position], now, True))
                if scenario.restart is Restart.RESUME:
                    left[position] -= now - started[position]
                else:
                    left[position] = jobs[position].duration
                pending[position] = units[position]
                deadline = jobs[position].deadline
                if deadline is not None and deadline <= now:
                    late.append(position)
            again = False
            for unit in decided.admitted:
                position = index[unit.identity]
                del pending[position]
                running[position] = unit
                started[position] = now
                stamps[position] += 1
                if left[position] == 0:
                    finish(position, now)
                    again = True
                else:
                    heapq.heappush(events, (now + left[position], 2, position, stamps[position]))
            for position in late:
                expire(position, now)
    stop = max((end for _, end in ends.values()), default=0)
    outcomes: dict[tuple[str, str], Outcome] = {}
    for position, job in enumerate(jobs):
        if position in running:
            state, end = JobState.RUNNING, None
        elif position in pending:
            state, end = JobState.PENDING, None
        else:
            state, end = ends[position]
        assert state is not JobState.RUNNING, stop
        outcomes[job.identity] = (state, tuple(runs[position]), end)
    return outcomes


def test_simulate_alibaba_trace(benchmark, trace: Trace) -> None:  # type: ignore[no-untyped-def]
    """The Alibaba v2023 trace (a prefix unless INVSCHED_BENCH_FULL) on the default scenario."""
    benchmark.group = "simulate: Alibaba v2023 on the default contended scenario"
    scenario, jobs = trace
    result = benchmark(simulate, scenario, jobs)
    assert len(result.jobs) == len(jobs)
    benchmark.extra_info["jobs"] = len(jobs)
    benchmark.extra_info["cycles"] = result.cluster.cycles


def test_simulate_alibaba_trace_ten_times(benchmark, trace: Trace) -> None:  # type: ignore[no-untyped-def]
    """The same trace ten times in a row: ten times the events, the same queues."""
    benchmark.group = "simulate: Alibaba v2023 on the default contended scenario"
    scenario, jobs = trace
    longer = _repeated(jobs, 10)
    result = benchmark.pedantic(simulate, (scenario, longer), rounds=1 if FULL else 3)
    assert len(result.jobs) == len(longer)
    benchmark.extra_info["jobs"] = len(longer)


def test_simulate_against_the_plain_reference(benchmark, trace: Trace) -> None:  # type: ignore[no-untyped-def]
    """Equal outcomes, and how much faster the simulator is than admit from scratch at
    every event time (the ratio is in extra_info)."""
    benchmark.group = "simulate vs plain replay"
    scenario, jobs = trace
    began = time.perf_counter()
    expected = reference(scenario, jobs)
    plain = time.perf_counter() - began
    result = benchmark.pedantic(simulate, (scenario, jobs), rounds=1 if FULL else 3)
    assert _outcomes(result) == expected
    began = time.perf_counter()
    simulate(scenario, jobs)
    fast = time.perf_counter() - began
    benchmark.extra_info["reference_seconds"] = round(plain, 3)
    benchmark.extra_info["simulate_seconds"] = round(fast, 3)
    benchmark.extra_info["ratio"] = round(plain / fast, 1)


@pytest.mark.parametrize("restart", list(Restart))
def test_the_reference_agrees_on_a_short_prefix(restart: Restart, trace: Trace) -> None:
    """The reference and the simulator agree on the first jobs of the trace, both restarts."""
    scenario, jobs = trace
    scenario = attrs.evolve(scenario, restart=restart)
    head = jobs[:150]
    assert _outcomes(simulate(scenario, head)) == reference(scenario, head)
