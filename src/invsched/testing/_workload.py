"""Simulation inputs for property tests: a hypothesis strategy of small scenarios and jobs.

It reuses the kit's quota trees (:func:`~invsched.testing.quota_trees`) and pending units
(:func:`~invsched.testing.queue_units`) and gives each unit a place in time, so a simulation
property test sees the same trees and units as the admission laws. The seeded generator of
large synthetic traces, which needs no hypothesis, lives in
:mod:`invsched.testing._workload_generators`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidRequest
from invsched.resources import Resources
from invsched.simulate.records import Job, Restart, Scenario
from invsched.simulate.scenarios import SimulationInput
from invsched.testing._admission import queue_units
from invsched.testing._quota import quota_trees

__all__ = ["simulation_inputs"]

#: The resources a drawn scenario uses unless told otherwise.
_RESOURCES = ("cpu", "nvidia.com/gpu")


@st.composite
def simulation_inputs(
    draw: st.DrawFn,
    *,
    max_nodes: int = 6,
    max_jobs: int = 10,
    max_time: int = 50,
    resources: Sequence[str] = _RESOURCES,
    options: bool = True,
    strays: bool = False,
) -> SimulationInput:
    """Small simulation inputs: a valid tree, a total and jobs spread over time.

    The tree is drawn by :func:`~invsched.testing.quota_trees` (valid under
    ``KOORDINATOR``), the total gives every resource of the tree 0–12 whole units, and the
    jobs are :func:`~invsched.testing.queue_units` (names ``p<i>``) with a submission time and
    a duration in ``0 … max_time`` whole seconds and, for some, a deadline up to
    ``max_time`` after submission. Small integer times make simultaneous events (a
    submission at a completion, a deadline at a cycle) frequent.

    Args:
        max_nodes: the most quota nodes.
        max_jobs: the most jobs.
        max_time: the latest submission and the longest duration and patience, in seconds.
        resources: the resource names the tree may use.
        options: draw the queue options (policy, reclaim, restart, an interval of 0–10
            seconds, preemption within a quota); ``False`` keeps the defaults.
        strays: let some jobs name no leaf quota (they stay pending).

    Raises:
        InvalidRequest: a size that is not an int, or out of range.

    Runtime complexity: O(max_nodes + max_jobs) draws.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(simulation_inputs(max_jobs=4))
    ... def check(drawn):
    ...     assert all(job.submit <= 50 for job in drawn.jobs)
    ...     assert drawn.scenario.tree.root.name == "root"
    >>> check()
    """
    for name, value, low in (("max_jobs", max_jobs, 0), ("max_time", max_time, 0)):
        if type(value) is not int or value < low:
            raise InvalidRequest(name, f"must be an int ≥ {low}, got {value!r}")
    tree = draw(quota_trees(max_nodes=max_nodes, max_depth=3, resources=resources))
    names = sorted({key for node in tree for key in (*node.min, *node.max)}) or ["cpu"]
    total = Resources({name: draw(st.integers(0, 12)) * 1000 for name in names})
    jobs = []
    for unit in draw(queue_units(tree, max_units=max_jobs, strays=strays)):
        submit = draw(st.integers(0, max_time))
        patience = draw(st.none() | st.integers(0, max_time))
        jobs.append(
            Job(
                name=unit.name,
                namespace=unit.namespace,
                quota=unit.quota,
                request=unit.request,
                priority=unit.priority,
                preemptible=unit.preemptible,
                submit=submit,
                duration=draw(st.integers(0, max_time)),
                deadline=None if patience is None else submit + patience,
            )
        )
    scenario = Scenario(tree=tree, total=total)
    if options:
        scenario = Scenario(
            tree=tree,
            total=total,
            policy=draw(st.sampled_from(QueuePolicy)),
            reclaim=draw(st.sampled_from(Reclaim)),
            interval=draw(st.sampled_from((0, 0, 1, 5, 10))),
            restart=draw(st.sampled_from(Restart)),
            preempt_within_quota=draw(st.booleans()),
        )
    return SimulationInput(name="drawn", scenario=scenario, jobs=jobs)
