"""Job traces: a generic CSV / JSON Lines format, and Alibaba's GPU cluster trace.

A trace is a tuple of :class:`~invsched.simulate.Job`. Three formats are read
(:class:`TraceFormat`):

* ``csv``: one job per row under a header naming the columns ``name``, ``namespace``,
  ``quota``, ``submit``, ``duration``, ``priority``, ``preemptible``, ``deadline``, and one
  column per resource holding a Kubernetes quantity (``cpu``, ``memory``,
  ``nvidia.com/gpu``);
* ``jsonl``: one JSON object per line with the same fields, the resources in a ``request``
  object;
* ``alibaba-v2023``: the pod lists of Alibaba's ``cluster-trace-gpu-v2023``
  (``openb_pod_list_*.csv``), read by :mod:`invsched.simulate._alibaba`.

The generic formats are documented field by field in ``docs/manifests/traces.md``;
:func:`format_trace` and :func:`save_trace` write them, and reading what they wrote gives the
same jobs back. Input is bounded (:data:`MAX_TRACE_BYTES`), a file ending in ``.gz`` is
decompressed, and every error is an :class:`~invsched.InvalidManifest` naming the file, the
line and the column: ``trace.csv: line 12: duration: expected seconds (...), got 'soon'``.

>>> jobs = parse_trace("name,namespace,submit,duration,nvidia.com/gpu\\ntrain,video,0,600,2\\n")
>>> jobs[0].key, jobs[0].request["nvidia.com/gpu"], jobs[0].duration
('video/train', 2000, 600)
>>> print(format_trace(jobs), end="")
name,namespace,quota,submit,duration,priority,preemptible,deadline,nvidia.com/gpu
train,video,,0,600,0,true,,2
"""

from __future__ import annotations

import csv
import enum
import functools
import gzip
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from invsched._files import shown
from invsched._validators import check_dns_label, check_dns_subdomain, render
from invsched.errors import InvalidManifest, InvalidQuantity, InvalidRequest
from invsched.quantity import parse_quantity
from invsched.resources import Resources, format_amount
from invsched.simulate._alibaba import (
    QOS_CLASSES,
    QosClass,
    WaitSummary,
    load_cluster_capacity,
    measure_recorded_waits,
    parse_alibaba_v2023,
)
from invsched.simulate._trace_files import (
    INTEGER,
    MAX_NUMBER_TEXT,
    MAX_TRACE_BYTES,
    SECONDS_RULE,
    check_path,
    check_seconds,
    checked_text,
    csv_rows,
    fail,
    locate,
    naming,
    parse_seconds,
    read_packaged,
    read_text,
)
from invsched.simulate.records import Job

__all__ = [
    "DEFAULT_NAMESPACE",
    "MAX_TRACE_BYTES",
    "QOS_CLASSES",
    "PackagedTrace",
    "QosClass",
    "TraceFormat",
    "WaitSummary",
    "format_trace",
    "load_cluster_capacity",
    "load_packaged_trace",
    "load_trace",
    "measure_recorded_waits",
    "parse_alibaba_v2023",
    "parse_trace",
    "save_trace",
]

#: The namespace of a job that names only its quota (Kubernetes' default namespace).
DEFAULT_NAMESPACE: Final = "default"


class TraceFormat(enum.Enum):
    """The formats a trace is read from."""

    #: The generic comma-separated format, one job per row.
    CSV = "csv"
    #: The generic JSON Lines format, one job object per line.
    JSONL = "jsonl"
    #: An Alibaba ``cluster-trace-gpu-v2023`` pod list (``openb_pod_list_*.csv``).
    ALIBABA_V2023 = "alibaba-v2023"


class PackagedTrace(enum.Enum):
    """The traces shipped with the package (``invsched/simulate/data/README.md``)."""

    #: ``openb_pod_list_default.csv`` of ``cluster-trace-gpu-v2023``: 8,152 pods.
    ALIBABA_V2023_DEFAULT = "alibaba-v2023-default"


_PACKAGED_FILES: Final = {PackagedTrace.ALIBABA_V2023_DEFAULT: "openb_pod_list_default.csv.gz"}

#: The columns (CSV) and fields (JSON Lines) that are not resources, in written order.
_FIELDS: Final = (
    "name",
    "namespace",
    "quota",
    "submit",
    "duration",
    "priority",
    "preemptible",
    "deadline",
)
_JSON_FIELDS: Final = frozenset({*_FIELDS, "request"})

#: A resource column: a standard resource of the core group, or a domain-prefixed extended
#: resource (``nvidia.com/gpu``), as Kubernetes names them.
_RESOURCE_NAME: Final = re.compile(
    r"(cpu|memory|storage|ephemeral-storage|pods|hugepages-[0-9A-Za-z.]+"
    r"|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
    r"/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)\Z"
)
_RESOURCE_RULE: Final = (
    "a resource is cpu, memory, storage, ephemeral-storage, pods, hugepages-<size> "
    "or a domain-prefixed name such as nvidia.com/gpu"
)


def _priority_text(text: str, where: Callable[[], str]) -> int:
    if len(text) > MAX_NUMBER_TEXT or not INTEGER.match(text):
        raise InvalidManifest(where(), f"expected an integer, got {render(text)}")
    return _priority(int(text), where)


def _priority(value: int, where: Callable[[], str]) -> int:
    if not -(2**31) <= value < 2**31:
        raise InvalidManifest(
            where(), f"must be an int32 as Kubernetes' PriorityClass value, got {render(value)}"
        )
    return value


def _boolean_text(text: str, where: Callable[[], str]) -> bool:
    if text not in {"true", "false"}:
        raise InvalidManifest(where(), f"expected true or false, got {render(text)}")
    return text == "true"


def _amount(name: str, value: str | int, where: Callable[[], str]) -> int:
    try:
        amount = parse_quantity(value)
    except InvalidQuantity as error:
        raise InvalidManifest(
            where(), f"invalid quantity {render(error.value)}: {error.reason}"
        ) from None
    if amount < 0:
        raise InvalidManifest(where(), f"must not be negative, got {render(value)}")
    return amount


def _check_resource_name(name: str, where: Callable[[], str], what: str) -> None:
    if len(name) > 253 or not _RESOURCE_NAME.match(name):
        raise InvalidManifest(where(), f"{what} ({_RESOURCE_RULE}), got {render(name)}")


# Jobs ---------------------------------------------------------------------------------------


def _make_job(
    values: Mapping[str, object],
    request: Resources,
    where: Callable[[str], str],
) -> Job:
    """A job from checked field values, with the namespace rules of the generic format.

    ``values`` holds ``name`` and the optional ``namespace``, ``quota``, ``submit``, ...
    (absent or ``None`` when not given); ``where(column)`` names a column in errors.
    """
    name = values.get("name")
    if name is None:
        raise InvalidManifest(where("name"), "required field is missing")
    check_dns_subdomain(InvalidManifest, where("name"), name)
    quota = values.get("quota")
    if quota is not None:
        check_dns_subdomain(InvalidManifest, where("quota"), quota)
    namespace = values.get("namespace")
    if namespace is None:
        if quota is None:
            raise InvalidManifest(
                where("namespace"), "required when the job names no quota (set namespace or quota)"
            )
        namespace = DEFAULT_NAMESPACE
    check_dns_label(InvalidManifest, where("namespace"), namespace)
    for column in ("submit", "duration"):
        if values.get(column) is None:
            raise InvalidManifest(where(column), "required field is missing")
    try:
        return Job(
            name=name,  # type: ignore[arg-type]
            namespace=namespace,  # type: ignore[arg-type]
            request=request,
            submit=values["submit"],  # type: ignore[arg-type]
            duration=values["duration"],  # type: ignore[arg-type]
            priority=values.get("priority") or 0,  # type: ignore[arg-type]
            preemptible=values.get("preemptible", True) is not False,
            quota=quota,  # type: ignore[arg-type]
            deadline=values.get("deadline"),  # type: ignore[arg-type]
        )
    except InvalidRequest as error:  # a rule between fields: a deadline before submit
        column = error.field.rpartition(".")[2]
        raise InvalidManifest(where(column), error.reason) from None


class _Names:
    """The jobs seen so far, to refuse a second job of the same namespace and name."""

    def __init__(self) -> None:
        self.first: dict[tuple[str, str], int] = {}

    def add(self, job: Job, line: int, where: Callable[[str], str]) -> None:
        first = self.first.setdefault(job.identity, line)
        if first != line:
            raise InvalidManifest(
                where("name"), f"duplicate job {render(job.key)} (first at line {first})"
            )


# The generic CSV format ---------------------------------------------------------------------


def _csv_header(row: list[str]) -> tuple[list[str], list[str]]:
    """The column names (stripped), and the resource columns among them."""
    columns = [column.strip() for column in row]
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            raise fail(1, column, "column appears twice in the header")
        seen.add(column)
        if column not in _FIELDS:
            _check_resource_name(
                column, functools.partial(locate, 1, column), "neither a field nor a resource"
            )
    for required in ("name", "submit", "duration"):
        if required not in seen:
            raise fail(1, "", f"the header has no {required!r} column")
    if "namespace" not in seen and "quota" not in seen:
        raise fail(1, "", "the header has neither a 'namespace' nor a 'quota' column")
    return columns, [column for column in columns if column not in _FIELDS]


def _text(text: str, where: Callable[[], str]) -> str:
    return text


_TEXT_READERS: Final[dict[str, Callable[[str, Callable[[], str]], object]]] = {
    "name": _text,
    "namespace": _text,
    "quota": _text,
    "submit": parse_seconds,
    "duration": parse_seconds,
    "deadline": parse_seconds,
    "priority": _priority_text,
    "preemptible": _boolean_text,
}


def _parse_csv(text: str) -> tuple[Job, ...]:
    rows = csv_rows(text)
    first = next(rows, None)
    if first is None:
        return ()
    columns, resource_columns = _csv_header(first[1])
    jobs: list[Job] = []
    names = _Names()
    for line, row in rows:

        def where(column: str, line: int = line) -> str:
            return locate(line, column)

        if len(row) != len(columns):
            raise fail(line, "", f"expected {len(columns)} fields as the header, got {len(row)}")
        values: dict[str, object] = {}
        amounts: dict[str, int] = {}
        for column, raw in zip(columns, row, strict=True):
            cell = raw.strip()
            if not cell:
                continue
            if column in resource_columns:
                amounts[column] = _amount(column, cell, functools.partial(where, column))
            else:
                read = _TEXT_READERS[column]
                values[column] = read(cell, functools.partial(where, column))
        job = _make_job(values, Resources(amounts), where)
        names.add(job, line, where)
        jobs.append(job)
    return tuple(jobs)


# The generic JSON Lines format --------------------------------------------------------------


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _json_value(column: str, value: object, where: Callable[[], str]) -> object:
    """A field of a JSON job object, checked for its type."""
    if value is None:
        return None
    if column in {"name", "namespace", "quota"}:
        if not isinstance(value, str):
            raise InvalidManifest(where(), f"expected a string, got {render(value)}")
        return value
    if column == "preemptible":
        if not isinstance(value, bool):
            raise InvalidManifest(where(), f"expected true or false, got {render(value)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        expected = "expected an integer" if column == "priority" else SECONDS_RULE
        raise InvalidManifest(where(), f"{expected}, got {render(value)}")
    if column == "priority":
        if not isinstance(value, int):
            raise InvalidManifest(where(), f"expected an integer, got {render(value)}")
        return _priority(value, where)
    return check_seconds(value, where)


def _json_request(value: object, where: Callable[[str], str]) -> Resources:
    if value is None:
        return Resources()
    if not isinstance(value, dict):
        raise InvalidManifest(
            where("request"), f"expected an object of quantities, got {render(value)}"
        )
    amounts: dict[str, int] = {}
    for name, given in value.items():

        def at(name: str = name) -> str:
            return where(f"request.{name}")

        _check_resource_name(name, at, "unknown resource")
        quantity = given
        if isinstance(given, float):
            if not math.isfinite(given):
                raise InvalidManifest(at(), f"expected a quantity, got {render(given)}")
            quantity = repr(given)
        if isinstance(quantity, bool) or not isinstance(quantity, str | int):
            raise InvalidManifest(
                at(), f"expected a quantity (a string or a number), got {render(quantity)}"
            )
        amounts[name] = _amount(name, quantity, at)
    return Resources(amounts)


def _parse_jsonl(text: str) -> tuple[Job, ...]:
    jobs: list[Job] = []
    names = _Names()
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue

        def where(column: str, line: int = line) -> str:
            return locate(line, column)

        try:
            document = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as error:
            raise fail(line, "", f"not a JSON object ({error})") from None
        if not isinstance(document, dict):
            raise fail(line, "", f"expected a JSON object, got {render(document)}")
        unknown = sorted(key for key in document if key not in _JSON_FIELDS)
        if unknown:
            raise InvalidManifest(
                where(unknown[0]),
                f"unknown field (expected one of {', '.join(sorted(_JSON_FIELDS))})",
            )
        values = {
            column: _json_value(column, value, functools.partial(where, column))
            for column, value in document.items()
            if column != "request"
        }
        job = _make_job(values, _json_request(document.get("request"), where), where)
        names.add(job, line, where)
        jobs.append(job)
    return tuple(jobs)


# Entry points -------------------------------------------------------------------------------


def _check_format(value: object, field: str = "format") -> TraceFormat:
    if not isinstance(value, TraceFormat):
        raise InvalidRequest(field, f"expected a TraceFormat, got {render(value)}")
    return value


def parse_trace(
    text: str, *, format: TraceFormat = TraceFormat.CSV, source: str = ""
) -> tuple[Job, ...]:
    """Read the jobs of a trace given as text.

    Args:
        text: the trace (a leading byte-order mark is dropped).
        format: how the text is written.
        source: how errors name the text (a file name), or ``""``.

    Returns:
        The jobs in the order written; an empty text gives no jobs.

    Raises:
        InvalidManifest: the text breaks a rule of its format; the message names ``source``,
            the line (the first line of a CSV record) and the column: ``line 3: duration:
            expected seconds (an integer or decimal number ≥ 0), got 'soon'``. A second job of
            the same namespace and name is an error naming both lines.
        InvalidRequest: ``text`` is not a ``str`` or ``format`` not a :class:`TraceFormat`.

    Runtime complexity: O(size of the text).

    >>> parse_trace('{"name": "a", "quota": "ml", "submit": 0, "duration": 5}',
    ...             format=TraceFormat.JSONL)[0].namespace
    'default'
    >>> try:
    ...     parse_trace("name,namespace,submit,duration\\nx,ml,0,soon\\n", source="t.csv")
    ... except InvalidManifest as error:
    ...     print(error)
    t.csv: line 2: duration: expected seconds (an integer or decimal number ≥ 0), got 'soon'
    """
    text = checked_text(text)
    chosen = _check_format(format)
    if not isinstance(source, str):
        raise InvalidRequest("source", f"expected a str, got {render(source)}")
    if chosen is TraceFormat.CSV:
        return naming(source, lambda: _parse_csv(text))
    if chosen is TraceFormat.JSONL:
        return naming(source, lambda: _parse_jsonl(text))
    return parse_alibaba_v2023(text, source=source)


def _format_from_name(path: str | os.PathLike[str]) -> TraceFormat:
    """The generic format a file name implies: ``.csv`` or ``.jsonl`` (``.gz`` allowed after).

    Raises:
        InvalidManifest: another suffix (an Alibaba pod list must be named explicitly).
    """
    name = os.fsdecode(path).removesuffix(".gz")
    if name.endswith(".csv"):
        return TraceFormat.CSV
    if name.endswith((".jsonl", ".ndjson")):
        return TraceFormat.JSONL
    raise InvalidManifest(
        shown(path), "cannot tell the trace format from the name (.csv or .jsonl); give it"
    )


def load_trace(
    path: str | os.PathLike[str], *, format: TraceFormat | None = None
) -> tuple[Job, ...]:
    """Read the jobs of a trace file (decompressed when the name ends in ``.gz``).

    Args:
        path: the file.
        format: how it is written; ``None`` tells it from the name (``.csv``, ``.jsonl``).

    Raises:
        InvalidManifest: as :func:`parse_trace` (errors name the file), or the file cannot be
            read (no such file, a directory, larger than :data:`MAX_TRACE_BYTES`, not UTF-8,
            not gzip), or ``format`` is ``None`` and the name has no known suffix.
        InvalidRequest: ``path`` is not a path or ``format`` not a :class:`TraceFormat`.

    Runtime complexity: O(size of the file).

    >>> len(load_trace("examples/simulate/trace.csv"))
    12
    """
    check_path(path)
    chosen = _format_from_name(path) if format is None else _check_format(format)
    return parse_trace(read_text(path), format=chosen, source=shown(path))


def load_packaged_trace(
    trace: PackagedTrace = PackagedTrace.ALIBABA_V2023_DEFAULT,
) -> tuple[Job, ...]:
    """Read a trace shipped with the package.

    Raises:
        InvalidRequest: ``trace`` is not a :class:`PackagedTrace`.

    Runtime complexity: O(jobs).

    >>> jobs = load_packaged_trace()
    >>> len(jobs), jobs[0].key
    (8152, 'ls/openb-pod-0000')
    """
    if not isinstance(trace, PackagedTrace):
        raise InvalidRequest("trace", f"expected a PackagedTrace, got {render(trace)}")
    name = _PACKAGED_FILES[trace]
    return parse_trace(read_packaged(name), format=TraceFormat.ALIBABA_V2023, source=name)


# Writing ------------------------------------------------------------------------------------


def _seconds_text(value: int | float) -> str:
    return repr(value)


def _check_jobs(jobs: Iterable[Job]) -> tuple[Job, ...]:
    if isinstance(jobs, str | bytes) or not isinstance(jobs, Iterable):
        raise InvalidRequest("jobs", f"expected a sequence of Job, got {render(jobs)}")
    checked = tuple(jobs)
    for index, job in enumerate(checked):
        if not isinstance(job, Job):
            raise InvalidRequest(f"jobs[{index}]", f"expected a Job, got {render(job)}")
    return checked


def format_trace(jobs: Iterable[Job], *, format: TraceFormat = TraceFormat.CSV) -> str:
    """Write jobs in a generic format; :func:`parse_trace` reads them back unchanged.

    CSV writes every column of the format, then one column per resource any job requests
    (sorted); a job without that resource leaves the cell empty. Quantities are canonical
    (binary suffixes for memory and storage), times as Python writes them (``600``,
    ``0.5``).

    Raises:
        InvalidRequest: ``jobs`` is not a sequence of :class:`~invsched.simulate.Job`, or
            ``format`` is not ``CSV`` or ``JSONL``.

    Runtime complexity: O(jobs · resources).

    >>> from invsched.simulate import Job
    >>> job = Job(name="a", namespace="ml", submit=0.5, duration=60, priority=3,
    ...           request=Resources.parse({"memory": "2Gi"}), deadline=100)
    >>> print(format_trace([job], format=TraceFormat.JSONL), end="")
    {"name": "a", "namespace": "ml", "submit": 0.5, "duration": 60, "priority": 3, \
"preemptible": true, "deadline": 100, "request": {"memory": "2Gi"}}
    """
    checked = _check_jobs(jobs)
    chosen = _check_format(format)
    if chosen is TraceFormat.JSONL:
        return "".join(json.dumps(_json_object(job), ensure_ascii=False) + "\n" for job in checked)
    if chosen is not TraceFormat.CSV:
        raise InvalidRequest("format", f"only CSV and JSONL are written, got {chosen.value!r}")
    resource_names = sorted({name for job in checked for name in job.request})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*_FIELDS, *resource_names])
    for job in checked:
        writer.writerow(
            [
                job.name,
                job.namespace,
                job.quota or "",
                _seconds_text(job.submit),
                _seconds_text(job.duration),
                str(job.priority),
                "true" if job.preemptible else "false",
                "" if job.deadline is None else _seconds_text(job.deadline),
                *(
                    format_amount(name, job.request[name]) if name in job.request else ""
                    for name in resource_names
                ),
            ]
        )
    return buffer.getvalue()


def _json_object(job: Job) -> dict[str, object]:
    written: dict[str, object] = {"name": job.name, "namespace": job.namespace}
    if job.quota is not None:
        written["quota"] = job.quota
    written |= {
        "submit": job.submit,
        "duration": job.duration,
        "priority": job.priority,
        "preemptible": job.preemptible,
    }
    if job.deadline is not None:
        written["deadline"] = job.deadline
    written["request"] = {name: format_amount(name, amount) for name, amount in job.request.pairs}
    return written


def save_trace(
    jobs: Iterable[Job], path: str | os.PathLike[str], *, format: TraceFormat | None = None
) -> None:
    """Write jobs to a file in a generic format (gzip-compressed when the name ends in
    ``.gz``), replacing the file.

    Args:
        jobs: the jobs.
        path: the file.
        format: ``CSV`` or ``JSONL``; ``None`` tells it from the name.

    Raises:
        InvalidManifest: the file cannot be written, or the name has no known suffix.
        InvalidRequest: as :func:`format_trace`.

    Runtime complexity: O(jobs · resources).
    """
    check_path(path)
    chosen = _format_from_name(path) if format is None else _check_format(format)
    data = format_trace(jobs, format=chosen).encode("utf-8")
    if os.fsdecode(path).endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise InvalidManifest(shown(path), f"cannot write: {error.strerror or error}") from None
    except ValueError:
        raise InvalidManifest(shown(path), "not a valid path") from None
