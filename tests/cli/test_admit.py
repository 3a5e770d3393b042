"""``invsched admit``: one cycle on a tree, a ClusterState and jobs, in any split over files."""

from __future__ import annotations

from pathlib import Path

import pytest

from invsched.admission import admit
from invsched.manifests import load_files
from invsched.resources import Resources
from tests.cli.helpers import TREE, invoke, json_output, skipped_note

STATE = "tests/cli/data/state.yaml"
JOBS = "tests/cli/data/jobs.yaml"


def test_text_reclaims_from_devops_and_video_waits_behind_its_max() -> None:
    data = json_output("admit", TREE, STATE, JOBS, status=1)
    assert (data["total_from"], data["running"]) == (
        "cluster-state",
        ["devops/build-a", "devops/build-b", "devops/build-c", "video/rayjob-1"],
    )
    assert data["options"] == {
        "policy": "priority",
        "reclaim": "to-runtime",
        "oversell": "1",
        "preempt_within_quota": False,
    }
    assert data["admitted"] == [
        {
            "unit": "text1/finetune",
            "quota": "text",
            "priority": 0,
            "request": {"cpu": "6", "memory": "6Gi", "nvidia.com/gpu": "6"},
        }
    ]
    assert data["preempted"] == [
        {
            "victim": "devops/build-c",
            "quota": "devops",
            "preemptor": "text1/finetune",
            "reason": "Reclaim",
        }
    ]
    assert data["pending"] == [
        {
            "unit": "video/rayjob-2",
            "quota": "video",
            "priority": 0,
            "request": {"cpu": "6", "memory": "6Gi", "nvidia.com/gpu": "3"},
            "reason": "ExceedsMax",
            "detail": "video: nvidia.com/gpu used 3 + request 3 > max 4",
        }
    ]
    used = {q["name"]: q["used"].get("nvidia.com/gpu") for q in data["quotas"]}
    assert used == {
        "root": "15",
        "devops": "6",
        "algorithm": "9",
        "text": "6",
        "video": "3",
        "infrastructure": "0",
        "test": "0",
    }


def test_table_layout() -> None:
    outcome = invoke("admit", TREE, STATE, JOBS)
    assert outcome.status == 1
    assert outcome.err == skipped_note("admit")
    assert outcome.out.split("\n\nQuotas after the cycle\n")[0] == (
        "Admission of 2 pending and 4 running unit(s) for a total of cpu=100, memory=50Gi, "
        "nvidia.com/gpu=16 (from the ClusterState)\n"
        "\n"
        "Admitted (1)\n"
        "UNIT            QUOTA  PRIORITY  REQUEST\n"
        "text1/finetune  text   0         cpu=6, memory=6Gi, nvidia.com/gpu=6\n"
        "\n"
        "Preempted (1)\n"
        "VICTIM          QUOTA   PREEMPTOR       REASON\n"
        "devops/build-c  devops  text1/finetune  Reclaim\n"
        "\n"
        "Pending (1)\n"
        "UNIT            QUOTA  REASON      DETAIL\n"
        "video/rayjob-2  video  ExceedsMax  video: nvidia.com/gpu used 3 + request 3 > max 4"
    )
    assert outcome.out.splitlines()[-4:] == [
        "  infrastructure  nvidia.com/gpu  2     4     0     0",
        "    test          cpu             30    50    0     0",
        "    test          memory          15Gi  30Gi  0     0",
        "    test          nvidia.com/gpu  2     4     0     0",
    ]


def test_one_file_holding_everything_decides_the_same(tmp_path: Path) -> None:
    merged = tmp_path / "all.yaml"
    merged.write_text(
        "---\n".join(Path(p).read_text(encoding="utf-8") for p in (JOBS, TREE, STATE)),
        encoding="utf-8",
    )
    split = json_output("admit", TREE, STATE, JOBS, status=1)
    whole = json_output("admit", str(merged), status=1)
    for key in ("admitted", "preempted", "pending", "quotas"):
        assert whole[key] == split[key]


def test_options_reach_the_cycle() -> None:
    none = json_output("admit", TREE, STATE, JOBS, "--reclaim", "none", status=1)
    assert none["preempted"] == []
    # Without reclaim, 11 + 6 GPUs would pass the root's max of 16.
    assert [(p["unit"], p["reason"]) for p in none["pending"]] == [
        ("video/rayjob-2", "ExceedsMax"),
        ("text1/finetune", "ExceedsMax"),
    ]
    # With max × 1.5, video's max is 6 GPUs: its RayJob now waits on its runtime instead.
    oversold = json_output("admit", TREE, STATE, JOBS, "--oversell", "1.5", status=1)
    assert oversold["options"]["oversell"] == "1.5"
    assert [(p["reason"], p["detail"]) for p in oversold["pending"]] == [
        ("ExceedsRuntime", "video: nvidia.com/gpu used 3 + request 3 > runtime 4")
    ]
    blocked = json_output("admit", TREE, STATE, JOBS, "--policy", "block", status=1)
    assert blocked["options"]["policy"] == "block"


def test_total_option_wins_over_the_state() -> None:
    manifests = load_files([TREE, STATE, JOBS])
    assert manifests.quota_tree is not None
    assert manifests.cluster_state is not None
    total = Resources.parse({"cpu": 100, "memory": "50Gi", "nvidia.com/gpu": 12})
    expected = admit(
        manifests.quota_tree,
        manifests.units,
        running=manifests.cluster_state.running,
        total=total,
    )
    data = json_output(
        "admit", TREE, STATE, JOBS, "--total", "cpu=100,memory=50Gi,nvidia.com/gpu=12", status=1
    )
    assert (data["total_from"], data["total"]["nvidia.com/gpu"]) == ("option", "12")
    assert [item["unit"] for item in data["admitted"]] == [u.key for u in expected.admitted]
    assert [item["victim"] for item in data["preempted"]] == [
        p.victim.key for p in expected.preempted
    ]
    assert [(item["unit"], item["detail"]) for item in data["pending"]] == [
        (p.unit.key, p.detail) for p in expected.pending
    ]


def test_without_a_state_the_total_is_the_root_max() -> None:
    data = json_output("admit", TREE, JOBS)
    assert (data["total_from"], data["running"]) == ("root-max", [])
    assert {item["unit"] for item in data["admitted"]} == {"video/rayjob-2", "text1/finetune"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--oversell", "0"],
            "argument --oversell: expected a number above 0, between 1e-100 and 1e100, got '0'",
        ),
        (
            ["--oversell", "1E+99999999"],
            "argument --oversell: expected a number above 0, between 1e-100 and 1e100, "
            "got '1E+99999999'",
        ),
        (["--oversell", "x"], "argument --oversell: expected a decimal number, got 'x'"),
        (
            ["--reclaim", "always"],
            "argument --reclaim: expected one of to-runtime, within-min, none, got 'always'",
        ),
    ],
)
def test_bad_options(argv: list[str], message: str) -> None:
    outcome = invoke("admit", TREE, JOBS, *argv)
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == f"invsched admit: error: {message}"


def test_no_job_is_bad_input() -> None:
    outcome = invoke("admit", TREE)
    assert (outcome.status, outcome.err) == (
        2,
        f"invsched: error: {TREE}: no job (RayJob, Job, PyTorchJob or Pod) to admit\n",
    )


def test_a_job_also_running_is_bad_input(tmp_path: Path) -> None:
    again = tmp_path / "again.yaml"
    again.write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: build-a, namespace: devops}\n"
        "spec: {template: {spec: {containers: [{name: c}]}}}\n",
        encoding="utf-8",
    )
    outcome = invoke("admit", TREE, STATE, str(again))
    assert outcome.status == 2
    assert outcome.err.startswith("invsched: error: ")
    assert outcome.err.count("\n") == 1
