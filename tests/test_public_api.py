"""The public facade: ``invsched.__all__`` is pinned, every name resolves, and the public-API
rule of ``docs/architecture.md`` holds in every module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Final

import pytest

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


# The public-API rule (docs/architecture.md) ---------------------------------------------------
#
# Public means listed in an ``__all__``: the facade's, a subpackage's, or a public module's.
# Every other module-level name starts with ``_`` or lives in a ``_private`` module. And each
# module's ``__all__`` is re-exported by its package, or deliberately not (listed below).

#: Modules whose ``__all__`` their package does not re-export, on purpose.
OWN_NAMESPACE: Final = {
    "invsched.cli": "the command line, not part of the library facade",
    "invsched.cli.demo": "only the command line uses the demo",
    "invsched.manifests": "I/O on top of the library; reached as invsched.manifests",
    "invsched.testing": "the testing kit; reached as invsched.testing, never imported eagerly",
    "invsched.quota.elasticquotatree": "the reader behind QuotaTree.from_manifest",
    "invsched.placement.observed": "scale-down from an observed snapshot, behind "
    "place(current=...); reached as invsched.placement.observed",
    "invsched.simulate": "what-if replay on top of the library (file I/O for traces); "
    "reached as invsched.simulate",
}
#: Single names their package does not re-export, on purpose.
NOT_REEXPORTED: Final = {
    ("invsched.admission", "order_key"): "the documented queue order (docs/semantics.md), "
    "reached as invsched.admission.order_key",
    ("invsched.resources", "format_amount"): "reached as invsched.resources.format_amount",
    ("invsched.placement.catalog", "CATALOG_FILE"): "the packaged catalog's file name",
    ("invsched.placement.fleet", "DEFAULT_MAX_PODS"): "kubelet's default, documented with Node",
    ("invsched.placement.sizing", "DEFAULT_OVERHEAD"): "the default of estimate_gpu_memory",
    ("invsched.placement.webster", "fnv32a"): "Karmada's UID tie-break hash, for tests",
    ("invsched.simulate.records", "MAX_SECONDS"): "the bound of Job's and Scenario's times",
    ("invsched.simulate.records", "MIN_INTERVAL"): "the shortest Scenario.interval",
    ("invsched.manifests.scenario", "API_VERSION"): "the kind's apiVersion, with its reader",
    **{
        ("invsched.placement", name): "a placement building block for schedulers that compose "
        "their own placement; reached as invsched.placement." + name
        for name in (
            "GrowablePool",
            "InstanceFit",
            "Offer",
            "ProvisioningOptions",
            "Shape",
            "estimate_node_replicas",
            "most_provisionable",
            "plan_provisioning",
            "provisionable_replicas",
            "provisioning_options",
            "release_nodes",
            "replicas_per_node",
        )
    },
}
#: Module prefixes not held to the rule yet.
EXEMPT: Final[dict[str, str]] = {}


def _public_modules() -> list[str]:
    """Every module of invsched without a ``_private`` part (``__main__`` would run)."""
    return sorted(
        info.name
        for info in pkgutil.walk_packages(invsched.__path__, "invsched.")
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
    )


def _defined_names(module: types.ModuleType) -> list[str]:
    """The names a module binds at its top level (definitions, not imports)."""
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def _exempt(name: str) -> bool:
    return any(name == prefix or name.startswith(f"{prefix}.") for prefix in EXEMPT)


PUBLIC_MODULES: Final = _public_modules()


def test_the_walk_sees_the_public_modules() -> None:
    assert {"invsched.quota.tree", "invsched.admission.cycle", "invsched.cli"} <= set(
        PUBLIC_MODULES
    )
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in PUBLIC_MODULES)


@pytest.mark.parametrize("name", [name for name in PUBLIC_MODULES if not _exempt(name)])
def test_every_public_name_is_listed_in_all(name: str) -> None:
    module = importlib.import_module(name)
    listed = set(getattr(module, "__all__", ()))
    unlisted = [n for n in _defined_names(module) if not n.startswith("_") and n not in listed]
    assert unlisted == [], f"{name}: public names missing from __all__ (or add a leading _)"
    assert all(hasattr(module, n) for n in listed), name


@pytest.mark.parametrize("name", [name for name in PUBLIC_MODULES if not _exempt(name)])
def test_every_all_is_reexported_or_deliberately_not(name: str) -> None:
    if name in OWN_NAMESPACE:
        return
    module = importlib.import_module(name)
    package = importlib.import_module(name.rsplit(".", 1)[0])
    reexported = set(getattr(package, "__all__", ()))
    missing = [
        n
        for n in getattr(module, "__all__", ())
        if n not in reexported and (name, n) not in NOT_REEXPORTED
    ]
    assert missing == [], f"{name}: not re-exported by {package.__name__}"


def test_the_exceptions_are_still_needed() -> None:
    # An allow-list entry that no longer excuses anything should go.
    for name, reason in OWN_NAMESPACE.items():
        assert getattr(importlib.import_module(name), "__all__", None), (name, reason)
    for (name, listed), reason in NOT_REEXPORTED.items():
        package = importlib.import_module(name.rsplit(".", 1)[0])
        assert listed in importlib.import_module(name).__all__, reason
        assert listed not in package.__all__, reason
