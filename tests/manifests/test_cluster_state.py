"""``ClusterState`` (``invsched.io/v1alpha1``): the total and the running units, every field
checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from invsched import InvalidManifest, QueueUnit
from invsched.manifests import ClusterState, load_files, loads
from invsched.resources import Resources

HEADER = "apiVersion: invsched.io/v1alpha1\nkind: ClusterState\n"
CLASS = (
    "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 100\n"
)


def state(running: str = "", total: str = "{cpu: 8, nvidia.com/gpu: 4}") -> str:
    text = f"{HEADER}metadata: {{name: gpu-cluster}}\nspec:\n  total: {total}\n"
    return text + (f"  running:\n{running}" if running else "")


def error(text: str) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(text)
    return str(raised.value)


def test_every_field_of_a_running_unit() -> None:
    text = state(
        "  - name: train\n    namespace: video\n    quota: video\n"
        "    request: {cpu: 2, nvidia.com/gpu: 2}\n    priority: 10\n    preemptible: false\n"
        "    created: '2024-05-01T09:00:00Z'\n"
        "  - {name: serve, request: {nvidia.com/gpu: 1}, priorityClassName: high, created: 7.5}\n"
        "  - {name: probe, namespace: test1, request: {}}\n"
    )
    manifests = loads(text + "---\n" + CLASS)
    assert manifests.cluster_state == ClusterState(
        name="gpu-cluster",
        total=Resources({"cpu": 8000, "nvidia.com/gpu": 4000}),
        running=(
            QueueUnit(
                name="train",
                namespace="video",
                quota="video",
                request=Resources({"cpu": 2000, "nvidia.com/gpu": 2000}),
                priority=10,
                preemptible=False,
                created=1714554000,
            ),
            QueueUnit(
                name="serve",
                namespace="default",
                request=Resources({"nvidia.com/gpu": 1000}),
                priority=100,
                created=7.5,
            ),
            QueueUnit(name="probe", namespace="test1", request=Resources(), created=2),
        ),
    )
    assert manifests.units == ()


def test_total_and_running_are_optional() -> None:
    assert loads(f"{HEADER}spec: {{}}\n").cluster_state == ClusterState()
    assert loads(HEADER).cluster_state == ClusterState()
    assert loads(state()).cluster_state == ClusterState(
        name="gpu-cluster", total=Resources({"cpu": 8000, "nvidia.com/gpu": 4000})
    )


def test_the_global_default_class_applies_to_running_units_too() -> None:
    text = state("  - {name: a, request: {cpu: 1}}\n")
    default = CLASS + "globalDefault: true\n"
    result = loads(text + "---\n" + default).cluster_state
    assert result is not None
    assert [unit.priority for unit in result.running] == [100]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            state() + "status: {}\n",
            "document 0: status: unknown field (expected one of apiVersion, kind, metadata, spec)",
        ),
        (
            state().replace("total:", "totals:"),
            "document 0: spec.totals: unknown field (expected one of running, total)",
        ),
        (
            state("  - {name: a, requst: {cpu: 1}}\n"),
            "document 0: spec.running[0].requst: unknown field (expected one of created, name, "
            "namespace, preemptible, priority, priorityClassName, quota, request)",
        ),
        (
            state("  - {name: a}\n"),
            "document 0: spec.running[0].request: required field is missing",
        ),
        (
            state("  - {request: {cpu: 1}}\n"),
            "document 0: spec.running[0].name: expected a non-empty string, got None",
        ),
        (
            state("  - [a]\n"),
            "document 0: spec.running[0]: expected a mapping, got list",
        ),
        (
            state(total="{cpu: -1}"),
            "document 0: spec.total.cpu: must not be negative, got -1",
        ),
        (
            state("  - {name: a, request: {nvidia.com/gpu: 1x}}\n"),
            "document 0: spec.running[0].request.nvidia.com/gpu: invalid quantity '1x': "
            "unexpected character 'x' at position 1",
        ),
        (
            state("  - {name: a, request: {}, priority: 1, priorityClassName: high}\n"),
            "document 0: spec.running[0].priorityClassName: give priority or "
            "priorityClassName, not both",
        ),
        (
            state("  - {name: a, request: {}, priority: 2147483648}\n"),
            "document 0: spec.running[0].priority: must be an int32, got 2147483648",
        ),
        (
            state("  - {name: a, request: {}, priorityClassName: urgent}\n"),
            "document 0: spec.running[0].priorityClassName: no PriorityClass named 'urgent' "
            "in the input (classes given: none)",
        ),
        (
            state("  - {name: a, request: {}, created: yesterday}\n"),
            "document 0: spec.running[0].created: expected an RFC 3339 time "
            "(2024-05-01T09:00:00Z), got 'yesterday'",
        ),
        (
            state("  - {name: a, request: {}, created: .inf}\n"),
            "document 0: spec.running[0].created: must be a finite number of seconds, got inf",
        ),
        (
            state("  - {name: a, request: {}, created: true}\n"),
            "document 0: spec.running[0].created: expected an RFC 3339 time or a number of "
            "seconds, got bool True",
        ),
        (
            state("  - {name: a, request: {}, preemptible: 'no'}\n"),
            "document 0: spec.running[0].preemptible: expected true or false, got str 'no'",
        ),
        (
            state("  - {name: a, request: {}}\n  - {name: a, request: {}}\n"),
            "document 0: spec.running[1].name: a second running unit 'default/a' (the first is "
            "spec.running[0])",
        ),
        (
            state() + "---\n" + state(),
            "document 1: kind: a second ClusterState (only one is supported; the first is "
            "document 0)",
        ),
    ],
)
def test_refusals_name_the_field(text: str, message: str) -> None:
    assert error(text) == message


def test_a_job_that_already_runs_is_refused(tmp_path: Path) -> None:
    running = tmp_path / "state.yaml"
    running.write_text(state("  - {name: train, namespace: video, request: {}}\n"), "utf-8")
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: train, namespace: video}\n"
        "spec: {template: {spec: {containers: [{name: c}]}}}\n",
        "utf-8",
    )
    with pytest.raises(InvalidManifest) as raised:
        load_files([running, jobs])
    assert str(raised.value) == (
        f"{jobs}: document 0: metadata.name: the job 'video/train' is also running in the "
        f"ClusterState ({running}, document 0, spec.running[0])"
    )


def test_the_record_checks_its_fields() -> None:
    with pytest.raises(InvalidManifest) as raised:
        ClusterState(total={"cpu": 1})  # type: ignore[arg-type]
    assert str(raised.value) == "ClusterState.total: expected Resources, got dict {'cpu': 1}"
    with pytest.raises(InvalidManifest) as raised:
        ClusterState(running=["a"])
    assert str(raised.value) == "ClusterState.running[0]: expected a QueueUnit, got str 'a'"
