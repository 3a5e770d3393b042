"""The job kinds (``RayJob``, ``Job``, ``PyTorchJob``, bare ``Pod``) as queue units, and
``PriorityClass``: exact units, exact refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from invsched import InvalidManifest, QueueUnit
from invsched.manifests import PriorityClass, SkippedObject, load_files, loads
from invsched.resources import Resources


def pod_spec(limits: str = "{nvidia.com/gpu: 1}", extra: str = "") -> str:
    return f"{{{extra}containers: [{{name: c, resources: {{limits: {limits}}}}}]}}"


def ray_job(
    groups: str = "", head: str = "", metadata: str = "{name: train}", spec: str = ""
) -> str:
    return (
        "apiVersion: ray.io/v1\nkind: RayJob\n"
        f"metadata: {metadata}\n"
        f"spec:\n  {spec}rayClusterSpec:\n"
        f"    headGroupSpec: {{template: {{{head}spec: {pod_spec('{cpu: 1}')}}}}}\n"
        f"    workerGroupSpecs: [{groups}]\n"
    )


def group(fields: str, labels: str = "") -> str:
    metadata = f"metadata: {{labels: {labels}}}, " if labels else ""
    return f"{{{fields}template: {{{metadata}spec: {pod_spec()}}}}}"


def units(text: str) -> tuple[QueueUnit, ...]:
    return loads(text).units


def error(text: str) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(text)
    return str(raised.value)


def gpus(count: int, cpu: int = 1) -> Resources:
    return Resources({"cpu": cpu * 1000, "nvidia.com/gpu": count * 1000})


# RayJob ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "pods"),
    [
        ("replicas: 3, ", 3),
        ("", 0),  # KubeRay's default replicas is 0
        ("replicas: 1, minReplicas: 2, ", 2),  # kept within [minReplicas, maxReplicas]
        ("replicas: 9, maxReplicas: 4, ", 4),
        ("minReplicas: 2, ", 2),
        ("replicas: 2, numOfHosts: 4, ", 8),  # multi-host replicas
        ("replicas: 3, suspend: true, ", 0),  # a suspended group has no pods
    ],
)
def test_ray_job_counts_the_pods_kuberay_creates(fields: str, pods: int) -> None:
    (unit,) = units(ray_job(group(fields)))
    assert unit == QueueUnit(name="train", namespace="default", request=gpus(pods), created=0)


def test_ray_job_sums_the_head_and_every_group() -> None:
    text = ray_job(
        f"{group('replicas: 2, ')}, {group('replicas: 1, numOfHosts: 2, ')}",
        metadata="{name: train, namespace: video}",
        spec="suspend: true\n  ",
    )
    (unit,) = units(text)
    assert unit == QueueUnit(name="train", namespace="video", request=gpus(4), created=0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ray_job(group("minReplicas: 3, maxReplicas: 2, ")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].minReplicas: must be at most "
            "maxReplicas (2), got 3",
        ),
        (
            ray_job(group("replicas: -1, ")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].replicas: must be at least 0, "
            "got -1",
        ),
        (
            ray_job(group("replicas: 2147483648, ")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].replicas: must be at most "
            "2147483647 (an int32), got 2147483648",
        ),
        (
            ray_job(group("numOfHosts: 0, ")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].numOfHosts: must be at least "
            "1, got 0",
        ),
        (
            ray_job(group("replicas: '2', ")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].replicas: expected an "
            "integer, got str '2'",
        ),
        (
            ray_job(spec="suspend: 'yes'\n  "),
            "document 0: spec.suspend: expected true or false, got str 'yes'",
        ),
        (
            "apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: x}\n"
            "spec: {clusterSelector: {ray.io/cluster: shared}}\n",
            "document 0: spec.rayClusterSpec: required field is missing: a RayJob with "
            "spec.clusterSelector runs on an existing RayCluster and asks the queue for nothing "
            "(koord-queue and Kueue do not queue it)",
        ),
        (
            "apiVersion: ray.io/v1\nkind: RayJob\nmetadata: {name: x}\nspec: {}\n",
            "document 0: spec.rayClusterSpec: required field is missing",
        ),
        (
            ray_job(group("replicas: 1, ").replace("nvidia.com/gpu: 1", "nvidia.com/gpu: 1x")),
            "document 0: spec.rayClusterSpec.workerGroupSpecs[0].template.spec.containers[0]."
            "resources.limits.nvidia.com/gpu: invalid quantity '1x': unexpected character 'x' "
            "at position 1",
        ),
        (
            ray_job(metadata="{name: Train}"),
            "document 0: metadata.name: must be a DNS-1123 subdomain (at most 253 lower-case "
            "letters, digits, '-' or '.', starting and ending with a letter or digit), got "
            "'Train'",
        ),
        (
            ray_job(metadata="{generateName: train-}"),
            "document 0: metadata.name: expected a non-empty string, got None",
        ),
    ],
)
def test_ray_job_refusals(text: str, message: str) -> None:
    assert error(text) == message


# Job and PyTorchJob ---------------------------------------------------------------------------


def job(spec: str, metadata: str = "{name: batch}") -> str:
    return (
        f"apiVersion: batch/v1\nkind: Job\nmetadata: {metadata}\n"
        f"spec: {{{spec}template: {{spec: {pod_spec()}}}}}\n"
    )


@pytest.mark.parametrize(
    ("spec", "pods"),
    [
        ("", 1),
        ("parallelism: 4, ", 4),
        ("completions: 8, ", 1),
        ("parallelism: 4, completions: 8, ", 4),
        ("parallelism: 4, completions: 2, ", 2),  # never more pods than completions
        ("parallelism: 0, ", 0),
        ("parallelism: 3, suspend: true, ", 3),
    ],
)
def test_job_runs_parallelism_pods(spec: str, pods: int) -> None:
    (unit,) = units(job(spec))
    assert unit.request == Resources({"nvidia.com/gpu": pods * 1000})


def pytorch_job(specs: str, run_policy: str = "") -> str:
    return (
        "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: ddp, namespace: nlp}\n"
        f"spec: {{{run_policy}pytorchReplicaSpecs: {{{specs}}}}}\n"
    )


def replica(fields: str = "", extra: str = "") -> str:
    return f"{{{fields}template: {{spec: {pod_spec(extra=extra)}}}}}"


def test_pytorch_job_sums_its_replica_specs() -> None:
    (unit,) = units(pytorch_job(f"Master: {replica()}, Worker: {replica('replicas: 3, ')}"))
    assert unit == QueueUnit(
        name="ddp", namespace="nlp", request=Resources({"nvidia.com/gpu": 4000}), created=0
    )
    (unit,) = units(pytorch_job(f"Worker: {replica('replicas: 0, ')}"))
    assert unit.request == Resources({"nvidia.com/gpu": 0})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            pytorch_job(f"Launcher: {replica()}"),
            "document 0: spec.pytorchReplicaSpecs.Launcher: unknown field (expected one of "
            "Master, Worker)",
        ),
        (
            pytorch_job(""),
            "document 0: spec.pytorchReplicaSpecs: expected a Master or a Worker "
            "replica spec, got none",
        ),
        (
            pytorch_job(f"Worker: {replica()}", "runPolicy: {suspend: 1}, "),
            "document 0: spec.runPolicy.suspend: expected true or false, got int 1",
        ),
        (
            pytorch_job("Worker: {replicas: 1}"),
            "document 0: spec.pytorchReplicaSpecs.Worker.template: required field is missing",
        ),
        (
            job("parallelism: 2, ").replace("containers: [", "containers: [3, "),
            "document 0: spec.template.spec.containers[0]: expected a mapping, got int",
        ),
    ],
)
def test_job_refusals(text: str, message: str) -> None:
    assert error(text) == message


# Pods -----------------------------------------------------------------------------------------


def test_a_bare_pod_is_a_unit_and_an_owned_pod_is_skipped() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: solo, namespace: video}\n"
        f"spec: {pod_spec()}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: train-worker-0\n  ownerReferences:\n"
        "  - {apiVersion: ray.io/v1, kind: RayCluster, name: train, controller: true}\n"
        f"spec: {pod_spec()}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: referenced\n  ownerReferences:\n"
        "  - {apiVersion: v1, kind: ConfigMap, name: cfg}\n"
        f"spec: {pod_spec()}\n"
    )
    manifests = loads(text)
    assert [unit.key for unit in manifests.units] == ["video/solo", "default/referenced"]
    assert manifests.units[0].created == 0
    assert manifests.units[1].created == 2
    assert manifests.skipped == (SkippedObject(1, "", "v1", "Pod", "train-worker-0"),)


# Priority -------------------------------------------------------------------------------------


def priority_class(name: str, value: int, default: bool = False) -> str:
    return (
        f"apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {{name: {name}}}\n"
        f"value: {value}\nglobalDefault: {'true' if default else 'false'}\n"
    )


def test_priority_comes_from_the_class_the_job_names() -> None:
    text = "---\n".join(
        [
            # The head template names the class of a RayJob.
            ray_job().replace("spec: {containers", "spec: {priorityClassName: high, containers", 1),
            job("").replace("{name: batch}", "{name: plain}"),
            priority_class("high", 1000),
            priority_class("low", -5, default=True),
            job("").replace(
                "spec: {containers", "spec: {priorityClassName: system-node-critical, containers"
            ),
        ]
    )
    manifests = loads(text)
    assert [(unit.name, unit.priority) for unit in manifests.units] == [
        ("train", 1000),
        ("plain", -5),  # no class named: the global default
        ("batch", 2000001000),  # Kubernetes' built-in class
    ]
    assert manifests.priority_classes == (
        PriorityClass(name="high", value=1000),
        PriorityClass(name="low", value=-5, global_default=True),
    )


def test_pytorch_job_priority_order() -> None:
    classes = priority_class("a", 1) + "---\n" + priority_class("b", 2)
    named = replica(extra="priorityClassName: a, ")
    other = replica(extra="priorityClassName: b, ")
    cases = [
        (pytorch_job(f"Master: {named}, Worker: {other}"), 2),  # the Worker's first
        (pytorch_job(f"Master: {named}, Worker: {replica()}"), 1),  # else the Master's
        (
            pytorch_job(f"Master: {named}", "runPolicy: {schedulingPolicy: {priorityClass: b}}, "),
            2,
        ),
        (pytorch_job(f"Worker: {replica()}"), 0),
    ]
    for text, expected in cases:
        (unit,) = units(classes + "---\n" + text)
        assert unit.priority == expected, text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            job("").replace("spec: {containers", "spec: {priorityClassName: urgent, containers")
            + "---\n"
            + priority_class("high", 1),
            "document 0: spec.template.spec.priorityClassName: no PriorityClass named "
            "'urgent' in the input (classes given: high)",
        ),
        (
            job("").replace("spec: {containers", "spec: {priorityClassName: urgent, containers"),
            "document 0: spec.template.spec.priorityClassName: no PriorityClass named "
            "'urgent' in the input (classes given: none)",
        ),
        (
            priority_class("a", 1) + "---\n" + priority_class("a", 2),
            "document 1: metadata.name: a second PriorityClass named 'a' (the first is document 0)",
        ),
        (
            priority_class("a", 1, True) + "---\n" + priority_class("b", 2, True),
            "document 1: globalDefault: a second PriorityClass with globalDefault: true (the "
            "first is document 0)",
        ),
        (
            priority_class("a", 2**31),
            "document 0: value: must be an int32, got 2147483648",
        ),
        (
            "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: a}\n",
            "document 0: value: required field is missing",
        ),
    ],
)
def test_priority_refusals(text: str, message: str) -> None:
    assert error(text) == message


# Labels, time, identity -----------------------------------------------------------------------


def test_quota_and_preemptible_labels_from_the_job_or_its_templates() -> None:
    quota = "quota.scheduling.koordinator.sh/name"
    preemptible = "quota.scheduling.koordinator.sh/preemptible"
    own = ray_job(metadata=f'{{name: a, labels: {{{quota}: video, {preemptible}: "false"}}}}')
    templates = ray_job(
        group("replicas: 1, ", labels=f"{{{quota}: video}}"),
        head=f'metadata: {{labels: {{{preemptible}: "false"}}}}, ',
        metadata="{name: b}",
    )
    other = ray_job(metadata=f'{{name: c, labels: {{{preemptible}: "False"}}}}')
    result = units("---\n".join([own, templates, other]))
    assert [(u.name, u.quota, u.preemptible) for u in result] == [
        ("a", "video", False),
        ("b", "video", False),
        ("c", None, True),
    ]
    disagree = ray_job(
        f"{group('replicas: 1, ', labels=f'{{{quota}: video}}')}, "
        f"{group('replicas: 1, ', labels=f'{{{quota}: text}}')}"
    )
    assert error(disagree) == (
        "document 0: spec.rayClusterSpec.workerGroupSpecs[1].template.metadata.labels."
        "quota.scheduling.koordinator.sh/name: the pod templates of one job disagree: 'text' "
        "here, 'video' at spec.rayClusterSpec.workerGroupSpecs[0].template.metadata.labels."
        "quota.scheduling.koordinator.sh/name"
    )
    assert error(ray_job(metadata=f"{{name: a, labels: {{{quota}: Video}}}}")).startswith(
        "document 0: metadata.labels.quota.scheduling.koordinator.sh/name: must be a DNS-1123 "
        "subdomain"
    )


@pytest.mark.parametrize(
    ("stamp", "created"),
    [
        ("2022-10-08T09:26:38Z", 1665221198),
        ("2022-10-08T11:26:38+02:00", 1665221198),
        ("2022-10-08t09:26:38.250z", 1665221198.25),
        ("2022-10-08T09:26:38.000Z", 1665221198),
        ("1969-12-31T23:59:59Z", -1),
        # Fractions of thousands of digits (beyond int()'s digit limit) read without error.
        ("2022-10-08T09:26:38." + "0" * 5000 + "Z", 1665221198),
        ("2022-10-08T09:26:38.5" + "0" * 5000 + "Z", 1665221198.5),
    ],
)
def test_created_is_the_creation_timestamp(stamp: str, created: int | float) -> None:
    (unit,) = units(ray_job(metadata=f"{{name: a, creationTimestamp: '{stamp}'}}"))
    assert unit.created == created
    assert type(unit.created) is type(created)


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("2022-10-08", "expected an RFC 3339 time (2024-05-01T09:00:00Z), got '2022-10-08'"),
        (
            "2022-10-08 09:26:38Z",
            "expected an RFC 3339 time (2024-05-01T09:00:00Z), got '2022-10-08 09:26:38Z'",
        ),
        (
            "2022-13-08T09:26:38Z",
            "not a valid time: '2022-13-08T09:26:38Z' (month must be in 1..12)",
        ),
        (
            "2022-10-08T09:26:60Z",
            "not a valid time: '2022-10-08T09:26:60Z' (second must be in 0..59)",
        ),
        ("2022-10-08T09:26:38+24:00", "not a valid time zone offset: '2022-10-08T09:26:38+24:00'"),
    ],
)
def test_bad_timestamps_are_refused(stamp: str, reason: str) -> None:
    text = ray_job(metadata=f"{{name: a, creationTimestamp: '{stamp}'}}")
    assert error(text) == f"document 0: metadata.creationTimestamp: {reason}"


def test_without_timestamps_jobs_queue_in_the_order_written(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    first.write_text("kind: ConfigMap\n---\n" + job(""), encoding="utf-8")
    second = tmp_path / "b.yaml"
    second.write_text(ray_job(), encoding="utf-8")
    assert [(u.name, u.created) for u in load_files([first, second]).units] == [
        ("batch", 1),
        ("train", 2),
    ]


def test_two_jobs_of_one_name_in_one_namespace_are_refused() -> None:
    text = job("") + "---\n" + ray_job(metadata="{name: batch}")
    assert error(text) == (
        "document 1: metadata.name: a second job 'default/batch' (the first is document 0)"
    )
    other_namespace = job("") + "---\n" + ray_job(metadata="{name: batch, namespace: x}")
    assert len(units(other_namespace)) == 2
