"""The simulation oracle: every invariant a :class:`~invsched.simulate.SimulationResult` keeps.

:func:`check_simulation` judges a result against its inputs with one check function per
invariant, in stages (a stage runs only when the ones before it found nothing, as the later
ones read what the earlier ones vouch for):

1. :data:`RECORD_CHECKS`: every job submitted by the stop time is reported once, in a state
   its record supports, in the quota the tree gives it, with runs in order;
2. :data:`TIME_CHECKS`: no job starts before its submission or at or after its deadline, a
   finished job ran its duration, preemptions hit preemptible jobs for a documented reason;
3. :data:`REPLAY_CHECKS`: usage and queues rebuilt from the job records alone
   (:mod:`invsched.testing._simulation_replay`) stay within every max on the path and the
   total at every cycle, and equal the result's timeline and statistics;
4. :data:`RERUN_CHECKS`: the same jobs in another order, and the same run stopped earlier,
   give the same result and the same prefix of it.

Only the last stage runs the simulator again, to compare its answers; nothing judges a
result with the simulator's own code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

from invsched.admission import PreemptionReason, Reclaim
from invsched.simulate import (
    Job,
    JobOutcome,
    JobState,
    Restart,
    Run,
)
from invsched.testing._simulation_replay import (
    Seconds,
    SimulationCase,
    leaf_of,
    spans,
    states,
)

__all__ = ["RECORD_CHECKS", "REPLAY_CHECKS", "TIME_CHECKS", "Check"]

Check = Callable[[SimulationCase], list[str]]


def _close(a: Seconds, b: Seconds) -> bool:
    """Equal, exactly for ints and up to rounding for floats."""
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _too_long(seconds: Seconds, left: Seconds) -> bool:
    """Whether an unfinished run lasted as long as what was left (floats: beyond rounding)."""
    if isinstance(seconds, int) and isinstance(left, int):
        return seconds >= left
    return seconds > left and not _close(seconds, left)


# 1. Records ----------------------------------------------------------------------------------


def _submitted(case: SimulationCase) -> dict[tuple[str, str], Job]:
    until = case.result.until
    return {job.identity: job for job in case.jobs if until is None or job.submit <= until}


def _check_every_job_once(case: SimulationCase) -> list[str]:
    """Every job submitted by the stop time is reported exactly once, as given."""
    expected = _submitted(case)
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for outcome in case.result.jobs:
        job = outcome.job
        seen[job.identity] = seen.get(job.identity, 0) + 1
        if expected.get(job.identity) != job:
            problems.append(f"{job.key} is reported but is not a job submitted by the stop time")
    problems.extend(
        f"{job.key} is reported {seen.get(key, 0)} times"
        for key, job in expected.items()
        if seen.get(key, 0) != 1
    )
    return problems


def _check_quota(case: SimulationCase) -> list[str]:
    """Each job's quota is the leaf the tree gives it (``None`` without one)."""
    tree = case.scenario.tree
    return [
        f"{outcome.job.key}: quota {outcome.quota!r}, the tree gives {leaf_of(tree, outcome.job)!r}"
        for outcome in case.result.jobs
        if outcome.quota != leaf_of(tree, outcome.job)
    ]


def _check_runs_in_order(case: SimulationCase) -> list[str]:
    """Runs start after the submission, do not overlap, end by the stop time; every run but
    the last ended in a preemption."""
    problems: list[str] = []
    for outcome in case.result.jobs:
        previous: Seconds = outcome.job.submit
        for index, run in enumerate(outcome.runs):
            last = index == len(outcome.runs) - 1
            if run.start < previous or run.end < run.start or run.end > case.stop:
                problems.append(
                    f"{outcome.job.key}: run {index} [{run.start}, {run.end}] is out of order"
                )
            if not last and not run.preempted:
                problems.append(
                    f"{outcome.job.key}: run {index} ended without finishing or a preemption"
                )
            previous = run.end
    return problems


def _state_problem(case: SimulationCase, outcome: JobOutcome) -> str | None:
    job, runs, state = outcome.job, outcome.runs, outcome.state
    last: Run | None = runs[-1] if runs else None
    if state is JobState.FINISHED:
        if last is None or last.preempted or outcome.end != last.end:
            return "FINISHED needs a last run that ended at its end, not preempted"
    elif state is JobState.RUNNING:
        if last is None or last.preempted or last.end != case.stop or outcome.end is not None:
            return "RUNNING needs a last run open at the stop time"
    elif state is JobState.EXPIRED:
        deadline = job.deadline
        waited_since = job.submit if last is None else last.end
        if last is not None and not last.preempted:
            return "EXPIRED after a run that was not preempted"
        if deadline is None or outcome.end is None or outcome.end != max(deadline, waited_since):
            return "EXPIRED needs an end at its deadline (or at the preemption after it)"
    elif last is not None and not last.preempted:
        return "PENDING after a run that was not preempted"
    elif outcome.end is not None:
        return "PENDING with an end"
    elif job.deadline is not None and job.deadline <= case.stop and outcome.quota is not None:
        return f"PENDING past its deadline {job.deadline}"
    return None


def _check_states(case: SimulationCase) -> list[str]:
    """Each job ends finished, running, pending or expired, as its runs and times say."""
    problems = []
    for outcome in case.result.jobs:
        problem = _state_problem(case, outcome)
        if problem is not None:
            problems.append(f"{outcome.job.key}: {problem}")
    return problems


def _check_no_quota_never_runs(case: SimulationCase) -> list[str]:
    """A job without a leaf quota never runs."""
    return [
        f"{outcome.job.key} has no leaf quota but ran"
        for outcome in case.result.jobs
        if outcome.quota is None and outcome.runs
    ]


# 2. Times ------------------------------------------------------------------------------------


def _check_starts_in_window(case: SimulationCase) -> list[str]:
    """No job starts before its submission, nor at or after its deadline."""
    problems = []
    for outcome in case.result.jobs:
        job = outcome.job
        for run in outcome.runs:
            if run.start < job.submit:
                problems.append(
                    f"{job.key} starts at {run.start} before its submission {job.submit}"
                )
            if job.deadline is not None and run.start >= job.deadline:
                problems.append(
                    f"{job.key} starts at {run.start}, not before its deadline {job.deadline}"
                )
    return problems


def _check_durations(case: SimulationCase) -> list[str]:
    """A finished job ran its duration (in one run from scratch, or in pieces summing to it
    with ``RESUME``); a preempted or open run is shorter than what was left."""
    resume = case.scenario.restart is Restart.RESUME
    problems = []
    for outcome in case.result.jobs:
        job = outcome.job
        left: Seconds = job.duration
        for index, run in enumerate(outcome.runs):
            seconds = run.end - run.start
            finished = index == len(outcome.runs) - 1 and outcome.state is JobState.FINISHED
            if finished and not _close(seconds, left):
                problems.append(f"{job.key} finished after {seconds}s of its {left}s left")
            elif not finished and _too_long(seconds, left):
                problems.append(
                    f"{job.key}: run {index} lasted {seconds}s, not less than {left}s left"
                )
            left = left - seconds if resume else job.duration
    return problems


def _check_preemptions(case: SimulationCase) -> list[str]:
    """Preemptions hit preemptible jobs for a documented reason the scenario allows, end a
    run of the victim and start one of the preemptor at their time; the jobs' counts agree."""
    tree = case.scenario.tree
    outcomes = {outcome.job.identity: outcome for outcome in case.result.jobs}
    problems = []
    for event in case.result.preemptions:
        victim, preemptor = event.victim, event.preemptor
        where = f"preemption of {victim.key} by {preemptor.key} at {event.time}"
        same = leaf_of(tree, victim) == leaf_of(tree, preemptor)
        if not victim.preemptible:
            problems.append(f"{where}: the victim is not preemptible")
        if event.reason is PreemptionReason.RECLAIM and (
            same or case.scenario.reclaim is Reclaim.NONE
        ):
            problems.append(f"{where}: RECLAIM needs another quota and reclaim allowed")
        elif event.reason is PreemptionReason.WITHIN_QUOTA and (
            not same
            or not case.scenario.preempt_within_quota
            or victim.priority >= preemptor.priority
        ):
            problems.append(
                f"{where}: WITHIN_QUOTA needs the same quota, a lower priority and the option"
            )
        elif event.reason is PreemptionReason.OVER_RUNTIME:
            problems.append(f"{where}: OVER_RUNTIME is not a reason a cycle preempts for")
        lost = outcomes.get(victim.identity)
        won = outcomes.get(preemptor.identity)
        if lost is None or not any(r.preempted and r.end == event.time for r in lost.runs):
            problems.append(f"{where}: no run of the victim ends preempted then")
        if won is None or not any(r.start == event.time for r in won.runs):
            problems.append(f"{where}: no run of the preemptor starts then")
    counted = sum(outcome.preemptions for outcome in case.result.jobs)
    if counted != len(case.result.preemptions):
        problems.append(f"{counted} preempted runs but {len(case.result.preemptions)} preemptions")
    return problems


# 3. Replay -----------------------------------------------------------------------------------


def _limits(case: SimulationCase) -> dict[str, dict[str, int]]:
    """Per node, floor(max × oversell) per resource of its max."""
    rate = case.oversell
    return {
        node.name: {
            key: amount * rate.numerator // rate.denominator for key, amount in node.max.items()
        }
        for node in case.scenario.tree.nodes
    }


def _check_usage_within_limits(case: SimulationCase) -> list[str]:
    """At every cycle, usage rebuilt from the runs is within max × oversell at every node and
    within the total at the root; so is each job of no length with the jobs that ran across
    its time (those held their capacity through every cycle at that time)."""
    limits = _limits(case)
    root = case.scenario.tree.root.name
    total = case.scenario.total
    problems = []
    for node, series in states(case).items():
        for state in series:
            seen = [dict(state.usage)]
            seen.extend(_plus(state.across, request) for request in state.instant)
            for used in seen:
                for key, amount in sorted(used.items()):
                    bound = limits[node].get(key)
                    capacity = total.get(key, 0)
                    if bound is not None and amount > bound:
                        problems.append(
                            f"{node}: {key} used {amount} > max {bound} at {state.time}"
                        )
                    if node == root and amount > capacity:
                        problems.append(
                            f"cluster: {key} used {amount} > total {capacity} at {state.time}"
                        )
    return problems


def _plus(left: Mapping[str, int], right: Mapping[str, int]) -> dict[str, int]:
    total = dict(left)
    for key, amount in right.items():
        total[key] = total.get(key, 0) + amount
    return total


def _check_timeline(case: SimulationCase) -> list[str]:
    """The timeline holds exactly the change points of usage and pending jobs rebuilt from
    the job records."""
    problems = []
    rebuilt = states(case)
    for line in case.result.timeline:
        expected: list[tuple[Seconds, dict[str, int], int]] = []
        before: tuple[dict[str, int], int] = ({}, 0)
        for state in rebuilt.get(line.name, ()):
            now = (dict(state.usage), state.pending)
            if now != before:
                expected.append((state.time, now[0], now[1]))
                before = now
        given = [
            (time, dict(usage), pending)
            for time, usage, pending in zip(line.times, line.usage, line.pending, strict=True)
        ]
        if given != expected:
            first = next(
                (
                    index
                    for index, pair in enumerate(zip(given, expected, strict=False))
                    if pair[0] != pair[1]
                ),
                min(len(given), len(expected)),
            )
            problems.append(
                f"timeline of {line.name} differs from the job records at point {first} "
                f"({len(given)} points, {len(expected)} rebuilt)"
            )
    if [line.name for line in case.result.timeline] != [n.name for n in case.scenario.tree.nodes]:
        problems.append("the timeline does not list every quota node in tree order")
    return problems


def _nearest_rank(values: Sequence[Seconds], percent: int) -> Seconds | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


def _check_quota_counts(case: SimulationCase) -> list[str]:
    """Per node: jobs, started, finished, expired, waits (nearest rank) and preemptions
    suffered and caused, over the jobs of its subtree."""
    tree = case.scenario.tree
    problems: list[str] = []
    for stats in case.result.quotas:
        below = {stats.name, *_descendants(case, stats.name)}
        mine = [o for o in case.result.jobs if o.quota is not None and o.quota in below]
        waits = [o.runs[0].start - o.job.submit for o in mine if o.runs]
        expected = {
            "jobs": len(mine),
            "started": len(waits),
            "finished": sum(1 for o in mine if o.state is JobState.FINISHED),
            "expired": sum(1 for o in mine if o.state is JobState.EXPIRED),
            "waits": (
                len(waits),
                _nearest_rank(waits, 50),
                _nearest_rank(waits, 90),
                _nearest_rank(waits, 99),
                max(waits, default=None),
            ),
            "preemptions_suffered": sum(
                1 for e in case.result.preemptions if leaf_of(tree, e.victim) in below
            ),
            "preemptions_caused": sum(
                1 for e in case.result.preemptions if leaf_of(tree, e.preemptor) in below
            ),
        }
        w = stats.waits
        given = {
            "jobs": stats.jobs,
            "started": stats.started,
            "finished": stats.finished,
            "expired": stats.expired,
            "waits": (w.count, w.p50, w.p90, w.p99, w.max),
            "preemptions_suffered": stats.preemptions_suffered,
            "preemptions_caused": stats.preemptions_caused,
        }
        problems.extend(
            f"{stats.name}: {field} is {given[field]}, the job records give {value}"
            for field, value in expected.items()
            if given[field] != value
        )
    return problems


def _descendants(case: SimulationCase, name: str) -> Iterable[str]:
    for child in case.scenario.tree.children(name):
        yield child.name
        yield from _descendants(case, child.name)


def _check_integrals(case: SimulationCase) -> list[str]:
    """Per node: resource-seconds used and above min, and the seconds asked within min and
    honoured, integrated over the rebuilt states; the cluster's used is the root's."""
    tree = case.scenario.tree
    problems = []
    rebuilt = states(case)
    for stats in case.result.quotas:
        floor = tree.node(stats.name).min
        used: dict[str, Seconds] = {}
        borrowed: dict[str, Seconds] = {}
        asked: Seconds = 0
        honoured: Seconds = 0
        for state, span in spans(rebuilt.get(stats.name, []), case.stop):
            for key, amount in state.usage.items():
                used[key] = used.get(key, 0) + amount * span
                if amount > floor[key]:
                    borrowed[key] = borrowed.get(key, 0) + (amount - floor[key]) * span
            demand = dict(state.usage)
            for key, amount in state.pending_request.items():
                demand[key] = demand.get(key, 0) + amount
            if any(demand.values()) and all(amount <= floor[key] for key, amount in demand.items()):
                asked += span
                if not any(state.pending_request.values()):
                    honoured += span
        pairs = (
            ("used", dict(stats.used), {k: v for k, v in used.items() if v}),
            ("borrowed", dict(stats.borrowed), {k: v for k, v in borrowed.items() if v}),
        )
        for field, given, expected in pairs:
            if given.keys() != expected.keys() or not all(
                _close(given[key], expected[key]) for key in given
            ):
                problems.append(f"{stats.name}: {field} {given} but the states give {expected}")
        for field, value, rebuilt_value in (
            ("asked_within_min", stats.asked_within_min, asked),
            ("honoured_within_min", stats.honoured_within_min, honoured),
        ):
            if not _close(value, rebuilt_value):
                problems.append(
                    f"{stats.name}: {field} {value} but the states give {rebuilt_value}"
                )
    root = case.result.quota(tree.root.name) if case.result.quotas else None
    if root is not None and dict(case.result.cluster.used) != dict(root.used):
        problems.append("the cluster's used differs from the root's")
    return problems


RECORD_CHECKS: tuple[Check, ...] = (
    _check_every_job_once,
    _check_quota,
    _check_runs_in_order,
    _check_states,
    _check_no_quota_never_runs,
)
TIME_CHECKS: tuple[Check, ...] = (_check_starts_in_window, _check_durations, _check_preemptions)
REPLAY_CHECKS: tuple[Check, ...] = (
    _check_usage_within_limits,
    _check_timeline,
    _check_quota_counts,
    _check_integrals,
)
