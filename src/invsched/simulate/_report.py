"""Each job's progress through a run, and the result built from it at the end.

A :class:`Track` follows one job (its phase, its runs, what it has left to run); the engine
moves it along. :func:`report` then turns the tracks, the preemptions and the accounting
into the :class:`~invsched.simulate.SimulationResult`: per job, per quota node, for the
cluster and over time.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from invsched.admission._ledger import Entry
from invsched.simulate._accounting import Accounting
from invsched.simulate.records import Job, Scenario
from invsched.simulate.result import (
    ClusterStats,
    JobOutcome,
    JobState,
    QuotaStats,
    Run,
    SimulatedPreemption,
    SimulationResult,
    WaitStats,
)
from invsched.simulate.result import _Seconds as Seconds

__all__ = ["STATES", "Phase", "Track", "report"]


class Phase(enum.Enum):
    """A job's place in the run (internal: the result reports :class:`JobState`)."""

    UNSUBMITTED = 0
    PENDING = 1
    RUNNING = 2
    FINISHED = 3
    EXPIRED = 4


class Track:
    """One job's progress: phase, runs, what is left to run."""

    __slots__ = ("end", "entry", "index", "job", "phase", "remaining", "runs", "stamp", "started")

    def __init__(self, index: int, job: Job, entry: Entry | None) -> None:
        self.index = index
        self.job = job
        self.entry = entry
        self.phase = Phase.UNSUBMITTED
        self.runs: list[Run] = []
        self.remaining: Seconds = job.duration
        self.started: Seconds = 0
        self.end: Seconds | None = None
        #: Which run a completion event belongs to (a preempted run's event is stale).
        self.stamp = 0


#: The state a job is reported in, for every phase but ``UNSUBMITTED``.
STATES = {
    Phase.PENDING: JobState.PENDING,
    Phase.RUNNING: JobState.RUNNING,
    Phase.FINISHED: JobState.FINISHED,
    Phase.EXPIRED: JobState.EXPIRED,
}


def report(
    scenario: Scenario,
    tracks: Sequence[Track],
    preemptions: Sequence[SimulatedPreemption],
    accounting: Accounting,
    *,
    window: tuple[Seconds, Seconds],
    cycles: int,
    until: Seconds | None,
) -> SimulationResult:
    """The result of a run stopped at ``window[1]`` (the accounting integrated up to it).

    Runtime complexity: O(n · d + p · d + t) for n jobs, depth d, p preemptions and t
    timeline points.
    """
    outcomes: list[JobOutcome] = []
    tree = scenario.tree
    paths = accounting.ledger.paths
    nodes = len(tree.nodes)
    counts = [[0, 0, 0, 0] for _ in range(nodes)]  # jobs, started, finished, expired
    waits: list[list[Seconds]] = [[] for _ in range(nodes)]
    for track in tracks:
        if track.phase is Phase.UNSUBMITTED:
            continue
        runs = list(track.runs)
        if track.phase is Phase.RUNNING:
            runs.append(Run(start=track.started, end=window[1]))
        state = STATES[track.phase]
        entry = track.entry
        outcomes.append(
            JobOutcome(
                job=track.job,
                quota=None if entry is None else tree.nodes[entry.leaf].name,
                state=state,
                runs=runs,
                end=track.end,
            )
        )
        if entry is None:
            continue
        for node in paths[entry.leaf]:
            row = counts[node]
            row[0] += 1
            if runs:
                row[1] += 1
                waits[node].append(runs[0].start - track.job.submit)
            if state is JobState.FINISHED:
                row[2] += 1
            elif state is JobState.EXPIRED:
                row[3] += 1
    suffered = [0] * nodes
    caused = [0] * nodes
    leaf_of = {track.job.identity: track.entry for track in tracks}
    for event in preemptions:
        for job, tally in ((event.victim, suffered), (event.preemptor, caused)):
            held = leaf_of[job.identity]
            assert held is not None
            for node in paths[held.leaf]:
                tally[node] += 1
    quotas = [
        QuotaStats(
            name=node.name,
            jobs=counts[index][0],
            started=counts[index][1],
            finished=counts[index][2],
            expired=counts[index][3],
            waits=WaitStats.of(waits[index]),
            preemptions_suffered=suffered[index],
            preemptions_caused=caused[index],
            used=accounting.amounts(accounting.used[index]),
            borrowed=accounting.amounts(accounting.borrowed[index]),
            asked_within_min=accounting.asked[index],
            honoured_within_min=accounting.honoured[index],
        )
        for index, node in enumerate(tree.nodes)
    ]
    return SimulationResult(
        jobs=outcomes,
        preemptions=preemptions,
        quotas=quotas,
        timeline=[accounting.timeline(index) for index in range(nodes)],
        cluster=ClusterStats(
            start=window[0],
            end=window[1],
            cycles=cycles,
            total=scenario.total,
            used=accounting.amounts(accounting.used[0]),
        ),
        until=until,
    )
