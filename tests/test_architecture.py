"""The one-way dependency rule of ``docs/architecture.md``, checked on the source's imports.

``resources`` ← ``quota`` ← ``admission``; ``placement`` depends on ``resources`` and never on
quotas or admission; ``manifests``, ``simulate`` and ``cli`` sit on top and are the only places
with I/O. ``simulate`` never imports ``manifests`` or ``cli``; ``manifests`` reads a
simulation's inputs (records, traces, the default scenario) and never imports its engine.
Imports are read with :mod:`ast` (nothing is imported), so a lazy import inside a function
counts as much as one at the top of the module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

import invsched

PACKAGE: Final = Path(invsched.__file__).parent

#: The invsched parts ``invsched.resources`` may import: the leaves below it.
RESOURCES_MAY_IMPORT: Final = frozenset({"errors", "quantity", "_validators", "frozenmap"})
#: The parts above each layer, which it must never import.
FORBIDDEN: Final = {
    "quota": frozenset({"admission", "placement", "manifests", "cli"}),
    "placement": frozenset({"quota", "admission", "manifests", "cli"}),
    "simulate": frozenset({"manifests", "cli"}),
}
#: The parts allowed to do I/O (``_files`` names what reading a user's file can go wrong with).
IO_PARTS: Final = frozenset({"manifests", "_yaml", "_files", "cli", "simulate"})
#: The modules of ``simulate`` that ``manifests`` may import: a simulation's inputs.
SIMULATE_INPUTS: Final = frozenset(
    {
        "invsched.simulate.records",
        "invsched.simulate.traces",
        "invsched.simulate.scenarios",
    }
)
#: Standard-library modules that mean I/O: streams, the file system, the process.
IO_MODULES: Final = frozenset({"yaml", "sys", "os", "pathlib", "shutil", "tempfile", "subprocess"})


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """Every module of the package as (dotted name, syntax tree)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.Module) -> Iterator[str]:
    """The absolute dotted names a module imports (``from invsched import x`` gives
    ``invsched.x``), wherever the import statement is."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "invsched":
                yield from (f"invsched.{alias.name}" for alias in node.names)
            else:
                yield node.module


def _part(module: str) -> str:
    """The part of invsched a dotted name belongs to: ``quota`` for ``invsched.quota.tree``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


def _invsched_parts(tree: ast.Module) -> set[str]:
    return {_part(name) for name in _imports(tree) if name.split(".")[0] == "invsched"}


MODULES: Final = dict(_modules())


def test_the_walk_sees_every_layer() -> None:
    parts = {_part(name) for name in MODULES}
    assert {"resources", "quota", "admission", "placement", "manifests", "cli", "simulate"} <= parts


def test_resources_imports_only_the_leaves() -> None:
    assert _invsched_parts(MODULES["invsched.resources"]) <= RESOURCES_MAY_IMPORT


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above(layer: str) -> None:
    offenders = {
        name: sorted(_invsched_parts(tree) & FORBIDDEN[layer])
        for name, tree in MODULES.items()
        if _part(name) == layer and _invsched_parts(tree) & FORBIDDEN[layer]
    }
    assert offenders == {}


def test_inside_quota_the_reader_depends_on_the_node_only() -> None:
    # node ← elasticquotatree ← tree: the reader returns nodes, the tree builds from them.
    assert _quota_imports("invsched.quota.node") == set()
    assert _quota_imports("invsched.quota.elasticquotatree") == {"invsched.quota.node"}


def _quota_imports(module: str) -> set[str]:
    return {name for name in _imports(MODULES[module]) if name.startswith("invsched.quota")}


def test_placement_records_never_import_the_solver() -> None:
    # Records are data: reading a Placement must not pull in the flow, knapsack or MIP code.
    placement = {
        name
        for name in _imports(MODULES["invsched.placement.records"])
        if name.startswith("invsched.placement")
    }
    assert placement <= {"invsched.placement.fleet"}


def test_the_facade_is_not_imported_from_inside() -> None:
    # ``from invsched import Resources`` inside the package would import every layer at once.
    offenders = sorted(name for name, tree in MODULES.items() if "invsched" in set(_imports(tree)))
    assert offenders == []


def _does_io(tree: ast.Module) -> list[str]:
    found = [name for name in _imports(tree) if name.split(".")[0] in IO_MODULES]
    found.extend(
        "open()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open"
    )
    return sorted(set(found))


def test_manifests_reads_the_inputs_of_a_simulation_never_its_engine() -> None:
    offenders = {
        name: sorted(imported - SIMULATE_INPUTS)
        for name, tree in MODULES.items()
        if _part(name) == "manifests"
        and (imported := {n for n in _imports(tree) if _part(n) == "simulate"}) - SIMULATE_INPUTS
    }
    assert offenders == {}
    # The rule has something to check: the Scenario kind reads simulate's records.
    assert "invsched.simulate.records" in set(_imports(MODULES["invsched.manifests.scenario"]))


def test_only_manifests_yaml_simulate_and_cli_do_io() -> None:
    offenders = {
        name: _does_io(tree)
        for name, tree in MODULES.items()
        if _part(name) not in IO_PARTS and _does_io(tree)
    }
    assert offenders == {}


def test_the_io_check_sees_io() -> None:
    tree = ast.parse("import sys\nfrom yaml import safe_load\nopen('x')\n")
    assert _does_io(tree) == ["open()", "sys", "yaml"]
