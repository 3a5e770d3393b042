"""``simulate``: replay jobs over time through admission cycles.

The clock jumps from event to event: submissions, completions, deadlines and, with
``Scenario.interval > 0``, cycle ticks at multiples of the interval. At one time ``t``,
everything happens in this order:

1. every event at ``t`` takes effect: jobs submitted at ``t`` join their queue, jobs whose
   deadline is ``t`` leave theirs if still waiting, jobs ending at ``t`` release their
   capacity (so a cycle at ``t`` sees every event at or before ``t``);
2. the admission cycle at ``t`` (at every event time when ``interval`` is 0, else only when
   ``t`` is a tick) decides the queued jobs against the running ones exactly as
   :func:`~invsched.admission.admit` does; admitted jobs start at ``t``, preempted jobs go
   back to their queue with their original submit time;
3. jobs admitted with nothing left to run end at ``t``; preempted jobs whose deadline has
   passed leave their queue at ``t``.

The decisions come from the admission cycle's own code over state kept between cycles
(:mod:`invsched.simulate._admission`); the measurements from :mod:`invsched.simulate._accounting`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from typing import NamedTuple

from invsched._validators import check_instance, check_tuple_of, render, typed
from invsched.admission import PreemptionReason, QueueUnit
from invsched.admission._ledger import Entry
from invsched.admission.cycle import _resolve
from invsched.errors import InvalidRequest
from invsched.simulate._accounting import Accounting
from invsched.simulate._admission import AdmissionState
from invsched.simulate._report import Phase, Track, report
from invsched.simulate.records import MAX_SECONDS, Job, Restart, Scenario
from invsched.simulate.result import (
    Run,
    SimulatedPreemption,
    SimulationResult,
    _Seconds,
)

__all__ = ["simulate"]

#: A progress callback: (milestones reached, milestones in all).
_Progress = Callable[[int, int], None]


class _CycleRecord(NamedTuple):
    """One cycle's inputs and decisions, for a debugging observer (tests compare them with
    :func:`~invsched.admission.admit`)."""

    time: _Seconds
    pending: tuple[QueueUnit, ...]
    running: tuple[QueueUnit, ...]
    admitted: tuple[QueueUnit, ...]
    preempted: tuple[tuple[QueueUnit, QueueUnit, PreemptionReason], ...]


_Observer = Callable[[_CycleRecord], None]

#: Heap event kinds (after submissions, whose order at one time does not matter).
_DEADLINE = 0
_COMPLETION = 1


def simulate(
    scenario: Scenario,
    jobs: Iterable[Job],
    *,
    until: _Seconds | None = None,
    progress: _Progress | None = None,
) -> SimulationResult:
    """Replay ``jobs`` through the scenario's admission cycles and measure what happens.

    Each job joins the queue of its leaf quota at ``submit``, waits until a cycle admits it,
    runs for ``duration`` and leaves. A preempted job goes back to its queue with its original
    submit time and, when admitted again, runs its whole duration (``Restart.FROM_SCRATCH``)
    or what was left of it (``Restart.RESUME``). A job still waiting at its ``deadline``
    leaves the queue (``EXPIRED``), also when a preemption puts it back after its deadline.
    A job without a leaf quota waits for ever. The order of events at one time, and what a
    cycle at that time sees, are given in :mod:`invsched.simulate.engine`.

    Every cycle decides exactly what :func:`~invsched.admission.admit` decides for the same
    pending and running jobs (the scenario's tree, total, policy, reclaim, oversell and
    preemption within a quota); tests replay random scenarios against ``admit`` cycle by
    cycle. The result does not depend on the order of ``jobs``.

    Args:
        scenario: the tree, total and queue options.
        jobs: the jobs, in any order; ``(namespace, name)`` must be unique.
        until: stop the clock at this time (events at ``until`` still happen, its cycle
            runs); jobs submitted later are left out, jobs still running or waiting are
            reported so. ``None`` runs until nothing is left to happen.
        progress: called as ``progress(done, total)`` at most about 100 times, and once
            with ``done == total`` at the end; a milestone is a job submitted or a job
            settled (finished, expired, or left running or waiting at the end).

    Returns:
        Per job, per quota node, for the cluster and over time (:class:`SimulationResult`).

    Raises:
        InvalidRequest: ``scenario`` is not a :class:`Scenario`, a job is not a :class:`Job`,
            two jobs share a namespace and name, ``until`` is not a finite time in
            [0, 10^18], or ``progress`` is not callable.

    Runtime complexity: O(e · (log n + d · k) + c · (b + r)) for e events, n jobs, depth d,
    k resource names, c cycles, b distinct (quota, request) groups waiting and r nodes
    whose runtime is recomputed, plus O(n) for the one cycle in a hundred or so that
    preempts (a cycle that can decide nothing costs O(b)).

    >>> from invsched.quota import QuotaNode, QuotaTree
    >>> from invsched.resources import Resources
    >>> gpu = lambda n: Resources({"nvidia.com/gpu": n * 1000})
    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", min=gpu(2), max=gpu(2), namespaces=("ml",))])
    >>> jobs = [Job(name=f"j{i}", namespace="ml", request=gpu(1), submit=0, duration=10)
    ...         for i in range(3)]
    >>> result = simulate(Scenario(tree=tree, total=gpu(2)), jobs)
    >>> [(o.job.name, o.first_start, o.end, o.wait) for o in result.jobs]
    [('j0', 0, 10, 0), ('j1', 0, 10, 0), ('j2', 10, 20, 10)]
    >>> result.cluster.makespan, result.cluster.cycles, dict(result.cluster.utilisation)
    (20, 2, {'nvidia.com/gpu': 0.75})
    """
    return _Simulation(scenario, jobs, until=until, progress=progress).run()


def _check_jobs(jobs: object) -> tuple[Job, ...]:
    given = check_tuple_of(InvalidRequest, "jobs", jobs, Job)
    seen: dict[tuple[str, str], int] = {}
    for index, job in enumerate(given):
        first = seen.setdefault(job.identity, index)
        if first != index:
            raise InvalidRequest(
                f"jobs[{index}]", f"duplicate job {job.key!r}, also at jobs[{first}]"
            )
    return given


def _check_until(until: object) -> _Seconds | None:
    if until is None:
        return None
    if type(until) not in (int, float):
        raise InvalidRequest("until", f"expected int or float seconds or None, got {typed(until)}")
    assert isinstance(until, int | float)
    if not math.isfinite(until) or not 0 <= until <= MAX_SECONDS:
        raise InvalidRequest(
            "until", f"must be a finite time in [0, 10^18] seconds, got {render(until)}"
        )
    return until


class _Simulation:
    """The state of one call to :func:`simulate` (never shared, never returned)."""

    def __init__(
        self,
        scenario: Scenario,
        jobs: Iterable[Job],
        *,
        until: _Seconds | None,
        progress: _Progress | None,
        observe: _Observer | None = None,
    ) -> None:
        check_instance(InvalidRequest, "scenario", scenario, Scenario)
        given = _check_jobs(jobs)
        self.until = _check_until(until)
        if progress is not None and not callable(progress):
            raise InvalidRequest("progress", f"expected a callable or None, got {typed(progress)}")
        self.progress = progress
        self.observe = observe
        self.scenario = scenario
        # The run never depends on the input order: jobs are indexed in this order.
        ordered = sorted(given, key=lambda job: (job.submit, job.namespace, job.name))
        names = sorted({key for job in ordered for key, amount in job.request.pairs if amount})
        column = {name: index for index, name in enumerate(names)}
        tree = scenario.tree
        self.state = AdmissionState(
            tree,
            names,
            scenario.total,
            policy=scenario.policy,
            reclaim=scenario.reclaim,
            oversell=scenario.oversell,
            within_quota=scenario.preempt_within_quota,
        )
        position = {node.name: index for index, node in enumerate(tree.nodes)}
        leaves = {node.name for node in tree.leaves}
        self.tracks: list[Track] = []
        for index, job in enumerate(ordered):
            unit = job.unit()
            quota, problem = _resolve(tree, unit, leaves)
            entry = None
            if not problem:
                request = tuple(
                    (column[key], amount) for key, amount in unit.request.pairs if amount
                )
                entry = Entry(unit, position[quota], request, index)
            self.tracks.append(Track(index, job, entry))
        # The window starts at the first submission by the stop time (or at the stop time).
        first = ordered[0].submit if ordered else None
        if first is None or (self.until is not None and first > self.until):
            first = self.until if self.until is not None else 0
        self.start: _Seconds = first
        self.accounting = Accounting(self.state.ledger, self.start)
        self.events: list[tuple[_Seconds, int, int, int]] = []
        self.next_submission = 0
        self.running: dict[int, Track] = {}
        self.waiting_without_quota: dict[int, Track] = {}
        self.preemptions: list[SimulatedPreemption] = []
        self.cycles = 0
        #: Whether the last cycle ended jobs of no length (then, with interval 0, another
        #: cycle runs at the same time).
        self.ended_now = False
        # Ticks (interval > 0): the index of the next tick not yet run, and whether nothing
        # happened since a tick that decided nothing (then every tick until the next event
        # decides nothing too: the cycle is a function of its inputs).
        self.interval = scenario.interval
        self.tick = 0
        self.quiet = False
        # _Progress: a submission and a settlement per job.
        submitted = sum(1 for job in ordered if self.until is None or job.submit <= self.until)
        self.milestones = 2 * submitted
        self.done = 0
        self.step = max(1, self.milestones // 100)
        self.reported = 0

    # The clock ---------------------------------------------------------------------------

    def _next_event(self) -> _Seconds | None:
        times = []
        if self.next_submission < len(self.tracks):
            times.append(self.tracks[self.next_submission].job.submit)
        if self.events:
            times.append(self.events[0][0])
        return min(times) if times else None

    def _tick_time(self, index: int) -> _Seconds:
        return index * self.interval

    def _first_tick(self, time: _Seconds) -> int:
        """The index of the first tick at or after ``time``."""
        interval = self.interval
        if isinstance(time, int) and isinstance(interval, int):
            return -(-time // interval)
        # k · interval grows with k, but in floats consecutive k may give the same time
        # (past 2^53 ticks), so stepping one tick at a time need not end: search instead,
        # in O(log(time / interval)) steps (Scenario keeps interval ≥ 10^-9 s, so the
        # index stays far below float overflow).
        high = max(1, math.ceil(time / interval))
        while self._tick_time(high) < time:
            high *= 2
        low = 0
        while low < high:
            middle = (low + high) // 2
            if self._tick_time(middle) < time:
                low = middle + 1
            else:
                high = middle
        return low

    def _idle_ticks(self, before: _Seconds | None) -> int:
        """How many ticks, from the next one to run, come before ``before`` (``None``: no
        later event) and no later than ``until``."""
        bounds: list[int] = []
        if before is not None:
            bounds.append(self._first_tick(before) - 1)
        if self.until is not None:
            last = self._first_tick(self.until)
            bounds.append(last if self._tick_time(last) == self.until else last - 1)
        if not bounds:
            return 0
        return max(0, min(bounds) - self.tick + 1)

    def _next_time(self) -> _Seconds | None:
        event = self._next_event()
        if self.interval == 0 or not self.state.queue:
            return event
        if self.quiet:
            self.cycles += self._idle_ticks(event)
            if event is None:
                return None
            self.tick = self._first_tick(event)
            return event
        tick = self._tick_time(self.tick)
        return tick if event is None else min(event, tick)

    def run(self) -> SimulationResult:
        last: _Seconds | None = None
        while True:
            time = self._next_time()
            if time is None or (self.until is not None and time > self.until):
                break
            changed = self._apply_events(time)
            if self.interval == 0:
                self._cycle(time)
                while self.ended_now:
                    # Jobs of no length ended in that cycle: an event at this very time, so
                    # another cycle runs now with their capacity back.
                    self._cycle(time)
            else:
                self.quiet = self.quiet and not changed
                self.tick = max(self.tick, self._first_tick(time))
                if self._tick_time(self.tick) == time:
                    self.tick += 1
                    self.quiet = not self._cycle(time)
            self.accounting.flush(time)
            last = time
        end = self.until if self.until is not None else (last if last is not None else self.start)
        end = max(end, self.start)
        self.accounting.finish(end)
        result = report(
            self.scenario,
            self.tracks,
            self.preemptions,
            self.accounting,
            window=(self.start, end),
            cycles=self.cycles,
            until=self.until,
        )
        if self.progress is not None:
            self.progress(self.milestones, self.milestones)
        return result

    # Events ------------------------------------------------------------------------------

    def _apply_events(self, time: _Seconds) -> bool:
        """Everything at ``time`` before its cycle; whether anything happened."""
        changed = False
        tracks = self.tracks
        while (
            self.next_submission < len(tracks) and tracks[self.next_submission].job.submit <= time
        ):
            self._submit(tracks[self.next_submission], time)
            self.next_submission += 1
            changed = True
        while self.events and self.events[0][0] <= time:
            _, kind, index, stamp = heapq.heappop(self.events)
            track = tracks[index]
            if kind == _DEADLINE and track.phase is Phase.PENDING:
                self._expire(track, time)
                changed = True
            elif kind == _COMPLETION and track.phase is Phase.RUNNING and track.stamp == stamp:
                self._complete(track, time)
                changed = True
        return changed

    def _milestone(self) -> None:
        self.done += 1
        if self.progress is not None and self.done - self.reported >= self.step:
            self.reported = self.done
            self.progress(self.done, self.milestones)

    def _submit(self, track: Track, time: _Seconds) -> None:
        track.phase = Phase.PENDING
        entry = track.entry
        if entry is None:
            self.waiting_without_quota[track.index] = track
        else:
            self.state.enqueue(entry, new=True)
            self.accounting.queued(entry, 1)
        deadline = track.job.deadline
        if deadline is not None:
            heapq.heappush(self.events, (deadline, _DEADLINE, track.index, 0))
        self._milestone()

    def _expire(self, track: Track, time: _Seconds) -> None:
        track.phase = Phase.EXPIRED
        track.end = time
        entry = track.entry
        if entry is None:
            del self.waiting_without_quota[track.index]
        else:
            self.state.dequeue(entry, gone=True)
            self.accounting.queued(entry, -1)
        self._milestone()

    def _complete(self, track: Track, time: _Seconds) -> None:
        entry = track.entry
        assert entry is not None
        track.phase = Phase.FINISHED
        track.end = time
        track.runs.append(Run(start=track.started, end=time))
        del self.running[entry.rank]
        self.state.stop(entry, finished=True)
        self.accounting.touch(entry)
        self._milestone()

    # The cycle ---------------------------------------------------------------------------

    def _cycle(self, time: _Seconds) -> bool:
        """The admission cycle at ``time`` and what follows it; whether it decided anything."""
        state = self.state
        self.ended_now = False
        if not state.queue:
            return False
        self.cycles += 1
        before = self._inputs() if self.observe is not None else None
        admitted, preempted = state.decide()
        tracks = self.tracks
        late: list[Track] = []
        for victim, preemptor, reason in preempted:
            track = tracks[victim.rank]
            self._preempt(track, time)
            self.preemptions.append(
                SimulatedPreemption(
                    time=time, victim=track.job, preemptor=tracks[preemptor.rank].job, reason=reason
                )
            )
            deadline = track.job.deadline
            if deadline is not None and deadline <= time:
                late.append(track)
        ended: list[Track] = []
        for item in admitted:
            track = tracks[item.rank]
            self._start(track, time)
            if track.remaining == 0:
                ended.append(track)
        for track in ended:
            self._complete(track, time)
        self.ended_now = bool(ended)
        for track in late:
            self._expire(track, time)
        if before is not None and self.observe is not None:
            self.observe(
                _CycleRecord(
                    time=time,
                    pending=before[0],
                    running=before[1],
                    admitted=tuple(item.unit for item in admitted),
                    preempted=tuple(
                        (victim.unit, preemptor.unit, reason)
                        for victim, preemptor, reason in preempted
                    ),
                )
            )
        return bool(admitted or preempted)

    def _inputs(self) -> tuple[tuple[QueueUnit, ...], tuple[QueueUnit, ...]]:
        pending = self.state.pending_units()
        pending.extend(track.job.unit() for track in self.waiting_without_quota.values())
        running = tuple(track.job.unit() for track in self.running.values())
        return tuple(pending), running

    def _start(self, track: Track, time: _Seconds) -> None:
        entry = track.entry
        assert entry is not None
        self.state.dequeue(entry, gone=False)
        self.accounting.queued(entry, -1)
        self.state.start(entry)
        self.accounting.touch(entry)
        track.phase = Phase.RUNNING
        track.started = time
        track.stamp += 1
        self.running[entry.rank] = track
        if track.remaining:
            end = time + track.remaining
            heapq.heappush(self.events, (end, _COMPLETION, entry.rank, track.stamp))

    def _preempt(self, track: Track, time: _Seconds) -> None:
        entry = track.entry
        assert entry is not None
        track.runs.append(Run(start=track.started, end=time, preempted=True))
        if self.scenario.restart is Restart.RESUME:
            track.remaining -= time - track.started
        else:
            track.remaining = track.job.duration
        track.phase = Phase.PENDING
        del self.running[entry.rank]
        self.state.stop(entry, finished=False)
        self.accounting.touch(entry)
        self.state.enqueue(entry, new=False)
        self.accounting.queued(entry, 1)
