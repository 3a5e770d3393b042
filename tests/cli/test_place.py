"""``invsched place``: the example of ACK One's inventory-aware scheduling guide, and the rest."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import TREE, invoke, json_output

PLACEMENT = "examples/placement"
POLICY = f"{PLACEMENT}/policy.yaml"
DEPLOYMENT = f"{PLACEMENT}/deployment.yaml"
FLEET = f"{PLACEMENT}/fleet.yaml"
RUNNING = f"{PLACEMENT}/scale-down/fleet.yaml"
SCALED = f"{PLACEMENT}/scale-down/deployment.yaml"
A10 = "ecs.gn7i-c8g1.2xlarge"


def _buy(cluster: str, nodes: int, cost: str) -> dict[str, object]:
    return {
        "cluster": cluster,
        "pool": "gpu-a10",
        "instance_type": A10,
        "nodes": nodes,
        "replicas": nodes,
        "hourly_cost": cost,
    }


def test_scale_up_buys_where_the_stock_is() -> None:
    data = json_output("place", POLICY, DEPLOYMENT, FLEET)
    assert (data["files"], data["fleet"], data["skipped"]) == (
        [POLICY, DEPLOYMENT, FLEET],
        "ack-one-fleet",
        [],
    )
    (placement,) = data["placements"]
    assert placement == {
        "workload": {
            "kind": "Deployment",
            "namespace": "default",
            "name": "qwen3-8b",
            "replicas": 4,
            "request": {"nvidia.com/gpu": "1"},
        },
        "policy": "PropagationPolicy default/demo-policy",
        "policy_reason": "PropagationPolicy default/demo-policy selects it by name (priority 0)",
        "current": {},
        "replicas": {"cluster1": 1, "cluster2": 3},
        "placed": 4,
        "unplaced": 0,
        "provisioning": [_buy("cluster1", 1, "9.74"), _buy("cluster2", 3, "29.22")],
        "hourly_cost": "38.96",
        "scale_in": [],
        "hourly_savings": "0",
        "reasons": {},
    }


def test_scale_down_from_what_the_fleet_observes() -> None:
    (placement,) = json_output("place", POLICY, SCALED, RUNNING)["placements"]
    assert placement["current"] == {
        "cluster1": {"cn-beijing.192.168.1.10": 1},
        "cluster2": {
            "cn-hangzhou.192.168.1.20": 1,
            "cn-hangzhou.192.168.1.21": 1,
            "cn-hangzhou.192.168.1.22": 1,
        },
    }
    assert placement["replicas"] == {"cluster1": 1, "cluster2": 1}
    assert placement["scale_in"] == [
        {
            "cluster": "cluster2",
            "pool": "gpu-a10",
            "instance_type": A10,
            "nodes": 2,
            "hourly_savings": "19.48",
        }
    ]
    assert (placement["provisioning"], placement["hourly_savings"]) == ([], "19.48")


def test_current_replaces_what_the_fleet_lists() -> None:
    current = "cn-beijing.192.168.1.10=1,cluster2/cn-hangzhou.192.168.1.20=1"
    (placement,) = json_output("place", POLICY, SCALED, RUNNING, "--current", current)["placements"]
    assert placement["current"] == {
        "cluster1": {"cn-beijing.192.168.1.10": 1},
        "cluster2": {"cn-hangzhou.192.168.1.20": 1},
    }
    assert (placement["replicas"], placement["scale_in"]) == ({"cluster1": 1, "cluster2": 1}, [])


def test_table_layout() -> None:
    outcome = invoke("place", POLICY, SCALED, RUNNING)
    assert (outcome.status, outcome.err) == (0, "")
    assert outcome.out == (
        "Deployment default/qwen3-8b: 2 replicas of nvidia.com/gpu=1\n"
        "policy: PropagationPolicy default/demo-policy selects it by name (priority 0)\n"
        "\n"
        "Replicas per cluster (2 placed)\n"
        "CLUSTER   NOW  REPLICAS\n"
        "cluster1  1    1\n"
        "cluster2  3    1\n"
        "\n"
        "Nodes to buy: none\n"
        "\n"
        "Nodes to release (2 nodes, saving 19.48 per hour)\n"
        "CLUSTER   POOL     INSTANCE TYPE          NODES  SAVINGS/H\n"
        "cluster2  gpu-a10  ecs.gn7i-c8g1.2xlarge  2      19.48\n"
        "\n"
        "Clusters left out: none\n"
    )


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _deployment(name: str, replicas: int, namespace: str = "default") -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n"
        "      - {name: c, resources: {limits: {nvidia.com/gpu: 1}}}\n"
    )


def test_several_deployments_each_with_its_policy(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "web.yaml", _deployment("web", 2) + "---\n" + _deployment("db", 1, "data")
    )
    outcome = invoke("place", POLICY, DEPLOYMENT, extra, FLEET, "-o", "json")
    assert outcome.status == 1  # web and db: no policy selects them
    data = json_output("place", POLICY, DEPLOYMENT, extra, FLEET, status=1)
    placements = {p["workload"]["name"]: p for p in data["placements"]}
    assert list(placements) == ["qwen3-8b", "web", "db"]
    assert placements["web"]["policy"] is None
    assert placements["web"]["policy_reason"] == (
        "no PropagationPolicy in namespace default nor ClusterPropagationPolicy selects it"
    )
    assert (placements["web"]["placed"], placements["web"]["unplaced"]) == (0, 2)
    only = json_output("place", POLICY, DEPLOYMENT, extra, FLEET, "--workload", "qwen3-8b")
    assert [p["workload"]["name"] for p in only["placements"]] == ["qwen3-8b"]
    by_key = json_output(
        "place", POLICY, DEPLOYMENT, extra, FLEET, "--workload", "data/db", status=1
    )
    assert [p["workload"]["name"] for p in by_key["placements"]] == ["db"]


def test_unplaced_replicas_exit_1(tmp_path: Path) -> None:
    big = _write(tmp_path / "big.yaml", _deployment("qwen3-8b", 40))
    outcome = invoke("place", POLICY, big, FLEET)
    assert outcome.status == 1
    assert outcome.out.splitlines()[:3] == [
        "Deployment default/qwen3-8b: 40 replicas of nvidia.com/gpu=1",
        "policy: PropagationPolicy default/demo-policy selects it by name (priority 0)",
        "unplaced: 33 replicas",
    ]


def test_other_objects_are_skipped() -> None:
    outcome = invoke("place", POLICY, DEPLOYMENT, FLEET, TREE)
    assert outcome.status == 0
    assert outcome.err == (
        "invsched: note: skipped 1 ElasticQuotaTree object: place does not read it\n"
        "invsched: note: skipped 6 Namespace objects (devops, text1, text2, video, test1, "
        "test2): place does not read them\n"
    )


def test_bad_requests(tmp_path: Path) -> None:
    extra = _write(
        tmp_path / "web.yaml", _deployment("web", 2) + "---\n" + _deployment("web", 1, "data")
    )
    cases = [
        (["place", POLICY, DEPLOYMENT], f"{POLICY}, {DEPLOYMENT}: no Fleet document"),
        (["place", POLICY, FLEET], f"{POLICY}, {FLEET}: no Deployment or StatefulSet document"),
        (
            ["place", POLICY, DEPLOYMENT, FLEET, "--workload", "nope"],
            "--workload: no Deployment or StatefulSet nope (there are default/qwen3-8b)",
        ),
        (
            ["place", extra, FLEET, "--workload", "web"],
            "--workload: web names default/web, data/web: give NAMESPACE/NAME",
        ),
        (
            ["place", POLICY, SCALED, RUNNING, "--current", "nowhere=1"],
            "--current: the Fleet has no node nowhere",
        ),
        (
            ["place", POLICY, SCALED, RUNNING, "--current", "cluster1/cn-hangzhou.192.168.1.20=1"],
            "--current: the Fleet has no node cluster1/cn-hangzhou.192.168.1.20",
        ),
        (
            ["place", extra, FLEET, "--current", "x=1"],
            "--current: default/web, data/web are placed: pick one with --workload",
        ),
    ]
    for argv, message in cases:
        outcome = invoke(*argv)
        assert (outcome.status, outcome.err) == (2, f"invsched: error: {message}\n"), argv


def test_a_node_in_two_clusters_needs_its_cluster(tmp_path: Path) -> None:
    fleet = _write(
        tmp_path / "fleet.yaml",
        "apiVersion: invsched.io/v1alpha1\nkind: Fleet\nmetadata: {name: f}\nspec:\n"
        "  clusters:\n"
        "  - {name: a, region: r, nodes: [{name: n1, allocatable: {nvidia.com/gpu: 4}}]}\n"
        "  - {name: b, region: r, nodes: [{name: n1, allocatable: {nvidia.com/gpu: 4}}]}\n",
    )
    outcome = invoke("place", POLICY, DEPLOYMENT, fleet, "--current", "n1=1")
    assert (
        outcome.err
        == "invsched: error: --current: node n1 is in clusters a, b: write CLUSTER/NODE\n"
    )


def test_current_must_be_well_formed() -> None:
    outcome = invoke("place", POLICY, SCALED, RUNNING, "--current", "n1=two")
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == (
        "invsched place: error: argument --current: expected [CLUSTER/]NODE=COUNT[,...] with "
        "COUNT a whole number, got 'n1=two'"
    )
