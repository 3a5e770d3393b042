"""Alibaba's ``cluster-trace-gpu-v2023`` as jobs, its recorded waits and its cluster's capacity.

The pod lists (``openb_pod_list_*.csv``) hold one row per pod: ``name, cpu_milli,
memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase, creation_time, deletion_time,
scheduled_time``. Every row becomes one :class:`~invsched.simulate.Job`:

* ``request``: ``cpu`` = ``cpu_milli`` milli-CPU, ``memory`` = ``memory_mib`` MiB,
  ``nvidia.com/gpu`` = ``num_gpu`` × ``gpu_milli`` milli-GPUs (a zero amount is left out);
* ``namespace``: the QoS class in lower case (``ls``, ``be``, ``burstable``, ``guaranteed``);
* ``priority`` and ``preemptible`` by QoS class (:data:`QOS_CLASSES`);
* ``submit`` = ``creation_time``;
* a pod that ran (``scheduled_time`` set, whatever its phase: ``Running``, ``Succeeded``,
  ``Failed``) runs ``deletion_time − scheduled_time``: it held its resources from its bind
  to its deletion. A ``Failed`` pod ran until the trace deleted it, like any other;
* a pod that never ran (``scheduled_time`` empty, the ``Pending`` pods) gets
  ``deadline = deletion_time`` (it leaves the queue when the trace deleted it) and
  ``duration = deletion_time − creation_time``: started at once, it would have held its
  resources until its deletion, as the pods that ran did.

``gpu_spec`` (allowed GPU models) is not read: the simulator decides at quota level, not on
nodes. The full mapping and its reasons are in ``docs/manifests/traces.md``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Final

import attrs

from invsched._files import shown
from invsched._validators import check_dns_subdomain, render
from invsched.errors import InvalidManifest, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.resources import Resources
from invsched.simulate._trace_files import (
    INTEGER,
    MAX_NUMBER_TEXT,
    checked_text,
    csv_rows,
    fail,
    locate,
    naming,
    read_packaged,
    read_text,
)
from invsched.simulate.records import Job

__all__ = [
    "QOS_CLASSES",
    "QosClass",
    "WaitSummary",
    "load_cluster_capacity",
    "measure_recorded_waits",
    "parse_alibaba_v2023",
]

_MIB: Final = 2**20 * 1000
_GPU: Final = "nvidia.com/gpu"
_POD_COLUMNS: Final = (
    "name",
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
)
_NODE_COLUMNS: Final = ("cpu_milli", "memory_mib", "gpu")
#: Kubernetes' pod phases.
_PHASES: Final = frozenset({"Pending", "Running", "Succeeded", "Failed", "Unknown"})
_POD_LIST: Final = "openb_pod_list_default.csv.gz"
_NODE_LIST: Final = "openb_node_list_all_node.csv.gz"


@attrs.frozen(kw_only=True)
class QosClass:
    """How the pods of one QoS class of the trace become jobs.

    Attributes:
        namespace: the jobs' namespace.
        priority: the jobs' priority (the lowest value of a Koordinator priority band).
        preemptible: whether the jobs may be preempted.
    """

    namespace: str
    priority: int
    preemptible: bool


#: The trace's QoS classes. Priorities are the lowest value of Koordinator's bands
#: (``apis/extension/priority.go``): ``koord-prod`` 9000–9999 for latency-sensitive and
#: Guaranteed pods, ``koord-mid`` 7000–7999 for Burstable, ``koord-batch`` 5000–5999 for best
#: effort, the mapping Koordinator recommends for LS and BE. Latency-sensitive and Guaranteed
#: pods are never preempted (services whose requests equal their limits); Burstable and
#: best-effort pods may be.
QOS_CLASSES: Final[FrozenMap[str, QosClass]] = FrozenMap(
    {
        "LS": QosClass(namespace="ls", priority=9000, preemptible=False),
        "Guaranteed": QosClass(namespace="guaranteed", priority=9000, preemptible=False),
        "Burstable": QosClass(namespace="burstable", priority=7000, preemptible=True),
        "BE": QosClass(namespace="be", priority=5000, preemptible=True),
    }
)


@attrs.frozen(kw_only=True)
class _Pod:
    """One row of a pod list, checked."""

    line: int
    name: str
    request: Resources
    qos: QosClass
    creation: int
    deletion: int
    scheduled: int | None


def _header(row: list[str], required: Sequence[str]) -> dict[str, int]:
    """The position of each required column (other columns are ignored)."""
    positions = {column.strip(): index for index, column in enumerate(row)}
    for column in required:
        if column not in positions:
            raise fail(
                1,
                "",
                f"the header has no {column!r} column (an Alibaba cluster-trace-gpu-v2023 list "
                f"has {', '.join(required)})",
            )
    return positions


def _count(text: str, at: Callable[[], str]) -> int:
    """A non-negative integer written in a cell."""
    if len(text) > MAX_NUMBER_TEXT or not INTEGER.match(text) or text.startswith("-"):
        raise InvalidManifest(at(), f"expected an integer ≥ 0, got {render(text)}")
    return int(text)


def _rows(text: str, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, required cells by column) of every record after the header."""
    rows = csv_rows(text)
    first = next(rows, None)
    if first is None:
        return
    positions = _header(first[1], required)
    width = len(first[1])
    for line, row in rows:
        if len(row) != width:
            raise fail(line, "", f"expected {width} fields as the header, got {len(row)}")
        yield line, {column: row[positions[column]].strip() for column in required}


def _pods(text: str) -> Iterator[_Pod]:
    for line, cells in _rows(text, _POD_COLUMNS):

        def at(column: str, line: int = line) -> Callable[[], str]:
            return functools.partial(locate, line, column)

        def number(column: str, cells: dict[str, str] = cells) -> int:
            return _count(cells[column], at(column))

        name = check_dns_subdomain(InvalidManifest, at("name")(), cells["name"])
        qos = QOS_CLASSES.get(cells["qos"])
        if qos is None:
            raise InvalidManifest(
                at("qos")(), f"expected one of {', '.join(QOS_CLASSES)}, got {render(cells['qos'])}"
            )
        if cells["pod_phase"] not in _PHASES:
            raise InvalidManifest(
                at("pod_phase")(),
                f"expected one of {', '.join(sorted(_PHASES))}, got {render(cells['pod_phase'])}",
            )
        amounts = {
            "cpu": number("cpu_milli"),
            "memory": number("memory_mib") * _MIB,
            _GPU: number("num_gpu") * number("gpu_milli"),
        }
        creation, deletion = number("creation_time"), number("deletion_time")
        scheduled = number("scheduled_time") if cells["scheduled_time"] else None
        if deletion < creation:
            raise InvalidManifest(
                at("deletion_time")(),
                f"must not be before creation_time {creation}, got {deletion}",
            )
        if scheduled is not None and not creation <= scheduled <= deletion:
            raise InvalidManifest(
                at("scheduled_time")(),
                f"must lie between creation_time {creation} and deletion_time {deletion}, "
                f"got {scheduled}",
            )
        yield _Pod(
            line=line,
            name=name,
            request=Resources({key: value for key, value in amounts.items() if value}),
            qos=qos,
            creation=creation,
            deletion=deletion,
            scheduled=scheduled,
        )


def _job(pod: _Pod) -> Job:
    ran = pod.scheduled is not None
    try:
        return _new_job(pod, ran=ran)
    except InvalidRequest as error:  # a time beyond the simulator's range (10^18 s)
        column = {"submit": "creation_time", "deadline": "deletion_time"}.get(
            error.field.rpartition(".")[2], "deletion_time"
        )
        raise fail(pod.line, column, error.reason) from None


def _new_job(pod: _Pod, *, ran: bool) -> Job:
    return Job(
        name=pod.name,
        namespace=pod.qos.namespace,
        request=pod.request,
        submit=pod.creation,
        duration=pod.deletion - (pod.scheduled if pod.scheduled is not None else pod.creation),
        priority=pod.qos.priority,
        preemptible=pod.qos.preemptible,
        deadline=None if ran else pod.deletion,
    )


def parse_alibaba_v2023(text: str, *, source: str = "") -> tuple[Job, ...]:
    """Read an Alibaba ``cluster-trace-gpu-v2023`` pod list as jobs, one per row.

    The mapping is in this module's documentation. Columns other than those listed there
    (``gpu_spec``) are ignored.

    Raises:
        InvalidManifest: a missing column, a row of the wrong width, a cell that is not a
            non-negative integer, an unknown QoS class or pod phase, times out of order
            (``deletion_time`` before ``creation_time``, ``scheduled_time`` outside them), a
            pod name that is not a DNS-1123 subdomain or appears twice; the message names
            ``source``, the line and the column.

    Runtime complexity: O(rows).

    >>> text = ("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
    ...         "creation_time,deletion_time,scheduled_time\\n"
    ...         "p0,6000,12288,1,460,,BE,Failed,10,700,12\\n"
    ...         "p1,4000,8192,0,0,,LS,Pending,20,80,\\n")
    >>> [(job.key, job.submit, job.duration, job.deadline) for job in parse_alibaba_v2023(text)]
    [('be/p0', 10, 688, None), ('ls/p1', 20, 60, 80)]
    >>> parse_alibaba_v2023(text)[0].request["nvidia.com/gpu"]
    460
    """
    return naming(source, lambda: _jobs(checked_text(text)))


def _jobs(text: str) -> tuple[Job, ...]:
    jobs: list[Job] = []
    first: dict[str, int] = {}
    for pod in _pods(text):
        seen = first.setdefault(pod.name, pod.line)
        if seen != pod.line:
            raise fail(pod.line, "name", f"duplicate pod {render(pod.name)} (first at line {seen})")
        jobs.append(_job(pod))
    return tuple(jobs)


def _node_totals(text: str) -> dict[str, int]:
    totals = dict.fromkeys(_NODE_COLUMNS, 0)
    for line, cells in _rows(text, _NODE_COLUMNS):
        for column in _NODE_COLUMNS:
            totals[column] += _count(cells[column], functools.partial(locate, line, column))
    return totals


@attrs.frozen(kw_only=True)
class WaitSummary:
    """Nearest-rank percentiles of waits, in seconds.

    The p-th percentile of n sorted waits is the one at rank ⌈p · n / 100⌉ (1-based): a wait
    that some pod actually had.

    Attributes:
        count: how many waits.
        p50: the median.
        p90: the 90th percentile.
        p99: the 99th percentile.
        max: the longest.
    """

    count: int
    p50: int
    p90: int
    p99: int
    max: int


def _nearest_rank(ordered: Sequence[int], percent: int) -> int:
    return ordered[max(1, -(-percent * len(ordered) // 100)) - 1]


def measure_recorded_waits(path: str | os.PathLike[str] | None = None) -> WaitSummary:
    """The waits the trace itself recorded: ``scheduled_time − creation_time`` of every pod
    that ran.

    These are the real cluster's waits, where the scheduler also packed pods onto nodes; a
    simulation decides at quota level only, so compare with care.

    Args:
        path: an ``openb_pod_list_*.csv`` file (``.gz`` allowed); ``None`` reads the packaged
            ``openb_pod_list_default.csv``.

    Raises:
        InvalidManifest: as :func:`parse_alibaba_v2023`, or the file cannot be read, or no pod
            ran.

    Runtime complexity: O(rows · log rows).

    >>> measure_recorded_waits()
    WaitSummary(count=7255, p50=2, p90=106, p99=908, max=14330)
    """
    source = _POD_LIST if path is None else shown(path)
    text = read_packaged(_POD_LIST) if path is None else read_text(path)
    waits = naming(
        source,
        lambda: sorted(
            pod.scheduled - pod.creation for pod in _pods(text) if pod.scheduled is not None
        ),
    )
    if not waits:
        raise InvalidManifest(
            "", "no pod of the list was scheduled: there is no wait", source=source
        )
    return WaitSummary(
        count=len(waits),
        p50=_nearest_rank(waits, 50),
        p90=_nearest_rank(waits, 90),
        p99=_nearest_rank(waits, 99),
        max=waits[-1],
    )


def load_cluster_capacity(path: str | os.PathLike[str] | None = None) -> Resources:
    """The capacity of the trace's cluster: the sum over its node list.

    Reads ``openb_node_list_*.csv`` (``sn, cpu_milli, memory_mib, gpu, model``): ``cpu`` =
    Σ ``cpu_milli``, ``memory`` = Σ ``memory_mib`` MiB, ``nvidia.com/gpu`` = Σ ``gpu`` whole
    GPUs.

    Args:
        path: a node list (``.gz`` allowed); ``None`` reads the packaged
            ``openb_node_list_all_node.csv`` (all 1,523 nodes, the 310 CPU-only ones
            included, since the CPU-only pods of the trace ran there).

    Raises:
        InvalidManifest: a missing column, a row of the wrong width, a cell that is not a
            non-negative integer; the message names the file, the line and the column.

    Runtime complexity: O(rows).

    >>> capacity = load_cluster_capacity()
    >>> capacity["nvidia.com/gpu"] // 1000, capacity["cpu"] // 1000, capacity["memory"] // _MIB
    (6212, 125514, 612028416)
    """
    source = _NODE_LIST if path is None else shown(path)
    text = read_packaged(_NODE_LIST) if path is None else read_text(path)
    totals = naming(source, lambda: _node_totals(text))
    return Resources(
        {
            "cpu": totals["cpu_milli"],
            "memory": totals["memory_mib"] * _MIB,
            _GPU: totals["gpu"] * 1000,
        }
    )
