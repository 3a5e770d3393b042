"""What ``invsched simulate`` shows: a run or a sweep as data (``-o json``) and as tables.

The data keep the exact figures of :class:`~invsched.simulate.SimulationResult` (seconds,
milli-unit-seconds, shares); the tables round them for people: waits rounded down
(``45s``, ``12m05s``, ``3h07m``, ``9d07h``), resource-hours with one decimal, shares as
percentages. The schema of the data is ``schemas/simulate.json``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import Any, Final

import attrs

from invsched.cli._output import Cell, Report, Table, Text, listing
from invsched.quota import QuotaTree
from invsched.resources import format_amount
from invsched.simulate import (
    JobState,
    QuotaStats,
    Scenario,
    SimulationInput,
    SimulationResult,
    SweepEngine,
    SweepResult,
)

__all__ = [
    "Metric",
    "Shown",
    "never_started",
    "run_data",
    "run_report",
    "sweep_data",
    "sweep_report",
]

_HOUR: Final = 3600
_DAY: Final = 86400
#: How many job names a finding lists before it says "and N more".
_LISTED: Final = 5
#: Resources counted in GiB-hours rather than unit-hours.
_BINARY: Final = frozenset({"memory", "ephemeral-storage", "storage"})


class Metric(enum.Enum):
    """A per-quota figure a sweep's row shows (``--metric``)."""

    WAIT_P50 = "p50"
    WAIT_P90 = "p90"
    WAIT_P99 = "p99"
    WAIT_MAX = "max-wait"
    FINISHED = "finished"
    EXPIRED = "expired"
    PENDING = "pending"
    PREEMPTED = "preempted"
    PREEMPTING = "preempting"
    USED_HOURS = "used-hours"
    BORROWED_HOURS = "borrowed-hours"
    MIN_HONOURED = "min-honoured"


@attrs.frozen(kw_only=True)
class Shown:
    """The command's options that the output shows.

    Attributes:
        until: ``--until``, or ``None``.
        resource: ``--resource``: counted in hours.
        plot: ``--plot``, or ``None``.
        engine: ``--engine`` (for a sweep).
    """

    until: int | float | None
    resource: str
    plot: str | None
    engine: SweepEngine = SweepEngine.SEQUENTIAL


# Figures -------------------------------------------------------------------------------------


def _duration(seconds: int | float | None) -> str:
    """A wait for people: ``45s``, ``12m05s``, ``3h07m``, ``9d07h`` (rounded down)."""
    if seconds is None:
        return "-"
    if seconds < 10 and seconds != int(seconds):
        return f"{math.floor(seconds * 10) / 10}s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < _HOUR:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < _DAY:
        return f"{whole // _HOUR}h{whole % _HOUR // 60:02d}m"
    return f"{whole // _DAY}d{whole % _DAY // _HOUR:02d}h"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


def _hours(resource: str) -> tuple[float, str]:
    """Milli-unit-seconds per displayed hour, and the unit's name (``GPU-h``)."""
    if resource in _BINARY:
        return 1000.0 * 2**30 * _HOUR, "GiB-h"
    name = {"nvidia.com/gpu": "GPU", "cpu": "CPU"}.get(resource, resource)
    return 1000.0 * _HOUR, f"{name}-h"


def _amount_hours(amount: int | float, resource: str) -> str:
    return f"{amount / _hours(resource)[0]:,.1f}"


def _states(result: SimulationResult, tree: QuotaTree) -> dict[str, dict[JobState, list[str]]]:
    """Per quota node, the jobs of its subtree in each final state (keys, in result order)."""
    states: dict[str, dict[JobState, list[str]]] = {node.name: {} for node in tree}
    for outcome in result.jobs:
        if outcome.quota is None:
            continue
        for name in tree.path(outcome.quota):
            states[name].setdefault(outcome.state, []).append(outcome.job.key)
    return states


def never_started(result: SimulationResult) -> list[str]:
    """Jobs still pending when a run that went to its end stopped: they can never start."""
    if result.until is not None:
        return []
    return [outcome.job.key for outcome in result.jobs if outcome.state is JobState.PENDING]


# Machine form --------------------------------------------------------------------------------


def _scenario_data(run: SimulationInput) -> dict[str, Any]:
    scenario = run.scenario
    return {
        "name": run.name,
        "description": run.description,
        "jobs": len(run.jobs),
        "total": scenario.total.to_quantities(),
        "policy": scenario.policy.value,
        "reclaim": scenario.reclaim.value,
        "interval": scenario.interval,
        "restart": scenario.restart.value,
        "oversell": scenario.oversell,
        "preempt_within_quota": scenario.preempt_within_quota,
    }


def _quota_data(
    stats: QuotaStats, tree: QuotaTree, states: dict[JobState, list[str]]
) -> dict[str, Any]:
    waits = stats.waits
    return {
        "name": stats.name,
        "parent": tree.node(stats.name).parent,
        "jobs": stats.jobs,
        "started": stats.started,
        "finished": stats.finished,
        "expired": stats.expired,
        "running": len(states.get(JobState.RUNNING, ())),
        "pending": len(states.get(JobState.PENDING, ())),
        "waits": {
            "count": waits.count,
            "p50": waits.p50,
            "p90": waits.p90,
            "p99": waits.p99,
            "max": waits.max,
        },
        "preemptions_suffered": stats.preemptions_suffered,
        "preemptions_caused": stats.preemptions_caused,
        "used": dict(stats.used),
        "borrowed": dict(stats.borrowed),
        "asked_within_min": stats.asked_within_min,
        "honoured_within_min": stats.honoured_within_min,
        "min_honoured": stats.min_honoured,
    }


def _result_data(result: SimulationResult, scenario: Scenario) -> dict[str, Any]:
    cluster = result.cluster
    states = _states(result, scenario.tree)
    return {
        "quotas": [
            _quota_data(stats, scenario.tree, states[stats.name]) for stats in result.quotas
        ],
        "cluster": {
            "start": cluster.start,
            "end": cluster.end,
            "makespan": cluster.makespan,
            "cycles": cluster.cycles,
            "total": cluster.total.to_quantities(),
            "used": dict(cluster.used),
            "utilisation": dict(cluster.utilisation),
            "preemptions": len(result.preemptions),
        },
        "never_started": never_started(result),
    }


# Human form ----------------------------------------------------------------------------------


def _scenario_lines(run: SimulationInput, until: int | float | None) -> list[str]:
    scenario = run.scenario
    total = ", ".join(f"{n}={format_amount(n, a)}" for n, a in scenario.total.items())
    cycles = (
        "a cycle at every event time"
        if scenario.interval == 0
        else f"a cycle every {_duration(scenario.interval)}"
    )
    lines = [
        f"Scenario {run.name}: {len(run.jobs):,} jobs on {total or 'nothing'}",
        f"policy {scenario.policy.value}, reclaim {scenario.reclaim.value}, {cycles}, "
        f"restart {scenario.restart.value}, oversell {scenario.oversell}"
        + (", preemption within a quota" if scenario.preempt_within_quota else ""),
    ]
    if until is not None:
        lines.append(f"clock stopped at {until} s")
    return lines


def _quota_table(result: SimulationResult, tree: QuotaTree, resource: str) -> Table:
    states = _states(result, tree)
    _, unit = _hours(resource)
    rows: list[tuple[Cell, ...]] = []
    depths: list[int] = []
    for stats in result.quotas:
        waits = stats.waits
        rows.append(
            (
                stats.name,
                f"{stats.jobs:,}",
                f"{stats.finished:,}",
                f"{stats.expired:,}",
                f"{len(states[stats.name].get(JobState.PENDING, ())):,}",
                _duration(waits.p50),
                _duration(waits.p90),
                _duration(waits.p99),
                _duration(waits.max),
                f"{stats.preemptions_suffered:,}",
                f"{stats.preemptions_caused:,}",
                _amount_hours(stats.used.get(resource, 0), resource),
                _amount_hours(stats.borrowed.get(resource, 0), resource),
                _percent(stats.min_honoured),
            )
        )
        depths.append(tree.depth(stats.name))
    return Table(
        title="Quotas",
        columns=(
            "quota",
            "jobs",
            "finished",
            "expired",
            "pending",
            "wait p50",
            "wait p90",
            "wait p99",
            "wait max",
            "preempted",
            "preempting",
            f"{unit} used",
            f"{unit} borrowed",
            "min honoured",
        ),
        rows=rows,
        depths=depths,
    )


def _cluster_line(result: SimulationResult) -> str:
    cluster = result.cluster
    used = ", ".join(f"{name} {_percent(share)}" for name, share in cluster.utilisation.items())
    return (
        f"Cluster: utilisation {used or '-'}; makespan {_duration(cluster.makespan)} "
        f"({cluster.makespan:,} s); {_count(cluster.cycles, 'cycle')}; "
        f"{_count(len(result.preemptions), 'preemption')}"
    )


def _count(number: int, noun: str) -> str:
    """``1 cycle``, ``16,071 cycles``."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


_LEGEND: Final = (
    "WAIT: first start − submit of the jobs that started.",
    "PREEMPTED: preemptions its jobs suffered; PREEMPTING: preemptions made for its jobs.",
    "BORROWED: used above its min. MIN HONOURED: share of the time it asked for no more than",
    "its min and had all of it (- when it never did).",
)


def run_data(run: SimulationInput, result: SimulationResult, shown: Shown) -> dict[str, Any]:
    """One run as data (the schema's ``run``).

    Runtime complexity: O(jobs × depth + nodes).
    """
    return {
        "scenario": _scenario_data(run),
        "until": shown.until,
        "resource": shown.resource,
        **_result_data(result, run.scenario),
        "plot": shown.plot,
    }


def run_report(run: SimulationInput, result: SimulationResult, shown: Shown) -> Report:
    """One run for people: the scenario, the quota table, its legend, the cluster line, the
    jobs that never started and where the plot went.

    Runtime complexity: O(jobs × depth + nodes).
    """
    blocks: list[Table | Text] = [
        Text(lines=tuple(_scenario_lines(run, shown.until))),
        _quota_table(result, run.scenario.tree, shown.resource),
        Text(lines=_LEGEND),
        Text(lines=(_cluster_line(result),)),
    ]
    never = never_started(result)
    if never:
        blocks.append(
            Text(
                lines=(
                    f"{_count(len(never), 'job')} still pending at the end, which can never "
                    f"start (no quota, or a request above a max or the total): "
                    f"{listing(never, _LISTED)}",
                )
            )
        )
    if shown.plot is not None:
        blocks.append(Text(lines=(f"Plot written to {shown.plot}",)))
    return Report(blocks=tuple(blocks))


def _metric(
    stats: QuotaStats, states: dict[JobState, list[str]], metric: Metric, resource: str
) -> str:
    waits = stats.waits
    if metric is Metric.WAIT_P50:
        return _duration(waits.p50)
    if metric is Metric.WAIT_P90:
        return _duration(waits.p90)
    if metric is Metric.WAIT_P99:
        return _duration(waits.p99)
    if metric is Metric.WAIT_MAX:
        return _duration(waits.max)
    if metric is Metric.FINISHED:
        return f"{stats.finished:,}"
    if metric is Metric.EXPIRED:
        return f"{stats.expired:,}"
    if metric is Metric.PENDING:
        return f"{len(states.get(JobState.PENDING, ())):,}"
    if metric is Metric.PREEMPTED:
        return f"{stats.preemptions_suffered:,}"
    if metric is Metric.PREEMPTING:
        return f"{stats.preemptions_caused:,}"
    if metric is Metric.USED_HOURS:
        return _amount_hours(stats.used.get(resource, 0), resource)
    if metric is Metric.BORROWED_HOURS:
        return _amount_hours(stats.borrowed.get(resource, 0), resource)
    return _percent(stats.min_honoured)


def sweep_data(run: SimulationInput, swept: SweepResult, shown: Shown) -> dict[str, Any]:
    """A sweep as data (the schema's ``sweep``): the axes, and per point its settings and
    what one run shows.

    Runtime complexity: O(points × (jobs × depth + nodes)).
    """
    keys = [key for axis in swept.axes for key in axis.keys]
    points = [
        {
            "index": point.index,
            "settings": {
                key.text: key.show(value)
                for key, (_, value) in zip(keys, point.settings, strict=True)
            },
            **_result_data(point.result, point.scenario),
        }
        for point in swept.points
    ]
    return {
        "scenario": _scenario_data(run),
        "until": shown.until,
        "resource": shown.resource,
        "engine": shown.engine.value,
        "axes": [
            {
                "keys": [key.text for key in axis.keys],
                "steps": [
                    [key.show(value) for key, value in zip(axis.keys, step, strict=True)]
                    for step in axis.steps
                ],
            }
            for axis in swept.axes
        ],
        "points": points,
        "plot": shown.plot,
    }


def sweep_report(
    run: SimulationInput,
    swept: SweepResult,
    shown: Shown,
    *,
    quotas: Sequence[str],
    metrics: Sequence[Metric],
) -> Report:
    """A sweep for people: one row per point with the grid's values, each of ``metrics``
    for each of ``quotas``, the preemptions, the utilisation of ``shown.resource`` and the
    jobs that never started.

    Runtime complexity: O(points × (jobs × depth + nodes)).
    """
    resource = shown.resource
    short = {"nvidia.com/gpu": "GPU", "cpu": "CPU"}.get(resource, resource)
    keys = [key for axis in swept.axes for key in axis.keys]
    columns = (
        *(key.text for key in keys),
        *(f"{quota} {metric.value}" for quota in quotas for metric in metrics),
        "preemptions",
        f"{short} utilisation",
        "never started",
    )
    rows: list[tuple[Cell, ...]] = []
    for point in swept.points:
        result = point.result
        states = _states(result, point.scenario.tree)
        cells: list[Cell] = [
            key.show(value) for key, (_, value) in zip(keys, point.settings, strict=True)
        ]
        for quota in quotas:
            stats = result.quota(quota)
            cells.extend(_metric(stats, states[quota], metric, resource) for metric in metrics)
        cells.append(f"{len(result.preemptions):,}")
        cells.append(_percent(result.cluster.utilisation.get(resource)))
        cells.append(f"{len(never_started(result)):,}")
        rows.append(tuple(cells))
    lines = [
        *_scenario_lines(run, shown.until),
        f"Sweep of {_count(len(swept.points), 'point')} ({shown.engine.value}); "
        "waits are first start − submit",
    ]
    blocks: list[Table | Text] = [
        Text(lines=tuple(lines)),
        Table(title="Points", columns=columns, rows=rows),
    ]
    if shown.plot is not None:
        blocks.append(Text(lines=(f"Plot written to {shown.plot}",)))
    return Report(blocks=tuple(blocks))
