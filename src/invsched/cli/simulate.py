"""``invsched simulate``: replay a job trace through admission over time, or sweep a grid.

Without a file it runs the packaged default scenario: Alibaba's cluster-trace-gpu-v2023 on a
contended cluster whose quota tree splits it between the trace's QoS classes. With a file it
runs the ``Scenario`` manifest in it (tree and trace paths relative to that file).
``--trace`` replaces the scenario's jobs with a trace file's.

One run prints, per quota node (a parent counts its subtree): jobs, finished, expired and
still pending; waits (first start − submit) p50/p90/p99/max of the jobs that started;
preemptions its jobs suffered and caused; hours of ``--resource`` used and borrowed above
its min; and the share of the time it asked for no more than its min and had all of it.
Then the cluster: utilisation per resource, makespan and cycles.

``--vary KEY=V1,V2,...`` (repeatable) sweeps a grid instead: one simulation per point of the
cartesian product of the options, in order, the last varying fastest, printed one row per
point with ``--metric`` of each ``--quota``. Keys: ``policy``, ``reclaim``, ``restart``,
``interval``, ``oversell``, ``total.RESOURCE``, ``capacity.RESOURCE`` (the total with the
tree's mins and maxes scaled alike), ``min.QUOTA.RESOURCE``, ``max.QUOTA.RESOURCE``
(``min[QUOTA].RESOURCE`` when names are ambiguous); keys that must vary together are joined
by ``:``, as are their values (``--vary min.a.cpu:min.b.cpu=4:12,8:8``). ``--engine ray``
runs one Ray task per point, on a local Ray instance or on the cluster at ``--address``.

``--plot FILE`` writes a figure (its format from the suffix: png, svg, pdf): usage against
min and max and pending jobs over time per quota, or for a sweep each metric against the
first key. Exit 1 when jobs are still pending at the end of a run that was not cut short by
``--until`` (they can never start: no quota, or a request above a max or the total).
JSON schema: ``schemas/simulate.json``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, TextIO

from invsched.cli._command import EXIT_FINDINGS, EXIT_OK, BadInput, Command, choice, parse_enum
from invsched.cli._input import shown_path
from invsched.cli._output import emit
from invsched.cli._simulation import (
    Metric,
    Shown,
    never_started,
    run_data,
    run_report,
    sweep_data,
    sweep_report,
)
from invsched.quota import QuotaTree
from invsched.simulate import (
    SimulationInput,
    SweepEngine,
    TraceFormat,
    default_scenario,
    load_trace,
    sweep,
)
from invsched.simulate.engine import simulate

__all__: list[str] = []

#: The resource counted in hours and plotted by default.
_GPU: Final = "nvidia.com/gpu"


# Arguments -----------------------------------------------------------------------------------


def _vary(text: str) -> tuple[str | tuple[str, ...], list[Any]]:
    """``--vary KEY=V1,V2`` or ``--vary KEY1:KEY2=V1:W1,V2:W2``."""
    key, equals, values = text.partition("=")
    key, values = key.strip(), values.strip()
    if not equals or not key or not values:
        raise argparse.ArgumentTypeError(
            f"expected KEY=VALUE[,VALUE...] or KEY:KEY=VALUE:VALUE[,...], got {text!r}"
        )
    items = [item.strip() for item in values.split(",")]
    if ":" not in key:
        return key, items
    keys = tuple(part.strip() for part in key.split(":"))
    steps: list[Any] = []
    for item in items:
        step = tuple(part.strip() for part in item.split(":"))
        if len(step) != len(keys):
            raise argparse.ArgumentTypeError(
                f"{item!r} has {len(step)} value(s) for the {len(keys)} keys of {key!r}"
            )
        steps.append(step)
    return keys, steps


def _seconds(text: str) -> int | float:
    """``--until SECONDS``: an int or a finite float, ≥ 0."""
    try:
        value: int | float = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected seconds ≥ 0, got {text!r}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="a file holding a Scenario manifest (default: the packaged Alibaba scenario)",
    )
    parser.add_argument(
        "--trace", metavar="FILE", help="run this trace's jobs instead of the scenario's"
    )
    parser.add_argument(
        "--trace-format",
        type=parse_enum(TraceFormat),
        metavar="{" + ",".join(choice(member) for member in TraceFormat) + "}",
        help="how --trace is written (default: from its suffix, .csv or .jsonl)",
    )
    parser.add_argument(
        "--until", type=_seconds, metavar="SECONDS", help="stop the clock at this time"
    )
    parser.add_argument(
        "--vary",
        type=_vary,
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="sweep KEY over the values (repeat for a grid; KEY1:KEY2=V1:W1,... together)",
    )
    parser.add_argument(
        "--metric",
        type=parse_enum(Metric),
        action="append",
        metavar="{" + ",".join(choice(member) for member in Metric) + "}",
        help="a sweep row's figure for each --quota (repeatable; default: p90)",
    )
    parser.add_argument(
        "--quota",
        action="append",
        metavar="NAME",
        help="a quota a sweep row shows (repeatable; default: every leaf)",
    )
    parser.add_argument(
        "--resource",
        default=_GPU,
        metavar="NAME",
        help=f"the resource counted in hours and plotted (default: {_GPU})",
    )
    parser.add_argument(
        "--engine",
        type=parse_enum(SweepEngine),
        default=SweepEngine.SEQUENTIAL,
        metavar="{" + ",".join(choice(member) for member in SweepEngine) + "}",
        help="where the points of a sweep run (default: sequential)",
    )
    parser.add_argument(
        "--address", metavar="ADDR", help="with --engine ray: an existing Ray cluster's address"
    )
    parser.add_argument(
        "--num-cpus",
        type=_positive,
        metavar="N",
        help="with --engine ray: CPUs of the local Ray instance (default: all)",
    )
    parser.add_argument("--plot", metavar="FILE", help="write a figure (png, svg or pdf)")


# Input ---------------------------------------------------------------------------------------


def _load(args: argparse.Namespace) -> SimulationInput:
    from invsched.manifests.scenario import load_scenario_object, resolve_scenario  # noqa: PLC0415

    jobs = None
    if args.trace is not None:
        jobs = load_trace(args.trace, format=args.trace_format)
    elif args.trace_format is not None:
        raise BadInput("--trace-format: needs --trace")
    if args.scenario is None:
        return default_scenario(jobs=jobs)
    found = load_scenario_object(args.scenario)
    directory = Path.cwd() if args.scenario == "-" else Path(args.scenario).parent
    return resolve_scenario(found, directory=directory, jobs=jobs)


# Progress ------------------------------------------------------------------------------------


@contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on standard error when it is a terminal, else nothing."""
    try:
        interactive = sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):
        interactive = False
    if not interactive:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 (only at a terminal)
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn  # noqa: PLC0415

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR"))),
        transient=True,
    )
    task = bar.add_task(what, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


# The command ---------------------------------------------------------------------------------


def _grid(args: argparse.Namespace) -> dict[str | tuple[str, ...], list[Any]]:
    grid: dict[str | tuple[str, ...], list[Any]] = {}
    for key, values in args.vary:
        if key in grid:
            raise BadInput(f"--vary: {':'.join(key) if isinstance(key, tuple) else key} twice")
        grid[key] = values
    return grid


def _sweep_quotas(args: argparse.Namespace, tree: QuotaTree) -> list[str]:
    if not args.quota:
        return [leaf.name for leaf in tree.leaves]
    for name in args.quota:
        if name not in tree:
            raise BadInput(f"--quota: no quota named {name!r} in the tree")
    return list(dict.fromkeys(args.quota))


def _write_plot(figure: Any, path: str) -> None:
    try:
        figure.savefig(path, dpi=110)
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise BadInput(f"{shown_path(path)}: cannot write the plot: {reason}") from None


#: The figure formats ``--plot`` writes, by suffix.
_PLOT_SUFFIXES: Final = frozenset({".png", ".svg", ".pdf"})


def _check_options(args: argparse.Namespace) -> None:
    if not args.vary:
        for option, value in (("--metric", args.metric), ("--quota", args.quota)):
            if value:
                raise BadInput(f"{option}: only with --vary (a sweep)")
    if args.engine is not SweepEngine.RAY:
        for option, value in (("--address", args.address), ("--num-cpus", args.num_cpus)):
            if value is not None:
                raise BadInput(f"{option}: only with --engine ray")
    if args.plot is not None:
        # Checked before the simulation, not after minutes of it.
        suffix = os.path.splitext(args.plot)[1].lower()
        if suffix not in _PLOT_SUFFIXES:
            raise BadInput(
                f"--plot {shown_path(args.plot)}: name the format by the suffix "
                f"(.png, .svg or .pdf)"
            )
        folder = os.path.dirname(args.plot) or "."
        if not os.path.isdir(folder):
            raise BadInput(f"--plot {shown_path(args.plot)}: no such directory")


def _shown(args: argparse.Namespace) -> Shown:
    return Shown(until=args.until, resource=args.resource, plot=args.plot, engine=args.engine)


def _run(args: argparse.Namespace, out: TextIO) -> int:
    _check_options(args)
    run = _load(args)
    if args.vary:
        return _run_sweep(args, run, out)
    with _progress(f"Simulating {len(run.jobs):,} jobs") as progress:
        result = simulate(run.scenario, run.jobs, until=args.until, progress=progress)
    if args.plot is not None:
        from invsched.simulate.plots import plot_simulation  # noqa: PLC0415 (matplotlib)

        title = f"{run.name}: {len(run.jobs):,} jobs"
        figure = plot_simulation(run.scenario, result, resource=args.resource, title=title)
        _write_plot(figure, args.plot)
    shown = _shown(args)
    emit(run_data(run, result, shown), args.output, lambda: run_report(run, result, shown), out)
    return EXIT_FINDINGS if never_started(result) else EXIT_OK


def _run_sweep(args: argparse.Namespace, run: SimulationInput, out: TextIO) -> int:
    quotas = _sweep_quotas(args, run.scenario.tree)
    metrics = list(dict.fromkeys(args.metric or [Metric.WAIT_P90]))
    grid = _grid(args)
    with _progress("Sweeping") as progress:
        swept = sweep(
            run.scenario,
            run.jobs,
            grid,
            engine=args.engine,
            address=args.address,
            until=args.until,
            num_cpus=args.num_cpus,
            progress=progress,
        )
    if args.plot is not None:
        from invsched.simulate.plots import plot_sweep  # noqa: PLC0415 (matplotlib)

        varied = ", ".join(axis.text for axis in swept.axes)
        title = f"{run.name}: each metric against {varied}"
        figure = plot_sweep(swept, resource=args.resource, quotas=quotas, title=title)
        _write_plot(figure, args.plot)
    shown = _shown(args)
    emit(
        sweep_data(run, swept, shown),
        args.output,
        lambda: sweep_report(run, swept, shown, quotas=quotas, metrics=metrics),
        out,
    )
    found = any(never_started(point.result) for point in swept.points)
    return EXIT_FINDINGS if found else EXIT_OK


_COMMAND: Final = Command(
    name="simulate",
    summary="replay a job trace through admission over time, or sweep a grid of scenarios",
    description=__doc__ or "",
    files="",
    add_arguments=_add_arguments,
    run=_run,
)
