"""Plots: what each panel draws, its labels and titles, and the errors.

The figures are read back through matplotlib's objects (titles, labels, the data of each
line) rather than compared as images, so the tests hold across matplotlib versions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from invsched.errors import InvalidRequest
from invsched.simulate import plot_simulation, plot_sweep, sweep
from invsched.simulate.engine import simulate
from tests.simulate.test_sweep import BASE, JOBS

pytest.importorskip("matplotlib", reason="plots need matplotlib (pip install 'invsched[plot]')")

import numpy  # matplotlib's own dependency, present once matplotlib is
from matplotlib.axes import Axes
from matplotlib.patches import StepPatch

RESULT = simulate(BASE, JOBS)


def _floats(data: object) -> list[float]:
    """Plotted data (an array or a sequence) as a list of floats."""
    return [float(value) for value in numpy.asarray(data).tolist()]


def _steps(axes: Axes) -> tuple[list[float], list[float]]:
    """The values and edges of the first step patch (``stairs``) drawn on ``axes``."""
    patch = axes.patches[0]
    assert isinstance(patch, StepPatch)
    values, edges, _ = patch.get_data()
    return _floats(values), _floats(edges)


def test_a_run_has_one_row_per_quota_with_usage_and_pending() -> None:
    figure = plot_simulation(BASE, RESULT, title="two teams")
    axes = figure.get_axes()
    assert len(axes) == 6
    assert [ax.get_title(loc="left") for ax in axes] == [
        "root: GPUs in use (min 8, max 8)",
        "root: jobs pending",
        "training: GPUs in use (min 4, max 8)",
        "training: jobs pending",
        "serving: GPUs in use (min 4, max 6)",
        "serving: jobs pending",
    ]
    assert [ax.get_ylabel() for ax in axes] == ["GPUs", "jobs"] * 3
    assert [ax.get_xlabel() for ax in axes[-2:]] == ["time since the first submission (hours)"] * 2
    assert figure.get_suptitle() == "two teams"
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["in use", "min", "max"]


def test_a_row_draws_the_timeline_in_hours_and_units() -> None:
    figure = plot_simulation(BASE, RESULT, quotas=["training"])
    usage, pending = figure.get_axes()
    line = RESULT.series("training")
    values, edges = _steps(usage)
    assert values == [amounts["nvidia.com/gpu"] / 1000 for amounts in line.usage]
    assert edges == [time / 3600 for time in line.times] + [RESULT.cluster.end / 3600]
    assert _steps(pending)[0] == list(line.pending)
    # min and max of training, as horizontal lines.
    assert [_floats(drawn.get_ydata()) for drawn in usage.get_lines()] == [[4, 4], [8, 8]]


def test_another_resource_is_drawn_in_its_units() -> None:
    figure = plot_simulation(BASE, RESULT, resource="cpu", quotas=["serving"])
    assert figure.get_axes()[0].get_title(loc="left") == "serving: CPUs in use (min 32, max 48)"


def test_a_node_without_a_max_of_the_resource_draws_no_max() -> None:
    figure = plot_simulation(BASE, RESULT, resource="memory", quotas=["root"])
    usage = figure.get_axes()[0]
    assert usage.get_title(loc="left") == "root: memory (GiB) in use (min 0)"
    assert len(usage.get_lines()) == 1


def test_a_figure_saves_as_png(tmp_path: Path) -> None:
    path = tmp_path / "run.png"
    plot_simulation(BASE, RESULT).savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"quotas": ["nobody"]}, "quotas: no quota named 'nobody' in the tree"),
        ({"quotas": "root"}, "quotas: expected a non-empty list of names, got 'root'"),
        ({"quotas": []}, "quotas: expected a non-empty list of names, got []"),
        ({"resource": ""}, "resource: expected a resource name, got ''"),
    ],
)
def test_bad_plot_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as error:
        plot_simulation(BASE, RESULT, **options)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_without_matplotlib_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(InvalidRequest) as error:
        plot_simulation(BASE, RESULT)
    assert str(error.value) == "plot: plots need matplotlib: pip install 'invsched[plot]'"


# Sweeps --------------------------------------------------------------------------------------

CAPACITY = sweep(BASE, JOBS, {"capacity.nvidia.com/gpu": [6, 8, 16]})


def test_a_sweep_draws_each_metric_against_the_parameter() -> None:
    figure = plot_sweep(CAPACITY, title="capacity")
    wait, preempted, honoured, used = figure.get_axes()
    assert [ax.get_ylabel() for ax in (wait, preempted, honoured, used)] == [
        "p90 wait (log scale)",
        "preemptions suffered",
        "min honoured (% of time)",
        "GPU utilisation (%)",
    ]
    assert used.get_xlabel() == "capacity.nvidia.com/gpu (GPUs)"
    assert [line.get_label() for line in wait.get_lines()] == ["training", "serving"]
    training = [point.result.quota("training") for point in CAPACITY.points]
    assert _floats(wait.get_lines()[0].get_xdata()) == [6, 8, 16]
    assert _floats(wait.get_lines()[0].get_ydata()) == [stats.waits.p90 for stats in training]
    # Waits in seconds on a scale that reads from seconds to weeks.
    assert wait.get_yscale() == "symlog"
    assert [tick.get_text() for tick in wait.get_yticklabels()] == ["0", "1m", "10m", "1h", "6h"]
    assert _floats(preempted.get_lines()[0].get_ydata()) == [
        stats.preemptions_suffered for stats in training
    ]
    assert _floats(used.get_lines()[0].get_ydata()) == [
        100 * point.result.cluster.utilisation["nvidia.com/gpu"] for point in CAPACITY.points
    ]
    assert figure.get_suptitle() == "capacity"


def test_more_axes_make_one_column_per_combination() -> None:
    swept = sweep(BASE, JOBS, {"policy": ["priority", "block"], "oversell": [1, 2]})
    figure = plot_sweep(swept, quotas=["serving"])
    axes = figure.get_axes()
    assert len(axes) == 8
    assert [ax.get_title() for ax in axes[:2]] == ["oversell=1", "oversell=2"]
    # An enum is categorical: its values are the ticks.
    assert [tick.get_text() for tick in axes[-1].get_xticklabels()] == ["Priority", "Block"]
    assert axes[-1].get_xlabel() == "policy"
    assert [line.get_label() for line in axes[0].get_lines()] == ["serving"]


def test_a_sweep_without_keys_or_with_too_many_columns_is_refused() -> None:
    with pytest.raises(InvalidRequest) as error:
        plot_sweep(sweep(BASE, JOBS, {}))
    assert str(error.value) == "result: a sweep without grid keys has no parameter to plot"
    wide = sweep(BASE, (), {"oversell": [1, 2], "interval": [0, 1, 2, 3, 4, 5, 6]})
    with pytest.raises(InvalidRequest) as error:
        plot_sweep(wide)
    assert str(error.value) == (
        "result: 7 combinations of the keys after the first; at most 6 fit side by side"
    )
