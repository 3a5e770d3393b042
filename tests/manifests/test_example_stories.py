"""The stories of ``examples/quota`` and ``examples/koordinator``: what their READMEs say one
admission cycle decides on their files."""

from __future__ import annotations

from pathlib import Path

from invsched import PreemptionReason, Reason, admit
from invsched.manifests import ROOT_QUOTA, load_files
from invsched.quota import Profile, validate_tree
from invsched.resources import Resources

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_quota_story() -> None:
    story = EXAMPLES / "quota"
    manifests = load_files([story / "tree.yaml", story / "state.yaml", story / "jobs.yaml"])
    tree, state = manifests.quota_tree, manifests.cluster_state
    assert tree is not None
    assert state is not None
    assert state.total == Resources.parse({"cpu": 100, "memory": "50Gi", "nvidia.com/gpu": 16})
    assert [(unit.key, unit.priority) for unit in state.running] == [
        ("devops/nightly-build", 100),
        ("devops/load-test", 100),
        ("text1/bert-finetune", 1000),
    ]
    assert [
        (unit.key, unit.request["nvidia.com/gpu"], unit.priority) for unit in manifests.units
    ] == [
        ("video/highlight-detect", 2000, 1000),
        ("text2/ner-train", 4000, 1000),
        ("video/render-4k", 4000, 100),
        ("devops/canary-soak", 2000, 100),
    ]
    result = admit(tree, manifests.units, running=state.running, total=state.total)
    assert [unit.key for unit in result.admitted] == ["video/highlight-detect", "text2/ner-train"]
    assert [
        (p.victim.key, p.preemptor.key if p.preemptor else None, p.reason) for p in result.preempted
    ] == [("devops/load-test", "text2/ner-train", PreemptionReason.RECLAIM)]
    assert [(p.unit.key, p.reason, p.detail) for p in result.pending] == [
        ("video/render-4k", Reason.EXCEEDS_MAX, "video: nvidia.com/gpu used 2 + request 4 > max 4"),
        (
            "devops/canary-soak",
            Reason.EXCEEDS_RUNTIME,
            "devops: nvidia.com/gpu used 4 + request 2 > runtime 5",
        ),
    ]
    gpus = {name: result.usage[name]["nvidia.com/gpu"] for name in ("devops", "text", "video")}
    assert gpus == {"devops": 4000, "text": 8000, "video": 2000}
    assert result.usage["root"]["nvidia.com/gpu"] == 14000
    # Without the state's total, the root's max says the same.
    assert tree.root.max == state.total
    assert admit(tree, manifests.units, running=state.running, total=tree.root.max) == result


def test_koordinator_story() -> None:
    story = EXAMPLES / "koordinator"
    manifests = load_files([story / "quotas.yaml", story / "jobs.yaml"])
    tree = manifests.quota_tree
    assert tree is not None
    assert tree.implicit_root
    assert [(node.name, node.parent, node.namespaces) for node in tree] == [
        (ROOT_QUOTA, None, ()),
        ("devops", ROOT_QUOTA, ("devops",)),
        ("algorithm", ROOT_QUOTA, ()),
        ("text", "algorithm", ("text1", "text2")),
        ("video", "algorithm", ("video",)),
        ("test", ROOT_QUOTA, ("test1", "test2")),
    ]
    assert tree.node("video").allow_lent is False
    assert tree.node("test").weight == Resources.parse(
        {"cpu": 10, "memory": "10Gi", "nvidia.com/gpu": 1}
    )
    assert tree.root.min == Resources.parse({"cpu": 102, "memory": "52Gi", "nvidia.com/gpu": 16})
    for profile in Profile:
        assert validate_tree(tree, profile).ok, profile
    total = Resources.parse({"cpu": 100, "memory": "50Gi", "nvidia.com/gpu": 16})
    result = admit(tree, manifests.units, total=total)
    assert [(unit.key, unit.quota, unit.preemptible) for unit in result.admitted] == [
        ("research/notebook", "video", False),
        ("text1/bert-ddp", None, True),
    ]
    assert result.pending == ()
    assert dict(result.usage["text"]) == {
        "cpu": 16000,
        "memory": 32 * 2**30 * 1000,
        "nvidia.com/gpu": 4000,
    }
