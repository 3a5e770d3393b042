"""Plots of a simulation and of a sweep, with matplotlib (the optional extra ``invsched[plot]``).

* :func:`plot_simulation`: one row per quota node on a shared time axis in hours; on the left
  the amount of one resource the node used, against its min and max; on the right how many
  of its jobs were pending.
* :func:`plot_sweep`: each metric against the first varied parameter — p90 wait, preemptions
  and the share of time the min guarantee was honoured per quota, and the cluster's
  utilisation; with ``capacity.nvidia.com/gpu`` varied this is the capacity-planning curve
  (p90 wait against GPUs). With more grid keys, one column per combination of the others.

Both return a :class:`matplotlib.figure.Figure` drawn on the Agg canvas (no display, no
global ``pyplot`` state); save it with ``figure.savefig("out.png")``. matplotlib is imported
only when a plot is made.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from invsched._validators import render
from invsched.errors import InvalidRequest
from invsched.quota import QuotaTree
from invsched.resources import format_amount
from invsched.simulate._grid import GridKey, GridSetting
from invsched.simulate.records import Scenario
from invsched.simulate.result import QuotaStats, SimulationResult
from invsched.simulate.sweep import SweepPoint, SweepResult

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_simulation", "plot_sweep"]

#: The resource plotted when none is named and the total has it.
_GPU: Final = "nvidia.com/gpu"
#: Resources shown in GiB rather than in units.
_BINARY: Final = frozenset({"memory", "ephemeral-storage", "storage"})
#: How many columns a sweep plot draws at most (one per combination of the other keys).
_MAX_COLUMNS: Final = 6
_HOUR: Final = 3600
#: Colours: usage, min, max, pending (matplotlib's default cycle, fixed here for every row).
_USAGE, _MIN, _MAX, _PENDING = "#1f77b4", "#2ca02c", "#d62728", "#ff7f0e"


def _pyplot_free_figure(width: float, height: float) -> Figure:
    """A figure on the Agg canvas, without pyplot (no global figure registry)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError:
        raise InvalidRequest(
            "plot", "plots need matplotlib: pip install 'invsched[plot]'"
        ) from None
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _resource(total_names: Sequence[str], resource: str | None) -> str:
    """The resource to plot: the one named, else GPUs, else the first of the total."""
    if resource is not None:
        if not isinstance(resource, str) or not resource:
            raise InvalidRequest("resource", f"expected a resource name, got {render(resource)}")
        return resource
    if _GPU in total_names:
        return _GPU
    if not total_names:
        raise InvalidRequest("resource", "the scenario's total has no resource to plot")
    return sorted(total_names)[0]


def _scale(resource: str) -> tuple[float, str, str]:
    """Milli-units per plotted unit, an amount's axis label, and the resource's short name."""
    if resource in _BINARY:
        return 1000.0 * 2**30, f"{resource} (GiB)", resource
    if resource == _GPU:
        return 1000.0, "GPUs", "GPU"
    if resource == "cpu":
        return 1000.0, "CPUs", "CPU"
    return 1000.0, resource, resource


def _quotas(tree: QuotaTree, quotas: Sequence[str] | None, default: Sequence[str]) -> list[str]:
    if quotas is None:
        return list(default)
    if isinstance(quotas, str) or not isinstance(quotas, Sequence) or not quotas:
        raise InvalidRequest("quotas", f"expected a non-empty list of names, got {render(quotas)}")
    for name in quotas:
        if name not in tree:
            raise InvalidRequest("quotas", f"no quota named {render(name)} in the tree")
    return list(quotas)


def plot_simulation(
    scenario: Scenario,
    result: SimulationResult,
    *,
    resource: str | None = None,
    quotas: Sequence[str] | None = None,
    title: str = "",
) -> Figure:
    """Usage against min and max, and pending jobs, over time: one row per quota node.

    Args:
        scenario: the scenario that was simulated (for the tree's min and max).
        result: what :func:`~invsched.simulate.simulate` returned for it.
        resource: the resource plotted (default: ``nvidia.com/gpu`` if the total has it,
            else the total's first resource); GPUs and CPUs in units, memory in GiB.
        quotas: the nodes to show, in order (default: every node of the tree, pre-order).
        title: the figure's title (default: none).

    Returns:
        The figure: time in hours since the first submission on a shared axis; a node's
        max is drawn only where it has one for the resource (a missing max is unlimited).

    Raises:
        InvalidRequest: matplotlib is not installed, a quota is not in the tree, or there
            is no resource to plot.

    Runtime complexity: O(timeline points of the nodes shown).
    """
    chosen = _resource(list(scenario.total), resource)
    names = _quotas(scenario.tree, quotas, [node.name for node in scenario.tree])
    per_unit, label, _ = _scale(chosen)
    start, end = result.cluster.start, result.cluster.end
    figure = _pyplot_free_figure(11.0, 0.6 + 1.55 * len(names))
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 (imported once matplotlib is known)

    grid = figure.subplots(len(names), 2, sharex=True, squeeze=False, width_ratios=(3, 2))
    for row, name in enumerate(names):
        node = scenario.tree.node(name)
        line = result.series(name)
        hours = [(time - start) / _HOUR for time in line.times] + [(end - start) / _HOUR]
        usage = [amounts[chosen] / per_unit for amounts in line.usage]
        left, right = grid[row]
        if hours and usage:
            left.stairs(usage, hours, color=_USAGE, fill=True, alpha=0.35, linewidth=0)
            left.stairs(usage, hours, color=_USAGE, linewidth=0.8, label="in use")
            right.stairs(line.pending, hours, color=_PENDING, linewidth=0.8)
        left.axhline(
            node.min[chosen] / per_unit, color=_MIN, linestyle="--", linewidth=1.2, label="min"
        )
        if chosen in node.max:
            left.axhline(
                node.max[chosen] / per_unit, color=_MAX, linestyle=":", linewidth=1.4, label="max"
            )
        limits = f"min {format_amount(chosen, node.min[chosen])}"
        if chosen in node.max:
            limits += f", max {format_amount(chosen, node.max[chosen])}"
        left.set_title(f"{name}: {label} in use ({limits})", loc="left", fontsize=9)
        right.set_title(f"{name}: jobs pending", loc="left", fontsize=9)
        left.set_ylabel(label)
        right.set_ylabel("jobs")
        left.set_ylim(bottom=0)
        # Jobs are counted: whole ticks, and a visible axis when none ever waited.
        right.set_ylim(0, max(max(line.pending, default=0), 1) * 1.05)
        right.yaxis.set_major_locator(MaxNLocator(integer=True))
        for axes in (left, right):
            axes.grid(visible=True, alpha=0.3)
            axes.margins(x=0)
    for axes in grid[-1]:
        axes.set_xlabel("time since the first submission (hours)")
    handles, labels = grid[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper right", ncols=3, fontsize=8)
    if title:
        figure.suptitle(title)
    return figure


# Sweeps --------------------------------------------------------------------------------------


def _x_values(key: GridKey, points: Sequence[SweepPoint]) -> tuple[list[float], list[str], str]:
    """Positions on the x axis, tick labels, and the axis label for ``key``'s values."""
    values = [point.value(key.text) for point in points]
    texts = [key.show(value) for value in values]
    numbers = [float(value) for value in values if not isinstance(value, enum.Enum)]
    if len(numbers) < len(values):
        # An enum: categories, in the grid's order.
        return [float(index) for index in range(len(texts))], texts, key.text
    if key.resource is not None:
        per_unit, label, _ = _scale(key.resource)
        return [number / per_unit for number in numbers], texts, f"{key.text} ({label})"
    if key.setting is GridSetting.INTERVAL:
        return numbers, texts, "interval between cycles (seconds)"
    return numbers, texts, "oversell rate"


#: Where the wait axis has ticks, in seconds, and how they read.
_WAIT_TICKS: Final = (
    (0, "0"),
    (60, "1m"),
    (600, "10m"),
    (3600, "1h"),
    (6 * 3600, "6h"),
    (86400, "1d"),
    (7 * 86400, "1w"),
    (30 * 86400, "30d"),
    (365 * 86400, "1y"),
)


def _wait_axis(axes: Axes, seconds: Sequence[float]) -> None:
    """A wait axis that reads from seconds to weeks: linear below a minute, logarithmic
    above (``symlog``), ticked 1m, 10m, 1h, 6h, 1d, 1w, 30d, 1y up to the first tick at or
    above the largest wait."""
    from matplotlib.ticker import NullLocator  # noqa: PLC0415 (matplotlib is optional)

    largest = max((value for value in seconds if not math.isnan(value)), default=0.0)
    axes.set_yscale("symlog", linthresh=60, linscale=0.5)
    # Up to the first tick above the largest wait, so that the top of the axis is labelled.
    top = next((at for at, _ in _WAIT_TICKS if at >= max(largest, 60)), _WAIT_TICKS[-1][0])
    ticks = [(at, text) for at, text in _WAIT_TICKS if at <= top]
    axes.set_yticks([at for at, _ in ticks], [text for _, text in ticks])
    axes.yaxis.set_minor_locator(NullLocator())
    axes.set_ylim(0, top * 1.15)


def _p90(stats: QuotaStats) -> float:
    return math.nan if stats.waits.p90 is None else float(stats.waits.p90)


def _honoured(stats: QuotaStats) -> float:
    share = stats.min_honoured
    return math.nan if share is None else 100.0 * share


def plot_sweep(
    result: SweepResult,
    *,
    resource: str | None = None,
    quotas: Sequence[str] | None = None,
    title: str = "",
) -> Figure:
    """Each metric against the first grid key: the curves a capacity plan reads.

    Panels, top to bottom: the p90 wait of each quota (on an axis linear below a minute and
    logarithmic above, ticked 1m, 10m, 1h, 6h, 1d, 1w, 30d: a target such as "p90 under ten
    minutes" reads off it whether the waits are minutes or weeks), the preemptions each
    suffered, the share of the time each had everything it asked for while it asked for no
    more than its min (%), and the cluster's utilisation of ``resource`` (%). The x axis is
    the first key's values (resources in units, memory in GiB, enum values as categories);
    with more axes, one column per combination of the other axes' steps (at most six). A
    quota none of whose jobs started has no p90 at that point: its line has a gap.

    Args:
        result: what :func:`~invsched.simulate.sweep` returned.
        resource: the resource whose utilisation is plotted (default: ``nvidia.com/gpu``
            if the total has it, else the total's first resource).
        quotas: the nodes whose lines are drawn (default: the tree's leaves).
        title: the figure's title (default: none).

    Raises:
        InvalidRequest: matplotlib is not installed, the grid has no key, more than six
            combinations of the other keys' values, a quota not in the tree.

    Runtime complexity: O(points × quotas).
    """
    if not result.axes:
        raise InvalidRequest("result", "a sweep without grid keys has no parameter to plot")
    first = result.points[0].scenario
    chosen = _resource(list(first.total), resource)
    names = _quotas(first.tree, quotas, [leaf.name for leaf in first.tree.leaves])
    columns = math.prod(len(axis.steps) for axis in result.axes[1:])
    if columns > _MAX_COLUMNS:
        raise InvalidRequest(
            "result",
            f"{columns} combinations of the keys after the first; at most {_MAX_COLUMNS} fit "
            "side by side",
        )
    figure = _pyplot_free_figure(3.4 * columns + 2.6, 2.1 * _PANELS + 0.8)
    grid = figure.subplots(_PANELS, columns, sharex="col", sharey="row", squeeze=False)
    for column in range(columns):
        # The last key varies fastest, so the points with the others' values fixed are
        # every ``columns``-th point from ``column`` on.
        points = result.points[column::columns]
        heading = ", ".join(points[0].label.split(", ")[len(result.axes[0].keys) :])
        _sweep_column([row[column] for row in grid], points, result.axes[0].keys[0], names, chosen)
        if heading:
            grid[0][column].set_title(heading, fontsize=9)
    grid[0][-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if title:
        figure.suptitle(title)
    return figure


#: The panels of a sweep plot: p90 wait, preemptions, min honoured, utilisation.
_PANELS: Final = 4


def _sweep_column(
    panels: Sequence[Axes],
    points: Sequence[SweepPoint],
    x_key: GridKey,
    names: Sequence[str],
    resource: str,
) -> None:
    """One column of a sweep plot: every panel for the points of one combination."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 (matplotlib is optional)

    xs, ticks, x_label = _x_values(x_key, points)
    waits = {name: [_p90(point.result.quota(name)) for point in points] for name in names}
    wait, preempted, honoured, used = panels
    for name in names:
        stats = [point.result.quota(name) for point in points]
        wait.plot(xs, waits[name], marker="o", label=name)
        preempted.plot(xs, [s.preemptions_suffered for s in stats], marker="o", label=name)
        honoured.plot(xs, [_honoured(s) for s in stats], marker="o", label=name)
    used.plot(
        xs,
        [100.0 * point.result.cluster.utilisation.get(resource, 0.0) for point in points],
        marker="o",
        color="black",
    )
    wait.set_ylabel("p90 wait (log scale)")
    _wait_axis(wait, [value for series in waits.values() for value in series])
    preempted.set_ylabel("preemptions suffered")
    honoured.set_ylabel("min honoured (% of time)")
    used.set_ylabel(f"{_scale(resource)[2]} utilisation (%)")
    preempted.set_ylim(bottom=0)
    honoured.set_ylim(-5, 105)
    used.set_ylim(0, 100)
    preempted.yaxis.set_major_locator(MaxNLocator(integer=True))
    for axes in panels:
        axes.grid(visible=True, alpha=0.3)
        axes.label_outer()
    used.set_xlabel(x_label)
    if x_key.resource is None and x_key.setting not in (GridSetting.INTERVAL, GridSetting.OVERSELL):
        used.set_xticks(xs, ticks)
    elif all(float(x).is_integer() for x in xs):
        # Whole units (GPUs, seconds) read as whole numbers, never 2.25 GPUs.
        used.xaxis.set_major_locator(MaxNLocator(integer=True))
