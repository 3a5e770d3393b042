"""A pod's effective request, case by case as Kubernetes computes it.

The cases of ``TestPodResourceRequests`` and ``TestPodRequestsAndLimits``
(kubernetes/kubernetes, ``staging/src/k8s.io/component-helpers/resource/helpers_test.go``)
that read the spec only (not the resize status), with the API server's defaulting applied
first: a request left unset takes the container's limit.
"""

from __future__ import annotations

from typing import Any

import pytest

from invsched import InvalidManifest
from invsched.manifests import pod_request
from invsched.resources import Resources


def container(requests: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if requests is not None:
        resources["requests"] = requests
    if "limits" in extra:
        resources["limits"] = extra.pop("limits")
    return {"name": "c", "resources": resources, **extra}


def sidecar(requests: dict[str, Any]) -> dict[str, Any]:
    return container(requests, restartPolicy="Always")


UPSTREAM = [
    pytest.param(
        {"initContainers": [container({"cpu": "4"})], "containers": [container({"cpu": "1"})]},
        {"cpu": 4000},
        id="TestPodResourceRequests/nil options, larger init container",
    ),
    pytest.param(
        {
            "initContainers": [container({"cpu": "2"})],
            "containers": [container({"cpu": "2"}), container({"cpu": "3"})],
        },
        {"cpu": 5000},
        id="TestPodResourceRequests/nil options, larger containers",
    ),
    pytest.param(
        {
            "overhead": {"cpu": "1", "memory": "1Gi"},
            "initContainers": [container({"cpu": "2"}, limits={"cpu": "2"})],
            "containers": [container({"cpu": "2"}), container({"cpu": "3"})],
        },
        {"cpu": 6000, "memory": 1073741824000},
        id="TestPodResourceRequests/pod overhead included",
    ),
    pytest.param(
        {"initContainers": [sidecar({"cpu": "1"})], "containers": [container({"cpu": "1"})]},
        {"cpu": 2000},
        id="TestPodResourceRequests/restartable init container",
    ),
    pytest.param(
        {
            "initContainers": [
                container({"cpu": "5"}),
                sidecar({"cpu": "1"}),
                sidecar({"cpu": "2"}),
                sidecar({"cpu": "3"}),
            ],
            "containers": [container({"cpu": "1"})],
        },
        {"cpu": 7000},
        id="TestPodResourceRequests/multiple restartable init containers",
    ),
    pytest.param(
        {
            "initContainers": [
                container({"cpu": "5"}),
                sidecar({"cpu": "1"}),
                sidecar({"cpu": "2"}),
                container({"cpu": "5"}),
                sidecar({"cpu": "3"}),
            ],
            "containers": [container({"cpu": "1"})],
        },
        {"cpu": 8000},
        id="TestPodResourceRequests/multiple restartable and regular init containers",
    ),
    pytest.param(
        {
            "initContainers": [sidecar({"cpu": "10"}), container({"cpu": "200"})],
            "containers": [container({"cpu": "100"})],
        },
        {"cpu": 210000},
        id="TestPodResourceRequests/restartable-init, init and regular",
    ),
    pytest.param(
        {
            "overhead": {"cpu": "5", "memory": "5"},
            "containers": [container({"cpu": "1", "memory": "10"})],
        },
        {"cpu": 6000, "memory": 15000},
        id="TestPodRequestsAndLimits/req-and-overhead",
    ),
    pytest.param(
        {
            "overhead": {"cpu": "5", "memory": "5"},
            "containers": [container({"cpu": "1", "memory": "10"}, limits={"cpu": "2"})],
        },
        {"cpu": 6000, "memory": 15000},
        id="TestPodRequestsAndLimits/req-some-lim-and-overhead",
    ),
    pytest.param(
        {"overhead": {"cpu": "5", "memory": "5"}, "containers": [container()]},
        {"cpu": 5000, "memory": 5000},
        id="TestPodRequestsAndLimits/just-overhead",
    ),
    # Upstream's PodRequests sees requests {} here because it runs on an object the API server
    # has not defaulted; once stored, the container's request is its limit.
    pytest.param(
        {"containers": [container(limits={"cpu": "9"})]},
        {"cpu": 9000},
        id="TestPodRequestsAndLimits/just-limit-no-overhead, after defaulting",
    ),
]


@pytest.mark.parametrize(("spec", "expected"), UPSTREAM)
def test_kubernetes_pod_requests(spec: dict[str, Any], expected: dict[str, int]) -> None:
    assert pod_request(spec) == Resources(expected)


def test_requests_default_to_limits_key_by_key() -> None:
    # GPUs are usually written in limits only (the ACK guide's Deployment does so).
    spec = {
        "containers": [
            container({"cpu": "2"}, limits={"cpu": "4", "nvidia.com/gpu": 1, "memory": "8Gi"})
        ]
    }
    assert pod_request(spec) == Resources.parse({"cpu": "2", "nvidia.com/gpu": 1, "memory": "8Gi"})


def test_pod_level_resources_replace_cpu_and_memory_only() -> None:
    spec = {
        "resources": {
            "requests": {"cpu": "3"},
            "limits": {"memory": "4Gi", "hugepages-2Mi": "1Gi"},
        },
        "containers": [container({"cpu": "1", "memory": "1Gi"}, limits={"nvidia.com/gpu": 2})],
        "overhead": {"cpu": "100m"},
    }
    assert pod_request(spec) == Resources.parse(
        {"cpu": "3100m", "memory": "4Gi", "hugepages-2Mi": "1Gi", "nvidia.com/gpu": 2}
    )
    # A pod-level resource Kubernetes does not support there is not read.
    spec["resources"] = {"requests": {"nvidia.com/gpu": 8}}
    assert pod_request(spec)["nvidia.com/gpu"] == 2000


def test_fields_that_decide_nothing_are_not_read() -> None:
    spec = {
        "containers": [
            {
                "name": "c",
                "image": 3,
                "livenessProbe": "junk",
                "resources": {"limits": {"cpu": "1"}, "claims": [{"name": "gpu"}]},
            }
        ],
        "volumes": {"not": "a list"},
        "affinity": None,
    }
    assert pod_request(spec) == Resources({"cpu": 1000})


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "spec.containers: required field is missing"),
        (
            {"containers": []},
            "spec.containers: a pod needs at least one container, got an empty list",
        ),
        ({"containers": {"name": "c"}}, "spec.containers: expected a list, got mapping"),
        ([], "spec: expected a mapping, got list"),
        (
            {"containers": [container(limits={"nvidia.com/gpu": "-1"})]},
            "spec.containers[0].resources.limits.nvidia.com/gpu: must not be negative, got -1",
        ),
        (
            {"containers": [container(), container({"cpu": "1.5.2"})]},
            "spec.containers[1].resources.requests.cpu: invalid quantity '1.5.2': unexpected "
            "character '.' at position 3",
        ),
        (
            {"containers": [container({"cpu": 0.5})]},
            "spec.containers[0].resources.requests.cpu: invalid quantity 0.5: expected a "
            "string or an int, got float",
        ),
        (
            {"containers": [container()], "initContainers": [container({"": "1"})]},
            "spec.initContainers[0].resources.requests: a resource name must be a non-empty "
            "string, got ''",
        ),
        (
            {"containers": [container()], "overhead": [1]},
            "spec.overhead: expected a mapping, got list",
        ),
        (
            {"containers": [container({"cpu": "9" * 97}), container({"cpu": "9" * 97})]},
            "spec.containers[1]: the pod's requests add up beyond 10^100 milli-units",
        ),
    ],
)
def test_refusals_name_the_field(spec: object, message: str) -> None:
    with pytest.raises(InvalidManifest) as raised:
        pod_request(spec)
    assert str(raised.value) == message


def test_the_path_is_the_callers() -> None:
    with pytest.raises(InvalidManifest) as raised:
        pod_request({"containers": [container({"cpu": "x"})]}, "spec.template.spec")
    assert str(raised.value).startswith("spec.template.spec.containers[0].resources.requests.cpu:")
