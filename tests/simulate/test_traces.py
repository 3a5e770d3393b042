"""Traces: the generic CSV / JSON Lines format, the Alibaba v2023 pod lists, the packaged data."""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.errors import InvalidManifest, InvalidRequest
from invsched.resources import Resources
from invsched.simulate import (
    Job,
    PackagedTrace,
    TraceFormat,
    WaitSummary,
    _trace_files,
    format_trace,
    load_cluster_capacity,
    load_packaged_trace,
    load_trace,
    measure_recorded_waits,
    parse_alibaba_v2023,
    parse_trace,
    save_trace,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "simulate"
GIB = 2**30 * 1000
MIB = 2**20 * 1000
HEADER = "name,namespace,submit,duration,priority,preemptible,deadline,cpu\n"
POD_HEADER = (
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
    "creation_time,deletion_time,scheduled_time\n"
)


def _gpus(count: int | str) -> Resources:
    return Resources.parse({"nvidia.com/gpu": count})


# The generic CSV format --------------------------------------------------------------------


def test_the_example_trace_reads_as_written() -> None:
    jobs = load_trace(EXAMPLES / "trace.csv")
    assert len(jobs) == 12
    assert jobs[0] == Job(
        name="pretrain-a",
        namespace="research",
        request=Resources.parse({"cpu": 16, "memory": "64Gi", "nvidia.com/gpu": 4}),
        submit=0,
        duration=7200,
        priority=100,
    )
    assert jobs[3].preemptible is False
    assert jobs[6].deadline == 3600
    # A job that names only its quota is in Kubernetes' default namespace.
    assert (jobs[8].namespace, jobs[8].quota) == ("default", "serving")
    # An empty cell is a resource the job does not request.
    assert jobs[11].request == Resources.parse({"cpu": 2, "memory": "8Gi"})


def test_optional_columns_take_their_defaults() -> None:
    (job,) = parse_trace("name,quota,submit,duration,nvidia.com/gpu\nx,ml,2.5,60,500m\n")
    assert job == Job(
        name="x", namespace="default", quota="ml", request=_gpus("500m"), submit=2.5, duration=60
    )
    assert job.priority == 0
    assert job.preemptible is True
    assert job.deadline is None


def test_an_explicit_zero_is_kept_apart_from_an_empty_cell() -> None:
    text = "name,namespace,submit,duration,cpu,nvidia.com/gpu\na,ml,0,1,0,\n"
    assert parse_trace(text)[0].request == Resources({"cpu": 0})


def test_blank_lines_and_spaces_around_cells_are_ignored() -> None:
    text = "name, namespace ,submit,duration\n\n a , ml ,0, 5\n\n"
    assert parse_trace(text)[0].key == "ml/a"


def test_empty_text_is_an_empty_trace() -> None:
    assert parse_trace("") == ()
    assert parse_trace("name,namespace,submit,duration\n") == ()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "a,ml,0,soon,0,true,,1",
            "t.csv: line 2: duration: expected seconds (an integer or decimal number ≥ 0), "
            "got 'soon'",
        ),
        ("a,ml,-5,10,0,true,,1", "t.csv: line 2: submit: must not be negative, got -5"),
        ("a,ml,0,10,high,true,,1", "t.csv: line 2: priority: expected an integer, got 'high'"),
        (
            "a,ml,0,10,2147483648,true,,1",
            "t.csv: line 2: priority: must be an int32 as Kubernetes' PriorityClass value, "
            "got 2147483648",
        ),
        ("a,ml,0,10,0,yes,,1", "t.csv: line 2: preemptible: expected true or false, got 'yes'"),
        ("a,ml,5,10,0,true,3,1", "t.csv: line 2: deadline: must not be before submit 5, got 3"),
        (
            "a,ml,0,10,0,true,,12x",
            "t.csv: line 2: cpu: invalid quantity '12x': unexpected character 'x' at position 2",
        ),
        ("a,ml,0,10,0,true,,-1", "t.csv: line 2: cpu: must not be negative, got '-1'"),
        (
            "a,Team_A,0,10,0,true,,1",
            "t.csv: line 2: namespace: must be a DNS-1123 label (at most 63 lower-case letters, "
            "digits or '-', starting and ending with a letter or digit), got 'Team_A'",
        ),
        (",ml,0,10,0,true,,1", "t.csv: line 2: name: required field is missing"),
        (
            "a,,0,10,0,true,,1",
            "t.csv: line 2: namespace: required when the job names no quota "
            "(set namespace or quota)",
        ),
        ('a,ml,0,10,0,true,,"1', "t.csv: line 2: not CSV: unexpected end of data"),
        ("a,ml,0,10,0,true,,1,2", "t.csv: line 2: expected 8 fields as the header, got 9"),
        (
            "a,ml,0,1e19,0,true,,1",
            "t.csv: line 2: duration: must be at most 10^18 seconds, got 1e+19",
        ),
        (
            "a,ml,0,nan,0,true,,1",
            "t.csv: line 2: duration: expected seconds (an integer or decimal number ≥ 0), "
            "got 'nan'",
        ),
    ],
)
def test_a_bad_cell_names_the_file_line_and_column(row: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(HEADER + row + "\n", source="t.csv")
    assert str(caught.value) == message
    assert caught.value.source == "t.csv"


def test_an_alibaba_time_beyond_the_simulators_range_names_its_line_and_column() -> None:
    from invsched.simulate.traces import parse_alibaba_v2023

    header = (
        "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
        "creation_time,deletion_time,scheduled_time\n"
    )
    late = 10**19
    with pytest.raises(InvalidManifest) as caught:
        parse_alibaba_v2023(header + f"p0,1,1,1,1000,,BE,Failed,{late},{late + 1},{late}\n")
    assert str(caught.value) == (
        "line 2: creation_time: must be at most 10^18 seconds, got 10000000000000000000"
    )


def test_a_time_of_many_digits_is_refused_before_it_is_converted() -> None:
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(HEADER + "a,ml,0," + "9" * 5000 + ",0,true,,1\n")
    assert caught.value.field == "line 2: duration"
    assert caught.value.reason.startswith("expected seconds (an integer or decimal number ≥ 0)")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "name,namespace,submit,duration,prority",
            "line 1: prority: neither a field nor a resource (a resource is cpu, memory, "
            "storage, ephemeral-storage, pods, hugepages-<size> or a domain-prefixed name such "
            "as nvidia.com/gpu), got 'prority'",
        ),
        (
            "name,namespace,submit,duration,cpu,cpu",
            "line 1: cpu: column appears twice in the header",
        ),
        ("namespace,submit,duration", "line 1: the header has no 'name' column"),
        ("name,namespace,duration", "line 1: the header has no 'submit' column"),
        (
            "name,submit,duration",
            "line 1: the header has neither a 'namespace' nor a 'quota' column",
        ),
    ],
)
def test_a_bad_header_is_refused(header: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(header + "\n")
    assert str(caught.value) == message
    assert caught.value.source is None


@pytest.mark.parametrize(
    "column", ["memory", "ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu", "example.io/x_y"]
)
def test_resource_columns_follow_kubernetes_names(column: str) -> None:
    (job,) = parse_trace(f"name,namespace,submit,duration,{column}\na,ml,0,1,2\n")
    assert job.request == Resources({column: 2000})


def test_a_second_job_of_the_same_namespace_and_name_is_refused() -> None:
    text = HEADER + "a,ml,0,10,0,true,,1\nb,ml,0,10,0,true,,1\na,ml,1,10,0,true,,1\n"
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(text)
    assert str(caught.value) == "line 4: name: duplicate job 'ml/a' (first at line 2)"
    # The same name in another namespace is another job.
    assert len(parse_trace(HEADER + "a,ml,0,10,0,true,,1\na,cv,0,10,0,true,,1\n")) == 2


def test_a_multi_line_record_is_named_by_its_first_line() -> None:
    text = 'name,namespace,submit,duration\n"a",ml,0,1\n"b\nc",ml,0,soon\n'
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(text)
    assert caught.value.field == "line 3: duration"


# The generic JSON Lines format --------------------------------------------------------------


def test_json_lines_read_the_same_fields() -> None:
    text = (
        '{"name": "a", "namespace": "ml", "submit": 0, "duration": 5, "priority": 3, '
        '"preemptible": false, "deadline": 9, "request": {"cpu": 0.25, "memory": "1Gi"}}\n'
        "\n"
        '{"name": "b", "quota": "ml", "submit": 1.5, "duration": 5, "deadline": null}\n'
    )
    assert parse_trace(text, format=TraceFormat.JSONL) == (
        Job(
            name="a",
            namespace="ml",
            request=Resources({"cpu": 250, "memory": GIB}),
            submit=0,
            duration=5,
            priority=3,
            preemptible=False,
            deadline=9,
        ),
        Job(name="b", namespace="default", quota="ml", request=Resources(), submit=1.5, duration=5),
    )


_JOB = '"name": "a", "namespace": "ml", "submit": 0, "duration": 5'


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "{" + _JOB,
            "line 1: not a JSON object (Expecting ',' delimiter: line 1 column 60 (char 59))",
        ),
        ("[1, 2]", "line 1: expected a JSON object, got [1, 2]"),
        (
            "{" + _JOB + ', "prority": 1}',
            "line 1: prority: unknown field (expected one of deadline, duration, name, "
            "namespace, preemptible, priority, quota, request, submit)",
        ),
        (
            '{"name": "a", "namespace": "ml", "submit": true, "duration": 5}',
            "line 1: submit: expected seconds (an integer or decimal number ≥ 0), got True",
        ),
        (
            '{"name": "a", "namespace": "ml", "submit": NaN, "duration": 5}',
            "line 1: not a JSON object (NaN is not a JSON number)",
        ),
        (
            '{"name": "a", "namespace": "ml", "submit": 1e400, "duration": 5}',
            "line 1: submit: expected seconds (an integer or decimal number ≥ 0), got inf",
        ),
        ("{" + _JOB + ', "priority": 1.5}', "line 1: priority: expected an integer, got 1.5"),
        (
            "{" + _JOB + ', "preemptible": "no"}',
            "line 1: preemptible: expected true or false, got 'no'",
        ),
        (
            '{"name": 3, "namespace": "ml", "submit": 0, "duration": 5}',
            "line 1: name: expected a string, got 3",
        ),
        (
            "{" + _JOB + ', "request": [1]}',
            "line 1: request: expected an object of quantities, got [1]",
        ),
        (
            "{" + _JOB + ', "request": {"cpu": true}}',
            "line 1: request.cpu: expected a quantity (a string or a number), got True",
        ),
        (
            "{" + _JOB + ', "request": {"GPU": 1}}',
            "line 1: request.GPU: unknown resource (a resource is cpu, memory, storage, "
            "ephemeral-storage, pods, hugepages-<size> or a domain-prefixed name such as "
            "nvidia.com/gpu), got 'GPU'",
        ),
        (
            '{"name": "a", "namespace": "ml", "duration": 5}',
            "line 1: submit: required field is missing",
        ),
    ],
)
def test_a_bad_json_line_names_the_line_and_field(line: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(line, format=TraceFormat.JSONL)
    assert str(caught.value) == message


def test_json_that_nests_too_deep_or_has_a_huge_number_is_a_typed_error() -> None:
    for line in ("[" * 100_000, '{"submit": ' + "9" * 5000 + "}"):
        with pytest.raises(InvalidManifest) as caught:
            parse_trace(line, format=TraceFormat.JSONL)
        assert caught.value.field == "line 1"
        assert caught.value.reason.startswith("not a JSON object (")


def test_json_duplicates_are_refused_with_both_lines() -> None:
    text = "\n\n{" + _JOB + "}\n{" + _JOB + "}\n"
    with pytest.raises(InvalidManifest) as caught:
        parse_trace(text, format=TraceFormat.JSONL)
    assert str(caught.value) == "line 4: name: duplicate job 'ml/a' (first at line 3)"


# Writing and reading back --------------------------------------------------------------------

_names = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
_times = st.integers(0, 10**6) | st.floats(0, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _jobs(draw: st.DrawFn) -> tuple[Job, ...]:
    count = draw(st.integers(0, 6))
    names = draw(st.lists(_names, min_size=count, max_size=count, unique=True))
    jobs = []
    for name in names:
        submit = draw(_times)
        keys = draw(st.sets(st.sampled_from(["cpu", "memory", "nvidia.com/gpu", "a.io/b"])))
        jobs.append(
            Job(
                name=name,
                namespace=draw(st.sampled_from(["ml", "default", "be"])),
                quota=draw(st.none() | _names),
                request=Resources({key: draw(st.integers(0, 10**15)) for key in keys}),
                submit=submit,
                duration=draw(_times),
                priority=draw(st.integers(-(2**31), 2**31 - 1)),
                preemptible=draw(st.booleans()),
                deadline=draw(st.none() | st.just(submit + 7)),
            )
        )
    return tuple(jobs)


@given(jobs=_jobs(), chosen=st.sampled_from([TraceFormat.CSV, TraceFormat.JSONL]))
def test_what_is_written_reads_back_unchanged(jobs: tuple[Job, ...], chosen: TraceFormat) -> None:
    assert parse_trace(format_trace(jobs, format=chosen), format=chosen) == jobs


def test_the_csv_writer_writes_every_field_and_each_resource_once() -> None:
    jobs = load_trace(EXAMPLES / "trace.csv")
    written = (EXAMPLES / "trace.csv").read_text(encoding="utf-8")
    # The job that names only its quota is written with the namespace it was given.
    assert format_trace(jobs) == written.replace(",,serving,", ",default,serving,")


def test_the_packaged_trace_round_trips_through_both_formats() -> None:
    jobs = load_packaged_trace()
    for chosen in (TraceFormat.CSV, TraceFormat.JSONL):
        assert parse_trace(format_trace(jobs, format=chosen), format=chosen) == jobs


def _loose(function: object) -> Any:
    """``function`` without its signature, to call it with arguments of the wrong type."""
    return function


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: _loose(format_trace)("jobs"), "jobs: expected a sequence of Job, got 'jobs'"),
        (lambda: _loose(format_trace)([1]), "jobs[0]: expected a Job, got 1"),
        (
            lambda: format_trace([], format=TraceFormat.ALIBABA_V2023),
            "format: only CSV and JSONL are written, got 'alibaba-v2023'",
        ),
        (
            lambda: _loose(format_trace)([], format="csv"),
            "format: expected a TraceFormat, got 'csv'",
        ),
        (lambda: _loose(parse_trace)(b"x"), "text: expected trace text (str), got bytes"),
        (lambda: _loose(parse_trace)("", source=1), "source: expected a str, got 1"),
        (lambda: _loose(load_trace)(3), "path: expected a path (str or os.PathLike), got 3"),
        (lambda: _loose(load_packaged_trace)("x"), "trace: expected a PackagedTrace, got 'x'"),
    ],
)
def test_bad_arguments_are_typed_errors(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()
    assert str(caught.value) == message


# Files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["jobs.csv", "jobs.jsonl", "jobs.csv.gz", "jobs.jsonl.gz"])
def test_a_saved_trace_loads_back_with_the_format_of_its_name(tmp_path: Path, name: str) -> None:
    jobs = load_trace(EXAMPLES / "trace.csv")
    path = tmp_path / name
    save_trace(jobs, path)
    assert load_trace(path) == jobs
    if name.endswith(".gz"):
        assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert load_trace(str(path), format=TraceFormat.JSONL if "jsonl" in name else None) == jobs


def test_errors_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "a,ml,0,soon,0,true,,1\n", encoding="utf-8")
    with pytest.raises(InvalidManifest) as caught:
        load_trace(path)
    assert caught.value.source == str(path)
    assert caught.value.field == "line 2: duration"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda d: d / "missing.csv", "no such file"),
        (lambda d: d, "is a directory"),
    ],
)
def test_a_file_that_cannot_be_read_is_named(tmp_path: Path, setup: object, reason: str) -> None:
    path = setup(tmp_path)  # type: ignore[operator]
    with pytest.raises(InvalidManifest) as caught:
        load_trace(path, format=TraceFormat.CSV)
    assert (caught.value.source, caught.value.reason) == (str(path), reason)


def test_a_file_that_is_not_text_or_not_gzip_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"name\xff\n")
    with pytest.raises(InvalidManifest) as caught:
        load_trace(binary)
    assert str(caught.value) == f"{binary}: not UTF-8 text (byte 0xff at offset 4)"
    fake = tmp_path / "fake.csv.gz"
    fake.write_bytes(b"name,namespace\n")
    with pytest.raises(InvalidManifest) as caught:
        load_trace(fake)
    assert caught.value.reason.startswith("not gzip data (")


def test_the_format_must_be_told_when_the_name_does_not(tmp_path: Path) -> None:
    path = tmp_path / "jobs.txt"
    with pytest.raises(InvalidManifest) as caught:
        load_trace(path)
    assert str(caught.value) == (
        f"{path}: cannot tell the trace format from the name (.csv or .jsonl); give it"
    )


def test_input_is_bounded_also_after_decompression(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_trace_files, "MAX_TRACE_BYTES", 100)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"x" * 10_000))
    with pytest.raises(InvalidManifest) as caught:
        load_trace(bomb)
    assert str(caught.value) == f"{bomb}: larger than 0 MiB, the most read"
    with pytest.raises(InvalidManifest) as caught:
        parse_trace("x" * 101)
    assert str(caught.value) == "larger than 0 MiB, the most read"


# Alibaba cluster-trace-gpu-v2023 -------------------------------------------------------------


def test_every_row_of_the_packaged_pod_list_becomes_a_job() -> None:
    jobs = load_packaged_trace(PackagedTrace.ALIBABA_V2023_DEFAULT)
    assert len(jobs) == 8152
    assert Counter(job.namespace for job in jobs) == {
        "ls": 4647,
        "be": 3398,
        "burstable": 100,
        "guaranteed": 7,
    }
    # The 897 pods that never ran leave the queue when the trace deleted them.
    assert sum(job.deadline is not None for job in jobs) == 897
    assert sum(job.request["nvidia.com/gpu"] for job in jobs) == 6_086_800
    assert sum(job.request["cpu"] for job in jobs) == 85_436_012
    assert sum(job.request["memory"] for job in jobs) == 303_546_211 * MIB


def test_pods_that_ran_failed_or_never_ran_map_as_documented() -> None:
    jobs = {job.name: job for job in load_packaged_trace()}
    # openb-pod-0033,3152,5600,1,1000,,BE,Failed,9965463,9965645,9965463: ran until deleted.
    assert jobs["openb-pod-0033"] == Job(
        name="openb-pod-0033",
        namespace="be",
        request=Resources({"cpu": 3152, "memory": 5600 * MIB, "nvidia.com/gpu": 1000}),
        submit=9965463,
        duration=9965645 - 9965463,
        priority=5000,
        preemptible=True,
    )
    # openb-pod-0061,11908,47104,1,1000,,BE,Pending,10001278,10001403,: never ran.
    assert jobs["openb-pod-0061"] == Job(
        name="openb-pod-0061",
        namespace="be",
        request=Resources({"cpu": 11908, "memory": 47104 * MIB, "nvidia.com/gpu": 1000}),
        submit=10001278,
        duration=10001403 - 10001278,
        priority=5000,
        preemptible=True,
        deadline=10001403,
    )
    # openb-pod-0129 is Guaranteed: never preempted, production priority.
    guaranteed = jobs["openb-pod-0129"]
    assert (guaranteed.priority, guaranteed.preemptible) == (9000, False)
    # openb-pod-0000 is latency-sensitive, one whole GPU.
    first = jobs["openb-pod-0000"]
    assert (first.namespace, first.priority, first.preemptible) == ("ls", 9000, False)
    assert first.request == Resources({"cpu": 12000, "memory": 16 * GIB, "nvidia.com/gpu": 1000})


def test_a_fractional_gpu_request_is_num_gpu_times_gpu_milli() -> None:
    text = (
        POD_HEADER
        + "p0,6000,12288,1,460,,BE,Failed,10,700,12\np1,96000,0,8,1000,,LS,Running,1,9,2\n"
    )
    jobs = parse_alibaba_v2023(text)
    assert jobs[0].request == Resources({"cpu": 6000, "memory": 12288 * MIB, "nvidia.com/gpu": 460})
    assert jobs[1].request == Resources({"cpu": 96000, "nvidia.com/gpu": 8000})
    assert parse_trace(text, format=TraceFormat.ALIBABA_V2023) == jobs


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "p0,6000,12288,1,460,,XX,Failed,10,700,12",
            "pods.csv: line 2: qos: expected one of BE, Burstable, Guaranteed, LS, got 'XX'",
        ),
        (
            "p0,6000,12288,1,460,,BE,Done,10,700,12",
            "pods.csv: line 2: pod_phase: expected one of Failed, Pending, Running, Succeeded, "
            "Unknown, got 'Done'",
        ),
        (
            "p0,6000,12288,1,460,,BE,Failed,10,5,",
            "pods.csv: line 2: deletion_time: must not be before creation_time 10, got 5",
        ),
        (
            "p0,6000,12288,1,460,,BE,Failed,10,700,800",
            "pods.csv: line 2: scheduled_time: must lie between creation_time 10 and "
            "deletion_time 700, got 800",
        ),
        (
            "p0,6000,12.5,1,460,,BE,Failed,10,700,12",
            "pods.csv: line 2: memory_mib: expected an integer ≥ 0, got '12.5'",
        ),
        (
            "p0,-6000,12288,1,460,,BE,Failed,10,700,12",
            "pods.csv: line 2: cpu_milli: expected an integer ≥ 0, got '-6000'",
        ),
        (
            "p0,6000,12288,1,460,,BE,Failed,10,700,12\np0,6000,12288,1,460,,BE,Failed,10,700,12",
            "pods.csv: line 3: name: duplicate pod 'p0' (first at line 2)",
        ),
        (
            "p0,6000,12288,1,460,,BE,Failed,10,700",
            "pods.csv: line 2: expected 11 fields as the header, got 10",
        ),
    ],
)
def test_a_bad_pod_row_names_the_line_and_column(rows: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        parse_alibaba_v2023(POD_HEADER + rows + "\n", source="pods.csv")
    assert str(caught.value) == message


def test_a_pod_list_without_times_is_refused() -> None:
    # The multigpu50 variant has only the request columns.
    with pytest.raises(InvalidManifest) as caught:
        parse_alibaba_v2023("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,1,1\n")
    assert str(caught.value) == (
        "line 1: the header has no 'qos' column (an Alibaba cluster-trace-gpu-v2023 list has "
        "name, cpu_milli, memory_mib, num_gpu, gpu_milli, qos, pod_phase, creation_time, "
        "deletion_time, scheduled_time)"
    )


def test_the_trace_recorded_waits_are_its_nearest_rank_percentiles() -> None:
    # scheduled_time − creation_time of the 7,255 pods that ran.
    assert measure_recorded_waits() == WaitSummary(count=7255, p50=2, p90=106, p99=908, max=14330)


def test_recorded_waits_from_a_file(tmp_path: Path) -> None:
    # Nearest rank: the p-th percentile of n values is the one at rank ⌈p·n/100⌉.
    rows = "".join(
        f"p{i},1,1,0,0,,BE,Running,0,100,{wait}\n" for i, wait in enumerate(range(1, 11))
    )
    path = tmp_path / "pods.csv"
    path.write_text(POD_HEADER + rows + "q,1,1,0,0,,LS,Pending,0,5,\n", encoding="utf-8")
    assert measure_recorded_waits(path) == WaitSummary(count=10, p50=5, p90=9, p99=10, max=10)
    never = tmp_path / "never.csv"
    never.write_text(POD_HEADER + "q,1,1,0,0,,LS,Pending,0,5,\n", encoding="utf-8")
    with pytest.raises(InvalidManifest) as caught:
        measure_recorded_waits(never)
    assert str(caught.value) == f"{never}: no pod of the list was scheduled: there is no wait"


def test_the_cluster_capacity_sums_the_node_list(tmp_path: Path) -> None:
    assert load_cluster_capacity() == Resources(
        {"cpu": 125_514_000, "memory": 597_684 * 1024 * MIB, "nvidia.com/gpu": 6_212_000}
    )
    path = tmp_path / "nodes.csv"
    path.write_text(
        "sn,cpu_milli,memory_mib,gpu,model\nn0,96000,1024,8,G2\nn1,32000,512,0,\n", encoding="utf-8"
    )
    assert load_cluster_capacity(path) == Resources(
        {"cpu": 128_000, "memory": 1536 * MIB, "nvidia.com/gpu": 8000}
    )
    path.write_text("sn,cpu_milli,memory_mib,gpu,model\nn0,96000,1024,eight,G2\n", encoding="utf-8")
    with pytest.raises(InvalidManifest) as caught:
        load_cluster_capacity(path)
    assert str(caught.value) == f"{path}: line 2: gpu: expected an integer ≥ 0, got 'eight'"


@pytest.mark.parametrize(
    ("name", "blob"),
    [
        ("openb_pod_list_default.csv.gz", "bd82505791c723c5b11486ef457fb338529912c0"),
        ("openb_node_list_all_node.csv.gz", "86c7043439ef71ceef4ec21c72cde3d331364431"),
    ],
)
def test_the_packaged_files_are_the_upstream_blobs(name: str, blob: str) -> None:
    # Git's blob id of the decompressed file equals the one named in the data README.
    packed = resources.files("invsched.simulate.data").joinpath(name).read_bytes()
    data = gzip.decompress(packed)
    assert hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest() == blob
    readme = resources.files("invsched.simulate.data").joinpath("README.md").read_text("utf-8")
    assert blob in readme


# Mangled input -------------------------------------------------------------------------------

_EXAMPLE_CSV = (EXAMPLES / "trace.csv").read_text(encoding="utf-8")
_EXAMPLE_JSONL = format_trace(parse_trace(_EXAMPLE_CSV), format=TraceFormat.JSONL)
_EXAMPLE_PODS = (
    POD_HEADER + "p0,6000,12288,1,460,,BE,Failed,10,700,12\np1,4000,8192,0,0,,LS,Pending,20,80,\n"
)


@st.composite
def _mangled(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few characters deleted, replaced or inserted."""
    chars = list(text)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(chars)))
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        piece = draw(
            st.sampled_from([",", '"', "\n", "-", "x", "{", "}", ":", "9", "é", "\x00", " "])
        )
        if action == "delete" and position < len(chars):
            del chars[position]
        elif action == "replace" and position < len(chars):
            chars[position] = piece
        else:
            chars.insert(position, piece)
    return "".join(chars)


@given(
    st.sampled_from(
        [
            (TraceFormat.CSV, _EXAMPLE_CSV),
            (TraceFormat.JSONL, _EXAMPLE_JSONL),
            (TraceFormat.ALIBABA_V2023, _EXAMPLE_PODS),
        ]
    ).flatmap(lambda pair: st.tuples(st.just(pair[0]), _mangled(pair[1])))
)
def test_mangled_traces_give_jobs_or_a_typed_error(case: tuple[TraceFormat, str]) -> None:
    chosen, text = case
    outcome = _outcome(lambda: parse_trace(text, format=chosen, source="mangled"))
    if isinstance(outcome, InvalidManifest):
        assert str(outcome).startswith("mangled: line ")
    else:
        assert all(isinstance(job, Job) for job in outcome)


def _outcome(read: Callable[[], tuple[Job, ...]]) -> tuple[Job, ...] | InvalidManifest:
    """The jobs, or the typed error; any other exception propagates."""
    try:
        return read()
    except InvalidManifest as error:
        return error
