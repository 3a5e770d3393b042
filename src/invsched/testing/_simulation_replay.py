"""The facts the simulation oracle judges, recomputed from a result's job records alone.

Nothing here uses the simulator: usage and pending jobs over time are rebuilt from each
job's runs (a run holds the job's request from its start until its end) and from the
stretches it waited in its queue (from its submission, or the end of a preempted run, until
its next start, its expiry or the stop time). The quota a job belongs to is read from the
tree again. The checks of :mod:`invsched.testing._simulation_checks` compare the result's
own figures with these.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction

import attrs

from invsched.quota import QuotaTree
from invsched.simulate import Job, JobOutcome, JobState, Scenario, SimulationResult

__all__ = [
    "SimulationCase",
    "State",
    "is_open",
    "leaf_of",
    "spans",
    "states",
    "waiting_stretches",
]

Seconds = int | float


@attrs.frozen(kw_only=True)
class SimulationCase:
    """The inputs of :func:`~invsched.testing.check_simulation` and the answer to judge."""

    scenario: Scenario
    jobs: tuple[Job, ...]
    result: SimulationResult

    @property
    def stop(self) -> Seconds:
        """When the result says the clock stopped."""
        return self.result.cluster.end

    @property
    def oversell(self) -> Fraction:
        """The scenario's oversell rate."""
        return Fraction(self.scenario.oversell)


def leaf_of(tree: QuotaTree, job: Job) -> str | None:
    """The job's quota (``quota``, else the one holding its namespace) if it is a leaf."""
    name = job.quota if job.quota is not None else tree.quota_for_namespace(job.namespace)
    if name is None or name not in tree or tree.node(name).children:
        return None
    return name


def waiting_stretches(outcome: JobOutcome) -> Iterator[tuple[Seconds, Seconds | None]]:
    """The ``[from, until)`` stretches the job spent in its queue; ``until`` is ``None`` for
    a job still waiting when the clock stopped."""
    since: Seconds | None = outcome.job.submit
    for run in outcome.runs:
        if since is not None:
            yield since, run.start
        since = run.end if run.preempted else None
    if since is not None:
        yield since, outcome.end if outcome.state is JobState.EXPIRED else None


def is_open(outcome: JobOutcome, index: int) -> bool:
    """Whether run ``index`` of the job was still going when the clock stopped."""
    return outcome.state is JobState.RUNNING and index == len(outcome.runs) - 1


@attrs.frozen(kw_only=True)
class State:
    """A node's state from ``time`` until the next state: usage and pending request per
    resource name, pending jobs; and, at ``time`` itself, the usage of the jobs that ran
    across it (started before, ended after) and of the jobs that started and ended at it
    (each held its request during its own cycle only; with interval 0, a job of no length
    ending makes another cycle at the same time, so they need not have run together)."""

    time: Seconds
    usage: Mapping[str, int]
    pending: int
    pending_request: Mapping[str, int]
    across: Mapping[str, int]
    instant: tuple[Mapping[str, int], ...]


class _Tally:
    """Usage, pending jobs, pending request and instant usage of one node (mutable)."""

    __slots__ = ("instant", "pending", "request", "started", "usage")

    def __init__(self) -> None:
        self.usage: dict[str, int] = {}
        self.started: dict[str, int] = {}
        self.pending = 0
        self.request: dict[str, int] = {}
        self.instant: list[Mapping[str, int]] = []


def _add(target: dict[str, int], amounts: Mapping[str, int], sign: int = 1) -> None:
    for key, amount in amounts.items():
        target[key] = target.get(key, 0) + sign * amount


def states(case: SimulationCase) -> dict[str, list[State]]:
    """Per node, its state after every time at which anything happens, in time order.

    Runtime complexity: O((r + w) · d · k + t · n · k) for r runs, w waiting stretches,
    depth d, k resource names, t distinct times and n nodes.
    """
    tree = case.scenario.tree
    changes: dict[Seconds, dict[str, _Tally]] = {}

    def at(time: Seconds, node: str) -> _Tally:
        return changes.setdefault(time, {}).setdefault(node, _Tally())

    for outcome in case.result.jobs:
        leaf = leaf_of(tree, outcome.job)
        if leaf is None:
            continue
        request = outcome.job.request
        for node in tree.path(leaf):
            for index, run in enumerate(outcome.runs):
                if run.start == run.end and not is_open(outcome, index):
                    at(run.start, node).instant.append(request)
                    continue
                _add(at(run.start, node).usage, request)
                _add(at(run.start, node).started, request)
                if not is_open(outcome, index):
                    _add(at(run.end, node).usage, request, -1)
            for since, until in waiting_stretches(outcome):
                if since == until:
                    continue
                at(since, node).pending += 1
                _add(at(since, node).request, request)
                if until is not None:
                    at(until, node).pending -= 1
                    _add(at(until, node).request, request, -1)
    current = {node.name: _Tally() for node in tree.nodes}
    series: dict[str, list[State]] = {node.name: [] for node in tree.nodes}
    for time in sorted(changes):
        for node, change in changes[time].items():
            state = current[node]
            _add(state.usage, change.usage)
            _add(state.request, change.request)
            state.pending += change.pending
            series[node].append(
                State(
                    time=time,
                    usage={key: amount for key, amount in state.usage.items() if amount},
                    pending=state.pending,
                    pending_request={
                        key: amount for key, amount in state.request.items() if amount
                    },
                    across={
                        key: amount - change.started.get(key, 0)
                        for key, amount in state.usage.items()
                        if amount - change.started.get(key, 0)
                    },
                    instant=tuple(change.instant),
                )
            )
    return series


def spans(series: Sequence[State], stop: Seconds) -> Iterator[tuple[State, Seconds]]:
    """Each state with how long it lasted (until the next one, or the stop time)."""
    for index, state in enumerate(series):
        until = series[index + 1].time if index + 1 < len(series) else stop
        yield state, until - state.time
