"""The placement oracle re-derives capacity itself, and its rules agree with the library's.

An oracle that calls the code it checks cannot catch that code's bugs: the oracle's modules
import only records from :mod:`invsched.placement`, never its capacity, provisioning or
division functions. The oracle's own rules are then checked against the library's
functions here, in the tests, where a disagreement is a finding rather than a blind spot.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import invsched.placement
from invsched.placement import (
    Fleet,
    PlacementPolicy,
    Workload,
    estimate_replicas,
    replicas_per_node,
)
from invsched.testing import fleets, workloads
from invsched.testing._placement_checks import (
    headroom,
    is_candidate,
    new_node_slots,
    slots,
    stock,
)

ORACLE = Path(__file__).resolve().parents[2] / "src" / "invsched" / "testing"
#: The record types (and their enums) the oracle may read; every other public name of
#: invsched.placement computes something the oracle must derive on its own.
RECORDS = {
    "Cluster",
    "Fleet",
    "InstanceType",
    "NodePool",
    "NodeProvision",
    "Placement",
    "PlacementPolicy",
    "ReplicaSchedulingType",
    "WeightPreference",
    "Workload",
}


def _imports(path: Path) -> set[tuple[str, str]]:
    tree = ast.parse(path.read_text())
    return {
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_oracle_imports_only_records_from_the_public_placement_package() -> None:
    for name in ("_placement_oracle.py", "_placement_checks.py"):
        imported = _imports(ORACLE / name)
        placement = {
            symbol for module, symbol in imported if module.startswith("invsched.placement")
        }
        assert {module for module, _ in imported if module.startswith("invsched.placement")} <= {
            "invsched.placement"
        }, name
        assert placement <= RECORDS, (name, placement - RECORDS)
        assert placement <= set(invsched.placement.__all__)


def test_the_oracle_uses_no_placement_function_nor_record_helper() -> None:
    # ``headroom``, ``stock`` and ``exclusion_reason`` are record helpers that compute what
    # the oracle judges: it has its own (``headroom`` is the oracle's function of that name,
    # never the attribute).
    banned = (set(invsched.placement.__all__) - RECORDS) | {"exclusion_reason", "stock"}
    for name in ("_placement_oracle.py", "_placement_checks.py"):
        tree = ast.parse((ORACLE / name).read_text())
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert not attributes & (banned | {"headroom"}), name
        assert not names & (banned - {"stock"}), name


@settings(max_examples=60, deadline=None)
@given(fleets(), workloads())
def test_the_oracles_capacity_rules_agree_with_the_library(
    fleet: Fleet, workload: Workload
) -> None:
    request = workload.request
    for cluster in fleet.clusters:
        room = sum(
            slots(node.allocatable, node.requested, node.max_pods - node.pods, request)
            for node in cluster.nodes
        )
        assert room == estimate_replicas(cluster, request)
        for pool in cluster.pools:
            assert headroom(pool) == pool.headroom
    for instance_type in fleet.catalog:
        assert new_node_slots(instance_type, request) == replicas_per_node(instance_type, request)
        for region in ("region0", "region1", "elsewhere"):
            assert stock(fleet, region, instance_type.name) == fleet.stock(
                region, instance_type.name
            )


@settings(max_examples=60, deadline=None)
@given(
    fleets(),
    st.lists(st.sampled_from(["cluster0", "cluster1", "cluster2"]), unique=True),
    st.lists(st.sampled_from(["cluster0", "cluster1", "cluster2"]), unique=True),
    st.dictionaries(st.sampled_from(["tier", "zone"]), st.sampled_from(["gold", "a"]), max_size=1),
)
def test_the_oracles_candidates_agree_with_the_policy(
    fleet: Fleet, names: list[str], exclude: list[str], selector: dict[str, str]
) -> None:
    policy = PlacementPolicy(cluster_names=names, exclude=exclude, label_selector=selector)
    for cluster in fleet.clusters:
        assert is_candidate(policy, cluster) == (policy.exclusion_reason(cluster) is None)
