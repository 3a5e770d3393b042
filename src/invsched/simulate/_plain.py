"""The plain-data view of a simulation result (dicts, lists, str, int, float, ``None``), for
JSON or YAML: :meth:`~invsched.simulate.SimulationResult.to_dict`.

Resources are ``{name: milli-units}``, resource-seconds ``{name: milli-unit-seconds}``, times
seconds as the jobs gave them; enums are their values (``"Finished"``, ``"Reclaim"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from invsched.simulate.result import (
        ClusterStats,
        JobOutcome,
        QuotaStats,
        SimulationResult,
        WaitStats,
    )

__all__ = ["plain_result"]


def plain_result(result: SimulationResult) -> dict[str, Any]:
    """``result`` as plain data.

    Runtime complexity: O(size of the result).
    """
    return {
        "until": result.until,
        "cluster": _cluster_dict(result.cluster),
        "quotas": [_quota_dict(stats) for stats in result.quotas],
        "jobs": [_job_dict(outcome) for outcome in result.jobs],
        "preemptions": [
            {
                "time": event.time,
                "victim": event.victim.key,
                "preemptor": event.preemptor.key,
                "reason": event.reason.value,
            }
            for event in result.preemptions
        ],
        "timeline": [
            {
                "name": line.name,
                "times": list(line.times),
                "usage": [dict(amounts) for amounts in line.usage],
                "pending": list(line.pending),
            }
            for line in result.timeline
        ],
    }


def _plain(amounts: Mapping[str, int | float]) -> dict[str, int | float]:
    return dict(amounts)


def _waits_dict(waits: WaitStats) -> dict[str, Any]:
    return {
        "count": waits.count,
        "p50": waits.p50,
        "p90": waits.p90,
        "p99": waits.p99,
        "max": waits.max,
    }


def _cluster_dict(cluster: ClusterStats) -> dict[str, Any]:
    return {
        "start": cluster.start,
        "end": cluster.end,
        "makespan": cluster.makespan,
        "cycles": cluster.cycles,
        "total": dict(cluster.total),
        "used": _plain(cluster.used),
        "utilisation": dict(cluster.utilisation),
    }


def _quota_dict(stats: QuotaStats) -> dict[str, Any]:
    return {
        "name": stats.name,
        "jobs": stats.jobs,
        "started": stats.started,
        "finished": stats.finished,
        "expired": stats.expired,
        "waits": _waits_dict(stats.waits),
        "preemptions_suffered": stats.preemptions_suffered,
        "preemptions_caused": stats.preemptions_caused,
        "used": _plain(stats.used),
        "borrowed": _plain(stats.borrowed),
        "asked_within_min": stats.asked_within_min,
        "honoured_within_min": stats.honoured_within_min,
        "min_honoured": stats.min_honoured,
    }


def _job_dict(outcome: JobOutcome) -> dict[str, Any]:
    return {
        "namespace": outcome.job.namespace,
        "name": outcome.job.name,
        "quota": outcome.quota,
        "state": outcome.state.value,
        "submit": outcome.job.submit,
        "first_start": outcome.first_start,
        "end": outcome.end,
        "wait": outcome.wait,
        "preemptions": outcome.preemptions,
        "runs": [[run.start, run.end, run.preempted] for run in outcome.runs],
    }
