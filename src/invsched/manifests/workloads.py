"""The workload kinds a placement divides: ``Deployment`` and ``StatefulSet`` (``apps/v1``).

Each becomes a :class:`WorkloadObject`: what a propagation policy's selectors see (apiVersion,
kind, namespace, name, labels) and the :class:`~invsched.placement.Workload` to place —
``spec.replicas`` (1 when absent, as Kubernetes) copies of one pod whose request is
Kubernetes' effective request. Fields that decide nothing here (images, probes, volumes,
strategies, ``status``, ``managedFields``) are read past. See
``docs/manifests/placement.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import attrs

from invsched._validators import (
    check_name,
    check_printable,
    instance_field,
    mapping_field,
    name_field,
    string_field,
    to_frozen_map,
)
from invsched.errors import InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.manifests._reading import INT32_MAX, build, read_int, read_labels
from invsched.manifests._walk import Field
from invsched.manifests.pods import pod_request
from invsched.placement.records import Workload

__all__ = ["WorkloadObject"]


def _to_labels(value: Mapping[str, str]) -> FrozenMap[str, str]:
    return cast("FrozenMap[str, str]", to_frozen_map(value))


@attrs.frozen(kw_only=True)
class WorkloadObject:
    """A ``Deployment`` or ``StatefulSet`` as read: what selectors see, and what to place.

    Attributes:
        api_version: as written (``apps/v1``); a selector must name the same.
        kind: ``Deployment`` or ``StatefulSet``.
        name: ``metadata.name``.
        namespace: ``metadata.namespace`` (``default`` when absent).
        labels: ``metadata.labels``.
        workload: replicas × one pod's effective request; its ``uid`` is ``metadata.uid``
            (``""`` when absent), which picks Karmada's tie-break direction.

    >>> from invsched.placement import Workload
    >>> from invsched.resources import Resources
    >>> WorkloadObject(api_version="apps/v1", kind="Deployment", name="web",
    ...     namespace="default", workload=Workload(name="web", replicas=2,
    ...     request=Resources({"cpu": 500}))).key
    'default/web'
    """

    api_version: str = attrs.field(validator=string_field(InvalidRequest))
    kind: str = attrs.field(validator=name_field(InvalidRequest))
    name: str = attrs.field(validator=name_field(InvalidRequest))
    namespace: str = attrs.field(validator=name_field(InvalidRequest))
    labels: FrozenMap[str, str] = attrs.field(
        factory=FrozenMap,
        converter=_to_labels,
        validator=mapping_field(InvalidRequest, check_name, check_printable),
    )
    workload: Workload = attrs.field(validator=instance_field(InvalidRequest, Workload))

    @property
    def key(self) -> str:
        """``namespace/name``, how messages name it."""
        return f"{self.namespace}/{self.name}"


def _read_workload(document: Field) -> WorkloadObject:
    """Read a ``Deployment`` or ``StatefulSet``: replicas × one pod's effective request.

    ``spec.replicas`` defaults to 1 (as Kubernetes); ``metadata.namespace`` to ``default``;
    an absent ``apiVersion`` reads as ``apps/v1``. The pod's request is Kubernetes' own
    (:func:`~invsched.manifests.pods.pod_request`): each container's requests default to
    its limits (GPUs are usually written in ``limits`` only), init containers count by
    their peak, and ``spec.overhead`` is added.

    Args:
        document: the whole object, at the empty path.

    Raises:
        InvalidManifest: a missing ``metadata.name``, ``spec.template`` or container,
            replicas out of range (0 … 2147483647), a quantity that does not parse or is
            negative; the message names the field path.

    Runtime complexity: O(size of the object).

    >>> _read_workload(Field({"kind": "Deployment", "metadata": {"name": "web"},
    ...     "spec": {"template": {"spec": {"containers": [{"name": "c", "resources":
    ...     {"limits": {"nvidia.com/gpu": "1"}}}]}}}})).workload
    Workload(name='web', replicas=1, request=Resources({'nvidia.com/gpu': 1000}), uid='')
    """
    kind = document["kind"].string()
    api_version = document["apiVersion"].string("") or "apps/v1"
    metadata = document["metadata"]
    name = metadata["name"].name()
    namespace = metadata["namespace"].label(default="default")
    labels = read_labels(metadata["labels"])
    uid = metadata["uid"].string("")
    spec = document["spec"]
    replicas = read_int(spec["replicas"], 1, minimum=0, maximum=INT32_MAX)
    pod = spec["template"].required()["spec"]
    request = pod_request(pod.value, pod.path)
    workload = build(
        metadata, lambda: Workload(name=name, replicas=replicas, request=request, uid=uid)
    )
    return build(
        document,
        lambda: WorkloadObject(
            api_version=api_version,
            kind=kind,
            name=name,
            namespace=namespace,
            labels=labels,
            workload=workload,
        ),
    )
