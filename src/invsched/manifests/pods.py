"""The effective request of a pod, as Kubernetes computes it.

What a pod asks the scheduler for is not the sum of what its containers say
(``PodRequests`` in ``k8s.io/component-helpers/resource/helpers.go``, Kubernetes ≥ 1.29):

1. a container's ``requests`` default to its ``limits`` key by key where a request is unset
   (the API server's defaulting; GPUs are usually written in ``limits`` only);
2. the regular containers' requests are summed;
3. init containers run one after another before them, so each counts on its own, plus every
   sidecar started before it: an init container with ``restartPolicy: Always`` (a sidecar)
   keeps running, so it is added to the sum of step 2 and to every later init container;
   the pod needs, per resource, the larger of that sum and the busiest init step;
4. pod-level ``spec.resources`` (cpu, memory and ``hugepages-*`` only; their requests
   default to their limits) replace the container total for those resources;
5. ``spec.overhead`` (the runtime class's cost) is added.

Every other field of a pod spec (images, commands, probes, volumes, affinity, ...) decides
nothing here and is not read. Quantities must not be negative.

>>> request = pod_request({
...     "initContainers": [{"name": "fetch", "resources": {"requests": {"cpu": "2"}}},
...                        {"name": "proxy", "restartPolicy": "Always",
...                         "resources": {"requests": {"cpu": "500m"}}}],
...     "containers": [{"name": "train", "resources": {"requests": {"cpu": "1"},
...                                                    "limits": {"nvidia.com/gpu": 1}}}],
...     "overhead": {"cpu": "100m"}})
>>> dict(request)
{'cpu': 2100, 'nvidia.com/gpu': 1000}
"""

from __future__ import annotations

import re
from typing import Final

from invsched.errors import InvalidQuantity
from invsched.manifests._walk import Field
from invsched.resources import Resources, format_amount

__all__ = ["pod_request"]

#: The resources a pod-level ``spec.resources`` may set (``IsSupportedPodLevelResource``).
_POD_LEVEL: Final = re.compile(r"(cpu|memory|hugepages-.+)\Z")


def _amounts(field: Field) -> Resources:
    """Quantities that must not be negative (``{}`` when absent or null)."""
    amounts = field.quantities()
    for key in amounts.negative_keys():
        field[key].fail(f"must not be negative, got {format_amount(key, amounts[key])}")
    return amounts


def _requests(resources: Field) -> Resources:
    """``requests``, each unset key taken from ``limits`` (Kubernetes' defaulting)."""
    limits = _amounts(resources["limits"])
    requests = _amounts(resources["requests"])
    return Resources({**dict(limits.pairs), **dict(requests.pairs)})


def _container_request(container: Field) -> Resources:
    """One container's requests, defaulted from its limits (see the module docstring).

    Runtime complexity: O(r) for r resource names.
    """
    return _requests(container["resources"])


def _pod_spec_request(spec: Field) -> Resources:
    """The effective request of the pod spec at ``spec`` (see the module docstring).

    Raises:
        InvalidManifest: no container, a container list or resource list of the wrong type,
            a quantity that does not parse or is negative; the error names the field path
            (``spec.containers[1].resources.limits.nvidia.com/gpu``).

    Runtime complexity: O(c · r) for c containers and r resource names.
    """
    total = Resources()
    containers = list(spec["containers"].required().items())
    if not containers:
        spec["containers"].fail("a pod needs at least one container, got an empty list")
    for container in containers:
        total = _add(total, _container_request(container), container)
    sidecars = Resources()
    busiest_init = Resources()
    for container in spec["initContainers"].items():
        request = _container_request(container)
        if container["restartPolicy"].string("") == "Always":
            total = _add(total, request, container)
            sidecars = _add(sidecars, request, container)
            busiest_init = busiest_init.union_max(sidecars)
        else:
            busiest_init = busiest_init.union_max(_add(request, sidecars, container))
    total = total.union_max(busiest_init)
    pod_level = _requests(spec["resources"])
    if pod_level:
        chosen = {key: amount for key, amount in pod_level.pairs if _POD_LEVEL.match(key)}
        total = Resources({**dict(total.pairs), **chosen})
    return _add(total, _amounts(spec["overhead"]), spec["overhead"])


def _add(total: Resources, more: Resources, where: Field) -> Resources:
    """``total + more``; beyond 10^100 milli-units, an error at ``where``."""
    try:
        return total + more
    except InvalidQuantity:
        return where.fail(  # type: ignore[no-any-return]
            "the pod's requests add up beyond 10^100 milli-units"
        )


def pod_request(spec: object, path: str = "spec") -> Resources:
    """The effective request of one pod, from its ``spec`` as parsed from YAML or JSON.

    Args:
        spec: a ``PodSpec`` mapping (a pod's ``spec``, or a template's ``spec``).
        path: the field path of ``spec``, for error messages.

    Returns:
        What the pod asks the scheduler for, in milli-units (see the module docstring).

    Raises:
        InvalidManifest: no container, a field of the wrong type, a quantity that does not
            parse or is negative; the error names the path
            (``spec.containers[0].resources.limits.cpu``).

    Runtime complexity: O(c · r) for c containers and r resource names.

    >>> dict(pod_request({"containers": [{"resources": {"limits": {"nvidia.com/gpu": 2}}}]}))
    {'nvidia.com/gpu': 2000}
    >>> from invsched import InvalidManifest
    >>> try:
    ...     pod_request({"containers": [{"resources": {"limits": {"cpu": "-1"}}}]})
    ... except InvalidManifest as error:
    ...     print(error)
    spec.containers[0].resources.limits.cpu: must not be negative, got -1
    """
    field = Field(spec, path)
    field.mapping()
    return _pod_spec_request(field)
