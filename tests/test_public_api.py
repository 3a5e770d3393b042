"""The public facade: ``invsched.__all__`` is pinned, and every name resolves."""

from __future__ import annotations

import subprocess
import sys

import invsched

FACADE = [
    "MAX_QUANTITY_DIGITS",
    "AdmissionResult",
    "Cluster",
    "Division",
    "Fleet",
    "FrozenMap",
    "InstanceType",
    "InsufficientReplicas",
    "InvalidFleet",
    "InvalidManifest",
    "InvalidQuantity",
    "InvalidQuotaTree",
    "InvalidRequest",
    "InvschedError",
    "Node",
    "NodePool",
    "NodeProvision",
    "NodeRelease",
    "Pending",
    "Placement",
    "PlacementPolicy",
    "Precision",
    "Preemption",
    "PreemptionReason",
    "Profile",
    "QuantityFormat",
    "QueuePolicy",
    "QueueUnit",
    "QuotaNode",
    "QuotaTree",
    "Reason",
    "Reclaim",
    "ReplicaSchedulingType",
    "Resources",
    "Rounding",
    "Rule",
    "Share",
    "ValidationReport",
    "Violation",
    "WeightPreference",
    "Workload",
    "__version__",
    "admit",
    "aggregate_requests",
    "canonical_quantity",
    "divide_aggregated",
    "divide_dynamic",
    "divide_static",
    "estimate_gpu_memory",
    "estimate_replicas",
    "format_quantity",
    "instance_types_that_fit",
    "load_catalog",
    "parse_quantity",
    "place",
    "redistribute",
    "revoke",
    "runtime_quota",
    "select_victims",
    "validate_tree",
    "webster",
]


def test_all_is_pinned() -> None:
    assert invsched.__all__ == FACADE


def test_every_name_resolves_and_errors_are_typed() -> None:
    for name in FACADE:
        assert getattr(invsched, name) is not None, name
    for name in FACADE:
        value = getattr(invsched, name)
        if isinstance(value, type) and issubclass(value, Exception) and name != "InvschedError":
            assert issubclass(value, invsched.InvschedError), name
            assert issubclass(value, ValueError | TypeError), name


def test_core_import_needs_neither_hypothesis_nor_yaml() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None; sys.modules['yaml'] = None; "
        "import invsched; print(len(invsched.__all__))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == str(len(FACADE))
