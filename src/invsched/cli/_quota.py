"""What the quota commands (``runtime``, ``admit``) share: the tree, the total, the table.

The total a tree is shared from comes from, in order: ``--total``; the ``ClusterState``
among the files; the root's ``max`` (which ACK's trees set to the cluster's resources), when
it limits every resource the tree names.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from invsched.admission.units import QueueUnit
from invsched.cli._command import BadInput, quantities
from invsched.cli._input import Inputs
from invsched.cli._output import Cell, Table
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources, format_amount

__all__ = [
    "TotalSource",
    "choose_total",
    "leaf_of",
    "quota_rows",
    "quota_table",
    "read_tree",
    "total_text",
]


class TotalSource(enum.Enum):
    """Where the cluster total came from (the ``total_from`` of the JSON output)."""

    OPTION = "option"
    CLUSTER_STATE = "cluster-state"
    ROOT_MAX = "root-max"


def read_tree(inputs: Inputs) -> QuotaTree:
    """The quota tree among the files.

    Runtime complexity: O(1).

    Raises:
        BadInput: no file holds a tree.
    """
    tree = inputs.manifests.quota_tree
    if tree is None:
        raise BadInput(f"{inputs.names}: no ElasticQuotaTree document")
    return tree


def leaf_of(tree: QuotaTree, unit: QueueUnit) -> str | None:
    """The leaf quota holding ``unit`` (its ``quota``, else its namespace's), or ``None``.

    Runtime complexity: O(1) (the tree's indexes).
    """
    name = unit.quota or tree.quota_for_namespace(unit.namespace)
    if name is None or name not in tree or tree.children(name):
        return None
    return name


def choose_total(
    option: Resources | None, inputs: Inputs, tree: QuotaTree
) -> tuple[Resources, TotalSource]:
    """The cluster total: ``--total``, else the ClusterState's, else the root's max.

    Runtime complexity: O(n · r) for n quotas and r resource names.

    Raises:
        BadInput: the total would be the root's max, but it leaves a resource of the tree
            unlimited (Koordinator's implicit root caps nothing): the total is unknown.
    """
    if option is not None:
        return option, TotalSource.OPTION
    state = inputs.manifests.cluster_state
    if state is not None and state.total is not None:
        return state.total, TotalSource.CLUSTER_STATE
    named = sorted({name for node in tree for name in (*node.min, *node.max)})
    unlimited = [name for name in named if name not in tree.root.max]
    if unlimited:
        raise BadInput(
            f"{inputs.names}: no cluster total: the root's max leaves {', '.join(unlimited)} "
            "unlimited; give --total or a ClusterState"
        )
    return tree.root.max, TotalSource.ROOT_MAX


def total_text(total: Resources, source: TotalSource) -> str:
    """``cpu=100, nvidia.com/gpu=16 (from the root's max)``, for a report's title.

    Runtime complexity: O(resources).
    """
    where = {
        TotalSource.OPTION: "--total",
        TotalSource.CLUSTER_STATE: "the ClusterState",
        TotalSource.ROOT_MAX: "the root's max",
    }[source]
    amounts = ", ".join(f"{n}={format_amount(n, a)}" for n, a in total.items()) or "nothing"
    return f"{amounts} (from {where})"


def _amount(amounts: Mapping[str, int], name: str, *, missing: str) -> str:
    return format_amount(name, amounts[name]) if name in amounts else missing


def quota_rows(
    tree: QuotaTree, columns: Mapping[str, Mapping[str, Resources]]
) -> list[dict[str, Any]]:
    """Every quota in pre-order with its min, max and the given per-node columns, as data.

    ``max`` lists only the resources it limits (a missing one is unlimited).

    Runtime complexity: O(n · r) for n quotas and r resource names.
    """
    return [
        {
            "name": node.name,
            "parent": node.parent,
            "min": quantities(node.min),
            "max": quantities(node.max),
            **{column: quantities(values[node.name]) for column, values in columns.items()},
        }
        for node in tree
    ]


def quota_table(
    title: str, tree: QuotaTree, columns: Mapping[str, Mapping[str, Resources]]
) -> Table:
    """A tree table: one row per quota, one line per resource (min, max, then ``columns``).

    The resources of a quota are those named by its min, its max or any column. A max that
    leaves a resource unlimited shows ``-``.

    Runtime complexity: O(n · r log r) for n quotas and r resource names.
    """
    rows: list[tuple[Cell, ...]] = []
    for node in tree:
        names = sorted(
            set(node.min) | set(node.max) | {n for c in columns.values() for n in c[node.name]}
        )
        rows.append(
            (
                node.name,
                tuple(names),
                tuple(_amount(node.min, n, missing="0") for n in names),
                tuple(_amount(node.max, n, missing="-") for n in names),
                *(
                    tuple(_amount(values[node.name], n, missing="0") for n in names)
                    for values in columns.values()
                ),
            )
        )
    return Table(
        title=title,
        columns=("quota", "resource", "min", "max", *columns),
        rows=rows,
        depths=[tree.depth(node.name) for node in tree],
    )
