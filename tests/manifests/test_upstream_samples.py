"""Upstream sample objects, loaded as their projects publish them: the exact units and trees.

Each file under ``upstream/`` starts with a comment naming its repository, path and commit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from invsched import InvalidManifest, QueueUnit
from invsched.manifests import ROOT_QUOTA, Manifests, PriorityClass, SkippedObject, load_files
from invsched.quota import QuotaNode, QuotaTree, validate_tree
from invsched.resources import Resources
from tests.quota.seed import EXAMPLE, seed_tree

UPSTREAM = Path(__file__).parent / "upstream"


def load(name: str) -> tuple[str, Manifests]:
    path = str(UPSTREAM / name)
    return path, load_files([path])


#: The samples of the quota and job kinds (the placement kinds keep theirs beside them).
SAMPLES = sorted(
    path
    for prefix in ("koordinator-", "kuberay-", "kubeflow-", "kubernetes-")
    for path in UPSTREAM.glob(f"{prefix}*.yaml")
)


@pytest.mark.parametrize("path", SAMPLES, ids=[path.name for path in SAMPLES])
def test_every_sample_names_its_source(path: Path) -> None:
    header = path.read_text(encoding="utf-8").split("\n\n")[0]
    assert header.startswith("# Source: ")
    assert re.search(r"commit [0-9a-f]{40}", header)


def test_kuberay_ray_job_sample() -> None:
    path, manifests = load("kuberay-ray-job.sample.yaml")
    # Head 200m + one small-group worker 200m (replicas 1 within [1, 5]).
    assert manifests.units == (
        QueueUnit(
            name="rayjob-sample", namespace="default", request=Resources({"cpu": 400}), created=0
        ),
    )
    assert manifests.skipped == (
        SkippedObject(1, "", "v1", "ConfigMap", "ray-job-code-sample", path),
    )


def test_kubeflow_pytorch_job_sample() -> None:
    _, manifests = load("kubeflow-pytorch-job-mnist-nccl.yaml")
    assert manifests.units == (
        QueueUnit(
            name="pytorch-dist-mnist-nccl",
            namespace="default",
            request=Resources({"nvidia.com/gpu": 2000}),
            created=0,
        ),
    )


def test_kubernetes_job_sample() -> None:
    _, manifests = load("kubernetes-job-pi.yaml")
    assert manifests.units == (
        QueueUnit(name="pi", namespace="default", request=Resources(), created=0),
    )


def test_kubernetes_priority_class_samples() -> None:
    _, manifests = load("kubernetes-priority-class-and-pod.yaml")
    # "The priority admission controller checks the specification and resolves the priority
    # of the Pod to 1000000."
    assert manifests.units == (
        QueueUnit(
            name="nginx", namespace="default", request=Resources(), priority=1000000, created=2
        ),
    )
    assert manifests.priority_classes == (
        PriorityClass(name="high-priority", value=1000000),
        PriorityClass(name="high-priority-nonpreempting", value=1000000),
    )
    _, manifests = load("kubernetes-priority-class-placeholder.yaml")
    assert manifests.priority_classes == (PriorityClass(name="placeholder", value=-1000),)


def test_koordinator_quick_start_by_label() -> None:
    _, manifests = load("koordinator-elastic-quota-by-label.yaml")
    assert manifests.quota_tree == QuotaTree.from_nodes(
        [
            QuotaNode(
                name=ROOT_QUOTA,
                min=Resources.parse({"cpu": 10, "memory": "20Mi"}),
                children=("quota-example",),
            ),
            QuotaNode(
                name="quota-example",
                parent=ROOT_QUOTA,
                min=Resources.parse({"cpu": 10, "memory": "20Mi"}),
                max=Resources.parse({"cpu": 40, "memory": "40Gi"}),
            ),
        ],
        implicit_root=True,
    )
    # The pod names its quota by label; 40m cpu and 40Mi of memory.
    assert manifests.units == (
        QueueUnit(
            name="pod-example",
            namespace="default",
            quota="quota-example",
            request=Resources.parse({"cpu": "40m", "memory": "40Mi"}),
            created=1,
        ),
    )


def test_koordinator_quick_start_by_namespace() -> None:
    _, manifests = load("koordinator-elastic-quota-by-namespace.yaml")
    tree = manifests.quota_tree
    assert tree is not None
    assert tree.node("quota-example").namespaces == ("quota-example",)
    (unit,) = manifests.units
    assert (unit.quota, tree.quota_for_namespace(unit.namespace)) == (None, "quota-example")
    assert validate_tree(tree).ok


def test_koordinator_webhook_samples() -> None:
    # Written with unquoted booleans as labels: the API server refuses them, and so do we.
    with pytest.raises(InvalidManifest) as raised:
        load("koordinator-elastic-quota-min-sum.yaml")
    assert str(raised.value) == (
        f"{UPSTREAM / 'koordinator-elastic-quota-min-sum.yaml'}: document 0: metadata.labels."
        "quota.scheduling.koordinator.sh/is-parent: expected a string, got bool True (quote "
        "it: label and annotation values are strings)"
    )
    # With the labels quoted, the webhook's refusal is a violation: "checkSubAndParentGroup
    # MaxQuotaKeySame failed: quota-parent-example's key is not the same with quota-example".
    _, manifests = load("koordinator-elastic-quota-max-keys.yaml")
    assert manifests.quota_tree is not None
    report = validate_tree(manifests.quota_tree)
    assert [str(violation) for violation in report.violations] == [
        "quota-example: max keys ['cpu', 'memory', 'test'] differ from the max keys "
        "['cpu', 'memory'] of parent quota-parent-example"
    ]


def test_the_ack_guide_tree_loads_as_is() -> None:
    manifests = load_files([EXAMPLE])
    assert manifests.quota_tree == seed_tree()
    assert manifests.quota_tree is not None
    assert manifests.quota_tree.implicit_root is False
