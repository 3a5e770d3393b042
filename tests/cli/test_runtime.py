"""``invsched runtime``: runtime quota per quota for a total and a demand, as a tree."""

from __future__ import annotations

from pathlib import Path

from invsched.manifests import load_files
from invsched.quota.runtime import runtime_quota
from tests.cli.helpers import TREE, invoke, json_output

STATE = "tests/cli/data/state.yaml"
JOBS = "tests/cli/data/jobs.yaml"


def _gpus(data: dict[str, object], column: str) -> dict[str, str]:
    quotas = data["quotas"]
    assert isinstance(quotas, list)
    return {q["name"]: q[column].get("nvidia.com/gpu", "-") for q in quotas}


def test_demand_from_running_and_pending_units_total_from_the_state() -> None:
    data = json_output("runtime", TREE, STATE, JOBS)
    assert (data["total"], data["total_from"]) == (
        {"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": "16"},
        "cluster-state",
    )
    assert data["units"] == {"running": 4, "pending": 2, "without_quota": []}
    assert _gpus(data, "request") == {
        "root": "16",
        "devops": "8",
        "algorithm": "10",
        "text": "6",
        "video": "4",
        "infrastructure": "0",
        "test": "0",
    }
    assert _gpus(data, "runtime") == {
        "root": "16",
        "devops": "6",
        "algorithm": "10",
        "text": "6",
        "video": "4",
        "infrastructure": "0",
        "test": "0",
    }
    assert data["quotas"][0] == {
        "name": "root",
        "parent": None,
        "min": {"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": "16"},
        "max": {"cpu": "100", "memory": "50Gi", "nvidia.com/gpu": "16"},
        "request": {"cpu": "24", "memory": "24Gi", "nvidia.com/gpu": "16"},
        "runtime": {"cpu": "24", "memory": "24Gi", "nvidia.com/gpu": "16"},
    }


def test_the_runtime_is_the_library_s() -> None:
    data = json_output(
        "runtime", TREE, "--request", "video:nvidia.com/gpu=6", "--total", "nvidia.com/gpu=8"
    )
    tree = load_files([TREE]).quota_tree
    assert tree is not None
    expected = runtime_quota(tree, {"video": {"nvidia.com/gpu": 6000}}, {"nvidia.com/gpu": 8000})
    assert _gpus(data, "runtime") == {
        name: str(amounts["nvidia.com/gpu"] // 1000) for name, amounts in expected.items()
    }


def test_table_is_a_tree_with_one_line_per_resource() -> None:
    outcome = invoke(
        "runtime", TREE, "--total", "nvidia.com/gpu=8", "--request", "video:nvidia.com/gpu=3"
    )
    assert outcome.status == 0
    assert outcome.out == (
        "Runtime quota for a total of nvidia.com/gpu=8 (from --total)\n"
        "QUOTA             RESOURCE        MIN   MAX   REQUEST  RUNTIME\n"
        "root              cpu             100   100   0        0\n"
        "root              memory          50Gi  50Gi  0        0\n"
        "root              nvidia.com/gpu  16    16    3        3\n"
        "  devops          cpu             20    40    0        0\n"
        "  devops          memory          10Gi  20Gi  0        0\n"
        "  devops          nvidia.com/gpu  4     8     0        0\n"
        "  algorithm       cpu             50    80    0        0\n"
        "  algorithm       memory          25Gi  50Gi  0        0\n"
        "  algorithm       nvidia.com/gpu  10    14    3        3\n"
        "    text          cpu             40    40    0        0\n"
        "    text          memory          15Gi  30Gi  0        0\n"
        "    text          nvidia.com/gpu  8     10    0        0\n"
        "    video         cpu             12    14    0        0\n"
        "    video         memory          12Gi  14Gi  0        0\n"
        "    video         nvidia.com/gpu  2     4     3        3\n"
        "  infrastructure  cpu             30    50    0        0\n"
        "  infrastructure  memory          15Gi  30Gi  0        0\n"
        "  infrastructure  nvidia.com/gpu  2     4     0        0\n"
        "    test          cpu             30    50    0        0\n"
        "    test          memory          15Gi  30Gi  0        0\n"
        "    test          nvidia.com/gpu  2     4     0        0\n"
    )


def test_requests_add_up_and_the_root_max_is_the_default_total() -> None:
    data = json_output(
        "runtime", TREE, "--request", "text:nvidia.com/gpu=2", "--request", "text:nvidia.com/gpu=3"
    )
    assert data["total_from"] == "root-max"
    assert _gpus(data, "request")["text"] == "5"
    assert data["units"] == {"running": 0, "pending": 0, "without_quota": []}


def test_units_without_a_quota_are_listed_not_counted(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: lost, namespace: nowhere}\n"
        "spec: {containers: [{name: c, resources: {limits: {nvidia.com/gpu: 1}}}]}\n",
        encoding="utf-8",
    )
    data = json_output("runtime", TREE, str(pod))
    assert data["units"] == {"running": 0, "pending": 1, "without_quota": ["nowhere/lost"]}
    outcome = invoke("runtime", TREE, str(pod))
    assert outcome.out.splitlines()[-2:] == [
        "0 running and 1 pending unit(s) counted",
        "not counted, no leaf quota holds them: nowhere/lost",
    ]


def test_bad_requests() -> None:
    for argv, message in (
        (
            ["--request", "algorithm:cpu=1"],
            "--request algorithm: a parent quota; only leaf quotas run jobs",
        ),
        (["--request", "nope:cpu=1"], "--request nope: no quota of that name in the tree"),
    ):
        outcome = invoke("runtime", TREE, *argv)
        assert (outcome.status, outcome.err) == (2, f"invsched: error: {message}\n")
    outcome = invoke("runtime", TREE, "--total", "cpu=x")
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == (
        "invsched runtime: error: argument --total: cpu: invalid quantity 'x': unexpected "
        "character 'x' at position 0"
    )
