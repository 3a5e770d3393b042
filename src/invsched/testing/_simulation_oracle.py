"""The simulation oracle: :func:`check_simulation` and its assertion form.

The checks of the first three stages live in :mod:`invsched.testing._simulation_checks`
(records, times, and the replay of usage and queues from the job records). The last stage,
here, runs the simulator again on the same jobs in other orders and stopped halfway, and
compares the answers: it judges determinism and prefixes, never a figure with the
simulator's own code.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from invsched.simulate import Job, JobState, Run, Scenario, SimulationResult, simulate
from invsched.testing._simulation_checks import (
    RECORD_CHECKS,
    REPLAY_CHECKS,
    TIME_CHECKS,
    Check,
)
from invsched.testing._simulation_replay import Seconds, SimulationCase

__all__ = ["RERUN_CHECKS", "assert_simulation_consistent", "check_simulation"]


# 4. Reruns -----------------------------------------------------------------------------------


def _check_shuffled(case: SimulationCase) -> list[str]:
    """The jobs in reverse order, and rotated by half, give the same result."""
    jobs = list(case.jobs)
    half = len(jobs) // 2
    problems = []
    for label, order in (("reversed", jobs[::-1]), ("rotated", jobs[half:] + jobs[:half])):
        again = simulate(case.scenario, order, until=case.result.until)
        if again != case.result:
            problems.append(f"the jobs in {label} order give a different result")
    return problems


def _prefix(result: SimulationResult, until: Seconds) -> SimulationResult:
    """What the result says about the time up to ``until``, as a run stopped there reports it."""
    outcomes = []
    for outcome in result.jobs:
        if outcome.job.submit > until:
            continue
        runs = [run for run in outcome.runs if run.start <= until]
        state = outcome.state
        end = outcome.end
        if end is not None and end <= until:
            pass
        elif runs and runs[-1].end >= until and not (runs[-1].end == until and runs[-1].preempted):
            runs[-1] = Run(start=runs[-1].start, end=until)
            state, end = JobState.RUNNING, None
        else:
            state, end = JobState.PENDING, None
        outcomes.append(attrs.evolve(outcome, runs=runs, state=state, end=end))
    timeline = [
        attrs.evolve(
            line,
            times=line.times[: (cut := sum(1 for time in line.times if time <= until))],
            usage=line.usage[:cut],
            pending=line.pending[:cut],
        )
        for line in result.timeline
    ]
    return attrs.evolve(
        result,
        jobs=outcomes,
        preemptions=[event for event in result.preemptions if event.time <= until],
        timeline=timeline,
    )


def _check_prefix(case: SimulationCase) -> list[str]:
    """The run stopped at a time inside the window reports the same jobs, preemptions and
    timeline as this result up to that time."""
    times = sorted({run.start for outcome in case.result.jobs for run in outcome.runs})
    if not times:
        return []
    cut = times[len(times) // 2]
    if case.result.until is not None and cut >= case.result.until:
        return []
    short = simulate(case.scenario, case.jobs, until=cut)
    expected = _prefix(case.result, cut)
    return [
        f"the run stopped at {cut} differs from this result's prefix in {field}"
        for field in ("jobs", "preemptions", "timeline")
        if getattr(short, field) != getattr(expected, field)
    ]


RERUN_CHECKS: tuple[Check, ...] = (_check_shuffled, _check_prefix)


def check_simulation(
    scenario: Scenario, jobs: Iterable[Job], result: SimulationResult
) -> tuple[str, ...]:
    """The invariants ``result`` breaks, as readable sentences (empty when consistent).

    ``result`` must be what :func:`~invsched.simulate.simulate` answered for ``scenario``
    and ``jobs`` (with its ``until``). Checked, one function each, in stages (a stage runs
    only if the ones before it found nothing): every job submitted by the stop time is
    reported once, in the quota the tree gives it, with runs in order and a state they
    support (finished, running, pending or expired), a job without quota never runs; no job
    starts before its submission or at or after its deadline, a finished job ran its
    duration (in pieces with ``RESUME``), preemptions hit preemptible jobs for ``RECLAIM``
    (another quota, reclaim allowed) or ``WITHIN_QUOTA`` (same quota, lower priority, the
    option on); usage rebuilt from the runs stays within max × oversell on every node and
    the total at every cycle, and equals the timeline; the per-quota counts, waits
    (nearest rank) and integrals equal what the job records give; the jobs in another order
    give the same result; the run stopped halfway gives this result's prefix.

    Runtime complexity: O(n · d · k · t) for n jobs, depth d, k resources and t distinct
    times, plus three more simulations.

    >>> from invsched.quota import QuotaNode, QuotaTree
    >>> from invsched.resources import Resources
    >>> gpu = Resources({"nvidia.com/gpu": 1000})
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", max=gpu, namespaces=("ml",))])
    >>> scenario = Scenario(tree=tree, total=gpu)
    >>> jobs = [Job(name=f"j{i}", namespace="ml", request=gpu, submit=i, duration=5)
    ...         for i in range(3)]
    >>> check_simulation(scenario, jobs, simulate(scenario, jobs))
    ()
    """
    case = SimulationCase(scenario=scenario, jobs=tuple(jobs), result=result)
    for stage in (RECORD_CHECKS, TIME_CHECKS, REPLAY_CHECKS, RERUN_CHECKS):
        problems = [problem for check in stage for problem in check(case)]
        if problems:
            return tuple(problems)
    return ()


def assert_simulation_consistent(
    scenario: Scenario, jobs: Iterable[Job], result: SimulationResult
) -> None:
    """Raise ``AssertionError`` listing every invariant :func:`check_simulation` finds broken.

    Runtime complexity: as :func:`check_simulation`.

    >>> from invsched.quota import QuotaNode, QuotaTree
    >>> from invsched.resources import Resources
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("ml",))])
    >>> scenario = Scenario(tree=tree, total=Resources())
    >>> assert_simulation_consistent(scenario, [], simulate(scenario, []))
    """
    problems = check_simulation(scenario, jobs, result)
    if problems:
        raise AssertionError("inconsistent simulation:\n  " + "\n  ".join(problems))
