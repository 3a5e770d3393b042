"""Sweeps on Ray: one task per point, on a local Ray instance with 2 CPUs, equal results.

``ray`` comes with the ``dev`` extra (``invsched[ray]``), so CI runs these tests; elsewhere
they are skipped. Starting a local instance costs a few seconds, so the module starts one
and reuses it, and one test lets :func:`sweep` start (and shut down) its own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from invsched.errors import InvalidRequest
from invsched.simulate import Grid, SweepEngine, sweep
from tests.simulate.test_sweep import BASE, JOBS

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'invsched[ray]')")

#: A grid of four points: two capacities × two policies.
GRID: Grid = {"capacity.nvidia.com/gpu": [4, 8], "policy": ["priority", "block"]}


def _start() -> None:
    with warnings.catch_warnings():
        # Ray's own start-up may warn about its environment (a deprecated module, a
        # leaked process handle); those are Ray's, not ours.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray(\.|$)")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)


def test_sweep_starts_a_local_instance_and_shuts_it_down() -> None:
    # First in the module: no instance is running yet.
    assert not ray.is_initialized()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray(\.|$)")
        warnings.filterwarnings("ignore", category=ResourceWarning)
        result = sweep(BASE, JOBS, {"policy": ["block"]}, engine="ray", num_cpus=2)
    assert not ray.is_initialized()
    assert result == sweep(BASE, JOBS, {"policy": ["block"]})


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray instance with 2 CPUs for the module's tests."""
    assert not ray.is_initialized()
    _start()
    yield
    ray.shutdown()


@pytest.mark.usefixtures("local_ray")
def test_ray_gives_the_sequential_results() -> None:
    sequential = sweep(BASE, JOBS, GRID)
    calls: list[tuple[int, int]] = []
    on_ray = sweep(
        BASE, JOBS, GRID, engine="ray", progress=lambda done, total: calls.append((done, total))
    )
    assert on_ray == sequential
    assert [point.label for point in on_ray.points] == [
        "capacity.nvidia.com/gpu=4, policy=Priority",
        "capacity.nvidia.com/gpu=4, policy=Block",
        "capacity.nvidia.com/gpu=8, policy=Priority",
        "capacity.nvidia.com/gpu=8, policy=Block",
    ]
    assert [done for done, _ in calls] == [1, 2, 3, 4]
    assert {total for _, total in calls} == {4}
    # The instance this process started is still there: sweep shuts down only its own.
    assert ray.is_initialized()


@pytest.mark.usefixtures("local_ray")
def test_ray_without_outcomes_gives_the_sequential_statistics() -> None:
    light = sweep(BASE, JOBS, GRID, engine="ray", outcomes=False)
    assert light == sweep(BASE, JOBS, GRID, outcomes=False)
    assert all(point.result.jobs == () for point in light.points)


@pytest.mark.usefixtures("local_ray")
def test_an_error_in_a_task_is_raised_as_itself() -> None:
    twice = (*JOBS, JOBS[0])
    with pytest.raises(InvalidRequest) as sequential:
        sweep(BASE, twice, {"policy": ["block"]})
    with pytest.raises(InvalidRequest) as on_ray:
        sweep(BASE, twice, {"policy": ["block"]}, engine=SweepEngine.RAY)
    assert str(on_ray.value) == str(sequential.value)
