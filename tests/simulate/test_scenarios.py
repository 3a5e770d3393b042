"""The packaged default scenario: its tree, its total, and the trace figures that justify them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from fractions import Fraction

import pytest

from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidRequest
from invsched.quota import Profile, QuotaTree, validate_tree
from invsched.resources import Resources
from invsched.simulate import (
    DEFAULT_SCENARIO_NAME,
    Job,
    Restart,
    Scenario,
    SimulationInput,
    default_scenario,
    default_tree,
    load_cluster_capacity,
    load_packaged_trace,
)
from invsched.simulate._trace_files import read_packaged

GIB = 2**30 * 1000
MIB = 2**20 * 1000
#: The QoS classes of the trace and the leaf quota each one lands in.
LEAVES = {
    "LS": "latency-sensitive",
    "Guaranteed": "guaranteed",
    "Burstable": "burstable",
    "BE": "best-effort",
}


def _amounts(cpu: int, memory_gib: int, gpus: int) -> Resources:
    return Resources({"cpu": cpu * 1000, "memory": memory_gib * GIB, "nvidia.com/gpu": gpus * 1000})


def test_the_default_scenario_is_the_packaged_trace_on_the_packaged_tree() -> None:
    run = default_scenario()
    assert run.name == DEFAULT_SCENARIO_NAME == "alibaba-v2023-default"
    assert run.jobs == load_packaged_trace()
    assert run.scenario == Scenario(
        tree=default_tree(),
        total=_amounts(640, 3072, 32),
        policy=QueuePolicy.PRIORITY,
        reclaim=Reclaim.WITHIN_MIN,
        interval=0,
        restart=Restart.FROM_SCRATCH,
    )
    assert "6,212-GPU cluster nothing would ever wait" in run.description


def test_the_default_tree_splits_the_cluster_by_qos_class() -> None:
    tree = default_tree()
    rows = [
        (node.name, node.parent, node.namespaces, node.min, node.max, node.allow_lent)
        for node in tree
    ]
    whole, three_quarters = _amounts(640, 3072, 32), _amounts(480, 2304, 24)
    assert rows == [
        ("root", None, (), whole, whole, True),
        ("protected", "root", (), _amounts(580, 2784, 29), whole, True),
        ("latency-sensitive", "protected", ("ls",), _amounts(520, 2496, 26), whole, True),
        ("guaranteed", "protected", ("guaranteed",), _amounts(60, 288, 3), whole, True),
        ("preemptible", "root", (), _amounts(60, 288, 3), three_quarters, True),
        ("burstable", "preemptible", ("burstable",), _amounts(40, 192, 2), three_quarters, True),
        ("best-effort", "preemptible", ("be",), _amounts(20, 96, 1), three_quarters, True),
    ]


@pytest.mark.parametrize("profile", list(Profile))
def test_the_default_tree_is_valid_under_every_profile(profile: Profile) -> None:
    assert validate_tree(default_tree(), profile).ok


def test_every_job_can_run_on_its_own() -> None:
    # No job waits forever: each reaches a leaf, fits every max on its path and the total,
    # and a non-preemptible one fits every min on its path (admission's rule for them).
    run = default_scenario()
    tree, total = run.scenario.tree, run.scenario.total
    for job in run.jobs:
        leaf = tree.quota_for_namespace(job.namespace)
        assert leaf is not None
        assert not tree.children(leaf)
        assert job.request.fits_in(total)
        for name in tree.path(leaf):
            assert job.request.fits_in(tree.node(name).max)
            if not job.preemptible:
                assert job.request.fits_in(tree.node(name).min)


def test_default_scenario_runs_other_jobs_on_the_same_tree() -> None:
    job = Job(name="a", namespace="be", request=Resources(), submit=0, duration=1)
    run = default_scenario(jobs=[job])
    assert run.jobs == (job,)
    assert run.scenario == default_scenario(jobs=()).scenario
    with pytest.raises(InvalidRequest) as caught:
        default_scenario(jobs=[1])  # type: ignore[list-item]
    assert str(caught.value) == "SimulationInput.jobs[0]: expected a Job, got int 1"


def test_a_simulation_input_checks_its_fields() -> None:
    tree = QuotaTree.from_manifest({"kind": "ElasticQuotaTree", "spec": {"root": {"name": "r"}}})
    scenario = Scenario(tree=tree, total=Resources())
    with pytest.raises(InvalidRequest) as caught:
        SimulationInput(name="", scenario=scenario, jobs=())
    assert str(caught.value) == "SimulationInput.name: expected a non-empty string, got ''"
    with pytest.raises(InvalidRequest) as caught:
        SimulationInput(name="x", scenario=tree, jobs=())  # type: ignore[arg-type]
    assert str(caught.value).startswith(
        "SimulationInput.scenario: expected a Scenario, got QuotaTree"
    )


# The figures behind the amounts (docs/manifests/traces.md) ---------------------------------


def _pods() -> Iterator[dict[str, str]]:
    text = read_packaged("openb_pod_list_default.csv.gz")
    yield from csv.DictReader(io.StringIO(text))


def _ran() -> list[tuple[str, int, int, Resources]]:
    """(QoS class, start, end, request) of every pod that ran, as the trace recorded it."""
    return [
        (
            pod["qos"],
            int(pod["scheduled_time"]),
            int(pod["deletion_time"]),
            Resources(
                {
                    "cpu": int(pod["cpu_milli"]),
                    "memory": int(pod["memory_mib"]) * MIB,
                    "nvidia.com/gpu": int(pod["num_gpu"]) * int(pod["gpu_milli"]),
                }
            ),
        )
        for pod in _pods()
        if pod["scheduled_time"]
    ]


def _peak(pods: list[tuple[str, int, int, Resources]], resource: str) -> int:
    """The most of ``resource`` held at once (a pod ending at t frees before one starts)."""
    events = sorted(
        [(start, 1, request[resource]) for _, start, _, request in pods]
        + [(end, 0, -request[resource]) for _, _, end, request in pods]
    )
    held = peak = 0
    for _, _, change in events:
        held += change
        peak = max(peak, held)
    return peak


def test_at_real_time_the_trace_never_fills_its_own_cluster() -> None:
    pods = _ran()
    capacity = load_cluster_capacity()
    peaks = {name: _peak(pods, name) for name in ("cpu", "memory", "nvidia.com/gpu")}
    assert peaks == {"cpu": 766_608, "memory": 2_502_822 * MIB, "nvidia.com/gpu": 65_590}
    assert all(peaks[name] * 50 < capacity[name] for name in peaks)


def test_the_default_total_is_half_the_peak_in_the_clusters_proportions() -> None:
    total = default_scenario(jobs=()).scenario.total
    capacity = load_cluster_capacity()
    # About half of the 65.6 GPUs the pods hold at most at once ...
    assert total["nvidia.com/gpu"] == 32_000
    assert Fraction(48, 100) < Fraction(total["nvidia.com/gpu"], 65_590) < Fraction(1, 2)
    # ... with the cluster's own CPUs and memory per GPU, rounded down: 20.2 CPUs → 20,
    # 96.2 GiB → 96.
    gpus = capacity["nvidia.com/gpu"] // 1000
    assert capacity["cpu"] // 1000 // gpus == 20
    assert capacity["memory"] // GIB // gpus == 96
    assert total == _amounts(32 * 20, 32 * 96, 32)


def _largest_remainder(shares: dict[str, Fraction], seats: int) -> dict[str, int]:
    whole = {name: int(share * seats) for name, share in shares.items()}
    left = seats - sum(whole.values())
    by_remainder = sorted(shares, key=lambda name: shares[name] * seats - whole[name], reverse=True)
    for name in by_remainder[:left]:
        whole[name] += 1
    return whole


def test_each_gpu_min_is_its_class_share_of_gpu_time() -> None:
    gpu_seconds = dict.fromkeys(LEAVES, 0)
    for qos, start, end, request in _ran():
        gpu_seconds[qos] += request["nvidia.com/gpu"] * (end - start)
    total = sum(gpu_seconds.values())
    shares = {qos: Fraction(seconds, total) for qos, seconds in gpu_seconds.items()}
    # LS 80.5 %, Guaranteed 2.5 %, Burstable 14.5 %, BE 2.5 % of the GPU-time.
    assert {qos: round(float(share) * 1000) for qos, share in shares.items()} == {
        "LS": 805,
        "Guaranteed": 25,
        "Burstable": 145,
        "BE": 25,
    }
    mins = _largest_remainder(shares, 32)
    assert mins == {"LS": 26, "Guaranteed": 1, "Burstable": 4, "BE": 1}
    # Guaranteed cannot borrow: it is raised to its own peak, from Burstable, which can.
    guaranteed_peak = _peak([pod for pod in _ran() if pod[0] == "Guaranteed"], "nvidia.com/gpu")
    assert guaranteed_peak == 3000
    mins["Burstable"] -= guaranteed_peak // 1000 - mins["Guaranteed"]
    mins["Guaranteed"] = guaranteed_peak // 1000
    tree = default_tree()
    for qos, leaf in LEAVES.items():
        node = tree.node(leaf)
        assert node.min == _amounts(mins[qos] * 20, mins[qos] * 96, mins[qos])
