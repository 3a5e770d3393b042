"""Shared fixtures for the admission tests: the seed tree, its cluster total, unit builders."""

from __future__ import annotations

from invsched.admission import QueueUnit
from invsched.resources import Resources
from tests.quota.seed import EXAMPLE, seed_tree

__all__ = ["EXAMPLE", "SEED_TOTAL", "job", "ray_job", "seed_tree"]

#: The seed's cluster: the root's min (cpu 100, memory 50Gi, 16 GPUs).
SEED_TOTAL = Resources.parse({"cpu": 100, "memory": "50Gi", "nvidia.com/gpu": 16})


def job(
    name: str,
    namespace: str,
    *,
    gpu: int = 0,
    cpu: int | str = 0,
    memory: str = "0",
    priority: int = 0,
    created: int = 0,
    preemptible: bool = True,
    quota: str | None = None,
) -> QueueUnit:
    """A unit with whole-unit quantities (``cpu=2, memory="4Gi", gpu=1``)."""
    request = Resources.parse({"cpu": cpu, "memory": memory, "nvidia.com/gpu": gpu})
    return QueueUnit(
        name=name,
        namespace=namespace,
        request=request.without_zeros(),
        priority=priority,
        created=created,
        preemptible=preemptible,
        quota=quota,
    )


def ray_job(name: str, namespace: str, *, created: int = 0, priority: int = 0) -> QueueUnit:
    """A RayJob: one head and two workers, each 2 cpu, 2Gi and 1 GPU (total 6 cpu, 6Gi, 3 GPUs)."""
    return job(name, namespace, cpu=6, memory="6Gi", gpu=3, created=created, priority=priority)
