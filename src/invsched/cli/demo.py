"""The examples of ACK's guides end to end, from embedded defaults (what ``invsched demo`` shows).

Part of the command-line layer: it reads the packaged ``ElasticQuotaTree`` (the example
of ACK's guide) and runs every decision of the library on it, returning plain data that the
CLI prints as a table, JSON or YAML:

1. **validation** of the tree under the Koordinator and ACK-document profiles;
2. **admission** on the tree with the cluster total equal to the root's min: the video
   team's RayJobs queue behind video's max, devops borrows idle GPUs, then the text team
   submits within its min and reclaims the minimal set of devops jobs;
3. **placement** of the Qwen3-8B Deployment (4 replicas, 1 GPU each) over two empty clusters
   in two regions with inventory-aware provisioning, then a scale-down to 2 replicas;
4. **sizing** of Qwen3-8B at FP16 against the packaged GPU catalog.

``invsched demo`` reads no file; ``-o json`` prints the same outcomes as data (JSON schema:
``schemas/demo.json``).
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from importlib import resources
from typing import Any, Final, TextIO

import attrs

from invsched.admission import AdmissionResult, QueueUnit, admit
from invsched.cli._command import EXIT_OK, Command
from invsched.cli._output import Report, Text, emit
from invsched.cli.place import _provisioning, _scale_in
from invsched.manifests import loads
from invsched.placement import (
    Cluster,
    Fleet,
    NodePool,
    Placement,
    PlacementPolicy,
    Precision,
    Workload,
    estimate_gpu_memory,
    instance_types_that_fit,
    load_catalog,
    place,
)
from invsched.quota import Profile, QuotaTree, validate_tree
from invsched.resources import Resources

__all__ = ["example_tree", "render", "run_demo"]

_GPU = "nvidia.com/gpu"
_A10 = "ecs.gn7i-c8g1.2xlarge"
#: An illustrative hourly price for the A10 instance type: Alibaba publishes no static list
#: price, so the packaged catalog carries none and the demo states its own.
_A10_PRICE = Decimal("9.74")
_GIB = 2**30


def render(data: dict[str, Any]) -> str:
    """The demo's outcome as a human-readable report.

    Args:
        data: what :func:`run_demo` returned.

    Runtime complexity: O(size of ``data``).

    >>> render(run_demo()).splitlines()[0]
    "invsched demo: ACK's quota and multi-cluster examples end to end"
    """
    lines = ["invsched demo: ACK's quota and multi-cluster examples end to end", ""]
    lines.append("1. The ElasticQuotaTree of ACK's guide")
    for profile, messages in data["validation"].items():
        verdict = "valid" if not messages else f"{len(messages)} violation(s)"
        lines.append(f"   {profile}: {verdict}")
        lines.extend(f"     - {message}" for message in messages)
    queues = ", ".join(f"{leaf} -> {queue}" for leaf, queue in data["queues"].items())
    lines.append(f"   queues: {queues}")
    admission = data["admission"]
    total = ", ".join(f"{name}={amount}" for name, amount in admission["total"].items())
    lines += ["", f"2. Admission cycles (cluster total {total})"]
    for number, cycle in enumerate(admission["cycles"], start=1):
        lines.append(f"   cycle {number}:")
        lines.append(f"     admitted: {', '.join(cycle['admitted']) or '-'}")
        lines.extend(
            f"     preempted: {item['victim']} for {item['preemptor']} ({item['reason']})"
            for item in cycle["preempted"]
        )
        lines.extend(
            f"     pending: {item['unit']} in {item['queue']}: {item['reason']}: {item['detail']}"
            for item in cycle["pending"]
        )
        usage = ", ".join(
            f"{node} {used}/{cycle['gpu_runtime'][node]}"
            for node, used in cycle["gpu_usage"].items()
        )
        lines.append(f"     GPUs used/runtime: {usage}")
    placement = data["placement"]
    workload = placement["workload"]
    request = ", ".join(f"{name}={amount}" for name, amount in workload["request"].items())
    lines += [
        "",
        f"3. Placement of {workload['name']} ({workload['replicas']} replicas of {request})",
    ]
    for label, key in (("scale up", "scale_up"), ("scale down to 2", "scale_down_to_2")):
        result = placement[key]
        spread = ", ".join(f"{cluster} {count}" for cluster, count in result["replicas"].items())
        lines.append(f"   {label}: {spread or '-'}")
        lines.extend(
            f"     buy {item['nodes']} x {item['instance_type']} in {item['cluster']}/"
            f"{item['pool']} for {item['replicas']} replica(s), {item['hourly_cost']}/h"
            for item in result["provisioning"]
        )
        lines.extend(
            f"     release {item['nodes']} x {item['instance_type']} in {item['cluster']}/"
            f"{item['pool']}, saving {item['hourly_savings']}/h"
            for item in result["scale_in"]
        )
        lines.extend(
            f"     left out {cluster}: {why}" for cluster, why in result["reasons"].items()
        )
        if result["provisioning"]:
            lines.append(f"     added cost: {result['hourly_cost']}/h")
    sizing = data["sizing"]
    lines += [
        "",
        f"4. GPU sizing: {sizing['model']}",
        f"   weights {sizing['weights_bytes']} bytes; with KV cache and buffer "
        f"{sizing['gpu_memory_bytes']} bytes ({sizing['gpu_memory_gib']} GiB)",
        f"   {sizing['fitting_types']} catalog types fit; {_A10}: "
        + ("fits" if sizing["example_type_fits"] else "does not fit"),
    ]
    return "\n".join(lines) + "\n"


def example_tree() -> QuotaTree:
    """The ElasticQuotaTree of ACK's guide (a packaged copy of the example manifest).

    The package data ``invsched/data/elasticquotatree.yaml`` is byte for byte
    ``examples/elasticquotatree.yaml``.

    Runtime complexity: O(1) (a fixed, 7-quota manifest).

    >>> [leaf.name for leaf in example_tree().leaves]
    ['devops', 'text', 'video', 'test']
    """
    text = resources.files("invsched.data").joinpath("elasticquotatree.yaml").read_text("utf-8")
    tree = loads(text).quota_tree
    if tree is None:  # pragma: no cover - the packaged file holds one
        raise AssertionError("the packaged example holds no ElasticQuotaTree")
    return tree


def _unit(
    name: str, namespace: str, *, gpu: int, cpu: int, created: int, priority: int = 0
) -> QueueUnit:
    request = Resources.parse({"cpu": cpu, "memory": f"{cpu}Gi", _GPU: gpu})
    return QueueUnit(
        name=name, namespace=namespace, request=request, priority=priority, created=created
    )


def _admission_data(tree: QuotaTree, result: AdmissionResult) -> dict[str, Any]:
    return {
        "admitted": [f"{unit.namespace}/{unit.name}" for unit in result.admitted],
        "preempted": [
            {
                "victim": f"{item.victim.namespace}/{item.victim.name}",
                "preemptor": (
                    None
                    if item.preemptor is None
                    else f"{item.preemptor.namespace}/{item.preemptor.name}"
                ),
                "reason": item.reason.value,
            }
            for item in result.preempted
        ],
        "pending": [
            {
                "unit": f"{item.unit.namespace}/{item.unit.name}",
                "queue": _queue(tree, item.unit),
                "reason": item.reason.value,
                "detail": item.detail,
            }
            for item in result.pending
        ],
        "gpu_usage": {
            node.name: Resources({_GPU: result.usage[node.name][_GPU]}).to_quantities()[_GPU]
            for node in tree
        },
        "gpu_runtime": {
            node.name: Resources({_GPU: result.runtime[node.name][_GPU]}).to_quantities()[_GPU]
            for node in tree
        },
    }


def _queue(tree: QuotaTree, unit: QueueUnit) -> str | None:
    quota = unit.quota or tree.quota_for_namespace(unit.namespace)
    return None if quota is None or quota not in tree else tree.queue_name(quota)


def _placement_data(result: Placement) -> dict[str, Any]:
    return {
        "replicas": dict(result.replicas),
        "provisioning": _provisioning(result),
        "hourly_cost": str(result.hourly_cost),
        "scale_in": _scale_in(result),
        "unplaced": result.unplaced,
        "reasons": dict(result.reasons),
    }


def _validation(tree: QuotaTree) -> dict[str, Any]:
    return {
        profile.value: [violation.message for violation in validate_tree(tree, profile).violations]
        for profile in (Profile.KOORDINATOR, Profile.ACK_DOC)
    }


def _admission(tree: QuotaTree) -> dict[str, Any]:
    total = tree.root.min
    # Cycle 1: two 3-GPU RayJobs (head + 2 workers) for video, whose max is 4 GPUs; devops
    # runs three jobs that borrow idle GPUs beyond its min of 4.
    ray1 = _unit("rayjob-1", "video", gpu=3, cpu=6, created=1)
    ray2 = _unit("rayjob-2", "video", gpu=3, cpu=6, created=2)
    devops = [
        _unit("build-a", "devops", gpu=2, cpu=2, created=3, priority=3),
        _unit("build-b", "devops", gpu=4, cpu=2, created=4, priority=1),
        _unit("build-c", "devops", gpu=2, cpu=2, created=5, priority=1),
    ]
    first = admit(tree, [ray1, ray2, *devops], total=total)
    # Cycle 2: the text team submits a 6-GPU job within its min of 8; the cluster has 5 free.
    running = list(first.admitted)
    text = _unit("finetune", "text1", gpu=6, cpu=8, created=10)
    second = admit(tree, [ray2, text], running=running, total=total)
    return {
        "total": total.to_quantities(),
        "cycles": [_admission_data(tree, first), _admission_data(tree, second)],
    }


def _fleet() -> Fleet:
    def cluster(name: str, region: str) -> Cluster:
        pool = NodePool(name="gpu-pool", instance_types=[_A10], current_nodes=0, max_nodes=10)
        return Cluster(name=name, region=region, pools=[pool])

    return Fleet(
        clusters=[cluster("cluster1", "cn-beijing"), cluster("cluster2", "cn-hangzhou")],
        inventory={"cn-beijing": {_A10: 10}, "cn-hangzhou": {_A10: 10}},
        catalog=load_catalog({_A10: _A10_PRICE}),
    )


def _placement() -> dict[str, Any]:
    fleet = _fleet()
    workload = Workload(
        name="qwen3-8b",
        replicas=4,
        request=Resources.parse({"cpu": 4, "memory": "24Gi", _GPU: 1}),
    )
    policy = PlacementPolicy(cluster_names=["cluster1", "cluster2"], ecs_provision=True)
    first = place(workload, policy, fleet)
    second = place(attrs.evolve(workload, replicas=2), policy, fleet, previous=first)
    return {
        "workload": {
            "name": workload.name,
            "replicas": workload.replicas,
            "request": workload.request.to_quantities(),
        },
        "scale_up": _placement_data(first),
        "scale_down_to_2": _placement_data(second),
    }


def _sizing() -> dict[str, Any]:
    # Qwen3-8B: 8.2e9 parameters, 36 layers, 8 KV heads of dimension 128 (its model card).
    needed = estimate_gpu_memory(
        8_200_000_000, Precision.FP16, layers=36, kv_heads=8, head_dim=128, max_tokens=8192
    )
    fits = instance_types_that_fit(load_catalog(), needed, gpu_memory_utilization=Decimal("0.95"))
    return {
        "model": "Qwen3-8B, FP16, max_model_len 8192, gpu_memory_utilization 0.95",
        "weights_bytes": estimate_gpu_memory(8_200_000_000, Precision.FP16, overhead=0),
        "gpu_memory_bytes": needed,
        "gpu_memory_gib": str((Decimal(needed) / _GIB).quantize(Decimal("0.1"))),
        "fitting_types": len(fits),
        "example_type_fits": any(t.name == _A10 for t in fits),
        "smallest_fitting_types": [t.name for t in fits[:3]],
    }


def run_demo() -> dict[str, Any]:
    """Run the four scenarios; return their outcomes as plain, JSON-ready data.

    Deterministic: two calls give equal data.

    Runtime complexity: O(1): fixed scenarios (about a second, most of it the placement).

    >>> run_demo()["queues"]["video"]
    'root-algorithm-video'
    """
    tree = example_tree()
    return {
        "validation": _validation(tree),
        "queues": {leaf.name: tree.queue_name(leaf.name) for leaf in tree.leaves},
        "admission": _admission(tree),
        "placement": _placement(),
        "sizing": _sizing(),
    }


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    """The demo has no options of its own."""


def _run(args: argparse.Namespace, out: TextIO) -> int:
    data = run_demo()
    emit(
        data,
        args.output,
        lambda: Report(blocks=(Text(lines=tuple(render(data).splitlines())),)),
        out,
    )
    return EXIT_OK


_COMMAND: Final = Command(
    name="demo",
    summary="run ACK's quota and multi-cluster examples end to end (no files needed)",
    description=__doc__ or "",
    files="",
    add_arguments=_add_arguments,
    run=_run,
)
