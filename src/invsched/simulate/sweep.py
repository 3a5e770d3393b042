"""Parameter sweeps: one simulation per point of a grid, in sequence or as Ray tasks.

Capacity planning is a grid of simulations: "what do the waits look like with 32, 48 and 64
GPUs, under each queue policy?". :func:`sweep` takes a scenario, the jobs and a grid — a
mapping from a key naming one setting (``policy``, ``total.nvidia.com/gpu``,
``capacity.nvidia.com/gpu``, ``min.best-effort.nvidia.com/gpu``, …: see :class:`GridKey`)
to the values to try — and runs one :func:`~invsched.simulate.simulate` per point of the
grid's cartesian product, one after the other or as one Ray task per point. The results are equal
either way: a point's simulation depends only on its scenario and the jobs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

import attrs

from invsched._validators import check_tuple_of, render, typed
from invsched.errors import InvalidRequest, InvschedError
from invsched.simulate._grid import (
    Grid,
    GridAxis,
    GridKey,
    GridPoint,
    GridSetting,
    GridValue,
    grid_points,
)
from invsched.simulate.engine import simulate
from invsched.simulate.records import Job, Scenario
from invsched.simulate.result import SimulationResult

__all__ = [
    "Grid",
    "GridAxis",
    "GridKey",
    "GridSetting",
    "GridValue",
    "SweepEngine",
    "SweepPoint",
    "SweepResult",
    "sweep",
]

#: A sweep's progress callback: called with (points done, points in all).
_Progress: TypeAlias = Callable[[int, int], None]


class SweepEngine(enum.Enum):
    """Where the points of a sweep run."""

    #: One after the other, in this process.
    SEQUENTIAL = "sequential"
    #: One Ray task per point, on a local Ray instance or an existing Ray cluster.
    RAY = "ray"


@attrs.frozen(kw_only=True)
class SweepPoint:
    """One point of a grid: its settings, the scenario they give, and what it simulated.

    Attributes:
        index: the point's position in the grid's order (0-based).
        settings: ``(key, value)`` per grid key, in the grid's key order; values as read
            (enum members, seconds, oversell rates, milli-units).
        label: ``"key=value, …"`` with values as text (quantities canonical).
        scenario: the scenario the point ran.
        result: the simulation's result.
    """

    index: int
    settings: tuple[tuple[str, GridValue], ...]
    label: str
    scenario: Scenario
    result: SimulationResult

    def value(self, key: str) -> GridValue:
        """The value this point gives ``key`` (a key of the grid, as given).

        Raises:
            InvalidRequest: ``key`` is not a key of the grid.

        Runtime complexity: O(k) for k grid keys.
        """
        for name, value in self.settings:
            if name == key:
                return value
        known = ", ".join(name for name, _ in self.settings) or "none"
        raise InvalidRequest("key", f"{render(key)} is not a key of the grid (keys: {known})")


@attrs.frozen(kw_only=True)
class SweepResult:
    """Every point of a sweep, in the grid's order.

    Attributes:
        axes: the grid's axes (a key, or keys varying together), in the order given.
        points: one per point of the cartesian product, the last axis varying fastest.
    """

    axes: tuple[GridAxis, ...]
    points: tuple[SweepPoint, ...]


def sweep(
    scenario: Scenario,
    jobs: Iterable[Job],
    grid: Grid,
    *,
    engine: SweepEngine | str | None = None,
    address: str | None = None,
    until: int | float | None = None,
    num_cpus: int | None = None,
    outcomes: bool = True,
    progress: _Progress | None = None,
) -> SweepResult:
    """Simulate ``jobs`` once per point of ``grid`` over ``scenario``.

    Args:
        scenario: the base scenario; each point changes the settings its keys name.
        jobs: the jobs, the same for every point.
        grid: key → the values to try (a non-empty sequence, no value twice), or a tuple of
            keys → a tuple of values per step, for keys that vary together (the keys and
            values of :class:`GridKey`). The points are the cartesian product in the grid's
            order, the **last entry varying fastest**
            (``itertools.product``); an empty grid is one point, the scenario itself.
        engine: :attr:`SweepEngine.SEQUENTIAL` (the default, also ``None``) or
            :attr:`SweepEngine.RAY`, or their values (``"ray"``): one Ray task per point.
        address: with Ray, an existing cluster's address (``"ray://head:10001"``,
            ``"auto"``); ``None`` starts a local instance unless this process is already
            connected to one. What ``sweep`` starts it shuts down. The cluster's workers
            must have ``invsched`` installed.
        until: passed to every :func:`~invsched.simulate.simulate`.
        num_cpus: the CPUs of a local Ray instance that ``sweep`` starts (``None``: Ray's
            default, every CPU of the machine).
        outcomes: keep each point's per-job outcomes, preemptions and timeline (the
            default); ``False`` keeps only the per-quota and cluster statistics (the
            result's ``jobs``, ``preemptions`` and ``timeline`` are empty), which is what a
            capacity plan reads: for the packaged trace 2.6 KB per point instead of 3.6 MB,
            which is what a large grid on Ray must send back to this process.
        progress: called with (points done, points in all) each time points finish.

    Returns:
        A :class:`SweepResult`, equal whichever engine ran it.

    Raises:
        InvalidRequest: a bad grid (naming the key, the value or the point), engine,
            address or ``num_cpus``, or the Ray engine without the ``ray`` package. Every
            grid point is checked before the first simulation runs. An error a point's
            simulation raises is raised as itself, from a Ray task too.

    Runtime complexity: the sum of the points' simulations, spread over Ray's workers.

    >>> from invsched.simulate import Job, Scenario
    >>> from invsched.quota import QuotaNode, QuotaTree
    >>> from invsched.resources import Resources
    >>> gpus = lambda n: Resources.parse({"nvidia.com/gpu": n})
    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", children=("team",)),
    ...     QuotaNode(name="team", parent="root", namespaces=("team",)),
    ... ])
    >>> jobs = [Job(name=f"j{i}", namespace="team", request=gpus(2), submit=0, duration=60)
    ...         for i in range(4)]
    >>> result = sweep(Scenario(tree=tree, total=gpus(4)), jobs,
    ...                {"total.nvidia.com/gpu": [2, 4, 8]})
    >>> for point in result.points:
    ...     print(point.label, point.result.cluster.makespan)
    total.nvidia.com/gpu=2 240
    total.nvidia.com/gpu=4 120
    total.nvidia.com/gpu=8 60
    """
    chosen = _engine(engine)
    if address is not None and (chosen is not SweepEngine.RAY or not isinstance(address, str)):
        raise InvalidRequest(
            "address", f"expected a string with engine='ray', got {render(address)}"
        )
    if num_cpus is not None and (type(num_cpus) is not int or num_cpus < 1):
        raise InvalidRequest("num_cpus", f"expected an int ≥ 1, got {typed(num_cpus)}")
    if type(outcomes) is not bool:
        raise InvalidRequest("outcomes", f"expected True or False, got {typed(outcomes)}")
    if progress is not None and not callable(progress):
        raise InvalidRequest("progress", f"expected a callable or None, got {typed(progress)}")
    jobs = check_tuple_of(InvalidRequest, "jobs", jobs, Job)
    axes, points = grid_points(scenario, grid)
    scenarios = [point.scenario for point in points]
    if chosen is SweepEngine.RAY:
        results = _run_on_ray(
            scenarios,
            jobs,
            until=until,
            outcomes=outcomes,
            address=address,
            num_cpus=num_cpus,
            progress=progress,
        )
    else:
        results = _run_here(scenarios, jobs, until=until, outcomes=outcomes, progress=progress)
    return SweepResult(
        axes=axes,
        points=tuple(
            _sweep_point(index, point, result)
            for index, (point, result) in enumerate(zip(points, results, strict=True))
        ),
    )


def _sweep_point(index: int, point: GridPoint, result: SimulationResult) -> SweepPoint:
    return SweepPoint(
        index=index,
        settings=point.settings,
        label=point.label,
        scenario=point.scenario,
        result=result,
    )


def _engine(engine: object) -> SweepEngine:
    if engine is None:
        return SweepEngine.SEQUENTIAL
    if isinstance(engine, SweepEngine):
        return engine
    for member in SweepEngine:
        if engine == member.value:
            return member
    choices = ", ".join(repr(member.value) for member in SweepEngine)
    raise InvalidRequest("engine", f"expected one of {choices}, got {render(engine)}")


def _run_here(
    scenarios: Sequence[Scenario],
    jobs: tuple[Job, ...],
    *,
    until: int | float | None,
    outcomes: bool,
    progress: _Progress | None,
) -> list[SimulationResult]:
    results: list[SimulationResult] = []
    for scenario in scenarios:
        results.append(_simulate_point(scenario, jobs, until, outcomes))
        if progress is not None:
            progress(len(results), len(scenarios))
    return results


def _simulate_point(
    scenario: Scenario, jobs: tuple[Job, ...], until: int | float | None, outcomes: bool
) -> SimulationResult:
    """One point's simulation, in this process or as a Ray task (a module-level function:
    Ray's workers import it by name)."""
    result = simulate(scenario, jobs, until=until)
    if outcomes:
        return result
    return attrs.evolve(result, jobs=(), preemptions=(), timeline=())


def _run_on_ray(
    scenarios: Sequence[Scenario],
    jobs: tuple[Job, ...],
    *,
    until: int | float | None,
    outcomes: bool,
    address: str | None,
    num_cpus: int | None,
    progress: _Progress | None,
) -> list[SimulationResult]:
    try:
        import ray  # noqa: PLC0415 (an optional extra: invsched[ray])
    except ImportError:
        raise InvalidRequest(
            "engine", "'ray' needs the ray package: pip install 'invsched[ray]'"
        ) from None
    started = not ray.is_initialized()
    if started:
        if address is None:
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    try:
        task = ray.remote(_simulate_point)
        # The jobs go to the object store once; every task reads the same copy.
        shared = ray.put(jobs)
        waiting: list[Any] = [
            task.remote(scenario, shared, until, outcomes) for scenario in scenarios
        ]
        position = {ref: index for index, ref in enumerate(waiting)}
        results: dict[int, SimulationResult] = {}
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                results[position[ref]] = _fetch(ray, ref)
            if progress is not None:
                progress(len(results), len(scenarios))
        return [results[index] for index in range(len(scenarios))]
    finally:
        if started:
            ray.shutdown()


def _fetch(ray: Any, ref: Any) -> SimulationResult:
    """A task's result; a typed error raised in the task is raised here as itself."""
    try:
        result: SimulationResult = ray.get(ref)
    except ray.exceptions.RayTaskError as error:
        if isinstance(error.cause, InvschedError):
            raise error.cause from None
        raise
    return result
