"""``simulate``: the order of events at one time, deadlines, restarts, ticks, the stop time,
the figures of the result, and the errors on bad input."""

from __future__ import annotations

import json
import re

import attrs
import pytest

from invsched.errors import InvalidRequest
from invsched.quota import QuotaNode, QuotaTree
from invsched.resources import Resources
from invsched.simulate import (
    Job,
    JobState,
    Restart,
    Run,
    Scenario,
    SimulationResult,
    WaitStats,
    simulate,
)
from invsched.testing import check_simulation


def gpu(count: int) -> Resources:
    return Resources({"nvidia.com/gpu": count * 1000})


#: One quota of 2 GPUs under a root of 2.
ONE = QuotaTree.from_nodes([QuotaNode(name="root", min=gpu(2), max=gpu(2), namespaces=("ml",))])
#: Two teams sharing 2 GPUs, each guaranteed 1.
TWO = QuotaTree.from_nodes(
    [
        QuotaNode(name="root", min=gpu(2), max=gpu(2), children=("a", "b")),
        QuotaNode(name="a", parent="root", min=gpu(1), max=gpu(2), namespaces=("a",)),
        QuotaNode(name="b", parent="root", min=gpu(1), max=gpu(2), namespaces=("b",)),
    ]
)


def job(name: str, submit: float, duration: float, gpus: int = 1, **fields: object) -> Job:
    namespace = fields.pop("namespace", "ml")
    return Job(
        name=name,
        namespace=namespace,  # type: ignore[arg-type]
        request=gpu(gpus),
        submit=submit,
        duration=duration,
        **fields,  # type: ignore[arg-type]
    )


def runs(
    result: SimulationResult,
) -> dict[str, tuple[JobState, list[tuple[float, float, bool]], float | None]]:
    return {
        o.job.name: (o.state, [(r.start, r.end, r.preempted) for r in o.runs], o.end)
        for o in result.jobs
    }


def checked(scenario: Scenario, jobs: list[Job], until: float | None = None) -> SimulationResult:
    result = simulate(scenario, jobs, until=until)
    assert check_simulation(scenario, jobs, result) == ()
    return result


# The order of events at one time ---------------------------------------------------------------


def test_a_completion_frees_capacity_for_a_submission_at_the_same_time() -> None:
    result = checked(Scenario(tree=ONE, total=gpu(2)), [job("x", 0, 5, 2), job("y", 5, 1, 2)])
    assert runs(result) == {
        "x": (JobState.FINISHED, [(0, 5, False)], 5),
        "y": (JobState.FINISHED, [(5, 6, False)], 6),
    }


def test_a_deadline_at_the_time_capacity_frees_comes_first() -> None:
    # y may wait until 5; capacity frees at 5, but y leaves its queue before that cycle.
    jobs = [job("x", 0, 5, 2), job("y", 1, 1, 2, deadline=5), job("z", 1, 1, 2, deadline=6)]
    result = checked(Scenario(tree=ONE, total=gpu(2)), jobs)
    assert runs(result) == {
        "x": (JobState.FINISHED, [(0, 5, False)], 5),
        "y": (JobState.EXPIRED, [], 5),
        "z": (JobState.FINISHED, [(5, 6, False)], 6),
    }


def test_a_deadline_at_submission_means_no_wait_at_all() -> None:
    jobs = [job("x", 0, 5, 2), job("now", 2, 1, 1, deadline=2), job("free", 6, 1, 1, deadline=6)]
    result = checked(Scenario(tree=ONE, total=gpu(2)), jobs)
    assert runs(result)["now"] == (JobState.EXPIRED, [], 2)
    assert runs(result)["free"] == (JobState.EXPIRED, [], 6)


def test_a_job_of_no_length_holds_its_request_for_its_cycle_only() -> None:
    # Both are submitted at 3; "blink" comes first by name and holds the 2 GPUs during its
    # cycle, so "next" is left waiting; blink's end is an event at 3, so a second cycle at 3
    # admits "next".
    result = checked(
        Scenario(tree=ONE, total=gpu(2)), [job("blink", 3, 0, 2), job("next", 3, 4, 2)]
    )
    assert runs(result) == {
        "blink": (JobState.FINISHED, [(3, 3, False)], 3),
        "next": (JobState.FINISHED, [(3, 7, False)], 7),
    }
    assert result.cluster.cycles == 2


# Preemption and restarts ----------------------------------------------------------------------


def _reclaim_jobs(**late: object) -> list[Job]:
    # big borrows b's GPU from 0; small (b) takes it back at 4.
    return [
        job("big", 0, 10, 2, namespace="a"),
        job("small", 4, 3, 1, namespace="b", **late),
    ]


@pytest.mark.parametrize(
    ("restart", "second_run"),
    [(Restart.FROM_SCRATCH, (7, 17, False)), (Restart.RESUME, (7, 13, False))],
)
def test_a_preempted_job_runs_again_whole_or_the_rest(
    restart: Restart, second_run: tuple[int, int, bool]
) -> None:
    scenario = Scenario(tree=TWO, total=gpu(2), restart=restart)
    result = checked(scenario, _reclaim_jobs())
    assert runs(result)["big"] == (JobState.FINISHED, [(0, 4, True), second_run], second_run[1])
    assert [(p.time, p.victim.name, p.preemptor.name) for p in result.preemptions] == [
        (4, "big", "small")
    ]
    assert (result.quota("a").preemptions_suffered, result.quota("b").preemptions_caused) == (1, 1)


def test_a_job_preempted_after_its_deadline_leaves_its_queue() -> None:
    jobs = [job("big", 0, 10, 2, namespace="a", deadline=2), job("small", 4, 3, 1, namespace="b")]
    result = checked(Scenario(tree=TWO, total=gpu(2)), jobs)
    assert runs(result)["big"] == (JobState.EXPIRED, [(0, 4, True)], 4)


# Ticks ------------------------------------------------------------------------------------------


def test_with_an_interval_cycles_run_at_its_multiples() -> None:
    scenario = Scenario(tree=ONE, total=gpu(2), interval=5)
    result = checked(scenario, [job("x", 3, 4, 2), job("y", 4, 1, 2)])
    # x waits for the tick at 5, ends at 9; y is admitted at the tick at 10.
    assert runs(result) == {
        "x": (JobState.FINISHED, [(5, 9, False)], 9),
        "y": (JobState.FINISHED, [(10, 11, False)], 11),
    }
    assert result.cluster.cycles == 2


def test_float_intervals_find_their_ticks_at_any_time() -> None:
    # 0.25 s ticks: the job submitted at 0.3 starts at the tick at 0.5.
    scenario = Scenario(tree=ONE, total=gpu(2), interval=0.25)
    result = checked(scenario, [job("x", 0.3, 1, 2)])
    assert runs(result) == {"x": (JobState.FINISHED, [(0.5, 1.5, False)], 1.5)}
    # Past 2^53 ticks consecutive ticks round to the same float time; the first tick at or
    # after a time is searched for, not stepped to (stepping never ended here).
    far = simulate(Scenario(tree=ONE, total=gpu(2), interval=1e-6), [job("y", 7e17, 1, 2)])
    (outcome,) = far.jobs
    assert outcome.state is JobState.FINISHED
    assert outcome.runs[0].start >= 7e17


def test_an_interval_below_a_nanosecond_is_refused() -> None:
    with pytest.raises(InvalidRequest) as raised:
        Scenario(tree=ONE, total=gpu(2), interval=5e-324)
    assert str(raised.value) == (
        "Scenario.interval: must be 0 or at least 1e-09 seconds (a nanosecond), got 5e-324"
    )


def test_idle_ticks_with_jobs_waiting_are_counted_up_to_the_stop() -> None:
    # "never" asks for more than the quota's max: it waits at every tick from 0 to 20.
    scenario = Scenario(tree=ONE, total=gpu(2), interval=5)
    result = checked(scenario, [job("never", 0, 1, 3)], until=20)
    assert runs(result) == {"never": (JobState.PENDING, [], None)}
    assert result.cluster.cycles == 5


def test_ticks_skipped_while_nothing_changes_still_count() -> None:
    # "never" waits from 0; ticks 5 and 10 change nothing and are counted without running;
    # "fits" arrives at 12 and starts at the tick at 15; the tick at 20 finds nothing to do.
    scenario = Scenario(tree=ONE, total=gpu(2), interval=5)
    jobs = [job("never", 0, 1, 3), job("fits", 12, 1, 1)]
    result = checked(scenario, jobs)
    assert runs(result)["fits"] == (JobState.FINISHED, [(15, 16, False)], 16)
    assert (result.cluster.cycles, result.cluster.end) == (5, 20)
    assert checked(scenario, jobs, until=30).cluster.cycles == 7


# The stop time ----------------------------------------------------------------------------------


def test_until_reports_running_and_waiting_jobs_and_leaves_later_ones_out() -> None:
    jobs = [job("x", 0, 10, 2), job("y", 1, 5, 2), job("z", 30, 1)]
    result = checked(Scenario(tree=ONE, total=gpu(2)), jobs, until=12)
    assert runs(result) == {
        "x": (JobState.FINISHED, [(0, 10, False)], 10),
        "y": (JobState.RUNNING, [(10, 12, False)], None),
    }
    assert (result.until, result.cluster.start, result.cluster.end) == (12, 0, 12)


def test_input_order_does_not_matter() -> None:
    jobs = [job(f"j{index}", index % 3, 2 + index % 4, 1 + index % 2) for index in range(12)]
    scenario = Scenario(tree=ONE, total=gpu(2))
    assert simulate(scenario, jobs) == simulate(scenario, jobs[::-1])


# Figures ----------------------------------------------------------------------------------------


def test_the_figures_of_a_small_run() -> None:
    # a borrows from 0 to 4 and again from 7; b asks for its min (1 GPU) from 4 to 7.
    result = checked(Scenario(tree=TWO, total=gpu(2)), _reclaim_jobs())
    a, b, root = result.quota("a"), result.quota("b"), result.quota("root")
    assert (a.jobs, a.started, a.finished, a.waits) == (1, 1, 1, WaitStats.of([0]))
    # 2 GPUs for 4 s, then 2 GPUs for 10 s, in milli-GPU-seconds; a's min is 1 GPU.
    assert dict(a.used) == {"nvidia.com/gpu": 28000}
    assert dict(a.borrowed) == {"nvidia.com/gpu": 14000}
    assert dict(b.used) == {"nvidia.com/gpu": 3000}
    # b asked for exactly its min from 4 to 7 and had it all that time.
    assert (b.asked_within_min, b.honoured_within_min, b.min_honoured) == (3, 3, 1.0)
    # a asked for 2 GPUs (above its min of 1) all the time: never within min.
    assert (a.asked_within_min, a.min_honoured) == (0, None)
    assert dict(root.used) == dict(result.cluster.used) == {"nvidia.com/gpu": 31000}
    assert (result.cluster.makespan, result.cluster.cycles) == (17, 3)
    assert dict(result.cluster.utilisation) == {"nvidia.com/gpu": 31000 / (2000 * 17)}
    line = result.series("a")
    assert (line.times, line.pending) == ((0, 4, 7, 17), (0, 1, 0, 0))
    assert [dict(usage) for usage in line.usage] == [
        {"nvidia.com/gpu": 2000},
        {},
        {"nvidia.com/gpu": 2000},
        {},
    ]


def test_waits_use_nearest_rank_percentiles() -> None:
    stats = WaitStats.of(range(1, 101))
    assert (stats.count, stats.p50, stats.p90, stats.p99, stats.max) == (100, 50, 90, 99, 100)
    three = WaitStats.of([30, 10, 20])
    assert (three.p50, three.p90, three.p99) == (20, 30, 30)


def test_float_times_give_float_integrals() -> None:
    result = checked(Scenario(tree=ONE, total=gpu(2)), [job("x", 0.5, 1.25, 2)])
    assert runs(result) == {"x": (JobState.FINISHED, [(0.5, 1.75, False)], 1.75)}
    assert dict(result.cluster.used) == {"nvidia.com/gpu": 2500.0}


def test_a_job_without_quota_waits_for_ever_and_counts_nowhere() -> None:
    result = checked(Scenario(tree=ONE, total=gpu(2)), [job("lost", 0, 1, namespace="elsewhere")])
    assert runs(result) == {"lost": (JobState.PENDING, [], None)}
    assert result.job("elsewhere", "lost").quota is None
    assert result.quota("root").jobs == 0


def test_the_plain_data_view_is_json() -> None:
    result = checked(Scenario(tree=ONE, total=gpu(2)), [job("x", 0, 5, 2), job("y", 1, 1, 2)])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["cluster"] == {
        "start": 0,
        "end": 6,
        "makespan": 6,
        "cycles": 3,
        "total": {"nvidia.com/gpu": 2000},
        "used": {"nvidia.com/gpu": 12000},
        "utilisation": {"nvidia.com/gpu": 1.0},
    }
    assert data["jobs"][1] == {
        "namespace": "ml",
        "name": "y",
        "quota": "root",
        "state": "Finished",
        "submit": 1,
        "first_start": 5,
        "end": 6,
        "wait": 4,
        "preemptions": 0,
        "runs": [[5, 6, False]],
    }
    assert data["timeline"] == [
        {
            "name": "root",
            "times": [0, 1, 5, 6],
            "usage": [{"nvidia.com/gpu": 2000}] * 3 + [{}],
            "pending": [0, 1, 0, 0],
        }
    ]


# Progress ---------------------------------------------------------------------------------------


def test_progress_is_reported_about_a_hundred_times_and_ends_complete() -> None:
    calls: list[tuple[int, int]] = []
    jobs = [job(f"j{index}", index, 1) for index in range(500)]
    simulate(
        Scenario(tree=ONE, total=gpu(2)),
        jobs,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert 90 <= len(calls) <= 102
    assert calls[-1] == (1000, 1000)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# Errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"jobs": [job("x", 0, 1), job("y", 0, 1), job("x", 2, 1)]},
            "jobs[2]: duplicate job 'ml/x', also at jobs[0]",
        ),
        ({"jobs": [job("x", 0, 1), "y"]}, "jobs[1]: expected a Job, got str 'y'"),
        ({"until": -1}, "until: must be a finite time in [0, 10^18] seconds, got -1"),
        ({"until": "5"}, "until: expected int or float seconds or None, got str '5'"),
        ({"progress": 3}, "progress: expected a callable or None, got int 3"),
        ({"scenario": ONE}, "scenario: expected a Scenario, got QuotaTree QuotaTree(nodes="),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_field(
    arguments: dict[str, object], message: str
) -> None:
    given: dict[str, object] = {"scenario": Scenario(tree=ONE, total=gpu(2)), "jobs": []}
    given.update(arguments)
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        simulate(given.pop("scenario"), given.pop("jobs"), **given)  # type: ignore[arg-type]


def test_records_refuse_inconsistent_timelines() -> None:
    line = simulate(Scenario(tree=ONE, total=gpu(2)), [job("x", 0, 1)]).timeline[0]
    with pytest.raises(InvalidRequest, match="times, usage and pending must have equal lengths"):
        attrs.evolve(line, pending=())
    assert Run(start=1, end=3).seconds == 2
