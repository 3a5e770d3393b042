"""``invsched demo``: the examples of ACK's guides end to end, from packaged defaults."""

from __future__ import annotations

import io
import json

import yaml

from invsched.cli import main
from invsched.cli.demo import example_tree, render, run_demo
from tests.quota.seed import EXAMPLE
from tests.quota.seed import seed_tree as tree_of_the_example_file


def test_packaged_tree_is_the_example_manifest() -> None:
    from importlib import resources

    packaged = resources.files("invsched.data").joinpath("elasticquotatree.yaml")
    assert packaged.read_text("utf-8") == EXAMPLE.read_text("utf-8")
    assert example_tree() == tree_of_the_example_file()


def test_demo_outcomes() -> None:
    data = run_demo()
    assert data["validation"]["ack-doc"] == []
    assert len(data["validation"]["koordinator"]) == 2
    assert data["queues"]["video"] == "root-algorithm-video"
    first, second = data["admission"]["cycles"]
    # Units that need no borrowing go first: devops' first 4 GPUs are within its min.
    assert first["admitted"] == [
        "devops/build-a",
        "devops/build-c",
        "devops/build-b",
        "video/rayjob-1",
    ]
    assert first["pending"] == [
        {
            "unit": "video/rayjob-2",
            "queue": "root-algorithm-video",
            "reason": "ExceedsMax",
            "detail": "video: nvidia.com/gpu used 3 + request 3 > max 4",
        }
    ]
    assert first["gpu_usage"]["devops"] == "8"
    assert second["admitted"] == ["text1/finetune"]
    assert second["preempted"] == [
        {"victim": "devops/build-c", "preemptor": "text1/finetune", "reason": "Reclaim"}
    ]
    placement = data["placement"]
    assert placement["scale_up"]["replicas"] == {"cluster1": 2, "cluster2": 2}
    assert placement["scale_up"]["hourly_cost"] == "38.96"
    assert [p["nodes"] for p in placement["scale_up"]["provisioning"]] == [2, 2]
    assert placement["scale_down_to_2"]["replicas"] == {"cluster1": 1, "cluster2": 1}
    assert [r["nodes"] for r in placement["scale_down_to_2"]["scale_in"]] == [1, 1]
    sizing = data["sizing"]
    assert sizing["weights_bytes"] == 16_400_000_000
    assert sizing["example_type_fits"] is True
    assert run_demo() == data


def test_demo_command_table_and_machine_outputs() -> None:
    out = io.StringIO()
    assert main(["demo"], out=out) == 0
    text = out.getvalue()
    assert text == render(run_demo())
    assert "     preempted: devops/build-c for text1/finetune (Reclaim)\n" in text
    assert "   scale up: cluster1 2, cluster2 2\n" in text
    for fmt, reader in (("json", json.loads), ("yaml", yaml.safe_load)):
        out = io.StringIO()
        assert main(["demo", "-o", fmt], out=out) == 0
        assert reader(out.getvalue()) == run_demo()
